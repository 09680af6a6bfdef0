//! Items of lists: filtered, ordered and read with keyset pagination.

pub mod access;
pub mod admin;
pub mod columns;
pub mod completion;
pub mod detail;
pub mod due_dates;
pub mod edit;
pub mod extension;
pub mod progress;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Select, Value,
    sea_query::{Expr, ExprTrait, Func, Query, QueryStatementBuilder, SimpleExpr},
};

use self::columns::ItemRow;
pub use self::columns::{ItemColumn, ItemColumns};
use crate::store::{
    contains,
    page::{self, PageRequest, SortSpec},
};
use crate::{
    DomainError,
    model::{DepartmentRole, Item, ItemStatus, Page},
    urgency::{Urgency, UrgencyRule},
};
use entity::{item, item_department, item_due_date};

/// Sorts undated items after every dated one. A four-digit year: SQLite compares dates as text,
/// and `NaiveDate::MAX` (`+262143-12-31`) would sort first there.
const UNDATED: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// Which of a department's roles an item filter matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleFilter {
    Lead,
    Cooperating,
    Any,
}

/// Which items. Every field narrows; empty lists and `None` do not.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    pub list_id: Option<i64>,
    pub department: Option<(i64, RoleFilter)>,
    pub statuses: Vec<ItemStatus>,
    pub urgencies: Vec<Urgency>,
    /// Items with an active due date on or after this day.
    pub due_from: Option<NaiveDate>,
    /// Items with an active due date on or before this day.
    pub due_to: Option<NaiveDate>,
    pub ongoing: Option<bool>,
    /// A substring of the title or the content (Chinese has no word breaks to match on).
    pub search: Option<crate::search::SearchText>,
}

/// What "now" means for the urgency filter: today in the configured zone and the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Today {
    pub date: NaiveDate,
    pub rule: UrgencyRule,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ItemOrderField {
    /// The earliest active due date; undated items last.
    DueDate,
    /// The number as printed (三 before 十九).
    #[default]
    Number,
    /// The last change.
    Updated,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ItemOrder {
    pub field: ItemOrderField,
    pub descending: bool,
}

/// The value an item is sorted by, as a cursor carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ItemSortKey {
    Date(NaiveDate),
    Number(i32),
    Instant(DateTime<Utc>),
}

impl From<ItemSortKey> for Value {
    fn from(key: ItemSortKey) -> Self {
        match key {
            ItemSortKey::Date(d) => d.into(),
            ItemSortKey::Number(n) => n.into(),
            ItemSortKey::Instant(t) => t.into(),
        }
    }
}

impl ItemOrder {
    /// The sort key of `item` under this order.
    pub fn key_of(&self, item: &Item) -> ItemSortKey {
        match self.field {
            ItemOrderField::DueDate => ItemSortKey::Date(item.earliest_due_on.unwrap_or(UNDATED)),
            ItemOrderField::Number => ItemSortKey::Number(item.number),
            ItemOrderField::Updated => ItemSortKey::Instant(item.updated_at),
        }
    }

    /// The column [`key_of`](Self::key_of) reads.
    pub fn key_column(&self) -> ItemColumn {
        match self.field {
            ItemOrderField::DueDate => ItemColumn::EarliestDueOn,
            ItemOrderField::Number => ItemColumn::Number,
            ItemOrderField::Updated => ItemColumn::UpdatedAt,
        }
    }

    /// Whether `key` is of the kind this order sorts by (a cursor from another order is not).
    pub fn accepts(&self, key: &ItemSortKey) -> bool {
        matches!(
            (self.field, key),
            (ItemOrderField::DueDate, ItemSortKey::Date(_))
                | (ItemOrderField::Number, ItemSortKey::Number(_))
                | (ItemOrderField::Updated, ItemSortKey::Instant(_))
        )
    }

    fn spec(&self) -> SortSpec {
        let key: SimpleExpr = match self.field {
            ItemOrderField::DueDate => Func::coalesce([
                Expr::col((item::Entity, item::Column::EarliestDueOn)),
                Expr::val(UNDATED),
            ])
            .into(),
            ItemOrderField::Number => Expr::col((item::Entity, item::Column::Number)),
            ItemOrderField::Updated => Expr::col((item::Entity, item::Column::UpdatedAt)),
        };
        SortSpec {
            key,
            id: Expr::col((item::Entity, item::Column::Id)),
            descending: self.descending,
        }
    }
}

/// One page of the items that `filter` selects, in `order`, with `columns` (and the order's key)
/// read: the rest of each item is left empty.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &ItemFilter,
    today: Today,
    order: ItemOrder,
    request: &PageRequest<ItemSortKey>,
    columns: ItemColumns,
) -> Result<Page<Item>, DomainError> {
    // The cursor of each item is its sort key.
    let columns = columns.with(order.key_column());
    let select = columns.select(filtered(filter, today));
    page::fetch_with(db, select, &order.spec(), request, |row| {
        columns.decode(row, 0)
    })
    .await
}

/// How many items `filter` selects.
pub async fn count<C: ConnectionTrait>(
    db: &C,
    filter: &ItemFilter,
    today: Today,
) -> Result<u64, DomainError> {
    Ok(filtered(filter, today).count(db).await?)
}

/// The items with these ids, in no particular order; missing ids are left out.
pub async fn by_ids<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<Vec<Item>, DomainError> {
    Ok(ItemColumns::ALL
        .select(item::Entity::find())
        .filter(item::Column::Id.is_in(ids.iter().copied()))
        .into_model::<ItemRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.0)
        .collect())
}

/// Every item of a list, by number.
pub async fn of_list<C: ConnectionTrait>(db: &C, list_id: i64) -> Result<Vec<Item>, DomainError> {
    Ok(item::Entity::find()
        .filter(item::Column::ListId.eq(list_id))
        .order_by_asc(item::Column::Number)
        .all(db)
        .await?
        .into_iter()
        .map(Item::from)
        .collect())
}

/// Recomputes `item.earliest_due_on` for the items of `list_id` from their active due dates.
/// Run in the same transaction as every change to due dates.
pub async fn refresh_earliest_due<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<(), DomainError> {
    db.execute(&earliest_due_update(list_id)).await?;
    Ok(())
}

/// The statement of [`refresh_earliest_due`]. Its subquery filters on the bare `active`
/// predicate ([`crate::store::active_due_date`]), not `active = ?`: SQLite, before the import's
/// ANALYZE, otherwise searched `ix_item_due_date_active_due_on (active=?)`, every active due
/// date of every list for each item (9 s for 10,000 items, issue 34), where the partial index
/// on `item_id` answers each item in a step.
pub fn earliest_due_update(list_id: i64) -> sea_orm::sea_query::UpdateStatement {
    let earliest = Query::select()
        .expr(Func::min(Expr::col((
            item_due_date::Entity,
            item_due_date::Column::DueOn,
        ))))
        .from(item_due_date::Entity)
        .and_where(
            Expr::col((item_due_date::Entity, item_due_date::Column::ItemId))
                .equals((item::Entity, item::Column::Id)),
        )
        .and_where(crate::store::active_due_date())
        .to_owned();
    Query::update()
        .table(item::Entity)
        .value(
            item::Column::EarliestDueOn,
            SimpleExpr::SubQuery(None, Box::new(earliest.into_sub_query_statement())),
        )
        .and_where(item::Column::ListId.eq(list_id))
        .to_owned()
}

fn filtered(filter: &ItemFilter, today: Today) -> Select<item::Entity> {
    let mut select = item::Entity::find();
    if let Some(list_id) = filter.list_id {
        select = select.filter(item::Column::ListId.eq(list_id));
    }
    if let Some((department_id, role)) = filter.department {
        let mut assigned = Query::select()
            .column(item_department::Column::ItemId)
            .from(item_department::Entity)
            .and_where(item_department::Column::DepartmentId.eq(department_id))
            .to_owned();
        match role {
            RoleFilter::Lead => {
                assigned.and_where(item_department::Column::Role.eq(DepartmentRole::Lead));
            }
            RoleFilter::Cooperating => {
                assigned.and_where(item_department::Column::Role.eq(DepartmentRole::Cooperating));
            }
            RoleFilter::Any => {}
        }
        select = select.filter(item::Column::Id.in_subquery(assigned));
    }
    if !filter.statuses.is_empty() {
        select = select.filter(item::Column::Status.is_in(filter.statuses.iter().copied()));
    }
    if !filter.urgencies.is_empty() {
        select = select.filter(urgency_condition(&filter.urgencies, today));
    }
    if filter.due_from.is_some() || filter.due_to.is_some() {
        let mut dated = Query::select()
            .column(item_due_date::Column::ItemId)
            .from(item_due_date::Entity)
            .and_where(crate::store::active_due_date())
            .to_owned();
        if let Some(from) = filter.due_from {
            dated.and_where(item_due_date::Column::DueOn.gte(from));
        }
        if let Some(to) = filter.due_to {
            dated.and_where(item_due_date::Column::DueOn.lte(to));
        }
        select = select.filter(item::Column::Id.in_subquery(dated));
    }
    if let Some(ongoing) = filter.ongoing {
        select = select.filter(item::Column::Ongoing.eq(ongoing));
    }
    if let Some(text) = filter
        .search
        .as_ref()
        .map(|s| s.as_str())
        .filter(|t| !t.is_empty())
    {
        select = select.filter(
            Condition::any()
                .add(item::Column::Title.like(contains(text)))
                .add(item::Column::Content.like(contains(text))),
        );
    }
    select
}

/// The SQL form of [`UrgencyRule::classify`]: items whose urgency today is one of `wanted`.
fn urgency_condition(wanted: &[Urgency], today: Today) -> Condition {
    let finished = [ItemStatus::Done, ItemStatus::Closed];
    let due = item::Column::EarliestDueOn;
    let soon_until = today.rule.soon_until(today.date);
    let mut any = Condition::any();
    for urgency in wanted {
        let condition = match urgency {
            Urgency::Done => Condition::all().add(item::Column::Status.is_in(finished)),
            Urgency::Overdue => Condition::all().add(due.lt(today.date)),
            Urgency::DueSoon => Condition::all().add(due.between(today.date, soon_until)),
            Urgency::OnTrack => Condition::all().add(due.gt(soon_until)),
            Urgency::Ongoing => Condition::all().add(due.is_null()),
        };
        any = any.add(if *urgency == Urgency::Done {
            condition
        } else {
            condition.add(item::Column::Status.is_not_in(finished))
        });
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_key_only_fits_its_own_order() {
        let by_date = ItemOrder {
            field: ItemOrderField::DueDate,
            descending: false,
        };
        assert!(by_date.accepts(&ItemSortKey::Date(UNDATED)));
        assert!(!by_date.accepts(&ItemSortKey::Number(3)));
    }
}
