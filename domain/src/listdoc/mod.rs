//! The list-text parser: pure, text in, [`ParsedList`] out, with warnings carrying line numbers.
//!
//! Lists arrive in a few layouts ([`Layout`]), each read by its own module into the same
//! [`ParsedItem`]s:
//! - `newspaper`: a title, numbered headings (`三、提高…`), and under each the fields 事项内容,
//!   完成时限, 牵头部门, 配合部门 (or their synonyms); columns interleave, pages break mid-list and
//!   unrelated articles follow;
//! - `table`: a table flattened to one cell per line under its header cells (`序号`, …);
//! - `categorized`: category headings (`一、教育文化`) over items numbered `1.` / `（1）` with their
//!   units in parentheses at the end;
//! - `runon`: items whose line breaks were lost, labelled inline (`责任单位:…`).
//!
//! Every layout keeps every line somewhere it can be seen (an item, an orphan fragment,
//! unattached text or the title) and never invents text.

mod categorized;
pub mod columns;
pub mod file;
mod inline;
mod layout;
mod newspaper;
mod parts;
mod report;
mod runon;
mod scan;
mod table;
pub mod title;

use std::collections::HashMap;

pub use layout::Layout;
pub use report::ParsedListJson;

use crate::{
    deadline::{Deadline, DueKind, DuePrecision, Milestone},
    department::DepartmentName,
};

/// The label of a due date the importer inferred for an item that prints none.
pub const INFERRED_LABEL: &str = "按年度目标推定";

/// Options a caller knows better than the text.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// The year for deadlines that print none (`12月底前`); else taken from the title, else the
    /// year most deadlines print.
    pub year: Option<i32>,
    /// The layout to read the text in; `None` guesses it.
    pub layout: Option<Layout>,
    /// Items that print no 完成时限 (annual goals) get the list's year end as an inferred due
    /// date, labelled [`INFERRED_LABEL`].
    pub year_end_default: bool,
    /// Columns named by the caller (a field and its header cell), for a table with a header
    /// row: they replace what the header's own names say.
    pub columns: Vec<(columns::Field, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedList {
    /// The first non-empty line, as printed.
    pub title: Option<String>,
    /// The year deadlines without one were read in.
    pub year: Option<i32>,
    /// The layout the text was read in (guessed, or as the caller asked).
    pub layout: Layout,
    pub items: Vec<ParsedItem>,
    /// Fields that belong to no numbered item (before the first heading, or after an item closed).
    pub orphans: Vec<ParsedItem>,
    /// Text outside every item, such as a news article after the list.
    pub unattached: Vec<UnattachedText>,
    pub warnings: Vec<ParseWarning>,
    /// How a table's columns were read (the columns layout only).
    pub columns: Option<columns::ColumnMapping>,
    /// Who published the list, as its signature or its title says.
    pub issuer: Option<String>,
}

impl ParsedList {
    /// Every department name the items print, once each (by comparison form), in print order.
    pub fn department_names(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.items
            .iter()
            .flat_map(|i| i.lead_departments.iter().chain(&i.cooperating_departments))
            .filter(|d| seen.insert(d.key()))
            .map(DepartmentName::as_str)
            .collect()
    }

    /// Items whose due date was inferred (`year_end_default`).
    pub fn inferred_due_dates(&self) -> usize {
        self.items.iter().filter(|i| i.due_inferred).count()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedItem {
    /// `None` for an orphan fragment.
    pub number: Option<i32>,
    pub number_text: Option<String>,
    pub title: String,
    pub content: String,
    /// As printed; empty when the item prints none.
    pub deadline_text: String,
    pub deadline: Deadline,
    /// The due date is the list's year end, inferred because the item prints no 完成时限.
    pub due_inferred: bool,
    pub lead_departments: Vec<DepartmentName>,
    pub cooperating_departments: Vec<DepartmentName>,
    pub generic_phrases: Vec<String>,
    /// The heading the item is printed under (`教育文化` under `一、教育文化`).
    pub category: Option<String>,
    /// People named on the item (牵头领导, 项目责任人): never departments.
    pub responsible_people: Vec<String>,
    /// A progress report printed with the item (实际完成情况), as of the text's date.
    pub progress: Option<String>,
    pub first_line: usize,
    pub last_line: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnattachedText {
    pub first_line: usize,
    pub last_line: usize,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseWarning {
    pub kind: WarningKind,
    pub line: usize,
    pub message: String,
}

/// What a warning is about; callers decide on the kind, never on the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Two items print one number: such a list cannot be imported.
    DuplicateNumber,
    /// A number skipped between two items (a row or an item may be missing): check the source.
    MissingNumber,
    /// No title line before the first heading.
    NoTitle,
    /// Fields under no numbered heading: reported as an orphan fragment, not stored.
    Orphan,
    /// Text outside every item: reported, not stored.
    Unattached,
    /// A field missing, repeated, or read from unlabelled text: check it.
    Field,
    /// A 完成时限 the reader could not (fully) date, or items that print none.
    Deadline,
    /// A value longer than an item keeps (stored cut), or text that cannot be a department.
    Limit,
}

/// Parses a list's text in the layout `options` names, or the one it looks like. Never
/// panics; whatever it cannot place is reported.
pub fn parse(text: &str, options: &ParseOptions) -> ParsedList {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let layout = options.layout.unwrap_or_else(|| {
        // Columns named by the caller are columns of a table with a header row.
        if options.columns.is_empty() {
            Layout::guess(text)
        } else {
            Layout::Columns
        }
    });
    let mut list = match layout {
        Layout::Newspaper => newspaper::parse(text, options.year),
        Layout::Table => table::parse(text, options.year),
        Layout::Categorized => categorized::parse(text, options.year),
        Layout::Runon => runon::parse(text, options.year),
        Layout::Columns => columns::parse(text, options.year, &options.columns),
    };
    undated_items(&mut list, options.year_end_default);
    title::settle(&mut list, text);
    list
}

/// Items printing no 完成时限 at all (annual goals, in lists without a deadline column): one
/// warning for all of them, and with `year_end_default` the list's year end as their due date.
fn undated_items(list: &mut ParsedList, year_end_default: bool) {
    let year_end = list
        .year
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31));
    let mut undated = Vec::new();
    for item in &mut list.items {
        if !item.deadline_text.trim().is_empty() {
            continue;
        }
        undated.push(item.first_line);
        if let (true, Some(due_on)) = (year_end_default, year_end) {
            item.deadline.milestones = vec![Milestone {
                due_on,
                precision: DuePrecision::Year,
                kind: DueKind::Final,
                label: Some(INFERRED_LABEL.to_owned()),
            }];
            item.deadline.problem = None;
            item.due_inferred = true;
        }
    }
    // The newspaper layout names each item missing its 完成时限 line already.
    if undated.is_empty() || list.layout == Layout::Newspaper {
        return;
    }
    let message = match (year_end_default, year_end) {
        (true, Some(due_on)) => format!(
            "{} 项未写完成时限（年度目标）：均以清单所属年度的年底 {due_on} 为到期日（{INFERRED_LABEL}）",
            undated.len()
        ),
        (true, None) => format!(
            "{} 项未写完成时限，清单年份又不明，无法推定年底：请填写清单年份",
            undated.len()
        ),
        (false, _) => format!(
            "{} 项未写完成时限（年度目标）：不设到期日，也不提醒；选择“按年底推定到期日”可将清单年底作为到期日",
            undated.len()
        ),
    };
    list.warnings.push(ParseWarning {
        kind: WarningKind::Deadline,
        line: undated[0],
        message,
    });
    list.warnings.sort_by_key(|w| w.line);
}

/// What every layout reports once its lines are read: the text outside every item, numbers
/// printed twice, a missing title; warnings in line order.
fn conclude(mut list: ParsedList) -> ParsedList {
    for block in &list.unattached {
        list.warnings.push(ParseWarning {
            kind: WarningKind::Unattached,
            line: block.first_line,
            message: format!(
                "第 {}–{} 行不属于任何事项（事项最后一栏之后或第一个标题之前的文字）：已列出，未导入",
                block.first_line, block.last_line
            ),
        });
    }
    let mut first_seen: HashMap<i32, usize> = HashMap::new();
    let mut duplicates = Vec::new();
    for item in &list.items {
        if let Some(number) = item.number
            && let Some(first) = first_seen.insert(number, item.first_line)
        {
            duplicates.push(ParseWarning {
                kind: WarningKind::DuplicateNumber,
                line: item.first_line,
                message: format!(
                    "事项编号 {} 出现两次（第 {first} 行和第 {} 行）：编号重复的清单不能导入",
                    item.number_text.as_deref().unwrap_or_default(),
                    item.first_line
                ),
            });
        }
    }
    list.warnings.extend(duplicates);
    if !list
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::MissingNumber)
    {
        let gaps = number_gaps(&list.items);
        list.warnings.extend(gaps);
    }
    if list.title.is_none() {
        list.warnings.push(ParseWarning {
            kind: WarningKind::NoTitle,
            line: 1,
            message: "第一个标题或栏目之前没有清单标题".to_owned(),
        });
    }
    list.warnings.sort_by_key(|w| w.line);
    list
}

/// Numbers a list skips, for layouts whose reader does not say so itself (the newspaper): one
/// warning per gap, in the list's own numerals (`编号 七 之后是 九：缺少 八`), and the numbers
/// before the first item when it is not 1.
fn number_gaps(items: &[ParsedItem]) -> Vec<ParseWarning> {
    let chinese = items
        .iter()
        .filter_map(|i| i.number_text.as_deref())
        .any(|t| {
            !t.chars()
                .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        });
    let say = |n: i32| {
        if chinese {
            u32::try_from(n)
                .ok()
                .and_then(crate::numerals::number_to_chinese)
                .unwrap_or_else(|| n.to_string())
        } else {
            n.to_string()
        }
    };
    let missing = |from: i32, to: i32| match to - from {
        0 => say(from),
        1 => format!("{}、{}", say(from), say(to)),
        _ => format!("{}–{}", say(from), say(to)),
    };
    // Columns and pages print items out of order: a number is missing only if no item has it.
    let mut present: Vec<(i32, usize)> = items
        .iter()
        .filter_map(|i| i.number.map(|n| (n, i.first_line)))
        .collect();
    present.sort_unstable();
    present.dedup_by_key(|(n, _)| *n);
    let mut warnings = Vec::new();
    let mut last: Option<i32> = None;
    for &(n, line) in &present {
        let message = match last {
            None if n > 1 && n <= 50 => Some(format!(
                "编号从 {} 开始：缺少 {}，请核对原文是否漏了",
                say(n),
                missing(1, n - 1)
            )),
            Some(l) if n > l + 1 => Some(format!(
                "编号 {} 之后是 {}：缺少 {}，请核对原文是否漏了",
                say(l),
                say(n),
                missing(l + 1, n - 1)
            )),
            _ => None,
        };
        if let Some(message) = message {
            warnings.push(ParseWarning {
                kind: WarningKind::MissingNumber,
                line,
                message,
            });
        }
        last = Some(n);
    }
    warnings
}

/// The text's lines, numbered from 1, trimmed of white space and byte-order marks.
fn numbered_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            (
                i + 1,
                l.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}'),
            )
        })
        .collect()
}

/// The year deadlines without one are read in: the caller's, else the title's, else the one
/// the text prints most.
fn list_year<'a>(
    year: Option<i32>,
    title: Option<&str>,
    lines: impl Iterator<Item = &'a str>,
) -> Option<i32> {
    year.or_else(|| title.and_then(year_in))
        .or_else(|| most_common_year(lines))
}

/// Adds line `no` to the text outside every item being read, or starts it.
fn loose_line(loose: &mut Option<UnattachedText>, no: usize, line: &str) {
    match loose {
        Some(block) => {
            join_text(&mut block.text, line);
            block.last_line = no;
        }
        None => {
            *loose = Some(UnattachedText {
                first_line: no,
                last_line: no,
                text: line.to_owned(),
            })
        }
    }
}

/// Text lines joined as print broke them: a line ending mid-sentence continues without a space.
fn join_text(into: &mut String, text: &str) {
    if !into.is_empty() && into.ends_with(['。', '！', '？', '；', '!', '?', ';', '：', ':']) {
        into.push('\n');
    }
    into.push_str(text);
}

fn year_in(text: &str) -> Option<i32> {
    let normalized: String = unicode_normalization::UnicodeNormalization::nfkc(text).collect();
    let digits: Vec<char> = normalized.chars().collect();
    digits.windows(5).find_map(|w| {
        (w[..4].iter().all(char::is_ascii_digit) && w[4] == '年')
            .then(|| w[..4].iter().collect::<String>().parse().ok())
            .flatten()
    })
}

fn most_common_year<'a>(texts: impl Iterator<Item = &'a str>) -> Option<i32> {
    let mut counts: HashMap<i32, usize> = HashMap::new();
    for year in texts.filter_map(year_in) {
        *counts.entry(year).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(year, count)| (*count, *year))
        .map(|(year, _)| year)
}
