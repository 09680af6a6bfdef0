//! What administrators change on items: status, deadlines (延期) and the departments on them.
//! Each change is one
//! transaction with an audit event.

use crate::store::audit::{Action, RecordKind};
use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use serde_json::json;

use crate::store::{item::due_dates::Versioning, unit_of_work::Change};
use crate::{
    DomainError,
    deadline::Milestone,
    model::{DepartmentRole, DueDate, DueKind, DuePrecision, Item, ItemStatus},
};
use entity::{department, item, item_department};

async fn item_or_404<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<item::Model, DomainError> {
    crate::store::item::access::item_for(db, id, None).await
}

/// Sets an item's status (`DONE` stops its reminders, `CLOSED` withdraws it). An item set
/// `DONE` is completed `today` unless it already was; any other status clears that day.
pub async fn set_status(
    db: &DatabaseConnection,
    id: i64,
    status: ItemStatus,
    today: NaiveDate,
    change: &Change,
) -> Result<Item, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = item_or_404(&txn, id).await?;
    let from = current.status;
    let completed_on = (status == ItemStatus::Done).then(|| current.completed_on.unwrap_or(today));
    let mut active = current.into_active_model();
    active.status = Set(status);
    active.completed_on = Set(completed_on);
    active.updated_at = Set(change.now);
    let updated = active.update(&txn).await?;
    change
        .commit(
            txn,
            Action::ItemSetStatus,
            (RecordKind::Item, Some(id)),
            json!({ "from": from, "to": status }),
        )
        .await?;
    Ok(updated.into())
}

/// 延期: the item's active due dates give way to one new final due date on `due_on`, as a new
/// version; the old versions stay, inactive, in the history. Reminders follow the new version
/// (the ledger is keyed by version, so it starts its own ladder). `acting_for` is the
/// department asking (it must be on the item), or `None` for an administrator.
pub async fn change_deadline(
    db: &DatabaseConnection,
    id: i64,
    due_on: NaiveDate,
    reason: &str,
    acting_for: Option<i64>,
    change: &Change,
) -> Result<(Item, DueDate), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_for(&txn, id, acting_for).await?;
    let milestone = Milestone {
        due_on,
        precision: DuePrecision::Day,
        kind: DueKind::Final,
        label: None,
    };
    let written = crate::store::item::due_dates::replace(
        &txn,
        id,
        &[milestone],
        Versioning::Always,
        change.now,
    )
    .await?
    .ok_or_else(|| {
        DomainError::Database(sea_orm::DbErr::Custom(
            "a new due-date version was asked for and not written".into(),
        ))
    })?;
    let version = written.version;
    let replaced: Vec<NaiveDate> = written.replaced.iter().map(|d| d.due_on).collect();
    let created = written.created.into_iter().next().ok_or_else(|| {
        DomainError::Database(sea_orm::DbErr::Custom(
            "the new due date was not read back".into(),
        ))
    })?;
    let mut active = current.into_active_model();
    active.updated_at = Set(change.now);
    active.update(&txn).await?;
    let updated = item_or_404(&txn, id).await?;
    change
        .commit(
            txn,
            Action::ItemChangeDeadline,
            (RecordKind::Item, Some(id)),
            crate::audit::to_json(&crate::audit::DeadlineChanged {
                from: replaced,
                to: due_on,
                version,
                reason: reason.to_owned(),
            }),
        )
        .await?;
    Ok((updated.into(), created))
}

/// Makes a department lead or cooperate on an item, after those already printed. Assigning it
/// twice in the same role is a conflict on `department_field`.
pub async fn assign_department(
    db: &DatabaseConnection,
    item_id: i64,
    department_id: i64,
    role: DepartmentRole,
    department_field: &str,
    change: &Change,
) -> Result<Item, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = item_or_404(&txn, item_id).await?;
    department::Entity::find_by_id(department_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Department",
            id: department_id.to_string(),
        })?;
    let taken = item_department::Entity::find()
        .filter(item_department::Column::ItemId.eq(item_id))
        .filter(item_department::Column::Role.eq(role))
        .all(&txn)
        .await?;
    if taken.iter().any(|l| l.department_id == department_id) {
        return Err(DomainError::Conflict {
            field: department_field.to_owned(),
            message: "该部门在这个事项上已是这个角色".into(),
        });
    }
    item_department::ActiveModel {
        item_id: Set(item_id),
        department_id: Set(department_id),
        role: Set(role),
        position: Set(taken.iter().map(|l| l.position).max().map_or(0, |p| p + 1)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let updated = touch(&txn, current, change).await?;
    change
        .commit(
            txn,
            Action::ItemAssign,
            (RecordKind::Item, Some(item_id)),
            json!({ "department_id": department_id, "role": role }),
        )
        .await?;
    Ok(updated)
}

/// Takes a department's role on an item away; `NOT_FOUND` when it has no such role.
pub async fn unassign_department(
    db: &DatabaseConnection,
    item_id: i64,
    department_id: i64,
    role: DepartmentRole,
    change: &Change,
) -> Result<Item, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = item_or_404(&txn, item_id).await?;
    let removed = item_department::Entity::delete_many()
        .filter(item_department::Column::ItemId.eq(item_id))
        .filter(item_department::Column::DepartmentId.eq(department_id))
        .filter(item_department::Column::Role.eq(role))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(DomainError::NotFound {
            entity: "Assignment",
            id: format!("item {item_id}, department {department_id}"),
        });
    }
    let updated = touch(&txn, current, change).await?;
    change
        .commit(
            txn,
            Action::ItemUnassign,
            (RecordKind::Item, Some(item_id)),
            json!({ "department_id": department_id, "role": role }),
        )
        .await?;
    Ok(updated)
}

/// Marks the item changed now.
async fn touch<C: sea_orm::ConnectionTrait>(
    db: &C,
    current: item::Model,
    change: &Change,
) -> Result<Item, DomainError> {
    let mut active = current.into_active_model();
    active.updated_at = Set(change.now);
    Ok(active.update(db).await?.into())
}
