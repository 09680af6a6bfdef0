//! The parser on fixtures written for this project (the repo's sample list and small shapes).

use domain::{
    deadline::DueKind,
    listdoc::{ParseOptions, ParsedList, parse},
};

const SAMPLE: &str = include_str!("../../../examples/sample-list.txt");

fn parse_default(text: &str) -> ParsedList {
    parse(text, &ParseOptions::default())
}

use test_support::date;

#[test]
fn sample_list_warns_only_about_its_orphan_and_its_stray_article() {
    let list = parse_default(SAMPLE);
    let messages: Vec<(usize, &str)> = list
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(list.warnings.len(), 2, "{messages:#?}");
    assert!(messages[0].1.contains("无主片段"), "{messages:?}");
    assert!(messages[1].1.contains("不属于任何事项"), "{messages:?}");
    assert_eq!(list.items.len(), 7);
    assert_eq!(list.orphans.len(), 1);
    assert_eq!(list.unattached.len(), 1);
    assert!(list.unattached[0].text.starts_with("示例日报讯"));
    assert_eq!(list.year, Some(2023), "the year comes from the title");
}

#[test]
fn sample_list_interleaved_paragraph_and_broken_words() {
    let list = parse_default(SAMPLE);
    let three = &list.items[2];
    assert!(
        three
            .content
            .ends_with("全覆盖。推进城乡公交一体化,行政村通公交率保持100%。"),
        "{}",
        three.content
    );
    let seven = &list.items[6];
    assert!(
        seven.content.contains("减少群众跑腿垫资"),
        "{}",
        seven.content
    );
    let one = &list.items[0];
    let got: Vec<_> = one
        .deadline
        .milestones
        .iter()
        .map(|m| (m.due_on, m.kind))
        .collect();
    assert_eq!(
        got,
        [
            (date(2023, 8, 31), DueKind::Stage),
            (date(2023, 12, 31), DueKind::Final)
        ]
    );
}

#[test]
fn arabic_and_bracketed_headings_with_synonym_fields() {
    let text = "\
某区2022年民生实事清单

1、建设口袋公园
主要内容：新建口袋公园5处。
完成时间：2022年6月30日
牵头单位：区城管局
协办单位：区财政局，区自然资源局

2. 改造老旧小区
项目内容:改造小区12个。
时间节点:三季度
责任单位:区住建局;区城管局

（三）完善养老服务
工作内容：建设助餐点10处。
完成时限：年底前
牵头部门：区民政局
配合单位：各街道办事处
";
    let list = parse_default(text);
    assert_eq!(list.warnings, [], "clean input, no warnings");
    let numbers: Vec<_> = list
        .items
        .iter()
        .map(|i| (i.number, i.number_text.as_deref()))
        .collect();
    assert_eq!(
        numbers,
        [
            (Some(1), Some("1")),
            (Some(2), Some("2")),
            (Some(3), Some("三"))
        ]
    );
    assert_eq!(
        list.items[0].deadline.milestones[0].due_on,
        date(2022, 6, 30)
    );
    assert_eq!(
        list.items[1].deadline.milestones[0].due_on,
        date(2022, 9, 30)
    );
    assert_eq!(
        list.items[2].deadline.milestones[0].due_on,
        date(2022, 12, 31)
    );
    let coop: Vec<_> = list.items[0]
        .cooperating_departments
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(coop, ["区财政局", "区自然资源局"]);
    let lead: Vec<_> = list.items[1]
        .lead_departments
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(lead, ["区住建局", "区城管局"]);
    assert!(list.items[2].cooperating_departments.is_empty());
    assert_eq!(list.items[2].generic_phrases, ["各街道办事处"]);
}

#[test]
fn a_list_without_cooperating_fields_closes_items_at_the_lead_line() {
    let text = "\
清单
一、修路
事项内容:修路3公里。
完成时限:2022年底
牵头部门:县交通局
本报讯 一则无关的新闻。
";
    let list = parse_default(text);
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].content, "修路3公里。");
    assert_eq!(
        list.unattached.len(),
        1,
        "text after the closing field is not content"
    );
    assert_eq!(list.unattached[0].first_line, 6);
}

#[test]
fn a_department_list_broken_after_a_separator_continues() {
    let text = "\
清单
一、修路
事项内容:修路。
完成时限:2022年底
牵头部门:县交通局、
县财政局
配合部门:县公安局
";
    let list = parse_default(text);
    let lead: Vec<_> = list.items[0]
        .lead_departments
        .iter()
        .map(|d| d.as_str())
        .collect();
    assert_eq!(lead, ["县交通局", "县财政局"]);
    assert_eq!(list.items[0].content, "修路。");
}

#[test]
fn an_item_missing_its_closing_field_warns_about_text_it_absorbed() {
    let text = "\
清单
一、修路
事项内容:修路。
完成时限:2022年底
牵头部门:县交通局
配合部门:县公安局
二、修桥
事项内容:修桥。
完成时限:2022年底
牵头部门:县交通局
这一段可能是别的栏目。
";
    let list = parse_default(text);
    assert_eq!(list.items[1].content, "修桥。\n这一段可能是别的栏目。");
    assert!(
        list.warnings
            .iter()
            .any(|w| w.line == 11 && w.message.contains("配合部门")),
        "{:#?}",
        list.warnings
    );
}

#[test]
fn duplicate_numbers_and_unknown_deadlines_are_reported_with_lines() {
    let text = "\
清单
一、甲
事项内容:甲。
完成时限:视情况而定
牵头部门:市甲局
配合部门:市乙局
一、乙
事项内容:乙。
完成时限:2022年底
牵头部门:市甲局
配合部门:市乙局
";
    let list = parse_default(text);
    assert!(
        list.warnings
            .iter()
            .any(|w| w.line == 4 && w.message.contains("视情况而定")),
        "{:#?}",
        list.warnings
    );
    assert!(
        list.warnings
            .iter()
            .any(|w| w.line == 7 && w.message.contains("出现两次")),
        "{:#?}",
        list.warnings
    );
    assert_eq!(
        list.items[0].deadline_text, "视情况而定",
        "the text is kept"
    );
}

#[test]
fn a_second_field_of_the_same_kind_starts_a_fragment() {
    let text = "\
清单
一、甲
事项内容:甲。
完成时限:2022年底
完成时限:2023年底
牵头部门:市乙局
配合部门:市丙局
";
    let list = parse_default(text);
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.orphans.len(), 1);
    assert_eq!(list.orphans[0].deadline_text, "2023年底");
    assert!(
        list.items[0].lead_departments.is_empty(),
        "the fragment's departments stay with it"
    );
}

#[test]
fn year_option_dates_forms_without_a_year() {
    let text = "清单\n一、甲\n事项内容:甲。\n完成时限:12月底前\n牵头部门:市甲局\n配合部门:市乙局\n";
    let without = parse_default(text);
    assert!(without.items[0].deadline.milestones.is_empty());
    assert!(
        without
            .warnings
            .iter()
            .any(|w| w.message.contains("请填写清单年份"))
    );
    let with = parse(
        text,
        &ParseOptions {
            year: Some(2024),
            ..Default::default()
        },
    );
    assert_eq!(
        with.items[0].deadline.milestones[0].due_on,
        date(2024, 12, 31)
    );
    assert!(with.warnings.is_empty(), "{:#?}", with.warnings);
}
