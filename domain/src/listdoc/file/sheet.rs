//! Spreadsheets (calamine) and CSV (the csv crate): every sheet, in order, as a table.
//!
//! A sheet's filled cells are read one at a time and laid out by this module, not by calamine's
//! `Range`, which allocates the box between the first and the last cell: two cells at `A1` and
//! `XFD1048576` made it ask for 21.6 GB. A `.xls` is scanned for the positions its cells and
//! dimensions claim before calamine opens it, since calamine lays out every sheet as it opens.

use std::{collections::BTreeMap, io::Cursor};

use calamine::{Data, DataRef, Reader};

use super::{
    Block, FileError, FileKind, archive,
    limits::{CellBudget, Deadline, MAX_AREA, check_area, too_large},
};

/// Every sheet of a workbook; a sheet's name comes before its rows ([`Block::Sheet`]) when the
/// workbook has several.
pub fn workbook(kind: FileKind, bytes: &[u8], deadline: Deadline) -> Result<Vec<Block>, FileError> {
    let unreadable = |why: String| FileError::Unreadable { kind, why };
    let mut budget = CellBudget::new(kind, deadline);
    let mut sheets = Vec::new();
    if kind == FileKind::Xls {
        xls_extent(bytes, deadline)?;
        let mut workbook: calamine::Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
            .map_err(|e: calamine::XlsError| unreadable(e.to_string()))?;
        for (i, name) in workbook.sheet_names().into_iter().enumerate() {
            let range = match workbook.worksheet_range_at(i) {
                Some(range) => range.map_err(|e| unreadable(e.to_string()))?,
                None => continue,
            };
            let (top, left) = range.start().unwrap_or_default();
            let mut cells = Cells::default();
            for (row, column, value) in range.used_cells() {
                let column = left + column as u32;
                budget.cell(column)?;
                cells.put(top + row as u32, column, value);
            }
            // A sheet whose merged cells cannot be listed is read without them.
            let merged = workbook
                .merge_cells_by_sheet_name(&name)
                .unwrap_or_default();
            cells.fill_merged(&merged, &mut budget)?;
            sheets.push((name, cells));
        }
    } else {
        archive::check(kind, bytes, deadline)?;
        let mut workbook: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| unreadable(e.to_string()))?;
        for name in workbook.sheet_names() {
            let mut reader = match workbook.worksheet_cells_reader(&name) {
                Ok(reader) => reader,
                // A chart sheet or a dialog: no cells.
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(unreadable(e.to_string())),
            };
            let mut cells = Cells::default();
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(e.to_string()))? {
                if matches!(cell.get_value(), DataRef::Empty) {
                    continue;
                }
                let (row, column) = cell.get_position();
                budget.cell(column)?;
                cells.put(row, column, &Data::from(cell.get_value().clone()));
            }
            drop(reader);
            let merged = workbook
                .merge_cells_by_sheet_name(&name)
                .unwrap_or_default();
            cells.fill_merged(&merged, &mut budget)?;
            sheets.push((name, cells));
        }
    }
    let several = sheets.len() > 1;
    let mut blocks = Vec::new();
    for (name, cells) in sheets {
        if cells.rows.is_empty() {
            continue;
        }
        if several {
            blocks.push(Block::Sheet(name));
        }
        blocks.push(Block::Table(cells.table(kind)?));
    }
    Ok(blocks)
}

/// A sheet's filled cells by row, as read.
#[derive(Default)]
struct Cells {
    rows: BTreeMap<u32, Vec<(u32, String)>>,
    first_column: Option<u32>,
    last_column: u32,
}

impl Cells {
    fn put(&mut self, row: u32, column: u32, value: &Data) {
        let text = cell_text(value);
        if text.is_empty() {
            return;
        }
        self.first_column = Some(self.first_column.map_or(column, |c| c.min(column)));
        self.last_column = self.last_column.max(column);
        self.rows.entry(row).or_default().push((column, text));
    }

    /// A merged cell spanning rows (a 牵头单位 shared by three items, an item's 序号 over its two
    /// tasks) is read in every filled row it covers, as a reader of the sheet sees it. Only rows
    /// already filled are visited, and each visit counts against the budget: a sheet claiming
    /// vast merged areas costs no more than its cells.
    fn fill_merged(
        &mut self,
        regions: &[calamine::Dimensions],
        budget: &mut CellBudget,
    ) -> Result<(), FileError> {
        for region in regions {
            let ((top, column), (bottom, _)) = (region.start, region.end);
            if bottom <= top {
                continue;
            }
            let Some(value) = self
                .rows
                .get(&top)
                .and_then(|cells| cells.iter().find(|(c, _)| *c == column))
                .map(|(_, text)| text.clone())
            else {
                continue;
            };
            for (_, cells) in self.rows.range_mut(top + 1..=bottom) {
                budget.cell(column)?;
                if !cells.iter().any(|(c, _)| *c == column) {
                    cells.push((column, value.clone()));
                }
            }
        }
        Ok(())
    }

    /// The filled rows in order, each from the sheet's first filled column to its last: a
    /// column keeps its place in every row. Rows with nothing in them are left out.
    fn table(self, kind: FileKind) -> Result<Vec<Vec<String>>, FileError> {
        let first = self.first_column.unwrap_or_default();
        let width = (self.last_column - first) as usize + 1;
        check_area(kind, self.rows.len(), width)?;
        Ok(self
            .rows
            .into_values()
            .map(|cells| {
                let mut row = vec![String::new(); width];
                for (column, text) in cells {
                    row[(column - first) as usize] = text;
                }
                row
            })
            .collect())
    }
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

/// The rows and columns a `.xls` claims, bounded before calamine lays its sheets out: each
/// sheet's cell records (their positions) and its DIMENSIONS record (calamine reserves room
/// for what it declares). Records of BIFF 5 and 8, as calamine reads them.
fn xls_extent(bytes: &[u8], deadline: Deadline) -> Result<(), FileError> {
    use std::io::Read;
    let kind = FileKind::Xls;
    let unreadable = |why: String| FileError::Unreadable { kind, why };
    let mut file =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut stream = Vec::new();
    let mut workbook = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .map_err(|e| unreadable(format!("Workbook: {e}")))?;
    // The stream is no larger than the file: its sectors are the file's.
    workbook
        .by_ref()
        .take(bytes.len() as u64)
        .read_to_end(&mut stream)
        .map_err(|e| unreadable(e.to_string()))?;
    let u16_at = |data: &[u8], at: usize| {
        data.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as u64)
    };
    let u32_at = |data: &[u8], at: usize| {
        data.get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64)
    };
    // The box of one sheet's (substream's) cells: rows and columns, first and last.
    let mut extent: Option<(u64, u64, u64, u64)> = None;
    let close = |extent: &mut Option<(u64, u64, u64, u64)>| -> Result<(), FileError> {
        if let Some((r0, r1, c0, c1)) = extent.take() {
            let rows = usize::try_from(r1 - r0 + 1).unwrap_or(usize::MAX);
            check_area(kind, rows, (c1 - c0 + 1) as usize)?;
        }
        Ok(())
    };
    let mut at = 0;
    let mut records = 0u64;
    while at + 4 <= stream.len() {
        let kind_of = u16_at(&stream, at).unwrap_or_default();
        let len = u16_at(&stream, at + 2).unwrap_or_default() as usize;
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        at += 4 + len;
        records += 1;
        if records.is_multiple_of(4096) {
            deadline.check(kind)?;
        }
        let mut cover = |row: u64, first: u64, last: u64| {
            let (r0, r1, c0, c1) = extent.get_or_insert((row, row, first, last));
            *r0 = (*r0).min(row);
            *r1 = (*r1).max(row);
            *c0 = (*c0).min(first);
            *c1 = (*c1).max(last);
        };
        match kind_of {
            // BOF and EOF: a sheet, or a chart inside one, begins or ends.
            0x0809 | 0x000A => close(&mut extent)?,
            // DIMENSIONS: first row, last row + 1, first column, last column + 1.
            0x0200 => {
                let (rows, columns) = match data.len() {
                    10 => (
                        u16_at(data, 2).unwrap_or_default(),
                        u16_at(data, 6).unwrap_or_default(),
                    ),
                    _ => (
                        u32_at(data, 4).unwrap_or_default(),
                        u16_at(data, 10).unwrap_or_default(),
                    ),
                };
                check_area(
                    kind,
                    usize::try_from(rows).unwrap_or(usize::MAX),
                    columns as usize,
                )?;
            }
            // Cells: row, column first.
            0x0006 | 0x00D6 | 0x00FD | 0x0203 | 0x0204 | 0x0205 | 0x027E => {
                if let (Some(row), Some(column)) = (u16_at(data, 0), u16_at(data, 2)) {
                    cover(row, column, column);
                }
            }
            // MULRK: row, first column, …, last column at the end.
            0x00BD => {
                if let (Some(row), Some(first), Some(last)) = (
                    u16_at(data, 0),
                    u16_at(data, 2),
                    data.len().checked_sub(2).and_then(|end| u16_at(data, end)),
                ) {
                    cover(row, first, last.max(first));
                }
            }
            _ => {}
        }
    }
    close(&mut extent)
}

/// A CSV text (any number of fields per record) as one table.
pub fn csv(text: &str, deadline: Deadline) -> Result<Block, FileError> {
    let mut budget = CellBudget::new(FileKind::Csv, deadline);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut fields = 0usize;
    for record in reader.records() {
        let record = record.map_err(|e| FileError::Unreadable {
            kind: FileKind::Csv,
            why: e.to_string(),
        })?;
        // Empty fields take room too: a file of commas is no smaller a table.
        fields += record.len();
        if fields > MAX_AREA {
            return Err(too_large(
                FileKind::Csv,
                format!("超过 {MAX_AREA} 个单元格"),
            ));
        }
        let mut row = Vec::with_capacity(record.len());
        for (column, field) in record.iter().enumerate() {
            if !field.trim().is_empty() {
                budget.cell(u32::try_from(column).unwrap_or(u32::MAX))?;
            }
            row.push(field.to_owned());
        }
        rows.push(row);
    }
    Ok(Block::Table(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_records_keep_quoted_line_breaks() {
        let block = csv(
            "序号,民生实事,责任单位\n1,新建书房,\"市文旅局\n市财政局\"\n",
            Deadline::none(),
        )
        .expect("csv");
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
            workbook(FileKind::Xlsx, b"not a zip", Deadline::none()),
            Err(FileError::Unreadable {
                kind: FileKind::Xlsx,
                ..
            })
        ));
        assert!(matches!(
            workbook(FileKind::Xls, b"not ole", Deadline::none()),
            Err(FileError::Unreadable {
                kind: FileKind::Xls,
                ..
            })
        ));
    }

    /// A `.xls` whose Workbook stream holds `records` (type, data).
    fn old_workbook(records: &[(u16, Vec<u8>)]) -> Vec<u8> {
        use std::io::Write;
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb");
        let mut stream = file.create_stream("/Workbook").expect("stream");
        for (kind, data) in records {
            stream.write_all(&kind.to_le_bytes()).expect("type");
            stream
                .write_all(&(data.len() as u16).to_le_bytes())
                .expect("length");
            stream.write_all(data).expect("data");
        }
        drop(stream);
        file.flush().expect("flush");
        file.into_inner().into_inner()
    }

    fn number(row: u16, column: u16) -> (u16, Vec<u8>) {
        let mut data = [row.to_le_bytes(), column.to_le_bytes(), [0, 0]].concat();
        data.extend(1.0f64.to_le_bytes());
        (0x0203, data)
    }

    #[test]
    fn an_old_workbook_claiming_a_vast_sheet_is_refused_before_it_is_laid_out() {
        let bof = (0x0809, vec![0; 16]);
        let eof = (0x000A, Vec::new());
        let corners = old_workbook(&[
            bof.clone(),
            number(0, 0),
            number(65_535, 65_535),
            eof.clone(),
        ]);
        let e = xls_extent(&corners, Deadline::none()).expect_err("4 billion cells");
        assert!(e.to_string().contains("65536 行、65536 列"), "{e}");
        let mut dimensions = vec![0; 14];
        dimensions[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        dimensions[10..12].copy_from_slice(&256u16.to_le_bytes());
        let declared = old_workbook(&[bof.clone(), (0x0200, dimensions), eof.clone()]);
        assert!(matches!(
            xls_extent(&declared, Deadline::none()),
            Err(FileError::TooLarge { .. })
        ));
        // Two sheets, each small: each is measured on its own.
        let small = old_workbook(&[
            bof.clone(),
            number(0, 0),
            number(300, 5),
            eof.clone(),
            bof,
            number(1000, 0),
            number(1100, 5),
            eof,
        ]);
        assert_eq!(xls_extent(&small, Deadline::none()), Ok(()));
    }
}
