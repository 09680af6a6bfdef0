//! A reminder run's reads, shared by the worker and the api's `previewReminders`: today's plan
//! from the database, what claimed delivery rows are about, and what a run would send.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::store::delivery;
use crate::{
    DomainError,
    model::ReminderDelivery,
    reminder::{
        PlanOutcome, Policy,
        digest::{Concern, Digest, Known, Row, digests},
        plan, plan_checkins,
    },
};

/// The date in `timezone` at `now`: the day a run reminds for.
pub fn today_in(timezone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&timezone).date_naive()
}

/// Today's plan (deadline reminders, cooperating digest, monthly check-ins) and what it is
/// about.
pub async fn planned<C: sea_orm::ConnectionTrait>(
    db: &C,
    policy: &Policy,
    today: NaiveDate,
) -> Result<(PlanOutcome, Known), DomainError> {
    let due = delivery::sending::due_dates(db, None).await?;
    let contacts = delivery::sending::contacts(db).await?;
    let mut outcome = plan(&due, &contacts, policy, today);
    let ongoing = if policy.checkin_day.is_some() {
        delivery::sending::ongoing_items(db, None).await?
    } else {
        Vec::new()
    };
    let checkins = plan_checkins(&ongoing, &contacts, policy, today);
    outcome.reminders.extend(checkins.reminders);
    outcome.uncontacted.extend(checkins.uncontacted);
    // What the rows are about, without their history: a run reads that only for the rows it
    // claims (`known_for`), a preview for what it shows.
    Ok((outcome, Known::new(due, ongoing)))
}

/// What earlier reminders left behind: how many went unacknowledged, and which due dates copy
/// the supervisor for it.
async fn with_history<C: sea_orm::ConnectionTrait>(
    db: &C,
    known: Known,
    policy: &Policy,
    today: NaiveDate,
) -> Result<Known, DomainError> {
    let counts =
        delivery::acknowledgements::unacknowledged_counts(db, &known.due_date_ids()).await?;
    with_escalations(db, known.with_unacknowledged_counts(counts), policy, today).await
}

/// With `MINSHENG_ACK_ESCALATE_AFTER_DAYS`: marks the due dates whose overdue reminder nobody
/// acknowledged within that many working days, so that their reminders copy the supervisor.
async fn with_escalations<C: sea_orm::ConnectionTrait>(
    db: &C,
    known: Known,
    policy: &Policy,
    today: NaiveDate,
) -> Result<Known, DomainError> {
    let Some(days) = policy.ack_escalate_after_days else {
        return Ok(known);
    };
    // Sent before the start of the day that many working days ago (in UTC, a day's slack
    // either way is within a run of the daily schedule).
    let sent_by = policy
        .working_days_before(today, days)
        .and_hms_opt(23, 59, 59)
        .map(|t| t.and_utc())
        .unwrap_or_default();
    let pairs = delivery::acknowledgements::unacknowledged_overdue(
        db,
        &known.due_date_ids(),
        today,
        sent_by,
    )
    .await?;
    Ok(known.with_unacknowledged(pairs))
}

/// What claimed delivery rows are about now: rows may be about due dates deactivated since, or
/// items that have a date now (those are in no digest).
pub async fn known_for<C: sea_orm::ConnectionTrait>(
    db: &C,
    claimed: &[ReminderDelivery],
    policy: &Policy,
    today: NaiveDate,
) -> Result<Known, DomainError> {
    let due_ids: Vec<i64> = claimed.iter().filter_map(|r| r.due_date_id).collect();
    let item_ids: Vec<i64> = claimed
        .iter()
        .filter(|r| r.due_date_id.is_none())
        .filter_map(|r| r.item_id)
        .collect();
    let known = Known::new(
        delivery::sending::due_dates(db, Some(&due_ids)).await?,
        if item_ids.is_empty() {
            Vec::new()
        } else {
            delivery::sending::ongoing_items(db, Some(&item_ids)).await?
        },
    );
    with_history(db, known, policy, today).await
}

/// Claimed delivery rows as digests take them.
pub fn rows_of(claimed: &[ReminderDelivery]) -> Vec<Row> {
    claimed
        .iter()
        .filter_map(|r| {
            Some(Row {
                delivery_id: r.id,
                department_id: r.department_id,
                email: r.contact_email.clone(),
                concern: Concern::of(r.due_date_id, r.item_id)?,
            })
        })
        .collect()
}

/// What a reminder run at some instant would send.
#[derive(Clone, Debug)]
pub struct Preview {
    pub today: NaiveDate,
    /// Reminders planned (one per contact, due date and stage).
    pub planned: usize,
    /// One digest per contact and role.
    pub digests: Vec<Digest>,
    /// (department, item) pairs with nobody to tell.
    pub uncontacted: Vec<(String, String)>,
    /// With a holiday calendar: today is a day of rest, nothing would be sent.
    pub day_of_rest: bool,
}

/// What a run at `now` would send, writing and sending nothing.
pub async fn preview<C: sea_orm::ConnectionTrait>(
    db: &C,
    policy: &Policy,
    timezone: Tz,
    now: DateTime<Utc>,
) -> Result<Preview, DomainError> {
    let today = today_in(timezone, now);
    let (outcome, known) = planned(db, policy, today).await?;
    let known = with_history(db, known, policy, today).await?;
    let rows: Vec<Row> = outcome
        .reminders
        .iter()
        .map(|r| Row {
            delivery_id: 0,
            department_id: r.department_id,
            email: r.contact_email.clone(),
            concern: match r.due_date_id {
                Some(id) => Concern::DueDate(id),
                None => Concern::CheckIn(r.item_id),
            },
        })
        .collect();
    Ok(Preview {
        today,
        planned: outcome.reminders.len(),
        digests: digests(&rows, &known, policy, today),
        uncontacted: outcome.uncontacted,
        day_of_rest: outcome.day_of_rest,
    })
}
