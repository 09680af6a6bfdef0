//! Published lists: read, corrected (title, issuer, year, batch) and put away (归档) or back.
//! An archived list keeps every record; it leaves the selectors (`all(db, false)`) and its
//! items get no reminders and no bulletin.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::{
    DomainError,
    model::ProjectList,
    store::{
        audit::{Action, RecordKind},
        unit_of_work::Change,
    },
};
use entity::project_list;

/// The lists in use, oldest first; with `archived`, the archived ones too.
pub async fn all<C: ConnectionTrait>(
    db: &C,
    archived: bool,
) -> Result<Vec<ProjectList>, DomainError> {
    let mut query = project_list::Entity::find().order_by_asc(project_list::Column::Id);
    if !archived {
        query = query.filter(project_list::Column::ArchivedAt.is_null());
    }
    Ok(query
        .all(db)
        .await?
        .into_iter()
        .map(ProjectList::from)
        .collect())
}

/// The ids of the archived lists: their items are reminded of no more.
pub async fn archived_ids<C: ConnectionTrait>(db: &C) -> Result<Vec<i64>, DomainError> {
    Ok(project_list::Entity::find()
        .select_only()
        .column(project_list::Column::Id)
        .filter(project_list::Column::ArchivedAt.is_not_null())
        .into_tuple()
        .all(db)
        .await?)
}

/// The lists with these ids; missing ids are left out.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<ProjectList>, DomainError> {
    Ok(project_list::Entity::find()
        .filter(project_list::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(ProjectList::from)
        .collect())
}

/// What a correction changes; `None` leaves a field, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct ListChanges {
    pub title: Option<String>,
    pub issuer: Option<Option<String>>,
    pub year: Option<Option<i32>>,
    pub batch_label: Option<Option<String>>,
}

fn text(field: &str, value: &str, max: usize) -> Result<String, DomainError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(DomainError::validation(
            field,
            format!("不能超过 {max} 个字"),
        ));
    }
    Ok(value.to_owned())
}

fn optional(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, DomainError> {
    value
        .map(|v| text(field, &v, max))
        .transpose()
        .map(|v| v.filter(|v| !v.is_empty()))
}

async fn find_row<C: ConnectionTrait>(db: &C, id: i64) -> Result<project_list::Model, DomainError> {
    project_list::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "ProjectList",
            id: id.to_string(),
        })
}

/// Corrects a list's title, issuer, year or batch, audited with what was before.
pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    changes: ListChanges,
    change: &Change,
) -> Result<ProjectList, DomainError> {
    let title = changes
        .title
        .map(|t| text("input.title", &t, 200))
        .transpose()?;
    if title.as_deref() == Some("") {
        return Err(DomainError::validation("input.title", "清单标题不能为空"));
    }
    let issuer = changes
        .issuer
        .map(|i| optional("input.issuer", i, 100))
        .transpose()?;
    let batch_label = changes
        .batch_label
        .map(|b| optional("input.batchLabel", b, 50))
        .transpose()?;
    if let Some(Some(year)) = changes.year
        && !(1990..=2100).contains(&year)
    {
        return Err(DomainError::validation(
            "input.year",
            "年份应在 1990 到 2100 之间",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = find_row(&txn, id).await?;
    let before = json!({
        "title": row.title, "issuer": row.issuer, "year": row.year, "batch_label": row.batch_label,
    });
    let mut active = row.into_active_model();
    if let Some(title) = title {
        active.title = Set(title);
    }
    if let Some(issuer) = issuer {
        active.issuer = Set(issuer);
    }
    if let Some(year) = changes.year {
        active.year = Set(year);
    }
    if let Some(batch_label) = batch_label {
        active.batch_label = Set(batch_label);
    }
    active.updated_at = Set(change.now);
    let row = active.update(&txn).await?;
    change
        .commit(
            txn,
            Action::ListUpdate,
            (RecordKind::ProjectList, Some(id)),
            json!({
                "before": before,
                "after": { "title": row.title, "issuer": row.issuer, "year": row.year, "batch_label": row.batch_label },
            }),
        )
        .await?;
    Ok(row.into())
}

/// Puts a list away (`true`) or brings it back, audited. Doing what is already so is a
/// `CONFLICT`, as the other state changes are.
pub async fn set_archived(
    db: &DatabaseConnection,
    id: i64,
    archived: bool,
    change: &Change,
) -> Result<ProjectList, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = find_row(&txn, id).await?;
    if row.archived_at.is_some() == archived {
        return Err(DomainError::Conflict {
            field: "listId".into(),
            message: if archived {
                "这个清单已经归档".into()
            } else {
                "这个清单没有归档".into()
            },
        });
    }
    let mut active = row.into_active_model();
    active.archived_at = Set(archived.then_some(change.now));
    active.updated_at = Set(change.now);
    let row = active.update(&txn).await?;
    change
        .commit(
            txn,
            if archived {
                Action::ListArchive
            } else {
                Action::ListUnarchive
            },
            (RecordKind::ProjectList, Some(id)),
            json!({ "title": row.title }),
        )
        .await?;
    Ok(row.into())
}
