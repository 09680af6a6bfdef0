//! What the GraphQL api is configured with: urgency, the bounds on requests, CORS, persisted
//! and trusted documents.

use std::path::PathBuf;

use url::Url;

use super::{
    ConfigError,
    layers::{Merged, flag, number},
};

/// What the GraphQL api is configured with: how urgency is judged and how requests are bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GraphSettings {
    /// An item is `DUE_SOON` when its earliest due date is at most this many days away.
    pub due_soon_days: u32,
    pub depth_limit: usize,
    /// Connections cost their page size times their selection.
    pub complexity_limit: usize,
    /// Off in production: the schema is then only what `api schema` prints.
    pub introspection: bool,
    /// Off in production: `GET /graphql` without a query answers 400, not the page.
    pub graphiql: bool,
    /// The board and the item pages at `GET /`; off: `/` answers 404.
    pub web: bool,
    pub request_timeout: std::time::Duration,
    /// 台账 exports (`/export/…`) running at once; more are answered 503 with `Retry-After`.
    pub export_max_concurrent: usize,
    pub body_limit_bytes: usize,
    /// Origins whose pages may call the api from a browser (CORS); empty: same origin only.
    pub cors_origins: CorsOrigins,
    /// Bytes of query text kept for automatic persisted queries; 0: the protocol is off.
    pub persisted_query_cache_bytes: usize,
    /// When set, callers without the administrator's token run only the documents in this
    /// file.
    pub trusted_documents: Option<PathBuf>,
    /// The most database statements one request of a caller without the administrator's
    /// token may run.
    pub request_statement_limit: usize,
}

/// Which browser origins may call the api.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum CorsOrigins {
    /// No CORS headers: pages of the api's own origin only.
    #[default]
    SameOrigin,
    /// `*`: any page on the web (accepted, and warned about at start).
    Any,
    /// These origins (`scheme://host[:port]`), exactly.
    List(Vec<String>),
}

impl CorsOrigins {
    /// A comma list of origins, `*`, or empty.
    pub fn parse(value: &str) -> Result<Self, String> {
        let items: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return Ok(Self::SameOrigin);
        }
        if items.contains(&"*") {
            return if items.len() == 1 {
                Ok(Self::Any)
            } else {
                Err("`*` allows every origin; give it alone or list origins instead".into())
            };
        }
        items
            .into_iter()
            .map(|item| {
                let url = Url::parse(item).map_err(|_| {
                    format!("'{item}' is not an origin such as http://localhost:5173")
                })?;
                let origin = url.origin();
                let shown = origin.ascii_serialization();
                if !origin.is_tuple() || !matches!(url.scheme(), "http" | "https") {
                    return Err(format!("'{item}' is not an http or https origin"));
                }
                if !url.path().trim_start_matches('/').is_empty()
                    || url.query().is_some()
                    || url.fragment().is_some()
                    || !url.username().is_empty()
                {
                    return Err(format!(
                        "'{item}' is not a bare origin (scheme://host[:port], as a browser sends it: {shown})"
                    ));
                }
                Ok(shown)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|mut origins| {
                origins.dedup();
                Self::List(origins)
            })
    }
}

impl GraphSettings {
    pub(super) fn from_merged(merged: &mut Merged) -> Result<Self, ConfigError> {
        Ok(Self {
            due_soon_days: number(merged, "due_soon_days", 0, 366)?,
            depth_limit: number(merged, "graphql_depth_limit", 2, 64)?,
            complexity_limit: number(merged, "graphql_complexity_limit", 10, 1_000_000)?,
            introspection: flag(merged, "graphql_introspection")?,
            graphiql: flag(merged, "graphiql")?,
            web: flag(merged, "web")?,
            request_timeout: std::time::Duration::from_millis(number(
                merged,
                "request_timeout_ms",
                1,
                3_600_000,
            )?),
            export_max_concurrent: number(merged, "export_max_concurrent", 1, 1_000)?,
            body_limit_bytes: number(merged, "body_limit_bytes", 1024, 64 * 1024 * 1024)?,
            cors_origins: match merged.take("cors_origins") {
                Some(s) => {
                    CorsOrigins::parse(&s.value).map_err(|m| ConfigError::new(&s.origin, m))?
                }
                None => CorsOrigins::SameOrigin,
            },
            persisted_query_cache_bytes: number(
                merged,
                "persisted_query_cache_bytes",
                0,
                1024 * 1024 * 1024,
            )?,
            trusted_documents: merged
                .optional("trusted_documents")
                .map(|s| PathBuf::from(s.value.trim())),
            request_statement_limit: number(merged, "request_statement_limit", 10, 1_000_000)?,
        })
    }
}
