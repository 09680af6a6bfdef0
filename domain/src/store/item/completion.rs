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
    supervision::{self, CompletionStep},
};
use entity::{item, item_department};

/// A lead department (or the administrator on its behalf) reports the item done.
pub async fn report(
    db: &DatabaseConnection,
    item_id: i64,
    note: &str,
    acting_for: Option<i64>,
    change: &Change,
) -> Result<Item, DomainError> {
    let note = supervision::required_note("note", note, "请写明完成情况（督查室据此审核）")?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_led_by(&txn, item_id, acting_for).await?;
    let to = CompletionStep::Report.apply(current.status)?;
    let from = current.status;
    let item = set(&txn, current, to, None, change).await?;
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
    let note = supervision::optional_note("note", note)?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, item_id, None).await?;
    let to = CompletionStep::Confirm.apply(current.status)?;
    let item = set(&txn, current, to, Some(today), change).await?;
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
    let reason = supervision::required_note("reason", reason, "请写明退办理由（会告知牵头部门）")?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, item_id, None).await?;
    let to = CompletionStep::Return.apply(current.status)?;
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
    let item = set(&txn, current, to, None, change).await?;
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
