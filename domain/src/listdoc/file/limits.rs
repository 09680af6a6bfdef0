//! The bounds a list file is read within. A list file is the one place where untrusted bytes
//! from outside meet the server (an outside probe killed the api with a 1.7 KB workbook), so
//! every reader checks the file against these before it allocates by what the file claims, and
//! every loop over the file's content checks a [`Deadline`] that really stops the work.
//!
//! A real list has a few hundred rows, six or so columns and well under a megabyte of text;
//! each bound is two or three orders of magnitude above that.

use std::time::{Duration, Instant};

use super::{FileError, FileKind};

/// The most bytes a zipped file (`.xlsx`, `.docx`) may unpack to, all its parts together.
pub const MAX_UNPACKED_BYTES: u64 = 64 * 1024 * 1024;
/// The most filled cells of a spreadsheet or a CSV, all sheets together.
pub const MAX_CELLS: usize = 500_000;
/// The most cells the table of one sheet may span (its filled rows × its columns): the table
/// is laid out in full, empty cells included, for the layouts to read.
pub const MAX_AREA: usize = 2_000_000;
/// The rightmost column a filled cell may sit in (the 1,024th, column AMJ).
pub const MAX_COLUMNS: u32 = 1_024;
/// The deepest nesting of elements in a saved page.
pub const MAX_DEPTH: usize = 256;

/// When reading a file must stop.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Option<Instant>,
    allowed: Duration,
}

impl Deadline {
    /// `allowed` from now.
    pub fn after(allowed: Duration) -> Self {
        Self {
            at: Instant::now().checked_add(allowed),
            allowed,
        }
    }

    /// No deadline: for tests and tools that read files they made.
    pub fn none() -> Self {
        Self {
            at: None,
            allowed: Duration::MAX,
        }
    }

    /// `Err` once the deadline has passed: the reader stops where it is.
    pub fn check(&self, kind: FileKind) -> Result<(), FileError> {
        match self.at {
            Some(at) if Instant::now() >= at => Err(FileError::TooSlow {
                kind,
                seconds: self.allowed.as_secs_f64().ceil() as u64,
            }),
            _ => Ok(()),
        }
    }
}

/// A [`FileError::TooLarge`] for `kind`, saying which bound in words.
pub fn too_large(kind: FileKind, what: impl Into<String>) -> FileError {
    FileError::TooLarge {
        kind,
        what: what.into(),
    }
}

/// Counts filled cells against [`MAX_CELLS`] and columns against [`MAX_COLUMNS`], and checks
/// the deadline every so many cells.
pub struct CellBudget {
    kind: FileKind,
    deadline: Deadline,
    cells: usize,
}

impl CellBudget {
    pub fn new(kind: FileKind, deadline: Deadline) -> Self {
        Self {
            kind,
            deadline,
            cells: 0,
        }
    }

    /// One more filled cell, in the zero-based `column`.
    pub fn cell(&mut self, column: u32) -> Result<(), FileError> {
        if column >= MAX_COLUMNS {
            return Err(too_large(
                self.kind,
                format!(
                    "第 {} 列有内容，最多读取 {MAX_COLUMNS} 列",
                    column as u64 + 1
                ),
            ));
        }
        self.cells += 1;
        if self.cells > MAX_CELLS {
            return Err(too_large(
                self.kind,
                format!("有内容的单元格超过 {MAX_CELLS} 个"),
            ));
        }
        if self.cells.is_multiple_of(1024) {
            self.deadline.check(self.kind)?;
        }
        Ok(())
    }
}

/// `rows` filled rows spanning `columns` columns fit in [`MAX_AREA`].
pub fn check_area(kind: FileKind, rows: usize, columns: usize) -> Result<(), FileError> {
    if rows.saturating_mul(columns) > MAX_AREA {
        return Err(too_large(
            kind,
            format!("表格有 {rows} 行、{columns} 列，超过 {MAX_AREA} 个单元格"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passed_deadline_stops_and_says_how_long_was_allowed() {
        let passed = Deadline::after(Duration::ZERO);
        assert_eq!(
            passed.check(FileKind::Html),
            Err(FileError::TooSlow {
                kind: FileKind::Html,
                seconds: 0
            })
        );
        assert_eq!(
            Deadline::after(Duration::from_secs(60)).check(FileKind::Html),
            Ok(())
        );
        assert_eq!(Deadline::none().check(FileKind::Html), Ok(()));
    }

    #[test]
    fn cells_past_the_last_column_or_the_count_are_refused() {
        let mut budget = CellBudget::new(FileKind::Xlsx, Deadline::none());
        assert!(budget.cell(MAX_COLUMNS - 1).is_ok());
        let far = budget.cell(16_383).expect_err("column XFD");
        assert!(far.to_string().contains("第 16384 列"), "{far}");
        let mut budget = CellBudget::new(FileKind::Csv, Deadline::none());
        for _ in 0..MAX_CELLS {
            budget.cell(0).expect("within the count");
        }
        assert!(matches!(budget.cell(0), Err(FileError::TooLarge { .. })));
    }

    #[test]
    fn an_area_past_the_bound_is_refused() {
        assert!(check_area(FileKind::Xls, 1000, 6).is_ok());
        assert!(check_area(FileKind::Xls, 1_048_576, 16_384).is_err());
        assert!(check_area(FileKind::Xls, usize::MAX, 2).is_err());
    }
}
