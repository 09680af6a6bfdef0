//! One reminder run at `now`: plan into the ledger, claim, send one digest per contact, mark.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::{
    DomainError,
    email::{EmailAddress, Mailbox},
    reminder::{DueDateInfo, OngoingItemInfo, PlanOutcome, Policy, plan, plan_checkins},
    store::deliveries,
};
use entity::reminder_delivery;
use futures_util::{StreamExt, stream};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};

use crate::{
    digest::{Digest, DigestLine, Role, message_id},
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

/// What a ledger row reminds of: a due date, or (a monthly check-in) an item that is only
/// ongoing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Subject {
    DueDate(i64),
    CheckIn(i64),
}

impl Subject {
    fn of(due_date_id: Option<i64>, item_id: Option<i64>) -> Option<Self> {
        match (due_date_id, item_id) {
            (Some(id), _) => Some(Self::DueDate(id)),
            (None, Some(item)) => Some(Self::CheckIn(item)),
            (None, None) => None,
        }
    }
}

/// A ledger row (or, in a preview, a planned one) to put in a digest.
struct Row {
    delivery_id: i64,
    department_id: i64,
    email: String,
    subject: Subject,
}

/// What the rows are about, as the database has it now.
#[derive(Default)]
struct Known {
    due_dates: HashMap<i64, DueDateInfo>,
    ongoing: HashMap<i64, OngoingItemInfo>,
}

impl Known {
    fn new(due: Vec<DueDateInfo>, ongoing: Vec<OngoingItemInfo>) -> Self {
        Self {
            due_dates: due.into_iter().map(|d| (d.due_date_id, d)).collect(),
            ongoing: ongoing.into_iter().map(|i| (i.item_id, i)).collect(),
        }
    }
}

fn name_in(departments: &[(i64, String)], department_id: i64) -> Option<String> {
    departments
        .iter()
        .find(|(id, _)| *id == department_id)
        .map(|(_, name)| name.clone())
}

fn others(departments: &[(i64, String)], department_id: i64) -> Vec<String> {
    departments
        .iter()
        .filter(|(id, _)| *id != department_id)
        .map(|(_, name)| name.clone())
        .collect()
}

/// Groups reminders into one digest per contact address and role (lead, cooperating, or the
/// monthly check-in).
fn digests(rows: &[Row], known: &Known, policy: &Policy, today: NaiveDate) -> Vec<Digest> {
    let mut by_contact: BTreeMap<(&str, Role), Digest> = BTreeMap::new();
    for row in rows {
        let (role, department, line) = match row.subject {
            Subject::DueDate(id) => {
                let Some(info) = known.due_dates.get(&id) else {
                    continue;
                };
                let lead = name_in(&info.lead_departments, row.department_id);
                let cooperating = name_in(&info.cooperating_departments, row.department_id);
                let (role, department) = match (lead, cooperating) {
                    (Some(name), _) => (Role::Lead, name),
                    (None, Some(name)) => (Role::Cooperating, name),
                    // No longer assigned to the item: `deliver` marks the row skipped.
                    (None, None) => continue,
                };
                let line = DigestLine {
                    number_text: info.number_text.clone(),
                    title: info.title.clone(),
                    due_on: Some(info.due_on),
                    kind: info.kind,
                    label: info.label.clone(),
                    days_left: (info.due_on - today).num_days(),
                    other_leads: others(&info.lead_departments, row.department_id),
                };
                (role, department, line)
            }
            Subject::CheckIn(item_id) => {
                let Some(item) = known.ongoing.get(&item_id) else {
                    continue;
                };
                let Some(department) = name_in(&item.lead_departments, row.department_id) else {
                    continue;
                };
                let line = DigestLine {
                    number_text: item.number_text.clone(),
                    title: item.title.clone(),
                    due_on: None,
                    kind: domain::model::DueKind::Final,
                    label: None,
                    days_left: 0,
                    other_leads: others(&item.lead_departments, row.department_id),
                };
                (Role::CheckIn, department, line)
            }
        };
        let digest = by_contact
            .entry((row.email.as_str(), role))
            .or_insert_with(|| Digest {
                role,
                to: row.email.clone(),
                department,
                lines: Vec::new(),
                cc: None,
                delivery_ids: Vec::new(),
            });
        digest.delivery_ids.push(row.delivery_id);
        if role == Role::Lead && -line.days_left > i64::from(policy.escalate_after_days) {
            digest.cc.clone_from(&policy.supervisor);
        }
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

/// Today's plan (deadline reminders, cooperating digest, monthly check-ins) and what it is
/// about.
async fn planned(
    db: &DatabaseConnection,
    policy: &Policy,
    today: NaiveDate,
) -> Result<(PlanOutcome, Known), DomainError> {
    let due = deliveries::due_dates(db, None).await?;
    let contacts = deliveries::contacts(db).await?;
    let mut outcome = plan(&due, &contacts, policy, today);
    let ongoing = if policy.checkin_day.is_some() {
        deliveries::ongoing_items(db, None).await?
    } else {
        Vec::new()
    };
    let checkins = plan_checkins(&ongoing, &contacts, policy, today);
    outcome.reminders.extend(checkins.reminders);
    outcome.uncontacted.extend(checkins.uncontacted);
    Ok((outcome, Known::new(due, ongoing)))
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
    let (outcome, known) = planned(db, policy, today).await?;
    let rows: Vec<Row> = outcome
        .reminders
        .iter()
        .map(|r| Row {
            delivery_id: 0,
            department_id: r.department_id,
            email: r.contact_email.clone(),
            subject: match r.due_date_id {
                Some(id) => Subject::DueDate(id),
                None => Subject::CheckIn(r.item_id),
            },
        })
        .collect();
    let messages = digests(&rows, &known, policy, today)
        .into_iter()
        .map(|d| {
            Ok(PreviewMessage {
                to: d.to.clone(),
                cc: d.cc.as_ref().map(EmailAddress::to_string),
                subject: d
                    .subject()
                    .map_err(|e| DomainError::Database(sea_orm::DbErr::Custom(e)))?,
                items: d
                    .lines
                    .iter()
                    .map(|l| format!("{}、{}", l.number_text, l.title))
                    .collect(),
            })
        })
        .collect::<Result<_, DomainError>>()?;
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
    let (outcome, _) = planned(&ctx.db, &ctx.policy, today).await?;
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
            CLAIM_CONTACTS,
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
    // Claimed rows may be about due dates deactivated since, or items that have a date now:
    // those are not sent.
    let due_ids: Vec<i64> = claimed.iter().filter_map(|r| r.due_date_id).collect();
    let item_ids: Vec<i64> = claimed
        .iter()
        .filter(|r| r.due_date_id.is_none())
        .filter_map(|r| r.item_id)
        .collect();
    let known = Known::new(
        deliveries::due_dates(&ctx.db, Some(&due_ids)).await?,
        if item_ids.is_empty() {
            Vec::new()
        } else {
            deliveries::ongoing_items(&ctx.db, Some(&item_ids)).await?
        },
    );
    let rows: Vec<Row> = claimed
        .iter()
        .filter_map(|r| {
            Some(Row {
                delivery_id: r.id,
                department_id: r.department_id,
                email: r.contact_email.clone(),
                subject: Subject::of(r.due_date_id, r.item_id)?,
            })
        })
        .collect();
    let by_id: HashMap<i64, &reminder_delivery::Model> =
        claimed.iter().map(|r| (r.id, r)).collect();
    let to_send = digests(&rows, &known, &ctx.policy, today);
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
                // An address or sender lettre refuses: no retry can build this message.
                Err(e) => Err(SendError::permanent(e)),
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
                let rows_of: Vec<reminder_delivery::Model> = digest
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
                        "reminder not delivered; it stays in the ledger and is retried later"
                    );
                }
                let failed = deliveries::record_failure(
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
    Ok(())
}
