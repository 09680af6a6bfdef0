//! One reminder run at `now`: plan into the ledger, claim, send one digest per contact, mark.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::{
    DomainError,
    email::{EmailAddress, Mailbox},
    reminder::{DueDateInfo, Policy, plan},
    store::deliveries,
};
use entity::reminder_delivery;
use futures_util::{StreamExt, stream};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::{
    digest::{Digest, DigestLine, Role, message_id},
    mailer::Mailer,
};

/// How long a claim holds before another worker may take the rows over.
const CLAIM_LEASE_MINUTES: i64 = 10;
const CLAIM_BATCH: u64 = 200;

pub struct Context {
    pub db: DatabaseConnection,
    pub mailer: Mailer,
    pub from: Mailbox,
    pub policy: Policy,
    pub timezone: Tz,
    /// Messages in flight at once: the SMTP pool's size.
    pub send_concurrency: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub today: Option<NaiveDate>,
    pub planned: usize,
    pub new_in_ledger: u64,
    pub messages_sent: usize,
    pub deliveries_sent: usize,
    pub deliveries_retrying: usize,
    pub deliveries_failed: usize,
    /// (department, item) pairs with nobody to tell.
    pub uncontacted: Vec<(String, String)>,
    pub day_of_rest: bool,
}

/// A message a run would send, for `--dry-run` and previews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewMessage {
    pub to: String,
    pub cc: Option<String>,
    pub subject: String,
    pub items: Vec<String>,
}

pub fn today_in(timezone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&timezone).date_naive()
}

/// Groups reminders into one digest per contact address and role (lead or cooperating).
fn digests(
    rows: &[(i64, i64, String, i64)],
    infos: &HashMap<i64, DueDateInfo>,
    policy: &Policy,
    today: NaiveDate,
) -> Vec<Digest> {
    let mut by_contact: BTreeMap<(&str, Role), Digest> = BTreeMap::new();
    for (delivery_id, department_id, email, due_date_id) in rows {
        let Some(info) = infos.get(due_date_id) else {
            continue;
        };
        let days_left = (info.due_on - today).num_days();
        let lead = info
            .lead_departments
            .iter()
            .find(|(id, _)| id == department_id);
        let cooperating = info
            .cooperating_departments
            .iter()
            .find(|(id, _)| id == department_id);
        let (role, department) = match (lead, cooperating) {
            (Some((_, name)), _) => (Role::Lead, name.clone()),
            (None, Some((_, name))) => (Role::Cooperating, name.clone()),
            // No longer assigned to the item: `deliver` marks the row skipped.
            (None, None) => continue,
        };
        let digest = by_contact
            .entry((email.as_str(), role))
            .or_insert_with(|| Digest {
                role,
                to: email.clone(),
                department,
                lines: Vec::new(),
                cc: None,
                delivery_ids: Vec::new(),
            });
        digest.delivery_ids.push(*delivery_id);
        if role == Role::Lead && -days_left > i64::from(policy.escalate_after_days) {
            digest.cc.clone_from(&policy.supervisor);
        }
        let line = DigestLine {
            number_text: info.number_text.clone(),
            title: info.title.clone(),
            due_on: info.due_on,
            kind: info.kind,
            label: info.label.clone(),
            days_left,
            other_leads: info
                .lead_departments
                .iter()
                .filter(|(id, _)| id != department_id)
                .map(|(_, name)| name.clone())
                .collect(),
        };
        // A contact of two lead departments of one item hears of it once.
        if !digest.lines.contains(&line) {
            digest.lines.push(line);
        }
    }
    let mut out: Vec<Digest> = by_contact
        .into_values()
        .filter(|d| !d.lines.is_empty())
        .collect();
    for d in &mut out {
        d.sort();
    }
    out
}

/// What a run at `now` would send, writing and sending nothing.
pub async fn preview(
    ctx: &Context,
    now: DateTime<Utc>,
) -> Result<(Vec<PreviewMessage>, RunReport), DomainError> {
    preview_with(&ctx.db, &ctx.policy, ctx.timezone, now).await
}

/// [`preview`] with only what planning needs (the api's `previewReminders` has no mailer).
pub async fn preview_with(
    db: &DatabaseConnection,
    policy: &Policy,
    timezone: Tz,
    now: DateTime<Utc>,
) -> Result<(Vec<PreviewMessage>, RunReport), DomainError> {
    let today = today_in(timezone, now);
    let due = deliveries::due_dates(db, None).await?;
    let contacts = deliveries::contacts(db).await?;
    let outcome = plan(&due, &contacts, policy, today);
    let infos: HashMap<i64, DueDateInfo> = due.into_iter().map(|d| (d.due_date_id, d)).collect();
    let rows: Vec<(i64, i64, String, i64)> = outcome
        .reminders
        .iter()
        .map(|r| (0, r.department_id, r.contact_email.clone(), r.due_date_id))
        .collect();
    let messages = digests(&rows, &infos, policy, today)
        .into_iter()
        .map(|d| PreviewMessage {
            to: d.to.clone(),
            cc: d.cc.as_ref().map(EmailAddress::to_string),
            subject: d.subject(),
            items: d
                .lines
                .iter()
                .map(|l| format!("{}、{}", l.number_text, l.title))
                .collect(),
        })
        .collect();
    let report = RunReport {
        today: Some(today),
        planned: outcome.reminders.len(),
        uncontacted: outcome.uncontacted,
        day_of_rest: outcome.day_of_rest,
        ..RunReport::default()
    };
    Ok((messages, report))
}

/// One run: plan at `now`, then deliver everything deliverable, each reminder once.
pub async fn run(ctx: &Context, now: DateTime<Utc>) -> Result<RunReport, DomainError> {
    let today = today_in(ctx.timezone, now);
    let due = deliveries::due_dates(&ctx.db, None).await?;
    let contacts = deliveries::contacts(&ctx.db).await?;
    let outcome = plan(&due, &contacts, &ctx.policy, today);
    for (department, item) in &outcome.uncontacted {
        tracing::warn!(%department, %item, "a lead department has no active contact: nobody can be reminded; add a contact");
    }
    let mut report = RunReport {
        today: Some(today),
        planned: outcome.reminders.len(),
        new_in_ledger: deliveries::record_planned(&ctx.db, &outcome.reminders, now).await?,
        uncontacted: outcome.uncontacted,
        day_of_rest: outcome.day_of_rest,
        ..RunReport::default()
    };

    loop {
        let claimed = deliveries::claim(
            &ctx.db,
            now,
            Duration::minutes(CLAIM_LEASE_MINUTES),
            CLAIM_BATCH,
        )
        .await?;
        if claimed.is_empty() {
            break;
        }
        deliver(ctx, &claimed, today, now, &mut report).await?;
    }
    tracing::info!(
        %today,
        planned = report.planned,
        new = report.new_in_ledger,
        messages = report.messages_sent,
        sent = report.deliveries_sent,
        retrying = report.deliveries_retrying,
        failed = report.deliveries_failed,
        "reminder run finished"
    );
    Ok(report)
}

async fn deliver(
    ctx: &Context,
    claimed: &[reminder_delivery::Model],
    today: NaiveDate,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), DomainError> {
    let ids: Vec<i64> = claimed.iter().map(|r| r.due_date_id).collect();
    // Claimed rows may belong to due dates that were deactivated since: those are not sent.
    let infos: HashMap<i64, DueDateInfo> = deliveries::due_dates(&ctx.db, Some(&ids))
        .await?
        .into_iter()
        .map(|d| (d.due_date_id, d))
        .collect();
    let rows: Vec<(i64, i64, String, i64)> = claimed
        .iter()
        .map(|r| {
            (
                r.id,
                r.department_id,
                r.contact_email.clone(),
                r.due_date_id,
            )
        })
        .collect();
    let by_id: HashMap<i64, &reminder_delivery::Model> =
        claimed.iter().map(|r| (r.id, r)).collect();
    let to_send = digests(&rows, &infos, &ctx.policy, today);
    // Rows that no digest carries: the due date was deactivated, or the department no longer
    // has a part in the item, since the row was planned.
    let carried: std::collections::HashSet<i64> = to_send
        .iter()
        .flat_map(|d| d.delivery_ids.iter().copied())
        .collect();
    for row in claimed.iter().filter(|r| !carried.contains(&r.id)) {
        let skipped = reminder_delivery::ActiveModel {
            id: Set(row.id),
            status: Set(entity::DeliveryStatus::Skipped),
            last_error: Set(Some("the due date is no longer active, or the department no longer has a part in the item".into())),
            claimed_until: Set(None),
            updated_at: Set(now),
            ..Default::default()
        };
        reminder_delivery::Entity::update(skipped)
            .exec(&ctx.db)
            .await?;
    }

    // Up to `send_concurrency` messages in flight (the SMTP pool's size); each result is
    // recorded as soon as it arrives, so a crash loses as little as possible.
    let sends = to_send.into_iter().map(|digest| {
        let first = digest.delivery_ids.first().copied().unwrap_or_default();
        let id = message_id(first, now, &ctx.from);
        async move {
            let sent = match digest.message(&ctx.from, today, now, &id) {
                Ok(message) => ctx.mailer.send(&message).await,
                Err(e) => Err(e),
            };
            (digest, id, sent)
        }
    });
    let mut results = stream::iter(sends).buffer_unordered(ctx.send_concurrency.max(1));
    while let Some((digest, id, sent)) = results.next().await {
        match sent {
            Ok(()) => {
                deliveries::mark_sent(&ctx.db, &digest.delivery_ids, &id, now).await?;
                report.messages_sent += 1;
                report.deliveries_sent += digest.delivery_ids.len();
            }
            Err(error) => {
                tracing::warn!(to = %digest.to, %error, "reminder not delivered; it stays in the ledger and is retried later");
                let rows_of: Vec<reminder_delivery::Model> = digest
                    .delivery_ids
                    .iter()
                    .filter_map(|id| by_id.get(id).map(|r| (*r).clone()))
                    .collect();
                let failed = deliveries::record_failure(&ctx.db, &rows_of, &error, now).await?;
                report.deliveries_failed += failed;
                report.deliveries_retrying += rows_of.len() - failed;
            }
        }
    }
    Ok(())
}
