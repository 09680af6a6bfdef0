//! The edge where errors become GraphQL errors with a stable `extensions.code`.
//!
//! Clients branch on the code, never on the message. Unexpected errors are logged here with their
//! cause chain and reach the client only as `INTERNAL`.

use async_graphql::{ErrorExtensions, Response};
use domain::DomainError;

/// Codes clients may rely on.
pub mod code {
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const VALIDATION: &str = "VALIDATION";
    pub const CONFLICT: &str = "CONFLICT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const INTERNAL: &str = "INTERNAL";
    /// The request ran past `MINSHENG_REQUEST_TIMEOUT_MS`.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// Not a well-formed GraphQL-over-HTTP request (its parameters, body or headers).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// Apollo's automatic persisted queries: the hash is not known here; send the text too.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// Automatic persisted queries are turned off (`MINSHENG_PERSISTED_QUERY_CACHE_BYTES=0`).
    pub const PERSISTED_QUERY_NOT_SUPPORTED: &str = "PERSISTED_QUERY_NOT_SUPPORTED";
    /// `MINSHENG_TRUSTED_DOCUMENTS` is set and the document is not one of them.
    pub const UNTRUSTED_DOCUMENT: &str = "UNTRUSTED_DOCUMENT";
    /// The request ran more statements than `MINSHENG_REQUEST_STATEMENT_LIMIT` and was stopped.
    pub const TOO_EXPENSIVE: &str = "TOO_EXPENSIVE";
    /// The WebSocket runs as many subscriptions as `MINSHENG_WS_MAX_SUBSCRIPTIONS_PER_SOCKET`.
    pub const TOO_MANY_SUBSCRIPTIONS: &str = "TOO_MANY_SUBSCRIPTIONS";
    /// A subscription may have missed events and has ended: subscribe again and refetch.
    pub const EVENTS_MISSED: &str = "EVENTS_MISSED";

    /// Every code, as the metrics label requests with them.
    pub const ALL: [&str; 15] = [
        NOT_FOUND,
        VALIDATION,
        CONFLICT,
        UNAUTHENTICATED,
        FORBIDDEN,
        INTERNAL,
        TIMEOUT,
        BAD_REQUEST,
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_NOT_SUPPORTED,
        UNTRUSTED_DOCUMENT,
        TOO_EXPENSIVE,
        TOO_MANY_SUBSCRIPTIONS,
        EVENTS_MISSED,
        OK,
    ];

    /// A response without errors, as the metrics label it.
    pub const OK: &str = "OK";

    /// The code `text` names; `INTERNAL` for one that is not ours (every error leaving the api
    /// has one of ours, `ensure_codes` sees to that).
    pub fn known(text: &str) -> &'static str {
        ALL.into_iter().find(|c| *c == text).unwrap_or(INTERNAL)
    }
}

/// Converts a domain error into a client-facing GraphQL error.
pub fn to_graphql(err: DomainError) -> async_graphql::Error {
    describe(&err)
}

/// As [`to_graphql`], for an error shared by every field that waited on the same batch.
pub fn describe(err: &DomainError) -> async_graphql::Error {
    match err {
        DomainError::NotFound { entity, id } => {
            async_graphql::Error::new(format!("{entity} {id} not found")).extend_with(|_, e| {
                e.set("code", code::NOT_FOUND);
            })
        }
        DomainError::Validation { field, message } => {
            async_graphql::Error::new(format!("{field}: {message}")).extend_with(|_, e| {
                e.set("code", code::VALIDATION);
                e.set("field", field.as_str());
            })
        }
        DomainError::Conflict { field, message } => {
            async_graphql::Error::new(format!("{field}: {message}")).extend_with(|_, e| {
                e.set("code", code::CONFLICT);
                e.set("field", field.as_str());
            })
        }
        DomainError::Forbidden(message) => {
            async_graphql::Error::new(message.as_str()).extend_with(|_, e| {
                e.set("code", code::FORBIDDEN);
            })
        }
        DomainError::Database(source) if domain::db::constraints::is_statement_timeout(source) => {
            tracing::warn!(error = %source, "a statement ran past MINSHENG_STATEMENT_TIMEOUT_MS and was cancelled");
            async_graphql::Error::new("the database took too long and the statement was stopped")
                .extend_with(|_, e| {
                    e.set("code", code::TIMEOUT);
                })
        }
        DomainError::Database(source) => {
            tracing::error!(error = %source, cause = ?source, "request failed on an unexpected database error");
            async_graphql::Error::new("internal error").extend_with(|_, e| {
                e.set("code", code::INTERNAL);
            })
        }
    }
}

/// Domain errors name an input's fields (`title`); in the graph they sit under an argument
/// (`input.title`).
pub fn under(prefix: &str, err: DomainError) -> DomainError {
    match err {
        DomainError::Validation { field, message } => DomainError::Validation {
            field: format!("{prefix}.{field}"),
            message,
        },
        DomainError::Conflict { field, message } => DomainError::Conflict {
            field: format!("{prefix}.{field}"),
            message,
        },
        other => other,
    }
}

/// `NOT_FOUND` for the `kind` record with global ID `id`.
pub fn not_found(kind: super::ids::Kind, id: &async_graphql::ID) -> async_graphql::Error {
    describe(&DomainError::NotFound {
        entity: kind.name(),
        id: id.to_string(),
    })
}

/// Errors raised by async-graphql itself (unknown field, wrong argument type, limits exceeded)
/// carry no code: they are all about the request, so they get `VALIDATION`.
pub fn ensure_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|ext| ext.get("code").is_some());
        if !has_code {
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code::VALIDATION);
        }
    }
    response
}
