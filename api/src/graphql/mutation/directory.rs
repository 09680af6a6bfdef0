//! The department directory: departments, their names and aliases, and their contacts
//! (administrators only).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result};
use domain::{
    DomainError,
    department::DepartmentName,
    email::EmailAddress,
    store::department::{self, admin::ContactUpdate},
};
use sea_orm::DatabaseConnection;

use super::{admin_change, id_arg};
use crate::graphql::{
    error::to_graphql,
    types::{Contact, Department},
};

#[derive(Default)]
pub struct DirectoryMutation;

fn department_name(text: &str, field: &str) -> Result<DepartmentName> {
    DepartmentName::parse(text).map_err(|m| to_graphql(DomainError::validation(field, m)))
}

fn parse_email(text: &str, field: &str) -> Result<EmailAddress> {
    EmailAddress::parse(text).map_err(|m| to_graphql(DomainError::validation(field, m)))
}

fn person_name(text: &str, field: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() {
        return Err(to_graphql(DomainError::validation(
            field,
            "姓名应为 1 到 100 字，不换行",
        )));
    }
    domain::text::check(name, domain::text::MAX_NAME_CHARS, domain::text::Lines::One)
        .map_err(|m| to_graphql(DomainError::validation(field, m)))?;
    Ok(name.to_owned())
}

#[Object]
impl DirectoryMutation {
    /// A new department.
    async fn create_department(&self, ctx: &Context<'_>, name: String) -> Result<Department> {
        let change = admin_change(ctx)?;
        let name = department_name(&name, "name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::create_department(db, &name, "name", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Renames a department; the old name becomes an alias.
    async fn rename_department(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
        name: String,
    ) -> Result<Department> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Department, &department_id, "departmentId")?;
        let name = department_name(&name, "name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::rename_department(db, id, &name, "name", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Another name under which lists print a department.
    async fn add_department_alias(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
        alias: String,
    ) -> Result<Department> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Department, &department_id, "departmentId")?;
        let alias = department_name(&alias, "alias")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::add_department_alias(db, id, &alias, "alias", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Merges department `from` into `into`: item assignments, contacts, aliases and reminder
    /// history move, `from`'s name becomes an alias of `into`, and `from` is gone. Returns
    /// `into`.
    async fn merge_departments(&self, ctx: &Context<'_>, from: ID, into: ID) -> Result<Department> {
        let change = admin_change(ctx)?;
        let from = id_arg(Kind::Department, &from, "from")?;
        let into = id_arg(Kind::Department, &into, "into")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::merge_departments(db, from, into, "from", &change)
            .await
            .map(|(department, _)| Department(department))
            .map_err(to_graphql)
    }

    /// Someone at a department who receives its reminders: `name` is the person's, `email`
    /// one mailbox address such as `zhangsan@example.gov.cn`.
    async fn add_contact(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
        name: String,
        email: String,
    ) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Department, &department_id, "departmentId")?;
        let name = person_name(&name, "name")?;
        let address = parse_email(&email, "email")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::add_contact(db, id, &name, &address, "email", &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }

    /// Changes a contact; arguments left out keep their value. Inactive contacts receive
    /// nothing.
    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        name: Option<String>,
        email: Option<String>,
        active: Option<bool>,
    ) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Contact, &contact_id, "contactId")?;
        let update = ContactUpdate {
            person_name: name
                .as_deref()
                .map(|n| person_name(n, "name"))
                .transpose()?,
            email: email
                .as_deref()
                .map(|e| parse_email(e, "email"))
                .transpose()?,
            active,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::update_contact(db, id, &update, "email", &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }

    /// Deletes a contact and returns it as it was; the reminder deliveries keep the address its
    /// rows went to.
    async fn remove_contact(&self, ctx: &Context<'_>, contact_id: ID) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Contact, &contact_id, "contactId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        department::admin::remove_contact(db, id, &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }
}
