//! Word documents: `word/document.xml`'s paragraphs and tables, in order. A cell's paragraphs
//! are its lines; a table inside a cell gives its text to the cell.

use std::io::{Cursor, Read};

use quick_xml::{Reader, events::Event};

use super::{
    Block, FileError, FileKind, archive,
    limits::{Deadline, MAX_UNPACKED_BYTES},
};

pub fn blocks(bytes: &[u8], deadline: Deadline) -> Result<Vec<Block>, FileError> {
    // The whole archive unpacks within the bound before any part of it is held.
    archive::check(FileKind::Docx, bytes, deadline)?;
    let unreadable = |why: String| FileError::Unreadable {
        kind: FileKind::Docx,
        why,
    };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|e| unreadable(format!("word/document.xml: {e}")))?
        .take(MAX_UNPACKED_BYTES)
        .read_to_string(&mut xml)
        .map_err(|e| unreadable(e.to_string()))?;
    document(&xml, deadline)
}

/// Where the text being read goes.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: Vec<String>,
}

fn document(xml: &str, deadline: Deadline) -> Result<Vec<Block>, FileError> {
    let unreadable = |why: String| FileError::Unreadable {
        kind: FileKind::Docx,
        why,
    };
    let mut reader = Reader::from_str(xml);
    let mut events = 0u64;
    let mut blocks = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut paragraph = String::new();
    let mut in_text = false;
    loop {
        let event = reader.read_event().map_err(|e| unreadable(e.to_string()))?;
        events += 1;
        if events.is_multiple_of(4096) {
            deadline.check(FileKind::Docx)?;
        }
        match event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "tab" => {
                paragraph.push('\t');
            }
            Event::Start(e) => match e.local_name().as_ref() {
                "t" => in_text = true,
                "tbl" => tables.push(Table::default()),
                "br" | "cr" => paragraph.push('\n'),
                _ => {}
            },
            Event::Empty(e) => {
                if matches!(e.local_name().as_ref(), "br" | "cr") {
                    paragraph.push('\n');
                }
            }
            Event::Text(t) if in_text => paragraph.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    paragraph.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_xml_entity(&r.xml10_content()) {
                    paragraph.push_str(s);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => {
                    let text = std::mem::take(&mut paragraph);
                    match tables.last_mut() {
                        Some(table) => table.cell.push(text),
                        None => blocks.push(Block::Paragraph(text)),
                    }
                }
                "tc" => {
                    if let Some(table) = tables.last_mut() {
                        let cell = std::mem::take(&mut table.cell).join("\n");
                        table.row.push(cell);
                    }
                }
                "tr" => {
                    if let Some(table) = tables.last_mut() {
                        let row = std::mem::take(&mut table.row);
                        table.rows.push(row);
                    }
                }
                "tbl" => {
                    if let Some(done) = tables.pop() {
                        match tables.last_mut() {
                            // A nested table's text belongs to the cell that holds it.
                            Some(outer) => outer
                                .cell
                                .extend(done.rows.into_iter().flatten().filter(|c| !c.is_empty())),
                            None => blocks.push(Block::Table(done.rows)),
                        }
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_tables_in_order_with_entities() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:r><w:t>2025年</w:t></w:r><w:r><w:t xml:space="preserve">民生实事 &amp; 项目</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>序号</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>责任单位</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>市文旅局</w:t></w:r></w:p><w:p><w:r><w:t>市财政局</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>抄送</w:t><w:br/><w:t>市委</w:t></w:r></w:p>
            </w:body></w:document>"#;
        assert_eq!(
            document(xml, Deadline::none()).expect("xml"),
            [
                Block::Paragraph("2025年民生实事 & 项目".into()),
                Block::Table(vec![
                    vec!["序号".into(), "责任单位".into()],
                    vec!["1".into(), "市文旅局\n市财政局".into()],
                ]),
                Block::Paragraph("抄送\n市委".into()),
            ]
        );
    }
}
