//! The run-on layout: a web page or a progress bulletin that lost its line breaks, so items
//! follow each other on one line:
//! `1.新建社区食堂10处。 牵头领导:某某 责任单位:市某局 项目责任人:某某 配合单位:市某局、市某委 实际完成情况:… 2.…`.
//!
//! An item starts at the next number in sequence (`2.` after `1.`), at the start of the text,
//! after white space or after a full stop; other numbers (an embedded table's, `1.5万`) stay in
//! the text. 牵头领导 and 项目责任人 name people; 实际完成情况 is progress as of the text's date,
//! and a date inside it is when something happened, never a due date.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    Layout, ParseWarning, ParsedList, UnattachedText, WarningKind, conclude, inline, list_year,
    parts::{ItemParts, Role},
    scan::{Line, classify},
};

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([0-9０-９]{1,4})\s*[.、．。]\s*")
        .unwrap_or_else(|e| panic!("run-on item pattern: {e}"))
});

/// How far a printed number may jump ahead and still start an item (a lost item or two).
const MAX_GAP: i32 = 3;

pub(super) fn parse(text: &str, year: Option<i32>) -> ParsedList {
    // A page marker line (`（下转第2版）`) is layout, not text: emptied, the line kept.
    let blanked: String = text
        .split_inclusive('\n')
        .map(|line| {
            if matches!(classify(line), Line::PageMarker) {
                if line.ends_with('\n') { "\n" } else { "" }
            } else {
                line
            }
        })
        .collect();
    let text = blanked.as_str();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset).max(1);

    let mut warnings = Vec::new();
    let markers = item_markers(text, &line_of, &mut warnings);
    let preamble_end = markers.first().map_or(text.len(), |m| m.start);
    let preamble = &text[..preamble_end];

    let mut title = None;
    let mut unattached = Vec::new();
    for (i, line) in preamble.lines().enumerate() {
        let trimmed = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        if title.is_none() {
            title = Some(trimmed.to_owned());
            continue;
        }
        match unattached.last_mut() {
            Some(UnattachedText {
                last_line, text, ..
            }) if *last_line == i => {
                super::join_text(text, trimmed);
                *last_line = i + 1;
            }
            _ => unattached.push(UnattachedText {
                first_line: i + 1,
                last_line: i + 1,
                text: trimmed.to_owned(),
            }),
        }
    }
    let year = list_year(year, title.as_deref(), text.lines());

    let mut items = Vec::new();
    for (i, marker) in markers.iter().enumerate() {
        let end = markers.get(i + 1).map_or(text.len(), |next| next.start);
        let body = &text[marker.body..end];
        let last_offset = marker.body + body.trim_end().len().saturating_sub(1);
        let mut parts = ItemParts::new(marker.number, &marker.number_text, line_of(marker.start));
        let segments = inline::segments(body);
        let content_end = segments.first().map_or(body.len(), |s| s.start);
        let content = collapse(&body[..content_end]);
        parts.push_text(&content, parts.first_line);
        for segment in &segments {
            let raw = inline::value(body, segment);
            let value = collapse(raw);
            if value.is_empty() {
                continue;
            }
            let line = line_of(marker.body + segment.start);
            match segment.label {
                inline::Label::Lead => parts.units.push((Role::Lead, value, line)),
                inline::Label::Cooperating => parts.units.push((Role::Cooperating, value, line)),
                inline::Label::People => parts.people.extend(inline::people(raw)),
                inline::Label::Progress => parts.progress = Some(value),
                inline::Label::Deadline => parts.task().deadline = Some((value, line)),
                inline::Label::Content => parts.push_text(&value, line),
            }
        }
        parts.last_line = line_of(last_offset.max(marker.start));
        items.push(parts.build(year, &mut warnings));
    }
    conclude(ParsedList {
        title,
        year,
        layout: Layout::Runon,
        items,
        orphans: Vec::new(),
        unattached,
        warnings,
        columns: None,
        issuer: None,
    })
}

/// White space runs (a lost line break, a column gap) as one space; none between Chinese
/// characters.
fn collapse(text: &str) -> String {
    let mut out = String::new();
    let mut space = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space
            && !out.is_empty()
            && (c.is_ascii_alphanumeric() && out.ends_with(|p: char| p.is_ascii_alphanumeric()))
        {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

#[derive(Clone)]
struct Marker {
    number: i32,
    number_text: String,
    /// Byte offset of the number.
    start: usize,
    /// Byte offset of the item's text.
    body: usize,
}

/// The item numbers in sequence: from each item, the next number where an item can start;
/// when the next is never printed, one up to [`MAX_GAP`] ahead (reported).
fn item_markers(
    text: &str,
    line_of: &dyn Fn(usize) -> usize,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<Marker> {
    let mut candidates: Vec<Marker> = Vec::new();
    for c in MARKER.captures_iter(text) {
        let (Some(whole), Some(number)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let before = text[..whole.start()].chars().next_back();
        let at_boundary = before.is_none_or(|b| {
            b.is_whitespace()
                || matches!(b, '。' | '；' | ';' | '!' | '！' | '?' | '？' | '）' | ')')
        });
        let after = text[whole.end()..].chars().next();
        let starts_words = after.is_some_and(|a| {
            !a.is_ascii_digit() && !('０'..='９').contains(&a) && a != '%' && a != '％'
        });
        if let (true, true, Some(value)) =
            (at_boundary, starts_words, number_value(number.as_str()))
        {
            candidates.push(Marker {
                number: value,
                number_text: number.as_str().to_owned(),
                start: whole.start(),
                body: whole.end(),
            });
        }
    }
    let mut markers: Vec<Marker> = Vec::new();
    let mut from = 0;
    while from < candidates.len() {
        let ahead = &candidates[from..];
        let next = match markers.last() {
            None => Some(0),
            Some(last) => ahead
                .iter()
                .position(|m| m.number == last.number + 1)
                .or_else(|| {
                    ahead
                        .iter()
                        .position(|m| m.number > last.number && m.number <= last.number + MAX_GAP)
                }),
        };
        let Some(at) = next.map(|p| from + p) else {
            break;
        };
        let found = candidates[at].clone();
        if let Some(last) = markers.last()
            && found.number > last.number + 1
        {
            let gap = if found.number - last.number == 2 {
                format!("事项 {}", last.number + 1)
            } else {
                format!("事项 {}–{}", last.number + 1, found.number - 1)
            };
            warnings.push(ParseWarning {
                kind: WarningKind::MissingNumber,
                line: line_of(found.start),
                message: format!(
                    "事项 {} 紧接在事项 {} 之后：缺少{gap}（可能漏了一段文字）",
                    found.number, last.number
                ),
            });
        }
        markers.push(found);
        from = at + 1;
    }
    markers
}

fn number_value(text: &str) -> Option<i32> {
    let ascii: String = unicode_normalization::UnicodeNormalization::nfkc(text).collect();
    ascii
        .parse::<i32>()
        .ok()
        .filter(|n| (1..=99_999).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_out_of_sequence_stay_in_the_text() {
        let text = "进展 1.新建食堂。 责任单位:市民政局 实际完成情况:表 1.5万人 3.无关 2.改造操场 责任单位:市教育局";
        let list = parse(text, Some(2024));
        let numbers: Vec<_> = list.items.iter().map(|i| i.number).collect();
        assert_eq!(numbers, [Some(1), Some(2)]);
        assert_eq!(list.items[0].progress.as_deref(), Some("表1.5万人3.无关"));
    }

    #[test]
    fn white_space_collapses_between_words_only() {
        assert_eq!(collapse(" 新建  食堂 10 处 "), "新建食堂10处");
        assert_eq!(collapse("LED  灯"), "LED灯");
        assert_eq!(collapse("5G  基站"), "5G基站");
        assert_eq!(collapse("a  b"), "a b");
    }
}
