//! The JSON shape of a parse, as `api import --format json` prints it (snake_case keys).

use serde::Serialize;

use super::{ParsedItem, ParsedList};

#[derive(Serialize)]
pub struct ParsedListJson<'a> {
    pub title: Option<&'a str>,
    /// Who published it, as its signature or title says (null: not found).
    pub issuer: Option<&'a str>,
    /// `newspaper`, `table`, `categorized`, `runon` or `columns`: the layout the text was read in.
    pub layout: super::Layout,
    pub year: Option<i32>,
    /// Items given the list's year end because they print no 完成时限 (`--year-end-default`).
    pub inferred_due_dates: usize,
    pub items: Vec<ItemJson<'a>>,
    pub orphans: Vec<ItemJson<'a>>,
    pub unattached: Vec<UnattachedJson<'a>>,
    pub warnings: Vec<WarningJson<'a>>,
    /// A table read by its columns: each header cell and the field it was read as (null:
    /// unused); null for the other layouts.
    pub columns: Option<Vec<ColumnJson<'a>>>,
}

#[derive(Serialize)]
pub struct ColumnJson<'a> {
    pub header: &'a str,
    /// `number`, `title`, `content`, `deadline`, `lead`, `cooperating`, …; null: not read.
    pub field: Option<super::columns::Field>,
}

#[derive(Serialize)]
pub struct ItemJson<'a> {
    pub number: Option<i32>,
    pub number_text: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
    /// As printed; null when the item prints none.
    pub deadline_text: Option<&'a str>,
    pub due_dates: Vec<String>,
    /// The due date is inferred (the list's year end), not printed.
    pub due_inferred: bool,
    pub ongoing: bool,
    pub lead_departments: Vec<&'a str>,
    pub cooperating_departments: Vec<&'a str>,
    pub generic_phrases: Vec<&'a str>,
    /// The category heading the item is printed under.
    pub category: Option<&'a str>,
    /// People named on the item (牵头领导, 项目责任人).
    pub responsible_people: Vec<&'a str>,
    /// Progress printed with the item (实际完成情况).
    pub progress: Option<&'a str>,
    pub lines: [usize; 2],
}

#[derive(Serialize)]
pub struct UnattachedJson<'a> {
    pub lines: [usize; 2],
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct WarningJson<'a> {
    pub line: usize,
    pub message: &'a str,
    /// `duplicate_number`, `orphan`, `field`, `deadline`, `limit`, …: what scripts branch on.
    pub kind: super::WarningKind,
}

impl<'a> From<&'a ParsedItem> for ItemJson<'a> {
    fn from(i: &'a ParsedItem) -> Self {
        Self {
            number: i.number,
            number_text: i.number_text.as_deref(),
            title: &i.title,
            content: &i.content,
            deadline_text: (!i.deadline_text.is_empty()).then_some(i.deadline_text.as_str()),
            due_dates: i
                .deadline
                .milestones
                .iter()
                .map(|m| m.due_on.to_string())
                .collect(),
            due_inferred: i.due_inferred,
            ongoing: i.deadline.ongoing,
            lead_departments: i.lead_departments.iter().map(|d| d.as_str()).collect(),
            cooperating_departments: i
                .cooperating_departments
                .iter()
                .map(|d| d.as_str())
                .collect(),
            generic_phrases: i.generic_phrases.iter().map(String::as_str).collect(),
            category: i.category.as_deref(),
            responsible_people: i.responsible_people.iter().map(String::as_str).collect(),
            progress: i.progress.as_deref(),
            lines: [i.first_line, i.last_line],
        }
    }
}

impl<'a> From<&'a ParsedList> for ParsedListJson<'a> {
    fn from(p: &'a ParsedList) -> Self {
        Self {
            title: p.title.as_deref(),
            issuer: p.issuer.as_deref(),
            layout: p.layout,
            year: p.year,
            inferred_due_dates: p.inferred_due_dates(),
            items: p.items.iter().map(ItemJson::from).collect(),
            orphans: p.orphans.iter().map(ItemJson::from).collect(),
            unattached: p
                .unattached
                .iter()
                .map(|u| UnattachedJson {
                    lines: [u.first_line, u.last_line],
                    text: &u.text,
                })
                .collect(),
            warnings: p
                .warnings
                .iter()
                .map(|w| WarningJson {
                    line: w.line,
                    message: &w.message,
                    kind: w.kind,
                })
                .collect(),
            columns: p.columns.as_ref().map(|m| {
                m.columns
                    .iter()
                    .map(|c| ColumnJson {
                        header: &c.header,
                        field: c.field,
                    })
                    .collect()
            }),
        }
    }
}
