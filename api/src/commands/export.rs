//! `api export --list ID [--format xlsx|csv] [--now RFC3339] FILE`: a list's 台账 for the
//! office to send upward.

use std::path::PathBuf;

use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::{
    Settings, db, export,
    store::{item::Today, ledger},
    urgency::UrgencyRule,
};

use crate::graphql::ids::{self, Kind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The list: its ID in the graph (`UHJvamVjdExpc3Q6MQ`) or its number.
    #[arg(long)]
    pub list: String,
    /// xlsx (default) or csv (UTF-8 with a byte-order mark, as Excel reads it); by default
    /// from FILE's extension.
    #[arg(long, value_enum)]
    pub format: Option<ExportFormat>,
    /// The moment status and urgency are as of (default: now).
    #[arg(long)]
    pub now: Option<DateTime<chrono::FixedOffset>>,
    /// Where to write it.
    pub file: PathBuf,
}

/// The list's number from its graph ID or the number itself.
pub fn list_id(text: &str) -> anyhow::Result<i64> {
    if let Ok(n) = text.trim().parse::<i64>() {
        return Ok(n);
    }
    ids::decode(
        Kind::ProjectList,
        &async_graphql::ID(text.trim().to_owned()),
        "list",
    )
    .map_err(|_| anyhow::anyhow!("--list {text}: not a list's ID or number"))
}

pub async fn run(args: &ExportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let list_id = list_id(&args.list)?;
    let format =
        args.format
            .unwrap_or_else(|| match args.file.extension().and_then(|e| e.to_str()) {
                Some(e) if e.eq_ignore_ascii_case("csv") => ExportFormat::Csv,
                _ => ExportFormat::Xlsx,
            });
    let at = args.now.map_or(now, |n| n.with_timezone(&Utc));
    let today = Today {
        date: at.with_timezone(&settings.timezone).date_naive(),
        rule: UrgencyRule {
            due_soon_days: settings.graph.due_soon_days,
        },
    };
    let db = db::open_configured(&settings, false, db::PoolOptions::default()).await?;
    let ledger = ledger::of_list(&db, list_id, today, settings.timezone)
        .await
        .with_context(|| format!("list {list_id}"))?;
    db.close().await?;
    let bytes = match format {
        ExportFormat::Xlsx => export::to_xlsx(&ledger)?,
        ExportFormat::Csv => export::to_csv(&ledger)?,
    };
    std::fs::write(&args.file, bytes)
        .with_context(|| format!("cannot write {}", args.file.display()))?;
    eprintln!(
        "{}: {} items of '{}' as of {}",
        args.file.display(),
        ledger.rows.len(),
        ledger.title,
        ledger.as_of
    );
    Ok(())
}
