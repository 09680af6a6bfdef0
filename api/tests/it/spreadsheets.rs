//! Ordinary spreadsheets, as offices receive lists: a header row (under whatever names), maybe a
//! title row above it, merged cells and blank rows; read by their columns through `importList`
//! and `api import`, on both engines. The workbooks are made up here with rust_xlsxwriter and
//! read back by the importer (calamine), a reader independent of the writer.

use crate::{
    cli_import::{api, import_json, scratch},
    support,
};

use base64::Engine;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, admin_app, import_text, only_error};
use test_support::{TestDb, backend_tests};

/// A cell to write: (row, column, text), or a merged range (first row, first column, last row,
/// last column, text).
enum Cell<'a> {
    At(u32, u16, &'a str),
    Merged(u32, u16, u32, u16, &'a str),
}

fn workbook(cells: &[Cell]) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for cell in cells {
        match *cell {
            Cell::At(r, c, text) => {
                sheet.write_string(r, c, text).expect("write");
            }
            Cell::Merged(r0, c0, r1, c1, text) => {
                sheet
                    .merge_range(r0, c0, r1, c1, text, &Format::new())
                    .expect("merge");
            }
        }
    }
    book.save_to_buffer().expect("save")
}

/// A header row and rows under it, from row `top`.
fn table<'a>(top: u32, rows: &[&[&'a str]]) -> Vec<Cell<'a>> {
    rows.iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, t)| !t.is_empty())
                .map(move |(c, t)| Cell::At(top + r as u32, c as u16, t))
        })
        .collect()
}

const ROWS: [[&str; 6]; 3] = [
    [
        "1",
        "新建城市书房",
        "建成城市书房10处，每处不少于50座",
        "2025年10月底",
        "市文旅局",
        "市财政局",
    ],
    [
        "2",
        "改造老旧小区",
        "改造老旧小区30个",
        "2025年12月底前",
        "市住建局",
        "",
    ],
    [
        "3",
        "增设公交线路",
        "新开通公交线路5条",
        "2025年6月底",
        "市交通运输局",
        "市公安局、市城管局",
    ],
];

const PREVIEW: &str = "mutation($input: ImportListInput!) { importList(input: $input) {
    outcome layout fileKind title year itemCount itemsAdded
    columns { header field label }
    items { numberText title deadlineText dueDates leadDepartments cooperatingDepartments
            category progress responsiblePeople }
    unattached { line lastLine text }
    warnings { line message } } }";

/// Every list with its first items' titles and contents, as the graph stores them.
async fn stored_lists(app: &TestApp) -> Value {
    app.graphql_as(
        Some(ADMIN_TOKEN),
        "{ lists { title items(first: 5) { edges { node { title content } } } } }",
        json!({}),
    )
    .await
}

async fn send(app: &TestApp, input: Value) -> Value {
    app.graphql_as(Some(ADMIN_TOKEN), PREVIEW, json!({ "input": input }))
        .await
}

fn file(name: &str, bytes: &[u8]) -> Value {
    json!({ "name": name, "base64": base64::engine::general_purpose::STANDARD.encode(bytes) })
}

/// A sheet with one header row and no title row, under each usual spelling of its column
/// names, is read by its columns: the report says which column became which field, the title
/// is the file's name, and the items are stored as the rows say.
async fn header_only_sheets_with_each_variant_of_the_column_names(t: TestDb) {
    let app = admin_app(&t).await;
    let variants: [[&str; 6]; 4] = [
        [
            "序号",
            "项目名称",
            "主要内容",
            "完成时限",
            "牵头单位",
            "配合单位",
        ],
        [
            "编号",
            "实事项目",
            "建设内容",
            "完成时间",
            "责任单位",
            "协办单位",
        ],
        [
            "序号",
            "事项",
            "目标任务",
            "时间节点",
            "牵头部门",
            "配合部门",
        ],
        [
            "序 号",
            "任务",
            "事项内容",
            "完成时限（年内）",
            "责任部门",
            "配合单位",
        ],
    ];
    for header in variants {
        let mut rows: Vec<&[&str]> = vec![&header];
        rows.extend(ROWS.iter().map(|r| r.as_slice()));
        let bytes = workbook(&table(0, &rows));
        let body = send(
            &app,
            json!({ "file": file("2025年示例市民生实事.xlsx", &bytes), "dryRun": true }),
        )
        .await;
        let report = &body["data"]["importList"];
        assert_eq!(report["layout"], "COLUMNS", "{header:?}: {body}");
        assert_eq!(report["title"], "2025年示例市民生实事", "{body}");
        assert_eq!(report["year"], 2025);
        assert_eq!(report["itemCount"], 3, "{body}");
        assert_eq!(report["warnings"], json!([]), "{header:?}: {body}");
        let fields: Vec<&Value> = report["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .map(|c| &c["field"])
            .collect();
        assert_eq!(
            fields,
            [
                "NUMBER",
                "TITLE",
                "CONTENT",
                "DEADLINE",
                "LEAD",
                "COOPERATING"
            ],
            "{header:?}"
        );
        assert_eq!(report["columns"][3]["header"], header[3]);
        assert_eq!(report["columns"][4]["label"], "牵头单位");
        let items = &report["items"];
        assert_eq!(items[0]["title"], "新建城市书房", "{header:?}");
        assert_eq!(items[0]["dueDates"], json!(["2025-10-31"]));
        assert_eq!(items[0]["leadDepartments"], json!(["市文旅局"]));
        assert_eq!(items[0]["cooperatingDepartments"], json!(["市财政局"]));
        assert_eq!(items[1]["cooperatingDepartments"], json!([]));
        assert_eq!(
            items[2]["cooperatingDepartments"],
            json!(["市公安局", "市城管局"])
        );
        // `api import` reads the same file alike.
        let json = import_json(
            &format!("sheet-{:?}", t.backend),
            &bytes,
            "2025年示例市民生实事.xlsx",
            &[],
        );
        assert_eq!(json["layout"], "columns", "{header:?}");
        assert_eq!(json["title"], "2025年示例市民生实事");
        assert_eq!(json["items"].as_array().map(Vec::len), Some(3));
        assert_eq!(json["items"][0]["title"], "新建城市书房");
        assert_eq!(
            json["items"][2]["cooperating_departments"],
            json!(["市公安局", "市城管局"])
        );
        assert_eq!(json["columns"][4]["field"], "lead");
    }

    // Stored by `api import` into this engine's database, as read.
    let dir = scratch(&format!("variants-{:?}", t.backend));
    let rows: Vec<&[&str]> = std::iter::once(variants[1].as_slice())
        .chain(ROWS.iter().map(|r| r.as_slice()))
        .collect();
    let path = dir.join("另一份清单.xlsx");
    std::fs::write(&path, workbook(&table(0, &rows))).expect("write");
    let out = api(&dir, Some(&t.url), &["import", &path.to_string_lossy()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stored = stored_lists(&app).await;
    assert_eq!(
        stored["data"]["lists"][0]["title"], "另一份清单",
        "{stored}"
    );
    assert_eq!(
        stored["data"]["lists"][0]["items"]["edges"][2]["node"],
        json!({ "title": "增设公交线路", "content": "新开通公交线路5条" })
    );

    // Stored as read: the title apart from the content.
    let rows: Vec<&[&str]> = std::iter::once(variants[0].as_slice())
        .chain(ROWS.iter().map(|r| r.as_slice()))
        .collect();
    let body = send(
        &app,
        json!({ "file": file("2025年示例市民生实事.xlsx", &workbook(&table(0, &rows))) }),
    )
    .await;
    assert_eq!(
        body["data"]["importList"]["itemsAdded"],
        json!(["1", "2", "3"]),
        "{body}"
    );
    let stored = stored_lists(&app).await;
    let list = stored["data"]["lists"]
        .as_array()
        .and_then(|l| l.iter().find(|l| l["title"] == "2025年示例市民生实事"))
        .unwrap_or_else(|| panic!("the list: {stored}"));
    assert_eq!(
        list["items"]["edges"][0]["node"],
        json!({ "title": "新建城市书房", "content": "建成城市书房10处，每处不少于50座" })
    );
}

/// An attachment label and a merged title row above the header, a merged category row, a lead
/// unit merged over two items, blank rows, a skipped number, a 备注 and a column nobody reads.
async fn a_sheet_as_offices_lay_it_out(t: TestDb) {
    let app = admin_app(&t).await;
    let mut cells = vec![
        Cell::At(0, 0, "附件2"),
        Cell::Merged(1, 0, 1, 7, "示例市2025年为民办实事项目清单"),
    ];
    cells.extend(table(
        3,
        &[&[
            "序号",
            "项目名称",
            "主要内容",
            "完成时限",
            "牵头单位",
            "配合单位",
            "备注",
            "资金（万元）",
        ]],
    ));
    cells.push(Cell::Merged(4, 0, 4, 7, "一、教育"));
    cells.extend(table(
        5,
        &[
            &[
                "1",
                "新建书房",
                "建设书房10处",
                "2025年6月底",
                "",
                "",
                "",
                "120",
            ],
            &[
                "2",
                "改造操场",
                "改造操场20个",
                "2025年9月底",
                "",
                "市财政局",
            ],
        ],
    ));
    cells.push(Cell::Merged(5, 4, 6, 4, "市教育局"));
    cells.extend(table(
        8,
        &[&[
            "4",
            "建设食堂",
            "建设社区食堂5处",
            "2025年12月底",
            "市民政局",
            "",
            "试点先行",
            "300",
        ]],
    ));
    let body = send(
        &app,
        json!({ "file": file("附件2.xlsx", &workbook(&cells)), "dryRun": true }),
    )
    .await;
    let report = &body["data"]["importList"];
    assert_eq!(report["title"], "示例市2025年为民办实事项目清单", "{body}");
    assert_eq!(report["itemCount"], 3, "{body}");
    let items = &report["items"];
    assert_eq!(items[1]["leadDepartments"], json!(["市教育局"]), "merged");
    assert_eq!(items[0]["category"], "教育");
    assert_eq!(items[1]["category"], "教育");
    assert_eq!(items[2]["numberText"], "4");
    let unused: Vec<&Value> = report["columns"]
        .as_array()
        .expect("columns")
        .iter()
        .filter(|c| c["field"].is_null())
        .map(|c| &c["header"])
        .collect();
    assert_eq!(unused, ["资金（万元）"], "{body}");
    let warnings = report["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["message"]
            .as_str()
            .is_some_and(|m| m.contains("缺少序号 3"))),
        "{warnings:?}"
    );
    assert_eq!(report["unattached"][0]["text"], "附件2", "{body}");
    let json = import_json(
        &format!("sheet-{:?}", t.backend),
        &workbook(&cells),
        "附件2.xlsx",
        &[],
    );
    assert_eq!(json["title"], "示例市2025年为民办实事项目清单");
    assert_eq!(
        json["items"][1]["lead_departments"],
        json!(["市教育局"]),
        "merged"
    );
    assert!(
        json["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|w| w["kind"] == "missing_number")),
        "{json}"
    );

    // The same table copied from Excel and pasted as text: tabs between cells.
    let pasted = "示例市2025年为民办实事项目清单\n\
        序号\t项目名称\t主要内容\t完成时限\t牵头单位\t配合单位\n\
        1\t新建书房\t建设书房10处\t2025年6月底\t市教育局\t\n\
        2\t改造操场\t\"改造操场20个\n含塑胶跑道\"\t2025年9月底\t市教育局\t市财政局\n";
    let body = send(&app, json!({ "text": pasted, "dryRun": true })).await;
    let report = &body["data"]["importList"];
    assert_eq!(report["layout"], "COLUMNS", "{body}");
    assert_eq!(report["itemCount"], 2);
    assert_eq!(report["items"][1]["title"], "改造操场");
    assert_eq!(report["warnings"], json!([]), "{body}");
}

/// Columns under names nobody uses are named by the clerk (`input.columns`), in the graph and
/// on the command line; a name the header lacks is refused on its field, writing nothing.
async fn the_clerk_names_the_columns(t: TestDb) {
    let app = admin_app(&t).await;
    let bytes = workbook(&table(
        0,
        &[
            &["序号", "名称", "做什么", "截止", "单位"],
            &["1", "新建书房", "建设书房10处", "2025年6月底", "市文旅局"],
            &["2", "改造操场", "改造操场20个", "2025年9月底", "市教育局"],
        ],
    ));
    let columns =
        json!({ "title": "名称", "content": "做什么", "deadline": "截止", "lead": "单位" });
    let body = send(
        &app,
        json!({ "file": file("清单.xlsx", &bytes), "columns": columns, "dryRun": true }),
    )
    .await;
    let report = &body["data"]["importList"];
    assert_eq!(report["itemCount"], 2, "{body}");
    assert_eq!(report["items"][1]["title"], "改造操场");
    assert_eq!(report["items"][1]["leadDepartments"], json!(["市教育局"]));
    assert_eq!(report["items"][1]["dueDates"], json!(["2025-09-30"]));
    assert_eq!(report["columns"][4]["field"], "LEAD");

    let body = send(
        &app,
        json!({ "file": file("清单.xlsx", &bytes), "columns": { "title": "项目" } }),
    )
    .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".into(), Some("input.columns.title".into())),
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("「项目」") && message.contains("名称、做什么"),
        "{message}"
    );
    let lists = app
        .graphql_as(Some(ADMIN_TOKEN), "{ lists { id } }", json!({}))
        .await;
    assert_eq!(lists["data"]["lists"], json!([]), "{lists}");

    // The command line, as an office's script runs it.
    let dir = scratch(&format!("columns-{:?}", t.backend));
    let path = dir.join("清单.xlsx");
    std::fs::write(&path, &bytes).expect("write");
    let path = path.to_string_lossy().into_owned();
    let out = api(
        &dir,
        None,
        &[
            "import",
            &path,
            "--dry-run",
            "--format",
            "json",
            "--column",
            "title=名称",
            "--column",
            "content=做什么",
            "--column",
            "deadline=截止",
            "--column",
            "lead=单位",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["layout"], "columns");
    assert_eq!(json["title"], "清单");
    assert_eq!(json["items"][0]["title"], "新建书房");
    assert_eq!(json["items"][0]["lead_departments"], json!(["市文旅局"]));
    assert_eq!(
        json["columns"][2],
        json!({ "header": "做什么", "field": "content" })
    );
    let out = api(
        &dir,
        None,
        &["import", &path, "--dry-run", "--column", "title=项目"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("「项目」"), "{stderr}");
    let out = api(
        &dir,
        None,
        &["import", &path, "--dry-run", "--column", "name=名称"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown column field 'name'"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const LIST: &str = "示例市2025年往返测试清单
一、新建城市书房
事项内容:新建城市书房10处。
完成时限:2025年6月底
牵头部门:市文旅局
二、改造学校操场
事项内容:改造学校操场20个。
完成时限:2025年9月底
牵头部门:市教育局
配合部门:市财政局、市体育局
三、改造供水管网
事项内容:改造供水管网30公里,6月底前开工。
完成时限:2025年6月底前开工,12月底前完工
牵头部门:市住建局
四、常态开展义诊
事项内容:每月开展义诊。
完成时限:长期坚持
牵头部门:市卫健委
";

/// (number, title, deadline as printed, due dates, lead, cooperating) of each previewed item.
fn items_of(report: &Value) -> Vec<Value> {
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            json!([
                i["numberText"],
                i["title"],
                i["deadlineText"],
                i["dueDates"],
                i["leadDepartments"],
                i["cooperatingDepartments"]
            ])
        })
        .collect()
}

/// The list's 台账 as the office downloads it (`xlsx` or `csv`).
async fn ledger(app: &TestApp, list: &Value, format: &str) -> Vec<u8> {
    app.client
        .get(app.url(&format!("/export/ledger.{format}")))
        .query(&[("listId", list.as_str().unwrap_or_default())])
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("export")
        .bytes()
        .await
        .expect("body")
        .to_vec()
}

/// A list's own 台账, exported and imported again as a new list, gives the same items,
/// deadlines and departments, from the .xlsx and from the .csv.
async fn the_ledger_round_trips(t: TestDb) {
    let app = admin_app(&t).await;
    let list = import_text(&app, LIST).await;
    let original = send(&app, json!({ "text": LIST, "dryRun": true })).await;
    let expected = items_of(&original["data"]["importList"]);
    assert_eq!(expected.len(), 4, "{original}");
    for (format, name) in [("xlsx", "台账.xlsx"), ("csv", "台账.csv")] {
        let bytes = ledger(&app, &list, format).await;
        let title = format!("往返副本（{format}）");
        let body = send(&app, json!({ "file": file(name, &bytes), "title": title })).await;
        let report = &body["data"]["importList"];
        assert_eq!(report["outcome"], "CREATED", "{format}: {body}");
        assert_eq!(report["layout"], "COLUMNS");
        assert_eq!(report["title"], title.as_str());
        assert_eq!(items_of(report), expected, "{format}: {body}");
        // The workbook's second sheet (考评) is no part of the list: shown as text outside it.
        let outside: Vec<&str> = report["unattached"]
            .as_array()
            .expect("unattached")
            .iter()
            .filter_map(|u| u["text"].as_str())
            .collect();
        if format == "xlsx" {
            assert!(
                outside.len() == 1 && outside[0].starts_with("【工作表：考评】"),
                "{outside:?}"
            );
        } else {
            assert!(outside.is_empty(), "{outside:?}");
        }
        assert!(
            report["warnings"]
                .as_array()
                .is_some_and(|w| w.iter().all(|w| w["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("不属于任何事项")))),
            "{format}: {body}"
        );
    }
    // `api import` reads the downloaded 台账 to the same items.
    let json = import_json(
        &format!("sheet-{:?}", t.backend),
        &ledger(&app, &list, "xlsx").await,
        "台账.xlsx",
        &[],
    );
    let from_cli: Vec<Value> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            json!([
                i["number_text"],
                i["title"],
                i["deadline_text"],
                i["due_dates"],
                i["lead_departments"],
                i["cooperating_departments"]
            ])
        })
        .collect();
    assert_eq!(from_cli, expected, "{json}");

    // Without a title given, the ledger's own (less its date) names the list: the same list.
    let bytes = ledger(&app, &list, "xlsx").await;
    let body = send(
        &app,
        json!({ "file": file("台账.xlsx", &bytes), "dryRun": true }),
    )
    .await;
    assert_eq!(
        body["data"]["importList"]["title"], "示例市2025年往返测试清单",
        "{body}"
    );
}

/// A refusal names what the clerk used: the file (by its name) when a file was chosen, the
/// text box when text was pasted; nothing is written.
async fn a_refusal_names_what_the_clerk_used(t: TestDb) {
    let app = admin_app(&t).await;
    let empty = workbook(&table(
        0,
        &[&["序号", "项目名称", "主要内容", "完成时限", "牵头单位"]],
    ));
    let body = send(&app, json!({ "file": file("D:\\材料\\空表.xlsx", &empty) })).await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".into(), Some("input.file".into())),
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("「空表.xlsx」"), "{message}");
    let body = send(&app, json!({ "text": "示例清单\n没有编号的一段话。" })).await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".into(), Some("input.text".into())),
        "{body}"
    );
    let lists = app
        .graphql_as(Some(ADMIN_TOKEN), "{ lists { id } }", json!({}))
        .await;
    assert_eq!(lists["data"]["lists"], json!([]), "{lists}");
}

backend_tests!(
    a_refusal_names_what_the_clerk_used,
    header_only_sheets_with_each_variant_of_the_column_names,
    a_sheet_as_offices_lay_it_out,
    the_clerk_names_the_columns,
    the_ledger_round_trips
);
