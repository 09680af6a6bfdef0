//! `DepartmentToken`: a bearer token issued to a department, as administrators see it (never
//! the secret).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use domain::store::department;

use super::Department;
use crate::graphql::{
    ids,
    loaders::{DepartmentKey, load_one},
};

#[derive(Clone)]
pub struct DepartmentToken(pub department::tokens::DepartmentToken);

/// A token that acts for a department; revoked tokens authenticate nobody.
#[Object]
impl DepartmentToken {
    async fn id(&self) -> ID {
        ids::encode(Kind::DepartmentToken, self.0.id)
    }

    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        Ok(load_one(ctx, DepartmentKey(self.0.department_id))
            .await?
            .map(Department))
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}
