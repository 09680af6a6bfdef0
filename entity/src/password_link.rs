use sea_orm::entity::prelude::*;

use crate::enums::PasswordLinkPurpose;

/// A one-time link to set a password. Only the SHA-256 digest of its secret is kept.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_link")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    #[sea_orm(unique)]
    pub token_sha256: String,
    pub purpose: PasswordLinkPurpose,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    /// Set when the link set a password, or when a newer link replaced it.
    pub used_at: Option<DateTimeUtc>,
}

impl ActiveModelBehavior for ActiveModel {}
