//! The api's own series, beside the pools' ([`domain::metrics`]): GraphQL requests by operation
//! and result code, their latency, the statements each ran, and the subscriptions open.
//!
//! Operation names come from clients, so only known ones are labels: the operations of the
//! trusted documents (`MINSHENG_TRUSTED_DOCUMENTS`), of the pages' own documents, and those named
//! after a root field of the schema (`importList` or `ImportList`); any other name is counted as
//! `(other)`. (When the first 200 names anyone sent became labels, a probe took them all and
//! the board's own operations were then `(other)`.)

use std::{collections::HashSet, sync::Arc};

use domain::metrics::Metrics;
use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
};

/// The label of a request whose document declares no operation name.
pub const ANONYMOUS: &str = "(anonymous)";
/// The label of a request refused before its document was read (malformed, no query).
pub const UNREAD: &str = "(none)";
/// The label of operation names that are not known.
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
    /// The operation names that are labels.
    known: HashSet<Arc<str>>,
}

impl ApiMetrics {
    /// Registers the api's series in `metrics`; operations named in `known` are labelled by
    /// their names.
    pub fn register(metrics: &Metrics, known: HashSet<String>) -> Arc<Self> {
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
            known: known.into_iter().map(Arc::from).collect(),
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
        match self.known.get(name) {
            Some(known) => known.clone(),
            None => OTHER.into(),
        }
    }
}

/// The names an operation may take after a root field of the schema whose SDL is `sdl`: the
/// field's own (`importList`) and with its first letter upper case (`ImportList`).
pub fn root_operation_names(sdl: &str) -> HashSet<String> {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
        return HashSet::new();
    };
    let mut names = HashSet::new();
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else {
            continue;
        };
        if !matches!(
            ty.node.name.node.as_str(),
            "Query" | "Mutation" | "Subscription"
        ) {
            continue;
        }
        if let TypeKind::Object(object) = &ty.node.kind {
            for field in &object.fields {
                let name = field.node.name.node.to_string();
                let mut chars = name.chars();
                if let Some(first) = chars.next() {
                    names.insert(first.to_uppercase().chain(chars).collect());
                }
                names.insert(name);
            }
        }
    }
    names
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
    fn root_fields_name_operations() {
        let names = root_operation_names(
            "type Query { lists: [Int] } type Mutation { importList: Int } type Item { title: Int }",
        );
        for name in ["lists", "Lists", "importList", "ImportList"] {
            assert!(names.contains(name), "{name}");
        }
        assert!(!names.contains("title"));
    }

    #[test]
    fn only_known_operation_names_are_labels() {
        let metrics = Metrics::default();
        let api = ApiMetrics::register(&metrics, HashSet::from(["Board".to_owned()]));
        for name in (0..300)
            .map(|i| format!("Op{i}"))
            .chain(["Board".to_owned()])
        {
            let mut record = RequestRecord::start();
            record.operation = Some(Some(name));
            api.observe(&record, "OK");
        }
        let mut anonymous = RequestRecord::start();
        anonymous.operation = Some(None);
        api.observe(&anonymous, "VALIDATION");
        api.observe(&RequestRecord::start(), "BAD_REQUEST");
        let text = metrics.encode();
        assert!(
            text.contains(r#"minsheng_graphql_requests_total{operation="Board",code="OK"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"minsheng_graphql_requests_total{operation="(other)",code="OK"} 300"#),
            "{text}"
        );
        assert!(!text.contains("Op0"), "{text}");
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
