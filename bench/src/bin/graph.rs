//! `cargo run --release -p bench --bin graph`
//!
//! Loads 10,000 generated items across 60 departments into PostgreSQL and into a SQLite file
//! (`BENCH_ENGINES=postgres,sqlite`, the default; either alone), serves the api on each (release
//! build, in this process, on its own port) and drives it with `wrk` (Debian package) at a fixed
//! concurrency for three queries: a flat page of 50 items; 100 items with their lead and
//! cooperating departments and due dates; one item by id with those relations, and without them
//! (`row`, no goal: one statement on either side). Every response is checked for
//! `errors`. In the same run it measures the limit: a minimal axum handler that returns the same
//! JSON, on PostgreSQL built by one hand-written SQL statement; on SQLite (which has no base64
//! for the global IDs) read by the same plain statements the api needs (the page, then the
//! departments and due dates of its items in one statement each) and written with serde_json.
//! Prints requests/s, p50 and p99 of each, and the ratio to the limit. Goals on both engines:
//! flat ≥ 0.9, nested ≥ 0.9, one ≥ 0.6 (issues 14 and 34).
//!
//! The api is served twice, as deployed (`/metrics` on) and with `MINSHENG_METRICS=false`, and
//! each query is measured against both in turn: the last column is what metrics cost
//! (1 − on/off; the goal is within 3%).
//!
//! `BENCH_SECONDS` (default 10) per measurement, `BENCH_ROUNDS` (default 3) of them per target,
//! interleaved, medians printed; `BENCH_QUERIES=flat,one` measures only those;
//! `BENCH_OFF_FIRST=1` starts the api without metrics first; `BENCH_CONNECTIONS` (default 16);
//! other `MINSHENG_*` settings reach the api (e.g.
//! `MINSHENG_DB_ANONYMOUS_POOL_SIZE`); `BENCH_KEEP=1`
//! keeps the database for a closer look; `BENCH_ACCEPT_ENCODING=gzip` (or `br`) has the api's
//! clients ask for compressed responses (the limit's are never compressed).

use std::{fmt::Write as _, net::SocketAddr, process::Command};

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::post};
use bench::{as_deployed, drop_database, fresh_database, listgen};
use chrono::Utc;
use domain::{
    Settings,
    listdoc::{ParseOptions, parse},
    store::{
        audit::Actor,
        list_import::{ImportOptions, import},
    },
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};

/// The api binary's allocator, so the api is measured as it runs (the limit gets it too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DB_NAME: &str = "minsheng_bench_graph";
const ITEMS: usize = 10_000;

struct Scenario {
    name: &'static str,
    /// The GraphQL query the api answers.
    query: String,
    /// The hand-written statement producing the same JSON.
    sql: String,
    goal: f64,
}

#[tokio::main]
async fn main() -> Result<(), String> {
    if Command::new("wrk").arg("--version").output().is_err() {
        return Err("wrk is not installed (apt-get install wrk)".into());
    }
    let seconds: u32 = env_or("BENCH_SECONDS", 10);
    let accept_encoding = std::env::var("BENCH_ACCEPT_ENCODING")
        .ok()
        .filter(|e| !e.is_empty());
    let connections: u32 = env_or("BENCH_CONNECTIONS", 16);
    let rounds: usize = env_or("BENCH_ROUNDS", 3).max(1);

    let engines = std::env::var("BENCH_ENGINES").unwrap_or_else(|_| "postgres,sqlite".into());
    let options = Options {
        seconds,
        accept_encoding,
        connections,
        rounds,
    };
    let mut failed = false;
    for engine in engines.split(',').map(str::trim) {
        let backend = match engine {
            "postgres" => DbBackend::Postgres,
            "sqlite" => DbBackend::Sqlite,
            other => return Err(format!("BENCH_ENGINES: unknown engine {other}")),
        };
        failed |= run_engine(backend, &options).await?;
    }
    if failed {
        return Err("a goal was missed or a response carried errors (see above)".into());
    }
    Ok(())
}

struct Options {
    seconds: u32,
    accept_encoding: Option<String>,
    connections: u32,
    rounds: usize,
}

/// The SQLite file the bench writes, in the temp directory.
fn sqlite_path() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("{DB_NAME}.db"))
}

fn remove_sqlite() {
    let path = sqlite_path();
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// One engine's run; whether a goal was missed.
async fn run_engine(backend: DbBackend, options: &Options) -> Result<bool, String> {
    let Options {
        seconds,
        ref accept_encoding,
        connections,
        rounds,
    } = *options;
    let (db, url) = match backend {
        DbBackend::Sqlite => {
            remove_sqlite();
            let url = format!("sqlite://{}?mode=rwc", sqlite_path().display());
            let parsed = domain::config::DatabaseUrl::parse(&url)?;
            let db = domain::db::connect(&parsed)
                .await
                .map_err(|e| e.to_string())?;
            <migration::Migrator as migration::MigratorTrait>::up(&db, None)
                .await
                .map_err(|e| e.to_string())?;
            (db, url)
        }
        _ => fresh_database(DB_NAME).await?,
    };
    let engine = if backend == DbBackend::Sqlite {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let text = listgen::list_text(ITEMS);
    let parsed = parse(&text, &ParseOptions::default());
    let options = ImportOptions {
        issuer: Some("bench".into()),
        actor: Actor::system("bench"),
        now: Utc::now(),
    };
    let report = import(&db, &text, &parsed, &options)
        .await
        .map_err(|e| e.to_string())?;
    // As autovacuum would soon after a real import: plans then use the indexes.
    db.execute_unprepared("ANALYZE")
        .await
        .map_err(|e| e.to_string())?;
    let departments = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT count(*) AS n FROM department",
        ))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or_default();
    let one_id = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT id FROM item ORDER BY number LIMIT 1 OFFSET 4321",
        ))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get::<i64>("", "id").ok())
        .ok_or("no item")?;
    println!(
        "\n== {engine}\ndata: {} items, {departments} departments (list {}); wrk -t2 -c{connections} -d{seconds}s, {rounds} rounds",
        report.items_added.len(),
        report.list_id
    );

    let url = if backend == DbBackend::Sqlite {
        println!(
            "database: {} (the pragmas as shipped)",
            sqlite_path().display()
        );
        url
    } else {
        // As docker-compose.yml deploys it: no TLS to a database on the same host, and the
        // planner told that the data is in memory.
        let url = as_deployed(&url)?;
        let random_page_cost =
            std::env::var("BENCH_RANDOM_PAGE_COST").unwrap_or_else(|_| "1.1".into());
        let cost: f64 = random_page_cost
            .parse()
            .map_err(|_| format!("BENCH_RANDOM_PAGE_COST: {random_page_cost} is not a number"))?;
        db.execute_unprepared(&format!(
            "ALTER DATABASE {DB_NAME} SET random_page_cost = {cost}"
        ))
        .await
        .map_err(|e| e.to_string())?;
        println!(
            "database: {} (random_page_cost {cost})",
            url.split_once('?').map_or("", |(_, q)| q)
        );
        url
    };

    let settings_with = |metrics: bool| {
        Settings::load_from(&|key| match key {
            "DATABASE_URL" => Some(url.clone()),
            "MINSHENG_BIND" => Some("127.0.0.1:0".into()),
            "MINSHENG_METRICS" => Some(metrics.to_string()),
            // Any other setting from the environment, to measure it (pool sizes, …).
            _ => std::env::var(key).ok(),
        })
        .map_err(|e| e.to_string())
    };
    let settings = settings_with(true)?;
    // As deployed: a pool for anonymous requests (these) and one for everyone else.
    let mut addresses = Vec::new();
    // BENCH_OFF_FIRST=1 starts the api without metrics first: a check that the metrics column
    // measures metrics and not which of the two servers the process started first.
    let off_first = std::env::var("BENCH_OFF_FIRST").is_ok_and(|v| v == "1");
    for metrics in [!off_first, off_first] {
        let app = api::Application::build(&settings_with(metrics)?, api::StartOptions::default())
            .await
            .map_err(|e| e.to_string())?;
        addresses.push((metrics, app.address()));
        tokio::spawn(app.run_until_stopped(std::future::pending()));
    }
    let address = |metrics: bool| {
        addresses
            .iter()
            .find(|(m, _)| *m == metrics)
            .map(|(_, a)| *a)
            .ok_or("no such server")
    };
    let (api_addr, bare_addr) = (address(true)?, address(false)?);

    let limit_db = domain::db::connect(&settings.database_url)
        .await
        .map_err(|e| e.to_string())?;
    let limit_addr = serve_limit(limit_db, backend, one_id).await?;

    let scenarios = scenarios(one_id);
    println!(
        "\n{:<8} {:>12} {:>9} {:>9} | {:>12} {:>9} {:>9} | {:>6} {:>6} | {:>12} {:>8}",
        "query",
        "api req/s",
        "p50 ms",
        "p99 ms",
        "limit req/s",
        "p50 ms",
        "p99 ms",
        "ratio",
        "goal",
        "no-metrics/s",
        "metrics"
    );
    let mut failed = false;
    let only = std::env::var("BENCH_QUERIES").unwrap_or_default();
    for (i, s) in scenarios.iter().enumerate() {
        if !only.is_empty() && !only.split(',').any(|q| q.trim() == s.name) {
            continue;
        }
        let api_url = format!("http://{api_addr}/graphql");
        let bare_url = format!("http://{bare_addr}/graphql");
        let limit_url = format!("http://{limit_addr}/{i}");
        let body = graphql_body(&s.query);
        let targets: [(&str, &str, &str, Option<&str>); 3] = [
            ("api", &api_url, &body, accept_encoding.as_deref()),
            (
                "api without metrics",
                &bare_url,
                &body,
                accept_encoding.as_deref(),
            ),
            ("limit", &limit_url, "{}", None),
        ];
        // Rounds interleave the three so that drift in the machine's speed (steal time runs
        // to 10% here) falls on all of them alike; each figure is the median over rounds, and
        // each ratio the median of the rounds' ratios.
        let mut runs: [Vec<WrkResult>; 3] = Default::default();
        for round in 0..rounds {
            // Each round starts with another target: whichever runs first after a pause ran
            // faster here by up to 10%, an order effect that would otherwise favour the api.
            for t in (0..targets.len()).map(|k| (k + round) % targets.len()) {
                let (who, url, body, encoding) = targets[t];
                let r = run_wrk(url, body, encoding, seconds, connections, round == 0)?;
                if r.errors > 0 || r.non_200 > 0 || r.requests == 0 {
                    failed = true;
                    println!(
                        "{}: {who}: {} responses with errors, {} not 200, of {}",
                        s.name, r.errors, r.non_200, r.requests
                    );
                }
                runs[t].push(r);
            }
        }
        let [api, bare, limit] = &runs;
        let per_round = |f: &dyn Fn(usize) -> f64| median((0..rounds).map(f).collect());
        let ratio = per_round(&|r| api[r].rps / limit[r].rps);
        let cost = per_round(&|r| 1.0 - api[r].rps / bare[r].rps);
        let of =
            |runs: &[WrkResult], f: fn(&WrkResult) -> f64| median(runs.iter().map(f).collect());
        failed |= ratio < s.goal;
        println!(
            "{:<8} {:>12.0} {:>9.2} {:>9.2} | {:>12.0} {:>9.2} {:>9.2} | {:>6.2} {:>6} | {:>12.0} {:>7.1}%",
            s.name,
            of(api, |r| r.rps),
            of(api, |r| r.p50_ms),
            of(api, |r| r.p99_ms),
            of(limit, |r| r.rps),
            of(limit, |r| r.p50_ms),
            of(limit, |r| r.p99_ms),
            ratio,
            if s.goal > 0.0 {
                format!("≥{}", s.goal)
            } else {
                "-".into()
            },
            of(bare, |r| r.rps),
            cost * 100.0
        );
    }
    if std::env::var_os("BENCH_KEEP").is_some() {
        println!("\nkept database {DB_NAME} (BENCH_KEEP)");
    } else if backend == DbBackend::Sqlite {
        let _ = db.close().await;
        remove_sqlite();
    } else {
        drop_database(db, DB_NAME).await;
    }
    Ok(failed)
}

fn env_or<T: std::str::FromStr>(key: &str, default: T) -> T {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn graphql_body(query: &str) -> String {
    serde_json::json!({ "query": query }).to_string()
}

/// The three queries, and for each the statement that builds the same JSON in PostgreSQL.
fn scenarios(one_id: i64) -> Vec<Scenario> {
    let node_id = |expr: &str| {
        format!("translate(encode(convert_to('Item:' || {expr}, 'UTF8'), 'base64'), '+/=', '-_')")
    };
    let departments = |role: &str| {
        format!(
            "(SELECT COALESCE(json_agg(json_build_object('name', d.name) ORDER BY l.position), '[]'::json) \
             FROM item_department l JOIN department d ON d.id = l.department_id \
             WHERE l.item_id = i.id AND l.role = '{role}')"
        )
    };
    let due_dates = "(SELECT COALESCE(json_agg(json_build_object('dueOn', dd.due_on) ORDER BY dd.due_on, dd.version, dd.id), '[]'::json) \
         FROM item_due_date dd WHERE dd.item_id = i.id AND dd.active)";
    let page = |node: String, limit: u32, with_cursor: bool| {
        let cursor = if with_cursor {
            "'cursor', translate(encode(convert_to('items.number|' || i.number || '|' || i.id, 'UTF8'), 'base64'), '+/=', '-_'), "
        } else {
            ""
        };
        format!(
            "SELECT json_build_object('data', json_build_object('items', json_build_object('edges', \
             COALESCE(json_agg(json_build_object({cursor}'node', {node}) ORDER BY i.number, i.id), '[]'::json))))::text AS body \
             FROM (SELECT * FROM item ORDER BY number, id LIMIT {limit}) i"
        )
    };
    let flat_node = format!(
        "json_build_object('id', {}, 'number', i.number, 'numberText', i.number_text, 'title', i.title, \
         'deadlineText', i.deadline_text, 'status', upper(i.status))",
        node_id("i.id")
    );
    let nested_node = format!(
        "json_build_object('number', i.number, 'leadDepartments', {}, 'cooperatingDepartments', {}, 'dueDates', {due_dates})",
        departments("lead"),
        departments("cooperating")
    );
    let one_node = format!(
        "json_build_object('id', {}, 'number', i.number, 'title', i.title, 'content', i.content, \
         'deadlineText', i.deadline_text, 'leadDepartments', {}, 'cooperatingDepartments', {}, 'dueDates', {due_dates})",
        node_id("i.id"),
        departments("lead"),
        departments("cooperating")
    );
    let item_gid = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("Item:{one_id}"))
    };
    vec![
        Scenario {
            name: "flat",
            query: "{ items(first: 50) { edges { cursor node { id number numberText title deadlineText status } } } }".into(),
            sql: page(flat_node, 50, true),
            goal: 0.9,
        },
        Scenario {
            name: "nested",
            query: "{ items(first: 100) { edges { node { number leadDepartments { name } cooperatingDepartments { name } dueDates { dueOn } } } } }".into(),
            sql: page(nested_node, 100, false),
            goal: 0.9,
        },
        Scenario {
            name: "one",
            query: format!(
                "{{ item(id: \"{item_gid}\") {{ id number title content deadlineText leadDepartments {{ name }} cooperatingDepartments {{ name }} dueDates {{ dueOn }} }} }}"
            ),
            sql: format!(
                "SELECT json_build_object('data', json_build_object('item', {one_node}))::text AS body FROM item i WHERE i.id = {one_id}"
            ),
            goal: 0.6,
        },
        // No goal: the one-item query without its relations, one statement on either side,
        // shows what the relations' two statements cost `one`.
        Scenario {
            name: "row",
            query: format!(
                "{{ item(id: \"{item_gid}\") {{ id number title content deadlineText }} }}"
            ),
            sql: format!(
                "SELECT json_build_object('data', json_build_object('item', json_build_object('id', {}, \
                 'number', i.number, 'title', i.title, 'content', i.content, 'deadlineText', i.deadline_text)))::text AS body \
                 FROM item i WHERE i.id = {one_id}",
                node_id("i.id")
            ),
            goal: 0.0,
        },
    ]
}

#[derive(Clone)]
struct LimitState {
    db: DatabaseConnection,
    backend: DbBackend,
    one_id: i64,
    sql: std::sync::Arc<Vec<String>>,
}

/// The minimal handler: `POST /N` answers scenario N: on PostgreSQL its one statement's JSON,
/// on SQLite [`sqlite_limit`]'s.
async fn serve_limit(
    db: DatabaseConnection,
    backend: DbBackend,
    one_id: i64,
) -> Result<SocketAddr, String> {
    let state = LimitState {
        db,
        backend,
        one_id,
        sql: std::sync::Arc::new(scenarios(one_id).into_iter().map(|s| s.sql).collect()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let router = Router::new()
        .route("/{n}", post(limit_handler))
        .with_state(state);
    tokio::spawn(async move { axum::serve(listener, router).await });
    Ok(addr)
}

async fn limit_handler(
    State(state): State<LimitState>,
    axum::extract::Path(n): axum::extract::Path<usize>,
) -> axum::response::Response {
    if state.backend == DbBackend::Sqlite {
        return match sqlite_limit(&state.db, n, state.one_id).await {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        };
    }
    let Some(sql) = state.sql.get(n) else {
        return axum::http::StatusCode::NOT_FOUND.into_response();
    };
    match state
        .db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, sql.clone()))
        .await
    {
        Ok(Some(row)) => match row.try_get::<String>("", "body") {
            Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => {
                (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response()
            }
        },
        Ok(None) => axum::http::StatusCode::NOT_FOUND.into_response(),
        Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// An item's lead departments, cooperating departments and active due dates, as JSON.
type Relations = (
    Vec<serde_json::Value>,
    Vec<serde_json::Value>,
    Vec<serde_json::Value>,
);

/// Scenario `n`'s JSON on SQLite, read by plain statements (the page; the departments and the
/// active due dates of its items, one statement each) and written with serde_json: the least
/// any server must do for the same answer, with no GraphQL, no checks and no pool of its own.
async fn sqlite_limit(db: &DatabaseConnection, n: usize, one_id: i64) -> Result<String, String> {
    use base64::Engine;
    use serde_json::{Value, json};
    let b64 = |s: String| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let all = |sql: String| async move {
        db.query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await
            .map_err(|e| e.to_string())
    };
    let text = |r: &sea_orm::QueryResult, c: &str| r.try_get::<String>("", c).unwrap_or_default();
    let int = |r: &sea_orm::QueryResult, c: &str| r.try_get::<i64>("", c).unwrap_or_default();
    // The departments (by role) and active due dates of `ids`, in the api's order.
    let relations = |ids: Vec<i64>| async move {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let mut by: std::collections::HashMap<i64, Relations> =
            ids.iter().map(|id| (*id, Default::default())).collect();
        for r in all(format!(
            "SELECT l.item_id, l.role, d.name FROM item_department l JOIN department d ON d.id = l.department_id \
             WHERE l.item_id IN ({list}) ORDER BY l.item_id, l.position"
        ))
        .await?
        {
            let e = by.entry(int(&r, "item_id")).or_default();
            let name = json!({ "name": text(&r, "name") });
            if text(&r, "role") == "lead" {
                e.0.push(name);
            } else {
                e.1.push(name);
            }
        }
        for r in all(format!(
            "SELECT item_id, due_on FROM item_due_date WHERE active AND item_id IN ({list}) \
             ORDER BY item_id, due_on, version, id"
        ))
        .await?
        {
            let due = r
                .try_get::<chrono::NaiveDate>("", "due_on")
                .map(|d| d.to_string())
                .unwrap_or_default();
            by.entry(int(&r, "item_id"))
                .or_default()
                .2
                .push(json!({ "dueOn": due }));
        }
        Ok::<_, String>(by)
    };
    let body = match n {
        0 => {
            let rows = all(
                "SELECT id, number, number_text, title, deadline_text, status FROM item \
                 ORDER BY number, id LIMIT 50"
                    .into(),
            )
            .await?;
            let edges: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let (id, number) = (int(r, "id"), int(r, "number"));
                    json!({
                        "cursor": b64(format!("items.number|{number}|{id}")),
                        "node": {
                            "id": b64(format!("Item:{id}")),
                            "number": number,
                            "numberText": text(r, "number_text"),
                            "title": text(r, "title"),
                            "deadlineText": text(r, "deadline_text"),
                            "status": text(r, "status").to_uppercase(),
                        }
                    })
                })
                .collect();
            json!({ "data": { "items": { "edges": edges } } })
        }
        1 => {
            let rows =
                all("SELECT id, number FROM item ORDER BY number, id LIMIT 100".into()).await?;
            let mut by = relations(rows.iter().map(|r| int(r, "id")).collect()).await?;
            let edges: Vec<Value> = rows
                .iter()
                .map(|r| {
                    let (lead, cooperating, due) = by.remove(&int(r, "id")).unwrap_or_default();
                    json!({ "node": {
                        "number": int(r, "number"),
                        "leadDepartments": lead,
                        "cooperatingDepartments": cooperating,
                        "dueDates": due,
                    } })
                })
                .collect();
            json!({ "data": { "items": { "edges": edges } } })
        }
        2 | 3 => {
            let rows = all(format!(
                "SELECT id, number, title, content, deadline_text FROM item WHERE id = {one_id}"
            ))
            .await?;
            let r = rows.first().ok_or("no item")?;
            let mut node = json!({
                "id": b64(format!("Item:{one_id}")),
                "number": int(r, "number"),
                "title": text(r, "title"),
                "content": text(r, "content"),
                "deadlineText": text(r, "deadline_text"),
            });
            if n == 2 {
                let (lead, cooperating, due) = relations(vec![one_id])
                    .await?
                    .remove(&one_id)
                    .unwrap_or_default();
                node["leadDepartments"] = lead.into();
                node["cooperatingDepartments"] = cooperating.into();
                node["dueDates"] = due.into();
            }
            json!({ "data": { "item": node } })
        }
        _ => return Err("no such scenario".into()),
    };
    Ok(body.to_string())
}

struct WrkResult {
    requests: u64,
    errors: u64,
    non_200: u64,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// Runs wrk against `url` posting `body`, after a short warm-up; every response is checked.
fn run_wrk(
    url: &str,
    body: &str,
    accept_encoding: Option<&str>,
    seconds: u32,
    connections: u32,
    warm_up: bool,
) -> Result<WrkResult, String> {
    let mut lua = String::new();
    let escaped = body.replace('\\', "\\\\").replace('"', "\\\"");
    if let Some(encoding) = accept_encoding {
        let _ = writeln!(lua, r#"wrk.headers["Accept-Encoding"] = "{encoding}""#);
    }
    let _ = write!(
        lua,
        r#"wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{escaped}"
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) errors = 0; non_200 = 0 end
function response(status, headers, body)
  if status ~= 200 then non_200 = non_200 + 1 end
  if string.find(body, '"errors"', 1, true) then errors = errors + 1 end
end
function done(summary, latency, requests)
  local e, b = 0, 0
  for _, t in ipairs(threads) do e = e + t:get("errors"); b = b + t:get("non_200") end
  io.write(string.format("RESULT %d %d %d %f %f %f\n", summary.requests, e, b,
    summary.duration, latency:percentile(50), latency:percentile(99)))
end
"#
    );
    let script = std::env::temp_dir().join(format!("minsheng-bench-{}.lua", std::process::id()));
    std::fs::write(&script, lua).map_err(|e| e.to_string())?;
    let wrk = |secs: u32| {
        Command::new("wrk")
            .args([
                "-t2",
                &format!("-c{connections}"),
                &format!("-d{secs}s"),
                "-s",
            ])
            .arg(&script)
            .arg(url)
            .output()
            .map_err(|e| e.to_string())
    };
    if warm_up {
        wrk(2)?;
    }
    let out = wrk(seconds)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("RESULT "))
        .ok_or_else(|| {
            format!(
                "wrk printed no result: {stdout} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let f: Vec<f64> = line
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    if f.len() != 6 {
        return Err(format!("cannot read wrk's result line: {line}"));
    }
    Ok(WrkResult {
        requests: f[0] as u64,
        errors: f[1] as u64,
        non_200: f[2] as u64,
        rps: f[0] / (f[3] / 1e6),
        p50_ms: f[4] / 1000.0,
        p99_ms: f[5] / 1000.0,
    })
}
