//! One reminder run at `now`: plan into the deliveries table, claim, send one digest per contact, mark.
//! What to send is decided in `domain` (the plan, the digests); this is the claim / send / mark
//! loop around the mailer.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::{
    DomainError, acknowledgement,
    config::{Secret, SupervisionSettings},
    email::Mailbox,
    model::ReminderDelivery,
    reminder::{
        Policy,
        digest::{PreviewMessage, digests},
    },
    store::delivery,
};
use futures_util::{StreamExt, stream};
use sea_orm::DatabaseConnection;

use crate::{
    digest::{Email, Footer, message_id},
    mailer::{Mailer, SendError},
};

/// How long a claim holds before another worker may take the rows over.
const CLAIM_LEASE_MINUTES: i64 = 10;
/// Contacts claimed at once: each with all its rows, so that it gets one digest per role.
const CLAIM_CONTACTS: u64 = 50;

pub struct Context {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub policy: Policy,
    pub timezone: Tz,
    /// Messages in flight at once: the SMTP pool's size.
    pub send_concurrency: usize,
    /// Where acknowledgement links point and the key that signs them; `None`: no links.
    pub ack_links: Option<AckLinks>,
    /// Who gets the periodic bulletin, and when.
    pub bulletin: crate::jobs::send_bulletin::BulletinTarget,
    /// The desk link and the office's contact line every reminder ends with.
    pub footer: FooterSettings,
    /// Where mailed password links point and how long they work.
    pub password_links: crate::password_mail::LinkSettings,
}

/// What every reminder ends with, from the settings.
#[derive(Clone, Debug, Default)]
pub struct FooterSettings {
    /// `{MINSHENG_PUBLIC_URL}/#/desk`, when the public address is set.
    pub desk_url: Option<String>,
    pub office_contact: Option<String>,
}

impl FooterSettings {
    pub fn from_settings(settings: &domain::Settings) -> Self {
        Self {
            desk_url: settings
                .supervision
                .public_url
                .as_ref()
                .map(|url| format!("{}/#/desk", url.as_str().trim_end_matches('/'))),
            office_contact: settings.reminders.office_contact.clone(),
        }
    }

    /// As an email's footer, without a 签收 link.
    pub fn borrowed(&self) -> Footer<'_> {
        Footer {
            ack_url: None,
            desk_url: self.desk_url.as_deref(),
            office_contact: self.office_contact.as_deref(),
        }
    }
}

/// The 签收 link of each reminder: `{public_url}/ack/{token}`.
#[derive(Clone, Debug)]
pub struct AckLinks {
    base: String,
    key: Secret,
}

impl AckLinks {
    /// Links when both `MINSHENG_PUBLIC_URL` and `MINSHENG_SIGNING_KEY` are set.
    pub fn from_settings(settings: &SupervisionSettings) -> Option<Self> {
        Some(Self {
            base: settings
                .public_url
                .as_ref()?
                .as_str()
                .trim_end_matches('/')
                .to_owned(),
            key: settings.signing_key.clone()?,
        })
    }

    /// The link that acknowledges `message_id`, in an email sent at `sent_at`.
    pub fn url(&self, message_id: &str, sent_at: DateTime<Utc>) -> String {
        let token = acknowledgement::sign(self.key.expose().as_bytes(), message_id, sent_at);
        format!("{}/ack/{token}", self.base)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub today: Option<NaiveDate>,
    pub planned: usize,
    pub new_deliveries: u64,
    pub messages_sent: usize,
    pub deliveries_sent: usize,
    pub deliveries_retrying: usize,
    pub deliveries_failed: usize,
    /// Supervision notices (extension requests, decisions, items sent back) sent this run.
    pub notices_sent: usize,
    /// Password links mailed this run (invitations and resets asked for by administrators).
    pub password_mails_sent: usize,
    /// (department, item) pairs with nobody to tell.
    pub uncontacted: Vec<(String, String)>,
    pub day_of_rest: bool,
    /// A pending bulletin this run tried to send.
    pub bulletin: Option<crate::jobs::send_bulletin::Outcome>,
}

/// What a run at `now` would send, writing and sending nothing.
pub async fn preview(
    ctx: &Context,
    now: DateTime<Utc>,
) -> Result<(Vec<PreviewMessage>, RunReport), DomainError> {
    let preview = delivery::reminders::preview(&ctx.db, &ctx.policy, ctx.timezone, now).await?;
    let messages = preview
        .digests
        .iter()
        .map(|d| {
            d.preview()
                .map_err(|e| DomainError::Database(sea_orm::DbErr::Custom(e)))
        })
        .collect::<Result<_, DomainError>>()?;
    let report = RunReport {
        today: Some(preview.today),
        planned: preview.planned,
        uncontacted: preview.uncontacted,
        day_of_rest: preview.day_of_rest,
        ..RunReport::default()
    };
    Ok((messages, report))
}

/// One run: plan at `now`, then deliver everything deliverable, each reminder once.
pub async fn run(ctx: &Context, now: DateTime<Utc>) -> Result<RunReport, DomainError> {
    let today = delivery::reminders::today_in(ctx.timezone, now);
    let (outcome, _) = delivery::reminders::planned(&ctx.db, &ctx.policy, today).await?;
    for (department, item) in &outcome.uncontacted {
        tracing::warn!(%department, %item, "a lead department has no active contact: nobody can be reminded; add a contact");
    }
    let mut report = RunReport {
        today: Some(today),
        planned: outcome.reminders.len(),
        new_deliveries: delivery::sending::record_planned(&ctx.db, &outcome.reminders, now).await?,
        uncontacted: outcome.uncontacted,
        day_of_rest: outcome.day_of_rest,
        ..RunReport::default()
    };

    loop {
        let claimed = delivery::sending::claim(
            &ctx.db,
            now,
            Duration::minutes(CLAIM_LEASE_MINUTES),
            CLAIM_CONTACTS,
        )
        .await?;
        if claimed.is_empty() {
            break;
        }
        deliver(ctx, &claimed, today, now, &mut report).await?;
    }
    crate::notices::deliver(ctx, now, &mut report).await?;
    report.password_mails_sent = crate::password_mail::deliver(ctx).await?;
    // A bulletin that could not be sent at its tick is retried here, as notices are.
    report.bulletin = crate::jobs::send_bulletin::deliver_pending(ctx, now).await?;
    tracing::info!(
        %today,
        planned = report.planned,
        new = report.new_deliveries,
        messages = report.messages_sent,
        sent = report.deliveries_sent,
        retrying = report.deliveries_retrying,
        failed = report.deliveries_failed,
        notices = report.notices_sent,
        "reminder run finished"
    );
    Ok(report)
}

async fn deliver(
    ctx: &Context,
    claimed: &[ReminderDelivery],
    today: NaiveDate,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), DomainError> {
    let known = delivery::reminders::known_for(&ctx.db, claimed, &ctx.policy, today).await?;
    let rows = delivery::reminders::rows_of(claimed);
    let by_id: HashMap<i64, &ReminderDelivery> = claimed.iter().map(|r| (r.id, r)).collect();
    let to_send = digests(&rows, &known, &ctx.policy, today);
    // Rows that no digest carries: the due date was deactivated, or the department no longer
    // has a part in the item, since the row was planned.
    let carried: HashSet<i64> = to_send
        .iter()
        .flat_map(|d| d.delivery_ids.iter().copied())
        .collect();
    let skipped: Vec<i64> = claimed
        .iter()
        .map(|r| r.id)
        .filter(|id| !carried.contains(id))
        .collect();
    delivery::sending::mark_skipped(
        &ctx.db,
        &skipped,
        "the due date is no longer active, or the department no longer has a part in the item",
        now,
    )
    .await?;

    // Up to `send_concurrency` messages in flight (the SMTP pool's size); each result is
    // recorded as soon as it arrives, so a crash loses as little as possible.
    // A message tried before keeps its Message-ID: a worker killed after the server took it
    // but before the row was marked sends it again on retry, and the recipient's mail system
    // can drop the second as the same message. The id is on the rows before the send.
    let mut ids = Vec::with_capacity(to_send.len());
    for digest in &to_send {
        let tried: HashSet<&str> = digest
            .delivery_ids
            .iter()
            .map(|id| by_id.get(id).and_then(|r| r.message_id.as_deref()))
            .collect::<Option<_>>()
            .unwrap_or_default();
        let id = match tried.iter().next() {
            Some(id) if tried.len() == 1 => (*id).to_owned(),
            _ => {
                let first = digest.delivery_ids.first().copied().unwrap_or_default();
                let id = message_id(first, now, &ctx.from);
                delivery::sending::assign_message_id(&ctx.db, &digest.delivery_ids, &id, now)
                    .await?;
                id
            }
        };
        ids.push(id);
    }
    let sends = to_send.into_iter().zip(ids).map(|(digest, id)| {
        // The link's 30 days count from when the email leaves, not from the run's `now`: a
        // catch-up run, or `run-once --now` in the past, must not send links dead on arrival.
        let sent_at = now.max(Utc::now());
        let ack_url = ctx.ack_links.as_ref().map(|links| links.url(&id, sent_at));
        async move {
            // The department's copy goes to its contact alone: the copy for the office (Cc)
            // is a message of its own, so that the office's server cannot fail the contact's,
            // and it carries no 签收 link (a click there would acknowledge for the department).
            let footer = Footer {
                ack_url: ack_url.as_deref(),
                ..ctx.footer.borrowed()
            };
            let sent = match digest.message(&ctx.from, today, now, &id, &footer) {
                Ok(message) => match digest.to.parse::<lettre::Address>() {
                    Ok(contact) => ctx.mailer.send_to(&message, &contact).await,
                    Err(e) => Err(SendError::permanent(format!("contact address: {e}"))),
                },
                // An address or sender lettre refuses: no retry can build this message.
                Err(e) => Err(SendError::permanent(e)),
            };
            (digest, id, sent)
        }
    });
    let mut results = stream::iter(sends).buffer_unordered(ctx.send_concurrency.max(1));
    // The office's copies of what was delivered, sent once the departments' are: through the
    // same pooled connections, never more at once than the pool holds.
    let mut copies = Vec::new();
    while let Some((digest, id, sent)) = results.next().await {
        match sent {
            Ok(()) => {
                delivery::sending::mark_sent(&ctx.db, &digest.delivery_ids, &id, now).await?;
                report.messages_sent += 1;
                report.deliveries_sent += digest.delivery_ids.len();
                if digest.cc.is_some() {
                    copies.push((digest, id));
                }
            }
            Err(error) => {
                let rows_of: Vec<ReminderDelivery> = digest
                    .delivery_ids
                    .iter()
                    .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
                    .collect();
                // Contacts by id and department, never by address: logs travel further than
                // the directory.
                let contact_id = rows_of.first().and_then(|r| r.contact_id);
                let department_id = rows_of.first().map(|r| r.department_id);
                // Servers name the address they refuse; the log says which contact instead.
                let logged = error.message.replace(&digest.to, "<the contact's address>");
                if error.permanent {
                    tracing::error!(
                        ?contact_id, ?department_id, deliveries = rows_of.len(), error = %logged,
                        "reminder refused for good (the address or the message); marked failed, not retried: correct the contact"
                    );
                } else {
                    tracing::warn!(
                        ?contact_id, ?department_id, deliveries = rows_of.len(), error = %logged,
                        "reminder not delivered; its delivery row stays pending and is retried later"
                    );
                }
                let failed = delivery::sending::record_failure(
                    &ctx.db,
                    &rows_of,
                    &error.message,
                    error.permanent,
                    now,
                )
                .await?;
                report.deliveries_failed += failed;
                report.deliveries_retrying += rows_of.len() - failed;
            }
        }
    }
    drop(results);
    stream::iter(copies)
        .for_each_concurrent(ctx.send_concurrency.max(1), |(digest, id)| async move {
            copy_the_office(ctx, &digest, today, now, &id).await;
        })
        .await;
    Ok(())
}

/// Sends the supervisor's copy of a reminder (`digest.cc`), without the 签收 link. A refusal
/// is the office's address's, logged as such; the department's delivery stands.
async fn copy_the_office(
    ctx: &Context,
    digest: &domain::reminder::digest::Digest,
    today: NaiveDate,
    now: DateTime<Utc>,
    id: &str,
) {
    let Some(cc) = &digest.cc else { return };
    let sent = match (
        digest.message(&ctx.from, today, now, id, &ctx.footer.borrowed()),
        cc.as_str().parse::<lettre::Address>(),
    ) {
        (Ok(message), Ok(office)) => ctx.mailer.send_to(&message, &office).await,
        (Err(e), _) => Err(SendError::permanent(e)),
        (_, Err(e)) => Err(SendError::permanent(e.to_string())),
    };
    if let Err(error) = sent {
        let reason = error
            .message
            .replace(cc.as_str(), "<the supervisor's address>");
        tracing::error!(
            error = %reason,
            permanent = error.permanent,
            "the supervisor's copy of a reminder was not delivered (MINSHENG_SUPERVISOR_EMAIL); the department's was"
        );
    }
}
