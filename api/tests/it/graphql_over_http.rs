//! `/graphql` as the GraphQL over HTTP specification lays it out, each rule stated by a test:
//! content negotiation, GET, status codes per media type, no `data` on request errors, 415, 405,
//! 406, and introspection that tools can use. Protocol behaviour, so SQLite only; graphql-http's
//! own audit of the same rules runs in `clients.rs`.

use crate::support;

use reqwest::{Method, RequestBuilder, header};
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, admin_app_with_sample, rows, settings_with};
use test_support::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

struct Answer {
    status: u16,
    content_type: String,
    headers: header::HeaderMap,
    body: Value,
}

async fn answer(request: RequestBuilder) -> Answer {
    let response = request.send().await.expect("the api answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

fn post(app: &TestApp, accept: &str, body: Value) -> RequestBuilder {
    app.client
        .post(app.url("/graphql"))
        .header(header::ACCEPT, accept)
        .json(&body)
}

fn get(app: &TestApp, accept: &str, params: &[(&str, &str)]) -> RequestBuilder {
    app.client
        .get(app.url("/graphql"))
        .header(header::ACCEPT, accept)
        .query(params)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

/// A POST written by hand, for what reqwest always adds (an `Accept` header).
async fn raw_post(app: &TestApp, extra_headers: &str, body: &str) -> (u16, String, Value) {
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("connect");
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        app.address,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let raw = String::from_utf8(raw).expect("UTF-8 answer");
    let (head, body) = raw.split_once("\r\n\r\n").expect("head and body");
    let status = head[9..12].parse().expect("status");
    let content_type = head
        .lines()
        .find_map(|l| l.strip_prefix("content-type: "))
        .unwrap_or_default()
        .to_owned();
    (
        status,
        content_type,
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_response_is_in_the_media_type_accept_asks_for() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let query = json!({ "query": "{ __typename }" });
    for (accept, media) in [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        ("*/*", JSON),
        (
            "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
            GRAPHQL_RESPONSE,
        ),
        (
            "application/graphql-response+json;q=0.4, application/json",
            JSON,
        ),
    ] {
        let a = answer(post(&app, accept, query.clone())).await;
        assert_eq!(a.status, 200, "{accept}");
        assert_eq!(
            a.content_type,
            format!("{media}; charset=utf-8"),
            "Accept: {accept}"
        );
        assert_eq!(a.body, json!({ "data": { "__typename": "Query" } }));
    }
    // No Accept at all: the specification's default since its 2025 watershed.
    let (status, content_type, body) = raw_post(
        &app,
        "Content-Type: application/json\r\n",
        r#"{"query":"{ __typename }"}"#,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/graphql-response+json; charset=utf-8"
    );
    assert_eq!(body["data"]["__typename"], "Query");
    // Nothing the api speaks: 406.
    for accept in [
        "text/csv",
        "application/json; charset=latin1",
        "application/json;q=0",
    ] {
        let a = answer(post(&app, accept, query.clone())).await;
        assert_eq!(a.status, 406, "{accept}");
    }
}

#[tokio::test]
async fn get_runs_queries_with_json_encoded_variables() {
    let t = TestDb::sqlite().await;
    let app = admin_app_with_sample(&t).await;
    let a = answer(get(
        &app,
        GRAPHQL_RESPONSE,
        &[
            (
                "query",
                "query Two($n: Int) { items(first: $n) { edges { node { numberText } } } } query Other { lists { id } }",
            ),
            ("operationName", "Two"),
            ("variables", r#"{"n": 2}"#),
        ],
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["data"]["items"]["edges"],
        json!([{ "node": { "numberText": "一" } }, { "node": { "numberText": "二" } }])
    );
    assert!(a.content_type.starts_with(GRAPHQL_RESPONSE));
    // The body depends on Accept and on the caller: caches must key on both.
    let vary = a.headers.get(header::VARY).and_then(|v| v.to_str().ok());
    assert_eq!(vary, Some("accept, authorization"));

    let bad = answer(get(
        &app,
        JSON,
        &[("query", "{ lists { id } }"), ("variables", "{")],
    ))
    .await;
    assert_eq!(bad.status, 400, "variables that are not JSON: {}", bad.body);
    assert_eq!(code(&bad.body), "BAD_REQUEST");
}

#[tokio::test]
async fn a_mutation_over_get_is_405_and_runs_nothing() {
    let t = TestDb::sqlite().await;
    let app = admin_app_with_sample(&t).await;
    let before = rows::<entity::department::Entity>(&t).await;
    for (params, media) in [
        (
            vec![(
                "query",
                "mutation { createDepartment(name: \"市新设局\") { id } }",
            )],
            GRAPHQL_RESPONSE,
        ),
        (
            vec![
                (
                    "query",
                    "query Q { lists { id } } mutation M { createDepartment(name: \"市新设局\") { id } }",
                ),
                ("operationName", "M"),
            ],
            JSON,
        ),
    ] {
        let a = answer(get(&app, media, &params).bearer_auth(ADMIN_TOKEN)).await;
        assert_eq!(a.status, 405, "{params:?}: {}", a.body);
        assert_eq!(
            a.headers.get(header::ALLOW).and_then(|v| v.to_str().ok()),
            Some("POST")
        );
        assert!(a.body.get("data").is_none(), "{}", a.body);
    }
    assert_eq!(rows::<entity::department::Entity>(&t).await, before);
    // The query of the same document still runs over GET.
    let q = answer(
        get(
            &app,
            JSON,
            &[
                (
                    "query",
                    "query Q { lists { id } } mutation M { createDepartment(name: \"x\") { id } }",
                ),
                ("operationName", "Q"),
            ],
        )
        .bearer_auth(ADMIN_TOKEN),
    )
    .await;
    assert_eq!(q.status, 200);
    assert!(q.body["data"]["lists"].is_array(), "{}", q.body);
}

#[tokio::test]
async fn a_browser_opening_the_endpoint_gets_graphiql_and_a_client_without_a_query_gets_400() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let page = answer(
        app.client
            .get(app.url("/graphql"))
            .header(header::ACCEPT, browser),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    // A browser given a query runs it.
    let run = answer(get(&app, browser, &[("query", "{ __typename }")])).await;
    assert_eq!(run.body["data"]["__typename"], "Query");
    assert!(run.content_type.starts_with(JSON));
    // A client that sends no query gets an error in its media type.
    let a = answer(get(&app, GRAPHQL_RESPONSE, &[])).await;
    assert_eq!(a.status, 400);
    assert_eq!(code(&a.body), "BAD_REQUEST");

    let off = TestApp::start_with(&settings_with(&t.url, &[("MINSHENG_GRAPHIQL", "false")])).await;
    let a = answer(
        off.client
            .get(off.url("/graphql"))
            .header(header::ACCEPT, browser),
    )
    .await;
    assert_eq!(a.status, 400, "no page when GraphiQL is off");
    assert!(a.content_type.starts_with(JSON));
}

#[tokio::test]
async fn request_errors_are_400_without_data_under_graphql_response_json() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let failures = [
        ("parse", json!({ "query": "{ lists { id " })),
        ("validation", json!({ "query": "{ lists { nope } }" })),
        (
            "variable coercion",
            json!({ "query": "query($n: Int!) { items(first: $n) { totalCount } }", "variables": { "n": "many" } }),
        ),
        (
            "missing variable",
            json!({ "query": "query($n: Int!) { items(first: $n) { totalCount } }" }),
        ),
        (
            "unknown operation",
            json!({ "query": "query A { lists { id } }", "operationName": "B" }),
        ),
        (
            "subscription over HTTP",
            json!({ "query": "subscription { itemChanged(listId: \"x\") { kind } }" }),
        ),
    ];
    for (what, body) in &failures {
        let a = answer(post(&app, GRAPHQL_RESPONSE, body.clone())).await;
        assert_eq!(a.status, 400, "{what}: {}", a.body);
        assert!(
            a.body.get("data").is_none(),
            "{what}: no data entry: {}",
            a.body
        );
        assert_eq!(code(&a.body), "VALIDATION", "{what}");
        // Legacy clients: 200 and the same body.
        let legacy = answer(post(&app, JSON, body.clone())).await;
        assert_eq!(legacy.status, 200, "{what}");
        assert!(legacy.body.get("data").is_none(), "{what}: {}", legacy.body);
        assert_eq!(legacy.body["errors"], a.body["errors"], "{what}");
    }
}

#[tokio::test]
async fn an_executed_request_is_200_even_when_fields_fail() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let a = answer(post(
        &app,
        GRAPHQL_RESPONSE,
        json!({ "query": "{ item(id: \"SXRlbTo5OTk\") { id } lists { id } }" }),
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["data"]["lists"], json!([]));
    assert_eq!(code(&a.body), "NOT_FOUND");
    assert_eq!(a.body["errors"][0]["path"], json!(["item"]));
}

#[tokio::test]
async fn bodies_that_are_not_json_requests_are_refused_with_4xx() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let send = |content_type: Option<&str>, body: &str| {
        let mut request = app
            .client
            .post(app.url("/graphql"))
            .header(header::ACCEPT, JSON)
            .body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        answer(request)
    };
    let q = r#"{"query":"{ __typename }"}"#;
    assert_eq!(send(Some("text/plain"), q).await.status, 415);
    assert_eq!(
        send(Some("application/json; charset=utf-16"), q)
            .await
            .status,
        415
    );
    assert_eq!(
        send(None, q).await.status,
        415,
        "a POST without Content-Type"
    );
    assert_eq!(
        send(Some("application/json; charset=UTF-8"), q)
            .await
            .status,
        200
    );
    for (what, body) in [
        ("not JSON", "NONSENSE"),
        ("truncated", r#"{"query":"#),
        ("a batch", r#"[{"query":"{ __typename }"}]"#),
        ("no query", "{}"),
        ("query not a string", r#"{"query": 1}"#),
        (
            "variables not a map",
            r#"{"query":"{ __typename }","variables":"{}"}"#,
        ),
    ] {
        let a = send(Some(JSON), body).await;
        assert_eq!(a.status, 400, "{what}: {}", a.body);
        assert_eq!(code(&a.body), "BAD_REQUEST", "{what}");
        assert!(a.body.get("data").is_none(), "{what}");
    }
    // Bodies are read as UTF-8 whatever the charset parameter says is missing.
    let a = send(
        Some(JSON),
        r#"{"query":"{ departments(filter: {search: \"卫健\"}) { totalCount } }"}"#,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
}

#[tokio::test]
async fn a_refused_token_is_401_under_graphql_response_json() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let query = json!({ "query": "{ lists { id } }" });
    let a = answer(post(&app, GRAPHQL_RESPONSE, query.clone()).bearer_auth("mst_not-ours")).await;
    assert_eq!(a.status, 401);
    assert_eq!(code(&a.body), "UNAUTHENTICATED");
    assert!(a.body.get("data").is_none());
    assert!(
        a.headers
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("Bearer")),
        "{:?}",
        a.headers
    );
    let legacy = answer(post(&app, JSON, query).bearer_auth("mst_not-ours")).await;
    assert_eq!(legacy.status, 200);
    assert_eq!(code(&legacy.body), "UNAUTHENTICATED");
}

/// graphql-js's `getIntrospectionQuery()` with every option, as GraphiQL, codegen and Apollo
/// tooling send it (its `TypeRef` nests `ofType` seven levels deep). The real library sends it
/// in `clients.rs`; this copy keeps the rule in the Rust tests too.
const STANDARD_INTROSPECTION: &str = r#"query IntrospectionQuery {
  __schema { description queryType { name kind } mutationType { name kind } subscriptionType { name kind }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } } } }
fragment FullType on __Type { kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } } }"#;

#[tokio::test]
async fn tools_introspect_while_ordinary_queries_keep_their_depth_limit() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let a = answer(post(
        &app,
        GRAPHQL_RESPONSE,
        json!({ "query": STANDARD_INTROSPECTION }),
    ))
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.get("errors").is_none(), "{}", a.body);
    let schema = &a.body["data"]["__schema"];
    assert_eq!(schema["queryType"]["name"], "Query");
    assert_eq!(
        schema["description"],
        api::graphql::introspection::SCHEMA_DESCRIPTION,
        "this schema's description, not async-graphql's canned text"
    );
    let date_time = schema["types"]
        .as_array()
        .and_then(|types| types.iter().find(|t| t["name"] == "DateTime"))
        .expect("DateTime");
    assert!(
        date_time["specifiedByURL"]
            .as_str()
            .is_some_and(|u| u.contains("rfc3339"))
    );

    // An ordinary query nested past the limit (10) is still refused.
    let deep = "{ items { edges { node { list { items { edges { node { list { items { edges { node { id } } } } } } } } } } } }";
    let a = answer(post(&app, GRAPHQL_RESPONSE, json!({ "query": deep }))).await;
    assert_eq!(a.status, 400);
    assert!(
        a.body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("deep"))
    );
    // Introspection's lists may not fan out (graphql-js's MaxIntrospectionDepthRule).
    let fan_out =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let a = answer(post(&app, GRAPHQL_RESPONSE, json!({ "query": fan_out }))).await;
    assert_eq!(a.status, 400, "{}", a.body);
    assert_eq!(code(&a.body), "VALIDATION");
    // Mixing both does not smuggle depth past the limit.
    let mixed = format!(
        "{{ __schema {{ queryType {{ name }} }} {} }}",
        &deep[1..deep.len() - 1]
    );
    let a = answer(post(&app, GRAPHQL_RESPONSE, json!({ "query": mixed }))).await;
    assert_eq!(a.status, 400, "{}", a.body);

    let off = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_GRAPHQL_INTROSPECTION", "false")],
    ))
    .await;
    for query in [
        STANDARD_INTROSPECTION,
        "{ __type(name: \"Item\") { name } lists { id } }",
    ] {
        let a = answer(post(&off, GRAPHQL_RESPONSE, json!({ "query": query }))).await;
        assert_eq!(a.status, 400, "{}", a.body);
        assert_eq!(code(&a.body), "VALIDATION");
        assert!(a.body.get("data").is_none());
    }
    let a = answer(post(
        &off,
        GRAPHQL_RESPONSE,
        json!({ "query": "{ __typename }" }),
    ))
    .await;
    assert_eq!(
        a.body["data"]["__typename"], "Query",
        "__typename is not introspection"
    );
}

#[tokio::test]
async fn head_and_other_methods_are_answered_as_http_says() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let put = answer(app.client.request(Method::PUT, app.url("/graphql"))).await;
    assert_eq!(put.status, 405);
}
