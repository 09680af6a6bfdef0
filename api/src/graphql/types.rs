//! GraphQL object types: their own structs, mapped from domain models, so no column reaches
//! the public schema unless it is listed here.

use async_graphql::{Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use domain::model;

use super::ids;

/// A published list of key livelihood projects (重点民生项目清单).
#[derive(SimpleObject)]
pub struct ProjectList {
    pub id: ID,
    /// The title as printed.
    pub title: String,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub batch_label: Option<String>,
    pub imported_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<model::ProjectList> for ProjectList {
    fn from(l: model::ProjectList) -> Self {
        Self {
            id: ids::encode("ProjectList", l.id),
            title: l.title,
            issuer: l.issuer,
            year: l.year,
            batch_label: l.batch_label,
            imported_at: l.imported_at,
            updated_at: l.updated_at,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ItemStatus {
    Open,
    InProgress,
    Done,
    Closed,
}

impl From<model::ItemStatus> for ItemStatus {
    fn from(s: model::ItemStatus) -> Self {
        match s {
            model::ItemStatus::Open => Self::Open,
            model::ItemStatus::InProgress => Self::InProgress,
            model::ItemStatus::Done => Self::Done,
            model::ItemStatus::Closed => Self::Closed,
        }
    }
}

/// One numbered item (事项) of a list.
#[derive(SimpleObject)]
pub struct Item {
    pub id: ID,
    pub number: i32,
    /// The number as printed, e.g. `十九`.
    pub number_text: String,
    pub title: String,
    /// 事项内容
    pub content: String,
    /// 完成时限, verbatim.
    pub deadline_text: String,
    /// 长期坚持: the work continues past any dated milestone.
    pub ongoing: bool,
    pub status: ItemStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<model::Item> for Item {
    fn from(i: model::Item) -> Self {
        Self {
            id: ids::encode("Item", i.id),
            number: i.number,
            number_text: i.number_text,
            title: i.title,
            content: i.content,
            deadline_text: i.deadline_text,
            ongoing: i.ongoing,
            status: i.status.into(),
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}
