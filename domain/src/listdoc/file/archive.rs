//! Zipped files (`.xlsx`, `.docx`) measured by unpacking them before anything is read from
//! them: a 715 KB workbook can hold a 700 MB string, and the readers would hold it whole. Every
//! part is unpacked into nothing, counted against [`MAX_UNPACKED_BYTES`] (the real bytes, not
//! the sizes the archive claims), with the deadline checked as it goes.

use std::io::{Cursor, Read};

use super::{
    FileError, FileKind,
    limits::{Deadline, MAX_CELLS, MAX_UNPACKED_BYTES, too_large},
};

/// How much of a workbook's shared strings is kept to read the counts its first tag declares.
const HEAD_BYTES: usize = 64 * 1024;

/// `bytes` unpack to at most [`MAX_UNPACKED_BYTES`] within the deadline, and a workbook's
/// shared strings declare no more strings than a sheet may have cells (calamine reserves room
/// for as many as the file declares).
pub fn check(kind: FileKind, bytes: &[u8], deadline: Deadline) -> Result<(), FileError> {
    check_within(kind, bytes, deadline, MAX_UNPACKED_BYTES)
}

fn check_within(
    kind: FileKind,
    bytes: &[u8],
    deadline: Deadline,
    max_bytes: u64,
) -> Result<(), FileError> {
    let unreadable = |why: String| FileError::Unreadable { kind, why };
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    let over = || {
        too_large(
            kind,
            format!("解压后超过 {} MB", max_bytes.div_ceil(1 << 20)),
        )
    };
    let mut left = max_bytes;
    let mut buffer = vec![0; 64 * 1024];
    for i in 0..archive.len() {
        deadline.check(kind)?;
        let mut part = archive.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        if part.is_dir() {
            continue;
        }
        if part.size() > left {
            return Err(over());
        }
        let shared_strings = part.name().is_ok_and(|n| n.ends_with("sharedStrings.xml"));
        let mut head = Vec::new();
        loop {
            let n = part
                .read(&mut buffer)
                .map_err(|e| unreadable(e.to_string()))?;
            if n == 0 {
                break;
            }
            left = left.checked_sub(n as u64).ok_or_else(over)?;
            if shared_strings && head.len() < HEAD_BYTES {
                head.extend_from_slice(&buffer[..n.min(HEAD_BYTES - head.len())]);
            }
            deadline.check(kind)?;
        }
        if shared_strings {
            check_declared_strings(kind, &head)?;
        }
    }
    Ok(())
}

/// The `count` and `uniqueCount` of `<sst>`, where the head of the part has them.
fn check_declared_strings(kind: FileKind, head: &[u8]) -> Result<(), FileError> {
    use quick_xml::{Reader, events::Event};
    let head = String::from_utf8_lossy(head);
    let mut reader = Reader::from_str(&head);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sst" => {
                for attribute in e.attributes().flatten() {
                    if !matches!(attribute.key.as_ref(), "count" | "uniqueCount") {
                        continue;
                    }
                    let declared = attribute.value.trim().parse::<u128>().ok();
                    if declared.is_some_and(|n| n > MAX_CELLS as u128) {
                        return Err(too_large(
                            kind,
                            format!("声明了超过 {MAX_CELLS} 个共享字符串"),
                        ));
                    }
                }
                return Ok(());
            }
            // Cut short or malformed: the workbook reader says what is wrong with it.
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zipped(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in parts {
            zip.start_file(*name, options).expect("part");
            zip.write_all(bytes).expect("write");
        }
        zip.finish().expect("zip").into_inner()
    }

    #[test]
    fn a_part_that_unpacks_past_the_bound_is_refused() {
        let max = 1 << 20;
        let big = vec![b' '; max as usize + 1];
        let bytes = zipped(&[("xl/sharedStrings.xml", &big)]);
        assert!(bytes.len() < 10_000, "deflate packs it small");
        let e = check_within(FileKind::Xlsx, &bytes, Deadline::none(), max).expect_err("too large");
        assert!(e.to_string().contains("解压后超过 1 MB"), "{e}");
        // The size the archive claims is not trusted either way: the real bytes are counted.
        assert_eq!(
            check_within(FileKind::Xlsx, &bytes, Deadline::none(), max + 1),
            Ok(())
        );
    }

    #[test]
    fn a_declared_string_count_past_the_bound_is_refused() {
        let bytes = zipped(&[(
            "xl/sharedStrings.xml",
            br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="99999999999999"><si><t>a</t></si></sst>"#,
        )]);
        assert!(matches!(
            check(FileKind::Xlsx, &bytes, Deadline::none()),
            Err(FileError::TooLarge { .. })
        ));
        let fine = zipped(&[(
            "xl/sharedStrings.xml",
            br#"<sst count="1" uniqueCount="1"><si><t>a</t></si></sst>"#,
        )]);
        assert_eq!(check(FileKind::Xlsx, &fine, Deadline::none()), Ok(()));
    }
}
