//! `importList` through HTTP on both engines: a dry run reports and writes nothing, an import
//! writes and audits, the same text again changes nothing, a bad text names `input.text`.

use crate::support;

use entity::{audit_event, department, item_due_date, project_list};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, admin_app, only_error, rows, settings_with};
use test_support::{TestDb, backend_tests};

const IMPORT: &str = "mutation($text: String!, $dry: Boolean) {
  importList(input: { text: $text, issuer: \"示例市人民政府\", dryRun: $dry }) {
    listId outcome dryRun itemCount itemsAdded itemsChanged { numberText fields } itemsRemoved
    departmentsCreated warnings { line message } } }";

async fn counts(t: &TestDb) -> (u64, u64, u64) {
    (
        rows::<project_list::Entity>(t).await,
        rows::<item_due_date::Entity>(t).await,
        rows::<audit_event::Entity>(t).await,
    )
}

async fn import_as(app: &TestApp, text: &str, dry: bool) -> Value {
    app.graphql_as(
        Some(ADMIN_TOKEN),
        IMPORT,
        json!({ "text": text, "dry": dry }),
    )
    .await
}

async fn a_dry_run_writes_nothing_and_an_import_is_audited(t: TestDb) {
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let text = api::sample::SAMPLE_LIST;

    let body = app
        .graphql(IMPORT, json!({ "text": text, "dry": false }))
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    assert_eq!(counts(&t).await, (0, 0, 0));

    let dry = import_as(&app, text, true).await;
    let report = &dry["data"]["importList"];
    assert_eq!(report["outcome"], "CREATED", "{dry}");
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["listId"], Value::Null);
    assert_eq!(report["itemsAdded"].as_array().map(Vec::len), Some(7));
    assert!(
        !report["departmentsCreated"]
            .as_array()
            .expect("departments")
            .is_empty()
    );
    assert!(
        report["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .all(|w| w["line"].as_u64().is_some())
    );
    assert_eq!(counts(&t).await, (0, 0, 0), "a dry run writes nothing");

    let done = import_as(&app, text, false).await;
    let report = &done["data"]["importList"];
    assert_eq!(report["outcome"], "CREATED", "{done}");
    assert!(report["listId"].is_string());
    let after = counts(&t).await;
    assert_eq!((after.0, after.2), (1, 1), "one list, one audit event");
    let lists = app.data("{ lists { id issuer } }", Value::Null).await;
    assert_eq!(lists["lists"][0]["id"], report["listId"]);
    assert_eq!(lists["lists"][0]["issuer"], "示例市人民政府");

    let again = import_as(&app, text, false).await;
    assert_eq!(
        again["data"]["importList"]["outcome"], "UNCHANGED",
        "{again}"
    );
    assert_eq!(counts(&t).await, after);

    // A corrected text, dry-run: the change is reported and nothing moves.
    let corrected = text.replace("完成时限:2023年底", "完成时限:2023年10月底");
    assert_ne!(corrected, text);
    let dry = import_as(&app, &corrected, true).await;
    let report = &dry["data"]["importList"];
    assert_eq!(report["outcome"], "UPDATED", "{dry}");
    assert_eq!(report["listId"], lists["lists"][0]["id"]);
    let changed = report["itemsChanged"].as_array().expect("changed");
    assert_eq!(changed.len(), 1, "{dry}");
    assert_eq!(changed[0]["numberText"], "三");
    assert_eq!(
        counts(&t).await,
        after,
        "a dry run of an update writes nothing either"
    );

    let body = import_as(&app, "这不是清单。\n", false).await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("input.text".to_owned())),
        "{body}"
    );
    assert_eq!(counts(&t).await, after);
}

fn layout_fixture(name: &str) -> String {
    let path = format!(
        "{}/../domain/tests/fixtures/layouts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A categorized list through the graph: the layout it was read in, the inferred year ends
/// counted, categories and people on the items; a layout named by the client wins over the
/// guess, and a layout that is not one is refused on its field.
async fn other_layouts_through_the_graph(t: TestDb) {
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let import = "mutation($text: String!, $layout: ImportLayout, $yearEnd: Boolean) {
      importList(input: { text: $text, layout: $layout, yearEndDefault: $yearEnd }) {
        listId outcome layout itemCount inferredDueDates warnings { line message } } }";
    let text = layout_fixture("categorized-annual.txt");

    let forced = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            import,
            json!({ "text": text, "layout": "NEWSPAPER", "yearEnd": false }),
        )
        .await;
    let body = forced.to_string();
    assert_eq!(
        forced["data"]["importList"],
        Value::Null,
        "read as a newspaper the list has no item: {body}"
    );
    assert_eq!(only_error(&forced).0, "VALIDATION", "{body}");

    let bad = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            import,
            json!({ "text": text, "layout": "EXCEL" }),
        )
        .await;
    assert!(
        bad["errors"].as_array().is_some_and(|e| !e.is_empty()),
        "{bad}"
    );
    assert_eq!(counts(&t).await.0, 0, "nothing was written");

    let done = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            import,
            json!({ "text": text, "yearEnd": true }),
        )
        .await;
    let report = &done["data"]["importList"];
    assert_eq!(report["outcome"], "CREATED", "{done}");
    assert_eq!(report["layout"], "CATEGORIZED");
    assert_eq!(report["itemCount"], 5);
    assert_eq!(report["inferredDueDates"], 5);

    let items = app
        .graphql(
            "{ items(first: 10) { nodes { numberText category responsiblePeople dueDates { dueOn label } } } }",
            json!({}),
        )
        .await;
    let nodes = items["data"]["items"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("{items}"));
    assert_eq!(nodes.len(), 5, "{items}");
    assert_eq!(nodes[0]["category"], "教育文化");
    assert_eq!(nodes[4]["category"], "医疗卫生");
    assert_eq!(nodes[0]["responsiblePeople"], json!([]));
    assert_eq!(
        nodes[0]["dueDates"],
        json!([{ "dueOn": "2024-12-31", "label": "按年度目标推定" }])
    );

    let bulletin = layout_fixture("runon-bulletin.txt");
    let read = app
        .graphql_as(Some(ADMIN_TOKEN), import, json!({ "text": bulletin }))
        .await;
    assert_eq!(read["data"]["importList"]["layout"], "RUNON", "{read}");
    let people = app
        .graphql(
            "{ items(first: 10, filter: { search: \"社区食堂\" }) { nodes { responsiblePeople leadDepartments { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        people["data"]["items"]["nodes"][0]["responsiblePeople"],
        json!(["张某某", "李某"]),
        "{people}"
    );
    let progress = app
        .graphql(
            "{ items(first: 1, filter: { search: \"社区食堂\" }) { nodes { progress(first: 5) { nodes { note percent fromList department { name } } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        progress["data"]["items"]["nodes"][0]["progress"]["nodes"],
        json!([{ "note": "已建成8处，2024年8月15日开放运营", "percent": 0, "fromList": true, "department": null }]),
        "{progress}"
    );
}

/// A list that spells one department two ways: the import reports the probable duplicate and
/// merges nothing; `departmentSuggestions` shows the pair to the administrator only; after
/// `mergeDepartments` it is gone.
async fn department_variants_are_suggested_not_merged(t: TestDb) {
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let text = layout_fixture("table-plain.txt");
    let done = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($text: String!) { importList(input: { text: $text }) {
               departmentsCreated departmentSuggestions { name probably reason } } }",
            json!({ "text": text }),
        )
        .await;
    let report = &done["data"]["importList"];
    let created = report["departmentsCreated"].to_string();
    assert!(
        created.contains("县发改委") && created.contains("县发展改革委"),
        "both spellings stay departments until the admin decides: {done}"
    );
    assert_eq!(
        report["departmentSuggestions"],
        json!([{
            "name": "县发展改革委",
            "probably": "县发改委",
            "reason": "「发展改革委」与「发改委」指同一机构（一为全称，一为简称）"
        }]),
        "{done}"
    );

    let query = "{ departmentSuggestions { name probably rule reason
                   department { id name } probablyDepartment { id name } } }";
    let anonymous = app.graphql(query, json!({})).await;
    assert_eq!(only_error(&anonymous).0, "UNAUTHENTICATED", "{anonymous}");
    let listed = app.graphql_as(Some(ADMIN_TOKEN), query, json!({})).await;
    let rows = listed["data"]["departmentSuggestions"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"));
    assert_eq!(rows.len(), 1, "{listed}");
    assert_eq!(rows[0]["rule"], "abbreviation");
    assert_eq!(rows[0]["department"]["name"], "县发展改革委");

    let merged = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($from: ID!, $into: ID!) { mergeDepartments(from: $from, into: $into) { name } }",
            json!({ "from": rows[0]["department"]["id"], "into": rows[0]["probablyDepartment"]["id"] }),
        )
        .await;
    assert!(merged["errors"].is_null(), "{merged}");
    let after = app.graphql_as(Some(ADMIN_TOKEN), query, json!({})).await;
    assert_eq!(after["data"]["departmentSuggestions"], json!([]), "{after}");
}

/// A spreadsheet and a Word document through the graph as a browser sends them (base64): the
/// report names the file's kind and layout, the items are stored; the same file again changes
/// nothing; a file of an unknown kind, bad base64, or text and a file together are refused on
/// their field, writing nothing.
async fn files_through_the_graph(t: TestDb) {
    use base64::Engine;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let fixture = |name: &str| {
        let path = format!(
            "{}/../domain/tests/fixtures/files/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        base64::engine::general_purpose::STANDARD
            .encode(std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
    };
    let import = "mutation($input: ImportListInput!) { importList(input: $input) {
        outcome fileKind layout itemCount itemsAdded warnings { line message } } }";
    let send = |input: Value| {
        let app = &app;
        async move {
            app.graphql_as(Some(ADMIN_TOKEN), import, json!({ "input": input }))
                .await
        }
    };

    for (input, field) in [
        (
            json!({ "file": { "name": "清单.pdf", "base64": fixture("table.xlsx") } }),
            "input.file.name",
        ),
        (
            json!({ "file": { "name": "清单.xlsx", "base64": "不是base64" } }),
            "input.file.base64",
        ),
        (
            json!({ "file": { "name": "清单.xlsx", "base64": fixture("notice.docx") } }),
            "input.file",
        ),
        (
            json!({ "text": "清单", "file": { "name": "清单.xlsx", "base64": fixture("table.xlsx") } }),
            "input",
        ),
        (json!({}), "input"),
    ] {
        let body = send(input).await;
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some(field.to_owned())),
            "{body}"
        );
    }
    assert_eq!(counts(&t).await.0, 0, "nothing was written");

    let sheet =
        send(json!({ "file": { "name": "清单.xlsx", "base64": fixture("table.xlsx") } })).await;
    let report = &sheet["data"]["importList"];
    assert_eq!(report["outcome"], "CREATED", "{sheet}");
    assert_eq!(report["fileKind"], "XLSX");
    assert_eq!(report["layout"], "COLUMNS");
    assert_eq!(report["itemsAdded"], json!(["1", "2", "3", "5", "6"]));
    let again =
        send(json!({ "file": { "name": "清单.xlsx", "base64": fixture("table.xlsx") } })).await;
    assert_eq!(
        again["data"]["importList"]["outcome"], "UNCHANGED",
        "{again}"
    );

    let word = send(json!({ "file": { "name": "通知.docx", "base64": fixture("notice.docx") }, "dryRun": true })).await;
    let report = &word["data"]["importList"];
    assert_eq!(report["fileKind"], "DOCX", "{word}");
    assert_eq!(report["itemCount"], 2);

    let text = send(json!({ "text": api::sample::SAMPLE_LIST, "dryRun": true })).await;
    assert_eq!(text["data"]["importList"]["fileKind"], "TEXT", "{text}");
    assert_eq!(text["data"]["importList"]["layout"], "NEWSPAPER");
}

/// The crafted files of the second outside probe (domain/tests/fixtures/crafted/make.py), each
/// sent as a browser sends a file: refused as `VALIDATION` on `input.file`, naming the file,
/// while an ordinary request beside it still answers within a second; the api is still up
/// after them all. (A page of 10,000 nested spans once overflowed the api's stack; a workbook
/// of two cells made it allocate 21.6 GB.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_files_are_refused_while_the_api_keeps_answering() {
    use base64::Engine;
    let t = TestDb::sqlite().await;
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_BODY_LIMIT_BYTES", "4194304"),
        ],
    ))
    .await;
    let import = "mutation($input: ImportListInput!) { importList(input: $input) { itemCount } }";
    for name in [
        "nested-spans.html",
        "nested-divs.html",
        "far-cells.xlsx",
        "huge-string.xlsx",
        "many-rows.xlsx",
    ] {
        let path = format!(
            "{}/../domain/tests/fixtures/crafted/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let input = json!({ "input": { "dryRun": true, "file": {
            "name": name, "base64": base64::engine::general_purpose::STANDARD.encode(bytes) } } });
        let refused = app.graphql_as(Some(ADMIN_TOKEN), import, input);
        let beside = async {
            // Give the import a head start, so the ordinary request lands while it is read.
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            let started = std::time::Instant::now();
            let body = app.graphql("{ lists { id } }", json!({})).await;
            (started.elapsed(), body)
        };
        let (body, (took, ordinary)) = tokio::join!(refused, beside);
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some("input.file".to_owned())),
            "{name}: {body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(name),
            "{name}: the message names the file: {body}"
        );
        assert!(ordinary["errors"].is_null(), "{ordinary}");
        assert!(
            took < std::time::Duration::from_secs(1),
            "{name}: an ordinary request took {took:?} beside it"
        );
    }
    assert_eq!(app.status("/healthz").await, 200);
    assert_eq!(counts(&t).await.0, 0, "nothing was written");
}

/// A small table of figures by district printed after an item's units becomes warnings naming
/// its line, never departments; generic phrases stay phrases.
async fn figures_and_places_never_become_departments(t: TestDb) {
    let app = admin_app(&t).await;
    let text = "示例市2025年民生实事清单
一、新建城市书房
事项内容:新建城市书房10处。
完成时限:2025年6月底
牵头部门:市文旅局、牡丹区 定陶区 曹县 单县 合计、年度目标 120 实际完成 80
配合部门:相关管委会、各县区政府
";
    let body = import_as(&app, text, false).await;
    let report = &body["data"]["importList"];
    assert_eq!(report["itemCount"], 1, "{body}");
    assert_eq!(report["departmentsCreated"], json!(["市文旅局"]), "{body}");
    let warnings = report["warnings"].as_array().expect("warnings");
    let on_line_5: Vec<&str> = warnings
        .iter()
        .filter(|w| w["line"] == 5)
        .filter_map(|w| w["message"].as_str())
        .collect();
    assert_eq!(on_line_5.len(), 2, "{warnings:?}");
    assert!(
        on_line_5
            .iter()
            .any(|m| m.contains("地名") || m.contains("统计表")),
        "{on_line_5:?}"
    );
    let names: Vec<String> = department::Entity::find()
        .all(&t.db)
        .await
        .expect("reads")
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names, ["市文旅局"]);
    // The command line, storing into the same database as a corrected version: no department
    // made of figures or places either.
    let dir = crate::cli_import::scratch(&format!("figures-{:?}", t.backend));
    let path = dir.join("清单.txt");
    std::fs::write(&path, text.replace("120", "130")).expect("write");
    let out = crate::cli_import::api(
        &dir,
        Some(&t.url),
        &["import", &path.to_string_lossy(), "--format", "json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        json["items"][0]["lead_departments"],
        json!(["市文旅局"]),
        "{json}"
    );
    assert_eq!(
        department::Entity::find()
            .all(&t.db)
            .await
            .expect("reads")
            .len(),
        1
    );
}

/// A title on line 3 under an attachment label, a preamble paragraph and a signature: the
/// title is the line that names the list, the issuer the signature's, both in the preview
/// (graph and CLI) and stored; the label and the paragraph are listed with their text.
async fn the_title_is_the_line_that_names_the_list(t: TestDb) {
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let text = "附件1\n\n示例市2026年为民办实事项目清单\n\
        各县区、市直各部门：现将项目清单印发给你们，请结合实际认真抓好落实，确保按期完成并及时报送进展。\n\
        一、新建城市书房\n事项内容:新建城市书房10处。\n完成时限:2026年6月底\n牵头部门:市文旅局\n\
        二、改造学校操场\n事项内容:改造学校操场20个。\n完成时限:2026年9月底\n牵头部门:市教育局\n\
        示例市人民政府办公室\n";
    let preview = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($t: String!) { importList(input: { text: $t, dryRun: true }) {
                title year issuer unattached { line text } warnings { line message } } }",
            json!({ "t": text }),
        )
        .await;
    let report = &preview["data"]["importList"];
    assert_eq!(
        report["title"], "示例市2026年为民办实事项目清单",
        "{preview}"
    );
    assert_eq!(report["year"], 2026);
    assert_eq!(report["issuer"], "示例市人民政府");
    let outside: Vec<&str> = report["unattached"]
        .as_array()
        .expect("unattached")
        .iter()
        .filter_map(|u| u["text"].as_str())
        .collect();
    assert!(outside.contains(&"附件1"), "{outside:?}");
    assert!(
        outside.iter().any(|t| t.starts_with("各县区")),
        "{outside:?}"
    );
    assert!(
        !report["warnings"].to_string().contains("第 3–3 行"),
        "the title's line is no stray text: {preview}"
    );
    let body = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($t: String!) { importList(input: { text: $t }) { listId } }",
            json!({ "t": text }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let lists = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "{ lists { title issuer year } }",
            json!({}),
        )
        .await;
    assert_eq!(
        lists["data"]["lists"],
        json!([{ "title": "示例市2026年为民办实事项目清单", "issuer": "示例市人民政府", "year": 2026 }]),
        "stored as previewed: {lists}"
    );
    // The command line reads it alike.
    let json = crate::cli_import::import_json(
        &format!("title-{:?}", t.backend),
        text.as_bytes(),
        "附件1.txt",
        &[],
    );
    assert_eq!(json["title"], "示例市2026年为民办实事项目清单");
    assert_eq!(json["issuer"], "示例市人民政府");
}

backend_tests!(
    the_title_is_the_line_that_names_the_list,
    figures_and_places_never_become_departments,
    files_through_the_graph,
    a_dry_run_writes_nothing_and_an_import_is_audited,
    other_layouts_through_the_graph,
    department_variants_are_suggested_not_merged
);
