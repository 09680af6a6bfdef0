//! `POST /graphql`: one request, with its viewer, clock and loaders, under a time limit.

use async_graphql::{ErrorExtensions, Response, ServerError};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::{extract::State, http::HeaderMap};
use chrono::Utc;
use domain::urgency::UrgencyRule;

use crate::{
    graphql::{
        auth::{self, Viewer},
        clock::RequestClock,
        error::{code, ensure_codes},
        expansion, loaders,
    },
    startup::AppState,
};

pub async fn execute(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let header = headers
        .get(axum::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    let viewer = match resolve_viewer(&state, header).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let mut request = request.into_inner();
    if let Some(refused) = expansion::refusal(&mut request) {
        return refused.into();
    }
    let clock = RequestClock {
        now: Utc::now(),
        timezone: state.settings.timezone,
        rule: UrgencyRule {
            due_soon_days: state.settings.graph.due_soon_days,
        },
    };
    let request = request
        .data(viewer)
        .data(clock)
        .data(loaders::for_request(state.db.clone()));
    let limit = state.settings.graph.request_timeout;
    match tokio::time::timeout(limit, state.schema.execute(request)).await {
        Ok(response) => ensure_codes(response).into(),
        Err(_) => {
            tracing::warn!(
                limit_ms = limit.as_millis() as u64,
                "a GraphQL request ran out of time and was abandoned (MINSHENG_REQUEST_TIMEOUT_MS)"
            );
            error_response(code::TIMEOUT, "the request took too long and was stopped")
        }
    }
}

/// The caller of a request, or the response that refuses it. The token itself is never logged.
async fn resolve_viewer(state: &AppState, header: Option<&str>) -> Result<Viewer, GraphQLResponse> {
    let bad = || {
        error_response(
            code::UNAUTHENTICATED,
            "the bearer token is not valid; send none to read the public list",
        )
    };
    let token = auth::bearer(header).map_err(|_| bad())?;
    match Viewer::from_token(token, state.settings.admin_token.as_ref(), &state.db).await {
        Ok(viewer) => Ok(viewer),
        Err(auth::AuthError::BadToken) => Err(bad()),
        Err(auth::AuthError::Database(e)) => {
            tracing::error!(error = %e, cause = ?e, "department tokens could not be checked");
            Err(error_response(code::INTERNAL, "internal error"))
        }
    }
}

fn error_response(code: &'static str, message: &str) -> GraphQLResponse {
    let error = async_graphql::Error::new(message)
        .extend_with(|_, e| e.set("code", code))
        .into_server_error(Default::default());
    Response::from_errors(vec![ServerError {
        locations: vec![],
        ..error
    }])
    .into()
}
