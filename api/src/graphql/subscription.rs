//! Root subscriptions, served over WebSocket (graphql-transport-ws) at `/graphql/ws`.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Result, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures_util::{Stream, stream};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::error::RecvError;

use super::{
    error::{not_found, to_graphql},
    events::{Heard, ItemChangeKind, ItemEvents},
    ids,
    types::Item,
};
use domain::store::{item, lists};

pub struct SubscriptionRoot;

/// A committed change to an item, with the item as it is when the event is delivered (never
/// older than the change).
#[derive(SimpleObject)]
pub struct ItemChangedEvent {
    pub kind: ItemChangeKind,
    pub changed_at: DateTime<Utc>,
    pub item: Item,
}

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// An event after every committed change to an item of the list (status, progress,
    /// deadline, assignment, edits), in commit order. Open to anyone who may read the list.
    ///
    /// When events may have been missed (the api's connection that carries them between
    /// replicas was lost or has come back, or the subscriber fell too far behind), the
    /// subscription ends with an error of code `EVENTS_MISSED`: subscribe again, and refetch
    /// what is shown.
    async fn item_changed(
        &self,
        ctx: &Context<'_>,
        list_id: ID,
    ) -> Result<impl Stream<Item = Result<ItemChangedEvent>> + use<>> {
        let list = ids::decode(Kind::ProjectList, &list_id, "listId").map_err(to_graphql)?;
        let db = ctx.data::<DatabaseConnection>()?.clone();
        // Subscribe before checking the list, so no change committed meanwhile is missed.
        let receiver = ctx.data::<ItemEvents>()?.subscribe();
        if lists::by_ids(&db, &[list])
            .await
            .map_err(to_graphql)?
            .is_empty()
        {
            return Err(not_found(Kind::ProjectList, &list_id));
        }
        Ok(stream::unfold(
            Some((receiver, db)),
            move |state| async move {
                let (mut receiver, db) = state?;
                loop {
                    let change = match receiver.recv().await {
                        Ok(Heard::Event(change)) if change.list_id == list => change,
                        Ok(Heard::Event(_)) => continue,
                        Ok(Heard::Gap) => return Some((Err(events_missed()), None)),
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(
                                missed,
                                list_id = list,
                                "an itemChanged subscriber fell behind and missed events; its subscription ends"
                            );
                            return Some((Err(events_missed()), None));
                        }
                        Err(RecvError::Closed) => return None,
                    };
                    // The item as committed; a lookup that fails skips the event, logged.
                    match item::by_ids(&db, &[change.item_id]).await {
                        Ok(mut found) => {
                            if let Some(item) = found.pop() {
                                let event = ItemChangedEvent {
                                    kind: change.kind,
                                    changed_at: change.at,
                                    item: Item(item),
                                };
                                return Some((Ok(event), Some((receiver, db))));
                            }
                        }
                        Err(e) => {
                            tracing::error!(error = %e, item_id = change.item_id, "itemChanged: the changed item could not be read");
                        }
                    }
                }
            },
        ))
    }
}

/// The error that ends a subscription which may have missed events.
fn events_missed() -> async_graphql::Error {
    use async_graphql::ErrorExtensions;
    async_graphql::Error::new(
        "events may have been missed (the api lost its connection to the database's event channel, or this subscriber fell behind): subscribe again and refetch",
    )
    .extend_with(|_, e| e.set("code", super::error::code::EVENTS_MISSED))
}
