//! The import as both its callers run it (`api import` and the `importList` mutation): a file
//! or a text becomes text within the bounds, is parsed, its department names are compared with
//! the directory's, and it is stored or dry-run. The callers keep only what is theirs: reading
//! a path or decoding base64, and saying an error their way (a message, or a field path).

use sea_orm::DatabaseConnection;

use crate::{
    DomainError,
    department::suggestions::{NameForms, Suggestion, suggest},
    listdoc::{ParseOptions, ParsedList, file, parse},
    store::department::suggestions::for_list,
    text::{self, SourceError},
};

use super::{ImportOptions, ImportReport};

/// Why a source gave no text to parse.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be read (its kind, its damage, a bound).
    #[error("{0}")]
    File(#[from] file::FileError),
    /// The text read is more than may be imported, or holds what a list may not.
    #[error("{0}")]
    Text(#[from] SourceError),
}

/// The text of a list sent as a file called `name` (its extension says how to read it), within
/// `max_bytes` and `deadline`. Blocking: a large workbook takes a while.
pub fn read_file(
    name: &str,
    bytes: &[u8],
    max_bytes: usize,
    deadline: file::Deadline,
) -> Result<(file::FileKind, String), ReadError> {
    let (kind, text) = file::read(name, bytes, deadline)?;
    text::check_source(&text, max_bytes)?;
    Ok((kind, text))
}

/// A list sent as text, within `max_bytes`.
pub fn read_text(text: String, max_bytes: usize) -> Result<(file::FileKind, String), ReadError> {
    text::check_source(&text, max_bytes)?;
    Ok((file::FileKind::Text, text))
}

/// What to do with a list's text once read.
#[derive(Clone, Debug)]
pub struct Request {
    pub parse: ParseOptions,
    pub import: ImportOptions,
    /// Compute the report and roll it back: nothing is written.
    pub dry_run: bool,
}

/// What the import understood and did.
#[derive(Debug)]
pub struct Imported {
    pub file_kind: file::FileKind,
    pub parsed: ParsedList,
    /// Probable duplicates among the list's department names and the directory's.
    pub suggestions: Vec<Suggestion>,
    /// What was (or, on a dry run, would be) written; `None` when there was no database to
    /// compare with (a dry run of the CLI).
    pub report: Option<ImportReport>,
}

/// Parses `text` and stores it through `db` (or dry-runs it there). Without a database the
/// list's names are compared with each other only and nothing is reported as written.
pub async fn run(
    db: Option<&DatabaseConnection>,
    (file_kind, text): (file::FileKind, String),
    request: &Request,
    forms: &NameForms,
) -> Result<Imported, DomainError> {
    let parsed = parse(&text, &request.parse);
    let Some(db) = db else {
        let suggestions = suggest(&parsed.department_names(), &[], forms);
        return Ok(Imported {
            file_kind,
            parsed,
            suggestions,
            report: None,
        });
    };
    let suggestions = for_list(db, &parsed, forms).await?;
    let report = if request.dry_run {
        super::dry_run(db, &text, &parsed, &request.import).await?
    } else {
        super::import(db, &text, &parsed, &request.import).await?
    };
    Ok(Imported {
        file_kind,
        parsed,
        suggestions,
        report: Some(report),
    })
}
