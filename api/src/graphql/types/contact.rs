//! `Contact`: a person at a department who receives reminders (administrators only).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use domain::model;

use super::Department;
use crate::graphql::{
    ids,
    loaders::{DepartmentKey, load_one},
};

#[derive(Clone)]
pub struct Contact(pub model::Contact);

/// Someone at a department who receives its reminders.
#[Object]
impl Contact {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Contact, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.person_name
    }

    async fn email(&self) -> &str {
        &self.0.email
    }

    /// Inactive contacts receive nothing.
    async fn active(&self) -> bool {
        self.0.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    async fn department(&self, ctx: &Context<'_>) -> Result<Department> {
        load_one(ctx, DepartmentKey(self.0.department_id))
            .await?
            .map(Department)
            .ok_or_else(|| "the contact's department is gone".into())
    }
}
