//! `cargo run --release -p bench --bin export [-- ITEMS]`
//!
//! The 台账 of a generated 10,000-item list (PostgreSQL): reading its rows
//! (`store::ledger::of_list`) and writing the workbook (`export::to_xlsx`), against writing
//! the same cells with rust_xlsxwriter directly (strings, no formats, no dates, one sheet),
//! measured in the same run, alternating, medians of 9 (this machine is noisy). Goal: the
//! export at most 2× the direct write.

use std::time::Duration;

use bench::{as_deployed, drop_database, fresh_database, listgen, median};
use chrono::{NaiveDate, Utc};
use domain::{
    export::{self, HEADER, Ledger},
    listdoc::{ParseOptions, parse},
    store::{
        audit::Actor,
        item::Today,
        ledger,
        list_import::{ImportOptions, import},
    },
    urgency::UrgencyRule,
};

const RUNS: usize = 9;

/// The same cells written plainly: the baseline.
fn direct(ledger: &Ledger) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, &ledger.title)?;
    for (col, name) in HEADER.iter().enumerate() {
        sheet.write_string(1, col as u16, *name)?;
    }
    for (i, row) in ledger.rows.iter().enumerate() {
        for (col, cell) in row.cells().iter().enumerate() {
            sheet.write_string(2 + i as u32, col as u16, cell)?;
        }
    }
    book.save_to_buffer()
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let items: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let (db, url) = fresh_database("minsheng_bench_export").await?;
    let text = listgen::list_text(items);
    let parsed = parse(&text, &ParseOptions::default());
    let report = import(
        &db,
        &text,
        &parsed,
        &ImportOptions {
            issuer: None,
            actor: Actor::system("bench"),
            now: Utc::now(),
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    let today = Today {
        date: NaiveDate::from_ymd_opt(2021, 6, 23).ok_or("date")?,
        rule: UrgencyRule { due_soon_days: 14 },
    };
    let tz = chrono_tz::Asia::Shanghai;
    // The reads go through a pool opened as the binaries open theirs (no statement logging,
    // no ping before every statement), to the database as docker-compose.yml deploys it (no
    // TLS on one host).
    let deployed = domain::db::connect(&domain::config::DatabaseUrl::parse(&as_deployed(&url)?)?)
        .await
        .map_err(|e| e.to_string())?;

    let mut read_times = Vec::new();
    let mut write_times = Vec::new();
    let mut export_times = Vec::new();
    let mut direct_times = Vec::new();
    let mut size = (0, 0);
    for run in 0..RUNS {
        let measure_export = async {
            let start = std::time::Instant::now();
            let ledger = ledger::of_list(&deployed, report.list_id, today, tz)
                .await
                .map_err(|e| e.to_string())?;
            let read = start.elapsed();
            let bytes = export::to_xlsx(&ledger).map_err(|e| e.to_string())?;
            Ok::<_, String>((ledger, read, start.elapsed(), bytes.len()))
        };
        let measure_direct = |ledger: &Ledger| -> Result<(Duration, usize), String> {
            let start = std::time::Instant::now();
            let bytes = direct(ledger).map_err(|e| e.to_string())?;
            Ok((start.elapsed(), bytes.len()))
        };
        // Alternate which side runs first, so neither always finds the caches warm.
        let (ledger, read, total, bytes) = measure_export.await?;
        let (direct_time, direct_bytes) = if run % 2 == 0 {
            measure_direct(&ledger)?
        } else {
            let again = measure_direct(&ledger)?;
            let _ = export::to_xlsx(&ledger);
            again
        };
        if ledger.rows.len() != items {
            return Err(format!("{} rows of {items}", ledger.rows.len()));
        }
        read_times.push(read);
        write_times.push(total - read);
        export_times.push(total);
        direct_times.push(direct_time);
        size = (bytes, direct_bytes);
    }
    let _ = deployed.close().await;
    drop_database(db, "minsheng_bench_export").await;

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (export_time, direct_time) = (median(export_times), median(direct_times));
    println!(
        "ledger of {items} items, {} KB as xlsx ({} KB written directly)",
        size.0 / 1024,
        size.1 / 1024
    );
    println!(
        "export: median {:.0} ms (reading the rows {:.0} ms, writing the workbook {:.0} ms)",
        ms(export_time),
        ms(median(read_times)),
        ms(median(write_times))
    );
    println!(
        "direct rust_xlsxwriter write of the same cells: median {:.0} ms",
        ms(direct_time)
    );
    println!(
        "ratio export / direct write: {:.2} (goal <= 2.00)",
        export_time.as_secs_f64() / direct_time.as_secs_f64()
    );
    Ok(())
}
