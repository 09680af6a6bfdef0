//! `GET /metrics`: every series in the Prometheus (OpenMetrics) text format.

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::get};
use domain::metrics::{CONTENT_TYPE, Metrics};

/// A router serving `/metrics` from `registry`, mergeable into the api's or served alone.
pub fn router<S: Clone + Send + Sync + 'static>(registry: Metrics) -> Router<S> {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(registry)
}

async fn scrape(State(registry): State<Metrics>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], registry.encode())
}
