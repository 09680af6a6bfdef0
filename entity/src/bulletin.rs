use sea_orm::entity::prelude::*;

use crate::BulletinStatus;

/// One periodic bulletin (情况通报): a row per period, unique, so that it is sent once.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bulletin")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The scheduled instant that opens the period; the bulletin is written as of it.
    #[sea_orm(unique)]
    pub period_start: DateTimeUtc,
    /// The previous period's start: "since the last bulletin" begins here.
    pub covers_from: DateTimeUtc,
    pub status: BulletinStatus,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub message_id: Option<String>,
    /// The addresses it went to, comma-separated.
    #[sea_orm(column_type = "Text", nullable)]
    pub recipients: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
