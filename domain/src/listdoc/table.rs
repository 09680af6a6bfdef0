//! The table layout: a table copied from a web page, a Word attachment or a PDF, one cell per
//! line, often with blank lines between cells.
//!
//! - A notice's preamble (its body, document number, signature date, reporting rules) comes
//!   before the header and yields no item: it is the title and unattached text.
//! - The header cells come once (`序号`, `民生实事`, `责任单位`, `完成时限`); a page break may
//!   print them again.
//! - A row starts with its bare number on a line of its own. Its cells follow: the content
//!   first, then units (one per line, one column: all lead unless marked 配合), and a deadline
//!   that may print no year (`11月底前`: the year comes from the title) or a stage (`6月底前开工`).
//! - A merged cell may hold a second task with its own deadline and no unit of its own.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    Layout, ParseWarning, ParsedItem, ParsedList, UnattachedText, WarningKind, conclude, list_year,
    loose_line, numbered_lines,
    parts::{ItemParts, Role, Task},
    scan::{Column, Line, bare_number, classify, header_cell},
};
use crate::{deadline::Deadline, department::looks_like_units};

pub(super) fn parse(text: &str, year: Option<i32>) -> ParsedList {
    let lines = numbered_lines(text);
    let header_at = lines
        .iter()
        .position(|(_, l)| header_cell(l) == Some(Column::Number));
    let title = lines
        .iter()
        .take(header_at.unwrap_or(lines.len()))
        .map(|(_, l)| *l)
        .find(|l| !l.is_empty() && bare_number(l).is_none());
    let year = list_year(year, title, lines.iter().map(|(_, l)| *l));

    let mut reader = Reader {
        year,
        columns: Vec::new(),
        current: None,
        blank_before: false,
        last_number: None,
        loose: None,
        items: Vec::new(),
        unattached: Vec::new(),
        warnings: Vec::new(),
    };
    let mut title_seen = false;
    let mut in_header = false;
    for (no, line) in lines {
        match classify(line) {
            Line::Blank => {
                reader.blank_before = true;
                continue;
            }
            Line::PageMarker => continue,
            _ => {}
        }
        if !title_seen && title == Some(line) {
            title_seen = true;
            continue;
        }
        // The header, and its repetition after a page break, is the table's structure.
        if let Some(column) = header_cell(line) {
            if column == Column::Number {
                in_header = true;
                if reader.columns.is_empty() {
                    reader.unattached.extend(reader.loose.take());
                }
                continue;
            }
            if in_header {
                if !reader.columns.contains(&column) {
                    reader.columns.push(column);
                }
                continue;
            }
        }
        in_header = false;
        reader.line(no, line);
    }
    reader.finish_row(true);
    reader.unattached.extend(reader.loose.take());
    if reader.columns.is_empty() {
        reader.warnings.push(ParseWarning {
            kind: WarningKind::Field,
            line: 1,
            message: "没有找到表头（序号和各栏名称）：各栏按内容区分，请核对".to_owned(),
        });
    }
    conclude(ParsedList {
        title: title.map(str::to_owned),
        year,
        layout: Layout::Table,
        items: reader.items,
        orphans: Vec::new(),
        unattached: reader.unattached,
        warnings: reader.warnings,
        columns: None,
        issuer: None,
    })
}

/// A cell that is a 完成时限: it starts with a date or a term such as 年底前 or 长期.
static DEADLINE_CELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\d{4}\s*年\s*)?(?:(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*月|年?\s*底|年内|年末|[上下]半年|第?[一二三四1-4]\s*季度|全年|长期|持续|常态化)",
    )
    .unwrap_or_else(|e| panic!("deadline cell pattern: {e}"))
});

fn is_deadline_cell(line: &str) -> bool {
    let normalized: String = unicode_normalization::UnicodeNormalization::nfkc(line).collect();
    let normalized = normalized.trim();
    if normalized.chars().count() > 40 || !DEADLINE_CELL.is_match(normalized) {
        return false;
    }
    let parsed = Deadline::parse(normalized, Some(2000));
    !parsed.milestones.is_empty() || parsed.ongoing
}

/// Units marked as cooperating inside the one unit column: `配合：市财政局`, `协办单位:…`.
pub(super) fn cooperating_prefix(line: &str) -> Option<&str> {
    ["配合单位", "配合部门", "协办单位", "配合", "协办"]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        .map(|rest| rest.trim_start_matches([':', '：', ' ']).trim())
        .filter(|rest| looks_like_units(rest))
}

/// A row as printed: its number and its cell lines (line number, text, whether a blank line
/// came before it).
struct Row {
    number: i32,
    number_text: String,
    line: usize,
    cells: Vec<(usize, String, bool)>,
}

struct Reader {
    year: Option<i32>,
    columns: Vec<Column>,
    current: Option<Row>,
    /// A blank line since the last line read.
    blank_before: bool,
    last_number: Option<i32>,
    loose: Option<UnattachedText>,
    items: Vec<ParsedItem>,
    unattached: Vec<UnattachedText>,
    warnings: Vec<ParseWarning>,
}

impl Reader {
    fn line(&mut self, no: usize, line: &str) {
        if let Some(number) = bare_number(line)
            && self.last_number.is_none_or(|last| number > last)
        {
            self.finish_row(false);
            self.unattached.extend(self.loose.take());
            if let Some(last) = self.last_number
                && number > last + 1
            {
                let gap = if number - last == 2 {
                    format!("第 {} 行", last + 1)
                } else {
                    format!("第 {}–{} 行", last + 1, number - 1)
                };
                self.warnings.push(ParseWarning {
                    kind: WarningKind::MissingNumber,
                    line: no,
                    message: format!(
                        "序号 {number} 紧接在序号 {last} 之后：缺少{gap}（可能漏了一页）"
                    ),
                });
            }
            self.last_number = Some(number);
            self.current = Some(Row {
                number,
                number_text: line.to_owned(),
                line: no,
                cells: Vec::new(),
            });
            self.blank_before = false;
            return;
        }
        match self.current.as_mut() {
            Some(row) => {
                row.cells
                    .push((no, line.to_owned(), std::mem::take(&mut self.blank_before)));
            }
            None => self.loose_text(no, line),
        }
    }

    fn loose_text(&mut self, no: usize, line: &str) {
        loose_line(&mut self.loose, no, line);
    }

    /// The row's cells told apart. In the last row, what follows its deadline is text after
    /// the table (a signature, a date, 抄送) unless it is one more task with its own deadline.
    fn finish_row(&mut self, last: bool) {
        let Some(mut row) = self.current.take() else {
            return;
        };
        if last
            && let Some(first_deadline) = row
                .cells
                .iter()
                .skip(1)
                .position(|(_, l, _)| is_deadline_cell(l))
                .map(|i| i + 1)
        {
            let tail = row.cells.split_off(first_deadline + 1);
            let second_task = tail.len() == 2
                && !looks_like_units(&tail[0].1)
                && !is_deadline_cell(&tail[0].1)
                && is_deadline_cell(&tail[1].1)
                && !tail[1].1.contains(['日', '号']);
            if second_task {
                row.cells.extend(tail);
            } else {
                for (no, line, _) in tail {
                    self.loose_text(no, &line);
                }
            }
        }
        let mut parts = ItemParts::new(row.number, &row.number_text, row.line);
        let mut tasks_after_deadline = Vec::new();
        for (i, (no, line, blank_before)) in row.cells.iter().enumerate() {
            let no = *no;
            parts.last_line = no;
            if i == 0 {
                // The content column comes first: its cell is content whatever it looks like.
                parts.push_text(line, no);
            } else if is_deadline_cell(line) {
                let task = parts.task();
                match task.deadline.as_mut() {
                    // A second date in the same cell (`6月底前开工` / `12月底前完工`).
                    Some((cell, _)) => {
                        cell.push('；');
                        cell.push_str(line);
                    }
                    None => task.deadline = Some((line.clone(), no)),
                }
            } else if let Some(units) = cooperating_prefix(line) {
                parts.units.push((Role::Cooperating, units.to_owned(), no));
            } else if looks_like_units(line) {
                let second_column = self.columns.contains(&Column::Cooperating)
                    && *blank_before
                    && parts.units.iter().any(|u| u.0 == Role::Lead);
                let role = if second_column
                    || parts.units.last().is_some_and(|u| u.0 == Role::Cooperating)
                {
                    Role::Cooperating
                } else {
                    Role::Lead
                };
                parts.units.push((role, line.clone(), no));
            } else if parts.task().deadline.is_some() {
                // Text after a deadline: a second task of a merged cell, if a deadline of its
                // own follows.
                parts.tasks.push(Task::default());
                parts.push_text(line, no);
                tasks_after_deadline.push(no);
            } else {
                parts.push_text(line, no);
            }
        }
        // A trailing task without a deadline of its own continues the content before it.
        if parts.tasks.len() > 1 && parts.task().deadline.is_none() {
            let trailing = parts.tasks.pop().map(|t| t.text).unwrap_or_default();
            let line = tasks_after_deadline.last().copied().unwrap_or(row.line);
            self.warnings.push(ParseWarning {
                kind: WarningKind::Field,
                line,
                message: format!(
                    "事项 {}：完成时限之后的文字没有自己的时限，已并入事项内容，请核对",
                    row.number_text
                ),
            });
            let task = parts.task();
            task.text.push('\n');
            task.text.push_str(&trailing);
        }
        let item = parts.build(self.year, &mut self.warnings);
        self.items.push(item);
    }
}
