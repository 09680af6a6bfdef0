//! Due dates of items: read for the graph, and written in versions by [`replace`], the one
//! writer of a new deadline (the importer's update, `updateItem` and `changeDeadline`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, Query},
};

use crate::store::page::{self, PageRequest, SortSpec};
use crate::{
    DomainError,
    deadline::Milestone,
    model::{DueDate, ItemStatus, Page},
};
use entity::{DueKind, DuePrecision, item, item_due_date};

/// When [`replace`] writes a version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Versioning {
    /// Only when the milestones differ from the active ones (a corrected text).
    WhenDifferent,
    /// Always (延期: a decision is recorded even when it names the same date).
    Always,
}

/// A version [`replace`] wrote, and the active due dates it replaced.
#[derive(Clone, Debug)]
pub struct NewVersion {
    pub version: i32,
    pub replaced: Vec<DueDate>,
    pub created: Vec<DueDate>,
}

/// A milestone as two deadlines are compared: the same date, kind, precision and label is the
/// same milestone (`2021年6月底` and `2021年6月30日` are not: they differ in precision).
type MilestoneKey = (NaiveDate, DueKind, DuePrecision, Option<String>);

fn sorted(mut keys: Vec<MilestoneKey>) -> Vec<MilestoneKey> {
    keys.sort_by(|a, b| (a.0, a.1 as u8, a.2 as u8, &a.3).cmp(&(b.0, b.1 as u8, b.2 as u8, &b.3)));
    keys
}

/// Makes `milestones` the item's active due dates as a new version (the old ones stay,
/// inactive), unless `versioning` says only when they differ and they do not; then refreshes the
/// item's `earliest_due_on`. Run inside the caller's transaction.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
    milestones: &[Milestone],
    versioning: Versioning,
    now: DateTime<Utc>,
) -> Result<Option<NewVersion>, DomainError> {
    let existing = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(item_id))
        .all(db)
        .await?;
    let active: Vec<&item_due_date::Model> = existing.iter().filter(|d| d.active).collect();
    let was = sorted(
        active
            .iter()
            .map(|d| (d.due_on, d.kind, d.precision, d.label.clone()))
            .collect(),
    );
    let now_keys = sorted(
        milestones
            .iter()
            .map(|m| (m.due_on, m.kind, m.precision, m.label.clone()))
            .collect(),
    );
    if versioning == Versioning::WhenDifferent && was == now_keys {
        return Ok(None);
    }
    let version = existing.iter().map(|d| d.version).max().unwrap_or(0) + 1;
    let replaced = active.iter().map(|d| DueDate::from((*d).clone())).collect();
    item_due_date::Entity::update_many()
        .col_expr(item_due_date::Column::Active, Expr::value(false))
        .filter(item_due_date::Column::ItemId.eq(item_id))
        .filter(crate::store::active_due_date())
        .exec(db)
        .await?;
    let rows = rows(item_id, milestones, version, now);
    if !rows.is_empty() {
        item_due_date::Entity::insert_many(rows).exec(db).await?;
    }
    let created = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(item_id))
        .filter(item_due_date::Column::Version.eq(version))
        .order_by_asc(item_due_date::Column::DueOn)
        .order_by_asc(item_due_date::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(DueDate::from)
        .collect();
    refresh_earliest_due_of(db, item_id).await?;
    Ok(Some(NewVersion {
        version,
        replaced,
        created,
    }))
}

/// Active due-date rows of one version for an item's milestones.
pub(crate) fn rows(
    item_id: i64,
    milestones: &[Milestone],
    version: i32,
    now: DateTime<Utc>,
) -> Vec<item_due_date::ActiveModel> {
    milestones
        .iter()
        .map(|m| item_due_date::ActiveModel {
            item_id: Set(item_id),
            due_on: Set(m.due_on),
            precision: Set(m.precision),
            kind: Set(m.kind),
            label: Set(m.label.clone()),
            version: Set(version),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        })
        .collect()
}

/// Recomputes one item's `earliest_due_on` from its active due dates.
async fn refresh_earliest_due_of<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
) -> Result<(), DomainError> {
    let earliest = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(item_id))
        .filter(crate::store::active_due_date())
        .order_by_asc(item_due_date::Column::DueOn)
        .one(db)
        .await?
        .map(|d| d.due_on);
    item::Entity::update_many()
        .col_expr(item::Column::EarliestDueOn, Expr::value(earliest))
        .filter(item::Column::Id.eq(item_id))
        .exec(db)
        .await?;
    Ok(())
}

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
        select = select.filter(crate::store::active_due_date());
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
        .filter(crate::store::active_due_date())
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
