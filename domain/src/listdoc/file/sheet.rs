//! Spreadsheets (calamine) and CSV (the csv crate): every sheet, in order, as a table.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::{Block, FileError, FileKind};

/// Every sheet of a workbook; a sheet's name is a paragraph before its rows when the workbook
/// has several.
pub fn workbook(kind: FileKind, bytes: &[u8]) -> Result<Vec<Block>, FileError> {
    let unreadable = |why: String| FileError::Unreadable { kind, why };
    let cursor = Cursor::new(bytes);
    let mut sheets = match kind {
        FileKind::Xls => calamine::Sheets::Xls(
            calamine::open_workbook_from_rs(cursor)
                .map_err(|e: calamine::XlsError| unreadable(e.to_string()))?,
        ),
        _ => calamine::Sheets::Xlsx(
            calamine::open_workbook_from_rs(cursor)
                .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?,
        ),
    };
    let names = sheets.sheet_names();
    let mut blocks = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let range = match sheets.worksheet_range_at(i) {
            Some(Ok(range)) => range,
            Some(Err(e)) => return Err(unreadable(e.to_string())),
            None => continue,
        };
        if range.is_empty() {
            continue;
        }
        if names.len() > 1 {
            blocks.push(Block::Paragraph(name.clone()));
        }
        blocks.push(Block::Table(
            range
                .rows()
                .map(|row| row.iter().map(cell_text).collect())
                .collect(),
        ));
    }
    Ok(blocks)
}

/// A cell as a person reads it: dates as 2025年10月31日, whole numbers without a decimal point.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::DateTime(dt) => dt
            .as_datetime()
            .map(|d| d.format("%Y年%-m月%-d日").to_string())
            .unwrap_or_else(|| cell.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

/// A CSV text (any number of fields per record) as one table.
pub fn csv(text: &str) -> Result<Block, FileError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Unreadable {
            kind: FileKind::Csv,
            why: e.to_string(),
        })?;
        rows.push(record.iter().map(str::to_owned).collect());
    }
    Ok(Block::Table(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_line_breaks() {
        let block =
            csv("序号,民生实事,责任单位\n1,新建书房,\"市文旅局\n市财政局\"\n").expect("csv");
        assert_eq!(
            block,
            Block::Table(vec![
                vec!["序号".into(), "民生实事".into(), "责任单位".into()],
                vec!["1".into(), "新建书房".into(), "市文旅局\n市财政局".into()],
            ])
        );
    }

    #[test]
    fn a_file_that_is_no_workbook_is_unreadable() {
        assert!(matches!(
            workbook(FileKind::Xlsx, b"not a zip"),
            Err(FileError::Unreadable {
                kind: FileKind::Xlsx,
                ..
            })
        ));
        assert!(matches!(
            workbook(FileKind::Xls, b"not ole"),
            Err(FileError::Unreadable {
                kind: FileKind::Xls,
                ..
            })
        ));
    }
}
