//! The parts of one item as the table, categorized and run-on readers find them, put together
//! into a [`ParsedItem`] by one set of rules: departments split and checked, deadlines dated in
//! the list's year, values kept within the limits every entry point keeps.

use super::{ParseWarning, ParsedItem, WarningKind};
use crate::{
    deadline::Deadline,
    department::{DepartmentEntry, split_field},
    text,
};

/// A title is the item's first sentence, at most this long (the content keeps the whole text).
const TITLE_CHARS: usize = 60;

/// Which column or label a unit was printed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Lead,
    Cooperating,
}

/// A task with its own 完成时限 (a merged table cell can hold a second one).
#[derive(Clone, Debug, Default)]
pub struct Task {
    pub text: String,
    /// (the cell as printed, its line).
    pub deadline: Option<(String, usize)>,
}

#[derive(Clone, Debug, Default)]
pub struct ItemParts {
    pub number: i32,
    pub number_text: String,
    pub tasks: Vec<Task>,
    /// Unit lists as printed, with their role and line.
    pub units: Vec<(Role, String, usize)>,
    /// The item's name where a column prints it apart from its content (项目名称); else the
    /// title is the content's first sentence.
    pub title: Option<String>,
    /// 备注 cells, kept at the end of the content.
    pub notes: Vec<String>,
    pub people: Vec<String>,
    pub progress: Option<String>,
    pub category: Option<String>,
    pub first_line: usize,
    pub last_line: usize,
}

impl ItemParts {
    pub fn new(number: i32, number_text: &str, line: usize) -> Self {
        Self {
            number,
            number_text: number_text.to_owned(),
            first_line: line,
            last_line: line,
            ..Self::default()
        }
    }

    /// The task being read (a new one when there is none yet).
    pub fn task(&mut self) -> &mut Task {
        if self.tasks.is_empty() {
            self.tasks.push(Task::default());
        }
        let last = self.tasks.len() - 1;
        &mut self.tasks[last]
    }

    pub fn push_text(&mut self, text: &str, line: usize) {
        super::join_text(&mut self.task().text, text);
        self.last_line = self.last_line.max(line);
    }

    pub fn build(self, year: Option<i32>, warnings: &mut Vec<ParseWarning>) -> ParsedItem {
        let name = format!("事项 {}", self.number_text);
        let mut warn = |kind, line, message| {
            warnings.push(ParseWarning {
                kind,
                line,
                message,
            })
        };

        let tasks: Vec<&Task> = self
            .tasks
            .iter()
            .filter(|t| !t.text.trim().is_empty() || t.deadline.is_some())
            .collect();
        let mut content = String::new();
        for task in &tasks {
            if !content.is_empty() && !content.ends_with('\n') {
                content.push('\n');
            }
            content.push_str(task.text.trim());
        }
        let named = self
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if content.trim().is_empty()
            && let Some(named) = named
        {
            content = named.to_owned();
        }
        for note in &self.notes {
            if !content.is_empty() {
                content.push('\n');
            }
            content.push_str("备注：");
            content.push_str(note.trim());
        }
        if content.trim().is_empty() {
            warn(
                WarningKind::Field,
                self.first_line,
                format!("{name}没有事项内容"),
            );
        }
        let title = match named {
            // A name cell of several lines: its first line names the item, the rest is content.
            Some(named) => text::cut(
                named.lines().next().unwrap_or(named).trim(),
                text::MAX_TITLE_CHARS,
            ),
            None => first_sentence(&content),
        };

        // One task: its cell is the deadline. Several: each cell dates its own task.
        let dated: Vec<(&Task, &(String, usize))> = tasks
            .iter()
            .filter_map(|t| t.deadline.as_ref().map(|d| (*t, d)))
            .collect();
        let mut deadline_text = String::new();
        let mut deadline = Deadline {
            text: String::new(),
            milestones: Vec::new(),
            ongoing: false,
            problem: None,
        };
        for (task, (cell, line)) in &dated {
            let mut one = Deadline::parse(cell, year);
            if let Some(problem) = one.problem.take() {
                warn(
                    WarningKind::Deadline,
                    *line,
                    format!("{name}：完成时限：{problem}"),
                );
            }
            if dated.len() > 1 {
                let task_title = first_sentence(&task.text);
                for m in &mut one.milestones {
                    m.label = Some(match m.label.take() {
                        Some(clause) => format!("{task_title}：{clause}"),
                        None => task_title.clone(),
                    });
                }
            }
            if !deadline_text.is_empty() {
                deadline_text.push('；');
            }
            deadline_text.push_str(cell.trim());
            deadline.milestones.extend(one.milestones);
            deadline.ongoing |= one.ongoing;
        }
        deadline.text = deadline_text.clone();

        let mut lead = Vec::new();
        let mut cooperating = Vec::new();
        let mut generic = Vec::new();
        for (role, value, line) in &self.units {
            let into = match role {
                Role::Lead => &mut lead,
                Role::Cooperating => &mut cooperating,
            };
            for entry in split_field(value) {
                match entry {
                    DepartmentEntry::Department(d) if !into.contains(&d) => into.push(d),
                    DepartmentEntry::Department(_) => {}
                    DepartmentEntry::Generic(g) => generic.push(g),
                    DepartmentEntry::Refused(why) => warn(
                        WarningKind::Limit,
                        *line,
                        format!("{name}：责任单位：{why}，未导入"),
                    ),
                }
            }
        }
        if lead.is_empty() {
            warn(
                WarningKind::Field,
                self.first_line,
                format!("{name}没有写责任单位（牵头单位）"),
            );
        }

        let content = if content.chars().count() > text::MAX_CONTENT_CHARS {
            warn(
                WarningKind::Limit,
                self.first_line,
                format!(
                    "{name}：事项内容超过每项可存的 {} 字，只存前 {} 字",
                    text::MAX_CONTENT_CHARS,
                    text::MAX_CONTENT_CHARS
                ),
            );
            text::cut(&content, text::MAX_CONTENT_CHARS)
        } else {
            content
        };
        let deadline_text = text::cut(&deadline_text, text::MAX_TITLE_CHARS);
        ParsedItem {
            number: Some(self.number),
            number_text: Some(self.number_text),
            title,
            content,
            deadline_text,
            deadline,
            due_inferred: false,
            lead_departments: lead,
            cooperating_departments: cooperating,
            generic_phrases: generic,
            category: self
                .category
                .map(|c| text::cut(c.trim(), text::MAX_TITLE_CHARS)),
            responsible_people: self.people,
            progress: self
                .progress
                .filter(|p| !p.trim().is_empty())
                .map(|p| text::cut(p.trim(), text::MAX_NOTE_CHARS)),
            first_line: self.first_line,
            last_line: self.last_line,
        }
    }
}

/// The text up to its first full stop, at most [`TITLE_CHARS`] characters.
pub fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text.find(['。', '；', ';', '\n']).unwrap_or(text.len());
    let sentence = text[..end].trim_end_matches(['，', ',', '：', ':']).trim();
    text::cut(sentence, TITLE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_cell_dates_each_task_on_its_own() {
        let mut parts = ItemParts::new(5, "5", 10);
        parts.push_text("建设农贸市场3处", 11);
        parts.task().deadline = Some(("9月底前".into(), 13));
        parts.tasks.push(Task::default());
        parts.push_text("改造提升农贸市场5处", 14);
        parts.task().deadline = Some(("12月底前".into(), 15));
        parts.units.push((Role::Lead, "市商务局".into(), 12));
        let mut warnings = Vec::new();
        let item = parts.build(Some(2025), &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(item.title, "建设农贸市场3处");
        assert_eq!(item.content, "建设农贸市场3处\n改造提升农贸市场5处");
        assert_eq!(item.deadline_text, "9月底前；12月底前");
        let got: Vec<(String, Option<String>)> = item
            .deadline
            .milestones
            .iter()
            .map(|m| (m.due_on.to_string(), m.label.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("2025-09-30".to_owned(), Some("建设农贸市场3处".to_owned())),
                (
                    "2025-12-31".to_owned(),
                    Some("改造提升农贸市场5处".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn titles_are_first_sentences() {
        assert_eq!(
            first_sentence("新建食堂10处。每处不少于50座"),
            "新建食堂10处"
        );
        assert_eq!(first_sentence("改造，"), "改造");
    }
}
