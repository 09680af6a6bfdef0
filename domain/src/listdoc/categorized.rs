//! The categorized layout: category headings in Chinese numerals (`一、教育文化`) over items
//! numbered in Arabic digits (`1.`, `1。`, `1、`, `（1）`, `1)`), continuously across the
//! categories, each ending with its units in parentheses: `（牵头单位：市住建局、市交通运输局）`.
//! An item may run over several lines; many print no deadline (annual goals).

use super::{
    Layout, ParseWarning, ParsedList, UnattachedText, WarningKind, conclude, inline, list_year,
    loose_line, numbered_lines,
    parts::{ItemParts, Role},
    scan::{Line, category_heading, classify, item_start},
};
use crate::department::looks_like_units;

pub(super) fn parse(text: &str, year: Option<i32>) -> ParsedList {
    let lines = numbered_lines(text);
    let title = lines
        .iter()
        .map(|(_, l)| *l)
        .find(|l| !l.is_empty())
        .filter(|l| category_heading(l).is_none() && item_start(l).is_none());
    let year = list_year(year, title, lines.iter().map(|(_, l)| *l));

    let mut reader = Reader {
        year,
        category: None,
        current: None,
        last_number: None,
        loose: None,
        items: Vec::new(),
        unattached: Vec::new(),
        warnings: Vec::new(),
    };
    let mut title_seen = false;
    for (no, line) in lines {
        if matches!(classify(line), Line::Blank | Line::PageMarker) {
            continue;
        }
        if !title_seen && title.is_some() {
            title_seen = true;
            continue;
        }
        title_seen = true;
        reader.line(no, line);
    }
    reader.finish_item();
    reader.unattached.extend(reader.loose.take());
    conclude(ParsedList {
        title: title.map(str::to_owned),
        year,
        layout: Layout::Categorized,
        items: reader.items,
        orphans: Vec::new(),
        unattached: reader.unattached,
        warnings: reader.warnings,
        columns: None,
        issuer: None,
    })
}

struct Reader {
    year: Option<i32>,
    category: Option<String>,
    current: Option<ItemParts>,
    last_number: Option<i32>,
    loose: Option<UnattachedText>,
    items: Vec<super::ParsedItem>,
    unattached: Vec<UnattachedText>,
    warnings: Vec<ParseWarning>,
}

impl Reader {
    fn line(&mut self, no: usize, line: &str) {
        if let Some((_, name)) = category_heading(line) {
            self.finish_item();
            self.unattached.extend(self.loose.take());
            self.category = Some(name.to_owned());
            return;
        }
        if let Some((number, number_text, rest)) = item_start(line) {
            self.finish_item();
            self.unattached.extend(self.loose.take());
            if let Some(last) = self.last_number
                && number > last + 1
            {
                self.warnings.push(ParseWarning {
                    kind: WarningKind::MissingNumber,
                    line: no,
                    message: format!(
                        "事项 {number} 紧接在事项 {last} 之后：缺少{}（可能漏了一行或一页）",
                        missing(last, number)
                    ),
                });
            }
            self.last_number = Some(self.last_number.map_or(number, |l| l.max(number)));
            let mut parts = ItemParts::new(number, number_text, no);
            parts.category = self.category.clone();
            parts.push_text(rest, no);
            self.current = Some(parts);
            return;
        }
        match self.current.as_mut() {
            Some(parts) => parts.push_text(line, no),
            None => loose_line(&mut self.loose, no, line),
        }
    }

    /// The item read so far, its labelled parentheses taken out of its text.
    fn finish_item(&mut self) {
        let Some(mut parts) = self.current.take() else {
            return;
        };
        let whole = std::mem::take(&mut parts.task().text);
        let (content, labelled) = split_labels(&whole);
        parts.task().text = content;
        for (label, value) in labelled {
            match label {
                Some(inline::Label::Lead) | None => {
                    parts.units.push((Role::Lead, value, parts.first_line))
                }
                Some(inline::Label::Cooperating) => {
                    parts
                        .units
                        .push((Role::Cooperating, value, parts.first_line))
                }
                Some(inline::Label::People) => parts.people.extend(inline::people(&value)),
                Some(inline::Label::Progress) => parts.progress = Some(value),
                Some(inline::Label::Deadline) => {
                    parts.task().deadline = Some((value, parts.last_line))
                }
                Some(inline::Label::Content) => {
                    let line = parts.last_line;
                    parts.push_text(&value, line)
                }
            }
        }
        let item = parts.build(self.year, &mut self.warnings);
        self.items.push(item);
    }
}

/// `6–8` or `5` between two printed numbers.
fn missing(last: i32, next: i32) -> String {
    if next - last == 2 {
        format!("事项 {}", last + 1)
    } else {
        format!("事项 {}–{}", last + 1, next - 1)
    }
}

/// An item's text without its labelled values; the values by label (`None`: a trailing
/// parenthesis that holds only units, `（市住建局、市交通运输局）`).
fn split_labels(text: &str) -> (String, Vec<(Option<inline::Label>, String)>) {
    let segments = inline::segments(text);
    if let Some(first) = segments.first() {
        let (cut, close) = if inline::in_parentheses(text, first.start) {
            let open = text[..first.start]
                .rfind(['(', '（'])
                .unwrap_or(first.start);
            (open, matching_close(text, open))
        } else {
            (first.start, text.len())
        };
        let inner = &text[..close];
        let values = inline::segments(inner)
            .iter()
            .filter(|s| s.start >= cut)
            .map(|s| (Some(s.label), inline::value(inner, s).to_owned()))
            .filter(|(_, v)| !v.is_empty())
            .collect();
        // The text after the closing parenthesis (a full stop, a sentence) stays.
        let tail = text[close..].trim_start_matches([')', '）']).trim();
        let content = format!("{}{tail}", text[..cut].trim_end());
        return (content, values);
    }
    let trimmed = text.trim_end().trim_end_matches(['。', '.']).trim_end();
    if trimmed.ends_with([')', '）'])
        && let Some(open) = trimmed.rfind(['(', '（'])
    {
        let inner = &trimmed[open..];
        let inner = inner
            .trim_start_matches(['(', '（'])
            .trim_end_matches([')', '）']);
        if looks_like_units(inner) {
            return (
                trimmed[..open].trim_end().to_owned(),
                vec![(None, inner.to_owned())],
            );
        }
    }
    (text.to_owned(), Vec::new())
}

/// The byte offset of the parenthesis closing the one at `open`, or the text's end.
fn matching_close(text: &str, open: usize) -> usize {
    let mut depth = 0i32;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth -= 1;
                if depth == 0 {
                    return open + i;
                }
            }
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_parentheses_leave_the_content() {
        let (content, values) =
            split_labels("改造操场20个，年底前完成。（牵头单位：市教育局；配合单位：市体育局）");
        assert_eq!(content, "改造操场20个，年底前完成。");
        let (content, _) = split_labels("新建书房（牵头单位：市文旅局）。每处不少于50座");
        assert_eq!(content, "新建书房。每处不少于50座");
        assert_eq!(
            values,
            [
                (Some(inline::Label::Lead), "市教育局".to_owned()),
                (Some(inline::Label::Cooperating), "市体育局".to_owned())
            ]
        );
        let (content, values) = split_labels("新建书房10处(市文旅局、市财政局)。");
        assert_eq!(content, "新建书房10处");
        assert_eq!(values, [(None, "市文旅局、市财政局".to_owned())]);
        let (content, values) = split_labels("为老年人提供助餐服务(含送餐)");
        assert_eq!(content, "为老年人提供助餐服务(含送餐)");
        assert!(values.is_empty());
    }
}
