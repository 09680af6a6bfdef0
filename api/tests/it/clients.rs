//! Real client libraries against a running api, as front-end tooling meets it:
//!
//! - graphql-js sends `getIntrospectionQuery()` with every option, rebuilds the schema with
//!   `buildClientSchema`, and finds it equal to the committed `api/schema.graphql`;
//! - graphql-http audits the api against the GraphQL over HTTP specification.
//!
//! They need node and the packages of `scripts/clients` (`npm ci --prefix scripts/clients`).
//! Without them the tests say they skipped, unless `MINSHENG_REQUIRE_CLIENT_CHECKS=1` (CI sets
//! it) makes that a failure.

use crate::support;

use std::path::PathBuf;

use support::{TestApp, settings_with};
use test_support::TestDb;

/// Runs `node script args…` in the clients folder; `None` when the checks cannot run here.
async fn node(script: &str, args: &[&str]) -> Option<(bool, String)> {
    let dir = support::client_packages("graphql-http", script)?;
    let output = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some((output.status.success(), text))
}

fn schema_file() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schema.graphql")
        .display()
        .to_string()
}

#[tokio::test]
async fn graphql_js_rebuilds_the_committed_schema_from_introspection() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let Some((ok, output)) =
        node("introspection.mjs", &[&app.url("/graphql"), &schema_file()]).await
    else {
        return;
    };
    assert!(ok, "{output}");
    assert!(output.contains("the same schema"), "{output}");

    let closed = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_GRAPHQL_INTROSPECTION", "false")],
    ))
    .await;
    let Some((ok, output)) = node(
        "introspection.mjs",
        &[&closed.url("/graphql"), &schema_file(), "--expect-refused"],
    )
    .await
    else {
        return;
    };
    assert!(ok, "introspection off is refused: {output}");
}

#[tokio::test]
async fn graphql_http_finds_every_rule_of_the_specification_kept() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let Some((ok, output)) = node("http-audit.mjs", &[&app.url("/graphql")]).await else {
        return;
    };
    assert!(ok, "{output}");
    assert!(output.contains("every audit passed"), "{output}");
}

#[tokio::test]
async fn graphql_js_validates_every_document_the_pages_send() {
    let documents = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/web/documents.json");
    let Some((ok, output)) = node(
        "documents.mjs",
        &[&documents.display().to_string(), &schema_file()],
    )
    .await
    else {
        return;
    };
    assert!(ok, "{output}");
    assert!(output.contains(" 0 invalid"), "{output}");
}
