//! The reminder ledger: plan (insert or ignore), claim, mark sent or retry.
//!
//! The unique key `(due_date_id, due_date_version, department_id, contact_email, stage)` makes a
//! reminder exist once whatever number of workers plan it; a monthly check-in, which names an
//! item instead of a due date, has `(item_id, department_id, contact_email, stage)`. Claiming flips `pending` rows to
//! `sending` in one UPDATE … RETURNING (PostgreSQL with `FOR UPDATE SKIP LOCKED`, so concurrent
//! workers take disjoint rows; SQLite has one writer). A claim carries an expiry: the rows of a
//! worker that died mid-send become claimable again. The one gap left is a crash after the SMTP
//! server accepted a message and before it was marked sent: that reminder goes out again.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveEnum,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement,
    TransactionSession, TransactionTrait,
    sea_query::{Expr, OnConflict, Query},
};

use crate::{
    DomainError,
    model::ReminderDelivery,
    reminder::{ContactInfo, DueDateInfo, OngoingItemInfo, PlannedReminder},
};
use entity::{
    DeliveryStatus, DepartmentRole, ItemStatus, department_contact, item, item_department,
    item_due_date, reminder_delivery,
};

/// Attempts before a delivery is given up as `failed`.
pub const MAX_ATTEMPTS: i32 = 8;

/// Active due dates of open items (or only those with the given ids), with their lead and
/// cooperating departments in printed order.
pub async fn due_dates<C: ConnectionTrait>(
    db: &C,
    only: Option<&[i64]>,
) -> Result<Vec<DueDateInfo>, DomainError> {
    let mut query = item_due_date::Entity::find().filter(crate::store::active_due_date());
    if let Some(ids) = only {
        query = query.filter(item_due_date::Column::Id.is_in(ids.iter().copied()));
    }
    let dates = query.all(db).await?;
    let pending = crate::store::item::extension::pending_for(db, only).await?;
    let item_ids: BTreeSet<i64> = dates.iter().map(|d| d.item_id).collect();
    let items: HashMap<i64, item::Model> = item::Entity::find()
        .filter(item::Column::Id.is_in(item_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let names = crate::store::department::names(db).await?;
    let mut roles: HashMap<(i64, DepartmentRole), Vec<(i32, i64)>> = HashMap::new();
    for role in item_department::Entity::find()
        .filter(item_department::Column::ItemId.is_in(item_ids.iter().copied()))
        .all(db)
        .await?
    {
        roles
            .entry((role.item_id, role.role))
            .or_default()
            .push((role.position, role.department_id));
    }
    let named = |item_id: i64, role: DepartmentRole| -> Vec<(i64, String)> {
        let mut in_order = roles.get(&(item_id, role)).cloned().unwrap_or_default();
        in_order.sort_unstable();
        in_order
            .into_iter()
            .map(|(_, id)| (id, names.get(&id).cloned().unwrap_or_default()))
            .collect()
    };

    // An archived list's items are reminded of no more (a claimed row, `only`, is still told).
    let archived: BTreeSet<i64> = if only.is_none() {
        crate::store::lists::archived_ids(db)
            .await?
            .into_iter()
            .collect()
    } else {
        BTreeSet::new()
    };
    let mut out = Vec::with_capacity(dates.len());
    for date in dates {
        let Some(item) = items.get(&date.item_id) else {
            continue;
        };
        if only.is_none()
            && (crate::reminder::quiet(item.status) || archived.contains(&item.list_id))
        {
            continue;
        }
        out.push(DueDateInfo {
            due_date_id: date.id,
            version: date.version,
            item_id: item.id,
            number_text: item.number_text.clone(),
            title: item.title.clone(),
            content: item.content.clone(),
            status: item.status,
            due_on: date.due_on,
            kind: date.kind,
            label: date.label.clone(),
            lead_departments: named(item.id, DepartmentRole::Lead),
            cooperating_departments: named(item.id, DepartmentRole::Cooperating),
            extension_pending: pending.contains(&date.id),
        });
    }
    out.sort_by_key(|d| (d.due_on, d.item_id, d.due_date_id));
    Ok(out)
}

/// Items that are only ongoing (长期坚持 with no active due date) and still open (or, with
/// `only`, those items whatever their state), with their lead departments in printed order.
pub async fn ongoing_items<C: ConnectionTrait>(
    db: &C,
    only: Option<&[i64]>,
) -> Result<Vec<OngoingItemInfo>, DomainError> {
    let dated = Query::select()
        .column(item_due_date::Column::ItemId)
        .from(item_due_date::Entity)
        .and_where(crate::store::active_due_date())
        .to_owned();
    let mut query = item::Entity::find().filter(item::Column::Id.not_in_subquery(dated));
    query = match only {
        Some(ids) => query.filter(item::Column::Id.is_in(ids.iter().copied())),
        None => {
            let archived = crate::store::lists::archived_ids(db).await?;
            query
                .filter(item::Column::ListId.is_not_in(archived))
                .filter(item::Column::Ongoing.eq(true))
                .filter(item::Column::Status.is_not_in([
                    ItemStatus::Done,
                    ItemStatus::Closed,
                    ItemStatus::CompletionReported,
                ]))
        }
    };
    let items = query.all(db).await?;
    let names = crate::store::department::names(db).await?;
    let mut leads: HashMap<i64, Vec<(i32, i64)>> = HashMap::new();
    for role in item_department::Entity::find()
        .filter(item_department::Column::ItemId.is_in(items.iter().map(|i| i.id)))
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .all(db)
        .await?
    {
        leads
            .entry(role.item_id)
            .or_default()
            .push((role.position, role.department_id));
    }
    let mut out: Vec<OngoingItemInfo> = items
        .into_iter()
        .map(|item| {
            let mut in_order = leads.remove(&item.id).unwrap_or_default();
            in_order.sort_unstable();
            OngoingItemInfo {
                item_id: item.id,
                number_text: item.number_text,
                title: item.title,
                content: item.content,
                status: item.status,
                lead_departments: in_order
                    .into_iter()
                    .map(|(_, id)| (id, names.get(&id).cloned().unwrap_or_default()))
                    .collect(),
            }
        })
        .collect();
    out.sort_by_key(|i| i.item_id);
    Ok(out)
}

/// Every active contact.
pub async fn contacts<C: ConnectionTrait>(db: &C) -> Result<Vec<ContactInfo>, DomainError> {
    Ok(department_contact::Entity::find()
        .filter(department_contact::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|c| ContactInfo {
            id: c.id,
            department_id: c.department_id,
            email: c.email,
        })
        .collect())
}

/// Writes planned reminders into the ledger, ignoring those already there; older stages of the
/// same due date still pending for the same contact are skipped (catch-up sends the latest
/// only). Returns how many rows were new.
pub async fn record_planned<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    planned: &[PlannedReminder],
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    if planned.is_empty() {
        return Ok(0);
    }
    let txn = crate::db::begin_write(db).await?;
    let mut inserted = 0;
    // Reminders of due dates and check-ins of items have a once-only key each.
    let (of_due_dates, checkins): (Vec<&PlannedReminder>, Vec<&PlannedReminder>) =
        planned.iter().partition(|p| p.due_date_id.is_some());
    let keys = [
        (
            of_due_dates,
            [
                reminder_delivery::Column::DueDateId,
                reminder_delivery::Column::DueDateVersion,
                reminder_delivery::Column::DepartmentId,
                reminder_delivery::Column::ContactEmail,
                reminder_delivery::Column::Stage,
            ]
            .as_slice(),
        ),
        (
            checkins,
            [
                reminder_delivery::Column::ItemId,
                reminder_delivery::Column::DepartmentId,
                reminder_delivery::Column::ContactEmail,
                reminder_delivery::Column::Stage,
            ]
            .as_slice(),
        ),
    ];
    for (rows, key) in &keys {
        for chunk in rows.chunks(100) {
            let models = chunk.iter().map(|p| reminder_delivery::ActiveModel {
                due_date_id: Set(p.due_date_id),
                item_id: Set(p.due_date_id.is_none().then_some(p.item_id)),
                due_date_version: Set(p.due_date_version),
                department_id: Set(p.department_id),
                contact_id: Set(Some(p.contact_id)),
                contact_email: Set(p.contact_email.clone()),
                stage: Set(p.stage.key()),
                planned_for: Set(p.planned_for),
                status: Set(DeliveryStatus::Pending),
                attempts: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            });
            inserted += reminder_delivery::Entity::insert_many(models)
                .on_conflict(
                    OnConflict::columns(key.iter().copied())
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
        }
    }
    for p in planned {
        let mut older = reminder_delivery::Entity::update_many()
            .col_expr(
                reminder_delivery::Column::Status,
                Expr::value(DeliveryStatus::Skipped),
            )
            .col_expr(
                reminder_delivery::Column::LastError,
                Expr::value(format!("superseded by {}", p.stage.key())),
            )
            .col_expr(reminder_delivery::Column::UpdatedAt, Expr::value(now));
        older = match p.due_date_id {
            Some(due_date_id) => older
                .filter(reminder_delivery::Column::DueDateId.eq(due_date_id))
                .filter(reminder_delivery::Column::DueDateVersion.eq(p.due_date_version)),
            None => older.filter(reminder_delivery::Column::ItemId.eq(p.item_id)),
        };
        older
            .filter(reminder_delivery::Column::DepartmentId.eq(p.department_id))
            .filter(reminder_delivery::Column::ContactEmail.eq(p.contact_email.as_str()))
            .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .filter(reminder_delivery::Column::Stage.ne(p.stage.key()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(inserted)
}

/// Claims, for `lease`, every deliverable row of up to `contacts` contact addresses: pending
/// rows whose retry time has come, and `sending` ones whose claim expired. A contact's rows are
/// claimed together, so one run sends each contact one digest per role however many reminders
/// it has. Each claim counts as an attempt.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease: Duration,
    contacts: u64,
) -> Result<Vec<ReminderDelivery>, DomainError> {
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres {
        "FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let p = |n: usize| {
        if backend == DbBackend::Postgres {
            format!("${n}")
        } else {
            "?".to_owned()
        }
    };
    // The statuses as the enum stores them, so that the SQL cannot drift from it.
    let pending = DeliveryStatus::Pending.to_value();
    let sending = DeliveryStatus::Sending.to_value();
    let deliverable = |a: usize, b: usize| {
        format!(
            "((status = '{pending}' AND (next_attempt_at IS NULL OR next_attempt_at <= {})) \
              OR (status = '{sending}' AND claimed_until < {}))",
            p(a),
            p(b)
        )
    };
    let sql = format!(
        "UPDATE reminder_delivery SET status = '{sending}', claimed_until = {p1}, attempts = attempts + 1, updated_at = {p2} \
         WHERE id IN (SELECT id FROM reminder_delivery \
           WHERE {rows} AND contact_email IN (SELECT contact_email FROM reminder_delivery \
             WHERE {first} GROUP BY contact_email ORDER BY min(id) LIMIT {contacts}) \
           ORDER BY id {lock}) \
         RETURNING *",
        p1 = p(1),
        p2 = p(2),
        rows = deliverable(3, 4),
        first = deliverable(5, 6),
    );
    let values = [
        (now + lease).into(),
        now.into(),
        now.into(),
        now.into(),
        now.into(),
        now.into(),
    ];
    let mut rows = reminder_delivery::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?;
    rows.sort_by_key(|r| r.id);
    Ok(rows.into_iter().map(ReminderDelivery::from).collect())
}

/// Gives claimed rows the Message-ID of the message about to carry them, before it is sent:
/// a retry of the same rows sends the same id.
pub async fn assign_message_id<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    reminder_delivery::Entity::update_many()
        .col_expr(
            reminder_delivery::Column::MessageId,
            Expr::value(message_id),
        )
        .col_expr(reminder_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(reminder_delivery::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks delivered rows `sent` with the message's id.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    reminder_delivery::Entity::update_many()
        .col_expr(
            reminder_delivery::Column::Status,
            Expr::value(DeliveryStatus::Sent),
        )
        .col_expr(reminder_delivery::Column::SentAt, Expr::value(now))
        .col_expr(
            reminder_delivery::Column::MessageId,
            Expr::value(message_id),
        )
        .col_expr(
            reminder_delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            reminder_delivery::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(reminder_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(reminder_delivery::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Marks rows `skipped` with `reason`: planned, but nothing to send any more (the due date is
/// no longer active, or the department no longer has a part in the item).
pub async fn mark_skipped<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if ids.is_empty() {
        return Ok(());
    }
    reminder_delivery::Entity::update_many()
        .col_expr(
            reminder_delivery::Column::Status,
            Expr::value(DeliveryStatus::Skipped),
        )
        .col_expr(reminder_delivery::Column::LastError, Expr::value(reason))
        .col_expr(
            reminder_delivery::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(reminder_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(reminder_delivery::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed send: back to `pending` with a later retry time, or `failed` after
/// [`MAX_ATTEMPTS`], or at once when the failure is `permanent` (the server refused the
/// address, or the message cannot be built): retrying would only fail again. Returns how many
/// rows were given up.
pub async fn record_failure<C: ConnectionTrait>(
    db: &C,
    rows: &[ReminderDelivery],
    error: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<usize, DomainError> {
    let mut given_up = 0;
    for row in rows {
        let exhausted = permanent || row.attempts >= MAX_ATTEMPTS;
        given_up += usize::from(exhausted);
        let active = reminder_delivery::ActiveModel {
            id: Set(row.id),
            status: Set(if exhausted {
                DeliveryStatus::Failed
            } else {
                DeliveryStatus::Pending
            }),
            last_error: Set(Some(error.chars().take(2000).collect())),
            next_attempt_at: Set((!exhausted).then(|| now + backoff(row.attempts))),
            claimed_until: Set(None),
            updated_at: Set(now),
            ..Default::default()
        };
        reminder_delivery::Entity::update(active).exec(db).await?;
    }
    Ok(given_up)
}

/// 5 minutes after the first attempt, doubling, at most 6 hours.
/// A reminder that went out, by item (the due date's or the check-in's).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReminder {
    pub item_id: i64,
    pub department_id: i64,
    pub sent_at: DateTime<Utc>,
    pub acknowledged: bool,
}

/// The reminders sent about the items of list `list_id` (of every list when `None`): the
/// ledger's reports count them without reading other lists' rows.
pub async fn sent_on_items<C: ConnectionTrait>(
    db: &C,
    list_id: Option<i64>,
) -> Result<Vec<SentReminder>, DomainError> {
    use sea_orm::{
        QuerySelect,
        sea_query::{ExprTrait, SimpleExpr},
    };
    type Row = (i64, i64, Option<DateTime<Utc>>, Option<DateTime<Utc>>);
    let of_list = |column: SimpleExpr| match list_id {
        Some(list_id) => column.in_subquery(
            Query::select()
                .column(item::Column::Id)
                .from(item::Entity)
                .and_where(item::Column::ListId.eq(list_id))
                .to_owned(),
        ),
        None => Expr::value(true),
    };
    let reminders: Vec<Row> = reminder_delivery::Entity::find()
        .select_only()
        .column(item_due_date::Column::ItemId)
        .column(reminder_delivery::Column::DepartmentId)
        .column(reminder_delivery::Column::SentAt)
        .column(reminder_delivery::Column::AcknowledgedAt)
        .inner_join(item_due_date::Entity)
        .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Sent))
        .filter(of_list(Expr::col((
            item_due_date::Entity,
            item_due_date::Column::ItemId,
        ))))
        .into_tuple()
        .all(db)
        .await?;
    let checkins: Vec<Row> = reminder_delivery::Entity::find()
        .select_only()
        .column(reminder_delivery::Column::ItemId)
        .column(reminder_delivery::Column::DepartmentId)
        .column(reminder_delivery::Column::SentAt)
        .column(reminder_delivery::Column::AcknowledgedAt)
        .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Sent))
        .filter(reminder_delivery::Column::ItemId.is_not_null())
        .filter(of_list(Expr::col((
            reminder_delivery::Entity,
            reminder_delivery::Column::ItemId,
        ))))
        .into_tuple()
        .all(db)
        .await?;
    Ok(reminders
        .into_iter()
        .chain(checkins)
        .filter_map(|(item_id, department_id, sent_at, acknowledged_at)| {
            Some(SentReminder {
                item_id,
                department_id,
                sent_at: sent_at?,
                acknowledged: acknowledged_at.is_some(),
            })
        })
        .collect())
}

pub fn backoff(attempts: i32) -> Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(10);
    (Duration::minutes(5) * 2_i32.pow(exponent)).min(Duration::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1), Duration::minutes(5));
        assert_eq!(backoff(2), Duration::minutes(10));
        assert_eq!(backoff(4), Duration::minutes(40));
        assert_eq!(backoff(8), Duration::hours(6));
        assert_eq!(backoff(0), Duration::minutes(5));
    }
}
