//! `Account`: a person who signs in, as administrators (and the person) see it: never the
//! password or its hash.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use domain::{account::RoleRules, store::account};

use super::{AccountRole, Department};
use crate::graphql::{
    ids::{self, Kind},
    loaders::{DepartmentKey, load_one},
};

#[derive(Clone)]
pub struct Account(pub account::Account);

/// A person's account.
#[Object]
impl Account {
    async fn id(&self) -> ID {
        ids::encode(Kind::Account, self.0.id)
    }

    /// What the person signs in with (lowercase).
    async fn login(&self) -> &str {
        &self.0.login
    }

    /// How the pages and the audit trail name the person (张三).
    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn role(&self) -> AccountRole {
        self.0.role.into()
    }

    /// The role in Chinese: 管理员, 督查员, 领导, 联络员.
    async fn role_label(&self) -> &'static str {
        self.0.role.label()
    }

    /// A liaison's department; null for other roles.
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        match self.0.department_id {
            Some(id) => Ok(load_one(ctx, DepartmentKey(id)).await?.map(Department)),
            None => Ok(None),
        }
    }

    /// Where password links are mailed, when given.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }

    /// Set while the account is disabled: it signs nobody in.
    async fn disabled_at(&self) -> Option<DateTime<Utc>> {
        self.0.disabled_at
    }

    /// Whether the person has set a password (an invited account has not, until they use the
    /// link).
    async fn has_password(&self) -> bool {
        self.0.has_password
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
