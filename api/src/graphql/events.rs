//! Events published after their transaction commits and fanned out to whoever listens in this
//! process: item changes to the `itemChanged` subscriptions, revoked department tokens to the
//! WebSockets they opened.
//!
//! On PostgreSQL an event travels through the database (`NOTIFY` on its channel), and every api
//! replica listens, so a subscriber hears changes made through any replica. On SQLite (one
//! process) it goes straight to this process's listeners.
//!
//! Notices sent while a replica's listening connection is away (a database restart, a network
//! cut) never reach it. So the relay tells its listeners [`Heard::Gap`] when the connection is
//! lost and again when it is back: an `itemChanged` subscription then ends with an error that
//! says so (the client subscribes again and refetches), and a WebSocket checks its token again
//! (a revocation sent meanwhile closes it with 4403).

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use domain::config::DatabaseUrl;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tokio::sync::broadcast;

/// The PostgreSQL channel item changes travel on.
pub const CHANNEL: &str = "minsheng_item_changed";

/// The PostgreSQL channel revoked department tokens travel on.
pub const REVOCATIONS_CHANNEL: &str = "minsheng_token_revoked";

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
    /// A 延期申请 was filed.
    DeadlineChangeRequested,
    /// A 延期申请 was approved, rejected or withdrawn.
    DeadlineChangeDecided,
    /// A lead department reported it done (办结报告).
    CompletionReported,
    /// The office confirmed it done (销号).
    CompletionConfirmed,
    /// The office sent it back (退办).
    Returned,
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
pub struct ItemEvents(Relay<ItemChange>);

impl ItemEvents {
    /// Events for an api serving `db` (at `url`); on PostgreSQL this starts listening to the
    /// database's channel (and must be called inside the runtime).
    pub fn new(db: &DatabaseConnection, url: &DatabaseUrl) -> Self {
        Self(Relay::new(db, url, CHANNEL))
    }

    /// Tells every subscriber. Call only after the change committed.
    pub async fn publish(&self, change: ItemChange) {
        self.0.publish(change).await;
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Heard<ItemChange>> {
        self.0.subscribe()
    }
}

/// A credential that stopped working: the WebSockets it opened close, on every replica.
/// (Untagged: `{"token_id": 3}` is what replicas of earlier versions send and read.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Revoked {
    /// A department token was revoked.
    Token { token_id: i64 },
    /// An account's sessions ended (disabled, role changed, new password, 全部退出).
    Account { account_id: i64 },
    /// One session ended (退出).
    Session { session_id: i64 },
}

/// This process's channel of revoked tokens.
#[derive(Clone)]
pub struct Revocations(Relay<Revoked>);

impl Revocations {
    pub fn new(db: &DatabaseConnection, url: &DatabaseUrl) -> Self {
        Self(Relay::new(db, url, REVOCATIONS_CHANNEL))
    }

    /// Tells every socket. Call only after the revocation committed.
    pub async fn publish(&self, revoked: Revoked) {
        self.0.publish(revoked).await;
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Heard<Revoked>> {
        self.0.subscribe()
    }
}

/// What a listener hears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard<T> {
    Event(T),
    /// Events may have been missed: the connection that carries them between replicas was
    /// lost, or has just come back.
    Gap,
}

const CAPACITY: usize = 1024;

/// One kind of event: this process's broadcast channel, and on PostgreSQL the database channel
/// that carries it to every replica.
#[derive(Clone)]
struct Relay<T> {
    local: broadcast::Sender<Heard<T>>,
    /// Set on PostgreSQL: events are sent through the database to every replica.
    relay: Option<(DatabaseConnection, &'static str)>,
}

impl<T> Relay<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + 'static,
{
    fn new(db: &DatabaseConnection, url: &DatabaseUrl, channel: &'static str) -> Self {
        let local = broadcast::channel(CAPACITY).0;
        let relay = (db.get_database_backend() == DatabaseBackend::Postgres).then(|| {
            tokio::spawn(listen(url.expose().to_owned(), channel, local.clone()));
            (db.clone(), channel)
        });
        Self { local, relay }
    }

    /// If the database cannot carry the notice, this process's listeners still hear it, and
    /// the failure is logged.
    async fn publish(&self, event: T) {
        if let Some((db, channel)) = &self.relay {
            match notify(db, channel, &event).await {
                Ok(()) => return,
                Err(e) => tracing::error!(
                    error = %e,
                    channel,
                    "an event could not be sent to other api replicas; only this one's listeners hear it"
                ),
            }
        }
        let _ = self.local.send(Heard::Event(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<Heard<T>> {
        self.local.subscribe()
    }
}

async fn notify<T: Serialize>(
    db: &DatabaseConnection,
    channel: &str,
    event: &T,
) -> Result<(), String> {
    let payload = serde_json::to_string(event).map_err(|e| e.to_string())?;
    db.execute_raw(Statement::from_sql_and_values(
        DatabaseBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [channel.into(), payload.into()],
    ))
    .await
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// How long the listener waits before it connects again, at first and at most.
const RETRY_FIRST: std::time::Duration = std::time::Duration::from_millis(250);
const RETRY_MOST: std::time::Duration = std::time::Duration::from_secs(5);

/// Relays a database channel to this process's listeners for as long as the process runs.
/// The listener has a connection of its own, outside the api's pool (which it would otherwise
/// hold for good). When it is lost, the listeners hear [`Heard::Gap`]; the relay connects
/// again (sooner at first, then every 5 s) and, once it listens again, they hear another.
async fn listen<T: DeserializeOwned>(
    url: String,
    channel: &'static str,
    local: broadcast::Sender<Heard<T>>,
) {
    use sea_orm::sqlx::postgres::PgListener;
    let mut first = true;
    loop {
        let mut wait = RETRY_FIRST;
        let mut listener = loop {
            match PgListener::connect(&url).await {
                Ok(mut listener) => match listener.listen(channel).await {
                    Ok(()) => break listener,
                    Err(e) => tracing::warn!(error = %e, channel, "cannot LISTEN; retrying"),
                },
                Err(e) => tracing::warn!(error = %e, channel, "cannot connect to LISTEN; retrying"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(RETRY_MOST);
        };
        if !first {
            tracing::info!(channel, "listening again; subscribers are told to catch up");
            let _ = local.send(Heard::Gap);
        }
        first = false;
        loop {
            match listener.try_recv().await {
                Ok(Some(notice)) => match serde_json::from_str::<T>(notice.payload()) {
                    Ok(event) => {
                        let _ = local.send(Heard::Event(event));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, channel, payload = notice.payload(), "ignored a malformed notice")
                    }
                },
                Ok(None) => {
                    tracing::warn!(
                        channel,
                        "the listening connection was lost; subscribers are told, and it is being re-established"
                    );
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, channel, "listening failed; subscribers are told, and it is being re-established");
                    break;
                }
            }
        }
        let _ = local.send(Heard::Gap);
    }
}
