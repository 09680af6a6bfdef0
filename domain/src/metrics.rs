//! What both binaries report to Prometheus about themselves: the shared registry, the database
//! pools, and the text format. Each binary registers its own series beside these (the api's
//! requests, the worker's runs); nothing here is global, so two apps in one process (tests) keep
//! their own counts.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric},
    metrics::{counter::Counter, family::Family, gauge::ConstGauge},
    registry::Registry,
};
use sea_orm::{DatabaseBackend, DatabaseConnection};

/// How often pool saturation is sampled.
const SATURATION_SAMPLE: Duration = Duration::from_millis(100);

/// The content type of the OpenMetrics text format, which prometheus-client writes and Prometheus
/// scrapes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A registry shared by whatever registers into it and whoever serves it.
#[derive(Clone, Default)]
pub struct Metrics {
    registry: Arc<Mutex<Registry>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Metrics {
    /// Registers series (once, at start).
    pub fn register(&self, with: impl FnOnce(&mut Registry)) {
        let mut registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        with(&mut registry);
    }

    /// Every series in the text exposition format.
    pub fn encode(&self) -> String {
        let registry = self.registry.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }

    /// Reports `pools` (by name): their size, limit and idle connections at every scrape, and
    /// how long each was saturated (every connection in use, so that the next statement waits),
    /// sampled every 100 ms by a task that ends with the runtime.
    pub fn watch_pools(&self, pools: Vec<(&'static str, DatabaseConnection)>) {
        let saturated = Family::<PoolLabels, Counter<f64>>::default();
        self.register(|r| {
            r.register_collector(Box::new(PoolCollector {
                pools: pools.clone(),
            }));
            r.register(
                "minsheng_db_pool_saturated_seconds",
                "Time during which every connection of the pool was in use, so that statements waited for one (sampled every 100 ms)",
                saturated.clone(),
            );
        });
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SATURATION_SAMPLE);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                for (name, db) in &pools {
                    let state = PoolState::of(db);
                    if state.open >= state.max && state.idle == 0 {
                        saturated
                            .get_or_create(&PoolLabels { pool: name })
                            .inc_by(SATURATION_SAMPLE.as_secs_f64());
                    }
                }
            }
        });
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
}

/// A pool's connections as sqlx counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolState {
    pub max: u32,
    pub open: u32,
    pub idle: u32,
}

impl PoolState {
    pub fn of(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DatabaseBackend::Postgres => Self::of_pool(db.get_postgres_connection_pool()),
            DatabaseBackend::Sqlite => Self::of_pool(db.get_sqlite_connection_pool()),
            _ => Self {
                max: 0,
                open: 0,
                idle: 0,
            },
        }
    }

    fn of_pool<DB: sea_orm::sqlx::Database>(pool: &sea_orm::sqlx::Pool<DB>) -> Self {
        Self {
            max: pool.options().get_max_connections(),
            open: pool.size(),
            idle: pool.num_idle() as u32,
        }
    }
}

/// A pool gauge: its name, its help, and where its value comes from.
type PoolSeries = (&'static str, &'static str, fn(&PoolState) -> u32);

/// Reads the pools at each scrape: gauges that are only ever sampled need no task.
#[derive(Debug)]
struct PoolCollector {
    pools: Vec<(&'static str, DatabaseConnection)>,
}

impl Collector for PoolCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let states: Vec<(&'static str, PoolState)> = self
            .pools
            .iter()
            .map(|(name, db)| (*name, PoolState::of(db)))
            .collect();
        let series: [PoolSeries; 3] = [
            (
                "minsheng_db_pool_max_connections",
                "The most connections the pool opens",
                |s| s.max,
            ),
            (
                "minsheng_db_pool_connections",
                "Connections the pool holds open, idle or in use",
                |s| s.open,
            ),
            (
                "minsheng_db_pool_idle_connections",
                "Open connections waiting for a statement",
                |s| s.idle,
            ),
        ];
        for (name, help, value) in series {
            let mut family =
                encoder.encode_descriptor(name, help, None, ConstGauge::new(0i64).metric_type())?;
            for (pool, state) in &states {
                let gauge = ConstGauge::new(i64::from(value(state)));
                gauge.encode(family.encode_family(&PoolLabels { pool })?)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::metrics::counter::Counter;

    #[test]
    fn registered_series_are_encoded_in_the_text_format() {
        let metrics = Metrics::default();
        let runs = Counter::<u64>::default();
        metrics.register(|r| r.register("minsheng_test_runs", "Runs", runs.clone()));
        runs.inc_by(3);
        let text = metrics.encode();
        assert!(text.contains("# TYPE minsheng_test_runs counter"), "{text}");
        assert!(text.contains("minsheng_test_runs_total 3"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
