//! Connecting to the database and bringing its schema up to date.

pub mod constraints;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous},
};

use crate::config::{DatabaseUrl, Engine, PoolSettings};

/// A connection idle this long is pinged before it is handed out: the server or a firewall may
/// have dropped it meanwhile.
pub const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(30);

/// How long a statement on the embedded SQLite file waits for another connection's (or another
/// process's) write to finish before it fails with "database is locked".
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// Begins a transaction that writes. On SQLite it takes the file's write lock at `BEGIN`
/// (`BEGIN IMMEDIATE`), waiting up to [`SQLITE_BUSY_TIMEOUT`] for it, so that writers queue
/// instead of failing: a deferred transaction that reads first and writes later cannot wait
/// for the lock once another writer has committed since its read (SQLite answers
/// `SQLITE_BUSY` at once), and an outside probe saw 848 of 2,111 writes fail that way. On
/// PostgreSQL it is an ordinary `BEGIN`.
pub async fn begin_write<C>(db: &C) -> Result<C::Transaction, DbErr>
where
    C: TransactionTrait + ConnectionTrait,
{
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..TransactionOptions::default()
            })
            .await
        }
        _ => db.begin().await,
    }
}

/// What to do about migrations that are not yet applied when a binary starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MigrationPolicy {
    /// Apply them (the embedded SQLite default, or `--migrate`).
    Apply,
    /// Refuse to start: on PostgreSQL several replicas must not race to migrate.
    RequireCurrent,
}

impl MigrationPolicy {
    /// SQLite is migrated on start; PostgreSQL only when the admin asks for it.
    pub fn for_engine(engine: Engine, migrate_flag: bool) -> Self {
        if migrate_flag || engine == Engine::Sqlite {
            Self::Apply
        } else {
            Self::RequireCurrent
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot connect to the database at {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: DbErr,
    },
    #[error(
        "the database at {url} has {} pending migration(s): {}. Run `cargo run -p migration -- up` \
         (or start once with --migrate) before starting.",
        pending.len(),
        pending.join(", ")
    )]
    PendingMigrations { url: String, pending: Vec<String> },
    #[error("migrating the database at {url} failed: {source}")]
    Migrate {
        url: String,
        #[source]
        source: DbErr,
    },
}

/// How one pool is sized and bounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolOptions {
    /// `None`: sqlx's default (10).
    pub max_connections: Option<u32>,
    /// PostgreSQL's `statement_timeout` for every connection of the pool.
    pub statement_timeout: Option<Duration>,
}

impl PoolOptions {
    /// The pool for callers with a token, the worker and the binaries' own work.
    pub fn main(settings: &PoolSettings) -> Self {
        Self {
            max_connections: Some(settings.size),
            statement_timeout: Some(settings.statement_timeout),
        }
    }

    /// The api's pool for anonymous requests.
    pub fn anonymous(settings: &PoolSettings) -> Self {
        Self {
            max_connections: Some(settings.anonymous_size),
            statement_timeout: Some(settings.statement_timeout),
        }
    }
}

/// Opens a connection pool with sqlx's defaults and no statement timeout (the admin's
/// commands). Statement logging goes through sea-orm's tracing at debug level.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, StartupError> {
    connect_with(url, PoolOptions::default()).await
}

/// Opens a connection pool sized and bounded by `pool`.
pub async fn connect_with(
    url: &DatabaseUrl,
    pool: PoolOptions,
) -> Result<DatabaseConnection, StartupError> {
    let mut options = ConnectOptions::new(url.expose());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // sqlx pings every connection it hands out, a round trip before each statement; a
        // connection that was in use moments ago is known to be alive. (sqlx 0.9 also pings on
        // every release, unconditionally: that one cannot be turned off.)
        .test_before_acquire_if_idle_for(PING_WHEN_IDLE_FOR);
    if let Some(max) = pool.max_connections {
        options.max_connections(max);
    }
    if let Some(timeout) = pool.statement_timeout {
        options.statement_timeout(timeout);
    }
    if url.engine() == Engine::Sqlite {
        // One file, one writer: a small pool avoids lock contention between connections.
        options.max_connections(pool.max_connections.unwrap_or(4).min(4));
        // WAL: readers never wait for the writer nor it for them, and the api and the worker
        // share the file; it keeps a `-wal` and a `-shm` file beside the database (back up all
        // three, or use `.backup`), and needs the file on a local disk (no network share).
        // synchronous=NORMAL: a commit is on disk at the next checkpoint rather than at once, so
        // a power cut (not a crash of the process) may lose the last commits, never corrupt
        // the file; FULL would sync every commit. The busy timeout lets a writer wait for
        // another instead of failing; `begin_write` makes write transactions queue for it.
        options.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
        });
    }
    Database::connect(options)
        .await
        .map_err(|source| StartupError::Connect {
            url: url.to_string(),
            source,
        })
}

/// Applies or checks migrations according to `policy`.
pub async fn prepare(
    db: &DatabaseConnection,
    url: &DatabaseUrl,
    policy: MigrationPolicy,
) -> Result<(), StartupError> {
    let failed = |source| StartupError::Migrate {
        url: url.to_string(),
        source,
    };
    match policy {
        MigrationPolicy::Apply => Migrator::up(db, None).await.map_err(failed),
        MigrationPolicy::RequireCurrent => {
            let pending = migration::pending_migrations(db).await.map_err(failed)?;
            if pending.is_empty() {
                Ok(())
            } else {
                Err(StartupError::PendingMigrations {
                    url: url.to_string(),
                    pending,
                })
            }
        }
    }
}

/// The database `settings` name, opened with `pool` and migrated (or checked) as the engine and
/// the `--migrate` flag say: how every binary and command starts.
pub async fn open_configured(
    settings: &crate::Settings,
    migrate_flag: bool,
    pool: PoolOptions,
) -> Result<DatabaseConnection, StartupError> {
    let url = &settings.database_url;
    if url.leaves_tls_implicit() {
        tracing::warn!(
            database = %url,
            "DATABASE_URL names no sslmode: TLS is used if the server offers it. Say sslmode=require or verify-full across hosts, sslmode=disable or a Unix socket (?host=/var/run/postgresql) on one host"
        );
    }
    let policy = MigrationPolicy::for_engine(url.engine(), migrate_flag);
    open_with(url, pool, policy).await
}

/// Connects and prepares in one step, as the admin's commands do.
pub async fn open(
    url: &DatabaseUrl,
    policy: MigrationPolicy,
) -> Result<DatabaseConnection, StartupError> {
    open_with(url, PoolOptions::default(), policy).await
}

/// Connects with `pool` and prepares, as both binaries do at start.
pub async fn open_with(
    url: &DatabaseUrl,
    pool: PoolOptions,
    policy: MigrationPolicy,
) -> Result<DatabaseConnection, StartupError> {
    let db = connect_with(url, pool).await?;
    prepare(&db, url, policy).await?;
    Ok(db)
}
