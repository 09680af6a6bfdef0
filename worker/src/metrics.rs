//! The worker's series, served at `/metrics` on `MINSHENG_WORKER_METRICS_BIND`: runs and what
//! they did, the ledger's backlog, and the time of the last run that succeeded, so that an alert
//! can fire when the worker has stalled; the bulletins tried, and when the last one was sent.
//!
//! Each worker serves its own: Prometheus scrapes every process, the counters live in memory
//! where they are counted, and a worker that has stopped running shows as its own stale
//! `last success` (counters written into the shared database for the api to serve would cost a
//! write per event and blur which worker stalled).

use std::{net::SocketAddr, sync::Arc};

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::get};
use chrono::{DateTime, Utc};
use domain::{
    DomainError,
    metrics::{CONTENT_TYPE, Metrics},
    model::DeliveryStatus,
    store::{bulletin, delivery},
};
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge},
};
use sea_orm::DatabaseConnection;
use std::sync::atomic::AtomicU64;

use crate::jobs::{send_bulletin::Outcome, send_reminders::RunReport};

/// `ok` or `failed`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    outcome: &'static str,
}

/// `sent`, `retrying` or `failed`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeliveryLabels {
    status: &'static str,
}

/// What became of a bulletin this worker tried: `sent`, `already_sent`, `held`, `retrying`,
/// `failed` (given up), or `error` (the run stopped on an error).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BulletinLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BacklogLabels {
    status: &'static str,
}

pub struct WorkerMetrics {
    registry: Metrics,
    runs: Family<RunLabels, Counter>,
    planned: Counter,
    deliveries: Family<DeliveryLabels, Counter>,
    last_success: Gauge<f64, AtomicU64>,
    backlog: Family<BacklogLabels, Gauge>,
    bulletins: Family<BulletinLabels, Counter>,
    bulletin_last_sent: Gauge<f64, AtomicU64>,
    db: DatabaseConnection,
}

impl WorkerMetrics {
    /// The worker's series and its pool's, in a registry of their own.
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        let registry = Metrics::default();
        registry.watch_pools(vec![("main", db.clone())]);
        let this = Arc::new(Self {
            registry: registry.clone(),
            runs: Family::default(),
            planned: Counter::default(),
            deliveries: Family::default(),
            last_success: Gauge::default(),
            backlog: Family::default(),
            bulletins: Family::default(),
            bulletin_last_sent: Gauge::default(),
            db,
        });
        registry.register(|r| {
            r.register(
                "minsheng_worker_runs",
                "Reminder runs, by outcome (failed: the run stopped on an error; the ledger keeps what was not sent)",
                this.runs.clone(),
            );
            r.register(
                "minsheng_worker_reminders_planned",
                "Reminders the runs planned (each run plans what is due that day; the ledger keeps them once)",
                this.planned.clone(),
            );
            r.register(
                "minsheng_worker_deliveries",
                "Ledger rows settled by the runs: sent, back for another attempt (retrying), or failed for good",
                this.deliveries.clone(),
            );
            r.register(
                "minsheng_worker_last_success_timestamp_seconds",
                "When the last run that succeeded finished (Unix time); 0 before the first",
                this.last_success.clone(),
            );
            r.register(
                "minsheng_worker_ledger_backlog",
                "Ledger rows not yet settled, read at the scrape: pending (to send or retry) and sending (claimed by a run)",
                this.backlog.clone(),
            );
            r.register(
                "minsheng_worker_bulletins",
                "Bulletins (情况通报) this worker tried, by outcome: sent, already_sent, held (by another worker, or waiting to be retried), retrying, failed (given up) or error",
                this.bulletins.clone(),
            );
            r.register(
                "minsheng_bulletin_last_sent_timestamp_seconds",
                "When the latest bulletin was sent by any worker (Unix time), read at the scrape; 0 before the first",
                this.bulletin_last_sent.clone(),
            );
        });
        this
    }

    /// Counts one run's outcome; `finished` is when it ended.
    pub fn record_run(&self, result: &Result<RunReport, DomainError>, finished: DateTime<Utc>) {
        match result {
            Ok(report) => {
                self.runs.get_or_create(&RunLabels { outcome: "ok" }).inc();
                self.planned.inc_by(report.planned as u64);
                for (status, n) in [
                    ("sent", report.deliveries_sent),
                    ("retrying", report.deliveries_retrying),
                    ("failed", report.deliveries_failed),
                ] {
                    self.deliveries
                        .get_or_create(&DeliveryLabels { status })
                        .inc_by(n as u64);
                }
                self.last_success
                    .set(finished.timestamp_millis() as f64 / 1000.0);
                // A pending bulletin the run retried.
                if let Some(outcome) = &report.bulletin {
                    self.count_bulletin(bulletin_outcome(outcome));
                }
            }
            Err(_) => {
                self.runs
                    .get_or_create(&RunLabels { outcome: "failed" })
                    .inc();
            }
        }
    }

    /// Counts one scheduled or by-hand bulletin run.
    pub fn record_bulletin(&self, result: &Result<Outcome, DomainError>) {
        self.count_bulletin(match result {
            Ok(outcome) => bulletin_outcome(outcome),
            Err(_) => "error",
        });
    }

    fn count_bulletin(&self, outcome: &'static str) {
        self.bulletins
            .get_or_create(&BulletinLabels { outcome })
            .inc();
    }

    /// Every series, the backlog and the last bulletin read now.
    async fn scrape(&self) -> String {
        match bulletin::last_sent(&self.db).await {
            Ok(at) => {
                self.bulletin_last_sent
                    .set(at.map_or(0.0, |at| at.timestamp_millis() as f64 / 1000.0));
            }
            Err(e) => {
                tracing::warn!(error = %e, "the last bulletin could not be read for /metrics")
            }
        }
        match delivery::backlog(&self.db).await {
            Ok(counts) => {
                for (status, n) in counts {
                    let status = match status {
                        DeliveryStatus::Pending => "pending",
                        DeliveryStatus::Sending => "sending",
                        _ => continue,
                    };
                    self.backlog
                        .get_or_create(&BacklogLabels { status })
                        .set(i64::try_from(n).unwrap_or(i64::MAX));
                }
            }
            // The rest is still worth serving; the gauge keeps its last reading.
            Err(e) => {
                tracing::warn!(error = %e, "the ledger's backlog could not be read for /metrics")
            }
        }
        self.registry.encode()
    }

    /// Serves `/metrics` on `bind` until the process ends; the bound address is returned.
    pub async fn serve(self: Arc<Self>, bind: SocketAddr) -> anyhow::Result<SocketAddr> {
        let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {bind} (MINSHENG_WORKER_METRICS_BIND): {e}")
        })?;
        let address = listener.local_addr()?;
        let router = Router::new()
            .route("/metrics", get(scrape))
            .with_state(self);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
        Ok(address)
    }
}

fn bulletin_outcome(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Sent { .. } => "sent",
        Outcome::AlreadySent { .. } => "already_sent",
        Outcome::Held { .. } => "held",
        Outcome::Retrying { .. } => "retrying",
        Outcome::Failed { .. } => "failed",
    }
}

async fn scrape(State(metrics): State<Arc<WorkerMetrics>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, CONTENT_TYPE)],
        metrics.scrape().await,
    )
}
