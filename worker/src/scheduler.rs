//! The cron schedules: they only decide when; `jobs::send_reminders::run` and
//! `jobs::send_bulletin::run` decide what.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::Mutex;
use tokio_cron_scheduler::{Job, JobScheduler};

use crate::{
    jobs::{
        send_bulletin,
        send_reminders::{Context, run},
    },
    metrics::WorkerMetrics,
};

/// Runs the reminder job on `cron` (six fields, in the context's time zone), and the bulletin on
/// `bulletin_cron` when given, until `stop` completes; a run in flight is finished before
/// returning.
/// How often the worker looks for password links to mail (six fields: seconds first).
const PASSWORD_MAIL_CRON: &str = "*/20 * * * * *";

pub async fn run_scheduled(
    ctx: Context,
    cron: &str,
    bulletin_cron: Option<&str>,
    metrics: Option<Arc<WorkerMetrics>>,
    stop: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let timezone = ctx.timezone;
    // Held for the whole of a run: a stop waits for it, and two ticks never overlap.
    let ctx = Arc::new(Mutex::new(ctx));
    let job_ctx = Arc::clone(&ctx);
    let bulletin_metrics = metrics.clone();
    let job = Job::new_async_tz(cron, timezone, move |_id, _scheduler| {
        let ctx = Arc::clone(&job_ctx);
        let metrics = metrics.clone();
        Box::pin(async move {
            let ctx = ctx.lock().await;
            let result = run(&ctx, Utc::now()).await;
            if let Some(metrics) = &metrics {
                metrics.record_run(&result, Utc::now());
            }
            if let Err(e) = result {
                tracing::error!(error = %e, cause = ?e, "reminder run failed; the ledger keeps what was not sent for the next run");
            }
        })
    })
    .map_err(|e| anyhow::anyhow!("MINSHENG_REMINDER_CRON '{cron}': {e}"))?;
    let mut scheduler = JobScheduler::new().await?;
    let id = scheduler.add(job).await?;
    // Password links keep no office's schedule: the person invited is looking at the inbox.
    let mail_ctx = Arc::clone(&ctx);
    let mail_job = Job::new_async_tz(PASSWORD_MAIL_CRON, timezone, move |_id, _scheduler| {
        let ctx = Arc::clone(&mail_ctx);
        Box::pin(async move {
            let ctx = ctx.lock().await;
            if let Err(e) = crate::password_mail::deliver(&ctx).await {
                tracing::error!(error = %e, cause = ?e, "password links could not be mailed; tried again shortly");
            }
        })
    })?;
    scheduler.add(mail_job).await?;
    if let Some(bulletin_cron) = bulletin_cron {
        let job_ctx = Arc::clone(&ctx);
        let metrics = bulletin_metrics;
        let job = Job::new_async_tz(bulletin_cron, timezone, move |_id, _scheduler| {
            let ctx = Arc::clone(&job_ctx);
            let metrics = metrics.clone();
            Box::pin(async move {
                // The same lock: a bulletin and a reminder run never overlap.
                let ctx = ctx.lock().await;
                let result = send_bulletin::run(&ctx, Utc::now()).await;
                if let Some(metrics) = &metrics {
                    metrics.record_bulletin(&result);
                }
                match result {
                    Ok(outcome) => tracing::info!(?outcome, "bulletin run finished"),
                    Err(e) => {
                        tracing::error!(error = %e, cause = ?e, "bulletin run failed; the next reminder run retries a bulletin left pending")
                    }
                }
            })
        })
        .map_err(|e| anyhow::anyhow!("MINSHENG_BULLETIN_CRON '{bulletin_cron}': {e}"))?;
        let bulletin_id = scheduler.add(job).await?;
        match scheduler.next_tick_for_job(bulletin_id).await {
            Ok(Some(next)) => {
                tracing::info!(cron = bulletin_cron, next_run = %next.with_timezone(&timezone), "bulletin scheduled")
            }
            _ => {
                scheduler.shutdown().await?;
                anyhow::bail!(
                    "MINSHENG_BULLETIN_CRON '{bulletin_cron}' names no future run: no bulletin would ever be sent"
                );
            }
        }
    }
    scheduler.start().await?;
    match scheduler.next_tick_for_job(id).await {
        Ok(Some(next)) => {
            tracing::info!(cron, next_run = %next.with_timezone(&timezone), "worker scheduled")
        }
        // A worker that never runs would look healthy while no reminder is ever sent.
        _ => {
            scheduler.shutdown().await?;
            anyhow::bail!(
                "MINSHENG_REMINDER_CRON '{cron}' names no future run (such as the 31st of February): no reminder would ever be sent"
            );
        }
    }
    stop.await;
    tracing::info!("stopping: waiting for a run in flight to finish");
    let _in_flight_done = ctx.lock().await;
    scheduler.shutdown().await?;
    Ok(())
}
