//! Turns violations of the schema's named constraints into domain terms.
//!
//! PostgreSQL says which constraint failed (`constraint()` of its error). SQLite says so only in
//! its message: a CHECK constraint by name, a unique index by its columns (`UNIQUE constraint
//! failed: department.name`) or, over an expression, by name; so each entry carries both
//! signatures, and a foreign key is known by the error's kind.

use sea_orm::{
    DbErr, RuntimeErr,
    sqlx::error::{DatabaseError, ErrorKind},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    Unique,
    ForeignKey,
    Check,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub name: &'static str,
    /// What SQLite prints after `UNIQUE constraint failed: ` for a unique index.
    pub sqlite_columns: Option<&'static str>,
    pub kind: ViolationKind,
    /// The input field the violation is about.
    pub field: &'static str,
    pub message: &'static str,
}

const fn unique(
    name: &'static str,
    columns: &'static str,
    field: &'static str,
    message: &'static str,
) -> Constraint {
    Constraint {
        name,
        sqlite_columns: Some(columns),
        kind: ViolationKind::Unique,
        field,
        message,
    }
}

const fn check(name: &'static str, field: &'static str, message: &'static str) -> Constraint {
    Constraint {
        name,
        sqlite_columns: None,
        kind: ViolationKind::Check,
        field,
        message,
    }
}

const fn foreign(name: &'static str, field: &'static str, message: &'static str) -> Constraint {
    Constraint {
        name,
        sqlite_columns: None,
        kind: ViolationKind::ForeignKey,
        field,
        message,
    }
}

/// Every named constraint of the schema that input can violate.
pub const CONSTRAINTS: &[Constraint] = &[
    unique(
        "uq_project_list_source_sha256",
        "project_list.source_sha256",
        "sourceText",
        "同样文本的清单已经导入过",
    ),
    unique(
        "uq_item_list_number",
        "item.list_id, item.number",
        "number",
        "清单里已有这个编号的事项",
    ),
    unique(
        "uq_item_due_date_milestone",
        "item_due_date.item_id, item_due_date.version, item_due_date.kind, item_due_date.due_on",
        "dueOn",
        "the item already has this milestone",
    ),
    unique(
        "uq_department_name",
        "department.name",
        "name",
        "已有同名部门",
    ),
    unique(
        "uq_department_alias_alias",
        "department_alias.alias",
        "alias",
        "这个别名已指向某个部门",
    ),
    // Over `lower(email)` since migration 10: SQLite then names the index, not its columns.
    unique(
        "uq_department_contact_email",
        "department_contact.department_id, department_contact.email",
        "email",
        "该部门已有使用这个邮箱的联系人（不分大小写）",
    ),
    unique(
        "uq_item_department_role",
        "item_department.item_id, item_department.department_id, item_department.role",
        "departmentId",
        "该部门在这个事项上已是这个角色",
    ),
    unique(
        "uq_reminder_delivery_once",
        "reminder_delivery.due_date_id, reminder_delivery.due_date_version, reminder_delivery.department_id, reminder_delivery.contact_email, reminder_delivery.stage",
        "stage",
        "this reminder is already in the ledger",
    ),
    unique(
        "uq_department_token_sha256",
        "department_token.token_sha256",
        "token",
        "this token is already issued",
    ),
    check(
        "ck_item_progress_percent",
        "percent",
        "应为 0 到 100 的整数",
    ),
    unique(
        "uq_reminder_delivery_checkin",
        "reminder_delivery.item_id, reminder_delivery.department_id, reminder_delivery.contact_email, reminder_delivery.stage",
        "stage",
        "this check-in is already in the ledger",
    ),
    check(
        "ck_reminder_delivery_subject",
        "dueDateId",
        "a ledger row names either a due date or (a check-in) an item",
    ),
    check("ck_item_status", "status", "not a known item status"),
    check(
        "ck_item_due_date_precision",
        "precision",
        "not a known due-date precision",
    ),
    check("ck_item_due_date_kind", "kind", "not a known due-date kind"),
    check(
        "ck_item_department_role",
        "role",
        "not a known department role",
    ),
    check(
        "ck_reminder_delivery_status",
        "status",
        "not a known delivery status",
    ),
    foreign("fk_item_list", "listId", "the list does not exist"),
    foreign("fk_item_due_date_item", "itemId", "the item does not exist"),
    foreign(
        "fk_department_alias_department",
        "departmentId",
        "the department does not exist",
    ),
    foreign(
        "fk_department_contact_department",
        "departmentId",
        "the department does not exist",
    ),
    foreign(
        "fk_item_department_item",
        "itemId",
        "the item does not exist",
    ),
    foreign(
        "fk_item_department_department",
        "departmentId",
        "the department does not exist or is still referenced",
    ),
    foreign(
        "fk_reminder_delivery_due_date",
        "dueDateId",
        "the due date does not exist",
    ),
    foreign(
        "fk_reminder_delivery_department",
        "departmentId",
        "the department does not exist",
    ),
    foreign(
        "fk_department_token_department",
        "departmentId",
        "the department does not exist",
    ),
    foreign("fk_item_progress_item", "itemId", "the item does not exist"),
    foreign(
        "fk_reminder_delivery_item",
        "itemId",
        "the item does not exist",
    ),
    foreign(
        "fk_item_progress_department",
        "departmentId",
        "the department does not exist",
    ),
    foreign(
        "fk_reminder_delivery_contact",
        "contactId",
        "the contact does not exist",
    ),
    unique(
        "uq_deadline_change_request_pending",
        "deadline_change_request.due_date_id",
        "dueDateId",
        "这个到期日已有待审核的延期申请：请撤回或等待审核结果",
    ),
    check(
        "ck_deadline_change_request_status",
        "status",
        "not a known request status",
    ),
    foreign(
        "fk_deadline_change_request_item",
        "itemId",
        "the item does not exist",
    ),
    foreign(
        "fk_deadline_change_request_due_date",
        "dueDateId",
        "the due date does not exist",
    ),
    foreign(
        "fk_deadline_change_request_department",
        "departmentId",
        "the department does not exist",
    ),
    unique(
        "uq_supervision_notice_request",
        "supervision_notice.request_id, supervision_notice.kind, supervision_notice.department_id",
        "requestId",
        "this notice is already recorded",
    ),
    check(
        "ck_supervision_notice_kind",
        "kind",
        "not a known notice kind",
    ),
    check(
        "ck_supervision_notice_status",
        "status",
        "not a known notice status",
    ),
    foreign(
        "fk_supervision_notice_item",
        "itemId",
        "the item does not exist",
    ),
    foreign(
        "fk_supervision_notice_request",
        "requestId",
        "the request does not exist",
    ),
    foreign(
        "fk_supervision_notice_department",
        "departmentId",
        "the department does not exist",
    ),
    unique(
        "uq_account_login",
        "account.login",
        "login",
        "这个登录名已被使用",
    ),
    unique(
        "uq_account_oidc_subject",
        "account.oidc_subject",
        "oidcSubject",
        "这个统一身份认证账号已绑定其他账号",
    ),
    check("ck_account_role", "role", "not a known role"),
    check(
        "ck_account_liaison_department",
        "departmentId",
        "联络员须绑定一个部门，其他角色不绑定部门",
    ),
    foreign(
        "fk_account_department",
        "departmentId",
        "the department does not exist",
    ),
];

/// SQLite does not name the foreign key that failed.
const SQLITE_FOREIGN_KEY: Constraint = foreign(
    "foreign key",
    "reference",
    "refers to a record that does not exist, or is still referenced",
);

/// The database's own error inside `err`, when the driver reported one.
pub fn database_error(err: &DbErr) -> Option<&dyn DatabaseError> {
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => e.as_database_error(),
        _ => None,
    }
}

/// Whether PostgreSQL cancelled the statement at `statement_timeout` (SQLSTATE 57014).
pub fn is_statement_timeout(err: &DbErr) -> bool {
    database_error(err).is_some_and(|e| e.code().as_deref() == Some("57014"))
}

/// The constraint `err` violates, if it is one of ours.
pub fn classify(err: &DbErr) -> Option<Constraint> {
    match database_error(err) {
        Some(db) => {
            if let Some(name) = db.constraint() {
                return CONSTRAINTS.iter().find(|c| c.name == name).copied();
            }
            by_message(db.message()).or_else(|| {
                (db.kind() == ErrorKind::ForeignKeyViolation).then_some(SQLITE_FOREIGN_KEY)
            })
        }
        None => by_message(&err.to_string()),
    }
}

/// The constraint SQLite names in its message (it offers nothing else).
fn by_message(text: &str) -> Option<Constraint> {
    CONSTRAINTS
        .iter()
        .find(|c| {
            contains_name(text, c.name)
                || c.sqlite_columns
                    .is_some_and(|cols| text.contains(&format!("UNIQUE constraint failed: {cols}")))
        })
        .copied()
}

/// Matches a whole constraint name, not a prefix of a longer one.
fn contains_name(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let next = text[at + name.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_text(text: &str) -> Option<&'static str> {
        classify(&DbErr::Custom(text.to_owned())).map(|c| c.field)
    }

    #[test]
    fn recognises_postgres_and_sqlite_messages() {
        assert_eq!(
            classify_text(r#"duplicate key value violates unique constraint "uq_department_name""#),
            Some("name")
        );
        assert_eq!(
            classify_text("UNIQUE constraint failed: department.name"),
            Some("name")
        );
        assert_eq!(
            classify_text("CHECK constraint failed: ck_item_status"),
            Some("status")
        );
        assert_eq!(classify_text("connection refused"), None);
    }

    #[test]
    fn names_are_matched_whole() {
        assert_eq!(
            classify_text(r#"violates check constraint "ck_item_status_extra""#),
            None
        );
    }

    #[test]
    fn every_constraint_name_is_unique() {
        let mut names: Vec<_> = CONSTRAINTS.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CONSTRAINTS.len());
    }
}
