//! Lists as files: a spreadsheet (`.xlsx`, `.xls`), a Word document (`.docx`), a saved web page
//! (`.html`), a `.csv` or plain text. Each becomes paragraphs and tables ([`Block`]s), written out
//! as the text the layouts read: a table one cell per line under its header, with a blank line
//! between cells, as a table copied from a page arrives. One parser model serves them all, and
//! the text is what the list's stored source and the warnings' line numbers refer to.
//!
//! Files come from outside: each reader keeps within [`limits`] and stops at a [`Deadline`].

mod archive;
mod docx;
mod html;
pub mod limits;
mod sheet;

pub use limits::Deadline;

use std::{fmt, str::FromStr};

use super::columns;

/// What kind of file a list came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Text,
    Csv,
    Xlsx,
    Xls,
    Docx,
    Html,
}

impl FileKind {
    pub const ALL: [FileKind; 6] = [
        FileKind::Text,
        FileKind::Csv,
        FileKind::Xlsx,
        FileKind::Xls,
        FileKind::Docx,
        FileKind::Html,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Text => "text",
            FileKind::Csv => "csv",
            FileKind::Xlsx => "xlsx",
            FileKind::Xls => "xls",
            FileKind::Docx => "docx",
            FileKind::Html => "html",
        }
    }

    /// The kind a file name's extension says; a name without one (or `.txt`) is text.
    pub fn from_name(name: &str) -> Result<FileKind, FileError> {
        let extension = match name.rsplit_once('.') {
            Some((_, ext)) if !ext.contains(['/', '\\']) => ext.to_ascii_lowercase(),
            _ => return Ok(FileKind::Text),
        };
        Ok(match extension.as_str() {
            "txt" | "text" => FileKind::Text,
            "csv" => FileKind::Csv,
            "xlsx" | "xlsm" => FileKind::Xlsx,
            "xls" => FileKind::Xls,
            "docx" => FileKind::Docx,
            "html" | "htm" => FileKind::Html,
            _ => return Err(FileError::Unsupported(extension)),
        })
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileKind {
    type Err = FileError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FileKind::from_name(&format!("list.{s}"))
    }
}

/// Why a file could not be read as a list.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("不能读取 .{0} 文件：请提供 .txt、.csv、.xlsx、.xls、.docx 或 .html 格式的清单")]
    Unsupported(String),
    #[error("无法读取这个 {kind} 文件（{why}）：请重新保存，或粘贴其文本")]
    Unreadable { kind: FileKind, why: String },
    #[error("文件既不是 UTF-8 也不是 GB18030 文本（第 {0} 字节无效）：请另存为 UTF-8")]
    NotText(usize),
    #[error("文本不是 UTF-8 编码（第 {0} 字节无效）：请另存为 UTF-8 后重试")]
    NotUtf8(usize),
    #[error("这个 {kind} 文件超出导入的限度（{what}）：请只保留清单本身，另存后重试")]
    TooLarge { kind: FileKind, what: String },
    #[error(
        "读取这个 {kind} 文件超过 {seconds} 秒仍未完成，已停止：请另存为 .xlsx 或 .csv，或粘贴其文本"
    )]
    TooSlow { kind: FileKind, seconds: u64 },
}

/// A paragraph or a table of a document, in document order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(String),
    /// Rows of cells; a cell may hold several lines (one unit per line).
    Table(Vec<Vec<String>>),
    /// A worksheet of a workbook with several begins: its name.
    Sheet(String),
}

/// The line a worksheet's name is written as ([`Block::Sheet`]).
pub fn sheet_line(name: &str) -> String {
    format!("【工作表：{}】", name.trim())
}

/// The worksheet a line written by [`sheet_line`] names.
pub fn sheet_of(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("【工作表：")
        .and_then(|rest| rest.strip_suffix('】'))
}

/// The list in `bytes`, as the text the layouts read, with the kind of file it was; reading
/// stops with [`FileError::TooSlow`] at `deadline`. It runs for as long as that: callers on an
/// async runtime run it on a blocking thread.
pub fn read(name: &str, bytes: &[u8], deadline: Deadline) -> Result<(FileKind, String), FileError> {
    read_with(name, bytes, deadline, &[])
}

/// [`read`], for a caller who named columns by their header cells (`--column title=名称`):
/// every table is then written a row per line, to be read by its columns.
pub fn read_with(
    name: &str,
    bytes: &[u8],
    deadline: Deadline,
    headers: &[String],
) -> Result<(FileKind, String), FileError> {
    let kind = FileKind::from_name(name)?;
    let text = match kind {
        // A pasted or saved text is UTF-8, as the importer has always read it.
        FileKind::Text => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            std::str::from_utf8(bytes)
                .map_err(|e| FileError::NotUtf8(e.valid_up_to()))?
                .to_owned()
        }
        FileKind::Csv => render_with(&[sheet::csv(&decode(bytes)?, deadline)?], headers),
        FileKind::Xlsx | FileKind::Xls => {
            render_with(&sheet::workbook(kind, bytes, deadline)?, headers)
        }
        FileKind::Docx => render_with(&docx::blocks(bytes, deadline)?, headers),
        FileKind::Html => render_with(&html::blocks(&decode(bytes)?, deadline)?, headers),
    };
    Ok((kind, text))
}

/// UTF-8 (a byte-order mark dropped), else GB18030, as Chinese offices' tools often save a CSV
/// or a page.
pub fn decode(bytes: &[u8]) -> Result<String, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            if had_errors {
                Err(FileError::NotText(e.valid_up_to()))
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// Blocks as text: a paragraph per line. A table with a header row ([`columns::header_row`]) is
/// written a row per line with its cells separated by tabs, as Excel copies cells, and read by
/// its columns; a table after it without a header of its own but as wide (the same table
/// broken across a page) continues it. Any other table is written a cell per line (its lines
/// kept), a blank line after each cell, so that the table layout tells cells apart; there a
/// row with one filled cell (a title across the table, a category) is a paragraph.
pub fn render(blocks: &[Block]) -> String {
    render_with(blocks, &[])
}

/// [`render`]; with `headers` (columns a caller named), every table is written a row per line.
pub fn render_with(blocks: &[Block], headers: &[String]) -> String {
    let mut out = String::new();
    let line = |out: &mut String, text: &str| {
        for l in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            out.push_str(l);
            out.push('\n');
        }
    };
    // The width of the last table read by its columns.
    let mut by_columns: Option<usize> = None;
    // Once a table of the file is read by its columns, every table is written that way (a
    // second sheet, a table of figures): one row per line, never taken apart cell by cell; so
    // is every table when the caller named columns.
    let any_columns = !headers.is_empty()
        || blocks.iter().any(|b| match b {
            Block::Table(rows) => columns::header_row(rows).is_some(),
            _ => false,
        });
    for block in blocks {
        match block {
            Block::Paragraph(text) => line(&mut out, text),
            Block::Sheet(name) => {
                // A new sheet is never the table before it continued.
                by_columns = None;
                line(&mut out, &sheet_line(name));
            }
            Block::Table(rows) => {
                let width = rows.iter().map(Vec::len).max().unwrap_or(0);
                if any_columns || by_columns == Some(width) {
                    by_columns = Some(width);
                    for row in rows {
                        let tsv = columns::tsv_line(row);
                        if !tsv.is_empty() {
                            out.push_str(&tsv);
                            out.push('\n');
                        }
                    }
                    continue;
                }
                by_columns = None;
                for row in rows {
                    let cells: Vec<&str> = row
                        .iter()
                        .map(|c| c.trim())
                        .filter(|c| !c.is_empty())
                        .collect();
                    match cells.as_slice() {
                        [] => {}
                        [one] => line(&mut out, one),
                        _ => {
                            for cell in cells {
                                line(&mut out, cell);
                                out.push('\n');
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_name() {
        assert_eq!(FileKind::from_name("清单.XLSX"), Ok(FileKind::Xlsx));
        assert_eq!(FileKind::from_name("list"), Ok(FileKind::Text));
        assert_eq!(FileKind::from_name("a.b/list"), Ok(FileKind::Text));
        assert!(matches!(
            FileKind::from_name("list.pdf"),
            Err(FileError::Unsupported(e)) if e == "pdf"
        ));
    }

    #[test]
    fn gb18030_text_is_read_and_other_bytes_are_refused() {
        let (gbk, _, _) = encoding_rs::GB18030.encode("民生实事");
        assert_eq!(decode(&gbk), Ok("民生实事".to_owned()));
        assert_eq!(decode("\u{feff}清单".as_bytes()), Ok("清单".to_owned()));
        assert!(matches!(
            decode(&[0x81, 0x20, 0xff]),
            Err(FileError::NotText(0))
        ));
    }

    #[test]
    fn tables_with_a_header_row_render_a_row_per_line_others_a_cell_per_line() {
        let text = render(&[
            Block::Paragraph("2025年民生实事".into()),
            Block::Table(vec![
                vec!["序号".into(), "民生实事".into(), "责任单位".into()],
                vec!["1".into(), "新建书房".into(), "市文旅局\n市财政局".into()],
                vec!["二、医疗".into(), String::new(), " ".into()],
            ]),
            // The same table on the next page: no header, as wide.
            Block::Table(vec![vec!["2".into(), "改造操场".into(), "市教育局".into()]]),
        ]);
        assert_eq!(
            text,
            "2025年民生实事\n序号\t民生实事\t责任单位\n1\t新建书房\t\"市文旅局\n市财政局\"\n二、医疗\n\
             2\t改造操场\t市教育局\n"
        );
        // A file whose tables name no columns: a cell per line.
        let text = render(&[Block::Table(vec![
            vec![
                "1".into(),
                "新建书房".into(),
                "市文旅局".into(),
                "6月".into(),
            ],
            vec!["二、医疗".into(), String::new()],
        ])]);
        assert_eq!(text, "1\n\n新建书房\n\n市文旅局\n\n6月\n\n二、医疗\n");
    }
}
