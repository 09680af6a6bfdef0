//! What administrators change in the department directory: departments, their names and
//! aliases, and the contacts who receive reminders. Each change is one transaction with an
//! audit event; a name already in use is a conflict on the field that carries it.

use crate::store::audit::{Action, RecordKind};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter,
};
use serde_json::json;

use crate::store::{department::DepartmentResolver, unit_of_work::Change};
use crate::{
    DomainError,
    department::DepartmentName,
    email::EmailAddress,
    model::{Contact, Department},
};
use entity::{department, department_alias, department_contact};

fn name_taken(
    field: &str,
    name: &DepartmentName,
    resolver: &DepartmentResolver,
) -> Result<(), DomainError> {
    match resolver.find(name) {
        Some(_) => Err(DomainError::Conflict {
            field: field.to_owned(),
            message: format!("「{name}」已是某个部门的名称或别名"),
        }),
        None => Ok(()),
    }
}

async fn department_or_404<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<department::Model, DomainError> {
    department::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Department",
            id: id.to_string(),
        })
}

/// A new department called `name`; `field` names the input for a conflict.
pub async fn create_department(
    db: &DatabaseConnection,
    name: &DepartmentName,
    field: &str,
    change: &Change,
) -> Result<Department, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    name_taken(field, name, &DepartmentResolver::load(&txn).await?)?;
    let created = department::ActiveModel {
        name: Set(name.to_string()),
        created_at: Set(change.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    change
        .commit(
            txn,
            Action::DepartmentCreate,
            (RecordKind::Department, Some(created.id)),
            json!({ "name": created.name }),
        )
        .await?;
    Ok(created.into())
}

/// Renames a department; its old name becomes an alias, so lists that print it still match.
pub async fn rename_department(
    db: &DatabaseConnection,
    id: i64,
    name: &DepartmentName,
    field: &str,
    change: &Change,
) -> Result<Department, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = department_or_404(&txn, id).await?;
    let resolver = DepartmentResolver::load(&txn).await?;
    if resolver.find(name) == Some(id) && name.as_str() == current.name {
        txn.rollback().await?;
        return Ok(current.into());
    }
    // The department's own aliases may become its name; anyone else's may not.
    if resolver.find(name).is_some_and(|other| other != id) {
        name_taken(field, name, &resolver)?;
    }
    department_alias::Entity::delete_many()
        .filter(department_alias::Column::DepartmentId.eq(id))
        .filter(department_alias::Column::Alias.eq(name.as_str()))
        .exec(&txn)
        .await?;
    let old = current.name.clone();
    let mut active = current.into_active_model();
    active.name = Set(name.to_string());
    let renamed = active.update(&txn).await?;
    crate::store::department::insert_alias(&txn, id, &old, change.now).await?;
    change
        .commit(
            txn,
            Action::DepartmentRename,
            (RecordKind::Department, Some(id)),
            json!({ "from": old, "to": renamed.name }),
        )
        .await?;
    Ok(renamed.into())
}

/// Another name for a department.
pub async fn add_department_alias(
    db: &DatabaseConnection,
    id: i64,
    alias: &DepartmentName,
    field: &str,
    change: &Change,
) -> Result<Department, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = department_or_404(&txn, id).await?;
    name_taken(field, alias, &DepartmentResolver::load(&txn).await?)?;
    crate::store::department::insert_alias(&txn, id, alias.as_str(), change.now).await?;
    change
        .commit(
            txn,
            Action::DepartmentAlias,
            (RecordKind::Department, Some(id)),
            json!({ "alias": alias.to_string() }),
        )
        .await?;
    Ok(current.into())
}

/// A contact of department `id`. An address the department already has is a conflict on
/// `email_field`.
pub async fn add_contact(
    db: &DatabaseConnection,
    department_id: i64,
    person_name: &str,
    email: &EmailAddress,
    email_field: &str,
    change: &Change,
) -> Result<Contact, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    department_or_404(&txn, department_id).await?;
    let created = department_contact::ActiveModel {
        department_id: Set(department_id),
        person_name: Set(person_name.trim().to_owned()),
        email: Set(email.to_string()),
        active: Set(true),
        created_at: Set(change.now),
        updated_at: Set(change.now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|e| on_field(e.into(), email_field))?;
    change
        .commit(
            txn,
            Action::ContactAdd,
            (RecordKind::Contact, Some(created.id)),
            json!({ "department_id": department_id, "email": created.email }),
        )
        .await?;
    Ok(created.into())
}

/// What an update changes; `None` keeps the current value.
#[derive(Clone, Debug, Default)]
pub struct ContactUpdate {
    pub person_name: Option<String>,
    pub email: Option<EmailAddress>,
    pub active: Option<bool>,
}

pub async fn update_contact(
    db: &DatabaseConnection,
    id: i64,
    update: &ContactUpdate,
    email_field: &str,
    change: &Change,
) -> Result<Contact, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = contact_or_404(&txn, id).await?;
    let mut active = current.into_active_model();
    if let Some(name) = &update.person_name {
        active.person_name = Set(name.trim().to_owned());
    }
    if let Some(email) = &update.email {
        active.email = Set(email.to_string());
    }
    if let Some(flag) = update.active {
        active.active = Set(flag);
    }
    active.updated_at = Set(change.now);
    let updated = active
        .update(&txn)
        .await
        .map_err(|e| on_field(e.into(), email_field))?;
    change
        .commit(
            txn,
        Action::ContactUpdate,
        (RecordKind::Contact, Some(id)),
        json!({ "name": updated.person_name, "email": updated.email, "active": updated.active }),
        )
        .await?;
    Ok(updated.into())
}

/// Deletes a contact. Its ledger rows keep the address they went to.
pub async fn remove_contact(
    db: &DatabaseConnection,
    id: i64,
    change: &Change,
) -> Result<Contact, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let current = contact_or_404(&txn, id).await?;
    department_contact::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    change
        .commit(
            txn,
            Action::ContactRemove,
            (RecordKind::Contact, Some(id)),
            json!({ "department_id": current.department_id, "email": current.email }),
        )
        .await?;
    Ok(current.into())
}

async fn contact_or_404<C: sea_orm::ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<department_contact::Model, DomainError> {
    department_contact::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Contact",
            id: id.to_string(),
        })
}

/// A conflict reported by a constraint names the input field, not the columns.
fn on_field(err: DomainError, field: &str) -> DomainError {
    match err {
        DomainError::Conflict { message, .. } => DomainError::Conflict {
            field: field.to_owned(),
            message,
        },
        other => other,
    }
}

/// What a merge moved, for the audit trail and the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub assignments_moved: u64,
    /// Assignments `into` already had in the same role on the same item.
    pub assignments_already_there: u64,
    pub contacts_moved: u64,
    /// Contacts whose address `into` already had; the deliveries keep the address they went to.
    pub contacts_already_there: u64,
    pub aliases_moved: u64,
    /// Reminder delivery rows moved. (Stored in the audit trail under the name it had when
    /// "ledger" also meant the deliveries.)
    #[serde(rename = "ledger_rows_moved")]
    pub deliveries_moved: u64,
    /// Delivery rows that `into` already had for the same reminder to the same address: one
    /// reminder, recorded twice; their ids are kept here.
    #[serde(rename = "ledger_duplicates")]
    pub duplicate_deliveries: Vec<i64>,
    /// Progress reports `from` wrote, now credited to `into`.
    pub progress_moved: u64,
    /// Tokens issued to `from`; they now act for `into`, the same office under one name.
    pub tokens_moved: u64,
}

/// Merges department `from` into `into`: item assignments, contacts, aliases and ledger rows
/// move; `from`'s name becomes an alias of `into`; `from` is gone. `from_field` names the
/// argument for errors.
pub async fn merge_departments(
    db: &DatabaseConnection,
    from: i64,
    into: i64,
    from_field: &str,
    change: &Change,
) -> Result<(Department, MergeReport), DomainError> {
    use entity::{department_token, item_department, item_progress, reminder_delivery};
    if from == into {
        return Err(DomainError::validation(from_field, "部门不能合并到自身"));
    }
    let txn = crate::db::begin_write(db).await?;
    let source = department_or_404(&txn, from).await?;
    let target = department_or_404(&txn, into).await?;
    let mut report = MergeReport::default();

    let target_links = item_department::Entity::find()
        .filter(item_department::Column::DepartmentId.eq(into))
        .all(&txn)
        .await?;
    for link in item_department::Entity::find()
        .filter(item_department::Column::DepartmentId.eq(from))
        .all(&txn)
        .await?
    {
        if target_links
            .iter()
            .any(|t| t.item_id == link.item_id && t.role == link.role)
        {
            item_department::Entity::delete_by_id(link.id)
                .exec(&txn)
                .await?;
            report.assignments_already_there += 1;
        } else {
            let mut moved = link.into_active_model();
            moved.department_id = Set(into);
            moved.update(&txn).await?;
            report.assignments_moved += 1;
        }
    }

    let target_emails: Vec<String> = department_contact::Entity::find()
        .filter(department_contact::Column::DepartmentId.eq(into))
        .all(&txn)
        .await?
        .into_iter()
        .map(|c| c.email)
        .collect();
    for contact in department_contact::Entity::find()
        .filter(department_contact::Column::DepartmentId.eq(from))
        .all(&txn)
        .await?
    {
        if target_emails.contains(&contact.email) {
            department_contact::Entity::delete_by_id(contact.id)
                .exec(&txn)
                .await?;
            report.contacts_already_there += 1;
        } else {
            let mut moved = contact.into_active_model();
            moved.department_id = Set(into);
            moved.updated_at = Set(change.now);
            moved.update(&txn).await?;
            report.contacts_moved += 1;
        }
    }

    report.aliases_moved = department_alias::Entity::update_many()
        .col_expr(
            department_alias::Column::DepartmentId,
            sea_orm::sea_query::Expr::value(into),
        )
        .filter(department_alias::Column::DepartmentId.eq(from))
        .exec(&txn)
        .await?
        .rows_affected;

    let target_rows = reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::DepartmentId.eq(into))
        .all(&txn)
        .await?;
    for row in reminder_delivery::Entity::find()
        .filter(reminder_delivery::Column::DepartmentId.eq(from))
        .all(&txn)
        .await?
    {
        let same = |t: &reminder_delivery::Model| {
            t.due_date_id == row.due_date_id
                && t.item_id == row.item_id
                && t.due_date_version == row.due_date_version
                && t.contact_email == row.contact_email
                && t.stage == row.stage
        };
        if target_rows.iter().any(same) {
            report.duplicate_deliveries.push(row.id);
            reminder_delivery::Entity::delete_by_id(row.id)
                .exec(&txn)
                .await?;
        } else {
            let mut moved = row.into_active_model();
            moved.department_id = Set(into);
            moved.update(&txn).await?;
            report.deliveries_moved += 1;
        }
    }

    report.progress_moved = item_progress::Entity::update_many()
        .col_expr(
            item_progress::Column::DepartmentId,
            sea_orm::sea_query::Expr::value(into),
        )
        .filter(item_progress::Column::DepartmentId.eq(from))
        .exec(&txn)
        .await?
        .rows_affected;
    report.tokens_moved = department_token::Entity::update_many()
        .col_expr(
            department_token::Column::DepartmentId,
            sea_orm::sea_query::Expr::value(into),
        )
        .filter(department_token::Column::DepartmentId.eq(from))
        .exec(&txn)
        .await?
        .rows_affected;

    // A liaison of the merged department now acts for the one it joined.
    entity::account::Entity::update_many()
        .col_expr(
            entity::account::Column::DepartmentId,
            sea_orm::sea_query::Expr::value(into),
        )
        .filter(entity::account::Column::DepartmentId.eq(from))
        .exec(&txn)
        .await?;
    department::Entity::delete_by_id(from).exec(&txn).await?;
    crate::store::department::insert_alias(&txn, into, &source.name, change.now).await?;
    change
        .commit(
            txn,
            Action::DepartmentMerge,
            (RecordKind::Department, Some(into)),
            json!({ "from": { "id": from, "name": source.name }, "report": report }),
        )
        .await?;
    Ok((target.into(), report))
}
