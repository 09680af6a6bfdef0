//! What sits around the graph for browsers and networks: CORS for front ends on other origins,
//! compressed responses, automatic persisted queries and the trusted documents allow-list.
//! Protocol behaviour, so SQLite only. A real browser checks CORS in `scripts/cors-check.sh`.

use crate::support;

use std::io::Read;

use reqwest::{Method, header};
use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, TestApp, admin_app_with_sample, settings_with,
    ws::{connect, next, send},
};
use test_support::TestDb;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const FRONT_END: &str = "http://localhost:5173";

fn preflight(app: &TestApp, origin: &str) -> reqwest::RequestBuilder {
    app.client
        .request(Method::OPTIONS, app.url("/graphql"))
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,authorization",
        )
}

fn cors_headers(headers: &header::HeaderMap) -> Vec<String> {
    headers
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .map(|k| k.to_string())
        .collect()
}

fn header_value(headers: &header::HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn without_configured_origins_no_page_elsewhere_may_call() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let answer = preflight(&app, FRONT_END).send().await.expect("preflight");
    assert!(
        cors_headers(answer.headers()).is_empty(),
        "{:?}",
        answer.headers()
    );
    let answer = app
        .client
        .post(app.url("/graphql"))
        .header(header::ORIGIN, FRONT_END)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("post");
    assert!(cors_headers(answer.headers()).is_empty());
}

#[tokio::test]
async fn listed_origins_may_call_with_a_token_and_no_other_origin_hears_anything() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            (
                "MINSHENG_CORS_ORIGINS",
                "http://localhost:5173,https://portal.example.gov.cn",
            ),
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
        ],
    ))
    .await;
    let answer = preflight(&app, FRONT_END).send().await.expect("preflight");
    assert!(answer.status().is_success(), "{}", answer.status());
    let headers = answer.headers();
    assert_eq!(
        header_value(headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        FRONT_END
    );
    let methods = header_value(headers, header::ACCESS_CONTROL_ALLOW_METHODS).to_ascii_uppercase();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let allowed = header_value(headers, header::ACCESS_CONTROL_ALLOW_HEADERS).to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let answer = app
        .client
        .post(app.url("/graphql"))
        .header(header::ORIGIN, "https://portal.example.gov.cn")
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({ "query": "{ auditEvents(first: 1) { edges { node { action } } } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(
        header_value(answer.headers(), header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "https://portal.example.gov.cn"
    );
    let body: Value = answer.json().await.expect("json");
    assert!(body["data"]["auditEvents"]["edges"].is_array(), "{body}");

    for stranger in ["http://localhost:5174", "https://evil.example", "null"] {
        let answer = preflight(&app, stranger).send().await.expect("preflight");
        assert!(
            cors_headers(answer.headers()).is_empty(),
            "{stranger}: {:?}",
            answer.headers()
        );
        let answer = app
            .client
            .get(app.url("/graphql?query=%7B__typename%7D"))
            .header(header::ORIGIN, stranger)
            .send()
            .await
            .expect("get");
        assert!(cors_headers(answer.headers()).is_empty(), "{stranger}");
    }
}

#[tokio::test]
async fn a_star_lets_every_origin_call() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(&t.url, &[("MINSHENG_CORS_ORIGINS", "*")])).await;
    let answer = preflight(&app, "https://anywhere.example")
        .send()
        .await
        .expect("preflight");
    assert_eq!(
        header_value(answer.headers(), header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "*"
    );
}

async fn fetch(
    app: &TestApp,
    path: &str,
    encoding: Option<&str>,
    body: Option<Value>,
) -> (Option<String>, Vec<u8>) {
    let mut request = match &body {
        Some(body) => app.client.post(app.url(path)).json(body),
        None => app.client.get(app.url(path)),
    };
    if let Some(encoding) = encoding {
        request = request.header(header::ACCEPT_ENCODING, encoding);
    }
    let answer = request.send().await.expect("answer");
    assert!(answer.status().is_success(), "{path}: {}", answer.status());
    let content_encoding = answer
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        content_encoding,
        answer.bytes().await.expect("bytes").to_vec(),
    )
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

#[tokio::test]
async fn large_responses_are_compressed_for_clients_that_ask() {
    let t = TestDb::sqlite().await;
    let app = admin_app_with_sample(&t).await;
    let page = json!({ "query": "{ items(first: 100) { edges { node { title content deadlineText } } } }" });
    let (plain_encoding, plain) = fetch(&app, "/graphql", None, Some(page.clone())).await;
    assert_eq!(
        plain_encoding, None,
        "a client that does not ask gets identity"
    );
    assert!(
        plain.len() > 1024,
        "the page is worth compressing: {} bytes",
        plain.len()
    );

    let (encoding, gzipped) = fetch(&app, "/graphql", Some("gzip"), Some(page.clone())).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(
        gzipped.len() < plain.len(),
        "{} of {}",
        gzipped.len(),
        plain.len()
    );
    assert_eq!(gunzip(&gzipped), plain);

    let (encoding, brotlied) = fetch(&app, "/graphql", Some("gzip, deflate, br"), Some(page)).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert_eq!(unbrotli(&brotlied), plain);

    let small = json!({ "query": "{ __typename }" });
    let (encoding, _) = fetch(&app, "/graphql", Some("gzip, br"), Some(small)).await;
    assert_eq!(encoding, None, "under 1 KB is not worth it");

    let (encoding, script) =
        fetch(&app, "/graphiql/assets/graphiql.min.js", Some("br"), None).await;
    assert_eq!(encoding.as_deref(), Some("br"));
    let (_, original) = fetch(&app, "/graphiql/assets/graphiql.min.js", None, None).await;
    assert!(script.len() < original.len() / 3);
    assert_eq!(unbrotli(&script), original);
}

fn sha256(text: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .header(header::ACCEPT, GRAPHQL_RESPONSE)
        .json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request.send().await.expect("answer");
    (answer.status().as_u16(), answer.json().await.expect("json"))
}

async fn get(app: &TestApp, params: &[(&str, &str)]) -> (u16, Value) {
    let answer = app
        .client
        .get(app.url("/graphql"))
        .header(header::ACCEPT, GRAPHQL_RESPONSE)
        .query(params)
        .send()
        .await
        .expect("answer");
    (answer.status().as_u16(), answer.json().await.expect("json"))
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn automatic_persisted_queries_over_get_and_post() {
    let t = TestDb::sqlite().await;
    let app = admin_app_with_sample(&t).await;
    let query = "{ lists { title } }";
    let hash = sha256(query);
    let extensions = persisted(&hash).to_string();

    // The client's first try: the hash alone, over GET (cacheable).
    let (status, body) = get(&app, &[("extensions", &extensions)]).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    // A hash that is not the text's is refused, and registers nothing.
    let (status, body) = post(
        &app,
        None,
        json!({ "query": "{ departments { totalCount } }", "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(code(&body), "VALIDATION");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "extensions.persistedQuery.sha256Hash"
    );
    let (_, body) = get(&app, &[("extensions", &extensions)]).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");

    // Its retry: hash and text together, which registers the text.
    let (status, body) = post(
        &app,
        None,
        json!({ "query": query, "extensions": persisted(&hash) }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let title = body["data"]["lists"][0]["title"].clone();
    assert!(title.is_string());

    // From then on the hash alone runs it, over GET and POST.
    let (status, body) = get(&app, &[("extensions", &extensions)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["lists"][0]["title"], title);
    let (_, body) = post(&app, None, json!({ "extensions": persisted(&hash) })).await;
    assert_eq!(body["data"]["lists"][0]["title"], title);

    // A persisted mutation is still no GET.
    let mutation = "mutation { createDepartment(name: \"市新设局\") { id } }";
    let m_hash = sha256(mutation);
    let (status, _) = post(
        &app,
        Some(ADMIN_TOKEN),
        json!({ "query": mutation, "extensions": persisted(&m_hash) }),
    )
    .await;
    assert_eq!(status, 200);
    let answer = app
        .client
        .get(app.url("/graphql"))
        .query(&[("extensions", persisted(&m_hash).to_string())])
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 405);

    // Turned off, the protocol says so and clients fall back to sending text.
    let off = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_PERSISTED_QUERY_CACHE_BYTES", "0")],
    ))
    .await;
    let (_, body) = get(&off, &[("extensions", &extensions)]).await;
    assert_eq!(code(&body), "PERSISTED_QUERY_NOT_SUPPORTED");
}

#[tokio::test]
async fn trusted_documents_bind_everyone_but_the_administrator() {
    let t = TestDb::sqlite().await;
    let trusted_query = "query Lists { lists { id title } }";
    let subscription = "subscription Changes($list: ID!) { itemChanged(listId: $list) { kind } }";
    let file = std::env::temp_dir().join(format!("trusted-{}.json", std::process::id()));
    std::fs::write(
        &file,
        json!({ sha256(trusted_query): trusted_query, "changes": subscription }).to_string(),
    )
    .expect("write the trusted documents");
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_TRUSTED_DOCUMENTS", file.to_str().expect("path")),
        ],
    ))
    .await;
    support::import_sample(&t).await;

    let (status, body) = post(&app, None, json!({ "query": trusted_query })).await;
    assert_eq!(status, 200, "a trusted document by text: {body}");
    let (status, body) = get(
        &app,
        &[("extensions", &persisted(&sha256(trusted_query)).to_string())],
    )
    .await;
    assert_eq!(status, 200, "a trusted document by hash: {body}");
    let list = body["data"]["lists"][0]["id"].clone();

    let other = "{ departments { edges { node { name } } } }";
    let (status, body) = post(&app, None, json!({ "query": other })).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(code(&body), "UNTRUSTED_DOCUMENT");
    let (_, body) = post(
        &app,
        None,
        json!({ "query": other, "extensions": persisted(&sha256(other)) }),
    )
    .await;
    assert_eq!(
        code(&body),
        "UNTRUSTED_DOCUMENT",
        "registering does not make it trusted"
    );

    // A department's token is bound too; the administrator is not.
    let (_, departments) = post(
        &app,
        Some(ADMIN_TOKEN),
        json!({ "query": "{ departments(first: 1) { edges { node { id } } } }" }),
    )
    .await;
    let department = departments["data"]["departments"]["edges"][0]["node"]["id"].clone();
    let (_, issued) = post(
        &app,
        Some(ADMIN_TOKEN),
        json!({ "query": "mutation($d: ID!) { issueDepartmentToken(departmentId: $d) { token } }", "variables": { "d": department } }),
    )
    .await;
    let token = issued["data"]["issueDepartmentToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, body) = post(&app, Some(&token), json!({ "query": other })).await;
    assert_eq!((status, code(&body)), (403, "UNTRUSTED_DOCUMENT"));
    let (status, body) = post(&app, Some(ADMIN_TOKEN), json!({ "query": other })).await;
    assert_eq!(status, 200, "{body}");

    // The socket keeps the same list.
    let (mut socket, ack) = connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription($list: ID!) { itemChanged(listId: $list) { kind changedAt } }", "variables": { "list": list } } })).await;
    let answer = next(&mut socket, std::time::Duration::from_secs(5))
        .await
        .expect("an answer");
    let errors = if answer["type"] == "error" {
        answer["payload"].clone()
    } else {
        answer["payload"]["errors"].clone()
    };
    assert_eq!(
        errors[0]["extensions"]["code"], "UNTRUSTED_DOCUMENT",
        "{answer}"
    );
    send(&mut socket, json!({ "id": "2", "type": "subscribe", "payload": { "query": subscription, "variables": { "list": list } } })).await;
    // Nothing more but the refused one's end: the trusted subscription runs, quietly.
    while let Some(message) = next(&mut socket, std::time::Duration::from_millis(300)).await {
        assert_eq!(
            message,
            json!({ "id": "1", "type": "complete" }),
            "{message}"
        );
    }

    // A file that cannot be used stops the api at start, naming the setting.
    std::fs::write(&file, r#"{"broken": "{ lists { "}"#).expect("write");
    let refused = api::Application::build(
        &settings_with(
            &t.url,
            &[("MINSHENG_TRUSTED_DOCUMENTS", file.to_str().expect("path"))],
        ),
        api::StartOptions::default(),
    )
    .await;
    let message = refused.err().map(|e| format!("{e:#}")).unwrap_or_default();
    assert!(
        message.contains("MINSHENG_TRUSTED_DOCUMENTS") && message.contains("broken"),
        "{message}"
    );
    let _ = std::fs::remove_file(&file);
}
