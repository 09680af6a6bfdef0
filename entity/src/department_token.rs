use sea_orm::entity::prelude::*;

/// A bearer token issued to a department. Only the SHA-256 digest of the secret is kept.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_token")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub department_id: i64,
    /// Lowercase hex SHA-256 of the secret.
    #[sea_orm(unique)]
    pub token_sha256: String,
    pub created_at: DateTimeUtc,
    /// Set when an administrator revoked the token; it no longer authenticates.
    pub revoked_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<super::department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
