//! Free text from outside (titles, contents, notes, reasons, names, a list as published): the
//! characters and lengths every entry point accepts, so that the importer, the graph and the
//! CLI agree, and nothing reaches the database that it refuses (PostgreSQL refuses NUL) or that
//! displays other than it reads.

/// Titles of items (one line).
pub const MAX_TITLE_CHARS: usize = 200;
/// Contents of items.
pub const MAX_CONTENT_CHARS: usize = 20_000;
/// Progress notes, reasons for a new deadline.
pub const MAX_NOTE_CHARS: usize = 2_000;
/// Names of departments and people (one line).
pub const MAX_NAME_CHARS: usize = 100;

/// Whether a text may hold line breaks (and tabs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// The first character no stored text may contain: control characters (NUL, BEL, …) other
/// than line breaks and tabs in text of many lines, the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) that make text display in another order than it reads, and
/// the invisible direction marks and byte-order mark (U+200E, U+200F, U+061C, U+FEFF) that make
/// two names that read alike differ (`a\u{200F}b` and `ab` were two departments).
pub fn forbidden_char(text: &str, lines: Lines) -> Option<char> {
    text.chars().find(|c| {
        let allowed_control = lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
        (c.is_control() && !allowed_control) || is_bidi_control(*c)
    })
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{FEFF}'
    )
}

/// `text` holds no character that [`forbidden_char`] refuses in one line, or the message
/// naming the first: for short texts checked at the edge (searches, filters, addresses).
pub fn check_one_line(text: &str) -> Result<(), String> {
    match forbidden_char(text, Lines::One) {
        Some(c) => Err(format!("含有不接受的字符 U+{:04X}", u32::from(c))),
        None => Ok(()),
    }
}

/// Checks `text` (already trimmed as the caller stores it): at most `max_chars` characters and
/// no forbidden character. The message says what is wrong, for a field error.
pub fn check(text: &str, max_chars: usize, lines: Lines) -> Result<(), String> {
    if let Some(c) = forbidden_char(text, lines) {
        return Err(format!(
            "含有不接受的字符 U+{:04X}{}",
            u32::from(c),
            if lines == Lines::One {
                "（只能写一行）"
            } else {
                ""
            }
        ));
    }
    let count = text.chars().count();
    if count > max_chars {
        return Err(format!("最多 {max_chars} 字，现有 {count} 字"));
    }
    Ok(())
}

/// Why a list's text cannot be read at all: too large, or a character no list holds, with the
/// line it is on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    #[error("文本有 {bytes} 字节，最多只读 {max} 字节（MINSHENG_IMPORT_MAX_BYTES）")]
    TooLarge { bytes: usize, max: usize },
    #[error("第 {line} 行：字符 U+{code:04X} 不是文本（除可打印字符外只允许换行和制表符）")]
    Forbidden { line: usize, code: u32 },
}

/// Checks a list's text before it is parsed: at most `max_bytes`, and nothing but printable
/// characters, line breaks and tabs.
pub fn check_source(text: &str, max_bytes: usize) -> Result<(), SourceError> {
    if text.len() > max_bytes {
        return Err(SourceError::TooLarge {
            bytes: text.len(),
            max: max_bytes,
        });
    }
    for (index, line) in text.split('\n').enumerate() {
        if let Some(c) = forbidden_char(line, Lines::Many) {
            return Err(SourceError::Forbidden {
                line: index + 1,
                code: u32::from(c),
            });
        }
    }
    Ok(())
}

/// The first `max_chars` characters of `text`.
pub fn cut(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_passes() {
        assert_eq!(check("新建学校 10 所", 200, Lines::One), Ok(()));
        assert_eq!(check("第一段\n\t第二段\r\n", 200, Lines::Many), Ok(()));
        assert_eq!(check(&"字".repeat(200), 200, Lines::One), Ok(()));
    }

    #[test]
    fn control_and_bidi_characters_and_length_are_refused() {
        for bad in [
            "a\u{0}b",
            "bell\u{7}",
            "right-to-left \u{202E}gnp.exe",
            "\u{2066}x",
            "a\u{200F}b",
            "a\u{FEFF}b",
        ] {
            assert!(check(bad, 200, Lines::Many).is_err(), "{bad:?}");
        }
        assert!(check("two\nlines", 200, Lines::One).is_err());
        assert!(check(&"字".repeat(201), 200, Lines::One).is_err());
    }

    #[test]
    fn a_source_is_checked_with_its_line() {
        assert_eq!(check_source("标题\n\n一、事项\r\n", 100), Ok(()));
        assert_eq!(
            check_source("标题\n一、事项\n完成时限:\u{0}6月底", 100),
            Err(SourceError::Forbidden { line: 3, code: 0 })
        );
        assert_eq!(
            check_source("x".repeat(11).as_str(), 10),
            Err(SourceError::TooLarge { bytes: 11, max: 10 })
        );
        assert!(
            SourceError::Forbidden { line: 3, code: 7 }
                .to_string()
                .starts_with("第 3 行：")
        );
    }
}
