//! `importList`: an administrator imports (or dry-runs) a list text through the graph.

use crate::graphql::ids::Kind;
use async_graphql::{Context, Enum, ID, InputObject, Result, SimpleObject};
use domain::{
    DomainError,
    listdoc::{Layout, ParseOptions, columns::Field, file},
    store::{
        item, list_import,
        list_import::{ImportOptions, ImportOutcome, pipeline},
    },
};
use sea_orm::DatabaseConnection;

use crate::graphql::{
    error::{to_graphql, under},
    events::ItemChangeKind,
    ids, mutation,
    scalars::Date,
};

#[derive(InputObject)]
pub struct ImportListInput {
    /// The list as published (UTF-8 text). Give `text` or `file`, not both.
    pub text: Option<String>,
    /// The list as a file: .xlsx, .xls, .docx, .html, .csv or .txt (by its name).
    pub file: Option<ImportFileInput>,
    /// The year for deadlines that print none; else taken from the title.
    pub year: Option<i32>,
    /// Who published it, e.g. 菏泽市人民政府.
    pub issuer: Option<String>,
    /// The list's title, over the one read from the text (the line that names the list, else
    /// the file's name).
    pub title: Option<String>,
    /// For a table with a header row: which column is which field, by header text
    /// (`{title: "项目名称", lead: "责任单位"}`); columns not named keep what their header says.
    pub columns: Option<ImportColumnsInput>,
    /// Report what would change and write nothing.
    #[graphql(default)]
    pub dry_run: bool,
    /// How the list is printed; guessed from the text when absent.
    pub layout: Option<ImportLayout>,
    /// Items that print no 完成时限 (annual goals) get the list's year end as an inferred due
    /// date (按年度目标推定), so that reminders follow them. Null or absent: false.
    pub year_end_default: Option<bool>,
}

/// Columns named by their header cell, one per field.
#[derive(InputObject, Default)]
pub struct ImportColumnsInput {
    /// 序号.
    pub number: Option<String>,
    /// The item's name (项目名称).
    pub title: Option<String>,
    /// What is to be done (主要内容).
    pub content: Option<String>,
    /// 完成时限.
    pub deadline: Option<String>,
    /// 牵头单位.
    pub lead: Option<String>,
    /// 配合单位.
    pub cooperating: Option<String>,
    /// People (牵头领导, 责任人).
    pub people: Option<String>,
    /// 进展情况.
    pub progress: Option<String>,
    /// 类别.
    pub category: Option<String>,
    /// 备注 (kept in the content).
    pub note: Option<String>,
}

impl ImportColumnsInput {
    fn named(&self) -> Vec<(Field, String)> {
        [
            (Field::Number, &self.number),
            (Field::Title, &self.title),
            (Field::Content, &self.content),
            (Field::Deadline, &self.deadline),
            (Field::Lead, &self.lead),
            (Field::Cooperating, &self.cooperating),
            (Field::People, &self.people),
            (Field::Progress, &self.progress),
            (Field::Category, &self.category),
            (Field::Note, &self.note),
        ]
        .into_iter()
        .filter_map(|(f, h)| {
            h.as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(|h| (f, h.to_owned()))
        })
        .collect()
    }
}

/// What a column of a list's table was read as.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportColumnField {
    Number,
    Title,
    Content,
    Deadline,
    Lead,
    Cooperating,
    People,
    Progress,
    Category,
    Note,
}

impl From<Field> for ImportColumnField {
    fn from(f: Field) -> Self {
        match f {
            Field::Number => ImportColumnField::Number,
            Field::Title => ImportColumnField::Title,
            Field::Content => ImportColumnField::Content,
            Field::Deadline => ImportColumnField::Deadline,
            Field::Lead => ImportColumnField::Lead,
            Field::Cooperating => ImportColumnField::Cooperating,
            Field::People => ImportColumnField::People,
            Field::Progress => ImportColumnField::Progress,
            Field::Category => ImportColumnField::Category,
            Field::Note => ImportColumnField::Note,
        }
    }
}

/// A column of the list's table and what it was read as.
#[derive(SimpleObject)]
pub struct ImportColumn {
    /// The header cell as printed.
    pub header: String,
    /// The field it was read as; null: the column was not read.
    pub field: Option<ImportColumnField>,
    /// The field's name in Chinese (事项名称, 完成时限, …); null when not read.
    pub label: Option<String>,
}

/// A list file, as a browser reads it.
#[derive(InputObject)]
pub struct ImportFileInput {
    /// The file's name; its extension says what kind of file it is (清单.xlsx).
    pub name: String,
    /// The file's bytes, base64 (standard alphabet, with padding).
    pub base64: String,
}

/// What kind of file a list was read from.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportFileKind {
    Text,
    Csv,
    Xlsx,
    Xls,
    Docx,
    Html,
}

impl From<file::FileKind> for ImportFileKind {
    fn from(k: file::FileKind) -> Self {
        match k {
            file::FileKind::Text => ImportFileKind::Text,
            file::FileKind::Csv => ImportFileKind::Csv,
            file::FileKind::Xlsx => ImportFileKind::Xlsx,
            file::FileKind::Xls => ImportFileKind::Xls,
            file::FileKind::Docx => ImportFileKind::Docx,
            file::FileKind::Html => ImportFileKind::Html,
        }
    }
}

/// How a list is printed.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportLayout {
    /// Numbered headings with labelled fields under each (事项内容:, 完成时限:, 牵头部门:).
    Newspaper,
    /// A table flattened to one cell per line: 序号 and the header cells, then rows.
    Table,
    /// Category headings (一、教育文化) over items numbered 1. / （1）, units in parentheses.
    Categorized,
    /// Items that lost their line breaks, labelled inline (责任单位:…, 实际完成情况:…).
    Runon,
    /// A table with a header row, read by its columns (spreadsheets, CSV, cells copied from
    /// Excel).
    Columns,
}

impl From<ImportLayout> for Layout {
    fn from(l: ImportLayout) -> Self {
        match l {
            ImportLayout::Newspaper => Layout::Newspaper,
            ImportLayout::Table => Layout::Table,
            ImportLayout::Categorized => Layout::Categorized,
            ImportLayout::Runon => Layout::Runon,
            ImportLayout::Columns => Layout::Columns,
        }
    }
}

impl From<Layout> for ImportLayout {
    fn from(l: Layout) -> Self {
        match l {
            Layout::Newspaper => ImportLayout::Newspaper,
            Layout::Table => ImportLayout::Table,
            Layout::Categorized => ImportLayout::Categorized,
            Layout::Runon => ImportLayout::Runon,
            Layout::Columns => ImportLayout::Columns,
        }
    }
}

#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ImportListOutcome {
    Created,
    Updated,
    /// The same text was imported before.
    Unchanged,
}

/// What an import did (or, with `dryRun`, would do).
#[derive(SimpleObject)]
pub struct ImportListReport {
    /// The list; null for a dry run that would create it.
    pub list_id: Option<ID>,
    pub outcome: ImportListOutcome,
    pub dry_run: bool,
    /// The layout the text was read in (as asked, or guessed).
    pub layout: ImportLayout,
    /// The list's title: as given (`input.title`), else the line that names the list, else the
    /// file's name.
    pub title: Option<String>,
    /// The year deadlines that print none are read in.
    pub year: Option<i32>,
    /// Who published it: as given (`input.issuer`), else as the list's signature or title
    /// says.
    pub issuer: Option<String>,
    /// A table read by its columns: every header cell, in order, and what it was read as.
    /// Empty for the other layouts.
    pub columns: Vec<ImportColumn>,
    /// What the list came as: `TEXT` for `input.text`, else the file's kind.
    pub file_kind: ImportFileKind,
    /// Items read from the text.
    pub item_count: u64,
    /// Items given the list's year end because they print no 完成时限 (`yearEndDefault`).
    pub inferred_due_dates: u64,
    /// Numbers as printed.
    pub items_added: Vec<String>,
    pub items_changed: Vec<ChangedItem>,
    /// Items no longer in the text (closed, never deleted).
    pub items_removed: Vec<String>,
    pub departments_created: Vec<String>,
    /// Names the list prints that are probably known departments (or each other), spelt
    /// differently; nothing is merged.
    pub department_suggestions: Vec<ImportDepartmentSuggestion>,
    /// What the reader doubted, with line numbers.
    pub warnings: Vec<ImportWarning>,
    /// Every item as the reader understood it, in print order: what a preview shows before
    /// the list is imported.
    pub items: Vec<ImportItemPreview>,
    /// Text that belongs to no item (an attachment label, a notice's preamble, a signature),
    /// with its words: listed, not imported.
    pub unattached: Vec<ImportUnattachedText>,
}

/// Lines of the list outside every item.
#[derive(SimpleObject)]
pub struct ImportUnattachedText {
    pub line: u64,
    pub last_line: u64,
    pub text: String,
}

/// One item as read from the text.
#[derive(SimpleObject)]
pub struct ImportItemPreview {
    /// The line its number is printed on.
    pub line: u64,
    pub number_text: String,
    pub title: String,
    /// 完成时限 as printed.
    pub deadline_text: String,
    /// The dates read from it, earliest first.
    pub due_dates: Vec<Date>,
    /// 长期坚持 and the like.
    pub ongoing: bool,
    /// What could not be understood in the deadline.
    pub deadline_problem: Option<String>,
    pub lead_departments: Vec<String>,
    pub cooperating_departments: Vec<String>,
    /// The heading or column the item is listed under (教育文化).
    pub category: Option<String>,
    /// People named on the item (牵头领导, 项目责任人): stored with it, never as departments.
    pub responsible_people: Vec<String>,
    /// Progress printed with the item (实际完成情况): stored as its first progress report.
    pub progress: Option<String>,
}

/// A printed name that is probably another department.
#[derive(SimpleObject)]
pub struct ImportDepartmentSuggestion {
    pub name: String,
    pub probably: String,
    /// Why, in words.
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct ChangedItem {
    pub number_text: String,
    /// `title`, `content`, `deadline`, `departments`, …
    pub fields: Vec<String>,
}

#[derive(SimpleObject)]
pub struct ImportWarning {
    pub line: u64,
    pub message: String,
}

pub async fn run(
    ctx: &Context<'_>,
    input: ImportListInput,
    options: ImportOptions,
) -> Result<ImportListReport> {
    let settings = ctx.data::<std::sync::Arc<domain::Settings>>()?;
    let limit = settings.import_timeout.min(settings.graph.request_timeout);
    let source = source(&input, settings.import_max_bytes, limit)
        .await
        .map_err(to_graphql)?;
    let request = pipeline::Request {
        parse: ParseOptions {
            year: input.year,
            layout: input.layout.map(Layout::from),
            year_end_default: input.year_end_default.unwrap_or(false),
            columns: input
                .columns
                .as_ref()
                .map(ImportColumnsInput::named)
                .unwrap_or_default(),
        },
        import: ImportOptions {
            issuer: input.issuer.clone().filter(|i| !i.trim().is_empty()),
            ..options
        },
        dry_run: input.dry_run,
        title: input.title.clone(),
        file_name: input.file.as_ref().map(|f| f.name.clone()),
    };
    let db = ctx.data::<DatabaseConnection>()?;
    let forms = ctx.data::<std::sync::Arc<domain::department::suggestions::NameForms>>()?;
    let pipeline::Imported {
        file_kind,
        parsed,
        suggestions,
        report,
    } = pipeline::run(Some(db), source, &request, forms)
        .await
        .map_err(|e| to_graphql(under("input", e)))?;
    let report = report.ok_or_else(|| {
        to_graphql(DomainError::Database(sea_orm::DbErr::Custom(
            "an import with a database reported nothing".into(),
        )))
    })?;
    let outcome = match report.outcome {
        ImportOutcome::Created => ImportListOutcome::Created,
        ImportOutcome::Updated => ImportListOutcome::Updated,
        ImportOutcome::Unchanged => ImportListOutcome::Unchanged,
    };
    if !input.dry_run && outcome == ImportListOutcome::Updated {
        announce(ctx, db, &report).await;
    }
    let would_create = input.dry_run && outcome == ImportListOutcome::Created;
    Ok(ImportListReport {
        list_id: (!would_create).then(|| ids::encode(Kind::ProjectList, report.list_id)),
        outcome,
        dry_run: input.dry_run,
        layout: parsed.layout.into(),
        title: parsed.title.clone(),
        year: parsed.year,
        issuer: request.import.issuer.clone().or(parsed.issuer.clone()),
        columns: parsed
            .columns
            .iter()
            .flat_map(|m| &m.columns)
            .map(|c| ImportColumn {
                header: c.header.clone(),
                field: c.field.map(ImportColumnField::from),
                label: c.field.map(|f| f.label().to_owned()),
            })
            .collect(),
        file_kind: file_kind.into(),
        item_count: parsed.items.len() as u64,
        inferred_due_dates: parsed.inferred_due_dates() as u64,
        items_added: report.items_added,
        items_changed: report
            .items_changed
            .into_iter()
            .map(|c| ChangedItem {
                number_text: c.number_text,
                fields: c.fields.iter().map(|f| (*f).to_owned()).collect(),
            })
            .collect(),
        items_removed: report.items_removed,
        departments_created: report.departments_created,
        department_suggestions: suggestions
            .into_iter()
            .map(|s| ImportDepartmentSuggestion {
                reason: s.reason.to_string(),
                name: s.name,
                probably: s.probably,
            })
            .collect(),
        items: parsed
            .items
            .iter()
            .map(|i| {
                let mut due_dates: Vec<Date> = i
                    .deadline
                    .milestones
                    .iter()
                    .map(|m| Date(m.due_on))
                    .collect();
                due_dates.sort_by_key(|d| d.0);
                ImportItemPreview {
                    line: i.first_line as u64,
                    number_text: i.number_text.clone().unwrap_or_default(),
                    title: i.title.clone(),
                    deadline_text: i.deadline_text.clone(),
                    due_dates,
                    ongoing: i.deadline.ongoing,
                    deadline_problem: i.deadline.problem.clone(),
                    lead_departments: names(&i.lead_departments),
                    cooperating_departments: names(&i.cooperating_departments),
                    category: i.category.clone(),
                    responsible_people: i.responsible_people.clone(),
                    progress: i.progress.clone(),
                }
            })
            .collect(),
        unattached: parsed
            .unattached
            .iter()
            .map(|u| ImportUnattachedText {
                line: u.first_line as u64,
                last_line: u.last_line as u64,
                text: u.text.clone(),
            })
            .collect(),
        warnings: parsed
            .warnings
            .iter()
            .map(|w| ImportWarning {
                line: w.line as u64,
                message: w.message.clone(),
            })
            .collect(),
    })
}

fn names(departments: &[domain::department::DepartmentName]) -> Vec<String> {
    departments.iter().map(|d| d.as_str().to_owned()).collect()
}

/// List files read at once: each is bounded in memory and time, and more wait rather than
/// take every core from the requests beside them.
static FILE_READS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// The list's text, from `input.text` or read out of `input.file` on a blocking thread that
/// stops after `limit`, within the importer's limits; errors name the field and the file.
async fn source(
    input: &ImportListInput,
    max: usize,
    limit: std::time::Duration,
) -> Result<(file::FileKind, String), DomainError> {
    use base64::Engine;
    match (&input.text, &input.file) {
        (Some(text), None) => pipeline::read_text(text.clone(), max)
            .map_err(|e| DomainError::validation("input.text", e.to_string())),
        (None, Some(f)) => {
            // Base64 is 4/3 of the bytes: a larger string is refused before it is decoded.
            if f.base64.len() / 4 * 3 > max {
                return Err(DomainError::validation(
                    "input.file.base64",
                    domain::text::SourceError::TooLarge {
                        bytes: f.base64.len() / 4 * 3,
                        max,
                    }
                    .to_string(),
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(f.base64.trim())
                .map_err(|e| {
                    DomainError::validation("input.file.base64", format!("不是 base64 编码：{e}"))
                })?;
            let deadline = file::Deadline::after(limit);
            let _permit = FILE_READS
                .acquire()
                .await
                .expect("the semaphore is never closed");
            // Waiting for a turn counts: a file that gets none in time is not read at all.
            deadline
                .check(file::FileKind::from_name(&f.name).unwrap_or(file::FileKind::Text))
                .map_err(|e| DomainError::validation("input.file", format!("「{}」{e}", f.name)))?;
            let name = f.name.clone();
            let headers: Vec<String> = input
                .columns
                .as_ref()
                .map(ImportColumnsInput::named)
                .unwrap_or_default()
                .into_iter()
                .map(|(_, h)| h)
                .collect();
            let read = tokio::task::spawn_blocking(move || {
                pipeline::read_file(&name, &bytes, max, deadline, &headers)
            })
            .await
            .map_err(|e| {
                // A reader that panicked is a bug; the caller learns only that the file
                // could not be read.
                tracing::error!(error = %e, file = %f.name, "reading a list file panicked");
                DomainError::validation("input.file", format!("「{}」无法读取", f.name))
            })?;
            read.map_err(|e| {
                let field = match e {
                    pipeline::ReadError::File(file::FileError::Unsupported(_)) => "input.file.name",
                    _ => "input.file",
                };
                DomainError::validation(field, format!("「{}」{e}", f.name))
            })
        }
        _ => Err(DomainError::validation(
            "input",
            "请以文本或文件二者之一提供清单",
        )),
    }
}

/// Tells `itemChanged` subscribers of a list what a committed re-import changed. (A new list
/// has no subscribers yet: subscribing needs the list.)
async fn announce(ctx: &Context<'_>, db: &DatabaseConnection, report: &list_import::ImportReport) {
    let items = match item::of_list(db, report.list_id).await {
        Ok(items) => items,
        Err(e) => {
            tracing::error!(error = %e, list_id = report.list_id, "the import committed, but its changes could not be announced to subscribers");
            return;
        }
    };
    let kinds = report
        .items_added
        .iter()
        .map(|n| (n, ItemChangeKind::Created))
        .chain(
            report
                .items_changed
                .iter()
                .map(|c| (&c.number_text, ItemChangeKind::Updated)),
        )
        .chain(
            report
                .items_removed
                .iter()
                .map(|n| (n, ItemChangeKind::Deleted)),
        );
    for (number_text, kind) in kinds {
        if let Some(item) = items.iter().find(|i| &i.number_text == number_text) {
            mutation::published(ctx, kind, item).await;
        }
    }
}
