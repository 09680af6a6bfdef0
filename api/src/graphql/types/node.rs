//! The Relay `Node` interface: any object by its global ID.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Interface, Result};

use super::{
    Contact, DeadlineChangeRequest, Department, DueDate, Item, ProgressReport, ProjectList,
    ReminderDelivery,
};
use crate::graphql::{
    auth, ids,
    loaders::{ContactKey, DepartmentKey, DueDateKey, ItemKey, ListKey, load_one},
};

/// An object with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "An opaque global ID."))]
pub enum Node {
    ProjectList(ProjectList),
    Item(Item),
    DueDate(DueDate),
    Department(Department),
    Contact(Contact),
    ReminderDelivery(ReminderDelivery),
    ProgressReport(ProgressReport),
    DeadlineChangeRequest(DeadlineChangeRequest),
}

/// The object with global ID `id`, or `None` when it does not exist. Contacts and ledger rows
/// need an administrator or their department's token; for another department's token they do
/// not exist (`null`, as for an id that names nothing), so that an answer tells nobody what
/// exists elsewhere.
pub async fn load_node(ctx: &Context<'_>, id: &ID) -> Result<Option<Node>> {
    let Some((kind, pk)) = ids::decode_any(id) else {
        return Ok(None);
    };
    Ok(match kind {
        Kind::ProjectList => load_one(ctx, ListKey(pk))
            .await?
            .map(|m| Node::ProjectList(ProjectList(m))),
        Kind::Item => load_one(ctx, ItemKey(pk))
            .await?
            .map(|m| Node::Item(Item(m))),
        Kind::DueDate => load_one(ctx, DueDateKey(pk))
            .await?
            .map(|m| Node::DueDate(DueDate(m))),
        Kind::Department => load_one(ctx, DepartmentKey(pk))
            .await?
            .map(|m| Node::Department(Department(m))),
        Kind::Contact => {
            let acting = auth::reading_for(ctx)?;
            load_one(ctx, ContactKey(pk))
                .await?
                .filter(|c| acting.is_none_or(|d| d == c.department_id))
                .map(|m| Node::Contact(Contact(m)))
        }
        Kind::ReminderDelivery => {
            let acting = auth::reading_for(ctx)?;
            let db = ctx.data::<sea_orm::DatabaseConnection>()?;
            domain::store::delivery::by_id(db, pk)
                .await
                .map_err(crate::graphql::error::to_graphql)?
                .filter(|r| acting.is_none_or(|d| d == r.department_id))
                .map(|m| Node::ReminderDelivery(ReminderDelivery(m)))
        }
        Kind::ProgressReport => {
            let db = ctx.data::<sea_orm::DatabaseConnection>()?;
            domain::store::item::progress::by_id(db, pk)
                .await
                .map_err(crate::graphql::error::to_graphql)?
                .map(|m| Node::ProgressReport(ProgressReport(m)))
        }
        Kind::DeadlineChangeRequest => {
            let db = ctx.data::<sea_orm::DatabaseConnection>()?;
            let request = domain::store::item::extension::by_id(db, pk)
                .await
                .map_err(crate::graphql::error::to_graphql)?;
            match request {
                // Another department's request does not exist for a token, as elsewhere.
                Some(r) if super::may_read_records_of(ctx, r.item_id).await.is_ok() => {
                    Some(Node::DeadlineChangeRequest(DeadlineChangeRequest(r)))
                }
                _ => None,
            }
        }
        _ => None,
    })
}
