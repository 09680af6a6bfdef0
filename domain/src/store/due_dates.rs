//! Due dates of items, read for the graph.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, Query},
};

use super::page::{self, PageRequest, SortSpec};
use crate::{
    DomainError,
    model::{DueDate, ItemStatus, Page},
};
use entity::{item, item_due_date};

/// The due dates of these items: only active ones, or every version when `history` is set;
/// ordered by item, date and version.
pub async fn for_items<C: ConnectionTrait>(
    db: &C,
    item_ids: &[i64],
    history: bool,
) -> Result<Vec<DueDate>, DomainError> {
    let mut select = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.is_in(item_ids.iter().copied()));
    if !history {
        select = select.filter(item_due_date::Column::Active.eq(true));
    }
    Ok(select
        .order_by_asc(item_due_date::Column::ItemId)
        .order_by_asc(item_due_date::Column::DueOn)
        .order_by_asc(item_due_date::Column::Version)
        .order_by_asc(item_due_date::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(DueDate::from)
        .collect())
}

pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<DueDate>, DomainError> {
    Ok(item_due_date::Entity::find()
        .filter(item_due_date::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(DueDate::from)
        .collect())
}

/// Active due dates from `from` to `to` (inclusive) of items not yet done or closed, optionally
/// of one list, by date.
pub async fn upcoming<C: ConnectionTrait>(
    db: &C,
    list_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    request: &PageRequest<NaiveDate>,
) -> Result<Page<DueDate>, DomainError> {
    let mut open_items = Query::select()
        .column(item::Column::Id)
        .from(item::Entity)
        .and_where(item::Column::Status.is_not_in([ItemStatus::Done, ItemStatus::Closed]))
        .to_owned();
    if let Some(list_id) = list_id {
        open_items.and_where(item::Column::ListId.eq(list_id));
    }
    let select = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .filter(item_due_date::Column::DueOn.between(from, to))
        .filter(item_due_date::Column::ItemId.in_subquery(open_items));
    let spec = SortSpec {
        key: Expr::col((item_due_date::Entity, item_due_date::Column::DueOn)),
        id: Expr::col((item_due_date::Entity, item_due_date::Column::Id)),
        descending: false,
    };
    let page = page::fetch(db, select, &spec, request).await?;
    Ok(Page {
        rows: page.rows.into_iter().map(DueDate::from).collect(),
        has_more: page.has_more,
    })
}
