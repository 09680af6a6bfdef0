//! A GraphQL response as HTTP: its body in the negotiated media type, and the status code that
//! media type calls for.
//!
//! - `application/json`: 200 for every well-formed request, errors or not (a 4xx could come from
//!   any proxy on the way, so legacy clients cannot trust it).
//! - `application/graphql-response+json`: 200 when the request was executed (there is `data`,
//!   even `null`, possibly with field errors); otherwise a 4xx or 5xx from the error's code.
//!
//! A response to a request that never executed (parse, validation, variables, a refused token)
//! carries no `data` entry at all, as the GraphQL specification asks.

use std::collections::BTreeMap;

use async_graphql::{Response, ServerError, Value};
use axum::{
    body::Body,
    http::{HeaderValue, StatusCode, header},
    response::IntoResponse,
};
use serde::Serialize;

use super::accept::MediaType;
use crate::graphql::error::code;

/// A GraphQL response on its way out.
pub struct Reply {
    media: MediaType,
    status: StatusCode,
    response: Response,
    executed: bool,
}

impl Reply {
    /// The response of a request handed to the schema: executed unless it has neither data nor
    /// an error raised by a field (errors raised by fields carry their path).
    pub fn from_schema(media: MediaType, response: Response) -> Self {
        let executed = response.data != Value::Null
            || response.errors.is_empty()
            || response.errors.iter().any(|e| !e.path.is_empty());
        let status = if executed {
            StatusCode::OK
        } else {
            request_error_status(media, &response.errors)
        };
        Self {
            media,
            status,
            response,
            executed,
        }
    }

    /// A request refused before execution.
    pub fn refused(media: MediaType, response: Response) -> Self {
        Self {
            media,
            status: request_error_status(media, &response.errors),
            response,
            executed: false,
        }
    }

    /// A request that is not a well-formed GraphQL-over-HTTP request, whatever the media type
    /// (400, 405, 406, 415): the client has to change it.
    pub fn malformed(media: MediaType, status: StatusCode, message: &str) -> Self {
        Self {
            media,
            status,
            response: Response::from_errors(vec![with_code(message, code::BAD_REQUEST)]),
            executed: false,
        }
    }

    /// `OK`, or the code of the first error.
    pub fn code(&self) -> &'static str {
        match self.response.errors.first() {
            None => code::OK,
            Some(error) => error
                .extensions
                .as_ref()
                .and_then(|ext| ext.get("code"))
                .map_or(code::INTERNAL, |c| match c {
                    Value::String(s) => code::known(s),
                    _ => code::INTERNAL,
                }),
        }
    }

    /// Adds a header (`Allow` on a 405).
    pub fn header(mut self, name: header::HeaderName, value: &'static str) -> Self {
        self.response
            .http_headers
            .insert(name, HeaderValue::from_static(value));
        self
    }
}

/// The status of a request error under each media type, from its first error's code.
fn request_error_status(media: MediaType, errors: &[ServerError]) -> StatusCode {
    if media == MediaType::Json {
        return StatusCode::OK;
    }
    let first = errors
        .first()
        .and_then(|e| e.extensions.as_ref())
        .and_then(|ext| ext.get("code"))
        .and_then(|c| match c {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        });
    match first {
        Some(code::UNAUTHENTICATED) => StatusCode::UNAUTHORIZED,
        Some(code::FORBIDDEN | code::UNTRUSTED_DOCUMENT) => StatusCode::FORBIDDEN,
        Some(code::TIMEOUT) => StatusCode::SERVICE_UNAVAILABLE,
        Some(code::INTERNAL) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An error with `extensions.code`.
pub fn with_code(message: &str, code: &'static str) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = async_graphql::ErrorExtensionValues::default();
    extensions.set("code", Value::from(code));
    error.extensions = Some(extensions);
    error
}

#[derive(Serialize)]
struct Payload<'a> {
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, Value>,
}

impl IntoResponse for Reply {
    fn into_response(self) -> axum::response::Response {
        let payload = Payload {
            errors: &self.response.errors,
            data: self.executed.then_some(&self.response.data),
            extensions: &self.response.extensions,
        };
        let bytes = match serde_json::to_vec(&payload) {
            Ok(bytes) => bytes,
            Err(e) => {
                // Only a map with non-string keys fails to serialise; GraphQL values have none.
                tracing::error!(error = %e, "a GraphQL response could not be serialised");
                br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#
                    .to_vec()
            }
        };
        let mut response = (self.status, Body::from(bytes)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.media.content_type()),
        );
        // The body depends on the media type asked for and on who asked.
        headers.insert(
            header::VARY,
            HeaderValue::from_static("accept, authorization"),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        headers.extend(self.response.http_headers);
        response
    }
}
