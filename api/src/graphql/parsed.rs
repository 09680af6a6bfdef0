//! Parsed documents, kept by their text: clients send the same few queries over and over, and
//! parsing one (a PEG parser, an allocation per node) was about 7% of the api's time on a
//! one-item query (issue 14). A hit clones the syntax tree instead.
//!
//! Bounded twice, so that a client sending ever-new documents costs memory no more than it
//! costs time: at most [`ENTRIES`] documents, each at most [`LONGEST`] bytes of text. Only
//! documents that parse are kept; an error is produced afresh each time.

use std::{num::NonZeroUsize, sync::Mutex};

use async_graphql::{ServerError, parser::types::ExecutableDocument};
use lru::LruCache;

/// How many documents a replica keeps.
pub const ENTRIES: usize = 256;
/// The longest text kept: longer documents are parsed every time.
pub const LONGEST: usize = 8 * 1024;

pub struct ParsedDocuments {
    cache: Mutex<LruCache<String, ExecutableDocument>>,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self {
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(ENTRIES).expect("ENTRIES is not zero"),
            )),
        }
    }
}

impl ParsedDocuments {
    /// The syntax tree of `query`, from the cache or parsed (and then kept).
    pub fn parse(&self, query: &str) -> Result<ExecutableDocument, ServerError> {
        if query.len() > LONGEST {
            return Ok(async_graphql::parser::parse_query(query)?);
        }
        if let Some(doc) = self.lock().get(query) {
            return Ok(doc.clone());
        }
        // Parsed outside the lock: two requests may both parse a new text, and one keeps it.
        let doc = async_graphql::parser::parse_query(query)?;
        self.lock().put(query.to_owned(), doc.clone());
        Ok(doc)
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        // The cache holds no invariant a panic could break: a poisoned lock is still usable.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(doc: &ExecutableDocument) -> String {
        format!("{:?}", doc.operations.iter().collect::<Vec<_>>())
    }

    #[test]
    fn a_kept_document_is_the_one_parsing_gives() {
        let cache = ParsedDocuments::default();
        let query = "query Q($n: Int) { items(first: $n) { edges { node { id } } } }";
        let first = cache.parse(query).expect("parses");
        let again = cache.parse(query).expect("parses");
        assert_eq!(cache.len(), 1);
        assert_eq!(shape(&first), shape(&again));
        let fresh = async_graphql::parser::parse_query(query).expect("parses");
        assert_eq!(shape(&again), shape(&fresh));
    }

    #[test]
    fn errors_and_long_documents_are_not_kept() {
        let cache = ParsedDocuments::default();
        let error = cache.parse("{ items(").expect_err("a syntax error");
        assert!(!error.locations.is_empty(), "{error:?}");
        assert!(cache.parse("{ items(").is_err());
        let long = format!("{{ __typename {} }}", "__typename ".repeat(LONGEST / 10));
        assert!(long.len() > LONGEST);
        cache.parse(&long).expect("parses");
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_keeps_at_most_its_bound() {
        let cache = ParsedDocuments::default();
        for n in 0..ENTRIES + 10 {
            cache
                .parse(&format!("{{ a{n}: __typename }}"))
                .expect("parses");
        }
        assert_eq!(cache.len(), ENTRIES);
    }
}
