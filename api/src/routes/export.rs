//! `GET /export/ledger.xlsx?listId=…[&now=RFC3339]` and `/export/ledger.csv`: a list's 台账 for
//! the administrator's bearer token. Errors are JSON `{"error": {"code", "message"}}` with the
//! codes the graph uses: no token 401 `UNAUTHENTICATED`, a department's 403 `FORBIDDEN`, a bad
//! argument 400 `VALIDATION`, no such list 404 `NOT_FOUND`; past `MINSHENG_EXPORT_MAX_CONCURRENT`
//! exports at once 503 `BUSY` with `Retry-After`.

use axum::{
    Json,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    DomainError, export,
    store::{item::Today, item_ledger},
    urgency::UrgencyRule,
};
use serde::Deserialize;

use crate::{
    graphql::{
        auth::{self, Viewer},
        ids::{self, Kind},
    },
    startup::AppState,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerQuery {
    list_id: Option<String>,
    now: Option<String>,
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = (
        status,
        Json(serde_json::json!({ "error": { "code": code, "message": message } })),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

pub async fn ledger(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<LedgerQuery>,
    headers: HeaderMap,
) -> Response {
    let format = match file.as_str() {
        "ledger.xlsx" => export::Format::Xlsx,
        "ledger.csv" => export::Format::Csv,
        _ => return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "no such export"),
    };
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = match auth::bearer(header) {
        Ok(Some(token)) => token,
        _ => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "the administrator's bearer token is required",
            );
        }
    };
    match Viewer::from_token(Some(token), state.settings.admin_token.as_ref(), &state.db).await {
        Ok(Viewer::Admin) => {}
        Ok(_) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "FORBIDDEN",
                "only the administrator exports the ledger",
            );
        }
        Err(auth::AuthError::BadToken) => {
            return refuse(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "the bearer token is not valid",
            );
        }
        Err(auth::AuthError::Database(e)) => {
            tracing::error!(error = %e, "tokens could not be checked for an export");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    }
    // Bounded: a whole list is read over several connections and written out on a core.
    let Ok(_running) = state.exports.clone().try_acquire_owned() else {
        let mut busy = refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "BUSY",
            "other exports are running (MINSHENG_EXPORT_MAX_CONCURRENT); try again in a few seconds",
        );
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return busy;
    };
    let Some(list) = query.list_id.as_deref() else {
        return refuse(StatusCode::BAD_REQUEST, "VALIDATION", "listId is required");
    };
    let Ok(list_id) = ids::decode(
        Kind::ProjectList,
        &async_graphql::ID(list.to_owned()),
        "listId",
    ) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "VALIDATION",
            "listId is not a list's ID",
        );
    };
    let at = match query
        .now
        .as_deref()
        .map(DateTime::<FixedOffset>::parse_from_rfc3339)
    {
        None => Utc::now(),
        Some(Ok(now)) => now.with_timezone(&Utc),
        Some(Err(_)) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                "VALIDATION",
                "now is not an RFC 3339 time like 2021-06-30T09:00:00+08:00",
            );
        }
    };
    let today = Today {
        date: at.with_timezone(&state.settings.timezone).date_naive(),
        rule: UrgencyRule {
            due_soon_days: state.settings.graph.due_soon_days,
        },
    };
    let ledger = match item_ledger::ledger(&state.db, list_id, today, state.settings.timezone).await
    {
        Ok(ledger) => ledger,
        Err(DomainError::NotFound { .. }) => {
            return refuse(StatusCode::NOT_FOUND, "NOT_FOUND", "no list with this ID");
        }
        Err(e) => {
            tracing::error!(error = %e, list_id, "the ledger could not be read");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    let as_of = ledger.as_of;
    // Writing 20,000 rows takes a core for a while: not one the requests beside it need.
    let written = tokio::task::spawn_blocking(move || match format {
        export::Format::Xlsx => export::to_xlsx(&ledger).map_err(|e| e.to_string()),
        export::Format::Csv => export::to_csv(&ledger).map_err(|e| e.to_string()),
    })
    .await;
    let bytes = written.unwrap_or_else(|e| Err(e.to_string()));
    let content_type = match format {
        export::Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export::Format::Csv => "text/csv; charset=utf-8",
    };
    match bytes {
        Ok(bytes) => {
            let name = format!("ledger-{as_of}.{}", format.extension());
            let mut response = (StatusCode::OK, bytes).into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(e) => {
            tracing::error!(error = %e, list_id, "the ledger could not be written");
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            )
        }
    }
}
