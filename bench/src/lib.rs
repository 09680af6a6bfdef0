//! Shared helpers for the benchmarks: generated inputs, fresh databases, timing.

use std::time::{Duration, Instant};

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub use test_support::listgen;
pub mod smtp_sink;

/// The PostgreSQL server benchmarks create their databases on.
pub fn server_url() -> String {
    std::env::var("BENCH_DATABASE_URL")
        .or_else(|_| std::env::var("TEST_DATABASE_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A freshly created, migrated database on the benchmark server, dropped by [`drop_database`].
pub async fn fresh_database(name: &str) -> Result<(DatabaseConnection, String), String> {
    let server = server_url();
    let admin = Database::connect(&server)
        .await
        .map_err(|e| format!("{server}: {e}"))?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .map_err(|e| e.to_string())?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| e.to_string())?;
    let _ = admin.close().await;
    let mut url = url::Url::parse(&server).map_err(|e| e.to_string())?;
    url.set_path(&format!("/{name}"));
    let db = Database::connect(url.as_str())
        .await
        .map_err(|e| e.to_string())?;
    Migrator::up(&db, None).await.map_err(|e| e.to_string())?;
    Ok((db, url.to_string()))
}

/// `url` as docker-compose.yml deploys it: PostgreSQL on the same host, so no TLS unless
/// BENCH_TLS=1 (the driver's default, `prefer`, is TLS whenever the server offers it). An
/// `sslmode` already in `url` is kept.
pub fn as_deployed(url: &str) -> Result<String, String> {
    let tls = std::env::var("BENCH_TLS").is_ok_and(|v| v == "1");
    let mut url = url::Url::parse(url).map_err(|e| e.to_string())?;
    if !url.query_pairs().any(|(k, _)| k == "sslmode") {
        let mode = if tls { "require" } else { "disable" };
        url.query_pairs_mut().append_pair("sslmode", mode);
    }
    Ok(url.to_string())
}

pub async fn drop_database(db: DatabaseConnection, name: &str) {
    let _ = db.close().await;
    if let Ok(admin) = Database::connect(&server_url()).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

/// The median of `runs` timings of `f`.
pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

pub fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}
