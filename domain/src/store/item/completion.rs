//! 办结报告 → 销号 / 退办: a lead department reports an item done (`completion_reported`, its
//! reminders pause); the office confirms it (`done`, with the day it was completed) or sends it
//! back with a reason (`in_progress` again; the lead departments hear why in the next run and
//! their reminders resume).

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use serde_json::json;

use crate::store::{
    audit::{Action, RecordKind},
    notice,
    unit_of_work::Change,
};
use crate::{
    DomainError,
    model::{DepartmentRole, Item, ItemStatus, NoticeKind},
};
use entity::{item, item_department};

fn required_note(field: &str, text: &str, missing: &str) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::validation(field, missing));
    }
    crate::text::check(text, crate::text::MAX_NOTE_CHARS, crate::text::Lines::Many)
        .map_err(|m| DomainError::validation(field, m))?;
    Ok(text.to_owned())
}

fn optional_note(field: &str, text: Option<&str>) -> Result<Option<String>, DomainError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => required_note(field, t, "").map(Some),
    }
}

fn wrong_state(status: ItemStatus, wanted: &str) -> DomainError {
    let now = match status {
        ItemStatus::Open => "未开始",
        ItemStatus::InProgress => "推进中",
        ItemStatus::CompletionReported => "已报办结，等待审核",
        ItemStatus::Done => "已销号",
        ItemStatus::Closed => "已撤销",
    };
    DomainError::Conflict {
        field: "itemId".into(),
        message: format!("该事项{now}；{wanted}"),
    }
}

/// A lead department (or the administrator on its behalf) reports the item done.
pub async fn report(
    db: &DatabaseConnection,
    item_id: i64,
    note: &str,
    acting_for: Option<i64>,
    change: &Change,
) -> Result<Item, DomainError> {
    let note = required_note("note", note, "请写明完成情况（督查室据此审核）")?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_led_by(&txn, item_id, acting_for).await?;
    if !matches!(current.status, ItemStatus::Open | ItemStatus::InProgress) {
        return Err(wrong_state(
            current.status,
            "只有未开始或推进中的事项可以报办结",
        ));
    }
    let from = current.status;
    let item = set(&txn, current, ItemStatus::CompletionReported, None, change).await?;
    change
        .commit(
            txn,
            Action::ItemReportCompletion,
            (RecordKind::Item, Some(item_id)),
            json!({ "from": from, "to": ItemStatus::CompletionReported, "note": note }),
        )
        .await?;
    Ok(item)
}

/// The office confirms a reported item (销号): `done`, completed `today`.
pub async fn confirm(
    db: &DatabaseConnection,
    item_id: i64,
    note: Option<&str>,
    today: NaiveDate,
    change: &Change,
) -> Result<Item, DomainError> {
    let note = optional_note("note", note)?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, item_id, None).await?;
    if current.status != ItemStatus::CompletionReported {
        return Err(wrong_state(
            current.status,
            "只有已报办结的事项可以销号（setItemStatus 可设任意状态）",
        ));
    }
    let item = set(&txn, current, ItemStatus::Done, Some(today), change).await?;
    change
        .commit(
            txn,
            Action::ItemConfirmCompletion,
            (RecordKind::Item, Some(item_id)),
            json!({
                "from": ItemStatus::CompletionReported,
                "to": ItemStatus::Done,
                "completed_on": today.to_string(),
                "note": note,
            }),
        )
        .await?;
    Ok(item)
}

/// The office sends a reported item back (退办) with `reason`.
pub async fn return_item(
    db: &DatabaseConnection,
    item_id: i64,
    reason: &str,
    change: &Change,
) -> Result<Item, DomainError> {
    let reason = required_note("reason", reason, "请写明退办理由（会告知牵头部门）")?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, item_id, None).await?;
    if current.status != ItemStatus::CompletionReported {
        return Err(wrong_state(current.status, "只有已报办结的事项可以退办"));
    }
    let leads = item_department::Entity::find()
        .filter(item_department::Column::ItemId.eq(item_id))
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .all(&txn)
        .await?;
    for lead in &leads {
        notice::enqueue(
            &txn,
            NoticeKind::ItemReturned,
            item_id,
            None,
            Some(lead.department_id),
            Some(&reason),
            change.now,
        )
        .await?;
    }
    let item = set(&txn, current, ItemStatus::InProgress, None, change).await?;
    change
        .commit(
            txn,
            Action::ItemReturn,
            (RecordKind::Item, Some(item_id)),
            json!({
                "from": ItemStatus::CompletionReported,
                "to": ItemStatus::InProgress,
                "reason": reason,
            }),
        )
        .await?;
    Ok(item)
}

async fn set<C: sea_orm::ConnectionTrait>(
    db: &C,
    current: item::Model,
    status: ItemStatus,
    completed_on: Option<NaiveDate>,
    change: &Change,
) -> Result<Item, DomainError> {
    let mut active = current.into_active_model();
    active.status = Set(status);
    active.completed_on = Set(completed_on);
    active.updated_at = Set(change.now);
    Ok(active.update(db).await?.into())
}
