//! Domain models read from the database. The GraphQL layer maps these to its own types.

use chrono::{DateTime, NaiveDate, Utc};
pub use entity::{
    BulletinStatus, DeliveryStatus, DepartmentRole, DueKind, DuePrecision, ItemStatus, NoticeKind,
    NoticeStatus, PasswordLinkPurpose, RequestStatus,
};

/// A published list (清单).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectList {
    pub id: i64,
    pub title: String,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub batch_label: Option<String>,
    pub source_sha256: String,
    pub imported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Set while the list is put away (归档).
    pub archived_at: Option<DateTime<Utc>>,
}

impl From<entity::project_list::Model> for ProjectList {
    fn from(m: entity::project_list::Model) -> Self {
        Self {
            id: m.id,
            title: m.title,
            issuer: m.issuer,
            year: m.year,
            batch_label: m.batch_label,
            source_sha256: m.source_sha256,
            imported_at: m.imported_at,
            updated_at: m.updated_at,
            archived_at: m.archived_at,
        }
    }
}

/// One numbered item (事项) of a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub list_id: i64,
    pub number: i32,
    pub number_text: String,
    pub title: String,
    pub content: String,
    pub deadline_text: String,
    pub ongoing: bool,
    pub status: ItemStatus,
    /// Phrases kept verbatim where a department was expected (e.g. 各县区政府).
    pub generic_phrases: Vec<String>,
    /// The earliest active due date; `None` for items with no dated deadline.
    pub earliest_due_on: Option<NaiveDate>,
    /// The day the office confirmed completion (销号).
    pub completed_on: Option<NaiveDate>,
    /// The category heading the item is printed under (`教育文化`).
    pub category: Option<String>,
    /// People named on the item (牵头领导, 项目责任人), never departments.
    pub responsible_people: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<entity::item::Model> for Item {
    fn from(m: entity::item::Model) -> Self {
        Self {
            id: m.id,
            list_id: m.list_id,
            number: m.number,
            number_text: m.number_text,
            title: m.title,
            content: m.content,
            deadline_text: m.deadline_text,
            ongoing: m.ongoing,
            status: m.status,
            generic_phrases: serde_json::from_value(m.generic_phrases).unwrap_or_default(),
            earliest_due_on: m.earliest_due_on,
            completed_on: m.completed_on,
            category: m.category,
            responsible_people: serde_json::from_value(m.responsible_people).unwrap_or_default(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One dated deadline of an item; a changed deadline is a new version, the old one inactive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDate {
    pub id: i64,
    pub item_id: i64,
    pub due_on: NaiveDate,
    pub precision: DuePrecision,
    pub kind: DueKind,
    pub label: Option<String>,
    pub version: i32,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<entity::item_due_date::Model> for DueDate {
    fn from(m: entity::item_due_date::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            due_on: m.due_on,
            precision: m.precision,
            kind: m.kind,
            label: m.label,
            version: m.version,
            active: m.active,
            created_at: m.created_at,
        }
    }
}

/// A department (部门) under its canonical name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<entity::department::Model> for Department {
    fn from(m: entity::department::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            created_at: m.created_at,
        }
    }
}

/// A department's role on an item, in the order the list printed the departments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub item_id: i64,
    pub role: DepartmentRole,
    pub position: i32,
    pub department: Department,
}

/// A person at a department who receives reminders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub department_id: i64,
    pub person_name: String,
    pub email: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<entity::department_contact::Model> for Contact {
    fn from(m: entity::department_contact::Model) -> Self {
        Self {
            id: m.id,
            department_id: m.department_id,
            person_name: m.person_name,
            email: m.email,
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One row of the reminder ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderDelivery {
    pub id: i64,
    /// The due date reminded of; `None` for a monthly check-in.
    pub due_date_id: Option<i64>,
    /// The item of a monthly check-in; `None` for a due date's reminder.
    pub item_id: Option<i64>,
    pub due_date_version: i32,
    pub department_id: i64,
    pub contact_id: Option<i64>,
    pub contact_email: String,
    pub stage: String,
    pub planned_for: NaiveDate,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub sent_at: Option<DateTime<Utc>>,
    pub message_id: Option<String>,
    /// 签收: when the email's link was followed, or the department acknowledged it.
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<entity::reminder_delivery::Model> for ReminderDelivery {
    fn from(m: entity::reminder_delivery::Model) -> Self {
        Self {
            id: m.id,
            due_date_id: m.due_date_id,
            item_id: m.item_id,
            due_date_version: m.due_date_version,
            department_id: m.department_id,
            contact_id: m.contact_id,
            contact_email: m.contact_email,
            stage: m.stage,
            planned_for: m.planned_for,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at,
            sent_at: m.sent_at,
            message_id: m.message_id,
            acknowledged_at: m.acknowledged_at,
            created_at: m.created_at,
        }
    }
}

/// One page of a keyset-paginated query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Whether rows exist past the page in the direction of travel.
    pub has_more: bool,
}

/// A progress report (进展) on an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgressReport {
    pub id: i64,
    pub item_id: i64,
    pub note: String,
    pub percent: i32,
    /// `admin`, `department:12`, or `import` for progress a list printed.
    pub author: String,
    /// The reporting department; `None` when an administrator reported.
    pub department_id: Option<i64>,
    pub reported_at: DateTime<Utc>,
}

impl From<entity::item_progress::Model> for ProgressReport {
    fn from(m: entity::item_progress::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            note: m.note,
            percent: m.percent,
            author: m.author,
            department_id: m.department_id,
            reported_at: m.reported_at,
        }
    }
}

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub payload: serde_json::Value,
    /// The person or token as named then; `None` for events before accounts, and for processes.
    pub actor_name: Option<String>,
    /// The account's role then (`clerk`), for a person's events.
    pub actor_role: Option<entity::AccountRole>,
}

impl From<entity::audit_event::Model> for AuditEvent {
    fn from(m: entity::audit_event::Model) -> Self {
        Self {
            id: m.id,
            occurred_at: m.occurred_at,
            actor: m.actor,
            action: m.action,
            entity_type: m.entity_type,
            entity_id: m.entity_id,
            payload: m.payload,
            actor_name: m.actor_name,
            actor_role: m
                .actor_role
                .as_deref()
                .and_then(|r| crate::account::parse_role(r).ok()),
        }
    }
}

/// 延期申请: a request to move one due date, and the office's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadlineChangeRequest {
    pub id: i64,
    pub item_id: i64,
    pub due_date_id: i64,
    pub proposed_due_on: NaiveDate,
    pub reason: String,
    pub progress_note: Option<String>,
    /// `admin` or `department:12`, as in the audit trail.
    pub requested_by: String,
    /// The requesting department; `None` when the administrator asked.
    pub department_id: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
    /// The date the office granted (approved requests only).
    pub granted_due_on: Option<NaiveDate>,
}

impl From<entity::deadline_change_request::Model> for DeadlineChangeRequest {
    fn from(m: entity::deadline_change_request::Model) -> Self {
        Self {
            id: m.id,
            item_id: m.item_id,
            due_date_id: m.due_date_id,
            proposed_due_on: m.proposed_due_on,
            reason: m.reason,
            progress_note: m.progress_note,
            requested_by: m.requested_by,
            department_id: m.department_id,
            requested_at: m.requested_at,
            status: m.status,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            decision_note: m.decision_note,
            granted_due_on: m.granted_due_on,
        }
    }
}
