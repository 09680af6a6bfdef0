//! Structured logging, set up once per process (tests may call it repeatedly).

use tracing_subscriber::{EnvFilter, fmt};

/// Logs to stderr; `RUST_LOG` overrides `default_filter` (e.g. `info,sea_orm=debug`).
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // A second call (tests, or a binary calling twice) keeps the first subscriber.
    let _ = fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(true)
        .try_init();
}
