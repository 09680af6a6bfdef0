//! Connecting to the database and bringing its schema up to date.

pub mod constraints;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

use crate::config::{DatabaseUrl, Engine};

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

/// Opens a connection pool. Statement logging goes through sea-orm's tracing at debug level.
pub async fn connect(url: &DatabaseUrl) -> Result<DatabaseConnection, StartupError> {
    let mut options = ConnectOptions::new(url.expose());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10));
    if url.engine() == Engine::Sqlite {
        // One file, one writer: a small pool avoids lock contention between connections.
        options.max_connections(4);
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

/// Connects and prepares in one step, as both binaries do at start.
pub async fn open(
    url: &DatabaseUrl,
    policy: MigrationPolicy,
) -> Result<DatabaseConnection, StartupError> {
    let db = connect(url).await?;
    prepare(&db, url, policy).await?;
    Ok(db)
}
