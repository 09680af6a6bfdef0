//! Persisted documents: which query text a request runs when it names a document by hash, and
//! whether its caller may run it.
//!
//! - **Automatic persisted queries** (Apollo's protocol): a client sends
//!   `extensions.persistedQuery.sha256Hash` alone; an unknown hash is `PERSISTED_QUERY_NOT_FOUND`
//!   and the client sends hash and text together once, which registers the text. The cache is
//!   bounded in bytes (`MINSHENG_PERSISTED_QUERY_CACHE_BYTES`; 0 turns the protocol off) and
//!   belongs to one replica: a miss on another replica costs the client one retry.
//! - **Trusted documents** (`MINSHENG_TRUSTED_DOCUMENTS`): when set, callers without the
//!   administrator's token run only the documents of that file, named by hash or sent as the
//!   same text; anything else is `UNTRUSTED_DOCUMENT`.
//!
//! This runs in the route, once per request, not as a schema extension (which would put every
//! field's resolution through the extension chain). `apq_cache` holds the registered texts,
//! `trusted` reads the trusted documents file.

mod apq_cache;
mod trusted;

pub use trusted::Trusted;

use std::sync::Mutex;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use apq_cache::Cache;

/// Why a request's document cannot be run.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("PersistedQueryNotFound")]
    NotFound,
    #[error("PersistedQueryNotSupported")]
    NotSupported,
    #[error("the query's SHA-256 is not the one given in extensions.persistedQuery.sha256Hash")]
    HashMismatch,
    #[error("{0}")]
    BadExtension(&'static str),
    #[error("only trusted documents may run here without the administrator's token")]
    Untrusted,
    #[error("the request has no query (nor a persisted query's hash)")]
    MissingQuery,
}

/// The documents a replica knows: its APQ cache and the trusted documents file.
pub struct Documents {
    cache: Option<Mutex<Cache>>,
    trusted: Option<Trusted>,
}

impl Documents {
    /// `cache_bytes` 0: no automatic persisted queries.
    pub fn new(cache_bytes: usize, trusted: Option<Trusted>) -> Self {
        Self {
            cache: (cache_bytes > 0).then(|| Mutex::new(Cache::new(cache_bytes))),
            trusted,
        }
    }

    /// Whether only trusted documents run for callers without the administrator's token.
    pub fn restricted(&self) -> bool {
        self.trusted.is_some()
    }

    /// The text to run for a request with `query` and `extensions`. `trusted_only` is the
    /// caller's restriction (everyone but the administrator, when a trusted file is set).
    pub fn resolve(
        &self,
        query: Option<String>,
        extensions: Option<&Map<String, Value>>,
        trusted_only: bool,
    ) -> Result<String, DocumentError> {
        let trusted_only = trusted_only && self.trusted.is_some();
        let hash = extensions
            .and_then(|e| e.get("persistedQuery"))
            .map(persisted_hash)
            .transpose()?;
        match (query, hash) {
            (Some(query), Some(hash)) => {
                if sha256_hex(&query) != hash {
                    return Err(DocumentError::HashMismatch);
                }
                if trusted_only && !self.is_trusted(&hash) {
                    return Err(DocumentError::Untrusted);
                }
                if let Some(cache) = &self.cache {
                    lock(cache).insert(hash, &query);
                }
                Ok(query)
            }
            (None, Some(hash)) => {
                if let Some(text) = self.trusted.as_ref().and_then(|t| t.by_hash.get(&hash)) {
                    return Ok(text.to_string());
                }
                if trusted_only {
                    return Err(DocumentError::NotFound);
                }
                let Some(cache) = &self.cache else {
                    return Err(DocumentError::NotSupported);
                };
                lock(cache)
                    .get(&hash)
                    .map(|text| text.to_string())
                    .ok_or(DocumentError::NotFound)
            }
            (Some(query), None) => {
                if trusted_only && !self.is_trusted(&sha256_hex(&query)) {
                    return Err(DocumentError::Untrusted);
                }
                Ok(query)
            }
            (None, None) => Err(DocumentError::MissingQuery),
        }
    }

    /// Whether `query`, sent as text, may run for a caller restricted to trusted documents.
    pub fn allows_text(&self, query: &str) -> bool {
        self.trusted.is_none() || self.is_trusted(&sha256_hex(query))
    }

    fn is_trusted(&self, hash: &str) -> bool {
        self.trusted
            .as_ref()
            .is_some_and(|t| t.by_hash.contains_key(hash))
    }
}

fn lock(cache: &Mutex<Cache>) -> std::sync::MutexGuard<'_, Cache> {
    // A panic while holding the lock leaves a consistent cache (every step is one map call).
    cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `extensions.persistedQuery`: `{ "version": 1, "sha256Hash": "<64 hex digits>" }`.
fn persisted_hash(value: &Value) -> Result<String, DocumentError> {
    let object = value.as_object().ok_or(DocumentError::BadExtension(
        "extensions.persistedQuery must be an object",
    ))?;
    if object.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(DocumentError::BadExtension(
            "extensions.persistedQuery.version must be 1",
        ));
    }
    object
        .get("sha256Hash")
        .and_then(Value::as_str)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_ascii_lowercase)
        .ok_or(DocumentError::BadExtension(
            "extensions.persistedQuery.sha256Hash must be 64 hexadecimal digits",
        ))
}

pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extension(hash: &str) -> Map<String, Value> {
        json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
            .as_object()
            .cloned()
            .expect("object")
    }

    const Q: &str = "{ lists { id } }";

    #[test]
    fn an_unknown_hash_is_not_found_until_the_text_registers_it() {
        let docs = Documents::new(1024, None);
        let hash = sha256_hex(Q);
        let ext = extension(&hash);
        assert_eq!(
            docs.resolve(None, Some(&ext), false),
            Err(DocumentError::NotFound)
        );
        assert_eq!(
            docs.resolve(Some(Q.into()), Some(&ext), false).as_deref(),
            Ok(Q)
        );
        assert_eq!(docs.resolve(None, Some(&ext), false).as_deref(), Ok(Q));
        let upper = extension(&hash.to_ascii_uppercase());
        assert_eq!(docs.resolve(None, Some(&upper), false).as_deref(), Ok(Q));
    }

    #[test]
    fn a_hash_that_is_not_the_texts_is_refused_and_registers_nothing() {
        let docs = Documents::new(1024, None);
        let wrong = sha256_hex("{ other }");
        assert_eq!(
            docs.resolve(Some(Q.into()), Some(&extension(&wrong)), false),
            Err(DocumentError::HashMismatch)
        );
        assert_eq!(
            docs.resolve(None, Some(&extension(&wrong)), false),
            Err(DocumentError::NotFound)
        );
    }

    #[test]
    fn malformed_extensions_are_refused() {
        let docs = Documents::new(1024, None);
        for ext in [
            json!({ "persistedQuery": "abc" }),
            json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256_hex(Q) } }),
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
            json!({ "persistedQuery": { "version": 1 } }),
        ] {
            let ext = ext.as_object().cloned().expect("object");
            assert!(
                matches!(
                    docs.resolve(None, Some(&ext), false),
                    Err(DocumentError::BadExtension(_))
                ),
                "{ext:?}"
            );
        }
        assert_eq!(
            docs.resolve(None, None, false),
            Err(DocumentError::MissingQuery)
        );
    }

    #[test]
    fn without_a_cache_the_protocol_is_not_supported() {
        let docs = Documents::new(0, None);
        let ext = extension(&sha256_hex(Q));
        assert_eq!(
            docs.resolve(None, Some(&ext), false),
            Err(DocumentError::NotSupported)
        );
        assert_eq!(
            docs.resolve(Some(Q.into()), Some(&ext), false).as_deref(),
            Ok(Q)
        );
    }

    #[test]
    fn trusted_documents_run_by_hash_or_by_text_and_nothing_else() {
        let file = json!({ "abc123": Q }).to_string();
        let docs = Documents::new(1024, Some(Trusted::parse(&file).expect("parses")));
        assert_eq!(docs.resolve(Some(Q.into()), None, true).as_deref(), Ok(Q));
        let ext = extension(&sha256_hex(Q));
        assert_eq!(docs.resolve(None, Some(&ext), true).as_deref(), Ok(Q));
        let other = "{ departments { totalCount } }";
        assert_eq!(
            docs.resolve(Some(other.into()), None, true),
            Err(DocumentError::Untrusted)
        );
        let other_ext = extension(&sha256_hex(other));
        assert_eq!(
            docs.resolve(Some(other.into()), Some(&other_ext), true),
            Err(DocumentError::Untrusted),
            "registering does not make a document trusted"
        );
        assert_eq!(
            docs.resolve(None, Some(&other_ext), true),
            Err(DocumentError::NotFound)
        );
        assert_eq!(
            docs.resolve(Some(other.into()), None, false).as_deref(),
            Ok(other),
            "the administrator runs anything"
        );
    }

    #[test]
    fn an_apollo_manifest_is_read_too() {
        let manifest = json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{ "id": sha256_hex(Q), "name": "Lists", "type": "query", "body": Q }]
        });
        let trusted = Trusted::parse(&manifest.to_string()).expect("parses");
        assert!(trusted.by_hash.contains_key(&sha256_hex(Q)));
    }

    #[test]
    fn a_bad_trusted_file_names_what_is_wrong() {
        for (file, says) in [
            ("[]", "object"),
            ("{}", "no documents"),
            (r#"{"a": 1}"#, "`a`"),
            (r#"{"a": "{ lists "}"#, "does not parse"),
            (r#"{"operations": [{"id": "x"}]}"#, "operations[0].body"),
        ] {
            let error = Trusted::parse(file).err().unwrap_or_default();
            assert!(error.contains(says), "{file}: {error}");
        }
    }
}
