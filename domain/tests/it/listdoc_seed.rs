//! The real published list (`../shared/data/`, outside the repo). Where it is absent the tests
//! say they skipped.

use std::path::PathBuf;

use chrono::NaiveDate;
use domain::{
    deadline::DueKind,
    listdoc::{ParseOptions, ParsedList, parse},
};

const SEED: &str = "heze-2021-livelihood-list-batch1.txt";

fn seed() -> Option<ParsedList> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(SEED);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(parse(&text, &ParseOptions::default())),
        Err(e) => {
            eprintln!(
                "skipped: the seed list {} is not readable here ({e})",
                path.display()
            );
            None
        }
    }
}

fn item(list: &ParsedList, number: i32) -> &domain::listdoc::ParsedItem {
    list.items
        .iter()
        .find(|i| i.number == Some(number))
        .unwrap_or_else(|| panic!("item {number} is missing"))
}

#[test]
fn seed_has_exactly_the_printed_items() {
    let Some(list) = seed() else { return };
    let mut numbers: Vec<i32> = list.items.iter().filter_map(|i| i.number).collect();
    numbers.sort_unstable();
    assert_eq!(
        numbers,
        [
            3, 4, 5, 6, 7, 9, 10, 11, 13, 14, 15, 16, 17, 19, 21, 22, 23, 24, 25, 26
        ]
    );
    assert_eq!(
        list.title.as_deref(),
        Some("我市公布“我为群众办实事”重点民生项目清单(第一批)")
    );
    assert_eq!(list.year, Some(2021));
    for i in &list.items {
        assert!(
            !i.lead_departments.is_empty(),
            "item {:?} has lead departments",
            i.number_text
        );
        assert!(
            !i.deadline_text.is_empty(),
            "item {:?} has a deadline",
            i.number_text
        );
    }
}

/// The seed prints 三…二十六 without 一、二、八、十二、十八、二十 (its items come out of order
/// across the columns): the preview names each gap, in the list's numerals.
#[test]
fn seed_gaps_in_the_numbering_are_named() {
    let Some(list) = seed() else { return };
    let gaps: Vec<&str> = list
        .warnings
        .iter()
        .filter(|w| w.kind == domain::listdoc::WarningKind::MissingNumber)
        .map(|w| w.message.as_str())
        .collect();
    let missing: Vec<&str> = gaps
        .iter()
        .filter_map(|m| m.split("缺少 ").nth(1))
        .filter_map(|m| m.split('，').next())
        .collect();
    assert_eq!(
        missing,
        ["一、二", "八", "十二", "十八", "二十"],
        "{gaps:?}"
    );
}

#[test]
fn seed_orphan_fragment_is_reported_not_merged() {
    let Some(list) = seed() else { return };
    assert_eq!(list.orphans.len(), 1, "{:#?}", list.orphans);
    let orphan = &list.orphans[0];
    assert_eq!(orphan.number, None);
    assert_eq!(orphan.deadline_text, "2021年12月底");
    assert_eq!(
        orphan.lead_departments.first().map(|d| d.as_str()),
        Some("市人大常委会机关")
    );
    // Item 三 starts clean: nothing of the fragment leaks into it.
    let three = item(&list, 3);
    assert!(
        !three
            .lead_departments
            .iter()
            .any(|d| d.as_str() == "市人大常委会机关")
    );
    assert!(three.first_line > orphan.last_line);
    assert!(
        list.warnings
            .iter()
            .any(|w| w.line == orphan.first_line && w.message.contains("无主片段"))
    );
}

#[test]
fn seed_trailing_article_belongs_to_no_item() {
    let Some(list) = seed() else { return };
    let last = item(&list, 26);
    assert!(
        !last.content.contains("招生咨询会"),
        "the news article leaked into item 26"
    );
    assert_eq!(
        last.cooperating_departments.last().map(|d| d.as_str()),
        Some("市农科院")
    );
    assert_eq!(list.unattached.len(), 1, "{:#?}", list.unattached);
    let article = &list.unattached[0];
    assert!(article.text.contains("招生咨询会") && article.text.contains("单县一中东校区"));
    assert!(article.first_line > last.last_line);
}

#[test]
fn seed_item_6_has_a_stage_date_and_is_ongoing() {
    let Some(list) = seed() else { return };
    let six = item(&list, 6);
    assert_eq!(six.deadline_text, "2021年11月底取得阶段性成效,长期坚持");
    assert!(six.deadline.ongoing);
    let dates: Vec<_> = six
        .deadline
        .milestones
        .iter()
        .map(|m| (m.due_on, m.kind))
        .collect();
    assert_eq!(
        dates,
        [(
            NaiveDate::from_ymd_opt(2021, 11, 30).expect("date"),
            DueKind::Stage
        )]
    );
    // The word broken across lines (驻菏部 / blank / 队) is joined without a space.
    assert!(
        six.content.contains("走访慰问驻菏部队、菏泽舰"),
        "{}",
        six.content
    );
}

#[test]
fn seed_item_9_content_continues_after_its_lead_line() {
    let Some(list) = seed() else { return };
    let nine = item(&list, 9);
    assert!(
        nine.content.starts_with("按照省新冠病毒疫苗接种"),
        "{}",
        nine.content
    );
    assert!(
        nine.content.contains("70%以上达到三级乙等医院服务水平"),
        "{}",
        nine.content
    );
    assert!(nine.content.contains("确保49"), "{}", nine.content);
    let lead: Vec<_> = nine.lead_departments.iter().map(|d| d.as_str()).collect();
    assert_eq!(lead, ["市民政局", "市卫生健康委"]);
    assert_eq!(nine.cooperating_departments.len(), 5);
}

#[test]
fn seed_departments_split_only_in_department_fields() {
    let Some(list) = seed() else { return };
    let eleven = item(&list, 11);
    assert_eq!(eleven.title, "提高养老、工伤保险待遇水平");
    let five = item(&list, 5);
    assert_eq!(
        five.lead_departments.first().map(|d| d.as_str()),
        Some("市委政研室(市委改革办)")
    );
    assert!(
        five.generic_phrases
            .iter()
            .any(|g| g == "各级各有关部门单位")
    );
    assert!(
        !five
            .cooperating_departments
            .iter()
            .any(|d| d.as_str().starts_with('各'))
    );
    let fifteen = item(&list, 15);
    assert!(fifteen.cooperating_departments.is_empty());
    assert_eq!(fifteen.generic_phrases, ["各级各有关部门"]);
    let twenty_five = item(&list, 25);
    assert!(twenty_five.deadline.ongoing && twenty_five.deadline.milestones.is_empty());
}

#[test]
fn seed_json_shape() {
    let Some(list) = seed() else { return };
    let json = serde_json::to_value(domain::listdoc::ParsedListJson::from(&list)).expect("json");
    let three = &json["items"][0];
    for key in [
        "number",
        "number_text",
        "title",
        "content",
        "deadline_text",
        "due_dates",
        "ongoing",
        "lead_departments",
        "cooperating_departments",
        "generic_phrases",
        "lines",
    ] {
        assert!(three.get(key).is_some(), "item key {key} missing: {three}");
    }
    assert_eq!(three["number"], 3);
    assert_eq!(three["number_text"], "三");
    assert_eq!(three["due_dates"], serde_json::json!(["2021-06-30"]));
    assert_eq!(json["orphans"][0]["number"], serde_json::Value::Null);
    assert!(json["unattached"][0]["lines"].is_array() && json["unattached"][0]["text"].is_string());
    assert!(json["warnings"][0]["line"].is_number() && json["warnings"][0]["message"].is_string());
}

/// The seed spells several departments two ways; each pair is suggested with its rule, and
/// the bodies that only look alike (a bureau and its company) are not.
#[test]
fn seed_department_variants_are_suggested_never_merged() {
    use domain::department::suggestions::{NameForms, suggest};
    let Some(list) = seed() else { return };
    let names = list.department_names();
    let got: Vec<(String, String, String)> = suggest(&names, &[], NameForms::shipped())
        .into_iter()
        .map(|s| {
            let rule = serde_json::to_value(&s.reason).expect("json")["rule"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            (s.name, s.probably, rule)
        })
        .collect();
    for (a, b, rule) in [
        ("市卫生健康委", "市卫健委", "abbreviation"),
        ("市地震监测中心", "市地震检测中心", "confusable"),
        ("市教育局(市委教育工委)", "市教育局", "second_name"),
        ("市委组织部", "市组织部", "missing_wei"),
        ("市自然资源规划局", "市自然资源和规划局", "dropped_he"),
    ] {
        assert!(
            got.iter()
                .any(|(n, p, r)| ((n == a && p == b) || (n == b && p == a)) && r == rule),
            "{a} / {b} ({rule}) not in {got:#?}"
        );
    }
    for (n, p, _) in &got {
        let pair = [n.as_str(), p.as_str()];
        assert!(
            !(pair.contains(&"市水务局") && pair.contains(&"市水务集团")),
            "a bureau and its company: {got:#?}"
        );
    }
    // The departments stay as printed: suggestions change nothing.
    assert_eq!(list.department_names().len(), names.len());
}
