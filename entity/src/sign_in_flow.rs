use sea_orm::entity::prelude::*;

/// A single sign-on begun at the OpenID provider and not yet finished. The browser keeps the
/// `state`; only its SHA-256 digest is stored.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_flow")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub state_sha256: String,
    /// What the ID token's `nonce` claim must be.
    pub nonce: String,
    /// PKCE: the secret whose digest went to the provider with the request.
    pub pkce_verifier: String,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
