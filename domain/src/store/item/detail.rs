//! One item with the relations its page shows, read in one statement.
//!
//! A page of items loads each relation for the whole page at once; one item asked for by id
//! would otherwise take a statement per relation, and on a small row each statement's fixed
//! cost (a pooled connection taken and given back, which sqlx pings) outweighs the row
//! (issue 14). So the item is joined to its assignments and active due dates: the rows are
//! their cross product, a handful for a real item, and are folded back here.

use sea_orm::{
    ConnectionTrait, DbErr, QueryResult,
    sea_query::{Expr, ExprTrait, JoinType, Order, Query},
};

use super::columns::{ItemColumns, ItemRow};
use crate::{
    DomainError,
    model::{Assignment, Department, DueDate, Item},
};
use entity::{department, item, item_department, item_due_date};

/// Which relations to read with the item.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Relations {
    /// Its departments, lead and cooperating, as [`crate::store::department::directory`]
    /// orders them (role, then printed position).
    pub assignments: bool,
    /// Its active due dates, by date, version and id.
    pub due_dates: bool,
}

/// An item with the relations asked for (`None` where not asked).
#[derive(Clone, Debug, PartialEq)]
pub struct ItemDetail {
    pub item: Item,
    pub assignments: Option<Vec<Assignment>>,
    pub due_dates: Option<Vec<DueDate>>,
}

const ASSIGNMENT_COLUMNS: usize = 5;

/// The item `id` with `relations`, or `None` when there is no such item.
pub async fn with_relations<C: ConnectionTrait>(
    db: &C,
    id: i64,
    relations: Relations,
) -> Result<Option<ItemDetail>, DomainError> {
    let mut query = Query::select();
    query.from(item::Entity);
    for column in ItemColumns::ALL.entity_columns() {
        query.column((item::Entity, column));
    }
    if relations.assignments {
        query
            .columns([
                (item_department::Entity, item_department::Column::Role),
                (item_department::Entity, item_department::Column::Position),
            ])
            .columns([
                (department::Entity, department::Column::Id),
                (department::Entity, department::Column::Name),
                (department::Entity, department::Column::CreatedAt),
            ])
            .join(
                JoinType::LeftJoin,
                item_department::Entity,
                Expr::col((item_department::Entity, item_department::Column::ItemId))
                    .equals((item::Entity, item::Column::Id)),
            )
            .join(
                JoinType::LeftJoin,
                department::Entity,
                Expr::col((department::Entity, department::Column::Id)).equals((
                    item_department::Entity,
                    item_department::Column::DepartmentId,
                )),
            )
            .order_by(
                (item_department::Entity, item_department::Column::Role),
                Order::Asc,
            )
            .order_by(
                (item_department::Entity, item_department::Column::Position),
                Order::Asc,
            );
    }
    if relations.due_dates {
        use item_due_date::Column as D;
        query
            .columns(
                [
                    D::Id,
                    D::DueOn,
                    D::Precision,
                    D::Kind,
                    D::Label,
                    D::Version,
                    D::Active,
                    D::CreatedAt,
                ]
                .map(|c| (item_due_date::Entity, c)),
            )
            .join(
                JoinType::LeftJoin,
                item_due_date::Entity,
                Expr::col((item_due_date::Entity, D::ItemId))
                    .equals((item::Entity, item::Column::Id))
                    .and(crate::store::active_due_date()),
            );
        for column in [D::DueOn, D::Version, D::Id] {
            query.order_by((item_due_date::Entity, column), Order::Asc);
        }
    }
    query.and_where(Expr::col((item::Entity, item::Column::Id)).eq(id));
    let rows = db.query_all(&query).await?;
    Ok(fold(&rows, relations)?)
}

/// The item of the first row, and the distinct relations of all rows in their first order.
fn fold(rows: &[QueryResult], relations: Relations) -> Result<Option<ItemDetail>, DbErr> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let item = <ItemRow as sea_orm::FromQueryResult>::from_query_result(first, "")?.0;
    let at = ItemColumns::ALL.width();
    let mut assignments = relations.assignments.then(Vec::new);
    let mut due_dates = relations.due_dates.then(Vec::new);
    let dates_at = if relations.assignments {
        at + ASSIGNMENT_COLUMNS
    } else {
        at
    };
    for row in rows {
        // Rows repeat an assignment once per due date, next to each other…
        if let Some(assignments) = &mut assignments
            && let Some(a) = assignment(row, at, item.id)?
            && assignments.last() != Some(&a)
        {
            assignments.push(a);
        }
        // …and the due dates once per assignment, in the same order each time.
        if let Some(due_dates) = &mut due_dates
            && let Some(d) = due_date(row, dates_at, item.id)?
            && !due_dates.iter().any(|seen: &DueDate| seen.id == d.id)
        {
            due_dates.push(d);
        }
    }
    Ok(Some(ItemDetail {
        item,
        assignments,
        due_dates,
    }))
}

fn assignment(row: &QueryResult, at: usize, item_id: i64) -> Result<Option<Assignment>, DbErr> {
    let Some(role) = row.try_get_by_index(at)? else {
        return Ok(None);
    };
    Ok(Some(Assignment {
        item_id,
        role,
        position: row.try_get_by_index(at + 1)?,
        department: Department {
            id: row.try_get_by_index(at + 2)?,
            name: row.try_get_by_index(at + 3)?,
            created_at: row.try_get_by_index(at + 4)?,
        },
    }))
}

fn due_date(row: &QueryResult, at: usize, item_id: i64) -> Result<Option<DueDate>, DbErr> {
    let Some(id) = row.try_get_by_index(at)? else {
        return Ok(None);
    };
    Ok(Some(DueDate {
        id,
        item_id,
        due_on: row.try_get_by_index(at + 1)?,
        precision: row.try_get_by_index(at + 2)?,
        kind: row.try_get_by_index(at + 3)?,
        label: row.try_get_by_index(at + 4)?,
        version: row.try_get_by_index(at + 5)?,
        active: row.try_get_by_index(at + 6)?,
        created_at: row.try_get_by_index(at + 7)?,
    }))
}
