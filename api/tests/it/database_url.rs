//! How the api reaches PostgreSQL is the operator's explicit choice, through `DATABASE_URL`: a
//! Unix socket (`?host=/var/run/postgresql`) or TCP with the `sslmode` it names. Checked against
//! the server's own view of each connection (`pg_stat_ssl`, `inet_server_addr()`).

use crate::support;

use domain::config::DatabaseUrl;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::Value;
use support::{TestApp, settings_with};
use test_support::TestDb;
use url::Url;

/// Where the server's socket lives (`MINSHENG_TEST_PG_SOCKET_DIR`, Debian's default otherwise).
fn socket_dir() -> String {
    std::env::var("MINSHENG_TEST_PG_SOCKET_DIR").unwrap_or_else(|_| "/var/run/postgresql".into())
}

/// `url` with its query replaced by `query`.
fn with_query(url: &str, query: &str) -> String {
    let mut url = Url::parse(url).expect("test url");
    url.set_query(Some(query));
    url.to_string()
}

/// The same database as `url`, over the Unix socket in `dir`.
fn over_socket(url: &str, dir: &str) -> String {
    let url = Url::parse(url).expect("test url");
    let user = if url.username().is_empty() {
        "postgres"
    } else {
        url.username()
    };
    // `postgres:///NAME?host=DIR`: no host in the authority, the socket's directory instead.
    format!("postgres://{}?host={dir}&user={user}", url.path())
}

async fn one_bool(db: &DatabaseConnection, sql: &str) -> Option<bool> {
    db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .expect(sql)
        .and_then(|row| row.try_get::<Option<bool>>("", "v").ok())
        .flatten()
}

async fn connect(url: &str) -> DatabaseConnection {
    let url = DatabaseUrl::parse(url).expect("a database url");
    domain::db::connect(&url).await.expect("connects")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unix_socket_url_serves_the_graph() {
    let Some(t) = TestDb::postgres().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    let dir = socket_dir();
    let port = Url::parse(&t.url)
        .ok()
        .and_then(|u| u.port())
        .unwrap_or(5432);
    if !std::path::Path::new(&format!("{dir}/.s.PGSQL.{port}")).exists() {
        test_support::skipped(format_args!(
            "no PostgreSQL socket in {dir} (MINSHENG_TEST_PG_SOCKET_DIR)"
        ));
        return;
    }
    let url = over_socket(&t.url, &dir);
    assert!(url.starts_with("postgres:///"), "{url}");

    let db = connect(&url).await;
    // A Unix-socket connection has no server address.
    assert_eq!(
        one_bool(&db, "SELECT inet_server_addr() IS NULL AS v").await,
        Some(true),
        "{url} went over TCP"
    );

    let app = TestApp::start_with(&settings_with(&url, &[])).await;
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["lists"], serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sslmode_in_the_url_decides_tls() {
    let Some(t) = TestDb::postgres().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    let disabled = connect(&with_query(&t.url, "sslmode=disable")).await;
    let tls = "SELECT ssl AS v FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    assert_eq!(one_bool(&disabled, tls).await, Some(false));

    let server_has_tls = disabled
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_setting('ssl') AS v",
        ))
        .await
        .expect("ssl setting")
        .and_then(|row| row.try_get::<String>("", "v").ok())
        .is_some_and(|v| v == "on");
    if !server_has_tls {
        eprintln!("sslmode=require not checked: the server has ssl=off");
        return;
    }
    let required = connect(&with_query(&t.url, "sslmode=require")).await;
    assert_eq!(one_bool(&required, tls).await, Some(true));
}
