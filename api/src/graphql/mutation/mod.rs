//! Root mutations, one file per area, merged into one `Mutation` type. Each write is one
//! transaction with an audit event; input errors name the argument (`email`, `input.title`);
//! conflicts come back as `CONFLICT` on the argument, never as a database message. Changes to
//! items are published to `itemChanged` once committed.

mod accounts;
mod directory;
mod import_list;
mod items;
mod lists;
mod reminders;
mod supervision;
mod tokens;

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, MergedObject, Result};
use domain::{model, store::unit_of_work::Change};

use super::{
    auth,
    clock::RequestClock,
    error::to_graphql,
    events::{ItemChange, ItemChangeKind, ItemEvents},
    ids,
};

pub use reminders::ReminderPreview;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    directory::DirectoryMutation,
    items::ItemMutation,
    tokens::TokenMutation,
    reminders::ReminderMutation,
    supervision::SupervisionMutation,
    accounts::AccountMutation,
    lists::ListMutation,
);

/// The office's change at the request's time.
fn admin_change(ctx: &Context<'_>) -> Result<Change> {
    auth::require_office(ctx)?;
    change_by_viewer(ctx)
}

/// A change by whoever is calling (the rules of who may are checked by the caller).
fn change_by_viewer(ctx: &Context<'_>) -> Result<Change> {
    Ok(Change {
        actor: auth::viewer(ctx).actor(),
        now: ctx.data::<RequestClock>()?.now,
    })
}

/// The database id behind a global ID argument, or `VALIDATION` naming `field`.
fn id_arg(kind: Kind, id: &ID, field: &str) -> Result<i64> {
    ids::decode(kind, id, field).map_err(to_graphql)
}

/// Tells `itemChanged` subscribers about a committed change to `item`.
pub(super) async fn published(ctx: &Context<'_>, kind: ItemChangeKind, item: &model::Item) {
    if let Ok(events) = ctx.data::<ItemEvents>() {
        events
            .publish(ItemChange {
                list_id: item.list_id,
                item_id: item.id,
                kind,
                at: item.updated_at,
            })
            .await;
    }
}
