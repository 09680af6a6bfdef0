//! Classifies one printed line. Patterns accept ASCII and full-width punctuation alike and
//! return slices of the line as printed.

use std::sync::LazyLock;

use regex::Regex;

use crate::numerals::chinese_to_number;

/// The fields of an item, in the order lists print them; the last one present closes an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    Content,
    Deadline,
    Lead,
    Cooperating,
}

impl FieldKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Content => "事项内容",
            Self::Deadline => "完成时限",
            Self::Lead => "牵头部门",
            Self::Cooperating => "配合部门",
        }
    }

    fn from_label(label: &str) -> Option<Self> {
        Some(match label {
            "事项内容" | "项目内容" | "主要内容" | "工作内容" => Self::Content,
            "完成时限" | "完成时间" | "时间节点" => Self::Deadline,
            "牵头部门" | "牵头单位" | "责任单位" | "责任部门" => Self::Lead,
            "配合部门" | "配合单位" | "协办单位" => Self::Cooperating,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Blank,
    /// `(上接第1版)`, `（下转第3版）`.
    PageMarker,
    Heading {
        number: i32,
        number_text: &'a str,
        title: &'a str,
    },
    Field {
        kind: FieldKind,
        value: &'a str,
    },
    Text(&'a str),
}

static PAGE_MARKER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^[(（]\s*(?:上接|下转|接上|转|接)\s*第?\s*[0-9０-９一二三四五六七八九十]+\s*版\s*[)）]$",
    )
});
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(事项内容|项目内容|主要内容|工作内容|完成时限|完成时间|时间节点|牵头部门|牵头单位|责任单位|责任部门|配合部门|配合单位|协办单位)\s*[:：]\s*(.*)$",
    )
});
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:[(（]\s*(?P<paren>[一二三四五六七八九十百〇零]+|[0-9０-９]{1,5})\s*[)）]|(?P<plain>[一二三四五六七八九十百〇零]+|[0-9０-９]{1,5})\s*[、．.])\s*(?P<title>.+)$",
    )
});

fn pattern(p: &str) -> Regex {
    // Constant patterns: any typo fails every parser test.
    Regex::new(p).unwrap_or_else(|e| panic!("list pattern {p}: {e}"))
}

pub fn classify(raw: &str) -> Line<'_> {
    let line = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if line.is_empty() {
        return Line::Blank;
    }
    if PAGE_MARKER.is_match(line) {
        return Line::PageMarker;
    }
    if let Some(c) = FIELD.captures(line)
        && let (Some(label), Some(value)) = (c.get(1), c.get(2))
        && let Some(kind) = FieldKind::from_label(label.as_str())
    {
        return Line::Field {
            kind,
            value: value.as_str().trim(),
        };
    }
    if let Some(c) = HEADING.captures(line) {
        let number_match = c.name("paren").or_else(|| c.name("plain"));
        let title = c
            .name("title")
            .map(|m| m.as_str().trim())
            .unwrap_or_default();
        // `1.5万人…` is a sentence, not heading 1; a heading's title starts with a word.
        let title_ok = title
            .chars()
            .next()
            .is_some_and(|ch| !ch.is_ascii_digit() && !('０'..='９').contains(&ch) && ch != '%');
        if let (Some(m), true) = (number_match, title_ok)
            && let Some(number) = number_value(m.as_str())
        {
            return Line::Heading {
                number,
                number_text: m.as_str(),
                title,
            };
        }
    }
    Line::Text(line)
}

/// A column of a flattened table, named by its header cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    /// 序号.
    Number,
    Content,
    Lead,
    Cooperating,
    Deadline,
    People,
    Progress,
    /// 备注 and other columns kept in the item's content.
    Other,
}

/// The column a header cell names (`序号`, `民生实事`, `责任单位`, `完成时限`, …), by the names in
/// [`super::columns::names`]. A flattened table's header starts at `序号` itself: the other
/// names of its number column (`序`, `编号`) are too common a line to start one.
pub fn header_cell(line: &str) -> Option<Column> {
    use super::columns::Field;
    let cell: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    Some(match super::columns::names::field_of(line)? {
        Field::Number if cell == "序号" => Column::Number,
        Field::Number => return None,
        Field::Title | Field::Content => Column::Content,
        Field::Lead => Column::Lead,
        Field::Cooperating => Column::Cooperating,
        Field::Deadline => Column::Deadline,
        Field::People => Column::People,
        Field::Progress => Column::Progress,
        Field::Category | Field::Note => Column::Other,
    })
}

/// Whether `line` is a header cell.
pub fn is_header_cell(line: &str) -> bool {
    header_cell(line).is_some()
}

/// A bare Arabic number on its own line: a table row's 序号.
pub fn bare_number(line: &str) -> Option<i32> {
    let line = line.trim();
    if line.is_empty() || line.chars().count() > 4 {
        return None;
    }
    if !line
        .chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
    {
        return None;
    }
    number_value(line)
}

static ITEM_START: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"^(?:[(（]\s*(?P<paren>[0-9０-９]{1,4})\s*[)）]|(?P<plain>[0-9０-９]{1,4})\s*[、．.。)）])\s*(?P<rest>.+)$",
    )
});

/// An item numbered in Arabic digits: `1.`, `1。`, `1、`, `（1）`, `1)`; (number, as printed,
/// the rest of the line). A sentence such as `1.5万人…` is none.
pub fn item_start(line: &str) -> Option<(i32, &str, &str)> {
    let c = ITEM_START.captures(line.trim())?;
    let number = c.name("paren").or_else(|| c.name("plain"))?;
    let rest = c.name("rest")?.as_str().trim();
    let first = rest.chars().next()?;
    if first.is_ascii_digit() || ('０'..='９').contains(&first) || first == '%' {
        return None;
    }
    Some((number_value(number.as_str())?, number.as_str(), rest))
}

/// A category heading in Chinese numerals: `一、教育文化`, `（二）医疗卫生`.
pub fn category_heading(line: &str) -> Option<(i32, &str)> {
    match classify(line) {
        Line::Heading {
            number,
            number_text,
            title,
        } if number_text
            .chars()
            .all(|c| !c.is_ascii_digit() && !('０'..='９').contains(&c)) =>
        {
            Some((number, title))
        }
        _ => None,
    }
}

fn number_value(text: &str) -> Option<i32> {
    let ascii: String = text
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    let value = ascii
        .parse::<u32>()
        .ok()
        .or_else(|| chinese_to_number(&ascii))?;
    i32::try_from(value)
        .ok()
        .filter(|n| (1..=99_999).contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(line: &str) -> Option<(i32, &str, &str)> {
        match classify(line) {
            Line::Heading {
                number,
                number_text,
                title,
            } => Some((number, number_text, title)),
            _ => None,
        }
    }

    #[test]
    fn headings_in_every_printed_style() {
        assert_eq!(
            heading("三、提高困难群众救助保障水平"),
            Some((3, "三", "提高困难群众救助保障水平"))
        );
        assert_eq!(
            heading("二十六、提供优质农业农村服务"),
            Some((26, "二十六", "提供优质农业农村服务"))
        );
        assert_eq!(
            heading("12、建设口袋公园"),
            Some((12, "12", "建设口袋公园"))
        );
        assert_eq!(
            heading("12. 建设口袋公园"),
            Some((12, "12", "建设口袋公园"))
        );
        assert_eq!(
            heading("１２．建设口袋公园"),
            Some((12, "１２", "建设口袋公园"))
        );
        assert_eq!(
            heading("(十二)改善人居环境"),
            Some((12, "十二", "改善人居环境"))
        );
        assert_eq!(
            heading("（十二）改善人居环境"),
            Some((12, "十二", "改善人居环境"))
        );
        assert_eq!(
            heading("十一、提高养老、工伤保险待遇水平"),
            Some((11, "十一", "提高养老、工伤保险待遇水平"))
        );
    }

    #[test]
    fn sentences_are_not_headings() {
        assert_eq!(heading("1.5万人次以上完成培训"), None);
        assert_eq!(heading("一是加强监测"), None);
        assert_eq!(heading("三、"), None);
        assert_eq!(heading("2021.6月底前"), None);
        assert_eq!(
            heading("1234、第一千余项"),
            Some((1234, "1234", "第一千余项"))
        );
    }

    #[test]
    fn fields_with_either_colon_and_their_synonyms() {
        assert_eq!(
            classify("完成时限:2021年6月底"),
            Line::Field {
                kind: FieldKind::Deadline,
                value: "2021年6月底"
            }
        );
        assert_eq!(
            classify("完成时间：2021年底"),
            Line::Field {
                kind: FieldKind::Deadline,
                value: "2021年底"
            }
        );
        assert_eq!(
            classify("牵头单位： 市民政局"),
            Line::Field {
                kind: FieldKind::Lead,
                value: "市民政局"
            }
        );
        assert_eq!(
            classify("责任单位:市民政局"),
            Line::Field {
                kind: FieldKind::Lead,
                value: "市民政局"
            }
        );
        assert_eq!(
            classify("协办单位:市财政局"),
            Line::Field {
                kind: FieldKind::Cooperating,
                value: "市财政局"
            }
        );
        assert_eq!(
            classify("主要内容:建设"),
            Line::Field {
                kind: FieldKind::Content,
                value: "建设"
            }
        );
        assert_eq!(
            classify("时间节点:上半年"),
            Line::Field {
                kind: FieldKind::Deadline,
                value: "上半年"
            }
        );
    }

    #[test]
    fn items_numbered_in_every_style_and_categories() {
        for line in [
            "1.新建书房",
            "1。新建书房",
            "1、新建书房",
            "（1）新建书房",
            "(1)新建书房",
            "1)新建书房",
        ] {
            assert_eq!(
                item_start(line).map(|(n, _, r)| (n, r)),
                Some((1, "新建书房")),
                "{line}"
            );
        }
        assert_eq!(item_start("1.5万人次"), None);
        assert_eq!(item_start("一、教育"), None);
        assert_eq!(category_heading("一、教育文化"), Some((1, "教育文化")));
        assert_eq!(category_heading("（二）医疗卫生"), Some((2, "医疗卫生")));
        assert_eq!(category_heading("3、新建书房"), None);
        assert_eq!(bare_number("12"), Some(12));
        assert_eq!(bare_number("１２"), Some(12));
        assert_eq!(bare_number("12处"), None);
        assert_eq!(header_cell("民生 实事"), Some(Column::Content));
        assert_eq!(header_cell("新建书房"), None);
    }

    #[test]
    fn page_markers_and_blank_lines() {
        assert_eq!(classify("(上接第1版)"), Line::PageMarker);
        assert_eq!(classify("（下转第３版）"), Line::PageMarker);
        assert_eq!(classify("  \u{3000} "), Line::Blank);
        assert_eq!(
            classify("本专科综合场:6月28日"),
            Line::Text("本专科综合场:6月28日")
        );
    }
}
