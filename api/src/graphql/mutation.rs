//! Root mutations: the reminder preview and the department directory (administrators only).
//! Each write is one transaction with an audit event; input errors name the field path
//! (`input.email`), conflicts come back as `CONFLICT` on the field, not as a database message.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    DomainError, Settings,
    department::DepartmentName,
    email::EmailAddress,
    reminder::Policy,
    store::{
        audit::Actor,
        directory_admin::{self, Change, ContactUpdate},
    },
};
use sea_orm::DatabaseConnection;
use worker::jobs::send_reminders;

use super::{
    auth,
    clock::RequestClock,
    error::{code, to_graphql},
    ids,
    scalars::Date,
    types::{Contact, Department},
};

pub struct MutationRoot;

#[derive(InputObject)]
pub struct CreateDepartmentInput {
    pub name: String,
}

#[derive(InputObject)]
pub struct RenameDepartmentInput {
    pub department_id: ID,
    /// The new name; the old one becomes an alias.
    pub name: String,
}

#[derive(InputObject)]
pub struct AddDepartmentAliasInput {
    pub department_id: ID,
    pub alias: String,
}

#[derive(InputObject)]
pub struct AddContactInput {
    pub department_id: ID,
    /// The person's name.
    pub name: String,
    /// One mailbox address, e.g. `zhangsan@example.gov.cn`.
    pub email: String,
}

#[derive(InputObject)]
pub struct UpdateContactInput {
    pub contact_id: ID,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Inactive contacts receive nothing.
    pub active: Option<bool>,
}

/// The administrator's change at the request's time.
fn admin_change(ctx: &Context<'_>) -> Result<Change> {
    auth::require_admin(ctx)?;
    Ok(Change {
        actor: Actor("admin".into()),
        now: ctx.data::<RequestClock>()?.now,
    })
}

fn department_name(text: &str, field: &str) -> Result<DepartmentName> {
    DepartmentName::parse(text).map_err(|m| to_graphql(DomainError::validation(field, m)))
}

fn email(text: &str, field: &str) -> Result<EmailAddress> {
    EmailAddress::parse(text).map_err(|m| to_graphql(DomainError::validation(field, m)))
}

fn person_name(text: &str, field: &str) -> Result<String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(to_graphql(DomainError::validation(
            field,
            "a name of 1 to 100 characters, without line breaks",
        )));
    }
    Ok(name.to_owned())
}

#[Object(name = "Mutation")]
impl MutationRoot {
    /// A new department.
    async fn create_department(
        &self,
        ctx: &Context<'_>,
        input: CreateDepartmentInput,
    ) -> Result<Department> {
        let change = admin_change(ctx)?;
        let name = department_name(&input.name, "input.name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::create_department(db, &name, "input.name", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Renames a department; the old name becomes an alias.
    async fn rename_department(
        &self,
        ctx: &Context<'_>,
        input: RenameDepartmentInput,
    ) -> Result<Department> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Department", &input.department_id, "input.departmentId")
            .map_err(to_graphql)?;
        let name = department_name(&input.name, "input.name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::rename_department(db, id, &name, "input.name", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Another name under which lists print a department.
    async fn add_department_alias(
        &self,
        ctx: &Context<'_>,
        input: AddDepartmentAliasInput,
    ) -> Result<Department> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Department", &input.department_id, "input.departmentId")
            .map_err(to_graphql)?;
        let alias = department_name(&input.alias, "input.alias")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::add_department_alias(db, id, &alias, "input.alias", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Someone at a department who receives its reminders.
    async fn add_contact(&self, ctx: &Context<'_>, input: AddContactInput) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Department", &input.department_id, "input.departmentId")
            .map_err(to_graphql)?;
        let name = person_name(&input.name, "input.name")?;
        let address = email(&input.email, "input.email")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::add_contact(db, id, &name, &address, "input.email", &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }

    async fn update_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateContactInput,
    ) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id =
            ids::decode("Contact", &input.contact_id, "input.contactId").map_err(to_graphql)?;
        let update = ContactUpdate {
            person_name: input
                .name
                .as_deref()
                .map(|n| person_name(n, "input.name"))
                .transpose()?,
            email: input
                .email
                .as_deref()
                .map(|e| email(e, "input.email"))
                .transpose()?,
            active: input.active,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::update_contact(db, id, &update, "input.email", &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }

    /// Deletes a contact and returns it as it was; the reminder ledger keeps the address its
    /// rows went to.
    async fn remove_contact(&self, ctx: &Context<'_>, contact_id: ID) -> Result<Contact> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Contact", &contact_id, "contactId").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::remove_contact(db, id, &change)
            .await
            .map(Contact)
            .map_err(to_graphql)
    }

    /// What a reminder run at `now` would send, digest by digest, with the worker's current
    /// settings and ledger. Writes nothing and sends nothing (administrators only).
    async fn preview_reminders(
        &self,
        ctx: &Context<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<ReminderPreview> {
        auth::require_admin(ctx)?;
        let settings = ctx.data::<Arc<Settings>>()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let policy = Policy::load(&settings.reminders).map_err(|message| {
            tracing::error!(%message, "previewReminders: the reminder settings cannot be used");
            async_graphql::Error::new("the reminder settings cannot be used; see the server log")
                .extend_with(|_, e| e.set("code", code::INTERNAL))
        })?;
        let (messages, report) =
            send_reminders::preview_with(db, &policy, settings.timezone, now.with_timezone(&Utc))
                .await
                .map_err(to_graphql)?;
        Ok(ReminderPreview {
            today: report.today.map(Date),
            planned: report.planned as u64,
            day_of_rest: report.day_of_rest,
            messages: messages
                .into_iter()
                .map(|m| PreviewMessage {
                    to: m.to,
                    cc: m.cc,
                    subject: m.subject,
                    items: m.items,
                })
                .collect(),
            uncontacted: report
                .uncontacted
                .into_iter()
                .map(|(department, item)| UncontactedItem { department, item })
                .collect(),
        })
    }
}

/// The dry-run plan of one reminder run.
#[derive(SimpleObject)]
pub struct ReminderPreview {
    /// The run's date in the configured time zone.
    pub today: Option<Date>,
    /// Reminders planned (one per contact, due date and stage).
    pub planned: u64,
    /// With a holiday calendar: today is a day of rest, so nothing would be sent.
    pub day_of_rest: bool,
    /// One digest per contact and role.
    pub messages: Vec<PreviewMessage>,
    /// Lead departments with no active contact, and the item nobody can be told about.
    pub uncontacted: Vec<UncontactedItem>,
}

#[derive(SimpleObject)]
pub struct PreviewMessage {
    pub to: String,
    /// The supervisor's copy on escalations.
    pub cc: Option<String>,
    pub subject: String,
    /// `三、改善城市公共交通`, one per item listed.
    pub items: Vec<String>,
}

#[derive(SimpleObject)]
pub struct UncontactedItem {
    pub department: String,
    pub item: String,
}
