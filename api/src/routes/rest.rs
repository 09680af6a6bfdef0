//! What the REST routes (`/export/…`) share with each other: one error type, answered as JSON
//! `{"error": {"code", "message"}}` with the codes the graph uses, and one extractor for the
//! office's credential. (`/ack/…` takes a signed link, not a token.)

use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};

use crate::{graphql::auth::Viewer, routes::session, startup::AppState};

/// Why a REST route refused; each is one status and one `code`.
#[derive(Debug)]
pub enum RestError {
    /// 401, with `WWW-Authenticate: Bearer`.
    Unauthenticated(&'static str),
    /// 403.
    Forbidden(&'static str),
    /// 400 `VALIDATION`.
    Validation(&'static str),
    /// 404.
    NotFound(&'static str),
    /// 503, with `Retry-After` in seconds.
    Busy(&'static str, u32),
    /// 500; the cause is logged where it happened, never shown.
    Internal,
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            RestError::Unauthenticated(m) => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", m),
            RestError::Forbidden(m) => (StatusCode::FORBIDDEN, "FORBIDDEN", m),
            RestError::Validation(m) => (StatusCode::BAD_REQUEST, "VALIDATION", m),
            RestError::NotFound(m) => (StatusCode::NOT_FOUND, "NOT_FOUND", m),
            RestError::Busy(m, _) => (StatusCode::SERVICE_UNAVAILABLE, "BUSY", m),
            RestError::Internal => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            ),
        };
        let mut response = (
            status,
            Json(serde_json::json!({ "error": { "code": code, "message": message } })),
        )
            .into_response();
        let headers = response.headers_mut();
        match self {
            RestError::Unauthenticated(_) => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            RestError::Busy(_, seconds) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            _ => {}
        }
        response
    }
}

/// The request comes from someone who reads everything the office reads (the office, a
/// leader, the break-glass token), by bearer token or session cookie; anything else is refused
/// before the handler runs: no credential or an unknown one 401, a department's 403.
pub struct OfficeReader;

impl FromRequestParts<AppState> for OfficeReader {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, RestError> {
        match session::viewer(state, &parts.headers).await {
            Ok(viewer) if viewer.reads_everything() => Ok(OfficeReader),
            Ok(Viewer::Anonymous) => Err(RestError::Unauthenticated(
                "sign in, or send the administrator's bearer token",
            )),
            Ok(_) => Err(RestError::Forbidden(
                "only the office and leaders may do this; a department may not",
            )),
            Err(session::Refusal::BadToken) => {
                Err(RestError::Unauthenticated("the bearer token is not valid"))
            }
            Err(session::Refusal::Internal) => Err(RestError::Internal),
        }
    }
}
