//! Lists as files (`.xlsx`, `.xls`, `.docx`, `.html`, `.csv`), made up for this project by
//! `tests/fixtures/files/make.py` or written by hand: each read into the text the layouts
//! read, then parsed like a pasted list.

use domain::{
    deadline::DueKind,
    listdoc::{
        Layout, ParseOptions, ParsedList,
        file::{Deadline, FileError, FileKind, read},
        parse,
    },
};

fn load(name: &str) -> (FileKind, String, ParsedList) {
    let path = format!("{}/tests/fixtures/files/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (kind, text) =
        read(name, &bytes, Deadline::none()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let list = parse(&text, &ParseOptions::default());
    (kind, text, list)
}

/// (number, content, lead, cooperating, [(due, kind)]) per item.
type Row = (
    String,
    String,
    Vec<String>,
    Vec<String>,
    Vec<(String, DueKind)>,
);

fn rows(list: &ParsedList) -> Vec<Row> {
    list.items
        .iter()
        .map(|i| {
            (
                i.number_text.clone().unwrap_or_default(),
                i.content.clone(),
                i.lead_departments.iter().map(|d| d.to_string()).collect(),
                i.cooperating_departments
                    .iter()
                    .map(|d| d.to_string())
                    .collect(),
                i.deadline
                    .milestones
                    .iter()
                    .map(|m| (m.due_on.to_string(), m.kind))
                    .collect(),
            )
        })
        .collect()
}

fn row(
    n: &str,
    content: &str,
    lead: &[&str],
    cooperating: &[&str],
    dues: &[(&str, DueKind)],
) -> Row {
    (
        n.into(),
        content.into(),
        lead.iter().map(|s| (*s).to_owned()).collect(),
        cooperating.iter().map(|s| (*s).to_owned()).collect(),
        dues.iter().map(|(d, k)| ((*d).to_owned(), *k)).collect(),
    )
}

#[test]
fn a_workbook_with_a_merged_title_a_date_cell_and_a_gap() {
    let (kind, text, list) = load("table.xlsx");
    assert_eq!(kind, FileKind::Xlsx);
    assert_eq!(list.layout, Layout::Columns, "{text}");
    assert_eq!(list.title.as_deref(), Some("2025年青禾市民生实事项目表"));
    assert_eq!(
        rows(&list),
        [
            row(
                "1",
                "新建城市书房10处",
                &["市文化和旅游局"],
                &[],
                &[("2025-11-30", DueKind::Final)]
            ),
            row(
                "2",
                "改造老旧小区供水管网30公里",
                &["市住建局", "市水务局"],
                &[],
                &[("2025-10-31", DueKind::Stage)]
            ),
            row(
                "3",
                "新增普惠托育托位1000个",
                &["市卫健委"],
                &[],
                &[("2025-12-31", DueKind::Final)]
            ),
            row(
                "5",
                "改造提升农村饮水工程15处",
                &["市发展改革委"],
                &[],
                &[("2025-09-30", DueKind::Final)]
            ),
            row(
                "6",
                "新增城市停车泊位800个",
                &["市发改委"],
                &[],
                &[("2025-12-31", DueKind::Final)]
            ),
        ],
        "{text}"
    );
    assert_eq!(
        list.items[2].deadline_text, "2025年12月31日",
        "a date cell reads as a date"
    );
    let kinds: Vec<_> = list.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        [domain::listdoc::WarningKind::MissingNumber],
        "{:#?}",
        list.warnings
    );
}

#[test]
fn an_old_workbook() {
    let (kind, text, list) = load("table.xls");
    assert_eq!(kind, FileKind::Xls);
    assert_eq!(list.layout, Layout::Columns, "{text}");
    assert_eq!(list.year, Some(2024));
    assert_eq!(
        rows(&list),
        [
            row(
                "1",
                "实施农村公路提质改造120公里",
                &["县交通运输局"],
                &[],
                &[("2024-08-31", DueKind::Final)]
            ),
            row("2", "建设社区养老服务中心4处", &["县民政局"], &[], &[]),
        ]
    );
    assert!(list.items[1].deadline.ongoing);
}

#[test]
fn a_word_notice_with_its_table_and_preamble() {
    let (kind, text, list) = load("notice.docx");
    assert_eq!(kind, FileKind::Docx);
    assert_eq!(list.layout, Layout::Columns, "{text}");
    assert_eq!(
        list.title.as_deref(),
        Some("关于印发2026年白石市民生实事项目的通知")
    );
    assert_eq!(
        rows(&list),
        [
            row(
                "1",
                "建设城市书房20处",
                &["市文化和旅游局"],
                &[],
                &[("2026-10-31", DueKind::Final)]
            ),
            row(
                "2",
                "新建公办幼儿园5所",
                &["市教育局"],
                &["市财政局"],
                &[("2026-06-30", DueKind::Stage)]
            ),
        ],
        "{text}"
    );
    // The preamble and the signature are text outside every item, never a deadline.
    assert_eq!(list.unattached.len(), 2, "{:#?}", list.unattached);
    assert!(list.unattached[0].text.contains("每月25日前报送"));
    assert!(list.unattached[1].text.contains("2026年1月20日"));
}

#[test]
fn a_categorized_list_in_word_paragraphs() {
    let (_, text, list) = load("categorized.docx");
    assert_eq!(list.layout, Layout::Categorized, "{text}");
    assert_eq!(
        rows(&list),
        [
            row("1", "新建城市书房20处", &["区文旅局"], &[], &[]),
            row(
                "2",
                "改造提升社区卫生服务站30个",
                &["区卫健局"],
                &[],
                &[("2024-11-30", DueKind::Final)]
            ),
        ]
    );
    assert_eq!(list.items[1].category.as_deref(), Some("医疗卫生"));
}

#[test]
fn a_saved_page_without_its_menu_scripts_and_footer() {
    let (kind, text, list) = load("page.html");
    assert_eq!(kind, FileKind::Html);
    assert_eq!(list.layout, Layout::Columns, "{text}");
    assert_eq!(list.title.as_deref(), Some("2025年青禾市民生实事项目"));
    assert!(
        !text.contains("visits") && !text.contains("首页") && !text.contains("备案号"),
        "{text}"
    );
    assert_eq!(
        rows(&list),
        [
            row(
                "1",
                "新建城市书房10处",
                &["市文化和旅游局"],
                &[],
                &[("2025-11-30", DueKind::Final)]
            ),
            row(
                "2",
                "改造老旧小区供水管网30公里",
                &["市住建局", "市水务局"],
                &[],
                &[("2025-10-31", DueKind::Stage)]
            ),
            row(
                "3",
                "新增普惠托育托位1000个",
                &["市卫健委"],
                &["市财政局"],
                &[("2025-12-31", DueKind::Final)]
            ),
        ],
        "{text}"
    );
}

#[test]
fn a_gb18030_csv() {
    let (kind, text, list) = load("table.csv");
    assert_eq!(kind, FileKind::Csv);
    assert_eq!(list.layout, Layout::Columns, "{text}");
    assert_eq!(list.items.len(), 2, "{text}");
    assert_eq!(
        list.items[1]
            .lead_departments
            .iter()
            .map(|d| d.as_str())
            .collect::<Vec<_>>(),
        ["市住建局", "市水务局"]
    );
}

#[test]
fn damaged_and_unknown_files_are_refused_by_name() {
    let xlsx = read(
        "list.xlsx",
        b"PK\x03\x04 not really a zip",
        Deadline::none(),
    )
    .expect_err("damaged");
    assert!(
        matches!(
            xlsx,
            FileError::Unreadable {
                kind: FileKind::Xlsx,
                ..
            }
        ),
        "{xlsx}"
    );
    assert!(xlsx.to_string().contains("无法读取这个 xlsx 文件"));
    let docx = read("list.docx", b"", Deadline::none()).expect_err("empty");
    assert!(matches!(
        docx,
        FileError::Unreadable {
            kind: FileKind::Docx,
            ..
        }
    ));
    let pdf = read("list.pdf", b"%PDF-1.7", Deadline::none()).expect_err("pdf");
    assert!(
        pdf.to_string().contains(".xlsx、.xls、.docx 或 .html"),
        "{pdf}"
    );
    // A workbook named as a Word document is refused, not misread.
    let path = format!(
        "{}/tests/fixtures/files/table.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(path).expect("fixture");
    assert!(matches!(
        read("list.docx", &bytes, Deadline::none()),
        Err(FileError::Unreadable {
            kind: FileKind::Docx,
            ..
        })
    ));
}

/// The crafted files of the second outside probe (`tests/fixtures/crafted/make.py`): each is
/// refused as too large, in words that say which bound, instead of exhausting the process.
#[test]
fn crafted_files_are_refused_by_their_bound() {
    for (name, says) in [
        ("far-cells.xlsx", "第 16384 列有内容"),
        ("huge-string.xlsx", "解压后超过 64 MB"),
        ("many-rows.xlsx", "有内容的单元格超过"),
        ("nested-spans.html", "嵌套超过 256 层"),
        ("nested-divs.html", "嵌套超过 256 层"),
    ] {
        let path = format!(
            "{}/tests/fixtures/crafted/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let e = read(name, &bytes, Deadline::none()).expect_err(name);
        assert!(matches!(e, FileError::TooLarge { .. }), "{name}: {e}");
        assert!(e.to_string().contains(says), "{name}: {e}");
    }
}

/// A file that takes longer than its deadline stops where it is, with the seconds allowed.
#[test]
fn reading_stops_at_the_deadline() {
    let path = format!(
        "{}/tests/fixtures/crafted/many-rows.xlsx",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).expect("fixture");
    let started = std::time::Instant::now();
    let e = read(
        "many-rows.xlsx",
        &bytes,
        Deadline::after(std::time::Duration::from_millis(50)),
    )
    .expect_err("stopped");
    assert!(matches!(e, FileError::TooSlow { .. }), "{e}");
    assert!(e.to_string().contains("超过 1 秒"), "{e}");
    // It stopped soon after the deadline, not after the whole file.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
