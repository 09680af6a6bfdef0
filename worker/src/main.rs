//! `worker` runs the reminder schedule (and the bulletin's, when set); `worker run-once [--now …]
//! [--dry-run]` runs the reminders once, `worker bulletin [--now …] [--dry-run]` the bulletin.

use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};
use domain::{Settings, db, reminder::load_policy, telemetry};
use worker::{
    jobs::{
        send_bulletin::{self, BulletinTarget, Outcome},
        send_reminders::{AckLinks, Context, FooterSettings, preview, run},
    },
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
    /// Send the 情况通报 of the period an instant falls in, unless it was sent; one that failed
    /// is tried again.
    Bulletin {
        /// The instant (RFC 3339); default: now. The period is the last tick of
        /// MINSHENG_BULLETIN_CRON at or before it, or its day when no schedule is set.
        #[arg(long)]
        now: Option<DateTime<chrono::FixedOffset>>,
        /// Print the bulletin and its recipients; write and send nothing.
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
    for off in settings.features_off(domain::config::Binary::Worker) {
        tracing::warn!("{off}");
    }
    let ctx = Context {
        db,
        mailer,
        from: settings.mail_from.clone(),
        policy: reminder_policy,
        timezone: settings.timezone,
        send_concurrency: SMTP_POOL_SIZE as usize,
        ack_links: AckLinks::from_settings(&settings.supervision),
        bulletin: BulletinTarget::from_settings(&settings).map_err(anyhow::Error::msg)?,
        footer: FooterSettings::from_settings(&settings),
        password_links: worker::password_mail::LinkSettings::from_settings(&settings),
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
                settings.bulletin.cron.as_deref(),
                metrics,
                domain::shutdown::signal(),
            )
            .await
        }
        Command::Bulletin { now, dry_run } => {
            let now = now.map_or_else(Utc::now, |n| n.with_timezone(&Utc));
            let result = bulletin(&ctx, now, dry_run).await;
            ctx.db.close().await?;
            result
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
                    report.new_deliveries,
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

async fn bulletin(ctx: &Context, now: DateTime<Utc>, dry_run: bool) -> anyhow::Result<()> {
    let tz = ctx.timezone;
    if dry_run {
        let (row, content, ledgers) = send_bulletin::preview(ctx, now).await?;
        println!(
            "dry run at {now}: the bulletin of the period from {} (covering since {}), {}; nothing is written or sent",
            row.period_start.with_timezone(&tz),
            row.covers_from.with_timezone(&tz),
            match row.status {
                domain::model::BulletinStatus::Sent => "already sent",
                _ => "not sent yet",
            }
        );
        let to: Vec<&str> = ctx.bulletin.to.iter().map(|a| a.as_str()).collect();
        println!(
            "to: {}",
            if to.is_empty() {
                "nobody (MINSHENG_BULLETIN_TO is empty)".to_owned()
            } else {
                to.join(", ")
            }
        );
        println!("subject: {}", worker::bulletin::subject(content.as_of));
        for ledger in &ledgers {
            println!(
                "attachment: {} ({} rows)",
                worker::bulletin::attachment_name(ledger),
                ledger.rows.len()
            );
        }
        println!(
            "\n{}",
            // The office's copy: everything, its housekeeping section too.
            worker::bulletin::text(&content, worker::bulletin::Reader::Office)
                .map_err(anyhow::Error::msg)?
        );
        return Ok(());
    }
    match send_bulletin::run(ctx, now).await? {
        Outcome::Sent {
            period_start,
            message_id,
            recipients,
        } => println!(
            "bulletin of the period from {} sent to {recipients} recipients ({message_id})",
            period_start.with_timezone(&tz)
        ),
        Outcome::AlreadySent {
            period_start,
            sent_at,
        } => println!(
            "the bulletin of the period from {} was already sent{}: not sent again",
            period_start.with_timezone(&tz),
            sent_at
                .map(|s| format!(" at {}", s.with_timezone(&tz)))
                .unwrap_or_default()
        ),
        Outcome::Held { period_start } => println!(
            "the bulletin of the period from {} is being sent by another worker, or waits for its retry",
            period_start.with_timezone(&tz)
        ),
        Outcome::Retrying {
            period_start,
            error,
        } => anyhow::bail!(
            "the bulletin of the period from {} was not sent ({error}); the next reminder run tries again",
            period_start.with_timezone(&tz)
        ),
        Outcome::Failed {
            period_start,
            error,
        } => anyhow::bail!(
            "the bulletin of the period from {} was not sent and is given up: {error}",
            period_start.with_timezone(&tz)
        ),
    }
    Ok(())
}
