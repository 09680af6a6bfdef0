//! Items of lists, read with keyset pagination (no OFFSET: pages stay stable under inserts).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::{
    DomainError,
    model::{Item, Page},
};
use entity::item;

/// Which items, and where a page starts.
#[derive(Clone, Debug, Default)]
pub struct ItemPageQuery {
    pub list_id: Option<i64>,
    /// Start after the item with this id.
    pub after_id: Option<i64>,
    pub limit: u64,
}

/// Items in id order, `limit` of them after `after_id`.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    query: &ItemPageQuery,
) -> Result<Page<Item>, DomainError> {
    let mut select = item::Entity::find().order_by_asc(item::Column::Id);
    if let Some(list_id) = query.list_id {
        select = select.filter(item::Column::ListId.eq(list_id));
    }
    if let Some(after) = query.after_id {
        select = select.filter(item::Column::Id.gt(after));
    }
    // One extra row tells whether another page exists without a COUNT.
    let mut rows: Vec<Item> = select
        .limit(query.limit + 1)
        .all(db)
        .await?
        .into_iter()
        .map(Item::from)
        .collect();
    let has_more = rows.len() as u64 > query.limit;
    rows.truncate(query.limit as usize);
    Ok(Page { rows, has_more })
}
