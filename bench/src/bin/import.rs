//! `cargo run --release -p bench --bin import [-- ITEMS]`
//!
//! Parse throughput of a generated 10,000-item list in the seed's shape (with the layout guessed,
//! against the newspaper reader named outright: guessing may cost at most 20%), and the time to import
//! it (`domain::store::list_import::import`, one transaction) against a plain batched insert of
//! the same rows, measured in the same run, on each engine: PostgreSQL (goal: import ≤ 3× the
//! plain insert), and the embedded SQLite file as the binaries open it (WAL, synchronous=NORMAL),
//! whose figures issue 34 asks for (goal there: ≤ 2×). `BENCH_ENGINES=sqlite` (or `postgres`)
//! runs one engine only.
//!
//! `BENCH_VERBOSE=1` prints the baseline's time per table; `BENCH_CHUNK=N` sets its rows per
//! INSERT (default 100, the fastest measured here; the import uses 100 as well).

use std::time::Duration;

use bench::{as_deployed, drop_database, fresh_database, listgen, median, time};
use chrono::Utc;
use domain::{
    listdoc::{ParseOptions, ParsedList, parse},
    store::{
        audit::Actor,
        list_import::{ImportOptions, import},
        sha256_hex,
    },
};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait, Value};

const RUNS: usize = 5;

#[tokio::main]
async fn main() -> Result<(), String> {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let text = listgen::list_text(items);
    let mb = text.len() as f64 / 1_000_000.0;

    let mut parse_times = Vec::new();
    let mut parsed = None;
    for _ in 0..RUNS {
        let (p, d) = time(|| parse(&text, &ParseOptions::default()));
        parse_times.push(d);
        parsed = Some(p);
    }
    let parsed = parsed.ok_or("no parse run")?;
    if parsed.items.len() != items {
        return Err(format!("parsed {} items of {items}", parsed.items.len()));
    }
    // The same reader with no guess, interleaved with the guessing runs above and below.
    let named = ParseOptions {
        layout: Some(domain::listdoc::Layout::Newspaper),
        ..Default::default()
    };
    let mut named_times = Vec::new();
    for _ in 0..RUNS {
        named_times.push(time(|| parse(&text, &named)).1);
        parse_times.push(time(|| parse(&text, &ParseOptions::default())).1);
    }
    let parse_time = median(parse_times);
    let named_time = median(named_times);
    let guess_time = median(
        (0..RUNS)
            .map(|_| time(|| domain::listdoc::Layout::guess(&text)).1)
            .collect(),
    );
    println!("list: {items} items, {mb:.2} MB");
    println!(
        "parse: median {:.1} ms over {} runs = {:.1} MB/s (layout guessed: {})",
        ms(parse_time),
        RUNS * 2,
        mb / parse_time.as_secs_f64(),
        parsed.layout
    );
    println!(
        "parse, layout named: median {:.1} ms = {:.1} MB/s; guessed / named throughput = {:.2} (goal ≥ 0.80)",
        ms(named_time),
        mb / named_time.as_secs_f64(),
        named_time.as_secs_f64() / parse_time.as_secs_f64()
    );
    println!(
        "layout guess alone: median {:.3} ms ({:.1}% of the named parse)",
        ms(guess_time),
        100.0 * guess_time.as_secs_f64() / named_time.as_secs_f64()
    );

    let engines = std::env::var("BENCH_ENGINES").unwrap_or_else(|_| "postgres,sqlite".into());
    for engine in engines.split(',').map(str::trim) {
        let backend = match engine {
            "postgres" => DbBackend::Postgres,
            "sqlite" => DbBackend::Sqlite,
            other => return Err(format!("BENCH_ENGINES: unknown engine {other}")),
        };
        import_against_baseline(backend, &text, &parsed, parse_time).await?;
    }
    Ok(())
}

/// Opens a fresh, migrated database of `backend`: on PostgreSQL a database of its own on the
/// bench server; on SQLite a file in the temp directory, opened by `domain::db::connect` as the
/// binaries open it (its pragmas as shipped). The closure drops it.
async fn fresh(backend: DbBackend, name: &str) -> Result<DatabaseConnection, String> {
    match backend {
        DbBackend::Sqlite => {
            let path = std::env::temp_dir().join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
            let url = domain::config::DatabaseUrl::parse(&format!(
                "sqlite://{}?mode=rwc",
                path.display()
            ))?;
            let db = domain::db::connect(&url).await.map_err(|e| e.to_string())?;
            <migration::Migrator as migration::MigratorTrait>::up(&db, None)
                .await
                .map_err(|e| e.to_string())?;
            Ok(db)
        }
        // Created and migrated on the bench server, then opened as deployed: no TLS to a
        // server on the same host (`BENCH_TLS=1` turns it on), the binaries' own pool.
        _ => {
            let (created, url) = fresh_database(name).await?;
            let _ = created.close().await;
            let url = domain::config::DatabaseUrl::parse(&as_deployed(&url)?)?;
            domain::db::connect(&url).await.map_err(|e| e.to_string())
        }
    }
}

async fn drop_fresh(backend: DbBackend, db: DatabaseConnection, name: &str) {
    match backend {
        DbBackend::Sqlite => {
            let _ = db.close().await;
            let path = std::env::temp_dir().join(format!("{name}.db"));
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        _ => drop_database(db, name).await,
    }
}

async fn import_against_baseline(
    backend: DbBackend,
    text: &str,
    parsed: &ParsedList,
    parse_time: Duration,
) -> Result<(), String> {
    let engine = match backend {
        DbBackend::Sqlite => "SQLite",
        _ => "PostgreSQL",
    };
    let goal = match backend {
        DbBackend::Sqlite => 2.0,
        _ => 3.0,
    };
    let mut import_times = Vec::new();
    let mut plain_times = Vec::new();
    for run in 0..RUNS {
        // Alternate the order so neither side always runs on a warmer server.
        let order = if run % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_import in order {
            let name = format!("minsheng_bench_import_{}", std::process::id());
            let db = fresh(backend, &name).await?;
            let started = std::time::Instant::now();
            if is_import {
                let options = ImportOptions {
                    issuer: None,
                    actor: Actor::system("bench"),
                    now: Utc::now(),
                };
                import(&db, text, parsed, &options)
                    .await
                    .map_err(|e| format!("import: {e:?}"))?;
                import_times.push(started.elapsed());
            } else {
                plain_insert(&db, backend, text, parsed)
                    .await
                    .map_err(|e| format!("plain insert: {e}"))?;
                plain_times.push(started.elapsed());
            }
            drop_fresh(backend, db, &name).await;
        }
    }
    let (import_time, plain_time) = (median(import_times), median(plain_times));
    println!(
        "{engine}: plain batched insert (baseline): median {:.1} ms over {RUNS} runs",
        ms(plain_time)
    );
    println!(
        "{engine}: domain import: median {:.1} ms over {RUNS} runs",
        ms(import_time)
    );
    println!(
        "{engine}: ratio import / plain insert: {:.2} (goal <= {goal:.2}); parse + import / plain insert: {:.2}",
        import_time.as_secs_f64() / plain_time.as_secs_f64(),
        (import_time + parse_time).as_secs_f64() / plain_time.as_secs_f64()
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The same rows as the import writes, by hand: departments, list, items, due dates and roles in
/// multi-row INSERTs of 100 rows, in one transaction, with no lookups or comparisons.
async fn plain_insert(
    db: &DatabaseConnection,
    backend: DbBackend,
    text: &str,
    parsed: &ParsedList,
) -> Result<(), sea_orm::DbErr> {
    let txn = db.begin().await?;
    let now = Utc::now();
    let mut names: Vec<&str> = parsed
        .items
        .iter()
        .flat_map(|i| i.lead_departments.iter().chain(&i.cooperating_departments))
        .map(|d| d.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let rows: Vec<Vec<Value>> = names
        .iter()
        .map(|n| vec![(*n).into(), now.into()])
        .collect();
    insert_rows(&txn, backend, "department", &["name", "created_at"], rows).await?;
    let department_ids = id_map(&txn, backend, "SELECT name, id FROM department").await?;

    let list = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            format!(
                "INSERT INTO project_list (title, source_text, source_sha256, year, imported_at, updated_at) \
                 VALUES ({}) RETURNING id",
                (1..=6).map(|n| placeholder(backend, n)).collect::<Vec<_>>().join(", ")
            ),
            [
                parsed.title.clone().into(),
                text.into(),
                sha256_hex(text).into(),
                parsed.year.into(),
                now.into(),
                now.into(),
            ],
        ))
        .await?
        .ok_or_else(|| sea_orm::DbErr::Custom("no list id".into()))?;
    let list_id: i64 = list.try_get("", "id")?;

    let item_rows = parsed
        .items
        .iter()
        .map(|i| {
            vec![
                list_id.into(),
                i.number.into(),
                i.number_text.clone().into(),
                i.title.clone().into(),
                i.content.clone().into(),
                i.deadline_text.clone().into(),
                i.deadline.ongoing.into(),
                "open".into(),
                serde_json::json!(i.generic_phrases).into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    let columns = [
        "list_id",
        "number",
        "number_text",
        "title",
        "content",
        "deadline_text",
        "ongoing",
        "status",
        "generic_phrases",
        "created_at",
        "updated_at",
    ];
    insert_rows(&txn, backend, "item", &columns, item_rows).await?;
    let item_ids = id_map(
        &txn,
        backend,
        &format!("SELECT CAST(number AS TEXT) AS name, id FROM item WHERE list_id = {list_id}"),
    )
    .await?;

    let mut due_rows = Vec::new();
    let mut role_rows = Vec::new();
    for i in &parsed.items {
        let item_id = item_ids[&i.number.unwrap_or_default().to_string()];
        for m in &i.deadline.milestones {
            let precision = format!("{:?}", m.precision)
                .to_lowercase()
                .replace("halfyear", "half_year");
            let kind = format!("{:?}", m.kind).to_lowercase();
            due_rows.push(vec![
                item_id.into(),
                m.due_on.into(),
                precision.into(),
                kind.into(),
                m.label.clone().into(),
                now.into(),
            ]);
        }
        for (role, list) in [
            ("lead", &i.lead_departments),
            ("cooperating", &i.cooperating_departments),
        ] {
            for (position, d) in list.iter().enumerate() {
                role_rows.push(vec![
                    item_id.into(),
                    department_ids[d.as_str()].into(),
                    role.into(),
                    (position as i32).into(),
                ]);
            }
        }
    }
    insert_rows(
        &txn,
        backend,
        "item_due_date",
        &[
            "item_id",
            "due_on",
            "precision",
            "kind",
            "label",
            "created_at",
        ],
        due_rows,
    )
    .await?;
    insert_rows(
        &txn,
        backend,
        "item_department",
        &["item_id", "department_id", "role", "position"],
        role_rows,
    )
    .await?;
    txn.commit().await
}

async fn insert_rows<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<(), sea_orm::DbErr> {
    let started = std::time::Instant::now();
    let count = rows.len();
    let result = insert_rows_inner(db, backend, table, columns, rows).await;
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("  {table}: {count} rows in {:.1} ms", ms(started.elapsed()));
    }
    result
}

async fn insert_rows_inner<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<(), sea_orm::DbErr> {
    let chunk_rows = std::env::var("BENCH_CHUNK")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100);
    for chunk in rows.chunks(chunk_rows) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut values = Vec::with_capacity(chunk.len() * columns.len());
        for (r, row) in chunk.iter().enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            let placeholders: Vec<String> = (0..row.len())
                .map(|c| placeholder(backend, values.len() + c + 1))
                .collect();
            sql.push('(');
            sql.push_str(&placeholders.join(", "));
            sql.push(')');
            values.extend(row.iter().cloned());
        }
        db.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
    }
    Ok(())
}

/// Parameter `n` (from 1) as the engine writes it.
fn placeholder(backend: DbBackend, n: usize) -> String {
    match backend {
        DbBackend::Sqlite => "?".to_owned(),
        _ => format!("${n}"),
    }
}

async fn id_map<C: ConnectionTrait>(
    db: &C,
    backend: DbBackend,
    sql: &str,
) -> Result<std::collections::HashMap<String, i64>, sea_orm::DbErr> {
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql.to_owned()))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "name")?,
                r.try_get::<i64>("", "id")?,
            ))
        })
        .collect()
}
