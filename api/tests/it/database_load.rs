//! What one request may cost the database, as an outside probe found it could cost too much:
//! expensive fields are priced in the complexity limit (a flood of them is refused before any
//! statement runs), searches are short, a request runs at most so many statements, a statement
//! at most so long, and anonymous requests read through a pool of their own, so that the
//! administrator, the departments and the readiness probe always get a connection.

use crate::support;

use std::{
    sync::{Arc, atomic::AtomicU64},
    time::Duration,
};

use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, import_sample, only_error, settings_with};
use test_support::{TestDb, backend_tests};

fn count(statements: &Arc<AtomicU64>) -> u64 {
    statements.load(std::sync::atomic::Ordering::SeqCst)
}

fn aliased(n: usize, field: &str) -> String {
    let mut query = String::from(if field.contains("$s") {
        "query($s: String) {"
    } else {
        "query {"
    });
    for i in 0..n {
        query.push_str(&format!(" a{i}: {field}"));
    }
    query.push('}');
    query
}

async fn floods_of_expensive_fields_are_refused_before_the_database(t: TestDb) {
    import_sample(&t).await;
    let (app, statements) = TestApp::start_counting(&t).await;
    let before = count(&statements);
    let long_search = "养老".repeat(24 * 1024);
    for (what, query, variables) in [
        (
            "100 searches counted",
            aliased(100, "items(filter: { search: $s }) { totalCount }"),
            json!({ "s": "养老" }),
        ),
        (
            "100 searches of 48 KB",
            aliased(100, "items(filter: { search: $s }) { totalCount }"),
            json!({ "s": long_search }),
        ),
        ("50 statistics", aliased(50, "stats { total }"), json!({})),
        ("30 counts", aliased(30, "items { totalCount }"), json!({})),
    ] {
        let body = app.graphql(&query, variables).await;
        assert_eq!(only_error(&body).0, "VALIDATION", "{what}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("complex")),
            "{what}: {body}"
        );
    }
    assert_eq!(count(&statements), before, "no statement ran");

    // One such field is an ordinary query.
    let one = app
        .data(
            "query($s: String) { items(filter: { search: $s }) { totalCount } stats { total } }",
            json!({ "s": "养老" }),
        )
        .await;
    assert_eq!(one["items"]["totalCount"], 1);
}

async fn searches_are_short_text(t: TestDb) {
    import_sample(&t).await;
    let app = TestApp::start(&t).await;
    let items = "query($s: String) { items(filter: { search: $s }) { edges { node { id } } } }";
    let departments =
        "query($s: String) { departments(filter: { search: $s }) { edges { node { id } } } }";
    for query in [items, departments] {
        for bad in [
            "字".repeat(101),
            "a".repeat(50_000),
            "\u{0}".to_owned(),
            "养\u{0}老".to_owned(),
        ] {
            let body = app.graphql(query, json!({ "s": bad })).await;
            assert_eq!(
                only_error(&body),
                ("VALIDATION".to_owned(), Some("filter.search".to_owned())),
                "{body}"
            );
        }
        let fine = app.graphql(query, json!({ "s": "字".repeat(100) })).await;
        assert!(fine.get("errors").is_none(), "{fine}");
    }
}

async fn a_request_is_stopped_at_its_statement_budget(t: TestDb) {
    import_sample(&t).await;
    let settings = settings_with(
        &t.url,
        &[
            ("MINSHENG_REQUEST_STATEMENT_LIMIT", "20"),
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
        ],
    );
    let (app, statements) = TestApp::start_counting_with(&settings).await;
    // Each `lists` is one statement and costs little: 30 of them pass the complexity limit.
    let many = aliased(30, "lists { id }");
    let before = count(&statements);
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": many }))
        .send()
        .await
        .expect("answer");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        status,
        400,
        "{} statements: {body}",
        count(&statements) - before
    );
    assert_eq!(only_error(&body).0, "TOO_EXPENSIVE", "{body}");
    assert!(body.get("data").is_none());
    let ran = count(&statements) - before;
    // Fields resolve concurrently: statements already under way when the budget runs out
    // finish (the complexity limit bounds how many); the request is refused all the same.
    assert!(ran > 20, "past the budget: {ran} statements ran");
    // Within the budget, and for the administrator, the same fields answer.
    let few = app.data(&aliased(10, "lists { id }"), json!({})).await;
    assert_eq!(few["a9"].as_array().map(Vec::len), Some(1));
    let admin = app.graphql_as(Some(ADMIN_TOKEN), &many, json!({})).await;
    assert!(admin.get("errors").is_none(), "{admin}");
}

/// The embedded default under contention, as an office runs it: the api and the worker on one
/// SQLite file, four administrator writers (tokens issued and revoked), a department reporting
/// progress in a loop, two readers, and `worker run-once` processes one after another, for
/// 10 s. No write fails (an outside probe saw 461 of 1,436 fail with "database is locked"), and
/// every acknowledged write is in the file afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_readers_and_the_worker_share_the_sqlite_file_without_errors() {
    use entity::{department_token, item_progress};
    use sea_orm::{EntityTrait, PaginatorTrait};

    let t = TestDb::sqlite().await;
    import_sample(&t).await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let app = Arc::new(app);
    let admin = |query: &'static str, variables: Value| {
        let app = app.clone();
        async move { app.graphql_as(Some(ADMIN_TOKEN), query, variables).await }
    };
    let departments = admin(
        "{ departments(first: 20) { nodes { id leadItems(first: 1) { nodes { id } } } } }",
        json!({}),
    )
    .await;
    let departments: Vec<(String, Option<String>)> = departments["data"]["departments"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{departments}"))
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("id").to_owned(),
                d["leadItems"]["nodes"][0]["id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    for (i, (department, _)) in departments.iter().enumerate() {
        let added = admin(
            "mutation($d: ID!, $e: String!) { addContact(departmentId: $d, name: \"联络员\", email: $e) { id } }",
            json!({ "d": department, "e": format!("liaison{i}@example.cn") }),
        )
        .await;
        assert!(added["errors"].is_null(), "{added}");
    }
    let (reporter, reported_item) = departments
        .iter()
        .find_map(|(d, item)| item.clone().map(|item| (d.clone(), item)))
        .expect("a department that leads an item");
    let issued = admin(
        "mutation($d: ID!) { issueDepartmentToken(departmentId: $d) { token } }",
        json!({ "d": reporter }),
    )
    .await;
    let reporter_token = issued["data"]["issueDepartmentToken"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{issued}"))
        .to_owned();

    let until = tokio::time::Instant::now() + Duration::from_secs(10);
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let mut tasks = tokio::task::JoinSet::new();
    // Four administrators: issue a token, revoke every other one. Returns (issued, revoked) ids.
    for w in 0..4 {
        let (app, failures) = (app.clone(), failures.clone());
        let department = departments[w % departments.len()].0.clone();
        tasks.spawn(async move {
            let (mut issued, mut revoked) = (Vec::new(), Vec::new());
            while tokio::time::Instant::now() < until {
                let body = app
                    .graphql_as(
                        Some(ADMIN_TOKEN),
                        "mutation($d: ID!) { issueDepartmentToken(departmentId: $d) { departmentToken { id } } }",
                        json!({ "d": department }),
                    )
                    .await;
                let Some(id) = body["data"]["issueDepartmentToken"]["departmentToken"]["id"].as_str() else {
                    failures.lock().expect("lock").push(body.to_string());
                    continue;
                };
                issued.push(id.to_owned());
                if issued.len() % 2 == 0 {
                    let body = app
                        .graphql_as(
                            Some(ADMIN_TOKEN),
                            "mutation($t: ID!) { revokeDepartmentToken(tokenId: $t) { id } }",
                            json!({ "t": id }),
                        )
                        .await;
                    if body["errors"].is_null() {
                        revoked.push(id.to_owned());
                    } else {
                        failures.lock().expect("lock").push(body.to_string());
                    }
                }
            }
            (issued, revoked, 0usize)
        });
    }
    // The department reporting progress.
    {
        let (app, failures) = (app.clone(), failures.clone());
        tasks.spawn(async move {
            let mut reported = 0;
            while tokio::time::Instant::now() < until {
                let body = app
                    .graphql_as(
                        Some(&reporter_token),
                        "mutation($i: ID!, $n: String!) { reportProgress(itemId: $i, note: $n, percent: 50) { progress { id } } }",
                        json!({ "i": reported_item, "n": format!("第{reported}次进展") }),
                    )
                    .await;
                if body["errors"].is_null() {
                    reported += 1;
                } else {
                    failures.lock().expect("lock").push(body.to_string());
                }
            }
            (Vec::new(), Vec::new(), reported)
        });
    }
    // Two readers.
    for _ in 0..2 {
        let (app, failures) = (app.clone(), failures.clone());
        tasks.spawn(async move {
            while tokio::time::Instant::now() < until {
                let body = app
                    .graphql_as(
                        Some(ADMIN_TOKEN),
                        "{ stats { total } items(first: 20) { nodes { id title } } departments(first: 5) { nodes { tokens { id } } } }",
                        json!({}),
                    )
                    .await;
                if !body["errors"].is_null() {
                    failures.lock().expect("lock").push(body.to_string());
                }
            }
            (Vec::new(), Vec::new(), 0)
        });
    }
    // The worker, in a process of its own, a week later each run so each run has reminders
    // to record.
    let worker = std::path::Path::new(env!("CARGO_BIN_EXE_api")).with_file_name("worker");
    assert!(
        worker.exists(),
        "{} is built by `cargo test --workspace` (or `cargo build -p worker`)",
        worker.display()
    );
    let outbox = std::env::temp_dir().join(format!("minsheng-load-outbox-{}", std::process::id()));
    let mut runs = 0;
    let start = chrono::DateTime::parse_from_rfc3339("2023-05-01T08:00:00+08:00").expect("instant");
    while tokio::time::Instant::now() < until {
        let now = start + chrono::Duration::days(7 * runs);
        let out = tokio::process::Command::new(&worker)
            .args(["run-once", "--now", &now.to_rfc3339()])
            .env("DATABASE_URL", &t.url)
            .env("MINSHENG_OUTBOX_DIR", &outbox)
            .env_remove("MINSHENG_CONFIG")
            .env_remove("MINSHENG_SMTP_URL")
            .output()
            .await
            .expect("run the worker");
        assert!(
            out.status.success(),
            "worker run {runs}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        runs += 1;
    }
    let (mut issued, mut revoked, mut reported) = (Vec::new(), Vec::new(), 0);
    while let Some(done) = tasks.join_next().await {
        let (i, r, p) = done.expect("task");
        issued.extend(i);
        revoked.extend(r);
        reported += p;
    }
    let failures = failures.lock().expect("lock").clone();
    assert!(
        failures.is_empty(),
        "{} requests failed, the first: {}",
        failures.len(),
        failures[0]
    );
    assert!(
        issued.len() > 20 && reported > 5 && runs > 1,
        "too little ran: {} tokens, {reported} reports, {runs} worker runs",
        issued.len()
    );
    // Every acknowledged write is in the file.
    let stored = department_token::Entity::find()
        .all(&t.db)
        .await
        .expect("tokens");
    assert_eq!(
        stored.len(),
        issued.len() + 1,
        "every issued token is stored"
    );
    assert_eq!(
        stored.iter().filter(|t| t.revoked_at.is_some()).count(),
        revoked.len(),
        "every revocation is stored"
    );
    let reports = item_progress::Entity::find()
        .count(&t.db)
        .await
        .expect("reports");
    assert_eq!(
        reports as usize, reported,
        "every progress report is stored"
    );
    let _ = std::fs::remove_dir_all(&outbox);
}

backend_tests!(
    floods_of_expensive_fields_are_refused_before_the_database,
    searches_are_short_text,
    a_request_is_stopped_at_its_statement_budget,
);

/// Holds an exclusive lock on `item` from a connection of the test's own until dropped, so
/// that every statement reading items waits.
struct ItemLock {
    release: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

impl ItemLock {
    async fn take(url: &str) -> Self {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let db = sea_orm::Database::connect(url)
            .await
            .expect("lock connection");
        let (locked_tx, locked) = tokio::sync::oneshot::channel();
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(async move {
            let txn = db.begin().await.expect("begin");
            txn.execute_unprepared("LOCK TABLE item IN ACCESS EXCLUSIVE MODE")
                .await
                .expect("lock");
            let _ = locked_tx.send(());
            let _ = released.await;
            txn.commit().await.expect("commit");
        });
        locked.await.expect("locked");
        Self {
            release: Some(release),
            done,
        }
    }

    async fn release(mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.send(());
        }
        let _ = (&mut self.done).await;
    }
}

/// A flood of anonymous requests that hold every connection they can get cannot starve the
/// administrator or the readiness probe: anonymous requests have a pool of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn anonymous_requests_cannot_take_every_connection() {
    let Some(t) = TestDb::postgres().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    import_sample(&t).await;
    let settings = settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_DB_POOL_SIZE", "4"),
            ("MINSHENG_DB_ANONYMOUS_POOL_SIZE", "2"),
            ("MINSHENG_STATEMENT_TIMEOUT_MS", "60000"),
        ],
    );
    let app = Arc::new(TestApp::start_with(&settings).await);
    let lock = ItemLock::take(&t.url).await;
    // More waiting anonymous requests than any pool of the api has connections.
    let flood: Vec<_> = (0..12)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { app.graphql("{ items { totalCount } }", Value::Null).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let admin = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "{ departments(first: 3) { edges { node { name } } } }",
            Value::Null,
        )
        .await;
    assert!(
        admin.get("errors").is_none(),
        "the administrator is served: {admin}"
    );
    assert_eq!(app.status("/readyz").await, 200, "the api is still ready");

    lock.release().await;
    for request in flood {
        let body = request.await.expect("request task");
        assert_eq!(
            body["data"]["items"]["totalCount"], 7,
            "the sample's items: {body}"
        );
    }
}

/// A statement that runs past `MINSHENG_STATEMENT_TIMEOUT_MS` is cancelled by PostgreSQL, and
/// the field says `TIMEOUT`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_past_its_timeout_is_cancelled() {
    let Some(t) = TestDb::postgres().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    import_sample(&t).await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_STATEMENT_TIMEOUT_MS", "300")],
    ))
    .await;
    let lock = ItemLock::take(&t.url).await;
    let body = app.graphql("{ items { totalCount } }", Value::Null).await;
    lock.release().await;
    assert_eq!(only_error(&body).0, "TIMEOUT", "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["items"]), "{body}");
}
