//! What the REST routes (`/export/…`) share with each other: one error type, answered as JSON
//! `{"error": {"code", "message"}}` with the codes the graph uses, and one extractor for the
//! administrator's bearer token. (`/ack/…` takes a signed link, not a token.)

use axum::{
    Json,
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};

use crate::{
    graphql::auth::{self, Viewer},
    startup::AppState,
};

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

/// The request carries the administrator's bearer token; anything else is refused before the
/// handler runs: no token or an unknown one 401, a department's 403.
pub struct AdminBearer;

impl FromRequestParts<AppState> for AdminBearer {
    type Rejection = RestError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, RestError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let Ok(Some(token)) = auth::bearer(header) else {
            return Err(RestError::Unauthenticated(
                "the administrator's bearer token is required",
            ));
        };
        match Viewer::from_token(Some(token), state.settings.admin_token.as_ref(), &state.db).await
        {
            Ok(Viewer::Admin) => Ok(AdminBearer),
            Ok(_) => Err(RestError::Forbidden(
                "only the administrator may do this; a department's token may not",
            )),
            Err(auth::AuthError::BadToken) => {
                Err(RestError::Unauthenticated("the bearer token is not valid"))
            }
            Err(auth::AuthError::Database(e)) => {
                tracing::error!(error = %e, "tokens could not be checked for a REST route");
                Err(RestError::Internal)
            }
        }
    }
}
