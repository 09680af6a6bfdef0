use sea_orm::entity::prelude::*;

use crate::NoticeStatus;

/// A password link to mail: asked for by an administrator, made and sent by the worker. The
/// link itself is never stored here.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_mail")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    /// The account's address when the mail was asked for.
    pub to_address: String,
    /// Who asked (a display name), for the email's words.
    pub requested_by: Option<String>,
    pub requested_at: DateTimeUtc,
    /// `skipped`: replaced by a newer request, or the account was disabled before sending.
    pub status: NoticeStatus,
    pub attempts: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub sent_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "account_id", to = "id")]
    pub account: BelongsTo<super::account::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
