//! Item changes, published after their transaction commits and fanned out to the
//! `itemChanged` subscriptions.
//!
//! On PostgreSQL a change travels through the database (`NOTIFY minsheng_item_changed`), and
//! every api replica listens, so a subscriber hears changes made through any replica. On
//! SQLite (one process) it goes straight to this process's subscribers.

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use domain::config::DatabaseUrl;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel item changes travel on.
pub const CHANNEL: &str = "minsheng_item_changed";

/// What changed on an item.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemChangeKind {
    /// The item was added to its list.
    Created,
    /// Its number, title, content or printed deadline was corrected.
    Updated,
    /// It was withdrawn (status `CLOSED`).
    Deleted,
    /// Its status changed.
    Status,
    /// A progress report was added.
    Progress,
    /// Its deadline changed (a new due-date version).
    Deadline,
    /// A department was assigned or unassigned.
    Assignment,
}

/// One committed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemChange {
    pub list_id: i64,
    pub item_id: i64,
    pub kind: ItemChangeKind,
    pub at: DateTime<Utc>,
}

/// This process's channel of item changes. A subscriber that falls more than `CAPACITY`
/// events behind is told how many it missed (and logs it) rather than slowing writers down.
#[derive(Clone)]
pub struct ItemEvents {
    local: broadcast::Sender<ItemChange>,
    /// Set on PostgreSQL: changes are sent through the database to every replica.
    relay: Option<DatabaseConnection>,
}

const CAPACITY: usize = 1024;

impl ItemEvents {
    /// Events for an api serving `db` (at `url`); on PostgreSQL this starts listening to the
    /// database's channel (and must be called inside the runtime).
    pub fn new(db: &DatabaseConnection, url: &DatabaseUrl) -> Self {
        let local = broadcast::channel(CAPACITY).0;
        let relay = (db.get_database_backend() == DatabaseBackend::Postgres).then(|| {
            tokio::spawn(listen(url.expose().to_owned(), local.clone()));
            db.clone()
        });
        Self { local, relay }
    }

    /// Tells every subscriber. Call only after the change committed. If the database cannot
    /// carry the notice, this process's subscribers still hear it, and the failure is logged.
    pub async fn publish(&self, change: ItemChange) {
        if let Some(db) = &self.relay {
            match notify(db, &change).await {
                Ok(()) => return,
                Err(e) => tracing::error!(
                    error = %e,
                    item_id = change.item_id,
                    "an item change could not be sent to other api replicas; only this one's subscribers hear it"
                ),
            }
        }
        let _ = self.local.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ItemChange> {
        self.local.subscribe()
    }
}

async fn notify(db: &DatabaseConnection, change: &ItemChange) -> Result<(), String> {
    let payload = serde_json::to_string(change).map_err(|e| e.to_string())?;
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload.into()],
    ))
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// Relays the database channel to this process's subscribers for as long as the process runs.
/// The listener has a connection of its own, outside the api's pool (which it would otherwise
/// hold for good), and sqlx reconnects it by itself; notices sent while it was away are lost,
/// and logged as such.
async fn listen(url: String, local: broadcast::Sender<ItemChange>) {
    use sea_orm::sqlx::postgres::PgListener;
    let mut listener = loop {
        match PgListener::connect(&url).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => break listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot LISTEN for item changes; retrying in 5 s")
                }
            },
            Err(e) => {
                tracing::warn!(error = %e, "cannot connect to listen for item changes; retrying in 5 s")
            }
        }
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    };
    loop {
        match listener.try_recv().await {
            Ok(Some(notice)) => match serde_json::from_str::<ItemChange>(notice.payload()) {
                Ok(change) => {
                    let _ = local.send(change);
                }
                Err(e) => {
                    tracing::warn!(error = %e, payload = notice.payload(), "ignored a malformed item-change notice")
                }
            },
            Ok(None) => tracing::warn!(
                "the connection listening for item changes was lost and is being re-established; changes made meanwhile are not announced"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "listening for item changes failed; retrying in 5 s");
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
            }
        }
    }
}
