//! `GET /ack/{token}`: the 签收 link of a reminder email. A valid link records when the message
//! was acknowledged and answers with a small page in Chinese saying what and when; following
//! it again says when it was first acknowledged. A forged, expired or unknown link gets the
//! same 404 page, which says nothing about why. A `HEAD` (a mail scanner checking the link)
//! acknowledges nothing.

use std::sync::LazyLock;

use axum::{
    extract::{Path, State},
    http::{HeaderValue, Method, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use domain::{acknowledgement, store::delivery::acknowledgements};
use minijinja::{Environment, UndefinedBehavior, context};
use serde::Serialize;

use crate::startup::AppState;

static PAGE: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.add_template("ack.html", include_str!("../../templates/ack.html"))?;
    Ok(env)
});

#[derive(Serialize)]
struct ItemView {
    number: String,
    title: String,
}

fn page(status: StatusCode, context: minijinja::Value) -> Response {
    let rendered = PAGE.as_ref().map_err(|e| e.to_string()).and_then(|env| {
        env.get_template("ack.html")
            .and_then(|t| t.render(context))
            .map_err(|e| e.to_string())
    });
    let mut response = match rendered {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the acknowledgement page does not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    response
}

fn invalid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        context! {
            heading => "链接无效",
            acknowledged => false,
            message => "该签收链接无效或已过期。如需签收,请联系督查室或登录系统办理。",
        },
    )
}

pub async fn acknowledge(
    State(state): State<AppState>,
    method: Method,
    Path(token): Path<String>,
) -> Response {
    let Some(key) = &state.settings.supervision.signing_key else {
        return invalid();
    };
    let now = Utc::now();
    let Ok(ack) = acknowledgement::verify(key.expose().as_bytes(), &token, now) else {
        return invalid();
    };
    if method == Method::HEAD {
        return StatusCode::OK.into_response();
    }
    let done = match acknowledgements::acknowledge_message(&state.db, &ack.message_id, now).await {
        Ok(done) => done,
        Err(domain::DomainError::NotFound { .. }) => return invalid(),
        Err(e) => {
            tracing::error!(error = %e, "acknowledging a reminder failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let (department, items) = match acknowledgements::described(&state.db, &done.rows).await {
        Ok(described) => described,
        Err(e) => {
            tracing::error!(error = %e, "describing an acknowledged reminder failed");
            (String::new(), Vec::new())
        }
    };
    let when = local_time(done.at, state.settings.timezone);
    page(
        StatusCode::OK,
        context! {
            heading => if done.first { "签收成功" } else { "该提醒已签收" },
            acknowledged => true,
            when_text => if done.first {
                format!("已于{when}签收本提醒。")
            } else {
                format!("该提醒已于{when}签收,无需重复签收。")
            },
            department,
            items => items
                .into_iter()
                .map(|(_, number, title)| ItemView { number, title })
                .collect::<Vec<_>>(),
        },
    )
}

/// `2021年6月23日 08:05`, in the configured time zone.
fn local_time(at: DateTime<Utc>, timezone: chrono_tz::Tz) -> String {
    at.with_timezone(&timezone)
        .format("%Y年%-m月%-d日 %H:%M")
        .to_string()
}
