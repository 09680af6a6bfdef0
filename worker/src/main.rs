//! `worker` runs the reminder schedule; `worker run-once [--now …] [--dry-run]` runs once.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use domain::{Settings, db, reminder::load_policy, telemetry};
use worker::{
    jobs::send_reminders::{AckLinks, Context, preview, run},
    mailer::Mailer,
    metrics::WorkerMetrics,
    scheduler::run_scheduled,
};

/// SMTP connections kept open, and messages in flight at once (see bench/reminders).
const SMTP_POOL_SIZE: u32 = 4;

#[derive(Parser)]
#[command(version, about = "minsheng's reminder worker")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run on the schedule in MINSHENG_REMINDER_CRON (the default).
    Run,
    /// One run at an instant, then exit.
    RunOnce {
        /// The instant to run at (RFC 3339, e.g. 2021-06-23T08:00:00+08:00); default: now.
        #[arg(long)]
        now: Option<DateTime<chrono::FixedOffset>>,
        /// Print who would get what; write and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init("info");
    match start(cli.command.unwrap_or(Command::Run)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn start(command: Command) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    // The worker never migrates PostgreSQL: that is the admin's (or the api's --migrate) job.
    let db = db::open_configured(&settings, false, db::PoolOptions::main(&settings.pool)).await?;
    let reminder_policy = load_policy(&settings.reminders).map_err(anyhow::Error::msg)?;
    let mailer = Mailer::from_settings(&settings, SMTP_POOL_SIZE).map_err(anyhow::Error::msg)?;
    tracing::info!(database = %settings.database_url, mail = %mailer.describe(), timezone = %settings.timezone, "worker starting");
    let ctx = Context {
        db,
        mailer,
        from: settings.mail_from.clone(),
        policy: reminder_policy,
        timezone: settings.timezone,
        send_concurrency: SMTP_POOL_SIZE as usize,
        ack_links: AckLinks::from_settings(&settings.supervision),
    };
    match command {
        Command::Run => {
            let metrics = match (settings.metrics.enabled, settings.metrics.worker_bind) {
                (true, Some(bind)) => {
                    let metrics = WorkerMetrics::new(ctx.db.clone());
                    let address = metrics.clone().serve(bind).await?;
                    tracing::info!(%address, "serving /metrics");
                    Some(metrics)
                }
                (true, None) => {
                    tracing::info!(
                        "no /metrics: MINSHENG_WORKER_METRICS_BIND names no address to serve it on"
                    );
                    None
                }
                (false, _) => None,
            };
            run_scheduled(
                ctx,
                &settings.reminders.cron,
                metrics,
                domain::shutdown::signal(),
            )
            .await
        }
        Command::RunOnce { now, dry_run } => {
            let now = now.map_or_else(Utc::now, |n| n.with_timezone(&Utc));
            if dry_run {
                let (messages, report) = preview(&ctx, now).await?;
                println!(
                    "dry run at {now} (today {} in {}): nothing is written or sent",
                    report.today.map(|d| d.to_string()).unwrap_or_default(),
                    ctx.timezone
                );
                if report.day_of_rest {
                    println!("today is a day of rest in the holiday calendar: no reminders");
                }
                for m in &messages {
                    let cc =
                        m.cc.as_deref()
                            .map(|c| format!(" (cc {c})"))
                            .unwrap_or_default();
                    println!("\nto {}{cc}\n  {}", m.to, m.subject);
                    for item in &m.items {
                        println!("  - {item}");
                    }
                }
                for (department, item) in &report.uncontacted {
                    println!(
                        "\nno contact: {department} leads item {item} but has no active contact"
                    );
                }
                println!(
                    "\n{} messages, {} reminders",
                    messages.len(),
                    report.planned
                );
            } else {
                let report = run(&ctx, now).await?;
                println!(
                    "run at {now}: {} reminders planned ({} new), {} messages sent covering {} reminders, {} to retry, {} failed",
                    report.planned,
                    report.new_in_ledger,
                    report.messages_sent,
                    report.deliveries_sent,
                    report.deliveries_retrying,
                    report.deliveries_failed
                );
            }
            ctx.db.close().await?;
            Ok(())
        }
    }
}
