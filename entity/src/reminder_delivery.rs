use sea_orm::entity::prelude::*;

use crate::DeliveryStatus;

/// The reminder ledger: one row per (due date version, department, contact address, stage), or,
/// for the monthly check-in of an item that is only ongoing, per (item, department, contact
/// address, month). Its unique keys are what make a reminder go out once, whatever number of
/// workers run.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_delivery")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The due date reminded of; `None` for a check-in (then `item_id` is set).
    pub due_date_id: Option<i64>,
    /// The due date's version; 0 for a check-in.
    pub due_date_version: i32,
    pub department_id: i64,
    pub contact_id: Option<i64>,
    /// The address at planning time; the ledger keeps it even if the contact changes later.
    pub contact_email: String,
    /// `T-7`, `due`, `overdue-1`, `checkin-2021-07`, ...
    pub stage: String,
    pub planned_for: Date,
    pub status: DeliveryStatus,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// Earliest time of the next attempt (retry backoff).
    pub next_attempt_at: Option<DateTimeUtc>,
    /// A `sending` row whose claim has expired may be claimed again (a worker died mid-send).
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    pub message_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The item of a check-in; `None` for a due date's reminder.
    pub item_id: Option<i64>,
    /// 签收: when the contact followed the email's link (or the department acknowledged it).
    pub acknowledged_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "due_date_id", to = "id")]
    pub due_date: BelongsTo<Option<super::item_due_date::Entity>>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<super::department::Entity>,
    #[sea_orm(belongs_to, from = "contact_id", to = "id")]
    pub contact: BelongsTo<Option<super::department_contact::Entity>>,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<Option<super::item::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
