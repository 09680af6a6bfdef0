//! The reminder ledger, read for administrators.

pub mod acknowledgements;
pub mod reminders;
pub mod sending;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, Query},
};

use crate::store::page::{self, PageRequest};
use crate::{
    DomainError,
    model::{DeliveryStatus, Page, ReminderDelivery},
};
use entity::{item_due_date, reminder_delivery};

/// Which ledger rows.
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub statuses: Vec<DeliveryStatus>,
    pub department_id: Option<i64>,
    pub item_id: Option<i64>,
    /// Only rows acknowledged (签收), or only rows not.
    pub acknowledged: Option<bool>,
}

/// Ledger rows, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &DeliveryFilter,
    request: &PageRequest<i64>,
) -> Result<Page<ReminderDelivery>, DomainError> {
    let mut select = reminder_delivery::Entity::find();
    if !filter.statuses.is_empty() {
        select =
            select.filter(reminder_delivery::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if let Some(department_id) = filter.department_id {
        select = select.filter(reminder_delivery::Column::DepartmentId.eq(department_id));
    }
    select = match filter.acknowledged {
        Some(true) => select.filter(reminder_delivery::Column::AcknowledgedAt.is_not_null()),
        Some(false) => select.filter(reminder_delivery::Column::AcknowledgedAt.is_null()),
        None => select,
    };
    if let Some(item_id) = filter.item_id {
        select = select.filter(
            Condition::any()
                .add(
                    reminder_delivery::Column::DueDateId.in_subquery(
                        Query::select()
                            .column(item_due_date::Column::Id)
                            .from(item_due_date::Entity)
                            .and_where(item_due_date::Column::ItemId.eq(item_id))
                            .to_owned(),
                    ),
                )
                .add(reminder_delivery::Column::ItemId.eq(item_id)),
        );
    }
    let id = Expr::col((reminder_delivery::Entity, reminder_delivery::Column::Id));
    page::newest_first(db, select, id, request).await
}

/// The ledger's backlog: rows waiting to be sent (`Pending`, new or to retry) and rows a run
/// has claimed and not yet settled (`Sending`), by status; statuses with none are given as 0.
pub async fn backlog<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(DeliveryStatus, u64)>, DomainError> {
    let waiting = [DeliveryStatus::Pending, DeliveryStatus::Sending];
    let counts: Vec<(DeliveryStatus, i64)> = reminder_delivery::Entity::find()
        .select_only()
        .column(reminder_delivery::Column::Status)
        .column_as(reminder_delivery::Column::Id.count(), "n")
        .filter(reminder_delivery::Column::Status.is_in(waiting))
        .group_by(reminder_delivery::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(waiting
        .into_iter()
        .map(|status| {
            let n = counts
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            (status, u64::try_from(n).unwrap_or(0))
        })
        .collect())
}

/// The ledger rows of these items (their due dates' reminders and their check-ins), as
/// `(item id, row)`, newest first.
pub async fn for_items<C: ConnectionTrait>(
    db: &C,
    item_ids: &[i64],
) -> Result<Vec<(i64, ReminderDelivery)>, DomainError> {
    let of_due_dates = reminder_delivery::Entity::find()
        .find_also_related(item_due_date::Entity)
        .filter(item_due_date::Column::ItemId.is_in(item_ids.iter().copied()))
        .all(db)
        .await?;
    let checkins = reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::ItemId.is_in(item_ids.iter().copied()))
        .all(db)
        .await?;
    let mut rows: Vec<(i64, ReminderDelivery)> = of_due_dates
        .into_iter()
        .filter_map(|(delivery, due)| due.map(|d| (d.item_id, ReminderDelivery::from(delivery))))
        .chain(
            checkins
                .into_iter()
                .filter_map(|c| c.item_id.map(|item| (item, ReminderDelivery::from(c)))),
        )
        .collect();
    rows.sort_by_key(|(_, d)| std::cmp::Reverse(d.id));
    Ok(rows)
}

pub async fn by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<ReminderDelivery>, DomainError> {
    Ok(reminder_delivery::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(ReminderDelivery::from))
}
