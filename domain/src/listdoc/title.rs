//! The list's title and issuer, found the way a reader finds them: the line that names the
//! list (…清单, …实事, …项目), not an attachment label (`附件1`) or a paragraph of the notice
//! around it; the issuer from a signature line (…人民政府办公室) or the place the title names.

use std::sync::LazyLock;

use regex::Regex;

use super::{ParseWarning, ParsedList, UnattachedText, WarningKind};

/// A title longer than this is a paragraph, not a title.
const TITLE_CHARS: usize = 60;

/// Words a list's title holds.
const LIST_WORDS: [&str; 8] = [
    "清单", "实事", "项目", "任务", "台账", "计划", "工程", "事项",
];

/// `附件`, `附件1`, `附件 2：`.
fn attachment_label(line: &str) -> bool {
    let rest = line
        .trim()
        .trim_end_matches([':', '：'])
        .strip_prefix("附件")
        .map(str::trim);
    rest.is_some_and(|r| {
        r.chars().all(|c| {
            c.is_ascii_digit() || ('０'..='９').contains(&c) || "一二三四五六七八九十".contains(c)
        })
    })
}

/// Whether `line` can be a title at all: short, not a sentence, not a label.
fn title_like(line: &str) -> bool {
    let line = line.trim();
    !line.is_empty()
        && line.chars().count() <= TITLE_CHARS
        && !attachment_label(line)
        && !line.ends_with(['。', '；', ';', '：', ':', '，', ','])
}

fn names_a_list(line: &str) -> bool {
    LIST_WORDS.iter().any(|w| line.contains(w))
}

/// The title among `lines` (those above a table's header): the first that names a list, else
/// the first that can be a title at all.
pub fn pick<'a>(lines: &[&'a str]) -> Option<&'a str> {
    lines
        .iter()
        .find(|l| title_like(l) && names_a_list(l))
        .or_else(|| lines.iter().find(|l| title_like(l)))
        .copied()
}

/// Replaces a title that is an attachment label or a paragraph with the line before the first
/// item that names the list; the label or paragraph is then text outside every item, and the
/// new title's line no longer is.
pub(super) fn settle(list: &mut ParsedList, text: &str) {
    let first_item = list
        .items
        .iter()
        .chain(&list.orphans)
        .map(|i| i.first_line)
        .min()
        .unwrap_or(usize::MAX);
    let current_good = list
        .title
        .as_deref()
        .is_some_and(|t| title_like(t) && (names_a_list(t) || list.title_is_only_line(text)));
    if !current_good {
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .take_while(|(no, _)| *no < first_item)
            .filter(|(_, l)| !l.is_empty() && !l.contains('\t'))
            .collect();
        let found = lines
            .iter()
            .find(|(_, l)| title_like(l) && names_a_list(l))
            .or_else(|| {
                list.title
                    .is_none()
                    .then(|| lines.iter().find(|(_, l)| title_like(l)))
                    .flatten()
            })
            .copied();
        if let Some((no, line)) = found
            && list.title.as_deref() != Some(line)
        {
            if let Some(old) = list.title.take()
                && let Some(old_no) = lines.iter().find(|(_, l)| *l == old).map(|(n, _)| *n)
            {
                outside(list, old_no, old);
            }
            list.title = Some(line.to_owned());
            list.warnings.retain(|w| w.kind != WarningKind::NoTitle);
            take_out(list, no, line);
        }
    }
    if list.issuer.is_none() {
        // A signature stands before the items or after them: the items' own lines (most of a
        // long list) are not searched.
        let last_item = list
            .items
            .iter()
            .chain(&list.orphans)
            .map(|i| i.last_line)
            .max()
            .unwrap_or(0);
        let outside = text
            .lines()
            .enumerate()
            .filter(|(i, _)| i + 1 < first_item || i + 1 > last_item)
            .map(|(_, l)| l);
        list.issuer = issuer_of(list.title.as_deref(), outside);
    }
}

/// The title's line is no longer text outside every item: taken out of the block that starts
/// or ends with it, whose warning is then said again for what is left.
fn take_out(list: &mut ParsedList, no: usize, title: &str) {
    let Some(at) = list
        .unattached
        .iter()
        .position(|b| b.first_line <= no && no <= b.last_line)
    else {
        return;
    };
    let block = &mut list.unattached[at];
    let old_first = block.first_line;
    if block.first_line == no && block.last_line == no {
        list.unattached.remove(at);
    } else if block.first_line == no && block.text.starts_with(title) {
        block.text = block.text[title.len()..].trim_start().to_owned();
        block.first_line += 1;
    } else if block.last_line == no && block.text.ends_with(title) {
        block.text = block.text[..block.text.len() - title.len()]
            .trim_end()
            .to_owned();
        block.last_line -= 1;
    } else {
        return;
    }
    list.warnings
        .retain(|w| !(w.kind == WarningKind::Unattached && w.line == old_first));
    if let Some(b) = list
        .unattached
        .iter()
        .find(|b| b.first_line == old_first || b.first_line == no + 1)
    {
        list.warnings.push(ParseWarning {
            kind: WarningKind::Unattached,
            line: b.first_line,
            message: format!(
                "第 {}–{} 行不属于任何事项（事项最后一栏之后或第一个标题之前的文字）：已列出，未导入",
                b.first_line, b.last_line
            ),
        });
        list.warnings.sort_by_key(|w| w.line);
    }
}

fn outside(list: &mut ParsedList, line: usize, text: String) {
    list.warnings.push(ParseWarning {
        kind: WarningKind::Unattached,
        line,
        message: format!("第 {line}–{line} 行不属于任何事项（清单标题之外的文字）：已列出，未导入"),
    });
    list.warnings.sort_by_key(|w| w.line);
    list.unattached.push(UnattachedText {
        first_line: line,
        last_line: line,
        text,
    });
    list.unattached.sort_by_key(|b| b.first_line);
}

impl ParsedList {
    /// Whether the title is the text's only line before its items: then it is the title,
    /// whatever it says.
    fn title_is_only_line(&self, text: &str) -> bool {
        let first_item = self.items.iter().map(|i| i.first_line).min().unwrap_or(0);
        text.lines()
            .take(first_item.saturating_sub(1))
            .filter(|l| !l.trim().is_empty())
            .count()
            <= 1
    }
}

/// A signature line (`白石市人民政府办公室`) or an issuer the title opens with.
static SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\p{Han}]{2,20}?(?:人民政府办公室|人民政府办公厅|人民政府|委员会办公室|督查室|督查委员会)$")
        .unwrap_or_else(|e| panic!("signature pattern: {e}"))
});
static TITLE_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:关于印发)?([\p{Han}]{1,8}?[省市县区](?:人民政府)?)(?:\d{4}年|20|关于|“|\p{Han}{0,2}(?:民生|为民|重点))")
        .unwrap_or_else(|e| panic!("title place pattern: {e}"))
});

/// Who published the list: a signature among `lines`, else the place its title names (`示例市`).
pub fn issuer_of<'a>(title: Option<&str>, lines: impl Iterator<Item = &'a str>) -> Option<String> {
    let signed = lines
        .map(str::trim)
        .filter(|l| l.chars().count() <= 24)
        .find(|l| SIGNATURE.is_match(l))
        .map(|l| {
            l.trim_end_matches("办公室")
                .trim_end_matches("办公厅")
                .to_owned()
        });
    signed.or_else(|| {
        let title = title?;
        let place = TITLE_PLACE.captures(title)?.get(1)?.as_str();
        // 我市, 全市 name no place.
        (!place.starts_with(['我', '全', '本'])).then(|| place.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listdoc::{ParseOptions, parse};

    const ITEM: &str =
        "一、新建书房\n事项内容:建设书房10处。\n完成时限:2025年6月底\n牵头部门:市文旅局\n";

    #[test]
    fn an_attachment_label_gives_way_to_the_line_naming_the_list() {
        let text = format!("附件1\n\n示例市2025年民生实事项目清单\n{ITEM}");
        let list = parse(&text, &ParseOptions::default());
        assert_eq!(list.title.as_deref(), Some("示例市2025年民生实事项目清单"));
        assert_eq!(list.unattached.len(), 1, "{:?}", list.unattached);
        assert_eq!(list.unattached[0].text, "附件1");
        assert!(
            !list.warnings.iter().any(|w| w.line == 3),
            "the title's line is no stray text: {:?}",
            list.warnings
        );
        assert_eq!(list.issuer.as_deref(), Some("示例市"));
    }

    #[test]
    fn a_preamble_paragraph_is_no_title() {
        let preamble = "各县区人民政府，市政府各部门：为深入贯彻落实中央关于为群众办实事的部署要求，经市政府研究，确定了今年的重点民生项目，现印发给你们，请认真抓好落实。";
        let text =
            format!("{preamble}\n示例市2025年重点民生项目清单\n{ITEM}白石市人民政府办公室\n");
        let list = parse(&text, &ParseOptions::default());
        assert_eq!(list.title.as_deref(), Some("示例市2025年重点民生项目清单"));
        assert!(list.unattached.iter().any(|b| b.text == preamble));
        assert_eq!(list.issuer.as_deref(), Some("白石市人民政府"));
    }

    #[test]
    fn a_good_title_stays() {
        let text = format!("我市公布重点民生项目清单(第一批)\n{ITEM}");
        let list = parse(&text, &ParseOptions::default());
        assert_eq!(
            list.title.as_deref(),
            Some("我市公布重点民生项目清单(第一批)")
        );
        assert_eq!(list.issuer, None, "我市 names no place");
        assert!(attachment_label("附件 2："));
        assert!(!attachment_label("附件材料清单"));
    }
}
