use sea_orm::entity::prelude::*;

use crate::enums::AccountRole;

/// A person who signs in. The password is kept only as its Argon2id hash.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lowercase; unique.
    #[sea_orm(unique)]
    pub login: String,
    /// How the audit trail and the pages name the person (张三).
    pub name: String,
    pub role: AccountRole,
    /// The department a liaison acts for; `None` for every other role.
    pub department_id: Option<i64>,
    pub email: Option<String>,
    /// The `sub` claim of the OpenID provider, once matched.
    #[sea_orm(unique)]
    pub oidc_subject: Option<String>,
    /// PHC string of the Argon2id hash; `None` until the person sets a password.
    pub password_hash: Option<String>,
    /// Set while the account is disabled: it signs nobody in.
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
