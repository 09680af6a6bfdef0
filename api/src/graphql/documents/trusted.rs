//! The trusted documents file (`MINSHENG_TRUSTED_DOCUMENTS`): which documents callers without the
//! administrator's token may run.

use std::{
    collections::{HashMap, HashSet},
    path::Path,
    sync::Arc,
};

use async_graphql::parser::parse_query;
use domain::config::ConfigError;
use serde_json::Value;

use super::sha256_hex;

/// The environment variable naming the trusted documents file, for errors at start.
const TRUSTED_KEY: &str = "MINSHENG_TRUSTED_DOCUMENTS";

/// The trusted documents: each document's text by its SHA-256 (and by the id the file gives it).
pub struct Trusted {
    pub(super) by_hash: HashMap<String, Arc<str>>,
}

impl Trusted {
    /// Reads the file named by `MINSHENG_TRUSTED_DOCUMENTS`: a JSON map of id to document (as
    /// graphql-codegen's client preset and Relay write it) or an Apollo persisted query
    /// manifest (`{"format": "apollo-persisted-query-manifest", "operations": [{id, body}]}`).
    /// Every document must parse; an error names the entry.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::new(TRUSTED_KEY, format!("cannot read {}: {e}", path.display()))
        })?;
        Self::parse(&text).map_err(|message| {
            ConfigError::new(TRUSTED_KEY, format!("{}: {message}", path.display()))
        })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(object) = value else {
            return Err("must be a JSON object".into());
        };
        let entries: Vec<(String, String)> = if object.contains_key("operations") {
            let operations = object
                .get("operations")
                .and_then(Value::as_array)
                .ok_or("`operations` must be a list")?;
            operations
                .iter()
                .enumerate()
                .map(|(i, op)| {
                    let field = |name: &str| {
                        op.get(name)
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                            .ok_or(format!("operations[{i}].{name} must be a string"))
                    };
                    Ok((field("id")?, field("body")?))
                })
                .collect::<Result<_, String>>()?
        } else {
            object
                .into_iter()
                .map(|(id, body)| match body {
                    Value::String(body) => Ok((id, body)),
                    _ => Err(format!("the document `{id}` must be a string")),
                })
                .collect::<Result<_, String>>()?
        };
        if entries.is_empty() {
            return Err(
                "names no documents (with none, nobody but the administrator could query)".into(),
            );
        }
        let mut by_hash = HashMap::new();
        for (id, body) in entries {
            parse_query(&body).map_err(|e| format!("the document `{id}` does not parse: {e}"))?;
            let body: Arc<str> = Arc::from(body);
            by_hash.insert(sha256_hex(&body), body.clone());
            by_hash.insert(id.to_ascii_lowercase(), body);
        }
        Ok(Self { by_hash })
    }

    /// The names of the operations the documents declare.
    pub fn operation_names(&self) -> HashSet<String> {
        let mut names = HashSet::new();
        for body in self.by_hash.values() {
            if let Ok(document) = parse_query(body.as_ref()) {
                for (name, _) in document.operations.iter() {
                    if let Some(name) = name {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        names
    }

    /// Trusts `other`'s documents as well (the pages' own, beside the operator's file); an id
    /// both name keeps this file's document.
    pub fn extend(&mut self, other: Trusted) {
        for (key, body) in other.by_hash {
            self.by_hash.entry(key).or_insert(body);
        }
    }
}
