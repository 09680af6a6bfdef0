use sea_orm::entity::prelude::*;

/// A failed sign-in, kept for a while to throttle guessing per login and per client address.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_failure")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The login as typed (lowercased, cut to 64 characters), known or not.
    pub login: String,
    pub client_address: String,
    pub failed_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
