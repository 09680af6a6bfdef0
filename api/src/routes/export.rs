//! `GET /export/ledger.xlsx?listId=…[&now=RFC3339]` and `/export/ledger.csv`: a list's 台账 for
//! the administrator's bearer token. Errors are JSON `{"error": {"code", "message"}}` with the
//! codes the graph uses: no token 401 `UNAUTHENTICATED`, a department's 403 `FORBIDDEN`, a bad
//! argument 400 `VALIDATION`, no such list 404 `NOT_FOUND`; past `MINSHENG_EXPORT_MAX_CONCURRENT`
//! exports at once 503 `BUSY` with `Retry-After`.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    DomainError, export,
    store::{item::Today, ledger},
    urgency::UrgencyRule,
};
use serde::Deserialize;

use crate::{
    graphql::ids::{self, Kind},
    routes::rest::{OfficeReader, RestError},
    startup::AppState,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerQuery {
    list_id: Option<String>,
    now: Option<String>,
}

pub async fn ledger(
    _admin: OfficeReader,
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<LedgerQuery>,
) -> Result<Response, RestError> {
    let format = match file.as_str() {
        "ledger.xlsx" => export::Format::Xlsx,
        "ledger.csv" => export::Format::Csv,
        _ => return Err(RestError::NotFound("no such export")),
    };
    // Bounded: a whole list is read over several connections and written out on a core.
    let Ok(_running) = state.exports.clone().try_acquire_owned() else {
        return Err(RestError::Busy(
            "other exports are running (MINSHENG_EXPORT_MAX_CONCURRENT); try again in a few seconds",
            5,
        ));
    };
    let list = query
        .list_id
        .as_deref()
        .ok_or(RestError::Validation("listId is required"))?;
    let list_id = ids::decode(
        Kind::ProjectList,
        &async_graphql::ID(list.to_owned()),
        "listId",
    )
    .map_err(|_| RestError::Validation("listId is not a list's ID"))?;
    let at = match query
        .now
        .as_deref()
        .map(DateTime::<FixedOffset>::parse_from_rfc3339)
    {
        None => Utc::now(),
        Some(Ok(now)) => now.with_timezone(&Utc),
        Some(Err(_)) => {
            return Err(RestError::Validation(
                "now is not an RFC 3339 time like 2021-06-30T09:00:00+08:00",
            ));
        }
    };
    let today = Today {
        date: at.with_timezone(&state.settings.timezone).date_naive(),
        rule: UrgencyRule {
            due_soon_days: state.settings.graph.due_soon_days,
        },
    };
    let ledger = ledger::of_list(&state.db, list_id, today, state.settings.timezone)
        .await
        .map_err(|e| match e {
            DomainError::NotFound { .. } => RestError::NotFound("no list with this ID"),
            e => {
                tracing::error!(error = %e, list_id, "the 台账 could not be read");
                RestError::Internal
            }
        })?;
    let as_of = ledger.as_of;
    let title = ledger.title.clone();
    // Writing 20,000 rows takes a core for a while: not one the requests beside it need.
    let written = tokio::task::spawn_blocking(move || match format {
        export::Format::Xlsx => export::to_xlsx(&ledger).map_err(|e| e.to_string()),
        export::Format::Csv => export::to_csv(&ledger).map_err(|e| e.to_string()),
    })
    .await;
    let bytes = written
        .unwrap_or_else(|e| Err(e.to_string()))
        .map_err(|e| {
            tracing::error!(error = %e, list_id, "the 台账 could not be written");
            RestError::Internal
        })?;
    let content_type = match format {
        export::Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        export::Format::Csv => "text/csv; charset=utf-8",
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition(&title, as_of, format.extension())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `attachment` with the file's Chinese name, `<清单标题>台账（截至2021-06-20）.xlsx`, as RFC 6266
/// says (`filename*`, UTF-8, percent-encoded), and an ASCII `filename` for old clients.
fn disposition(title: &str, as_of: chrono::NaiveDate, extension: &str) -> String {
    // Characters no file system takes in a name, and controls, become `_`.
    let title: String = title
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = format!("{}台账（截至{as_of}）.{extension}", title.trim());
    let mut encoded = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        // RFC 5987's attr-char: letters, digits and !#$&+-.^_`|~ go as they are.
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"ledger-{as_of}.{extension}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::disposition;

    #[test]
    fn the_file_is_named_in_chinese_with_an_ascii_fallback() {
        let day = chrono::NaiveDate::from_ymd_opt(2021, 6, 20).expect("a day");
        assert_eq!(
            disposition("菏泽市2021年清单", day, "xlsx"),
            "attachment; filename=\"ledger-2021-06-20.xlsx\"; filename*=UTF-8''%E8%8F%8F%E6%B3%BD%E5%B8%822021%E5%B9%B4%E6%B8%85%E5%8D%95%E5%8F%B0%E8%B4%A6%EF%BC%88%E6%88%AA%E8%87%B32021-06-20%EF%BC%89.xlsx"
        );
        // A slash or a quote in a title cannot make a path or end the header's value.
        let odd = disposition("a/b\"c", day, "csv");
        assert!(odd.contains("filename*=UTF-8''a_b_c"), "{odd}");
    }
}
