//! The reminder worker.
//!
//! Today it loads the shared settings, checks that the database is reachable and fully migrated,
//! reports where mail would go, and waits for SIGTERM/ctrl-c. The reminder schedule and SMTP
//! delivery are not written yet (the reminder-worker issue); the worker says so at start rather
//! than pretend to send.

use std::process::ExitCode;

use clap::Parser;
use domain::{
    Settings,
    db::{self, MigrationPolicy},
    telemetry,
};

#[derive(Parser)]
#[command(version, about = "minsheng's reminder worker")]
struct Cli {}

#[tokio::main]
async fn main() -> ExitCode {
    let _ = Cli::parse();
    telemetry::init("info");
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let settings = Settings::load()?;
    // The worker never migrates PostgreSQL: that is the admin's (or the api's --migrate) job.
    let policy = MigrationPolicy::for_engine(settings.database_url.engine(), false);
    let db = db::open(&settings.database_url, policy).await?;
    match &settings.smtp_url {
        Some(url) => tracing::info!(smtp = ?url, from = %settings.mail_from, "mail goes over SMTP"),
        None => {
            tracing::info!(from = %settings.mail_from, "no MINSHENG_SMTP_URL: mail would go to ./outbox")
        }
    }
    tracing::warn!("reminder jobs are not implemented yet: this worker sends nothing");
    domain::shutdown::signal().await;
    db.close().await?;
    tracing::info!("stopped");
    Ok(())
}
