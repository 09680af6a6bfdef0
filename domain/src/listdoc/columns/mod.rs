//! The columns layout: a table with a header row, read by its columns. This is how a list
//! arrives as a spreadsheet or a CSV (the file readers write such a table out this way), and how
//! cells copied from Excel paste into a text box: a row per line, cells separated by tabs, a cell
//! holding a tab, a line break or a quote quoted as Excel quotes it.
//!
//! - Rows above the header are the title and the notice around it.
//! - The header row names the columns ([`names`]: 序号, 项目名称, 主要内容, 完成时限, 牵头单位, …);
//!   the caller may name them itself (`--column title=项目名称`). Columns nobody names are
//!   reported unused, never read.
//! - A row with one filled cell and no number is a category (`一、教育文化`).
//! - A row without a number and without a title continues the item above (a merged cell, or a
//!   second task with its own deadline); a header row printed again is skipped.

pub mod names;

pub use names::Field;

use super::{
    Layout, ParseWarning, ParsedList, UnattachedText, WarningKind, conclude, list_year,
    parts::{ItemParts, Role, Task},
    scan::category_heading,
};
use crate::numerals::chinese_to_number;

/// Rows [`header_row`] looks at for the header: a title and a notice rarely take more.
pub const HEADER_SEARCH_ROWS: usize = 12;

/// How a table's columns were read: what a preview shows the clerk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMapping {
    /// The line the header row is on.
    pub header_line: usize,
    /// Every column of the header, in order, with the field it was read as (`None`: unused).
    pub columns: Vec<ColumnUse>,
    /// Columns the caller named that the header does not have.
    pub missing: Vec<(Field, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnUse {
    pub header: String,
    pub field: Option<Field>,
}

impl ColumnMapping {
    fn column(&self, field: Field) -> Option<usize> {
        self.columns.iter().position(|c| c.field == Some(field))
    }
}

/// The fields a row of header cells names, if it is a header row: at least two known names, one
/// of them the item's title or content.
pub fn header_fields<S: AsRef<str>>(cells: &[S]) -> Option<Vec<Option<Field>>> {
    let fields: Vec<Option<Field>> = cells.iter().map(|c| names::field_of(c.as_ref())).collect();
    let known = fields
        .iter()
        .flatten()
        .collect::<std::collections::HashSet<_>>();
    (known.len() >= 2 && (known.contains(&Field::Title) || known.contains(&Field::Content)))
        .then_some(fields)
}

/// The index of a table's header row among its first [`HEADER_SEARCH_ROWS`] rows.
pub fn header_row(rows: &[Vec<String>]) -> Option<usize> {
    rows.iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|row| header_fields(row).is_some())
}

/// One row as a line of tab-separated cells, quoted as Excel quotes cells it copies; empty cells
/// at the end are left off, so that a row with one cell is that cell's text.
pub fn tsv_line(cells: &[String]) -> String {
    let end = cells
        .iter()
        .rposition(|c| !c.trim().is_empty())
        .map_or(0, |i| i + 1);
    let mut line = String::new();
    for (i, cell) in cells[..end].iter().enumerate() {
        if i > 0 {
            line.push('\t');
        }
        let cell = cell.trim();
        if cell.contains(['\t', '\n', '\r', '"']) {
            line.push('"');
            line.push_str(&cell.replace('"', "\"\""));
            line.push('"');
        } else {
            line.push_str(cell);
        }
    }
    line
}

/// Whether `text` holds a header row of tab-separated cells among its first lines.
pub fn looks_like_columns(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(HEADER_SEARCH_ROWS)
        .any(|l| l.contains('\t') && header_fields(&l.split('\t').collect::<Vec<_>>()).is_some())
}

/// A record as read: its first line, its last, its cells (trimmed).
struct Record {
    line: usize,
    last_line: usize,
    cells: Vec<String>,
}

impl Record {
    fn cell(&self, column: Option<usize>) -> &str {
        column
            .and_then(|c| self.cells.get(c))
            .map_or("", String::as_str)
    }

    fn filled(&self) -> usize {
        self.cells.iter().filter(|c| !c.is_empty()).count()
    }
}

fn records(text: &str, warnings: &mut Vec<ParseWarning>) -> Vec<Record> {
    let lines = text.lines().count().max(1);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b'\t')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(1, |p| p.line() as usize);
                let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
                let breaks: usize = record.iter().map(|c| c.matches('\n').count()).sum();
                if cells.iter().any(|c| !c.is_empty()) {
                    out.push(Record {
                        line,
                        // A quote left open runs to the end of the text, trailing breaks too.
                        last_line: (line + breaks).min(lines),
                        cells,
                    });
                }
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| p.line() as usize);
                warnings.push(ParseWarning {
                    kind: WarningKind::Field,
                    line,
                    message: format!("第 {line} 行起的表格无法按列读取（{e}），其后各行未读"),
                });
                break;
            }
        }
    }
    out
}

/// The columns named by the caller (`overrides`, by header text) and the header's own names.
fn mapping(header: &Record, overrides: &[(Field, String)]) -> ColumnMapping {
    let mut columns: Vec<ColumnUse> = header
        .cells
        .iter()
        .map(|h| ColumnUse {
            header: h.clone(),
            field: names::field_of(h),
        })
        .collect();
    let mut missing = Vec::new();
    for (field, name) in overrides {
        let wanted = names::normalize(name);
        match header
            .cells
            .iter()
            .position(|h| !wanted.is_empty() && names::normalize(h) == wanted)
        {
            Some(at) => {
                for c in columns.iter_mut().filter(|c| c.field == Some(*field)) {
                    c.field = None;
                }
                columns[at].field = Some(*field);
            }
            None => missing.push((*field, name.clone())),
        }
    }
    // A field is read from its first column; a second column of the same name is unused.
    let mut seen = std::collections::HashSet::new();
    for c in &mut columns {
        if let Some(f) = c.field
            && !seen.insert(f)
        {
            c.field = None;
        }
    }
    ColumnMapping {
        header_line: header.line,
        columns,
        missing,
    }
}

/// The header row: the one holding most of the columns the caller named, else the first that
/// names its columns.
fn find_header(records: &[Record], overrides: &[(Field, String)]) -> Option<usize> {
    let searched = records.iter().take(HEADER_SEARCH_ROWS);
    let named = |r: &Record| {
        overrides
            .iter()
            .filter(|(_, name)| {
                r.cells
                    .iter()
                    .any(|c| names::normalize(c) == names::normalize(name))
            })
            .count()
    };
    let best = searched
        .clone()
        .enumerate()
        .map(|(i, r)| (named(r), std::cmp::Reverse(i)))
        .max()
        .filter(|(count, _)| *count > 0)
        .map(|(_, std::cmp::Reverse(i))| i);
    best.or_else(|| {
        searched
            .clone()
            .position(|r| header_fields(&r.cells).is_some())
    })
}

/// A 序号 cell's value: `3`, `３`, `3.`, `三`, `（三）`.
fn number_of(cell: &str) -> Option<i32> {
    let trimmed = cell
        .trim()
        .trim_matches(['(', ')', '（', '）', '、', '.', '．', '。', ' '])
        .trim();
    let ascii: String = unicode_normalization::UnicodeNormalization::nfkc(trimmed).collect();
    if let Ok(n) = ascii.parse::<i32>() {
        return (n > 0).then_some(n);
    }
    chinese_to_number(trimmed).and_then(|n| i32::try_from(n).ok())
}

/// A title as the system's own 台账 prints it carries its date (`…（截至2021-06-20）`): the
/// list's title is what comes before.
fn strip_as_of(title: &str) -> &str {
    match title.rfind("（截至") {
        Some(at) if title.ends_with('）') && at > 0 => &title[..at],
        _ => title,
    }
}

pub(super) fn parse(text: &str, year: Option<i32>, overrides: &[(Field, String)]) -> ParsedList {
    let mut warnings = Vec::new();
    let records = records(text, &mut warnings);
    let header_at = find_header(&records, overrides);
    let above = &records[..header_at.unwrap_or(records.len()).min(records.len())];
    let above_lines: Vec<&str> = above
        .iter()
        .filter(|r| r.filled() == 1 && sheet_marker(r).is_none())
        .filter_map(|r| r.cells.iter().find(|c| !c.is_empty()).map(String::as_str))
        .collect();
    let title = super::title::pick(&above_lines).map(|t| strip_as_of(t).to_owned());
    let year = list_year(
        year,
        title.as_deref(),
        records
            .iter()
            .flat_map(|r| r.cells.iter().map(String::as_str)),
    );
    let mut unattached = Vec::new();
    for r in above.iter().filter(|r| sheet_marker(r).is_none()) {
        let text = joined(r);
        if title.as_deref().is_some_and(|t| text.starts_with(t)) {
            continue;
        }
        loose(&mut unattached, r, text);
    }
    let Some(header_at) = header_at else {
        let overrides_named = !overrides.is_empty();
        warnings.push(ParseWarning {
            kind: WarningKind::Field,
            line: 1,
            message: if overrides_named {
                "前几行中没有一行同时含有所指定的各栏名称：请核对表头".to_owned()
            } else {
                "没有找到表头行（序号、事项名称、完成时限、牵头单位等栏名）".to_owned()
            },
        });
        return conclude(ParsedList {
            title,
            year,
            layout: Layout::Columns,
            items: Vec::new(),
            orphans: Vec::new(),
            unattached,
            warnings,
            issuer: None,
            // The first row of several cells, as the columns a clerk may name.
            columns: Some(
                records
                    .iter()
                    .take(HEADER_SEARCH_ROWS)
                    .find(|r| r.filled() >= 2)
                    .map_or_else(
                        || ColumnMapping {
                            header_line: 0,
                            columns: Vec::new(),
                            missing: overrides.to_vec(),
                        },
                        |r| ColumnMapping {
                            header_line: r.line,
                            columns: r
                                .cells
                                .iter()
                                .map(|h| ColumnUse {
                                    header: h.clone(),
                                    field: None,
                                })
                                .collect(),
                            missing: overrides.to_vec(),
                        },
                    ),
            ),
        });
    };
    let header = &records[header_at];
    let mapping = mapping(header, overrides);
    let mut reader = Reader {
        year,
        mapping: &mapping,
        header_keys: header.cells.iter().map(|c| names::normalize(c)).collect(),
        category: None,
        pending: Vec::new(),
        off_table: Vec::new(),
        unattached,
        current: None,
        last_number: None,
        items: Vec::new(),
        warnings,
    };
    for record in &records[header_at + 1..] {
        reader.row(record);
    }
    reader.finish();
    // Rows of one cell after the last item are text after the table (a signature, a date), and
    // a sheet without the table is text outside it.
    let after: Vec<&Record> = std::mem::take(&mut reader.pending)
        .into_iter()
        .chain(std::mem::take(&mut reader.off_table))
        .collect();
    for r in after {
        loose(&mut reader.unattached, r, joined(r));
    }
    let Reader {
        items,
        warnings,
        unattached,
        ..
    } = reader;
    conclude(ParsedList {
        title,
        year,
        layout: Layout::Columns,
        items,
        orphans: Vec::new(),
        unattached,
        warnings,
        columns: Some(mapping),
        issuer: None,
    })
}

/// The worksheet a row names, if it is a sheet's name as the file reader writes it.
fn sheet_marker(r: &Record) -> Option<&str> {
    match r
        .cells
        .iter()
        .filter(|c| !c.is_empty())
        .collect::<Vec<_>>()
        .as_slice()
    {
        [one] => super::file::sheet_of(one),
        _ => None,
    }
}

/// A row's filled cells as one text.
fn joined(r: &Record) -> String {
    r.cells
        .iter()
        .filter(|c| !c.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Adds a row to the text outside every item, joining it to the block it follows.
fn loose(unattached: &mut Vec<UnattachedText>, r: &Record, text: String) {
    match unattached.last_mut() {
        Some(block) if block.last_line + 1 == r.line => {
            block.text.push('\n');
            block.text.push_str(&text);
            block.last_line = r.last_line;
        }
        _ => unattached.push(UnattachedText {
            first_line: r.line,
            last_line: r.last_line,
            text,
        }),
    }
}

struct Reader<'a> {
    year: Option<i32>,
    mapping: &'a ColumnMapping,
    /// The header's cells as compared ([`names::normalize`]), to skip it where it is printed
    /// again.
    header_keys: Vec<String>,
    category: Option<String>,
    /// Rows of one cell since the last item: the last is the category of the items that follow
    /// it; after the last item, they are text after the table.
    pending: Vec<&'a Record>,
    /// The rows of a worksheet since its name, until the table's header appears on it (the
    /// list goes on on that sheet); if it never does, the sheet holds something else.
    off_table: Vec<&'a Record>,
    unattached: Vec<UnattachedText>,
    current: Option<ItemParts>,
    last_number: Option<i32>,
    items: Vec<super::ParsedItem>,
    warnings: Vec<ParseWarning>,
}

impl<'a> Reader<'a> {
    fn col(&self, field: Field) -> Option<usize> {
        self.mapping.column(field)
    }

    fn row(&mut self, r: &'a Record) {
        let same_as_header = r
            .cells
            .iter()
            .zip(&self.header_keys)
            .all(|(a, b)| names::normalize(a) == *b);
        if same_as_header {
            // The list goes on on another sheet: its name was structure, rows above the header
            // there are text outside the list.
            let skipped: Vec<&Record> = std::mem::take(&mut self.off_table)
                .into_iter()
                .filter(|r| sheet_marker(r).is_none())
                .collect();
            for r in skipped {
                loose(&mut self.unattached, r, joined(r));
            }
            return;
        }
        if sheet_marker(r).is_some() {
            self.finish();
            for p in std::mem::take(&mut self.pending) {
                loose(&mut self.unattached, p, joined(p));
            }
            self.off_table.push(r);
            return;
        }
        if !self.off_table.is_empty() {
            self.off_table.push(r);
            return;
        }
        let number_col = self.col(Field::Number);
        let number_cell = r.cell(number_col);
        let title_col = self.col(Field::Title).or(self.col(Field::Content));
        let title_cell = r.cell(title_col);
        // A category across the table: one filled cell, no number.
        if r.filled() == 1 && number_of(number_cell).is_none() {
            let only = r
                .cells
                .iter()
                .find(|c| !c.is_empty())
                .map_or("", String::as_str);
            let in_title_column = title_col.is_some_and(|c| r.cell(Some(c)) == only);
            let heading = category_heading(only);
            if heading.is_some() || !in_title_column {
                self.finish();
                self.pending.push(r);
                return;
            }
        }
        if let Some(category) = self.pending.pop() {
            for r in std::mem::take(&mut self.pending) {
                loose(&mut self.unattached, r, joined(r));
            }
            let only = category
                .cells
                .iter()
                .find(|c| !c.is_empty())
                .map_or("", String::as_str);
            let name = category_heading(only).map_or(only, |(_, t)| t);
            self.category = Some(name.trim().to_owned());
        }
        let number = number_col.and_then(|_| number_of(number_cell));
        let continues = self.current.is_some()
            && match number {
                // A merged 序号 read in each of its rows repeats the number (and the title).
                Some(n) => {
                    Some(n) == self.last_number
                        && (title_cell.is_empty()
                            || self.current.as_ref().is_some_and(|c| {
                                c.title.as_deref() == Some(title_cell)
                                    || c.tasks.first().is_some_and(|t| t.text == title_cell)
                            }))
                }
                None => number_col.is_some() && number_cell.is_empty() && title_cell.is_empty(),
            };
        if continues {
            self.continue_item(r);
            return;
        }
        self.finish();
        let (number, number_text) = match number {
            Some(n) => (
                n,
                number_cell
                    .trim()
                    .trim_end_matches(['、', '.', '．'])
                    .to_owned(),
            ),
            None => {
                let n = self.last_number.map_or(1, |l| l + 1);
                if number_col.is_some() {
                    self.warnings.push(ParseWarning {
                        kind: WarningKind::Field,
                        line: r.line,
                        message: if number_cell.is_empty() {
                            format!("第 {} 行没有序号：按顺序编为 {n}，请核对", r.line)
                        } else {
                            format!(
                                "第 {} 行的序号「{number_cell}」不是数字：按顺序编为 {n}，请核对",
                                r.line
                            )
                        },
                    });
                }
                (n, n.to_string())
            }
        };
        if let Some(last) = self.last_number
            && number > last + 1
        {
            let gap = if number - last == 2 {
                format!("序号 {}", last + 1)
            } else {
                format!("序号 {}–{}", last + 1, number - 1)
            };
            self.warnings.push(ParseWarning {
                kind: WarningKind::MissingNumber,
                line: r.line,
                message: format!("序号 {number} 紧接在序号 {last} 之后：缺少{gap}，请核对原表"),
            });
        }
        self.last_number = Some(number);
        let mut parts = ItemParts::new(number, &number_text, r.line);
        parts.last_line = r.last_line;
        let title = self.col(Field::Title).map(|c| r.cell(Some(c)).to_owned());
        parts.title = title.filter(|t| !t.is_empty());
        parts.category = self.category.clone();
        self.fill(&mut parts, r, true);
        self.current = Some(parts);
    }

    /// A row below an item, with no number and no title of its own: more of the same item.
    fn continue_item(&mut self, r: &Record) {
        let Some(mut parts) = self.current.take() else {
            return;
        };
        parts.last_line = r.last_line;
        self.fill(&mut parts, r, false);
        self.current = Some(parts);
    }

    fn fill(&self, parts: &mut ItemParts, r: &Record, first: bool) {
        let cell = |field| r.cell(self.col(field));
        let content = cell(Field::Content);
        let deadline = cell(Field::Deadline);
        // A second row with a deadline of its own is a second task (a merged cell's rows).
        if !first && !deadline.is_empty() && parts.task().deadline.is_some() {
            parts.tasks.push(Task::default());
        }
        // A merged content cell read again in the next row adds nothing.
        if !content.is_empty() && !parts.tasks.iter().any(|t| t.text == content) {
            parts.push_text(content, r.line);
        }
        if !deadline.is_empty() {
            let task = parts.task();
            match task.deadline.as_mut() {
                Some((text, _)) => {
                    text.push('；');
                    text.push_str(deadline);
                }
                None => task.deadline = Some((deadline.to_owned(), r.line)),
            }
        }
        for line in cell(Field::Lead)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            match super::table::cooperating_prefix(line) {
                Some(units) => parts
                    .units
                    .push((Role::Cooperating, units.to_owned(), r.line)),
                None => parts.units.push((Role::Lead, line.to_owned(), r.line)),
            }
        }
        let cooperating = cell(Field::Cooperating);
        if !cooperating.is_empty() {
            parts
                .units
                .push((Role::Cooperating, cooperating.to_owned(), r.line));
        }
        for person in cell(Field::People)
            .split(['、', '，', ',', '；', ';', '\n', ' ', '\u{3000}'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            if !parts.people.iter().any(|p| p == person) {
                parts.people.push(person.to_owned());
            }
        }
        let progress = cell(Field::Progress);
        if !progress.is_empty() {
            let p = parts.progress.get_or_insert_with(String::new);
            if !p.is_empty() {
                p.push('\n');
            }
            p.push_str(progress);
        }
        let category = cell(Field::Category);
        if !category.is_empty() {
            parts.category = Some(category.to_owned());
        }
        let note = cell(Field::Note);
        if !note.is_empty() {
            parts.notes.push(note.to_owned());
        }
    }

    fn finish(&mut self) {
        if let Some(parts) = self.current.take() {
            let item = parts.build(self.year, &mut self.warnings);
            self.items.push(item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listdoc::{ParseOptions, parse as parse_list};

    fn read(text: &str) -> ParsedList {
        parse_list(text, &ParseOptions::default())
    }

    #[test]
    fn an_ordinary_table_is_read_by_its_columns() {
        let list = read(
            "序号\t项目名称\t主要内容\t完成时限\t牵头单位\t配合单位\n\
             1\t新建城市书房\t建成城市书房10处。每处不少于50座\t2025年10月底\t市文旅局\t市财政局、市自然资源局\n\
             2\t改造老旧小区\t改造小区30个\t2025年12月底前\t市住建局\t\n",
        );
        assert_eq!(list.layout, Layout::Columns);
        assert_eq!(list.items.len(), 2, "{:?}", list.warnings);
        let first = &list.items[0];
        assert_eq!(first.title, "新建城市书房");
        assert_eq!(first.content, "建成城市书房10处。每处不少于50座");
        assert_eq!(first.deadline_text, "2025年10月底");
        assert_eq!(
            first.deadline.milestones[0].due_on.to_string(),
            "2025-10-31"
        );
        let names = |v: &[crate::department::DepartmentName]| {
            v.iter().map(|d| d.as_str().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(names(&first.lead_departments), ["市文旅局"]);
        assert_eq!(
            names(&first.cooperating_departments),
            ["市财政局", "市自然资源局"]
        );
        assert_eq!(first.first_line, 2);
        assert_eq!(list.items[1].first_line, 3);
        let mapping = list.columns.expect("a mapping");
        let fields: Vec<Option<Field>> = mapping.columns.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Some(Field::Number),
                Some(Field::Title),
                Some(Field::Content),
                Some(Field::Deadline),
                Some(Field::Lead),
                Some(Field::Cooperating)
            ]
        );
    }

    #[test]
    fn quoted_cells_keep_their_line_breaks_and_lines_count_them() {
        let list = read(
            "序号\t事项\t完成时限\t责任单位\n\
             1\t\"新建食堂\n每处50座\"\t6月底\t\"市民政局\n配合：市财政局\"\n\
             2\t改造操场\t9月底\t市教育局\n",
        );
        assert_eq!(list.items.len(), 2, "{:?}", list.warnings);
        assert_eq!(list.items[0].title, "新建食堂");
        assert_eq!(list.items[0].content, "新建食堂\n每处50座");
        assert_eq!(
            list.items[0].cooperating_departments[0].as_str(),
            "市财政局"
        );
        // The first row takes lines 2–4: its quoted cells hold line breaks.
        assert_eq!(list.items[0].last_line, 4);
        assert_eq!(list.items[1].first_line, 5);
    }

    #[test]
    fn a_title_above_the_header_categories_and_continued_rows() {
        let list = read(
            "附件1\n2025年市级民生实事项目清单\n序号\t实事项目\t目标任务\t完成时间\t责任单位\n\
             一、教育文化\n\
             1\t新建书房\t建设10处\t6月底前\t市文旅局\n\
             \t\t另改造5处\t12月底前\t\n\
             3\t改造操场\t\t9月底\t市教育局\n",
        );
        assert_eq!(list.title.as_deref(), Some("2025年市级民生实事项目清单"));
        assert_eq!(list.items.len(), 2, "{:?}", list.warnings);
        let first = &list.items[0];
        assert_eq!(first.category.as_deref(), Some("教育文化"));
        assert_eq!(first.content, "建设10处\n另改造5处");
        assert_eq!(first.deadline.milestones.len(), 2);
        assert!(
            list.warnings
                .iter()
                .any(|w| w.kind == WarningKind::MissingNumber && w.message.contains("序号 2")),
            "{:?}",
            list.warnings
        );
        // The attachment label is text outside the list, shown with its words.
        assert_eq!(list.unattached[0].text, "附件1");
    }

    #[test]
    fn named_columns_replace_the_guess_and_unknown_names_are_reported() {
        let text =
            "序号\t项目名称\t主要内容\t责任单位\t备用单位\n1\t书房\t建书房\t市文旅局\t市财政局\n";
        let options = ParseOptions {
            columns: vec![
                (Field::Lead, "备用单位".into()),
                (Field::Deadline, "时间".into()),
            ],
            ..ParseOptions::default()
        };
        let list = parse_list(text, &options);
        let mapping = list.columns.expect("mapping");
        assert_eq!(mapping.missing, [(Field::Deadline, "时间".to_owned())]);
        let options = ParseOptions {
            columns: vec![(Field::Lead, "备用单位".into())],
            ..ParseOptions::default()
        };
        let list = parse_list(text, &options);
        assert_eq!(list.items[0].lead_departments[0].as_str(), "市财政局");
        let mapping = list.columns.expect("mapping");
        assert_eq!(mapping.columns[3].field, None, "责任单位 is now unused");
        assert_eq!(mapping.columns[4].field, Some(Field::Lead));
    }

    #[test]
    fn tsv_lines_quote_what_excel_quotes() {
        assert_eq!(
            tsv_line(&["1".into(), "a\"b".into(), "x\ny".into(), String::new()]),
            "1\t\"a\"\"b\"\t\"x\ny\""
        );
        assert_eq!(tsv_line(&["标题".into(), String::new()]), "标题");
    }

    #[test]
    fn numbers_read_in_either_script() {
        assert_eq!(number_of("3"), Some(3));
        assert_eq!(number_of("３、"), Some(3));
        assert_eq!(number_of("（十二）"), Some(12));
        assert_eq!(number_of("备注"), None);
    }

    #[test]
    fn titles_are_found_as_a_reader_finds_them() {
        assert_eq!(
            crate::listdoc::title::pick(&["附件1", "2021年为民办实事项目清单"]),
            Some("2021年为民办实事项目清单")
        );
        assert_eq!(strip_as_of("民生清单（截至2021-06-20）"), "民生清单");
    }
}
