//! The api over HTTP, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use crate::support;

use chrono::Utc;
use serde_json::{Value, json};
use support::{TestApp, only_error, settings_for};
use test_support::{TestDb, backend_tests};

use entity::{ItemStatus, item, project_list};

/// A 64-hex-digit stand-in for the text's hash, distinct per title.
fn fake_sha256(title: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    title.hash(&mut hasher);
    format!("{:064x}", hasher.finish())
}

async fn seed_list(t: &TestDb, title: &str, numbers: std::ops::RangeInclusive<i32>) -> i64 {
    let at = Utc::now();
    let list = project_list::ActiveModel::builder()
        .set_title(title)
        .set_source_text(title)
        .set_source_sha256(fake_sha256(title))
        .set_imported_at(at)
        .set_updated_at(at)
        .insert(&t.db)
        .await
        .expect("seed list");
    for n in numbers {
        item::ActiveModel::builder()
            .set_list_id(list.id)
            .set_number(n)
            .set_number_text(n.to_string())
            .set_title(format!("{title}-事项{n}"))
            .set_content("内容")
            .set_deadline_text("2021年6月底")
            .set_ongoing(false)
            .set_status(ItemStatus::Open)
            .set_generic_phrases(json!([]))
            .set_created_at(at)
            .set_updated_at(at)
            .insert(&t.db)
            .await
            .expect("seed item");
    }
    list.id
}

async fn an_empty_database_answers_an_empty_list(t: TestDb) {
    let app = TestApp::start(&t).await;
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert_eq!(body, json!({ "data": { "lists": [] } }));
}

const ITEMS: &str = "query($list: ID, $first: Int, $after: String) {
  items(listId: $list, first: $first, after: $after) {
    edges { cursor node { id number title status } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}";

async fn items_page_forward_with_stable_cursors(t: TestDb) {
    seed_list(&t, "第一批", 1..=5).await;
    seed_list(&t, "第二批", 1..=3).await;
    let app = TestApp::start(&t).await;

    let lists = app.data("{ lists { id title } }", Value::Null).await;
    let titles: Vec<&str> = lists["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .filter_map(|l| l["title"].as_str())
        .collect();
    assert_eq!(titles, ["第一批", "第二批"]);
    let first_list = lists["lists"][0]["id"].clone();

    let mut after = Value::Null;
    let mut titles = Vec::new();
    let mut pages = 0;
    loop {
        let data = app
            .data(
                ITEMS,
                json!({ "list": first_list, "first": 2, "after": after }),
            )
            .await;
        let items = &data["items"];
        pages += 1;
        assert_eq!(items["pageInfo"]["hasPreviousPage"], json!(pages > 1));
        for edge in items["edges"].as_array().expect("edges") {
            titles.push(edge["node"]["title"].as_str().expect("title").to_owned());
            assert_eq!(edge["node"]["status"], "OPEN");
        }
        if items["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = items["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(pages, 3);
    assert_eq!(
        titles,
        (1..=5)
            .map(|n| format!("第一批-事项{n}"))
            .collect::<Vec<_>>()
    );

    // Without a list filter every item is reachable; the default page holds them all.
    let all = app.data(ITEMS, Value::Null).await;
    assert_eq!(all["items"]["edges"].as_array().map(Vec::len), Some(8));

    // A cursor stays valid when rows are added after the page it came from.
    let page = app
        .data(ITEMS, json!({ "list": first_list, "first": 2 }))
        .await;
    let cursor = page["items"]["pageInfo"]["endCursor"].clone();
    seed_list(&t, "第三批", 1..=2).await;
    let next = app
        .data(
            ITEMS,
            json!({ "list": first_list, "first": 2, "after": cursor }),
        )
        .await;
    let numbers: Vec<i64> = next["items"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["number"].as_i64())
        .collect();
    assert_eq!(numbers, [3, 4]);
}

async fn bad_arguments_are_validation_errors_naming_the_field(t: TestDb) {
    let app = TestApp::start(&t).await;
    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": 0 }), "first"),
        (json!({ "after": "not-a-cursor" }), "after"),
        (json!({ "list": "SXRlbTox" }), "listId"),
    ] {
        let body = app.graphql(ITEMS, variables.clone()).await;
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some(field.to_owned())),
            "{variables}: {body}"
        );
    }
    let body = app.graphql("{ nosuchfield }", Value::Null).await;
    assert_eq!(only_error(&body).0, "VALIDATION", "{body}");
}

async fn probes_report_process_and_database(t: TestDb) {
    let app = TestApp::start_with_db(&t, t.db.clone()).await;
    assert_eq!(app.status("/healthz").await, 200);
    assert_eq!(app.status("/readyz").await, 200);

    // Closing the pool the app uses makes the database unreachable for it.
    t.db.clone().close().await.expect("close pool");
    assert_eq!(app.status("/readyz").await, 503);
    assert_eq!(app.status("/healthz").await, 200, "the process is still up");
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert_eq!(only_error(&body).0, "INTERNAL", "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(
        message, "internal error",
        "no database detail reaches the client"
    );
}

async fn graphiql_is_served_from_the_api_itself(t: TestDb) {
    let app = TestApp::start(&t).await;
    let page = app
        .client
        .get(app.url("/graphql"))
        .header("accept", "text/html,*/*;q=0.8")
        .send()
        .await
        .expect("GET /graphql");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    let sources: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .chain(html.split("href=\"").skip(1))
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        sources.len(),
        4,
        "three scripts and a stylesheet: {sources:?}"
    );
    for source in sources {
        assert!(
            source.starts_with("/graphiql/assets/"),
            "{source} is not served locally"
        );
        let asset = app.client.get(app.url(source)).send().await.expect("asset");
        assert_eq!(asset.status(), 200, "{source}");
        assert!(
            asset.bytes().await.expect("bytes").len() > 1000,
            "{source} is not empty"
        );
    }
    let missing = app
        .client
        .get(app.url("/graphiql/assets/nope.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(missing.status(), 404);
}

backend_tests!(
    an_empty_database_answers_an_empty_list,
    items_page_forward_with_stable_cursors,
    bad_arguments_are_validation_errors_naming_the_field,
    probes_report_process_and_database,
    graphiql_is_served_from_the_api_itself,
);

#[tokio::test]
async fn a_newcomers_first_start_imports_the_sample_list_once() {
    let t = TestDb::sqlite_empty().await;
    let settings = settings_for(&t.url);
    let seeded = api::StartOptions {
        migrate: false,
        seed_sample: true,
    };
    let app = TestApp::serve(
        api::Application::build(&settings, seeded)
            .await
            .expect("starts"),
    );
    let data = app
        .data(
            "{ lists { title } items(first: 100) { edges { node { numberText } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        data["lists"],
        json!([{ "title": "示例市2023年为民办实事项目清单(第一批)" }])
    );
    assert_eq!(data["items"]["edges"].as_array().map(Vec::len), Some(7));
    drop(app);
    let again = TestApp::serve(
        api::Application::build(&settings, seeded)
            .await
            .expect("starts again"),
    );
    let data = again.data("{ lists { title } }", Value::Null).await;
    assert_eq!(
        data["lists"].as_array().map(Vec::len),
        Some(1),
        "not imported twice"
    );
}

#[tokio::test]
async fn the_sample_is_never_imported_into_postgres() {
    let Some(t) = TestDb::postgres().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    let settings = settings_for(&t.url);
    assert!(!api::StartOptions::for_settings(&settings, false).seed_sample);
    let forced = api::StartOptions {
        migrate: false,
        seed_sample: true,
    };
    let app = TestApp::serve(
        api::Application::build(&settings, forced)
            .await
            .expect("starts"),
    );
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert_eq!(body, json!({ "data": { "lists": [] } }));
}

#[test]
fn only_the_default_embedded_database_is_seeded() {
    let default = domain::Settings::load_from(&|_| None).expect("defaults");
    assert!(api::StartOptions::for_settings(&default, false).seed_sample);
    assert!(
        !api::StartOptions::for_settings(&settings_for("sqlite:///tmp/other.db?mode=rwc"), false)
            .seed_sample
    );
}

#[tokio::test]
async fn embedded_sqlite_is_migrated_on_start() {
    let t = TestDb::sqlite_empty().await;
    let app = TestApp::start(&t).await;
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert_eq!(body, json!({ "data": { "lists": [] } }));
}

#[tokio::test]
async fn postgres_with_pending_migrations_is_refused_unless_migrate_is_given() {
    let Some(t) = TestDb::postgres_empty().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    let settings = settings_for(&t.url);
    let refused = api::Application::build(&settings, api::StartOptions::default())
        .await
        .err()
        .expect("refused to start");
    let message = format!("{refused:#}");
    assert!(
        message.contains("pending migration") && message.contains("--migrate"),
        "{message}"
    );

    let app = TestApp::serve(
        api::Application::build(
            &settings,
            api::StartOptions {
                migrate: true,
                seed_sample: false,
            },
        )
        .await
        .expect("--migrate starts"),
    );
    let body = app.graphql("{ lists { id } }", Value::Null).await;
    assert_eq!(body, json!({ "data": { "lists": [] } }));
}
