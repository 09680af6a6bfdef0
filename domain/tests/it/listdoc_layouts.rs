//! The table, categorized and run-on layouts on lists written for this project (three per
//! layout, each with a title, a preamble or a page break, a missing number or a department
//! spelt two ways): items, departments, deadlines, categories, people and warnings pinned.

use domain::{
    deadline::DueKind,
    listdoc::{Layout, ParseOptions, ParsedItem, ParsedList, WarningKind, parse},
};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/layouts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read(name: &str) -> ParsedList {
    parse(&fixture(name), &ParseOptions::default())
}

fn numbers(list: &ParsedList) -> Vec<&str> {
    list.items
        .iter()
        .map(|i| i.number_text.as_deref().unwrap_or("?"))
        .collect()
}

fn names(departments: &[domain::department::DepartmentName]) -> Vec<&str> {
    departments.iter().map(|d| d.as_str()).collect()
}

/// (date, kind, label) of each milestone.
fn dues(item: &ParsedItem) -> Vec<(String, DueKind, Option<&str>)> {
    item.deadline
        .milestones
        .iter()
        .map(|m| (m.due_on.to_string(), m.kind, m.label.as_deref()))
        .collect()
}

fn kinds(list: &ParsedList) -> Vec<(usize, WarningKind)> {
    list.warnings.iter().map(|w| (w.line, w.kind)).collect()
}

/// Every item's lines lie inside the text, and no item is invented: each item's title is
/// printed in the text.
fn sound(list: &ParsedList, text: &str) {
    let lines = text.lines().count();
    for item in &list.items {
        assert!(
            1 <= item.first_line && item.first_line <= item.last_line && item.last_line <= lines,
            "{item:?}"
        );
        let printed: String = text.lines().map(str::trim).collect();
        assert!(
            printed.contains(&item.title),
            "invented title {:?}",
            item.title
        );
    }
}

#[test]
fn table_notice_leaves_its_preamble_out_and_reads_rows_stages_and_merged_cells() {
    let text = fixture("table-notice.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Table);
    assert_eq!(
        list.title.as_deref(),
        Some("关于印发2025年青禾市民生实事项目的通知")
    );
    assert_eq!(list.year, Some(2025));
    assert_eq!(numbers(&list), ["1", "2", "3", "4", "6"]);

    // The preamble (document number, reporting rule, signature date) is no item and no date.
    assert_eq!(list.unattached.len(), 2, "{:#?}", list.unattached);
    assert!(list.unattached[0].text.contains("青政办发〔2025〕4号"));
    assert!(list.unattached[0].text.contains("每月25日前报送"));
    assert_eq!(
        list.unattached[1].text,
        "青禾市人民政府办公室 2025年2月18日印发"
    );

    let [one, two, three, four, six] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.content, "新建城市书房10处");
    assert_eq!(names(&one.lead_departments), ["市文化和旅游局"]);
    assert_eq!(one.deadline_text, "11月底前");
    assert_eq!(dues(one), [("2025-11-30".into(), DueKind::Final, None)]);

    assert_eq!(names(&two.lead_departments), ["市住建局", "市水务局"]);
    assert_eq!(
        dues(two),
        [("2025-10-31".into(), DueKind::Stage, Some("10月建成投用"))],
        "投用 marks a stage"
    );

    assert_eq!(three.deadline_text, "6月底前开工；12月底前完工");
    assert_eq!(
        dues(three),
        [
            ("2025-06-30".into(), DueKind::Stage, Some("6月底前开工")),
            ("2025-12-31".into(), DueKind::Final, Some("12月底前完工")),
        ]
    );

    // A merged cell: a second task with its own deadline and no unit of its own.
    assert_eq!(four.content, "建设农贸市场3处\n改造提升社区菜市场5处");
    assert_eq!(names(&four.lead_departments), ["市商务局"]);
    assert_eq!(
        dues(four),
        [
            ("2025-09-30".into(), DueKind::Final, Some("建设农贸市场3处")),
            (
                "2025-12-31".into(),
                DueKind::Final,
                Some("改造提升社区菜市场5处")
            ),
        ]
    );

    // After the page break and the repeated header; one unit column, 配合 marks cooperation.
    assert_eq!(names(&six.lead_departments), ["市卫健委"]);
    assert_eq!(names(&six.cooperating_departments), ["市财政局"]);
    assert_eq!(dues(six), [("2025-12-31".into(), DueKind::Final, None)]);

    let missing: Vec<_> = list
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::MissingNumber)
        .collect();
    assert_eq!(missing.len(), 1, "{:#?}", list.warnings);
    assert!(missing[0].message.contains("缺少第 5 行"));
    assert_eq!(
        kinds(&list)
            .iter()
            .filter(|(_, k)| *k == WarningKind::Unattached)
            .count(),
        2
    );
    assert!(
        list.warnings
            .iter()
            .all(|w| matches!(w.kind, WarningKind::MissingNumber | WarningKind::Unattached)),
        "{:#?}",
        list.warnings
    );
}

#[test]
fn table_without_blank_lines_reads_years_ongoing_terms_and_both_spellings() {
    let text = fixture("table-plain.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Table);
    assert_eq!(numbers(&list), ["1", "2", "3", "4"]);
    assert!(list.warnings.is_empty(), "{:#?}", list.warnings);
    assert!(list.unattached.is_empty());
    let items = &list.items;
    assert_eq!(
        dues(&items[0]),
        [("2024-08-31".into(), DueKind::Final, None)]
    );
    assert_eq!(names(&items[1].lead_departments), ["县发改委", "县住建局"]);
    assert!(items[2].deadline.ongoing);
    assert!(items[2].deadline.milestones.is_empty());
    assert_eq!(
        names(&items[3].lead_departments),
        ["县发展改革委", "县水利局"]
    );
}

#[test]
fn table_with_a_cooperating_column_and_content_that_reads_like_a_unit() {
    let text = fixture("table-columns.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Table);
    assert_eq!(list.year, Some(2026));
    let [one, two, three] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.content, "建设市民健身中心", "the first cell is content");
    assert_eq!(names(&one.lead_departments), ["市体育局"]);
    assert_eq!(
        names(&one.cooperating_departments),
        ["市财政局", "市自然资源局"]
    );
    assert_eq!(dues(one), [("2026-09-30".into(), DueKind::Final, None)]);
    assert_eq!(names(&two.lead_departments), ["市民政局"]);
    assert_eq!(two.generic_phrases, ["各区县政府"]);
    assert_eq!(dues(two), [("2026-06-30".into(), DueKind::Final, None)]);
    assert_eq!(names(&three.lead_departments), ["市卫健委"]);
    assert!(list.warnings.is_empty(), "{:#?}", list.warnings);
}

#[test]
fn categorized_annual_goals_keep_categories_and_get_year_ends_only_when_asked() {
    let text = fixture("categorized-annual.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Categorized);
    assert_eq!(list.title.as_deref(), Some("2024年白石市十大民生实事项目"));
    assert_eq!(numbers(&list), ["1", "2", "3", "4", "5"]);
    let categories: Vec<_> = list.items.iter().map(|i| i.category.as_deref()).collect();
    assert_eq!(
        categories,
        [
            Some("教育文化"),
            Some("教育文化"),
            Some("医疗卫生"),
            Some("医疗卫生"),
            Some("医疗卫生")
        ]
    );
    let one = &list.items[0];
    assert_eq!(one.content, "新建改扩建中小学校舍8所，新增学位6000个。");
    assert_eq!(one.title, "新建改扩建中小学校舍8所，新增学位6000个");
    assert_eq!(names(&one.lead_departments), ["市教育局"]);
    assert_eq!(
        names(&one.cooperating_departments),
        ["市发展改革委", "市财政局"]
    );
    assert_eq!(names(&list.items[1].lead_departments), ["市文化和旅游局"]);
    assert_eq!(
        list.items[2].content,
        "推进县域医共体建设，覆盖全部乡镇卫生院。"
    );
    assert_eq!(names(&list.items[2].lead_departments), ["市卫生健康委"]);
    assert_eq!(names(&list.items[3].lead_departments), ["市卫健委"]);
    assert_eq!(names(&list.items[3].cooperating_departments), ["市财政局"]);
    assert_eq!(
        names(&list.items[4].lead_departments),
        ["市卫健委", "市医保局"],
        "a parenthesis of units without a label"
    );
    assert_eq!(list.items[4].content, "改造提升社区卫生服务站30个");

    // As printed: no deadline, no due date, one warning saying how to infer them.
    assert!(list.items.iter().all(|i| i.deadline_text.is_empty()
        && i.deadline.milestones.is_empty()
        && !i.due_inferred));
    assert_eq!(kinds(&list), [(5, WarningKind::Deadline)]);
    assert!(list.warnings[0].message.contains("按年底推定到期日"));

    let inferred = parse(
        &text,
        &ParseOptions {
            year_end_default: true,
            ..Default::default()
        },
    );
    assert_eq!(inferred.inferred_due_dates(), 5);
    for item in &inferred.items {
        assert!(item.due_inferred);
        assert_eq!(
            dues(item),
            [("2024-12-31".into(), DueKind::Final, Some("按年度目标推定"))]
        );
        assert_eq!(
            item.deadline.milestones[0].precision,
            domain::deadline::DuePrecision::Year
        );
    }
}

#[test]
fn categorized_items_with_deadlines_a_preamble_a_page_break_and_a_missing_number() {
    let text = fixture("categorized-deadlines.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Categorized);
    assert_eq!(numbers(&list), ["1", "2", "4"]);
    assert_eq!(list.unattached.len(), 1);
    assert!(list.unattached[0].text.starts_with("为持续增进民生福祉"));
    assert_eq!(
        kinds(&list),
        [
            (2, WarningKind::Unattached),
            (8, WarningKind::MissingNumber)
        ]
    );
    let [one, two, four] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.category.as_deref(), Some("住房保障"));
    assert_eq!(one.content, "改造城镇老旧小区45个");
    assert_eq!(one.deadline_text, "2025年10月底");
    assert_eq!(dues(one), [("2025-10-31".into(), DueKind::Final, None)]);
    assert_eq!(names(&two.lead_departments), ["市住房城乡建设局"]);
    assert_eq!(dues(two), [("2025-12-31".into(), DueKind::Final, None)]);
    assert_eq!(four.category.as_deref(), Some("交通出行"));
    assert_eq!(
        dues(four),
        [
            ("2025-06-30".into(), DueKind::Stage, Some("6月底前开通3条")),
            (
                "2025-12-31".into(),
                DueKind::Final,
                Some("12月底前全部开通")
            ),
        ]
    );
}

#[test]
fn categorized_without_categories_over_several_lines() {
    let text = fixture("categorized-plain.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Categorized);
    assert_eq!(list.year, Some(2023));
    assert_eq!(numbers(&list), ["1", "2", "3"]);
    assert!(list.items.iter().all(|i| i.category.is_none()));
    assert_eq!(
        list.items[1].content,
        "实施“明厨亮灶”工程，覆盖学校食堂300家"
    );
    assert_eq!((list.items[1].first_line, list.items[1].last_line), (3, 4));
    assert_eq!(
        names(&list.items[1].lead_departments),
        ["区市场监管局", "区教体局"]
    );
    assert_eq!(list.items[2].content, "开展免费职业技能培训1.2万人次");
    assert_eq!(kinds(&list), [(2, WarningKind::Deadline)]);
}

#[test]
fn runon_bulletin_keeps_people_and_progress_apart_from_departments_and_dates() {
    let text = fixture("runon-bulletin.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Runon);
    assert_eq!(
        list.title.as_deref(),
        Some("2024年青禾市民生实事项目进展情况通报（截至9月30日）")
    );
    assert_eq!(
        numbers(&list),
        ["1", "2", "3"],
        "the embedded 1、 2、 stay in the text"
    );
    let [one, two, three] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.content, "新建社区食堂10处。");
    assert_eq!(one.responsible_people, ["张某某", "李某"]);
    assert_eq!(names(&one.lead_departments), ["市民政局"]);
    assert_eq!(
        names(&one.cooperating_departments),
        ["市财政局", "市商务局", "市市场监管局"]
    );
    assert_eq!(
        one.progress.as_deref(),
        Some("已建成8处，2024年8月15日开放运营")
    );
    assert!(
        one.deadline.milestones.is_empty(),
        "a date in the progress is no due date"
    );
    assert_eq!(
        two.progress.as_deref(),
        Some("完成150座，其中:1、一季度50座2、二季度100座")
    );
    assert_eq!(two.responsible_people, ["王某某", "赵某"]);
    assert_eq!(
        names(&three.cooperating_departments),
        ["市公安局", "市住建局"]
    );
    assert_eq!((three.first_line, three.last_line), (2, 2));
    assert_eq!(kinds(&list), [(2, WarningKind::Deadline)]);
}

#[test]
fn runon_web_text_over_lines_with_a_page_break_and_a_missing_number() {
    let text = fixture("runon-web.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Runon);
    assert_eq!(numbers(&list), ["1", "2", "4"]);
    assert_eq!(list.unattached.len(), 1);
    assert_eq!(list.unattached[0].text, "各项目责任单位要按月报送进展。");
    let [one, two, four] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.content, "实施城区雨污分流改造20公里");
    assert_eq!(names(&one.cooperating_departments), ["市水务局"]);
    assert_eq!(dues(one), [("2025-11-30".into(), DueKind::Final, None)]);
    assert_eq!(two.content, "新建5G基站1000个");
    assert_eq!(two.deadline_text, "9月底前", "the page marker is not text");
    assert_eq!(dues(four), [("2025-12-31".into(), DueKind::Final, None)]);
    assert_eq!((four.first_line, four.last_line), (5, 5));
    assert_eq!(
        kinds(&list),
        [
            (2, WarningKind::Unattached),
            (5, WarningKind::MissingNumber)
        ]
    );
}

#[test]
fn runon_on_one_line_with_its_title() {
    let text = fixture("runon-oneline.txt");
    let list = parse(&text, &ParseOptions::default());
    sound(&list, &text);
    assert_eq!(list.layout, Layout::Runon);
    assert_eq!(list.title.as_deref(), Some("2023年松林区惠民实事完成情况"));
    let [one, two] = &list.items[..] else {
        panic!("{:#?}", list.items)
    };
    assert_eq!(one.responsible_people, ["张某", "李某"]);
    assert_eq!(names(&one.lead_departments), ["区城管局"]);
    assert_eq!(two.content, "开展免费职业技能培训1.2万人次");
    assert_eq!(two.responsible_people, ["周某"]);
    assert!(two.lead_departments.is_empty());
    assert_eq!(
        list.warnings.iter().map(|w| w.kind).collect::<Vec<_>>(),
        [WarningKind::Field, WarningKind::Deadline],
        "{:#?}",
        list.warnings
    );
    assert!(list.warnings[0].message.contains("事项 2没有写责任单位"));
}

#[test]
fn a_layout_named_by_the_caller_overrides_the_guess() {
    let text = fixture("categorized-plain.txt");
    let as_newspaper = parse(
        &text,
        &ParseOptions {
            layout: Some(Layout::Newspaper),
            ..Default::default()
        },
    );
    assert_eq!(as_newspaper.layout, Layout::Newspaper);
    let guessed = parse(&text, &ParseOptions::default());
    assert_ne!(as_newspaper, guessed);
    for name in [
        "table-notice.txt",
        "table-plain.txt",
        "table-columns.txt",
        "categorized-annual.txt",
        "categorized-deadlines.txt",
        "runon-bulletin.txt",
        "runon-web.txt",
        "runon-oneline.txt",
    ] {
        let list = read(name);
        assert!(!list.items.is_empty(), "{name}");
        // The same text read in each layout never panics and keeps its lines in range.
        for layout in Layout::ALL {
            let forced = parse(
                &fixture(name),
                &ParseOptions {
                    layout: Some(layout),
                    ..Default::default()
                },
            );
            assert_eq!(forced.layout, layout);
            sound(&forced, &fixture(name));
        }
    }
}

/// A newspaper list printed out of order with numbers missing: each gap is named once, in the
/// list's own numerals, at the item after it; numbers printed out of order are no gap.
#[test]
fn skipped_numbers_are_named_in_the_lists_numerals() {
    let item = |n: &str| {
        format!("{n}、事项{n}\n事项内容:做{n}。\n完成时限:2025年6月底\n牵头部门:市甲局\n")
    };
    let text = format!(
        "示例清单\n{}{}{}{}",
        item("二"),
        item("五"),
        item("四"),
        item("九")
    );
    let list = parse(&text, &ParseOptions::default());
    assert_eq!(list.items.len(), 4);
    let gaps: Vec<(usize, &str)> = list
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::MissingNumber)
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(
        gaps,
        [
            (2, "编号从 二 开始：缺少 一，请核对原文是否漏了"),
            (10, "编号 二 之后是 四：缺少 三，请核对原文是否漏了"),
            (14, "编号 五 之后是 九：缺少 六–八，请核对原文是否漏了"),
        ]
    );
}
