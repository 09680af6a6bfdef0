use sea_orm::entity::prelude::*;

/// A signed-in browser. Only the SHA-256 digest of the cookie's secret is kept.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_session")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub account_id: i64,
    #[sea_orm(unique)]
    pub token_sha256: String,
    pub created_at: DateTimeUtc,
    /// Moved forward (at most once a minute) by requests; the idle timeout counts from it.
    pub last_seen_at: DateTimeUtc,
    /// The absolute end of the session, however busy.
    pub expires_at: DateTimeUtc,
    /// Set by 退出, 全部退出, or a change to the account that ends its sessions.
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "account_id", to = "id")]
    pub account: BelongsTo<super::account::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
