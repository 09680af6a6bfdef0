//! 签收: a contact acknowledges a reminder email, by its link or through the graph. The
//! acknowledgement is kept on every ledger row that email delivered, once: a second one changes
//! nothing and reports when the first was made.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::{
    DomainError,
    model::{DeliveryStatus, ReminderDelivery},
};
use entity::{item_due_date, reminder_delivery};

/// What acknowledging a message did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledged {
    /// When the message was (first) acknowledged.
    pub at: DateTime<Utc>,
    /// Whether this call acknowledged it; `false` when it already was.
    pub first: bool,
    /// The rows the message delivered.
    pub rows: Vec<ReminderDelivery>,
}

/// Acknowledges the message `message_id` at `now`; `NOT_FOUND` when no row was delivered by it.
pub async fn acknowledge_message<C: ConnectionTrait>(
    db: &C,
    message_id: &str,
    now: DateTime<Utc>,
) -> Result<Acknowledged, DomainError> {
    let updated = reminder_delivery::Entity::update_many()
        .col_expr(reminder_delivery::Column::AcknowledgedAt, Expr::value(now))
        .filter(reminder_delivery::Column::MessageId.eq(message_id))
        .filter(reminder_delivery::Column::AcknowledgedAt.is_null())
        .exec(db)
        .await?;
    let rows: Vec<ReminderDelivery> = reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::MessageId.eq(message_id))
        .all(db)
        .await?
        .into_iter()
        .map(ReminderDelivery::from)
        .collect();
    let at = rows
        .iter()
        .filter_map(|r| r.acknowledged_at)
        .min()
        .ok_or_else(|| DomainError::NotFound {
            entity: "Message",
            id: message_id.to_owned(),
        })?;
    Ok(Acknowledged {
        at,
        first: updated.rows_affected > 0,
        rows,
    })
}

/// Acknowledges the message that delivered row `delivery_id`, for `acting_for` (the row's
/// department, or `None` for the administrator).
pub async fn acknowledge_delivery<C: ConnectionTrait>(
    db: &C,
    delivery_id: i64,
    acting_for: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Acknowledged, DomainError> {
    let row = reminder_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        // Another department's row answers as one that does not exist.
        .filter(|r| acting_for.is_none_or(|d| d == r.department_id))
        .ok_or(DomainError::NotFound {
            entity: "ReminderDelivery",
            id: delivery_id.to_string(),
        })?;
    match (&row.message_id, row.status) {
        (Some(message_id), DeliveryStatus::Sent) => acknowledge_message(db, message_id, now).await,
        _ => Err(DomainError::Conflict {
            field: "deliveryId".into(),
            message: "this reminder has not been sent; there is nothing to acknowledge yet".into(),
        }),
    }
}

/// How many reminders about each of `due_date_ids` went to each address and were not
/// acknowledged, by (due date, address in lowercase): a 催办 tells its reader.
pub async fn unacknowledged_counts<C: ConnectionTrait>(
    db: &C,
    due_date_ids: &[i64],
) -> Result<std::collections::HashMap<(i64, String), u64>, DomainError> {
    let mut counts = std::collections::HashMap::new();
    if due_date_ids.is_empty() {
        return Ok(counts);
    }
    for chunk in due_date_ids.chunks(1000) {
        let rows: Vec<(Option<i64>, String)> = reminder_delivery::Entity::find()
            .select_only()
            .column(reminder_delivery::Column::DueDateId)
            .column(reminder_delivery::Column::ContactEmail)
            .filter(reminder_delivery::Column::DueDateId.is_in(chunk.iter().copied()))
            .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Sent))
            .filter(reminder_delivery::Column::AcknowledgedAt.is_null())
            .into_tuple()
            .all(db)
            .await?;
        for (due, email) in rows {
            if let Some(due) = due {
                *counts.entry((due, email.to_lowercase())).or_default() += 1;
            }
        }
    }
    Ok(counts)
}

/// (due date, department) pairs whose overdue reminder (催办) was sent on or before `sent_by`
/// and nobody acknowledged: their next reminder copies the supervisor.
pub async fn unacknowledged_overdue<C: ConnectionTrait>(
    db: &C,
    due_date_ids: &[i64],
    today: NaiveDate,
    sent_by: DateTime<Utc>,
) -> Result<HashSet<(i64, i64)>, DomainError> {
    if due_date_ids.is_empty() {
        return Ok(HashSet::new());
    }
    let overdue = sea_orm::sea_query::Query::select()
        .column(item_due_date::Column::Id)
        .from(item_due_date::Entity)
        .and_where(item_due_date::Column::Id.is_in(due_date_ids.iter().copied()))
        .and_where(item_due_date::Column::DueOn.lt(today))
        .to_owned();
    let pairs: Vec<(Option<i64>, i64)> = reminder_delivery::Entity::find()
        .select_only()
        .column(reminder_delivery::Column::DueDateId)
        .column(reminder_delivery::Column::DepartmentId)
        .filter(reminder_delivery::Column::DueDateId.in_subquery(overdue))
        .filter(reminder_delivery::Column::Stage.starts_with("overdue"))
        .filter(reminder_delivery::Column::Status.eq(DeliveryStatus::Sent))
        .filter(reminder_delivery::Column::AcknowledgedAt.is_null())
        .filter(reminder_delivery::Column::SentAt.lte(sent_by))
        .distinct()
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs
        .into_iter()
        .filter_map(|(due, department)| Some((due?, department)))
        .collect())
}

/// What a message was about, for the acknowledgement page: its department's name and its items
/// (number as printed, title), each once, by number.
pub async fn described<C: ConnectionTrait>(
    db: &C,
    rows: &[ReminderDelivery],
) -> Result<(String, Vec<(i32, String, String)>), DomainError> {
    use entity::{department, item};
    let due_ids: Vec<i64> = rows.iter().filter_map(|r| r.due_date_id).collect();
    let mut item_ids: Vec<i64> = rows.iter().filter_map(|r| r.item_id).collect();
    if !due_ids.is_empty() {
        item_ids.extend(
            item_due_date::Entity::find()
                .select_only()
                .column(item_due_date::Column::ItemId)
                .filter(item_due_date::Column::Id.is_in(due_ids))
                .into_tuple::<i64>()
                .all(db)
                .await?,
        );
    }
    let mut items: Vec<(i32, String, String)> = item::Entity::find()
        .filter(item::Column::Id.is_in(item_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.number, i.number_text, i.title))
        .collect();
    items.sort();
    items.dedup();
    let department = match rows.first() {
        Some(row) => department::Entity::find_by_id(row.department_id)
            .one(db)
            .await?
            .map(|d| d.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok((department, items))
}
