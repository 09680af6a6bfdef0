//! Accounts: people who sign in. `sessions` (the signed-in browsers), `links` (one-time links to
//! set a password), `mail` (those links by email, sent by the worker), `sign_in` (password sign-in with throttling), `single_sign_on` (sign-in
//! through an OpenID provider: who the provider's person is here). The rules of what a role may
//! do are in `crate::account`.

pub mod links;
pub mod mail;
pub mod sessions;
pub mod sign_in;
pub mod single_sign_on;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::{
    DomainError,
    account::{DisplayName, Login, Role, RoleRules},
    email::EmailAddress,
    store::{
        audit::{Action, RecordKind},
        unit_of_work::Change,
    },
};
use entity::{PasswordLinkPurpose, account, department};

/// A person's account, as the office sees it: never the password hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub email: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<account::Model> for Account {
    fn from(m: account::Model) -> Self {
        Self {
            id: m.id,
            login: m.login,
            name: m.name,
            role: m.role,
            department_id: m.department_id,
            email: m.email,
            disabled_at: m.disabled_at,
            has_password: m.password_hash.is_some(),
            created_at: m.created_at,
        }
    }
}

/// A new account, parsed.
#[derive(Clone, Debug)]
pub struct NewAccount {
    pub login: Login,
    pub name: DisplayName,
    pub role: Role,
    pub department_id: Option<i64>,
    pub email: Option<EmailAddress>,
}

/// What an update changes; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct AccountChanges {
    pub name: Option<DisplayName>,
    pub role: Option<Role>,
    /// For a liaison: the department. Ignored (cleared) for other roles.
    pub department_id: Option<i64>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<EmailAddress>>,
}

/// The department a role needs: a liaison one, the others none.
fn department_for(role: Role, department_id: Option<i64>) -> Result<Option<i64>, DomainError> {
    match (role, department_id) {
        (Role::Liaison, None) => Err(DomainError::Validation {
            field: "departmentId".into(),
            message: "联络员须绑定一个部门".into(),
        }),
        (Role::Liaison, Some(id)) => Ok(Some(id)),
        (_, _) => Ok(None),
    }
}

async fn department_exists<C: ConnectionTrait>(db: &C, id: Option<i64>) -> Result<(), DomainError> {
    if let Some(id) = id
        && department::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(DomainError::Validation {
            field: "departmentId".into(),
            message: "没有这个部门".into(),
        });
    }
    Ok(())
}

/// Creates an account and its invitation: a one-time link to set the first password.
pub async fn create(
    db: &DatabaseConnection,
    new: NewAccount,
    link_ttl: chrono::Duration,
    change: &Change,
) -> Result<(Account, links::IssuedLink), DomainError> {
    let department_id = department_for(new.role, new.department_id)?;
    let txn = crate::db::begin_write(db).await?;
    department_exists(&txn, department_id).await?;
    let row = account::ActiveModel {
        login: Set(new.login.as_str().to_owned()),
        name: Set(new.name.as_str().to_owned()),
        role: Set(new.role),
        department_id: Set(department_id),
        email: Set(new.email.map(|e| e.as_str().to_owned())),
        oidc_subject: Set(None),
        password_hash: Set(None),
        disabled_at: Set(None),
        created_at: Set(change.now),
        updated_at: Set(change.now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let link = links::issue(
        &txn,
        row.id,
        PasswordLinkPurpose::Invite,
        link_ttl,
        change.now,
    )
    .await?;
    change
        .commit(
            txn,
            Action::AccountCreate,
            (RecordKind::Account, Some(row.id)),
            json!({ "login": row.login, "name": row.name, "role": row.role.cli_name(),
                    "department_id": row.department_id }),
        )
        .await?;
    Ok((row.into(), link))
}

/// An update, and whether it ended the account's sessions (a change of role or department
/// does: what the person may do changed under them).
pub struct Updated {
    pub account: Account,
    pub ended_sessions: bool,
}

pub async fn update(
    db: &DatabaseConnection,
    id: i64,
    changes: AccountChanges,
    change: &Change,
) -> Result<Updated, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = find_row(&txn, id).await?;
    let role = changes.role.unwrap_or(row.role);
    let department_id = department_for(role, changes.department_id.or(row.department_id))?;
    department_exists(&txn, department_id).await?;
    let powers_changed = role != row.role || department_id != row.department_id;
    let mut active = row.clone().into_active_model();
    if let Some(name) = &changes.name {
        active.name = Set(name.as_str().to_owned());
    }
    active.role = Set(role);
    active.department_id = Set(department_id);
    if let Some(email) = &changes.email {
        active.email = Set(email.as_ref().map(|e| e.as_str().to_owned()));
    }
    active.updated_at = Set(change.now);
    let updated = active.update(&txn).await?;
    if powers_changed {
        sessions::end_all(&txn, id, change.now).await?;
    }
    change
        .commit(
            txn,
            Action::AccountUpdate,
            (RecordKind::Account, Some(id)),
            json!({
                "name": updated.name,
                "role": updated.role.cli_name(),
                "previous_role": row.role.cli_name(),
                "department_id": updated.department_id,
            }),
        )
        .await?;
    Ok(Updated {
        account: updated.into(),
        ended_sessions: powers_changed,
    })
}

/// Disables (`true`) or enables an account. Disabling ends its sessions; doing either twice
/// changes nothing the second time.
pub async fn set_disabled(
    db: &DatabaseConnection,
    id: i64,
    disabled: bool,
    change: &Change,
) -> Result<Account, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = find_row(&txn, id).await?;
    if row.disabled_at.is_some() == disabled {
        return Ok(row.into());
    }
    let mut active = row.into_active_model();
    active.disabled_at = Set(disabled.then_some(change.now));
    active.updated_at = Set(change.now);
    let row = active.update(&txn).await?;
    if disabled {
        sessions::end_all(&txn, id, change.now).await?;
    }
    change
        .commit(
            txn,
            if disabled {
                Action::AccountDisable
            } else {
                Action::AccountEnable
            },
            (RecordKind::Account, Some(id)),
            json!({ "login": row.login }),
        )
        .await?;
    Ok(row.into())
}

async fn find_row<C: ConnectionTrait>(db: &C, id: i64) -> Result<account::Model, DomainError> {
    account::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Account",
            id: id.to_string(),
        })
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<Account>, DomainError> {
    Ok(account::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Account::from))
}

/// Every account, by login.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Account>, DomainError> {
    Ok(account::Entity::find()
        .order_by_asc(account::Column::Login)
        .all(db)
        .await?
        .into_iter()
        .map(Account::from)
        .collect())
}

/// Whether an enabled administrator account exists (the server says how to make one if not).
pub async fn has_administrator<C: ConnectionTrait>(db: &C) -> Result<bool, DomainError> {
    Ok(account::Entity::find()
        .filter(account::Column::Role.eq(Role::Admin))
        .filter(account::Column::DisabledAt.is_null())
        .count(db)
        .await?
        > 0)
}

pub async fn by_login<C: ConnectionTrait>(
    db: &C,
    login: &Login,
) -> Result<Option<Account>, DomainError> {
    Ok(account::Entity::find()
        .filter(account::Column::Login.eq(login.as_str()))
        .one(db)
        .await?
        .map(Account::from))
}
