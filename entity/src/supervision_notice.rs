use sea_orm::entity::prelude::*;

use crate::{NoticeKind, NoticeStatus};

/// Something the worker tells once: the office of a new 延期申请, a department of the office's
/// decision or of an item sent back (退办).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_notice")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: NoticeKind,
    pub item_id: i64,
    pub request_id: Option<i64>,
    /// The department told; null for the supervision office.
    pub department_id: Option<i64>,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub created_at: DateTimeUtc,
    pub status: NoticeStatus,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<super::item::Entity>,
    #[sea_orm(belongs_to, from = "request_id", to = "id")]
    pub request: BelongsTo<Option<super::deadline_change_request::Entity>>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<Option<super::department::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
