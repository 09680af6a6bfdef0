//! The parser never panics and every line range it reports lies within the text.

use domain::{
    deadline::Deadline,
    listdoc::{ParseOptions, parse},
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
        "[一二三四五六七八九十百零、:：,，()（）0-9年月日底季度上下半长期]{0,12}",
        any::<String>(),
    ]
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
    fn deadlines_never_panic(text in any::<String>(), year in proptest::option::of(-300_000i32..300_000)) {
        let d = Deadline::parse(&text, year);
        prop_assert_eq!(d.text, text.trim());
    }
}
