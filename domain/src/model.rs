//! Domain models read from the database. The GraphQL layer maps these to its own types.

use chrono::{DateTime, Utc};
pub use entity::{DepartmentRole, DueKind, DuePrecision, ItemStatus};

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
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One page of a keyset-paginated query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Whether rows exist past the last one returned.
    pub has_more: bool,
}
