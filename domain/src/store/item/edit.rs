//! Administrators write items by hand: create one on a list, correct what is printed, withdraw
//! one (`CLOSED`, never a delete: its history and reminders stay). The deadline is given in
//! words, as lists print it, and read with the importer's grammar. Each change is one
//! transaction with an audit event. Field names are those of the input (`title`, `deadline`).

use crate::store::audit::{Action, RecordKind};
use std::collections::HashSet;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use serde_json::json;

use crate::store::{item::due_dates::Versioning, list_import::role_rows, unit_of_work::Change};
use crate::{
    DomainError,
    deadline::Deadline,
    model::{DepartmentRole, Item, ItemStatus},
    numerals::number_to_chinese,
    text::{self, Lines},
};
use entity::{department, item, item_department, item_due_date, project_list};

/// An item to add to a list.
#[derive(Clone, Debug)]
pub struct NewItem {
    pub list_id: i64,
    pub number: i32,
    pub title: String,
    pub content: String,
    /// 完成时限 in words: `2021年6月底`, `长期坚持`, …
    pub deadline: String,
    pub lead: Vec<i64>,
    pub cooperating: Vec<i64>,
}

/// Corrections to an item; `None` keeps the value.
#[derive(Clone, Debug, Default)]
pub struct ItemEdit {
    pub number: Option<i32>,
    pub title: Option<String>,
    pub content: Option<String>,
    pub deadline: Option<String>,
}

fn number(value: i32) -> Result<(i32, String), DomainError> {
    u32::try_from(value)
        .ok()
        .and_then(number_to_chinese)
        .map(|text| (value, text))
        .ok_or_else(|| DomainError::validation("number", "应为 1 到 999 的整数"))
}

fn title(text: &str) -> Result<String, DomainError> {
    let title = text.trim();
    if title.is_empty() {
        return Err(DomainError::validation(
            "title",
            "标题应为 1 到 200 字，写在一行",
        ));
    }
    text::check(title, text::MAX_TITLE_CHARS, Lines::One)
        .map_err(|m| DomainError::validation("title", m))?;
    Ok(title.to_owned())
}

fn content(value: &str) -> Result<String, DomainError> {
    let content = value.trim();
    text::check(content, text::MAX_CONTENT_CHARS, Lines::Many)
        .map_err(|m| DomainError::validation("content", m))?;
    Ok(content.to_owned())
}

/// The deadline read as the importer reads it, or a `VALIDATION` error saying what is wrong.
fn deadline(text: &str, list_year: Option<i32>) -> Result<Deadline, DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::validation(
            "deadline",
            "请照原文填写完成时限，如“2021年6月底”或“长期坚持”",
        ));
    }
    let parsed = Deadline::parse(text, list_year);
    match &parsed.problem {
        Some(problem) => Err(DomainError::validation("deadline", problem.clone())),
        None => Ok(parsed),
    }
}

/// Each department once, in the order given, all existing.
async fn departments<C: sea_orm::ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<i64>, DomainError> {
    let mut seen = HashSet::new();
    let unique: Vec<i64> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
    let found: HashSet<i64> = department::Entity::find()
        .filter(department::Column::Id.is_in(unique.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    if let Some(missing) = unique.iter().find(|id| !found.contains(id)) {
        return Err(DomainError::NotFound {
            entity: "Department",
            id: missing.to_string(),
        });
    }
    Ok(unique)
}

/// Adds an item to a list with its due dates and departments.
pub async fn create_item(
    db: &DatabaseConnection,
    new: &NewItem,
    change: &Change,
) -> Result<Item, DomainError> {
    let (number, number_text) = number(new.number)?;
    let title = title(&new.title)?;
    let content = content(&new.content)?;
    if new.lead.is_empty() {
        return Err(DomainError::validation(
            "leadDepartmentIds",
            "事项至少要有一个牵头部门",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let list = project_list::Entity::find_by_id(new.list_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "ProjectList",
            id: new.list_id.to_string(),
        })?;
    let deadline = deadline(&new.deadline, list.year)?;
    let lead = departments(&txn, &new.lead).await?;
    let cooperating = departments(&txn, &new.cooperating).await?;
    let created = item::ActiveModel {
        list_id: Set(list.id),
        number: Set(number),
        number_text: Set(number_text),
        title: Set(title),
        content: Set(content),
        deadline_text: Set(deadline.text.clone()),
        ongoing: Set(deadline.ongoing),
        status: Set(ItemStatus::Open),
        generic_phrases: Set(json!([])),
        responsible_people: Set(json!([])),
        source_line_first: Set(None),
        source_line_last: Set(None),
        created_at: Set(change.now),
        updated_at: Set(change.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let dates =
        crate::store::item::due_dates::rows(created.id, &deadline.milestones, 1, change.now);
    if !dates.is_empty() {
        item_due_date::Entity::insert_many(dates).exec(&txn).await?;
    }
    let roles: Vec<(DepartmentRole, i64, i32)> = positions(DepartmentRole::Lead, &lead)
        .chain(positions(DepartmentRole::Cooperating, &cooperating))
        .collect();
    item_department::Entity::insert_many(role_rows(created.id, &roles))
        .exec(&txn)
        .await?;
    crate::store::item::refresh_earliest_due(&txn, list.id).await?;
    let created = crate::store::item::access::item_for(&txn, created.id, None).await?;
    change
        .commit(
            txn,
            Action::ItemCreate,
            (RecordKind::Item, Some(created.id)),
            json!({
                "list_id": list.id,
                "number": number,
                "deadline": deadline.text,
                "lead": lead,
                "cooperating": cooperating,
            }),
        )
        .await?;
    Ok(created.into())
}

fn positions(
    role: DepartmentRole,
    ids: &[i64],
) -> impl Iterator<Item = (DepartmentRole, i64, i32)> + '_ {
    ids.iter()
        .zip(0..)
        .map(move |(&id, position)| (role, id, position))
}

/// Corrects an item. A new deadline text whose dates differ starts a new due-date version (the
/// old one stays in the history), as a re-imported list does. Nothing to change writes nothing
/// (`false`).
pub async fn update_item(
    db: &DatabaseConnection,
    id: i64,
    edit: &ItemEdit,
    change: &Change,
) -> Result<(Item, bool), DomainError> {
    let number = edit.number.map(number).transpose()?;
    let title = edit.title.as_deref().map(title).transpose()?;
    let content = edit.content.as_deref().map(content).transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, id, None).await?;
    let mut changed: Vec<&str> = Vec::new();
    let mut active = current.clone().into_active_model();
    if let Some((value, text)) = number.filter(|(n, _)| *n != current.number) {
        active.number = Set(value);
        active.number_text = Set(text);
        changed.push("number");
    }
    if let Some(title) = title.filter(|t| *t != current.title) {
        active.title = Set(title);
        changed.push("title");
    }
    if let Some(content) = content.filter(|c| *c != current.content) {
        active.content = Set(content);
        changed.push("content");
    }
    if let Some(text) = edit.deadline.as_deref() {
        let year = project_list::Entity::find_by_id(current.list_id)
            .one(&txn)
            .await?
            .and_then(|l| l.year);
        let parsed = deadline(text, year)?;
        if parsed.text != current.deadline_text || parsed.ongoing != current.ongoing {
            active.deadline_text = Set(parsed.text.clone());
            active.ongoing = Set(parsed.ongoing);
            changed.push("deadline");
            crate::store::item::due_dates::replace(
                &txn,
                id,
                &parsed.milestones,
                Versioning::WhenDifferent,
                change.now,
            )
            .await?;
        }
    }
    if changed.is_empty() {
        return Ok((current.into(), false));
    }
    active.updated_at = Set(change.now);
    active.update(&txn).await?;
    let updated = crate::store::item::access::item_for(&txn, id, None).await?;
    change
        .commit(
            txn,
            Action::ItemUpdate,
            (RecordKind::Item, Some(id)),
            json!({ "changed": changed }),
        )
        .await?;
    Ok((updated.into(), true))
}

/// Withdraws an item: its status becomes `CLOSED`, which stops its reminders; the item, its
/// history and its ledger stay. Deleting a closed item again changes nothing (`false`).
pub async fn delete_item(
    db: &DatabaseConnection,
    id: i64,
    change: &Change,
) -> Result<(Item, bool), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, id, None).await?;
    if current.status == ItemStatus::Closed {
        return Ok((current.into(), false));
    }
    let from = current.status;
    let mut active = current.into_active_model();
    active.status = Set(ItemStatus::Closed);
    active.updated_at = Set(change.now);
    let updated = active.update(&txn).await?;
    change
        .commit(
            txn,
            Action::ItemDelete,
            (RecordKind::Item, Some(id)),
            json!({ "from": from, "to": ItemStatus::Closed }),
        )
        .await?;
    Ok((updated.into(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug, DomainError>) -> String {
        match result {
            Err(DomainError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn inputs_are_checked_before_anything_is_written() {
        assert_eq!(number(19).expect("valid").1, "十九");
        assert_eq!(field(number(0)), "number");
        assert_eq!(field(number(1000)), "number");
        assert_eq!(field(title("  ")), "title");
        assert_eq!(field(title("两行\n标题")), "title");
        assert_eq!(title(" 改造老旧小区 ").expect("valid"), "改造老旧小区");
        assert_eq!(field(deadline("", Some(2021))), "deadline");
        assert_eq!(field(deadline("尽快", Some(2021))), "deadline");
        let parsed = deadline("2021年6月底", None).expect("valid");
        assert_eq!(parsed.milestones.len(), 1);
        assert!(deadline("长期坚持", None).expect("valid").ongoing);
    }
}
