//! The 情况通报 at `now`: find the period `now` falls in (the last tick of
//! `MINSHENG_BULLETIN_CRON` at or before it; without a schedule, the day), record it once, claim
//! it, write it as of the period's start and send it to `MINSHENG_BULLETIN_TO`. What it says is
//! decided in `domain::bulletin`, and so is the period; this is the record / claim / send / mark
//! loop.

use chrono::{DateTime, Duration, Utc};
use croner::Cron;
use domain::{
    DomainError, Settings,
    bulletin::{Bulletin, parse_cron, period_start},
    email::EmailAddress,
    export::Ledger,
    model::BulletinStatus,
    store::bulletin::{self as record, Record},
    urgency::UrgencyRule,
};

use crate::{
    bulletin::{self, Reader},
    jobs::send_reminders::Context,
};

/// How long a claim holds before another worker may take the bulletin over.
const LEASE_MINUTES: i64 = 10;

/// Who gets the bulletin, on which schedule, and how urgency is counted in it.
#[derive(Clone, Debug)]
pub struct BulletinTarget {
    pub to: Vec<EmailAddress>,
    /// Parsed as the scheduler parses it; `None`: no schedule, a period is a day.
    pub cron: Option<Cron>,
    pub urgency: UrgencyRule,
}

impl BulletinTarget {
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        Ok(Self {
            to: settings.bulletin.to.clone(),
            cron: settings
                .bulletin
                .cron
                .as_deref()
                .map(parse_cron)
                .transpose()?,
            urgency: UrgencyRule {
                due_soon_days: settings.graph.due_soon_days,
            },
        })
    }

    /// Nobody to send to and no schedule.
    pub fn none(urgency: UrgencyRule) -> Self {
        Self {
            to: Vec::new(),
            cron: None,
            urgency,
        }
    }
}

/// What became of the bulletin of a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Sent {
        period_start: DateTime<Utc>,
        message_id: String,
        recipients: usize,
    },
    /// Sent before (by this worker, another, or before a restart): not sent again.
    AlreadySent {
        period_start: DateTime<Utc>,
        sent_at: Option<DateTime<Utc>>,
    },
    /// Another worker holds it, or it waits to be retried.
    Held { period_start: DateTime<Utc> },
    /// Not sent; the next reminder run tries again.
    Retrying {
        period_start: DateTime<Utc>,
        error: String,
    },
    Failed {
        period_start: DateTime<Utc>,
        error: String,
    },
}

/// Sends the bulletin of the period `now` falls in, unless it was sent. A bulletin given up as
/// failed is tried again: running this by hand is how an operator resends one.
pub async fn run(ctx: &Context, now: DateTime<Utc>) -> Result<Outcome, DomainError> {
    let target = &ctx.bulletin;
    let start = period_start(target.cron.as_ref(), now, ctx.timezone).map_err(internal)?;
    if target.to.is_empty() {
        return Err(internal(
            "MINSHENG_BULLETIN_TO names nobody to send the bulletin to".to_owned(),
        ));
    }
    let row = record::open(&ctx.db, start, now).await?;
    match row.status {
        BulletinStatus::Sent => {
            return Ok(Outcome::AlreadySent {
                period_start: start,
                sent_at: row.sent_at,
            });
        }
        BulletinStatus::Failed => record::retry_failed(&ctx.db, row.id).await?,
        BulletinStatus::Pending | BulletinStatus::Superseded => {}
    }
    Ok(deliver_pending(ctx, now).await?.unwrap_or(Outcome::Held {
        period_start: start,
    }))
}

/// Sends the pending bulletin, if there is one that nobody holds: a bulletin that failed is
/// retried this way by each reminder run. `None` when there was nothing to send.
pub async fn deliver_pending(
    ctx: &Context,
    now: DateTime<Utc>,
) -> Result<Option<Outcome>, DomainError> {
    let target = &ctx.bulletin;
    if target.to.is_empty() {
        return Ok(None);
    }
    let Some(row) = record::claim(&ctx.db, now, Duration::minutes(LEASE_MINUTES)).await? else {
        return Ok(None);
    };
    let period_start = row.period_start;
    let (content, ledgers) = compose(ctx, &row).await?;
    // The leaders get the bulletin; the office (MINSHENG_SUPERVISOR_EMAIL) gets it with its own
    // housekeeping too (lead departments without a contact), whether or not it is on
    // MINSHENG_BULLETIN_TO. Recipient by recipient: one refused address does not keep the
    // bulletin from the others.
    let office = ctx.policy.supervisor.clone();
    let leaders: Vec<EmailAddress> = target
        .to
        .iter()
        .filter(|a| office.as_ref() != Some(*a))
        .cloned()
        .collect();
    let mut versions = Vec::new();
    if !leaders.is_empty() {
        versions.push((Reader::Leaders, leaders));
    }
    if let Some(office) = office {
        versions.push((Reader::Office, vec![office]));
    }
    let id = bulletin::message_id(period_start, &ctx.from, versions[0].0);
    let mut outcomes = Vec::new();
    let mut unbuildable = None;
    for (reader, to) in &versions {
        let version_id = bulletin::message_id(period_start, &ctx.from, *reader);
        match bulletin::message(&content, *reader, &ledgers, &ctx.from, to, now, &version_id) {
            Ok(message) => outcomes.extend(ctx.mailer.send_each(&message).await),
            // A template or an address lettre refuses: no retry can build this message.
            Err(e) => unbuildable = Some(e),
        }
    }
    let sent = match unbuildable {
        Some(e) if outcomes.is_empty() => Err(crate::mailer::SendError::permanent(e)),
        _ => {
            let (accepted, refused): (Vec<_>, Vec<_>) =
                outcomes.into_iter().partition(|(_, sent)| sent.is_ok());
            let mut refused: Vec<(String, crate::mailer::SendError)> = refused
                .into_iter()
                .filter_map(|(to, sent)| sent.err().map(|e| (to.to_string(), e)))
                .collect();
            if let Some(e) = unbuildable {
                refused.push((
                    "(a version that could not be written)".to_owned(),
                    crate::mailer::SendError::permanent(e),
                ));
            }
            if accepted.is_empty() {
                Err(crate::mailer::SendError {
                    message: refused
                        .iter()
                        .map(|(to, e)| format!("{to}: {e}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                    permanent: refused.iter().all(|(_, e)| e.permanent),
                })
            } else {
                Ok((
                    accepted
                        .iter()
                        .map(|(to, _)| to.to_string())
                        .collect::<Vec<_>>(),
                    refused,
                ))
            }
        }
    };
    Ok(Some(match sent {
        Ok((accepted, refused)) => {
            let refusals = (!refused.is_empty()).then(|| {
                refused
                    .iter()
                    .map(|(to, e)| format!("{to}: {e}"))
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            for (to, error) in &refused {
                tracing::error!(recipient = %to, error = %error.message, permanent = error.permanent, "a recipient of the bulletin (MINSHENG_BULLETIN_TO) did not get it; the others did");
            }
            record::mark_sent(
                &ctx.db,
                row.id,
                &id,
                &accepted.join(","),
                refusals.as_deref(),
                now,
            )
            .await?;
            tracing::info!(%period_start, recipients = accepted.len(), refused = refused.len(), lists = ledgers.len(), "bulletin sent");
            Outcome::Sent {
                period_start,
                message_id: id,
                recipients: accepted.len(),
            }
        }
        Err(error) => {
            let given_up =
                record::mark_failed(&ctx.db, &row, &error.message, error.permanent, now).await?;
            if given_up {
                tracing::error!(%period_start, error = %error.message, "bulletin not sent and given up; `worker bulletin --now …` in its period tries again");
                Outcome::Failed {
                    period_start,
                    error: error.message,
                }
            } else {
                tracing::warn!(%period_start, error = %error.message, "bulletin not sent; the next reminder run tries again");
                Outcome::Retrying {
                    period_start,
                    error: error.message,
                }
            }
        }
    }))
}

/// The bulletin of `row`'s period, as of its start, and the ledgers attached to it.
async fn compose(ctx: &Context, row: &Record) -> Result<(Bulletin, Vec<Ledger>), DomainError> {
    let target = &ctx.bulletin;
    let window = record::window_of(row, ctx.timezone);
    record::gather(&ctx.db, &window, record::today_of(&window, target.urgency)).await
}

/// What `run` at `now` would send, writing and sending nothing: the period, whether it was
/// sent, and the bulletin with its ledgers.
pub async fn preview(
    ctx: &Context,
    now: DateTime<Utc>,
) -> Result<(Record, Bulletin, Vec<Ledger>), DomainError> {
    let target = &ctx.bulletin;
    let start = period_start(target.cron.as_ref(), now, ctx.timezone).map_err(internal)?;
    let row = match record::find(&ctx.db, start).await? {
        Some(row) => row,
        None => Record {
            id: 0,
            period_start: start,
            covers_from: record::covers_from(&ctx.db, start).await?,
            status: BulletinStatus::Pending,
            attempts: 0,
            last_error: None,
            claimed_until: None,
            message_id: None,
            recipients: None,
            sent_at: None,
            created_at: now,
        },
    };
    let (content, ledgers) = compose(ctx, &row).await?;
    Ok((row, content, ledgers))
}

fn internal(message: String) -> DomainError {
    DomainError::Database(sea_orm::DbErr::Custom(message))
}
