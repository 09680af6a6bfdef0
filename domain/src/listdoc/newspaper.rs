//! The newspaper layout: a title, numbered headings (`三、提高…`), and under each the fields
//! 事项内容, 完成时限, 牵头部门, 配合部门 (or their synonyms). Columns interleave, pages break
//! mid-list and unrelated articles follow.

use std::collections::HashMap;

use super::{
    Layout, ParseWarning, ParsedItem, ParsedList, UnattachedText, WarningKind, conclude, join_text,
    most_common_year,
    scan::{FieldKind, Line, classify},
    year_in,
};
use crate::{
    deadline::Deadline,
    department::{DepartmentEntry, split_field},
    text,
};

/// An item or fragment while its lines are being read.
struct Draft {
    number: Option<(i32, String)>,
    title: String,
    content: String,
    fields: HashMap<FieldKind, (String, usize)>,
    last_field: Option<FieldKind>,
    first_line: usize,
    last_line: usize,
    closed: bool,
    /// Lines of text read as content after a non-content field (the interleaved-column case).
    late_content_lines: Vec<usize>,
}

impl Draft {
    fn new(number: Option<(i32, String)>, title: String, line: usize) -> Self {
        Self {
            number,
            title,
            content: String::new(),
            fields: HashMap::new(),
            last_field: None,
            first_line: line,
            last_line: line,
            closed: false,
            late_content_lines: Vec::new(),
        }
    }

    fn name(&self) -> String {
        match &self.number {
            Some((_, text)) => format!("事项 {text}"),
            None => format!("第 {} 行起的无主片段", self.first_line),
        }
    }

    /// Text read as the item's 事项内容: after its labelled value when there is one.
    fn add_content(&mut self, text: &str) {
        match self.fields.get_mut(&FieldKind::Content) {
            Some((value, _)) => join_text(value, text),
            None => join_text(&mut self.content, text),
        }
    }
}

/// The reader of one list: it takes the lines one by one, one method per kind of line, and
/// keeps what it has read so far.
struct Parser {
    /// The field that closes an item (the last kind of field the list prints).
    closing_field: FieldKind,
    /// The year deadlines without one are read in.
    year: Option<i32>,
    title: Option<String>,
    /// Whether anything but the title has been read (a text line after it is no title).
    seen_content: bool,
    /// The item or fragment being read.
    current: Option<Draft>,
    /// Text outside every item, being read.
    loose: Option<UnattachedText>,
    items: Vec<ParsedItem>,
    orphans: Vec<ParsedItem>,
    unattached: Vec<UnattachedText>,
    warnings: Vec<ParseWarning>,
}

impl Parser {
    fn warn(&mut self, kind: WarningKind, line: usize, message: String) {
        self.warnings.push(ParseWarning {
            kind,
            line,
            message,
        });
    }

    /// `value` cut to `max` characters, with a warning naming the line when it was longer.
    fn within(&mut self, line: usize, name: &str, what: &str, value: String, max: usize) -> String {
        let count = value.chars().count();
        if count <= max {
            return value;
        }
        self.warn(
            WarningKind::Limit,
            line,
            format!("{name}：{what}有 {count} 字，超过每项可存的 {max} 字，只存前 {max} 字"),
        );
        text::cut(&value, max)
    }

    fn new(closing_field: FieldKind, year: Option<i32>) -> Self {
        Self {
            closing_field,
            year,
            title: None,
            seen_content: false,
            current: None,
            loose: None,
            items: Vec::new(),
            orphans: Vec::new(),
            unattached: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Reads line `no`.
    fn line(&mut self, no: usize, line: Line<'_>) {
        if !matches!(line, Line::Text(_) | Line::Blank) {
            self.unattached.extend(self.loose.take());
        }
        match line {
            Line::Blank | Line::PageMarker => {}
            Line::Heading {
                number,
                number_text,
                title,
            } => self.heading(no, number, number_text, title),
            Line::Field { kind, value } => self.field(no, kind, value),
            Line::Text(text) => self.text(no, text),
        }
    }

    /// `三、…`: the previous item is done, a new one starts.
    fn heading(&mut self, no: usize, number: i32, number_text: &str, title: &str) {
        self.seen_content = true;
        if let Some(done) = self.current.take() {
            self.finish(done);
        }
        self.current = Some(Draft::new(
            Some((number, number_text.to_owned())),
            title.to_owned(),
            no,
        ));
    }

    /// `完成时限:…`: a field of the current item, or the start of a fragment under no heading
    /// (after the item's closing field, or a second field of the same kind).
    fn field(&mut self, no: usize, kind: FieldKind, value: &str) {
        self.seen_content = true;
        let starts_fragment = match &self.current {
            None => true,
            Some(d) => d.closed || d.fields.contains_key(&kind),
        };
        if starts_fragment {
            if let Some(done) = self.current.take() {
                if !done.closed {
                    let name = done.name();
                    self.warn(
                        WarningKind::Field,
                        no,
                        format!(
                            "{name}出现第二个「{}」栏：从这里起的各行作为无标题的片段读取",
                            kind.label()
                        ),
                    );
                }
                self.finish(done);
            }
            self.current = Some(Draft::new(None, String::new(), no));
        }
        let closing_field = self.closing_field;
        if let Some(draft) = self.current.as_mut() {
            draft.fields.insert(kind, (value.to_owned(), no));
            draft.last_field = Some(kind);
            draft.last_line = no;
            draft.closed = kind >= closing_field;
        }
    }

    /// Text: the title, a continuation of the current item's field, or text outside every item.
    fn text(&mut self, no: usize, text: &str) {
        if self.title.is_none() && !self.seen_content {
            self.title = Some(text.to_owned());
            self.seen_content = true;
            return;
        }
        let Some(draft) = self.current.as_mut().filter(|d| !d.closed) else {
            match self.loose.as_mut() {
                Some(block) => {
                    join_text(&mut block.text, text);
                    block.last_line = no;
                }
                None => {
                    self.loose = Some(UnattachedText {
                        first_line: no,
                        last_line: no,
                        text: text.to_owned(),
                    });
                }
            }
            return;
        };
        match draft.last_field {
            // A department list broken after a separator continues on the next line.
            Some(kind @ (FieldKind::Lead | FieldKind::Cooperating))
                if draft
                    .fields
                    .get(&kind)
                    .is_some_and(|(v, _)| v.trim_end().ends_with(['、', ',', '，', ';', '；'])) =>
            {
                if let Some((value, _)) = draft.fields.get_mut(&kind) {
                    value.push_str(text);
                }
            }
            Some(FieldKind::Content) | None => draft.add_content(text),
            Some(_) => {
                draft.late_content_lines.push(no);
                draft.add_content(text);
            }
        }
        draft.last_line = no;
    }

    /// The list, once every line is read: the last item closed, and what the whole list shows
    /// (text outside every item, numbers printed twice, no title) reported.
    fn finish_list(mut self) -> ParsedList {
        if let Some(done) = self.current.take() {
            self.finish(done);
        }
        self.unattached.extend(self.loose.take());
        conclude(ParsedList {
            title: self.title,
            year: self.year,
            layout: Layout::Newspaper,
            items: self.items,
            orphans: self.orphans,
            unattached: self.unattached,
            warnings: self.warnings,
            columns: None,
            issuer: None,
        })
    }

    /// An item or fragment is done: its fields checked and read, and it is kept.
    fn finish(&mut self, draft: Draft) {
        let name = draft.name();
        let closing = self.closing_field;
        if !draft.closed && !draft.late_content_lines.is_empty() {
            let (first, last) = (
                draft.late_content_lines[0],
                draft.late_content_lines[draft.late_content_lines.len() - 1],
            );
            self.warn(
                WarningKind::Field,
                first,
                format!(
                    "{name}没有「{}」栏；最后一栏之后第 {first}–{last} 行的文字已作为事项内容读取，请核对",
                    closing.label()
                ),
            );
        }
        if draft.number.is_some() {
            for kind in [FieldKind::Deadline, FieldKind::Lead] {
                if !draft.fields.contains_key(&kind) {
                    self.warn(
                        WarningKind::Field,
                        draft.first_line,
                        format!("{name}没有「{}」栏", kind.label()),
                    );
                }
            }
            let labelled = draft
                .fields
                .get(&FieldKind::Content)
                .is_some_and(|(v, _)| !v.trim().is_empty());
            if !labelled && draft.content.trim().is_empty() {
                self.warn(
                    WarningKind::Field,
                    draft.first_line,
                    format!("{name}没有事项内容"),
                );
            }
        } else {
            self.warn(
                WarningKind::Orphan,
                draft.first_line,
                format!(
                    "第 {}–{} 行的栏目不在任何编号标题之下（标题可能在另一页）：作为无主片段列出，未导入",
                    draft.first_line, draft.last_line
                ),
            );
        }

        let mut lead = Vec::new();
        let mut cooperating = Vec::new();
        let mut generic = Vec::new();
        for (kind, into) in [
            (FieldKind::Lead, &mut lead),
            (FieldKind::Cooperating, &mut cooperating),
        ] {
            if let Some((value, line)) = draft.fields.get(&kind) {
                for entry in split_field(value) {
                    match entry {
                        DepartmentEntry::Department(d) if !into.contains(&d) => into.push(d),
                        DepartmentEntry::Department(_) => {}
                        DepartmentEntry::Generic(g) => generic.push(g),
                        DepartmentEntry::Refused(why) => self.warn(
                            WarningKind::Limit,
                            *line,
                            format!("{name}：{}：{why}，未导入", kind.label()),
                        ),
                    }
                }
            }
        }
        let (deadline_text, deadline_line) = draft
            .fields
            .get(&FieldKind::Deadline)
            .cloned()
            .unwrap_or_default();
        let mut content = draft.content;
        if let Some((value, _)) = draft.fields.get(&FieldKind::Content) {
            // The labelled value comes first; text read before it (rare) follows.
            let mut labelled = value.clone();
            if !content.is_empty() {
                join_text(&mut labelled, &content);
            }
            content = labelled;
        }
        let deadline = Deadline::parse(&deadline_text, self.year);
        if let Some(problem) = deadline
            .problem
            .as_deref()
            .filter(|_| !deadline_text.trim().is_empty())
        {
            self.warn(
                WarningKind::Deadline,
                deadline_line,
                format!("{name}：完成时限：{problem}"),
            );
        }
        // The limits every entry point keeps; the whole text stays in the list's source.
        let title = self.within(
            draft.first_line,
            &name,
            "标题",
            draft.title,
            text::MAX_TITLE_CHARS,
        );
        let content = self.within(
            draft.first_line,
            &name,
            "事项内容",
            content,
            text::MAX_CONTENT_CHARS,
        );
        let deadline_text = self.within(
            deadline_line,
            &name,
            "完成时限",
            deadline_text,
            text::MAX_TITLE_CHARS,
        );
        let item = ParsedItem {
            number: draft.number.as_ref().map(|(n, _)| *n),
            number_text: draft.number.map(|(_, t)| t),
            title,
            content,
            deadline,
            deadline_text,
            due_inferred: false,
            lead_departments: lead,
            cooperating_departments: cooperating,
            generic_phrases: generic,
            category: None,
            responsible_people: Vec::new(),
            progress: None,
            first_line: draft.first_line,
            last_line: draft.last_line,
        };
        if item.number.is_some() {
            self.items.push(item);
        } else {
            self.orphans.push(item);
        }
    }
}

/// Reads `text` (its byte-order mark removed) in the newspaper layout.
pub(super) fn parse(text: &str, year: Option<i32>) -> ParsedList {
    let lines: Vec<(usize, Line<'_>)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, classify(l)))
        .collect();
    let closing_field = lines
        .iter()
        .filter_map(|(_, l)| match l {
            Line::Field { kind, .. } => Some(*kind),
            _ => None,
        })
        .max()
        .unwrap_or(FieldKind::Cooperating);

    // Deadlines that print no year need the list's year before any item is finished.
    let title_line = lines.iter().find_map(|(_, l)| match l {
        Line::Blank | Line::PageMarker => None,
        Line::Text(t) => Some(Some(*t)),
        _ => Some(None),
    });
    let year = year
        .or_else(|| title_line.flatten().and_then(year_in))
        .or_else(|| {
            most_common_year(lines.iter().filter_map(|(_, l)| match l {
                Line::Field {
                    kind: FieldKind::Deadline,
                    value,
                } => Some(*value),
                _ => None,
            }))
        });

    let mut parser = Parser::new(closing_field, year);
    for (no, line) in lines {
        parser.line(no, line);
    }
    parser.finish_list()
}
