//! `api import FILE [--year 2021] [--issuer 菏泽市] [--title 清单标题]
//! [--layout newspaper|table|categorized|runon|columns] [--column title=项目名称 …]
//! [--year-end-default] [--dry-run] [--format text|json]`.

use std::{fmt::Write as _, path::PathBuf};

use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::{
    Settings, db,
    department::suggestions::{NameForms, Suggestion},
    listdoc::{Layout, ParseOptions, ParsedItem, ParsedList, ParsedListJson, columns::Field, file},
    store::{
        audit::Actor,
        list_import::{
            ImportOptions, ImportOutcome, ImportReport,
            pipeline::{self, Request},
        },
    },
    text,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The list: text (UTF-8) as copied from the newspaper or a government site, or a file as
    /// published: .xlsx, .xls, .docx, .html or .csv (by its extension).
    pub file: PathBuf,
    /// Year of deadlines that print none (default: from the title, else the deadlines).
    #[arg(long)]
    pub year: Option<i32>,
    /// Who published the list, e.g. 菏泽市.
    #[arg(long)]
    pub issuer: Option<String>,
    /// The list's title (default: the line of the text that names the list, else the file's
    /// name).
    #[arg(long)]
    pub title: Option<String>,
    /// How the list is printed: newspaper, table, categorized, runon or columns (a table with
    /// a header row, as spreadsheets are read) (default: guessed from the text; the report
    /// names the one used).
    #[arg(long)]
    pub layout: Option<Layout>,
    /// Read a column as a field, by its header: `--column title=项目名称`, repeatable. Fields:
    /// number, title, content, deadline, lead, cooperating, people, progress, category, note.
    /// Columns not named keep what their header says.
    #[arg(long = "column", value_name = "FIELD=HEADER", value_parser = column_arg)]
    pub columns: Vec<(Field, String)>,
    /// 按年底推定到期日: give items that print no 完成时限 (annual goals) the list's year end as an inferred due
    /// date (按年度目标推定), so that reminders follow them.
    #[arg(long)]
    pub year_end_default: bool,
    /// Parse and report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Apply pending migrations first (PostgreSQL).
    #[arg(long)]
    pub migrate: bool,
}

/// Reads, parses and (unless a dry run) stores the list; prints the report on stdout.
pub async fn run(args: &ImportArgs, now: DateTime<Utc>) -> anyhow::Result<()> {
    let settings = Settings::load()?;
    let max = settings.import_max_bytes;
    // Refused before it is read: a list is a few hundred kilobytes, and one transaction holds
    // what is read.
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?
        .len();
    if usize::try_from(size).map_or(true, |size| size > max) {
        anyhow::bail!(
            "{}: {}",
            args.file.display(),
            text::SourceError::TooLarge {
                bytes: usize::try_from(size).unwrap_or(usize::MAX),
                max
            }
        );
    }
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let source = pipeline::read_file(
        &args.file.to_string_lossy(),
        &bytes,
        max,
        file::Deadline::after(settings.import_timeout),
        &args
            .columns
            .iter()
            .map(|(_, h)| h.clone())
            .collect::<Vec<_>>(),
    )
    .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was read", args.file.display()))?;
    let request = Request {
        parse: ParseOptions {
            year: args.year,
            layout: args.layout,
            year_end_default: args.year_end_default,
            columns: args.columns.clone(),
        },
        import: ImportOptions {
            issuer: args.issuer.clone(),
            actor: Actor::system("cli"),
            now,
        },
        dry_run: args.dry_run,
        title: args.title.clone(),
        file_name: Some(args.file.to_string_lossy().into_owned()),
    };
    let forms = NameForms::configured(&settings).map_err(anyhow::Error::msg)?;
    // A dry run opens no database: the list's names are compared with each other only.
    let db = if args.dry_run {
        None
    } else {
        Some(db::open_configured(&settings, args.migrate, db::PoolOptions::default()).await?)
    };
    let imported = pipeline::run(db.as_ref(), source, &request, &forms)
        .await
        .with_context(|| {
            format!(
                "importing {} failed; nothing was written",
                args.file.display()
            )
        })?;
    if let Some(db) = db {
        db.close().await?;
    }
    let pipeline::Imported {
        file_kind,
        parsed,
        suggestions,
        report,
    } = imported;

    let out = match args.format {
        Format::Json => {
            let mut value = serde_json::to_value(ParsedListJson::from(&parsed))?;
            if let Some(map) = value.as_object_mut() {
                let listed: Vec<serde_json::Value> = suggestions
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "name": s.name,
                            "probably": s.probably,
                            "reason": s.reason.to_string(),
                            "rule": serde_json::to_value(&s.reason).ok().and_then(|r| r.get("rule").cloned()),
                        })
                    })
                    .collect();
                map.insert("department_suggestions".into(), listed.into());
                map.insert("file_kind".into(), file_kind.as_str().into());
                if let Some(report) = &report {
                    map.insert("import".into(), serde_json::to_value(report)?);
                }
            }
            serde_json::to_string_pretty(&value)? + "\n"
        }
        Format::Text => {
            let report = text_report(&parsed, report.as_ref()) + &suggestions_report(&suggestions);
            if file_kind == file::FileKind::Text {
                report
            } else {
                format!("read from a {file_kind} file\n{report}")
            }
        }
    };
    print!("{out}");
    Ok(())
}

/// `title=项目名称`: a field and the header cell of its column.
fn column_arg(arg: &str) -> Result<(Field, String), String> {
    let (field, header) = arg
        .split_once('=')
        .ok_or_else(|| format!("'{arg}': expected FIELD=HEADER, e.g. title=项目名称"))?;
    let header = header.trim();
    if header.is_empty() {
        return Err(format!("'{arg}': the header is empty"));
    }
    Ok((field.parse()?, header.to_owned()))
}

/// A summary a person reads.
pub fn text_report(parsed: &ParsedList, report: Option<&ImportReport>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", parsed.title.as_deref().unwrap_or("(no title)"));
    let _ = writeln!(
        out,
        "layout {} · year {} · {} items · {} orphan fragments · {} unattached blocks · {} warnings",
        parsed.layout,
        parsed
            .year
            .map_or_else(|| "unknown".to_owned(), |y| y.to_string()),
        parsed.items.len(),
        parsed.orphans.len(),
        parsed.unattached.len(),
        parsed.warnings.len()
    );
    let inferred = parsed.inferred_due_dates();
    if inferred > 0 {
        let _ = writeln!(
            out,
            "{inferred} items print no 完成时限: due on the list's year end ({})",
            domain::listdoc::INFERRED_LABEL
        );
    }
    if let Some(mapping) = &parsed.columns {
        let read: Vec<String> = mapping
            .columns
            .iter()
            .filter_map(|c| c.field.map(|f| format!("{}={}", f, c.header)))
            .collect();
        let unused: Vec<&str> = mapping
            .columns
            .iter()
            .filter(|c| c.field.is_none() && !c.header.is_empty())
            .map(|c| c.header.as_str())
            .collect();
        let _ = writeln!(
            out,
            "columns (header on line {}): {}",
            mapping.header_line,
            read.join(" · ")
        );
        if !unused.is_empty() {
            let _ = writeln!(out, "columns not read: {}", unused.join(" · "));
        }
    }
    out.push('\n');
    let mut category = None;
    for item in &parsed.items {
        if item.category.is_some() && item.category != category {
            category.clone_from(&item.category);
            let _ = writeln!(out, "【{}】", item.category.as_deref().unwrap_or_default());
        }
        let _ = writeln!(
            out,
            "{:>6}、{}  (lines {}–{})",
            item.number_text.as_deref().unwrap_or("?"),
            item.title,
            item.first_line,
            item.last_line
        );
        describe(&mut out, item);
    }
    if !parsed.orphans.is_empty() {
        let _ = writeln!(out, "\norphan fragments (no heading; not stored):");
        for orphan in &parsed.orphans {
            let _ = writeln!(out, "  lines {}–{}", orphan.first_line, orphan.last_line);
            describe(&mut out, orphan);
        }
    }
    if !parsed.unattached.is_empty() {
        let _ = writeln!(out, "\nunattached text (belongs to no item; not stored):");
        for block in &parsed.unattached {
            let preview: String = block.text.chars().take(40).collect();
            let more = if block.text.chars().count() > 40 {
                "…"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  lines {}–{}: {preview}{more}",
                block.first_line, block.last_line
            );
        }
    }
    if !parsed.warnings.is_empty() {
        let _ = writeln!(out, "\nwarnings:");
        for w in &parsed.warnings {
            let _ = writeln!(out, "  line {}: {}", w.line, w.message);
        }
    }
    match report {
        None => {
            let _ = writeln!(out, "\ndry run: nothing was written");
        }
        Some(r) => {
            let outcome = match r.outcome {
                ImportOutcome::Created => "created",
                ImportOutcome::Updated => "updated",
                ImportOutcome::Unchanged => "unchanged (the same text was imported before)",
            };
            let _ = writeln!(out, "\nlist {}: {outcome}", r.list_id);
            let _ = writeln!(out, "  items added: {}", join_or_none(&r.items_added));
            let changed: Vec<String> = r
                .items_changed
                .iter()
                .map(|c| format!("{} ({})", c.number_text, c.fields.join(", ")))
                .collect();
            let _ = writeln!(out, "  items changed: {}", join_or_none(&changed));
            let _ = writeln!(
                out,
                "  items removed (closed): {}",
                join_or_none(&r.items_removed)
            );
            let _ = writeln!(
                out,
                "  departments created: {}",
                join_or_none(&r.departments_created)
            );
        }
    }
    out
}

/// Probable duplicates among the list's department names, for the administrator to accept.
pub fn suggestions_report(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\ndepartment suggestions (nothing was merged; accept one with `api alias add NAME PROBABLY`):\n",
    );
    for s in suggestions {
        let _ = writeln!(out, "  {} → probably {}: {}", s.name, s.probably, s.reason);
    }
    out
}

fn describe(out: &mut String, item: &ParsedItem) {
    let dates: Vec<String> = item
        .deadline
        .milestones
        .iter()
        .map(|m| match m.kind {
            domain::deadline::DueKind::Stage => format!("{} (stage)", m.due_on),
            domain::deadline::DueKind::Final => m.due_on.to_string(),
        })
        .collect();
    let ongoing = if item.deadline.ongoing {
        " + ongoing"
    } else {
        ""
    };
    let printed = if item.deadline_text.is_empty() {
        "(none printed)"
    } else {
        item.deadline_text.as_str()
    };
    let inferred = if item.due_inferred { " (inferred)" } else { "" };
    let _ = writeln!(
        out,
        "        完成时限 {printed} → {}{inferred}{ongoing}",
        join_or_none(&dates)
    );
    let lead: Vec<&str> = item.lead_departments.iter().map(|d| d.as_str()).collect();
    let cooperating: Vec<&str> = item
        .cooperating_departments
        .iter()
        .map(|d| d.as_str())
        .collect();
    let _ = writeln!(
        out,
        "        牵头 {} · 配合 {}",
        join_or_none(&lead),
        join_or_none(&cooperating)
    );
    if !item.generic_phrases.is_empty() {
        let _ = writeln!(out, "        note: {}", item.generic_phrases.join("、"));
    }
    if !item.responsible_people.is_empty() {
        let _ = writeln!(out, "        责任人 {}", item.responsible_people.join("、"));
    }
    if let Some(progress) = &item.progress {
        let _ = writeln!(out, "        进展 {progress}");
    }
}

fn join_or_none<S: AsRef<str>>(parts: &[S]) -> String {
    if parts.is_empty() {
        "none".to_owned()
    } else {
        parts
            .iter()
            .map(AsRef::as_ref)
            .collect::<Vec<_>>()
            .join("、")
    }
}
