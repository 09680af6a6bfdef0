use sea_orm::entity::prelude::*;

use crate::RequestStatus;

/// 延期申请: a department asks for a due date to move; the office decides.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deadline_change_request")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub due_date_id: i64,
    pub proposed_due_on: Date,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub progress_note: Option<String>,
    /// `admin` or `department:12`, as in the audit trail.
    pub requested_by: String,
    /// The requesting department; null when the administrator asked.
    pub department_id: Option<i64>,
    pub requested_at: DateTimeUtc,
    pub status: RequestStatus,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(column_type = "Text", nullable)]
    pub decision_note: Option<String>,
    pub granted_due_on: Option<Date>,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<super::item::Entity>,
    #[sea_orm(belongs_to, from = "due_date_id", to = "id")]
    pub due_date: BelongsTo<super::item_due_date::Entity>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<Option<super::department::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
