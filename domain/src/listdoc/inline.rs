//! Labelled values inside running text: `… 责任单位:市某局 配合单位:市甲局、市乙委 …` and
//! `（牵头单位：市住建局；完成时限：10月底）`. A value runs from its label to the next label.

use std::sync::LazyLock;

use regex::Regex;

/// What an inline label introduces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Content,
    Deadline,
    Lead,
    Cooperating,
    /// 牵头领导, 项目责任人: people, never departments.
    People,
    /// 实际完成情况: what was done by the text's date.
    Progress,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub label: Label,
    /// Byte offset of the label.
    pub start: usize,
    /// Byte offset of the value (after the colon).
    pub value_start: usize,
    /// Byte offset where the value ends (the next label, or the text's end).
    pub end: usize,
}

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(事项内容|项目内容|完成时限|完成时间|时间节点|牵头单位|牵头部门|责任单位|责任部门|配合单位|配合部门|协办单位|牵头领导|责任领导|分管领导|项目责任人|责任人|实际完成情况|完成情况|进展情况)\s*[:：]",
    )
    .unwrap_or_else(|e| panic!("inline label pattern: {e}"))
});

fn label_of(name: &str) -> Label {
    match name {
        "事项内容" | "项目内容" => Label::Content,
        "完成时限" | "完成时间" | "时间节点" => Label::Deadline,
        "牵头单位" | "牵头部门" | "责任单位" | "责任部门" => Label::Lead,
        "配合单位" | "配合部门" | "协办单位" => Label::Cooperating,
        "实际完成情况" | "完成情况" | "进展情况" => Label::Progress,
        _ => Label::People,
    }
}

/// The labelled values of `text`, in order.
pub fn segments(text: &str) -> Vec<Segment> {
    let found: Vec<(Label, usize, usize)> = LABEL
        .captures_iter(text)
        .filter_map(|c| {
            let whole = c.get(0)?;
            Some((label_of(c.get(1)?.as_str()), whole.start(), whole.end()))
        })
        .collect();
    found
        .iter()
        .enumerate()
        .map(|(i, &(label, start, value_start))| Segment {
            label,
            start,
            value_start,
            end: found.get(i + 1).map_or(text.len(), |next| next.1),
        })
        .collect()
}

/// Whether byte offset `pos` of `text` lies inside brackets.
pub fn in_parentheses(text: &str, pos: usize) -> bool {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        if i >= pos {
            break;
        }
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

/// A value as printed, without the separators around it.
pub fn value<'a>(text: &'a str, segment: &Segment) -> &'a str {
    text.get(segment.value_start..segment.end)
        .unwrap_or_default()
        .trim_matches(|c: char| {
            c.is_whitespace()
                || matches!(c, '；' | ';' | '，' | ',' | '。' | '(' | '（' | ')' | '）')
        })
}

/// Names of people, split on `、` `,` `，` and spaces.
pub fn people(value: &str) -> Vec<String> {
    value
        .split(['、', ',', '，', ' ', '\u{3000}', ';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| crate::text::cut(p, crate::text::MAX_NAME_CHARS))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_run_to_the_next_label() {
        let text = "新建食堂10处。 牵头领导:张某 责任单位:市民政局 项目责任人:李某、王某 配合单位:市财政局、市卫健委 实际完成情况:已建成8处";
        let got: Vec<(Label, &str)> = segments(text)
            .iter()
            .map(|s| (s.label, value(text, s)))
            .collect();
        assert_eq!(
            got,
            [
                (Label::People, "张某"),
                (Label::Lead, "市民政局"),
                (Label::People, "李某、王某"),
                (Label::Cooperating, "市财政局、市卫健委"),
                (Label::Progress, "已建成8处"),
            ]
        );
        assert_eq!(people("李某、王某, 赵某"), ["李某", "王某", "赵某"]);
    }

    #[test]
    fn labels_in_parentheses_are_told_apart() {
        let text = "改造操场（牵头单位：市教育局；配合单位：市体育局）";
        let s = segments(text);
        assert_eq!(s.len(), 2);
        assert!(in_parentheses(text, s[0].start));
        assert_eq!(value(text, &s[0]), "市教育局");
        assert_eq!(value(text, &s[1]), "市体育局");
    }
}
