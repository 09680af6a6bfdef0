//! Items: importing a list, writing items by hand, status, departments, deadlines and
//! progress. Administrators may do all of it; a department's token may report progress and
//! change the deadline of the items its department leads or cooperates on.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use domain::{
    DomainError,
    store::{
        item,
        item::edit::{ItemEdit, NewItem},
        list_import::ImportOptions,
    },
};
use sea_orm::DatabaseConnection;

use super::{admin_change, change_by_viewer, id_arg, import_list, published};
use crate::graphql::{
    auth, clock,
    error::{to_graphql, under},
    events::ItemChangeKind,
    scalars::Date,
    types::{DepartmentRole, Item, ItemStatus, ProgressReport},
};

#[derive(Default)]
pub struct ItemMutation;

/// A new item on a list.
#[derive(InputObject)]
pub struct CreateItemInput {
    pub list_id: ID,
    /// The item's number on the list (1 to 999); printed as `十九`.
    pub number: i32,
    pub title: String,
    /// 事项内容
    #[graphql(default)]
    pub content: String,
    /// 完成时限 as a list prints it: `2021年6月底`, `2021年底`, `长期坚持`, …; forms without a
    /// year take the list's.
    pub deadline: String,
    /// 牵头部门, in order; at least one.
    pub lead_department_ids: Vec<ID>,
    /// 配合部门, in order.
    #[graphql(default)]
    pub cooperating_department_ids: Vec<ID>,
}

/// Corrections to an item; fields left out keep their value.
#[derive(InputObject, Default)]
pub struct UpdateItemInput {
    pub number: Option<i32>,
    pub title: Option<String>,
    pub content: Option<String>,
    /// A corrected 完成时限; when its dates differ they become a new due-date version.
    pub deadline: Option<String>,
}

/// A progress report and the item it is about.
#[derive(SimpleObject)]
pub struct ReportProgressPayload {
    pub progress: ProgressReport,
    pub item: Item,
}

fn department_ids(ids: &[ID], field: &str) -> Result<Vec<i64>> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| id_arg(Kind::Department, id, &format!("{field}[{i}]")))
        .collect()
}

#[Object]
impl ItemMutation {
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

    /// Adds an item to a list by hand, with its due dates read from `deadline` as the importer
    /// reads them.
    async fn create_item(&self, ctx: &Context<'_>, input: CreateItemInput) -> Result<Item> {
        let change = admin_change(ctx)?;
        let new = NewItem {
            list_id: id_arg(Kind::ProjectList, &input.list_id, "input.listId")?,
            number: input.number,
            title: input.title,
            content: input.content,
            deadline: input.deadline,
            lead: department_ids(&input.lead_department_ids, "input.leadDepartmentIds")?,
            cooperating: department_ids(
                &input.cooperating_department_ids,
                "input.cooperatingDepartmentIds",
            )?,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let item = item::edit::create_item(db, &new, &change)
            .await
            .map_err(|e| to_graphql(under("input", e)))?;
        published(ctx, ItemChangeKind::Created, &item).await;
        Ok(Item(item))
    }

    /// Corrects an item's number, title, content or printed deadline.
    async fn update_item(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        input: UpdateItemInput,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let edit = ItemEdit {
            number: input.number,
            title: input.title,
            content: input.content,
            deadline: input.deadline,
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let (item, changed) = item::edit::update_item(db, id, &edit, &change)
            .await
            .map_err(|e| to_graphql(under("input", e)))?;
        if changed {
            published(ctx, ItemChangeKind::Updated, &item).await;
        }
        Ok(Item(item))
    }

    /// Withdraws an item: its status becomes `CLOSED` and its reminders stop; nothing is
    /// erased, and its history stays readable.
    async fn delete_item(&self, ctx: &Context<'_>, item_id: ID) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (item, changed) = item::edit::delete_item(db, id, &change)
            .await
            .map_err(to_graphql)?;
        // Deleting a closed item again changes nothing, and nothing is announced.
        if changed {
            published(ctx, ItemChangeKind::Deleted, &item).await;
        }
        Ok(Item(item))
    }

    /// Sets an item's status: `DONE` stops its reminders, `CLOSED` withdraws it.
    async fn set_item_status(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        status: ItemStatus,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let today = clock::today(ctx, None)?.date;
        let item = item::admin::set_status(db, id, status.into(), today, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Status, &item).await;
        Ok(Item(item))
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
        let item = id_arg(Kind::Item, &item_id, "itemId")?;
        let department = id_arg(Kind::Department, &department_id, "departmentId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let item = item::admin::assign_department(
            db,
            item,
            department,
            role.into(),
            "departmentId",
            &change,
        )
        .await
        .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Assignment, &item).await;
        Ok(Item(item))
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
        let item = id_arg(Kind::Item, &item_id, "itemId")?;
        let department = id_arg(Kind::Department, &department_id, "departmentId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let item = item::admin::unassign_department(db, item, department, role.into(), &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Assignment, &item).await;
        Ok(Item(item))
    }

    /// 延期 decided outside the system (administrators): the item's active due dates give way
    /// to `dueOn` as a new version; the old ones stay in `dueDates(history: true)`, and
    /// reminders follow the new date. `reason` is recorded in the audit trail. A department
    /// asks with `requestDeadlineChange`, and the office decides.
    async fn change_deadline(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        due_on: Date,
        reason: String,
    ) -> Result<Item> {
        if auth::viewer(ctx).department().is_some() {
            return Err(auth::forbidden(
                "a department asks for more time with requestDeadlineChange; the office decides",
            ));
        }
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(to_graphql(DomainError::validation(
                "reason",
                "请写明调整时限的理由（记入审计记录）",
            )));
        }
        domain::text::check(
            reason,
            domain::text::MAX_NOTE_CHARS,
            domain::text::Lines::Many,
        )
        .map_err(|m| to_graphql(DomainError::validation("reason", m)))?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (item, _) = item::admin::change_deadline(db, id, due_on.0, reason, None, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Deadline, &item).await;
        Ok(Item(item))
    }

    /// Reports progress (进展) on an item: a note and how far the work is (0 to 100).
    /// Administrators, and departments on their own items.
    async fn report_progress(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        note: String,
        percent: i32,
    ) -> Result<ReportProgressPayload> {
        let acting_for = auth::acting_for(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (report, item) = item::progress::report(db, id, &note, percent, acting_for, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Progress, &item).await;
        Ok(ReportProgressPayload {
            progress: ProgressReport(report),
            item: Item(item),
        })
    }
}
