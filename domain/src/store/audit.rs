//! The audit trail: every write records who did what to which record.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};

use crate::account::{Role, RoleRules};
use crate::store::page::{self, PageRequest};
use crate::{
    DomainError,
    model::{AuditEvent, Page},
};
use entity::audit_event;

/// How the audit trail names the break-glass token (`MINSHENG_ADMIN_TOKEN`).
pub const BREAK_GLASS_NAME: &str = "应急令牌";

/// Who acts: `key` is `account:3`, `admin` (the break-glass token), `department:12`, `cli`,
/// `worker`; `name` and `role` say who that was when it happened (张三, 督查员), since a
/// person's name and role may change later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub key: String,
    pub name: Option<String>,
    pub role: Option<Role>,
}

impl Actor {
    /// A process or a credential with no person behind it: `cli`, `worker`, `admin`.
    pub fn system(key: &str) -> Self {
        Self {
            key: key.to_owned(),
            name: None,
            role: None,
        }
    }

    /// A person signed in with an account.
    pub fn account(id: i64, name: &str, role: Role) -> Self {
        Self {
            key: format!("account:{id}"),
            name: Some(name.to_owned()),
            role: Some(role),
        }
    }

    /// The account id behind an actor key, for a person's events.
    pub fn account_id(key: &str) -> Option<i64> {
        key.strip_prefix("account:")?.parse().ok()
    }
}

/// What a write did. The stored names (`item.create`, …) are what `auditEvents(filter:
/// {action})` matches, and stay as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    ListImport,
    ListUpdate,
    ListArchive,
    ListUnarchive,
    ItemCreate,
    ItemUpdate,
    ItemDelete,
    ItemSetStatus,
    ItemChangeDeadline,
    ItemAssign,
    ItemUnassign,
    ItemReportProgress,
    /// 延期申请
    ItemRequestDeadlineChange,
    ItemDecideDeadlineChange,
    ItemWithdrawDeadlineChange,
    /// 办结报告
    ItemReportCompletion,
    /// 销号
    ItemConfirmCompletion,
    /// 退办
    ItemReturn,
    DepartmentCreate,
    DepartmentRename,
    DepartmentAlias,
    /// An alias added with the CLI (`api alias add`).
    DepartmentAliasAdd,
    DepartmentMerge,
    ContactAdd,
    ContactUpdate,
    ContactRemove,
    TokenIssue,
    TokenRevoke,
    AccountCreate,
    AccountUpdate,
    AccountDisable,
    AccountEnable,
    /// A one-time link to set a password was made (an invitation or a reset).
    AccountPasswordLink,
    /// An administrator asked for a password link to be mailed (the worker makes and sends it).
    AccountPasswordMail,
    /// A person set a password from a one-time link.
    AccountSetPassword,
    AccountSignIn,
    /// A failed sign-in: a wrong password, an unknown login, a disabled account, or throttled.
    AccountSignInFailed,
    AccountSignOut,
    /// An account was tied to a person at the OpenID provider (its `sub`), on their first
    /// single sign-on, by their verified email.
    AccountLinkProvider,
}

impl Action {
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::ListImport => "list.import",
            Action::ListUpdate => "list.update",
            Action::ListArchive => "list.archive",
            Action::ListUnarchive => "list.unarchive",
            Action::ItemCreate => "item.create",
            Action::ItemUpdate => "item.update",
            Action::ItemDelete => "item.delete",
            Action::ItemSetStatus => "item.set_status",
            Action::ItemChangeDeadline => "item.change_deadline",
            Action::ItemAssign => "item.assign",
            Action::ItemUnassign => "item.unassign",
            Action::ItemReportProgress => "item.report_progress",
            Action::ItemRequestDeadlineChange => "item.request_deadline_change",
            Action::ItemDecideDeadlineChange => "item.decide_deadline_change",
            Action::ItemWithdrawDeadlineChange => "item.withdraw_deadline_change",
            Action::ItemReportCompletion => "item.report_completion",
            Action::ItemConfirmCompletion => "item.confirm_completion",
            Action::ItemReturn => "item.return",
            Action::DepartmentCreate => "department.create",
            Action::DepartmentRename => "department.rename",
            Action::DepartmentAlias => "department.alias",
            Action::DepartmentAliasAdd => "department.alias.add",
            Action::DepartmentMerge => "department.merge",
            Action::ContactAdd => "contact.add",
            Action::ContactUpdate => "contact.update",
            Action::ContactRemove => "contact.remove",
            Action::TokenIssue => "department_token.issue",
            Action::TokenRevoke => "department_token.revoke",
            Action::AccountCreate => "account.create",
            Action::AccountUpdate => "account.update",
            Action::AccountDisable => "account.disable",
            Action::AccountEnable => "account.enable",
            Action::AccountPasswordLink => "account.password_link",
            Action::AccountPasswordMail => "account.password_mail",
            Action::AccountSetPassword => "account.set_password",
            Action::AccountSignIn => "account.sign_in",
            Action::AccountSignInFailed => "account.sign_in_failed",
            Action::AccountSignOut => "account.sign_out",
            Action::AccountLinkProvider => "account.link_provider",
        }
    }
}

/// The kind of record an event is about (the table it lives in).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    ProjectList,
    Item,
    Department,
    Contact,
    DepartmentToken,
    Account,
}

impl RecordKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::ProjectList => "project_list",
            RecordKind::Item => "item",
            RecordKind::Department => "department",
            RecordKind::Contact => "department_contact",
            RecordKind::DepartmentToken => "department_token",
            RecordKind::Account => "account",
        }
    }

    /// The kind a stored `entity_type` names.
    pub fn parse(text: &str) -> Option<Self> {
        [
            RecordKind::ProjectList,
            RecordKind::Item,
            RecordKind::Department,
            RecordKind::Contact,
            RecordKind::DepartmentToken,
            RecordKind::Account,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: Action,
    entity: (RecordKind, Option<i64>),
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    audit_event::ActiveModel {
        occurred_at: Set(now),
        actor: Set(actor.key.clone()),
        actor_name: Set(actor.name.clone()),
        actor_role: Set(actor.role.map(|r| r.cli_name().to_owned())),
        action: Set(action.as_str().to_owned()),
        entity_type: Set(entity.0.as_str().to_owned()),
        entity_id: Set(entity.1),
        payload: Set(payload),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Which audit events.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Events about this record: (item, 12).
    pub entity: Option<(RecordKind, i64)>,
    pub action: Option<String>,
    pub actor: Option<String>,
}

/// One page of the audit trail, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    request: &PageRequest<i64>,
) -> Result<Page<AuditEvent>, DomainError> {
    let mut select = audit_event::Entity::find();
    if let Some((entity_type, entity_id)) = &filter.entity {
        select = select
            .filter(audit_event::Column::EntityType.eq(entity_type.as_str()))
            .filter(audit_event::Column::EntityId.eq(*entity_id));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(actor) = &filter.actor {
        select = select.filter(audit_event::Column::Actor.eq(actor.as_str()));
    }
    let id = Expr::col((audit_event::Entity, audit_event::Column::Id));
    page::newest_first(db, select, id, request).await
}

/// Every event about one record, oldest first: an item's history (留痕).
pub async fn of_record<C: ConnectionTrait>(
    db: &C,
    kind: RecordKind,
    id: i64,
) -> Result<Vec<AuditEvent>, DomainError> {
    use sea_orm::QueryOrder;
    Ok(audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(kind.as_str()))
        .filter(audit_event::Column::EntityId.eq(id))
        .order_by_asc(audit_event::Column::OccurredAt)
        .order_by_asc(audit_event::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(AuditEvent::from)
        .collect())
}
