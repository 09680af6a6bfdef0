//! The parser never panics and every line range it reports lies within the text.

use domain::{
    deadline::Deadline,
    listdoc::{Layout, ParseOptions, parse},
};
use proptest::prelude::*;

/// Fragments lists are made of, so generated text reaches every branch of the parser.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("三、提高水平".to_owned()),
        Just("（十二）改善环境".to_owned()),
        Just("12. 建设公园".to_owned()),
        Just("事项内容:".to_owned()),
        Just("完成时限：".to_owned()),
        Just("牵头部门:市甲局、".to_owned()),
        Just("配合部门:市乙局(市丙办)、各县区政府".to_owned()),
        Just("2021年11月底取得阶段性成效,长期坚持".to_owned()),
        Just("6月底前完成设计,12月底前建成".to_owned()),
        Just("(上接第1版)".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("。".to_owned()),
        // The table, categorized and run-on layouts.
        Just("序号".to_owned()),
        Just("民生实事".to_owned()),
        Just("责任单位".to_owned()),
        Just("3".to_owned()),
        Just("市住建局".to_owned()),
        Just("配合：市财政局".to_owned()),
        Just("11月底前".to_owned()),
        Just("6月底前开工".to_owned()),
        Just("一、教育文化".to_owned()),
        Just("（2）新建书房（牵头单位：市文旅局；完成时限：年底前）".to_owned()),
        Just("3)改造操场(市教育局、市体育局)".to_owned()),
        Just("1.新建食堂。 牵头领导:某某 责任单位:市民政局 实际完成情况:已建成 2.改造 ".to_owned()),
        Just(" 项目责任人:某某 配合单位:市甲局，市乙委 ".to_owned()),
        // Tables read by their columns, and a table of figures by district after the units.
        Just("序号\t项目名称\t主要内容\t完成时限\t牵头单位\t配合单位".to_owned()),
        Just("1\t新建书房\t建设10处\t6月底\t市文旅局\t市财政局".to_owned()),
        Just("\t\t另改造5处\t12月底前\t\"市甲局\n市乙局\"".to_owned()),
        Just("2\t改造\t\t年底前\t甲县、乙县、丙区、合计\t年度目标120、实际完成95".to_owned()),
        Just("甲县 乙县 丙区 丁区 合计".to_owned()),
        Just("年度目标 100 实际完成 95 小计 12".to_owned()),
        Just("牵头单位:第12局、市统计局、总计".to_owned()),
        "[一二三四五六七八九十百零、:：,，()（）0-9年月日底季度上下半长期]{0,12}",
        any::<String>(),
    ]
}

/// Whether the characters of `part` (but white space, which a lost line break may become)
/// appear in `whole` in the same order.
fn subsequence(part: &str, whole: &str) -> bool {
    let mut rest = whole.chars();
    part.chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| rest.any(|w| w == c))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), year in proptest::option::of(1900i32..2200)) {
        let _ = parse(&text, &ParseOptions { year, ..Default::default() });
    }

    #[test]
    fn list_shaped_text_keeps_ranges_inside_the_text(parts in proptest::collection::vec(fragment(), 0..60)) {
        let text = parts.join("\n");
        let lines = text.lines().count().max(1);
        let list = parse(&text, &ParseOptions::default());
        for item in list.items.iter().chain(&list.orphans) {
            prop_assert!(1 <= item.first_line && item.first_line <= item.last_line && item.last_line <= lines, "{item:?}");
        }
        for block in &list.unattached {
            prop_assert!(1 <= block.first_line && block.first_line <= block.last_line && block.last_line <= lines);
        }
        for w in &list.warnings {
            prop_assert!(1 <= w.line && w.line <= lines, "{w:?}");
        }
    }

    #[test]
    fn every_layout_keeps_ranges_inside_the_text_and_invents_no_item(
        parts in proptest::collection::vec(fragment(), 0..60),
        layout in proptest::sample::select(Layout::ALL.to_vec()),
        year_end_default in any::<bool>(),
    ) {
        let text = parts.join("\n");
        let lines = text.lines().count().max(1);
        let list = parse(&text, &ParseOptions { layout: Some(layout), year_end_default, ..Default::default() });
        prop_assert_eq!(list.layout, layout);
        let printed: String = text.lines().map(str::trim).collect();
        for item in list.items.iter().chain(&list.orphans) {
            prop_assert!(1 <= item.first_line && item.first_line <= item.last_line && item.last_line <= lines, "{item:?}");
            // Readers cut labels and parentheses out of a line, never add to it: the title's
            // characters are printed in that order.
            prop_assert!(subsequence(&item.title, &printed), "invented title {:?}", item.title);
        }
        for w in &list.warnings {
            prop_assert!(1 <= w.line && w.line <= lines, "{w:?}");
        }
        // Guessing never panics either, and names a layout it then reads.
        let guessed = parse(&text, &ParseOptions::default());
        prop_assert_eq!(guessed.layout, Layout::guess(text.strip_prefix('\u{feff}').unwrap_or(&text)));
    }

    #[test]
    fn no_department_holds_a_digit_or_a_total(
        parts in proptest::collection::vec(fragment(), 0..60),
        layout in proptest::option::of(proptest::sample::select(Layout::ALL.to_vec())),
    ) {
        let text = parts.join("\n");
        let list = parse(&text, &ParseOptions { layout, ..Default::default() });
        for item in list.items.iter().chain(&list.orphans) {
            for d in item.lead_departments.iter().chain(&item.cooperating_departments) {
                let name = d.as_str();
                prop_assert!(
                    !name.chars().any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
                        && !["合计", "小计", "总计"].iter().any(|t| name.contains(t)),
                    "{name:?} became a department ({layout:?})"
                );
            }
        }
    }

    #[test]
    fn any_bytes_as_any_kind_of_file_never_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
        kind in proptest::sample::select(domain::listdoc::file::FileKind::ALL.to_vec()),
    ) {
        let name = format!("list.{}", if kind == domain::listdoc::file::FileKind::Text { "txt" } else { kind.as_str() });
        if let Ok((read_kind, text)) = domain::listdoc::file::read(&name, &bytes, domain::listdoc::file::Deadline::none()) {
            prop_assert_eq!(read_kind, kind);
            let _ = parse(&text, &ParseOptions::default());
        }
    }

    #[test]
    fn deadlines_never_panic(text in any::<String>(), year in proptest::option::of(-300_000i32..300_000)) {
        let d = Deadline::parse(&text, year);
        prop_assert_eq!(d.text, text.trim());
    }
}
