//! Test helpers: each test gets a database of its own, migrated, dropped afterwards.
//!
//! SQLite always works (a file in the temp directory). PostgreSQL is used when
//! `TEST_DATABASE_URL` is set: a uniquely named database is created on that server, and dropped
//! when the [`TestDb`] is. Set but unreachable is a failure, never a silent skip.

use std::{
    path::PathBuf,
    sync::atomic::{AtomicU32, Ordering},
    time::{SystemTime, UNIX_EPOCH},
};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use url::Url;

pub use sea_orm;

pub mod listgen;
pub mod lookup;

/// A calendar date, for fixtures; panics on an impossible one.
pub fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("no such date {y}-{m}-{d}"))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which engine a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test.
pub struct TestDb {
    pub db: DatabaseConnection,
    /// Connection URL, for starting a binary or an app against the same database.
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

fn unique_name() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "minsheng_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDb {
    /// A migrated SQLite database in a fresh file.
    pub async fn sqlite() -> Self {
        let db = Self::sqlite_empty().await;
        migrate(&db.db).await;
        db
    }

    /// A SQLite database with no tables at all.
    pub async fn sqlite_empty() -> Self {
        let path = std::env::temp_dir().join(format!("{}.db", unique_name()));
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let db = Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot open SQLite test database {url}: {e}"));
        Self {
            db,
            url,
            backend: Backend::Sqlite,
            cleanup: Cleanup::SqliteFile(path),
        }
    }

    /// A migrated PostgreSQL database, or `None` when `TEST_DATABASE_URL` is not set.
    pub async fn postgres() -> Option<Self> {
        let db = Self::postgres_empty().await?;
        migrate(&db.db).await;
        Some(db)
    }

    /// A PostgreSQL database with no tables, or `None` when `TEST_DATABASE_URL` is not set.
    pub async fn postgres_empty() -> Option<Self> {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        let name = unique_name();
        let admin = Database::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("TEST_DATABASE_URL is set but {admin_url} is unreachable: {e}")
        });
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        let mut url = Url::parse(&admin_url).unwrap_or_else(|e| panic!("TEST_DATABASE_URL: {e}"));
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let db = Database::connect(&url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
        Some(Self {
            db,
            url,
            backend: Backend::Postgres,
            cleanup: Cleanup::PostgresDatabase { admin_url, name },
        })
    }

    /// A migrated database on `backend`; `None` for PostgreSQL when it is not configured.
    pub async fn on(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }
}

/// Applies every migration, panicking with the cause on failure.
pub async fn migrate(db: &DatabaseConnection) {
    Migrator::up(db, None)
        .await
        .unwrap_or_else(|e| panic!("migrating the test database failed: {e}"));
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(PathBuf::from(p));
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                // Drop runs inside the test's runtime, which cannot be blocked on: drop the
                // database from a thread with a runtime of its own.
                let (admin_url, shown, name) = (admin_url.clone(), name.clone(), name.clone());
                let dropped = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let admin = Database::connect(&admin_url).await.ok()?;
                        let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                        let result = admin.execute_unprepared(&sql).await;
                        let _ = admin.close().await;
                        result.ok()
                    })
                })
                .join();
                if !matches!(dropped, Ok(Some(_))) {
                    eprintln!("warning: test database {shown} was not dropped");
                }
            }
        }
    }
}

/// Says that a test skipped, on the terminal the tests run in: cargo's harness keeps what a test
/// prints with `eprintln!` to itself unless the test fails, so a skipped test looked passed.
/// A line `SKIPPED <the test's name>: <why>` is written straight to standard error, which it
/// does not capture (the harness names each test's thread after the test).
pub fn skipped(why: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// Runs each listed `async fn(TestDb)` once on SQLite and once on PostgreSQL, as the tests
/// `sqlite::NAME` and `postgres::NAME`. Without `TEST_DATABASE_URL` the PostgreSQL variants
/// print that they were skipped.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::TestDb::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match $crate::TestDb::postgres().await {
                        Some(db) => super::$name(db).await,
                        None => $crate::skipped(format_args!("TEST_DATABASE_URL is not set")),
                    }
                }
            )*
        }
    };
}
