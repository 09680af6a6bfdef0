//! The worker's settings: reminders, the supervision cycle (延期, 签收 links) and the bulletin.

use std::path::PathBuf;

use url::Url;

use super::{ConfigError, Secret, layers::Merged};
use crate::email::EmailAddress;

/// What the reminder worker is configured with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderSettings {
    /// Days before a due date on which a reminder goes out, largest first (`30,14,7,3,1,0`).
    pub days_before: Vec<u32>,
    /// After a due date has passed, one reminder every this many days.
    pub overdue_every_days: u32,
    /// Overdue by more than this many days: the supervisor gets a copy.
    pub escalate_after_days: u32,
    pub supervisor: Option<EmailAddress>,
    /// The office's contact line at the foot of every reminder (`MINSHENG_OFFICE_CONTACT`).
    pub office_contact: Option<String>,
    /// Six-field cron expression (with seconds), read in the configured time zone.
    pub cron: String,
    /// A holiday calendar file: when set, lead days count working days and no reminder goes out
    /// on a day of rest.
    pub holiday_calendar: Option<PathBuf>,
    /// Where `.eml` files go when no SMTP server is configured.
    pub outbox_dir: PathBuf,
    /// The weekday on which cooperating departments get a digest of the items they cooperate
    /// on; `None`: they get none.
    pub cooperating_digest: Option<chrono::Weekday>,
    /// The day of the month (1 to 28) from which lead departments of items that are only
    /// ongoing (长期坚持, no date) get a monthly check-in; `None`: they get none.
    pub ongoing_checkin_day: Option<u32>,
    /// Working days after which a reminder about an overdue item that nobody acknowledged
    /// (签收) copies the supervisor; `None`: never.
    pub ack_escalate_after_days: Option<u32>,
}

impl ReminderSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let days = merged.required("reminder_days")?;
        let mut days_before = days
            .value
            .split(',')
            .map(|d| d.trim().parse::<u32>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                ConfigError::new(
                    &days.origin,
                    format!(
                        "'{}' is not a list of whole days such as 30,14,7,3,1,0",
                        days.value
                    ),
                )
            })?;
        days_before.sort_unstable_by(|a, b| b.cmp(a));
        days_before.dedup();
        if days_before.is_empty() || days_before.iter().any(|d| *d > 366) {
            return Err(ConfigError::new(
                &days.origin,
                "give between one and a year of days before a due date",
            ));
        }
        let positive = |merged: &mut Merged, key: &str| -> Result<u32, ConfigError> {
            let s = merged.required(key)?;
            s.value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!("'{}' is not a positive number of days", s.value),
                    )
                })
        };
        let overdue_every_days = positive(merged, "overdue_every_days")?;
        let escalate_after_days = positive(merged, "escalate_after_days")?;
        let supervisor = merged
            .optional("supervisor_email")
            .map(|s| EmailAddress::parse(&s.value).map_err(|m| ConfigError::new(&s.origin, m)))
            .transpose()?;
        let office_contact = merged
            .optional("office_contact")
            .map(|s| {
                let line = s.value.trim();
                crate::text::check(line, 200, crate::text::Lines::One)
                    .map(|()| line.to_owned())
                    .map_err(|m| ConfigError::new(&s.origin, m))
            })
            .transpose()?;
        let cron = merged.required("reminder_cron")?;
        if cron.value.split_whitespace().count() != 6 {
            return Err(ConfigError::new(
                &cron.origin,
                format!(
                    "'{}' is not a six-field cron expression (sec min hour day month weekday)",
                    cron.value
                ),
            ));
        }
        Ok(Self {
            days_before,
            overdue_every_days,
            escalate_after_days,
            supervisor,
            office_contact,
            cron: cron.value.trim().to_owned(),
            holiday_calendar: merged
                .optional("holiday_calendar")
                .map(|s| PathBuf::from(s.value.trim())),
            outbox_dir: PathBuf::from(merged.required("outbox_dir")?.value.trim()),
            cooperating_digest: merged
                .optional("cooperating_digest")
                .map(|s| {
                    s.value.trim().parse::<chrono::Weekday>().map_err(|_| {
                        ConfigError::new(
                            &s.origin,
                            format!(
                                "'{}' is not a weekday (monday … sunday), or empty for none",
                                s.value
                            ),
                        )
                    })
                })
                .transpose()?,
            ongoing_checkin_day: merged
                .optional("ongoing_checkin_day")
                .map(|s| {
                    s.value
                        .trim()
                        .parse::<u32>()
                        .ok()
                        .filter(|d| (1..=28).contains(d))
                        .ok_or_else(|| {
                            ConfigError::new(
                                &s.origin,
                                format!(
                                    "'{}' is not a day of the month from 1 to 28, or empty for none",
                                    s.value
                                ),
                            )
                        })
                })
                .transpose()?,
            ack_escalate_after_days: ack_escalate_after_days(merged)?,
        })
    }
}

/// The supervision cycle: extension requests and acknowledged reminders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SupervisionSettings {
    /// Days after a due date during which a department may still ask for more time.
    pub extension_grace_days: u32,
    /// Where the api is reached from outside (`https://minsheng.example.gov.cn`): the base of
    /// the acknowledgement link in reminders. `None`: reminders carry no link.
    pub public_url: Option<Url>,
    /// The key acknowledgement links are signed with (`MINSHENG_SIGNING_KEY`, environment only).
    pub signing_key: Option<Secret>,
}

impl SupervisionSettings {
    pub(super) fn from_merged(
        merged: &mut Merged,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let extension_grace_days = match merged.optional("extension_grace_days") {
            None => 0,
            Some(s) => s
                .value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| *d <= 366)
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!("'{}' is not a number of days from 0 to 366", s.value),
                    )
                })?,
        };
        let public_url = merged
            .optional("public_url")
            .map(|s| {
                Url::parse(s.value.trim())
                    .ok()
                    .filter(|u| matches!(u.scheme(), "http" | "https") && u.has_host())
                    .filter(|u| u.query().is_none() && u.fragment().is_none())
                    .ok_or_else(|| {
                        ConfigError::new(
                            &s.origin,
                            format!(
                                "'{}' is not an http(s) base URL such as https://minsheng.example.gov.cn",
                                s.value
                            ),
                        )
                    })
            })
            .transpose()?;
        let signing_key = match env("MINSHENG_SIGNING_KEY").filter(|k| !k.is_empty()) {
            None => None,
            Some(key) if key.len() < 32 || key.chars().any(char::is_whitespace) => {
                return Err(ConfigError::new(
                    "MINSHENG_SIGNING_KEY",
                    "use a random value of at least 32 characters without whitespace",
                ));
            }
            Some(key) => Some(Secret(key)),
        };
        Ok(Self {
            extension_grace_days,
            public_url,
            signing_key,
        })
    }
}

/// The periodic bulletin (情况通报).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BulletinSettings {
    /// Six-field cron expression in the configured time zone; `None`: no bulletin is scheduled.
    pub cron: Option<String>,
    /// Who receives it (`MINSHENG_BULLETIN_TO`).
    pub to: Vec<EmailAddress>,
}

impl BulletinSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        let to = match merged.optional("bulletin_to") {
            None => Vec::new(),
            Some(s) => s
                .value
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    EmailAddress::parse(a)
                        .map_err(|m| ConfigError::new(&s.origin, format!("'{a}': {m}")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let cron = match merged.optional("bulletin_cron") {
            None => None,
            Some(s) if s.value.split_whitespace().count() != 6 => {
                return Err(ConfigError::new(
                    &s.origin,
                    format!(
                        "'{}' is not a six-field cron expression (sec min hour day month weekday), or empty for no bulletin",
                        s.value
                    ),
                ));
            }
            // A schedule without recipients would record bulletins nobody receives.
            Some(s) if to.is_empty() => {
                return Err(ConfigError::new(
                    &s.origin,
                    "a bulletin is scheduled but MINSHENG_BULLETIN_TO names nobody to send it to",
                ));
            }
            Some(s) => Some(s.value.trim().to_owned()),
        };
        Ok(Self { cron, to })
    }
}

/// Working days after which an overdue item's unacknowledged reminder copies the supervisor.
fn ack_escalate_after_days(merged: &mut Merged) -> Result<Option<u32>, ConfigError> {
    merged
        .optional("ack_escalate_after_days")
        .map(|s| {
            s.value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| {
                    ConfigError::new(
                        &s.origin,
                        format!(
                            "'{}' is not a number of working days from 1 to 366, or empty for off",
                            s.value
                        ),
                    )
                })
        })
        .transpose()
}
