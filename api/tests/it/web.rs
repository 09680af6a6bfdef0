//! The board's pages at `GET /` (assets built into the binary, `MINSHENG_WEB=false` turns them
//! off), and what the pages need from the graph: the `calendar` they judge dates by, the
//! `viewer` a token is, and the import preview's items. The pages themselves are driven in Chromium by
//! `scripts/web-check.sh`.

use crate::support;

use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, TestApp, admin_app, admin_app_with_sample, department_id, import_text, only_error,
    settings_with,
};
use test_support::TestDb;

async fn get(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

#[tokio::test]
async fn the_pages_are_served_from_the_binary_under_a_same_origin_policy() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let page = get(&app, "/").await;
    assert_eq!(page.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header(&page, "content-type").starts_with("text/html"));
    let policy = header(&page, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "connect-src 'self'",
        "script-src 'self'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    let html = page.text().await.expect("body");
    assert!(html.contains("lang=\"zh-CN\""), "{html}");
    // Every asset the page names is served, from the api's own origin.
    for asset in ["/web/app.js", "/web/app.css"] {
        assert!(
            html.contains(&format!("\"{asset}\"")),
            "{asset} in the page"
        );
        let response = get(&app, asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert!(!response.text().await.expect("body").is_empty());
    }
    // Every module the entry imports, and what they import, is served; none names another
    // origin.
    let mut pending = vec!["app.js".to_owned()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(module) = pending.pop() {
        if !seen.insert(module.clone()) {
            continue;
        }
        let response = get(&app, &format!("/web/{module}")).await;
        assert_eq!(response.status(), 200, "{module}");
        assert!(header(&response, "content-type").starts_with("text/javascript"));
        let script = response.text().await.expect("js");
        for line in script.lines().filter(|l| l.starts_with("import ")) {
            let from = line
                .split("from \"./")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_else(|| panic!("{module}: an import from elsewhere: {line}"));
            pending.push(from.to_owned());
        }
        // SVG's namespace is a name, not an address.
        let script = script.replace("\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !script.contains("http://") && !script.contains("https://"),
            "{module} names no other origin"
        );
    }
    assert!(seen.len() > 5, "the pages are modules: {seen:?}");
    assert_eq!(get(&app, "/web/missing.js").await.status(), 404);
    assert_eq!(get(&app, "/web/..%2Fapp.js").await.status(), 404);
}

#[tokio::test]
async fn the_guide_is_a_page_every_page_links_to() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let page = get(&app, "/").await.text().await.expect("body");
    assert!(page.contains("href=\"/guide\""), "{page}");
    let guide = get(&app, "/guide").await;
    assert_eq!(guide.status(), 200);
    let html = guide.text().await.expect("body");
    for words in [
        "<h1>民生实事督办系统 使用指南</h1>",
        "<h2>一、第一次使用：开通管理员账号</h2>",
        "<table>",
        "api account add --name 张三 --login zhangsan --role admin",
    ] {
        assert!(html.contains(words), "{words} in the guide");
    }
}

#[tokio::test]
async fn an_unchanged_asset_is_not_downloaded_again() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let first = get(&app, "/web/app.js").await;
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .expect("an entity tag")
        .to_owned();
    assert_eq!(
        first.headers().get("cache-control").map(|v| v.as_bytes()),
        Some(&b"no-cache"[..])
    );
    let again = app
        .client
        .get(app.url("/web/app.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(again.status(), 304);
    assert!(again.text().await.expect("body").is_empty());
    // Another file's tag does not match.
    let other = app
        .client
        .get(app.url("/web/graph.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("answers");
    assert_eq!(other.status(), 200);
}

/// The pages' pure helpers and the documents check, under node's own test runner.
#[tokio::test]
async fn the_pages_own_tests_pass_under_node() {
    let web = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/web");
    let node = std::process::Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var("MINSHENG_REQUIRE_CLIENT_CHECKS").as_deref() != Ok("1"),
            "MINSHENG_REQUIRE_CLIENT_CHECKS=1 but node is not installed"
        );
        test_support::skipped(format_args!("node --test: node is not installed"));
        return;
    }
    let output = tokio::process::Command::new("node")
        .args(["--test", "tests/"])
        .current_dir(&web)
        .output()
        .await
        .expect("node runs");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{text}");
    assert!(text.contains("# fail 0"), "{text}");
}

#[tokio::test]
async fn minsheng_web_false_turns_the_pages_off() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(&t.url, &[("MINSHENG_WEB", "false")])).await;
    assert_eq!(get(&app, "/").await.status(), 404);
    assert_eq!(get(&app, "/web/app.js").await.status(), 404);
    // The graph is unaffected.
    assert_eq!(
        app.data("{ lists { id } }", Value::Null).await["lists"],
        json!([])
    );
}

/// What `document` answers for an anonymous caller: its data, or its first error's code.
async fn run_anonymously(app: &TestApp, document: &str) -> Result<Value, String> {
    let body = app.graphql(document, Value::Null).await;
    match body["errors"].as_array() {
        Some(errors) if !errors.is_empty() => Err(errors[0]["extensions"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_owned()),
        _ => Ok(body["data"].clone()),
    }
}

#[tokio::test]
async fn the_pages_documents_are_trusted_while_the_pages_are_served() {
    let t = TestDb::sqlite().await;
    support::import_sample(&t).await;
    let operators = "query Operators { lists { id } }";
    let file = std::env::temp_dir().join(format!("web-trusted-{}.json", std::process::id()));
    std::fs::write(&file, json!({ "operators": operators }).to_string()).expect("write the file");
    let path = file.to_str().expect("path");
    let served = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_TRUSTED_DOCUMENTS", path)],
    ))
    .await;
    let off = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_TRUSTED_DOCUMENTS", path),
            ("MINSHENG_WEB", "false"),
        ],
    ))
    .await;

    // The page's documents, as the browser gets them.
    let documents: serde_json::Map<String, Value> = get(&served, "/web/documents.json")
        .await
        .json()
        .await
        .expect("documents.json is JSON");
    assert!(documents.len() >= 20, "{documents:?}");
    for (name, document) in &documents {
        let document = document.as_str().expect("text");
        // Mutations and department queries are refused for who the caller is, never for the text.
        let answer = run_anonymously(&served, document).await;
        assert_ne!(answer, Err("UNTRUSTED_DOCUMENT".into()), "{name}");
        assert_eq!(
            run_anonymously(&off, document).await,
            Err("UNTRUSTED_DOCUMENT".into()),
            "{name} with the pages off"
        );
    }
    let start = run_anonymously(&served, documents["Start"].as_str().expect("Start"))
        .await
        .expect("the board's first query runs");
    assert_eq!(start["lists"].as_array().map(Vec::len), Some(1), "{start}");
    // The operator's own file still counts, and nothing else runs.
    assert!(run_anonymously(&served, operators).await.is_ok());
    assert_eq!(
        run_anonymously(&served, "{ lists { title } }").await,
        Err("UNTRUSTED_DOCUMENT".into())
    );
    let _ = std::fs::remove_file(&file);
}

#[tokio::test]
async fn the_calendar_gives_the_configured_zone_its_day_and_offset() {
    let t = TestDb::sqlite().await;
    let query =
        "query($now: DateTime) { calendar(now: $now) { timeZone today utcOffset dueSoonDays } }";
    let shanghai = TestApp::start(&t).await;
    // 17:00 UTC on 30 June is already 1 July in Shanghai.
    let data = shanghai
        .data(query, json!({ "now": "2021-06-30T17:00:00Z" }))
        .await;
    assert_eq!(
        data["calendar"],
        json!({ "timeZone": "Asia/Shanghai", "today": "2021-07-01", "utcOffset": "+08:00", "dueSoonDays": 14 })
    );

    let new_york = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_TIMEZONE", "America/New_York"),
            ("MINSHENG_DUE_SOON_DAYS", "7"),
        ],
    ))
    .await;
    for (now, today, offset) in [
        ("2021-06-30T17:00:00Z", "2021-06-30", "-04:00"),
        ("2021-01-15T03:00:00Z", "2021-01-14", "-05:00"),
    ] {
        let data = new_york.data(query, json!({ "now": now })).await;
        assert_eq!(data["calendar"]["today"], today, "{now}");
        assert_eq!(data["calendar"]["utcOffset"], offset, "{now}");
        assert_eq!(data["calendar"]["dueSoonDays"], 7);
    }
    // Without `now`: today as the api's clock has it.
    let data = shanghai.data("{ calendar { today } }", Value::Null).await;
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    assert_eq!(data["calendar"]["today"], today);
}

/// `viewer` tells a front end who its token is: the desk shows a department its own items.
async fn the_viewer_is_who_the_token_says(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let query = "{ viewer { role department { id name } } }";
    assert_eq!(
        app.data(query, Value::Null).await["viewer"],
        json!({ "role": "ANONYMOUS", "department": null })
    );
    let admin = app.graphql_as(Some(ADMIN_TOKEN), query, Value::Null).await;
    assert_eq!(
        admin["data"]["viewer"],
        json!({ "role": "ADMINISTRATOR", "department": null }),
        "{admin}"
    );
    let department = department_id(&app, "市民政局").await;
    let issued = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!) { issueDepartmentToken(departmentId: $id) { token } }",
            json!({ "id": department }),
        )
        .await;
    let token = issued["data"]["issueDepartmentToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mine = app.graphql_as(Some(&token), query, Value::Null).await;
    assert_eq!(
        mine["data"]["viewer"],
        json!({ "role": "DEPARTMENT", "department": { "id": department, "name": "市民政局" } }),
        "{mine}"
    );
    let forged = app
        .graphql_as(Some("not-a-token"), query, Value::Null)
        .await;
    assert_eq!(only_error(&forged).0, "UNAUTHENTICATED", "{forged}");
}

/// The import preview (`dryRun`) lists every item as the reader understood it, which is what
/// the import then stores.
async fn the_import_preview_shows_each_item_as_it_will_be_stored(t: TestDb) {
    let app = admin_app(&t).await;
    let preview = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($t: String!) { importList(input: { text: $t, dryRun: true }) { itemCount items {
                line numberText title deadlineText dueDates ongoing deadlineProblem
                leadDepartments cooperatingDepartments } } }",
            json!({ "t": api::sample::SAMPLE_LIST }),
        )
        .await;
    let report = &preview["data"]["importList"];
    let previewed = report["items"].as_array().expect("items");
    assert_eq!(
        previewed.len() as u64,
        report["itemCount"].as_u64().expect("count")
    );
    assert!(previewed.len() >= 5, "{preview}");
    assert_eq!(
        app.data("{ lists { id } }", Value::Null).await["lists"],
        json!([]),
        "a preview writes nothing"
    );
    let lines: Vec<u64> = previewed
        .iter()
        .map(|i| i["line"].as_u64().expect("line"))
        .collect();
    assert!(
        lines.windows(2).all(|w| w[0] < w[1]),
        "in print order: {lines:?}"
    );
    let sample_lines: Vec<&str> = api::sample::SAMPLE_LIST.lines().collect();
    for item in previewed {
        let line = sample_lines[item["line"].as_u64().expect("line") as usize - 1];
        let number = item["numberText"].as_str().expect("number");
        assert!(
            line.contains(number),
            "line {} prints {number}: {line}",
            item["line"]
        );
    }

    import_text(&app, api::sample::SAMPLE_LIST).await;
    let stored = app
        .data(
            "{ items(first: 30) { nodes { numberText title deadlineText ongoing dueDates { dueOn }
                leadDepartments { name } cooperatingDepartments { name } } } }",
            Value::Null,
        )
        .await;
    let names = |v: &Value| -> Vec<Value> {
        v.as_array()
            .expect("departments")
            .iter()
            .map(|d| d["name"].clone())
            .collect()
    };
    for item in previewed {
        let number = &item["numberText"];
        let row = stored["items"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .find(|n| &n["numberText"] == number)
            .unwrap_or_else(|| panic!("item {number} stored"));
        assert_eq!(item["title"], row["title"], "{number}");
        assert_eq!(item["deadlineText"], row["deadlineText"], "{number}");
        assert_eq!(item["ongoing"], row["ongoing"], "{number}");
        let dates: Vec<Value> = row["dueDates"]
            .as_array()
            .expect("due dates")
            .iter()
            .map(|d| d["dueOn"].clone())
            .collect();
        assert_eq!(item["dueDates"], json!(dates), "{number}");
        assert_eq!(
            item["leadDepartments"],
            json!(names(&row["leadDepartments"])),
            "{number}"
        );
        assert_eq!(
            item["cooperatingDepartments"],
            json!(names(&row["cooperatingDepartments"])),
            "{number}"
        );
    }
}

test_support::backend_tests!(
    the_viewer_is_who_the_token_says,
    the_import_preview_shows_each_item_as_it_will_be_stored,
);
