//! `GET /metrics` as Prometheus scrapes it, read with a Prometheus text parser: the series are
//! there and count what the api did (requests by operation and code, latency, statements per
//! request, pools, open subscriptions), on its own port when asked, and gone when turned off.

use crate::support;

use std::time::Duration;

use chrono::Utc;
use domain::{
    listdoc::{ParseOptions, parse},
    store::{
        audit::Actor,
        list_import::{ImportOptions, import},
    },
};
use prometheus_parse::{Sample, Scrape, Value as Sampled};
use serde_json::{Value, json};
use support::{TestApp, settings_with, ws};
use test_support::{TestDb, backend_tests};

async fn scrape_at(app: &TestApp, url: &str) -> Scrape {
    let response = app.client.get(url).send().await.expect("scrape");
    assert_eq!(response.status(), 200, "{url}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .expect("content type")
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    let text = response.text().await.expect("text");
    assert!(text.ends_with("# EOF\n"), "{text}");
    Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).expect("Prometheus text")
}

async fn scrape(app: &TestApp) -> Scrape {
    scrape_at(app, &app.url("/metrics")).await
}

/// The samples named `name` whose labels include every one of `labels`.
fn samples<'a>(scrape: &'a Scrape, name: &str, labels: &[(&str, &str)]) -> Vec<&'a Sample> {
    scrape
        .samples
        .iter()
        .filter(|s| s.metric == name)
        .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .collect()
}

/// The one value of a counter or gauge.
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples(scrape, name, labels)
        .first()
        .map(|s| match &s.value {
            Sampled::Counter(v) | Sampled::Gauge(v) | Sampled::Untyped(v) => *v,
            other => panic!("{name} is not a single value: {other:?}"),
        })
}

/// A histogram's count and sum.
fn histogram(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> (f64, f64) {
    let count = value(scrape, &format!("{name}_count"), labels);
    let sum = value(scrape, &format!("{name}_sum"), labels);
    match (count, sum) {
        (Some(count), Some(sum)) => (count, sum),
        _ => {
            let found = samples(scrape, name, labels);
            let Some(Sample {
                value: Sampled::Histogram(buckets),
                ..
            }) = found.first()
            else {
                panic!("no histogram {name} {labels:?}: {:?}", scrape.samples);
            };
            (buckets.last().map_or(0.0, |b| b.count), f64::NAN)
        }
    }
}

const REQUESTS: &str = "minsheng_graphql_requests_total";

async fn requests_are_counted_by_operation_and_code(t: TestDb) {
    let settings = settings_with(&t.url, &[("MINSHENG_DB_POOL_SIZE", "7")]);
    let app = TestApp::start_with(&settings).await;
    // Named after a root field: a label. A name nobody knows is `(other)`, so that names
    // sent by anyone cannot take the labels (a probe once took all 200 slots).
    for _ in 0..2 {
        app.data("query Lists { lists { id } }", Value::Null).await;
    }
    for i in 0..3 {
        app.data(&format!("query Probe{i} {{ lists {{ id }} }}"), Value::Null)
            .await;
    }
    app.data("{ lists { id } }", Value::Null).await;
    let invalid = app.graphql("query Items { nothing }", Value::Null).await;
    assert_eq!(invalid["errors"][0]["extensions"]["code"], "VALIDATION");
    let unsupported = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "text/plain")
        .body("{ lists { id } }")
        .send()
        .await
        .expect("request");
    assert_eq!(unsupported.status(), 415);

    let s = scrape(&app).await;
    let count = |labels: &[(&str, &str)]| value(&s, REQUESTS, labels).unwrap_or(0.0);
    assert_eq!(count(&[("operation", "Lists"), ("code", "OK")]), 2.0);
    assert_eq!(count(&[("operation", "(other)"), ("code", "OK")]), 3.0);
    assert_eq!(count(&[("operation", "(anonymous)"), ("code", "OK")]), 1.0);
    // `Items` is a root field, and the name of one of the pages' own operations.
    assert_eq!(
        count(&[("operation", "Items"), ("code", "VALIDATION")]),
        1.0
    );
    assert_eq!(
        count(&[("operation", "(none)"), ("code", "BAD_REQUEST")]),
        1.0
    );

    let (dashboards, seconds) = histogram(
        &s,
        "minsheng_graphql_request_duration_seconds",
        &[("operation", "Lists")],
    );
    assert_eq!(dashboards, 2.0);
    assert!(seconds.is_nan() || seconds > 0.0, "{seconds}");
    // Every request that reached the schema ran at least the lists statement, except the
    // invalid one, which ran none.
    let (requests, statements) = histogram(&s, "minsheng_graphql_request_statements", &[]);
    assert_eq!(requests, 7.0);
    assert!(statements.is_nan() || statements >= 3.0, "{statements}");

    assert_eq!(
        value(&s, "minsheng_db_pool_max_connections", &[("pool", "main")]),
        Some(if t.url.starts_with("sqlite") {
            4.0
        } else {
            7.0
        })
    );
    for pool in ["main", "anonymous"] {
        let open = value(&s, "minsheng_db_pool_connections", &[("pool", pool)]);
        let idle = value(&s, "minsheng_db_pool_idle_connections", &[("pool", pool)]);
        assert!(
            matches!((open, idle), (Some(o), Some(i)) if o >= 1.0 && i <= o),
            "{pool}: open {open:?}, idle {idle:?}"
        );
    }
    assert!(value(&s, "minsheng_db_pool_saturated_seconds_total", &[]).is_none_or(|v| v >= 0.0));

    // Counting goes on: two more of one operation, two more counted.
    for _ in 0..2 {
        app.data("query Lists { lists { id } }", Value::Null).await;
    }
    let again = scrape(&app).await;
    assert_eq!(
        value(&again, REQUESTS, &[("operation", "Lists"), ("code", "OK")]),
        Some(4.0)
    );
}

async fn open_subscriptions_are_a_gauge(t: TestDb) {
    let text = api::sample::SAMPLE_LIST;
    let parsed = parse(text, &ParseOptions::default());
    let options = ImportOptions {
        issuer: None,
        actor: Actor::system("test"),
        now: Utc::now(),
    };
    import(&t.db, text, &parsed, &options)
        .await
        .expect("import");
    let app = TestApp::start(&t).await;
    let list = app
        .data("{ lists { id } }", Value::Null)
        .await
        .pointer("/lists/0/id")
        .cloned()
        .expect("the sample list");
    let open = |s: &Scrape| value(s, "minsheng_graphql_subscriptions_open", &[]);
    assert_eq!(open(&scrape(&app).await), Some(0.0));

    let (mut socket, ack) = ws::connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    for id in ["a", "b"] {
        ws::send(
            &mut socket,
            json!({ "id": id, "type": "subscribe", "payload": {
            "query": "subscription($list: ID!) { itemChanged(listId: $list) { kind } }",
            "variables": { "list": list } } }),
        )
        .await;
    }
    let counted = wait_for(&app, |s| open(s) == Some(2.0)).await;
    assert!(counted, "two subscriptions open");

    ws::send(&mut socket, json!({ "id": "a", "type": "complete" })).await;
    assert!(
        wait_for(&app, |s| open(s) == Some(1.0)).await,
        "one completed"
    );
    drop(socket);
    assert!(
        wait_for(&app, |s| open(s) == Some(0.0)).await,
        "socket gone"
    );
}

/// Scrapes until `ready` holds, for up to five seconds.
async fn wait_for(app: &TestApp, ready: impl Fn(&Scrape) -> bool) -> bool {
    for _ in 0..50 {
        if ready(&scrape(app).await) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn metrics_on_their_own_port_or_not_at_all(t: TestDb) {
    let apart = settings_with(&t.url, &[("MINSHENG_METRICS_BIND", "127.0.0.1:0")]);
    let app = api::Application::build(&apart, api::StartOptions::default())
        .await
        .expect("api starts");
    let metrics_address = app.metrics_address().expect("a metrics address");
    let app = TestApp::serve(app);
    app.data("query Lists { lists { id } }", Value::Null).await;
    assert_eq!(app.status("/metrics").await, 404, "not on the public port");
    let s = scrape_at(&app, &format!("http://{metrics_address}/metrics")).await;
    assert_eq!(
        value(&s, REQUESTS, &[("operation", "Lists"), ("code", "OK")]),
        Some(1.0)
    );

    let off = settings_with(&t.url, &[("MINSHENG_METRICS", "false")]);
    let app = TestApp::start_with(&off).await;
    app.data("{ lists { id } }", Value::Null).await;
    assert_eq!(app.status("/metrics").await, 404);
}

backend_tests!(
    requests_are_counted_by_operation_and_code,
    open_subscriptions_are_a_gauge,
    metrics_on_their_own_port_or_not_at_all,
);
