//! What someone searches for: a short piece of text, checked once at the edge.

use std::fmt;

/// The longest search accepted, in characters. Titles are at most 200; a search is a word or
/// two of one (and a 48 KB search held the database for seconds per query).
pub const MAX_SEARCH_CHARS: usize = 100;

/// A substring to look for in titles, contents or names: at most [`MAX_SEARCH_CHARS`]
/// characters, no control characters (a NUL is refused by PostgreSQL and matched everything on
/// SQLite). Empty matches everything.
#[derive(Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub fn parse(input: &str) -> Result<Self, String> {
        let count = input.chars().count();
        if count > MAX_SEARCH_CHARS {
            return Err(format!(
                "a search is at most {MAX_SEARCH_CHARS} characters, this one has {count}"
            ));
        }
        if let Some(c) = crate::text::forbidden_char(input, crate::text::Lines::One) {
            return Err(format!(
                "a search may not contain the character U+{:04X} (a control or direction character)",
                u32::from(c)
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SearchText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SearchText({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_a_search() {
        assert_eq!(
            SearchText::parse("养老").map(|s| s.as_str().to_owned()),
            Ok("养老".into())
        );
        assert!(SearchText::parse("").is_ok_and(|s| s.is_empty()));
        assert!(SearchText::parse(&"字".repeat(MAX_SEARCH_CHARS)).is_ok());
    }

    #[test]
    fn long_text_and_control_characters_are_refused() {
        assert!(SearchText::parse(&"字".repeat(MAX_SEARCH_CHARS + 1)).is_err());
        assert!(SearchText::parse(&"a".repeat(48 * 1024)).is_err());
        for bad in ["\u{0}", "a\u{0}b", "\u{7}", "a\nb"] {
            assert!(SearchText::parse(bad).is_err(), "{bad:?}");
        }
    }
}
