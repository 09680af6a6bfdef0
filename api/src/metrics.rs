//! The api's own series, beside the pools' ([`domain::metrics`]): GraphQL requests by operation
//! and result code, their latency, the statements each ran, and the subscriptions open.
//!
//! Operation names come from clients, so they are bounded: only a name the document itself
//! declares (a GraphQL name, by the grammar) is used, and past [`MAX_OPERATIONS`] distinct names
//! the rest are counted as `(other)`.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
};

use domain::metrics::Metrics;
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
};

/// Distinct operation names reported before the rest become `(other)`.
pub const MAX_OPERATIONS: usize = 200;

/// The label of a request whose document declares no operation name.
pub const ANONYMOUS: &str = "(anonymous)";
/// The label of a request refused before its document was read (malformed, no query).
pub const UNREAD: &str = "(none)";
/// The label of operation names past [`MAX_OPERATIONS`].
pub const OTHER: &str = "(other)";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: Arc<str>,
    code: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: Arc<str>,
}

/// What one request did, filled in as it is served.
#[derive(Debug)]
pub struct RequestRecord {
    started: std::time::Instant,
    /// The operation name the document declares; `None` until the document is read.
    pub operation: Option<Option<String>>,
    pub statements: usize,
}

impl RequestRecord {
    pub fn start() -> Self {
        Self {
            started: std::time::Instant::now(),
            operation: None,
            statements: 0,
        }
    }
}

pub struct ApiMetrics {
    requests: Family<RequestLabels, Counter>,
    duration: Family<OperationLabels, Histogram>,
    statements: Histogram,
    subscriptions: Gauge,
    names: Mutex<HashSet<Arc<str>>>,
}

impl ApiMetrics {
    /// Registers the api's series in `metrics`.
    pub fn register(metrics: &Metrics) -> Arc<Self> {
        let this = Arc::new(Self {
            requests: Family::default(),
            duration: Family::new_with_constructor(|| {
                // 1 ms to about 16 s.
                Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
                    0.001, 2.0, 15,
                ))
            }),
            statements: Histogram::new([
                0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 21.0, 50.0, 100.0, 200.0,
            ]),
            subscriptions: Gauge::default(),
            names: Mutex::new(HashSet::new()),
        });
        metrics.register(|r| {
            r.register(
                "minsheng_graphql_requests",
                "GraphQL requests over HTTP, by operation name and result code (OK, or the first error's extensions.code)",
                this.requests.clone(),
            );
            r.register(
                "minsheng_graphql_request_duration_seconds",
                "Time from a GraphQL request's arrival to its response, by operation name",
                this.duration.clone(),
            );
            r.register(
                "minsheng_graphql_request_statements",
                "SQL statements one GraphQL request ran",
                this.statements.clone(),
            );
            r.register(
                "minsheng_graphql_subscriptions_open",
                "Subscriptions running now on this replica's WebSockets",
                this.subscriptions.clone(),
            );
        });
        this
    }

    /// Counts a request that was answered with `code`.
    pub fn observe(&self, record: &RequestRecord, code: &'static str) {
        let operation = self.operation_label(record.operation.as_ref());
        self.requests
            .get_or_create(&RequestLabels {
                operation: operation.clone(),
                code,
            })
            .inc();
        self.duration
            .get_or_create(&OperationLabels { operation })
            .observe(record.started.elapsed().as_secs_f64());
        if record.operation.is_some() {
            self.statements.observe(record.statements as f64);
        }
    }

    /// A subscription started; it is counted as open until the guard is dropped.
    pub fn subscription_opened(self: &Arc<Self>) -> OpenSubscription {
        self.subscriptions.inc();
        OpenSubscription(self.clone())
    }

    fn operation_label(&self, operation: Option<&Option<String>>) -> Arc<str> {
        let name = match operation {
            None => return UNREAD.into(),
            Some(None) => return ANONYMOUS.into(),
            Some(Some(name)) => name.as_str(),
        };
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = names.get(name) {
            return known.clone();
        }
        if names.len() >= MAX_OPERATIONS {
            return OTHER.into();
        }
        let label: Arc<str> = name.into();
        names.insert(label.clone());
        label
    }
}

/// An open subscription, as the gauge counts it.
pub struct OpenSubscription(Arc<ApiMetrics>);

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        self.0.subscriptions.dec();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_bounded() {
        let metrics = Metrics::default();
        let api = ApiMetrics::register(&metrics);
        for i in 0..MAX_OPERATIONS + 5 {
            let mut record = RequestRecord::start();
            record.operation = Some(Some(format!("Op{i}")));
            api.observe(&record, "OK");
        }
        let mut anonymous = RequestRecord::start();
        anonymous.operation = Some(None);
        api.observe(&anonymous, "VALIDATION");
        api.observe(&RequestRecord::start(), "BAD_REQUEST");
        let text = metrics.encode();
        assert!(text.contains(r#"operation="Op0",code="OK""#), "{text}");
        assert!(
            text.contains(r#"minsheng_graphql_requests_total{operation="(other)",code="OK"} 5"#),
            "{text}"
        );
        assert!(
            !text.contains(&format!("Op{}\"", MAX_OPERATIONS + 1)),
            "{text}"
        );
        assert!(
            text.contains(r#"operation="(anonymous)",code="VALIDATION""#),
            "{text}"
        );
        assert!(
            text.contains(r#"operation="(none)",code="BAD_REQUEST""#),
            "{text}"
        );
    }
}
