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
/// `max_bytes` and `deadline`; `headers` are header cells the caller named (`--column`), which
/// mark a table's header row. Blocking: a large workbook takes a while.
pub fn read_file(
    name: &str,
    bytes: &[u8],
    max_bytes: usize,
    deadline: file::Deadline,
    headers: &[String],
) -> Result<(file::FileKind, String), ReadError> {
    let (kind, text) = file::read_with(name, bytes, deadline, headers)?;
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
    /// The list's title as the caller gives it, over the one found in the text.
    pub title: Option<String>,
    /// The name of the file the list came in, if it came in one: its title when the text
    /// holds none (a sheet with a header row and no title row), and what errors name.
    pub file_name: Option<String>,
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
    let mut parsed = parse(&text, &request.parse);
    check_columns(&parsed, request)?;
    if let Some(title) = request
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        parsed.title = Some(crate::text::cut(title, crate::text::MAX_TITLE_CHARS));
    } else if parsed.title.is_none()
        && let Some(stem) = request.file_name.as_deref().and_then(file_stem)
    {
        parsed.title = Some(stem);
    }
    if parsed.title.is_some() {
        parsed
            .warnings
            .retain(|w| w.kind != crate::listdoc::WarningKind::NoTitle);
    }
    let parsed = parsed;
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
    // The issuer the caller gives, else the one the list names.
    let mut import = request.import.clone();
    if import.issuer.is_none() {
        import.issuer.clone_from(&parsed.issuer);
    }
    let report = if request.dry_run {
        super::dry_run(db, &text, &parsed, &import).await
    } else {
        super::import(db, &text, &parsed, &import).await
    }
    .map_err(|e| match e {
        // What the text lacks is the file's when a file was sent.
        DomainError::Validation { field, message } if field == "text" => match &request.file_name {
            Some(name) => {
                DomainError::validation("file", format!("「{}」：{message}", base_name(name)))
            }
            None => DomainError::validation("text", message),
        },
        other => other,
    })?;
    Ok(Imported {
        file_kind,
        parsed,
        suggestions,
        report: Some(report),
    })
}

/// Columns the caller named must be columns of the table's header, in a table read by its
/// columns: an error names the field (`columns.title`).
fn check_columns(parsed: &ParsedList, request: &Request) -> Result<(), DomainError> {
    let Some((field, _)) = request.parse.columns.first() else {
        return Ok(());
    };
    let Some(mapping) = &parsed.columns else {
        return Err(DomainError::validation(
            format!("columns.{field}"),
            "按栏目读取只适用于带表头行的表格（电子表格、CSV，或从 Excel 复制的单元格）",
        ));
    };
    if let Some((field, name)) = mapping.missing.first() {
        let headers: Vec<&str> = mapping
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .filter(|h| !h.is_empty())
            .collect();
        let message = if headers.is_empty() {
            format!("表格前几行中没有「{name}」这一栏")
        } else {
            format!("表头中没有「{name}」；表头各栏为：{}", headers.join("、"))
        };
        return Err(DomainError::validation(format!("columns.{field}"), message));
    }
    Ok(())
}

/// A file's name without its folder (`C:\\清单\\附件.xlsx` → `附件.xlsx`).
fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// A file's name without its folder and extension (`2025年民生实事.xlsx` → `2025年民生实事`).
fn file_stem(name: &str) -> Option<String> {
    let base = base_name(name);
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem).trim();
    (!stem.is_empty()).then(|| crate::text::cut(stem, crate::text::MAX_TITLE_CHARS))
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn a_file_names_its_list() {
        assert_eq!(
            file_stem("C:\\清单\\2025年民生实事.xlsx").as_deref(),
            Some("2025年民生实事")
        );
        assert_eq!(file_stem("list.csv").as_deref(), Some("list"));
        assert_eq!(file_stem(".xlsx"), None);
    }
}
