//! Root mutations (administrators only): the department directory, item status and deadlines,
//! and the reminder preview. Each write is one transaction with an audit event; input errors
//! name the argument (`email`), conflicts come back as `CONFLICT` on the argument, not as a
//! database message.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    DomainError, Settings,
    department::DepartmentName,
    email::EmailAddress,
    reminder::Policy,
    store::{
        audit::Actor,
        directory_admin::{self, Change, ContactUpdate},
        import::ImportOptions,
        item_admin,
    },
};
use sea_orm::DatabaseConnection;
use worker::jobs::send_reminders;

use super::{
    auth,
    clock::RequestClock,
    error::{code, to_graphql},
    ids, import_list,
    scalars::Date,
    types::{Contact, Department, DepartmentRole, Item, ItemStatus},
};

pub struct MutationRoot;

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

fn parse_email(text: &str, field: &str) -> Result<EmailAddress> {
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
    /// Imports a published list (or, with `dryRun`, reports what importing it would change and
    /// writes nothing). Re-importing a corrected text updates the list in place: changed items
    /// are updated, missing ones closed. An unreadable text is a `VALIDATION` error on
    /// `input.text` naming the line.
    async fn import_list(
        &self,
        ctx: &Context<'_>,
        input: import_list::ImportListInput,
    ) -> Result<import_list::ImportListReport> {
        let change = admin_change(ctx)?;
        let options = ImportOptions {
            issuer: None,
            actor: change.actor,
            now: change.now,
        };
        import_list::run(ctx, input, options).await
    }

    /// A new department.
    async fn create_department(&self, ctx: &Context<'_>, name: String) -> Result<Department> {
        let change = admin_change(ctx)?;
        let name = department_name(&name, "name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::create_department(db, &name, "name", &change)
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
        let id = ids::decode("Department", &department_id, "departmentId").map_err(to_graphql)?;
        let name = department_name(&name, "name")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::rename_department(db, id, &name, "name", &change)
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
        let id = ids::decode("Department", &department_id, "departmentId").map_err(to_graphql)?;
        let alias = department_name(&alias, "alias")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::add_department_alias(db, id, &alias, "alias", &change)
            .await
            .map(Department)
            .map_err(to_graphql)
    }

    /// Merges department `from` into `into`: item assignments, contacts, aliases and reminder
    /// history move, `from`'s name becomes an alias of `into`, and `from` is gone. Returns
    /// `into`.
    async fn merge_departments(&self, ctx: &Context<'_>, from: ID, into: ID) -> Result<Department> {
        let change = admin_change(ctx)?;
        let from = ids::decode("Department", &from, "from").map_err(to_graphql)?;
        let into = ids::decode("Department", &into, "into").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::merge_departments(db, from, into, "from", &change)
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
        let id = ids::decode("Department", &department_id, "departmentId").map_err(to_graphql)?;
        let name = person_name(&name, "name")?;
        let address = parse_email(&email, "email")?;
        let db = ctx.data::<DatabaseConnection>()?;
        directory_admin::add_contact(db, id, &name, &address, "email", &change)
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
        let id = ids::decode("Contact", &contact_id, "contactId").map_err(to_graphql)?;
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
        directory_admin::update_contact(db, id, &update, "email", &change)
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

    /// Sets an item's status: `DONE` stops its reminders, `CLOSED` withdraws it.
    async fn set_item_status(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        status: ItemStatus,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Item", &item_id, "itemId").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?;
        item_admin::set_status(db, id, status.into(), &change)
            .await
            .map(Item)
            .map_err(to_graphql)
    }

    /// Makes a department lead or cooperate on an item (after those already listed).
    async fn assign_department(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        department_id: ID,
        role: DepartmentRole,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let item = ids::decode("Item", &item_id, "itemId").map_err(to_graphql)?;
        let department =
            ids::decode("Department", &department_id, "departmentId").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?;
        item_admin::assign_department(db, item, department, role.into(), "departmentId", &change)
            .await
            .map(Item)
            .map_err(to_graphql)
    }

    /// Takes a department's role on an item away.
    async fn unassign_department(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        department_id: ID,
        role: DepartmentRole,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let item = ids::decode("Item", &item_id, "itemId").map_err(to_graphql)?;
        let department =
            ids::decode("Department", &department_id, "departmentId").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?;
        item_admin::unassign_department(db, item, department, role.into(), &change)
            .await
            .map(Item)
            .map_err(to_graphql)
    }

    /// 延期: the item's active due dates give way to `dueOn` as a new version; the old ones stay
    /// in `dueDates(history: true)`, and reminders follow the new date. `reason` is recorded
    /// in the audit trail.
    async fn change_deadline(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        due_on: Date,
        reason: String,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = ids::decode("Item", &item_id, "itemId").map_err(to_graphql)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(to_graphql(DomainError::validation(
                "reason",
                "say why the deadline moves (it is kept in the audit trail)",
            )));
        }
        let db = ctx.data::<DatabaseConnection>()?;
        item_admin::change_deadline(db, id, due_on.0, reason, &change)
            .await
            .map(|(item, _)| Item(item))
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
