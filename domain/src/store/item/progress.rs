//! Progress reports on items (进展): a note and a percentage, with who reported and when.
//! An administrator may report on any item, a department only on items it leads or cooperates
//! on.

use crate::store::audit::{Action, RecordKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde_json::json;

use crate::store::{
    item,
    page::{self, PageRequest},
    unit_of_work::Change,
};
use crate::{
    DomainError,
    model::{Item, Page, ProgressReport},
};
use entity::{ItemStatus, item_progress};

/// The longest note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = crate::text::MAX_NOTE_CHARS;

/// Checks a report before anything is written; `note` and `percent` name the fields.
pub fn validate(note: &str, percent: i32) -> Result<String, DomainError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(DomainError::validation("note", "请写明做了什么"));
    }
    crate::text::check(note, MAX_NOTE_CHARS, crate::text::Lines::Many)
        .map_err(|m| DomainError::validation("note", m))?;
    if !(0..=100).contains(&percent) {
        return Err(DomainError::validation(
            "percent",
            format!("应为 0 到 100 的整数，现为 {percent}"),
        ));
    }
    Ok(note.to_owned())
}

/// Records a progress report on `item_id` for `acting_for` (a department, or `None` for an
/// administrator). Returns the report and the item as it now is.
pub async fn report(
    db: &DatabaseConnection,
    item_id: i64,
    note: &str,
    percent: i32,
    acting_for: Option<i64>,
    change: &Change,
) -> Result<(ProgressReport, Item), DomainError> {
    let note = validate(note, percent)?;
    let txn = crate::db::begin_write(db).await?;
    let current = item::access::item_for(&txn, item_id, acting_for).await?;
    // The first report says the work has begun: 未开始 becomes 推进中, everywhere.
    let started = current.status == ItemStatus::Open;
    let row = item_progress::ActiveModel {
        item_id: Set(item_id),
        note: Set(note.clone()),
        percent: Set(percent),
        author: Set(change.actor.key.clone()),
        department_id: Set(acting_for),
        reported_at: Set(change.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut item = current.into_active_model();
    item.updated_at = Set(change.now);
    if started {
        item.status = Set(ItemStatus::InProgress);
    }
    let item = item.update(&txn).await?;
    change
        .commit(
            txn,
            Action::ItemReportProgress,
            (RecordKind::Item, Some(item_id)),
            json!({ "progress_id": row.id, "percent": percent, "note": note, "started": started }),
        )
        .await?;
    Ok((row.into(), item.into()))
}

/// The author a report read from a list's text (实际完成情况) is recorded under.
pub const IMPORTED_AUTHOR: &str = "import";

/// Records progress a list prints with an item (a bulletin's 实际完成情况) as a report as of
/// `now`, unless it is the item's latest report already (a re-import adds nothing). A bulletin
/// states no percentage: the item's latest one is carried (0 before any). Returns whether a
/// report was added.
pub(crate) async fn record_printed<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
    note: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DomainError> {
    let latest = item_progress::Entity::find()
        .filter(item_progress::Column::ItemId.eq(item_id))
        .order_by_desc(item_progress::Column::ReportedAt)
        .order_by_desc(item_progress::Column::Id)
        .one(db)
        .await?;
    if latest.as_ref().is_some_and(|l| l.note == note) {
        return Ok(false);
    }
    item_progress::ActiveModel {
        item_id: Set(item_id),
        note: Set(note.to_owned()),
        percent: Set(latest.map_or(0, |l| l.percent)),
        author: Set(IMPORTED_AUTHOR.to_owned()),
        department_id: Set(None),
        reported_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(true)
}

/// One page of an item's reports, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
    request: &PageRequest<i64>,
) -> Result<Page<ProgressReport>, DomainError> {
    let select = item_progress::Entity::find().filter(item_progress::Column::ItemId.eq(item_id));
    let id = Expr::col((item_progress::Entity, item_progress::Column::Id));
    page::newest_first(db, select, id, request).await
}

pub async fn by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<ProgressReport>, DomainError> {
    Ok(item_progress::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_need_a_note_and_a_percentage_in_range() {
        assert_eq!(validate("  完成选址 ", 30).expect("valid"), "完成选址");
        for (note, percent, field) in [
            ("", 10, "note"),
            ("   ", 10, "note"),
            ("ok", -1, "percent"),
            ("ok", 101, "percent"),
        ] {
            match validate(note, percent) {
                Err(DomainError::Validation { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{note:?} {percent}: {other:?}"),
            }
        }
        assert!(validate(&"进".repeat(MAX_NOTE_CHARS + 1), 5).is_err());
        assert!(validate(&"进".repeat(MAX_NOTE_CHARS), 5).is_ok());
    }
}
