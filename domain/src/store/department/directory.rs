//! Departments, their aliases, assignments and contacts, read for the graph.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, Query},
};

use crate::search::SearchText;
use crate::store::{
    contains,
    page::{self, PageRequest, SortSpec},
};
use crate::{
    DomainError,
    model::{Assignment, Contact, Department, DepartmentRole, Page},
};
use entity::{department, department_alias, department_contact, item_department};

/// Departments in the order they became known, optionally those whose name or an alias
/// contains `search`.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    search: Option<&SearchText>,
    request: &PageRequest<i64>,
) -> Result<Page<Department>, DomainError> {
    let mut select = department::Entity::find();
    if let Some(text) = search.map(SearchText::as_str).filter(|t| !t.is_empty()) {
        select = select.filter(
            Condition::any()
                .add(department::Column::Name.like(contains(text)))
                .add(
                    department::Column::Id.in_subquery(
                        Query::select()
                            .column(department_alias::Column::DepartmentId)
                            .from(department_alias::Entity)
                            .and_where(department_alias::Column::Alias.like(contains(text)))
                            .to_owned(),
                    ),
                ),
        );
    }
    let id = Expr::col((department::Entity, department::Column::Id));
    let spec = SortSpec {
        key: id.clone(),
        id,
        descending: false,
    };
    let page = page::fetch(db, select, &spec, request).await?;
    Ok(Page {
        rows: page.rows.into_iter().map(Department::from).collect(),
        has_more: page.has_more,
    })
}

pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<Department>, DomainError> {
    Ok(department::Entity::find()
        .filter(department::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Department::from)
        .collect())
}

/// Every department assignment of these items, in one statement, ordered by item, role and
/// printed position. Read as tuples (by column index): a page of 100 items has some 700
/// assignments, and decoding them by column name was a measurable share of a nested query.
pub async fn assignments_for_items<C: ConnectionTrait>(
    db: &C,
    item_ids: &[i64],
) -> Result<Vec<Assignment>, DomainError> {
    assignments(
        db,
        item_department::Entity::find()
            .filter(item_department::Column::ItemId.is_in(item_ids.iter().copied()))
            .order_by_asc(item_department::Column::ItemId)
            .order_by_asc(item_department::Column::Role)
            .order_by_asc(item_department::Column::Position),
    )
    .await
}

/// The assignments `query` selects, with their departments, read as tuples.
async fn assignments<C: ConnectionTrait>(
    db: &C,
    query: sea_orm::Select<item_department::Entity>,
) -> Result<Vec<Assignment>, DomainError> {
    type Row = (i64, DepartmentRole, i32, i64, String, DateTime<Utc>);
    let rows: Vec<Row> = query
        .select_only()
        .column(item_department::Column::ItemId)
        .column(item_department::Column::Role)
        .column(item_department::Column::Position)
        .column(department::Column::Id)
        .column(department::Column::Name)
        .column(department::Column::CreatedAt)
        .inner_join(department::Entity)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(item_id, role, position, id, name, created_at)| Assignment {
                item_id,
                role,
                position,
                department: Department {
                    id,
                    name,
                    created_at,
                },
            },
        )
        .collect())
}

/// The aliases of these departments, as `(department id, alias)`, by alias.
pub async fn aliases_for<C: ConnectionTrait>(
    db: &C,
    department_ids: &[i64],
) -> Result<Vec<(i64, String)>, DomainError> {
    Ok(department_alias::Entity::find()
        .filter(department_alias::Column::DepartmentId.is_in(department_ids.iter().copied()))
        .order_by_asc(department_alias::Column::Alias)
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.department_id, a.alias))
        .collect())
}

/// The contacts of these departments, by id.
pub async fn contacts_for<C: ConnectionTrait>(
    db: &C,
    department_ids: &[i64],
) -> Result<Vec<Contact>, DomainError> {
    Ok(department_contact::Entity::find()
        .filter(department_contact::Column::DepartmentId.is_in(department_ids.iter().copied()))
        .order_by_asc(department_contact::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Contact::from)
        .collect())
}

pub async fn contacts_by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<Contact>, DomainError> {
    Ok(department_contact::Entity::find()
        .filter(department_contact::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(Contact::from)
        .collect())
}
