//! Structured logging, set up once per process (tests may call it repeatedly).
//!
//! Warnings and errors are limited per call site: a load that makes every request warn (a flood
//! past its limits) wrote 79,380 lines (20 MB) in 3 minutes. Each call site logs at most
//! [`PER_WINDOW`] events per [`WINDOW`]; what it would have logged beyond that is counted and
//! summed up once per window (`repeated warnings were suppressed`).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, Once},
    time::{Duration, Instant},
};

use tracing::{Level, Metadata, Subscriber};
use tracing_subscriber::{
    EnvFilter, Layer,
    layer::{Context, Filter, SubscriberExt},
    util::SubscriberInitExt,
};

/// Warnings and errors one call site may log per window.
pub const PER_WINDOW: u32 = 10;
/// The window of [`PER_WINDOW`].
pub const WINDOW: Duration = Duration::from_secs(60);

/// The target of the summaries, which are never limited themselves.
const SUMMARY_TARGET: &str = "minsheng::log";

/// Logs to stderr; `RUST_LOG` overrides `default_filter` (e.g. `info,sea_orm=debug`).
pub fn init(default_filter: &str) {
    static REPORTER: Once = Once::new();
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let limit = Arc::new(RepeatLimit::new(PER_WINDOW, WINDOW));
    let output = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_target(true)
        .with_filter(LimitFilter(limit.clone()));
    // A second call (tests, or a binary calling twice) keeps the first subscriber.
    if tracing_subscriber::registry()
        .with(filter)
        .with(output)
        .try_init()
        .is_ok()
    {
        REPORTER.call_once(|| {
            std::thread::spawn(move || {
                loop {
                    std::thread::sleep(WINDOW / 4);
                    for site in limit.take_suppressed(Instant::now()) {
                        tracing::warn!(
                            target: SUMMARY_TARGET,
                            site = site.key.name,
                            file = site.key.file,
                            line = site.key.line,
                            suppressed = site.count,
                            "repeated warnings were suppressed: {} more like this in the last {} s",
                            site.count,
                            WINDOW.as_secs()
                        );
                    }
                }
            });
        });
    }
}

/// A call site, as its metadata names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SiteKey {
    pub name: &'static str,
    pub target: &'static str,
    pub file: &'static str,
    pub line: u32,
}

impl SiteKey {
    fn of(meta: &Metadata<'static>) -> Self {
        Self {
            name: meta.name(),
            target: meta.target(),
            file: meta.file().unwrap_or_default(),
            line: meta.line().unwrap_or_default(),
        }
    }
}

/// How much a call site logged in its current window.
#[derive(Clone, Copy, Debug)]
struct Site {
    started: Instant,
    admitted: u32,
    suppressed: u64,
}

/// A call site's events that were not logged in a window that has ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Suppressed {
    pub key: SiteKey,
    pub count: u64,
}

/// At most `per_window` events per call site per `window`; the rest counted.
pub struct RepeatLimit {
    per_window: u32,
    window: Duration,
    sites: Mutex<HashMap<SiteKey, Site>>,
}

impl RepeatLimit {
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window,
            window,
            sites: Mutex::new(HashMap::new()),
        }
    }

    /// Whether an event of `key` at `now` is logged.
    pub fn admit(&self, key: SiteKey, now: Instant) -> bool {
        let mut sites = self
            .sites
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let site = sites.entry(key).or_insert(Site {
            started: now,
            admitted: 0,
            suppressed: 0,
        });
        // A window that ended with nothing suppressed simply starts over; one that suppressed
        // waits for its summary (`take_suppressed`) so that no count is lost.
        if now.duration_since(site.started) >= self.window && site.suppressed == 0 {
            site.started = now;
            site.admitted = 0;
        }
        if site.admitted < self.per_window {
            site.admitted += 1;
            true
        } else {
            site.suppressed += 1;
            false
        }
    }

    /// The call sites whose window has ended with events suppressed, each once; their windows
    /// start over.
    pub fn take_suppressed(&self, now: Instant) -> Vec<Suppressed> {
        let mut sites = self
            .sites
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = Vec::new();
        for (key, site) in sites.iter_mut() {
            if site.suppressed > 0 && now.duration_since(site.started) >= self.window {
                out.push(Suppressed {
                    key: *key,
                    count: site.suppressed,
                });
                *site = Site {
                    started: now,
                    admitted: 0,
                    suppressed: 0,
                };
            }
        }
        out
    }
}

/// [`RepeatLimit`] as a filter of the output layer: warnings and errors only.
struct LimitFilter(Arc<RepeatLimit>);

impl<S: Subscriber> Filter<S> for LimitFilter {
    fn enabled(&self, _meta: &Metadata<'_>, _cx: &Context<'_, S>) -> bool {
        true
    }

    fn event_enabled(&self, event: &tracing::Event<'_>, _cx: &Context<'_, S>) -> bool {
        let meta = event.metadata();
        // More verbose levels compare greater: INFO, DEBUG and TRACE pass.
        if *meta.level() > Level::WARN || meta.target() == SUMMARY_TARGET {
            return true;
        }
        self.0.admit(SiteKey::of(meta), Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: SiteKey = SiteKey {
        name: "event api/src/routes/graphql/mod.rs:200",
        target: "api::routes::graphql",
        file: "api/src/routes/graphql/mod.rs",
        line: 200,
    };

    #[test]
    fn a_call_site_logs_so_many_per_window_and_the_rest_is_counted() {
        let limit = RepeatLimit::new(3, Duration::from_secs(60));
        let start = Instant::now();
        let admitted = (0..100).filter(|_| limit.admit(KEY, start)).count();
        assert_eq!(admitted, 3);
        let other = SiteKey { line: 201, ..KEY };
        assert!(
            limit.admit(other, start),
            "each call site has its own window"
        );
        assert_eq!(limit.take_suppressed(start + Duration::from_secs(30)), []);
        let later = start + Duration::from_secs(61);
        assert_eq!(
            limit.take_suppressed(later),
            [Suppressed {
                key: KEY,
                count: 97
            }]
        );
        assert_eq!(limit.take_suppressed(later), [], "each count once");
        assert!(limit.admit(KEY, later), "a new window logs again");
    }

    #[test]
    fn a_quiet_window_starts_over_by_itself() {
        let limit = RepeatLimit::new(2, Duration::from_secs(60));
        let start = Instant::now();
        assert!(limit.admit(KEY, start));
        assert!(limit.admit(KEY, start));
        assert!(limit.admit(KEY, start + Duration::from_secs(61)));
    }
}
