//! Single sign-on over HTTP (when `MINSHENG_OIDC_ISSUER` is set):
//!
//! - `GET /auth/methods`: how people may sign in here, for the 登录 page
//!   (`{"password": true, "singleSignOn": true}`).
//! - `GET /auth/oidc/start`: keeps a new flow, gives the browser its `state` in a cookie, and
//!   sends it to the provider.
//! - `GET /auth/oidc/callback`: the provider sends the browser back here with a code (or an
//!   error). The `state` must be the browser's own: a code carried to someone else's browser
//!   signs nobody in there. A session starts as a password sign-in's does, and the browser goes
//!   to the desk; any failure goes to the 登录 page with a reason in words (`#/sign-in?sso=…`).

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use domain::store::account::single_sign_on::{self, NoAccess};
use serde::Deserialize;
use serde_json::json;

use super::auth::{cookie, set_cookie};
use crate::startup::AppState;

/// The browser's half of a flow: the `state` it must bring back.
const STATE_COOKIE: &str = "minsheng_sso_state";

/// Why the 登录 page is shown after a failed single sign-on (`#/sign-in?sso=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// The provider knows the person; no account here is theirs.
    NoAccount,
    Disabled,
    /// The person turned back at the provider, or the provider refused.
    Cancelled,
    /// Anything else: a stale or foreign `state`, a code that did not exchange, an ID token
    /// that did not verify, the provider unreachable.
    Failed,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::NoAccount => "no-account",
            Outcome::Disabled => "disabled",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }
}

fn see_other(location: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::LOCATION,
        HeaderValue::from_str(location).expect("a URL is a valid header value"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn state_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    cookie(state, STATE_COOKIE, value, "/auth/oidc", max_age)
}

/// Back to the 登录 page, saying why, with the browser's half of the flow forgotten.
fn back_to_sign_in(state: &AppState, outcome: Outcome) -> Response {
    let mut response = see_other(&format!("/#/sign-in?sso={}", outcome.as_str()));
    response
        .headers_mut()
        .append(header::SET_COOKIE, state_cookie(state, "", 0));
    response
}

pub async fn methods(State(state): State<AppState>) -> Response {
    Json(json!({
        "password": true,
        "singleSignOn": state.single_sign_on.is_some(),
    }))
    .into_response()
}

pub async fn start(State(state): State<AppState>) -> Response {
    let Some(provider) = state.single_sign_on.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (url, flow_state, flow) = match provider.authorize().await {
        Ok(begun) => begun,
        Err(e) => {
            tracing::error!(error = %e, issuer = provider.issuer(), "single sign-on could not begin");
            return back_to_sign_in(&state, Outcome::Failed);
        }
    };
    if let Err(e) = single_sign_on::begin(&state.db, &flow_state, flow, Utc::now()).await {
        tracing::error!(error = %e, cause = ?e, "single sign-on could not keep its flow");
        return back_to_sign_in(&state, Outcome::Failed);
    }
    let mut response = see_other(url.as_str());
    let max_age = single_sign_on::FLOW_LIFETIME.num_seconds();
    response.headers_mut().insert(
        header::SET_COOKIE,
        state_cookie(&state, &flow_state, max_age),
    );
    response
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(answer): Query<Callback>,
) -> Response {
    let Some(provider) = state.single_sign_on.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = Utc::now();
    let own_state = super::session::cookie(&headers, STATE_COOKIE);
    let flow_state = match (answer.state.as_deref(), own_state) {
        (Some(sent), Some(own)) if sent == own => sent,
        _ => {
            tracing::warn!("a single sign-on callback without this browser's state was refused");
            return back_to_sign_in(&state, Outcome::Failed);
        }
    };
    let flow = match single_sign_on::take(&state.db, flow_state, now).await {
        Ok(Some(flow)) => flow,
        Ok(None) => {
            tracing::warn!("a single sign-on callback named a flow that is unknown, used or stale");
            return back_to_sign_in(&state, Outcome::Failed);
        }
        Err(e) => {
            tracing::error!(error = %e, cause = ?e, "single sign-on could not read its flow");
            return back_to_sign_in(&state, Outcome::Failed);
        }
    };
    if let Some(error) = answer.error {
        // The provider's words are its own; they are logged, never put in the page.
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "the provider turned the sign-in back");
        return back_to_sign_in(&state, Outcome::Cancelled);
    }
    let Some(code) = answer.code else {
        return back_to_sign_in(&state, Outcome::Failed);
    };
    let person = match provider.finish(code, flow).await {
        Ok(person) => person,
        Err(e) => {
            tracing::error!(error = %e, issuer = provider.issuer(), "single sign-on failed");
            return back_to_sign_in(&state, Outcome::Failed);
        }
    };
    let signed_in = single_sign_on::sign_in(
        &state.db,
        &person,
        &client.ip().to_string(),
        state.settings.accounts.lifetimes(),
        now,
    )
    .await;
    match signed_in {
        Ok(Ok(signed_in)) => {
            tracing::info!(
                account_id = signed_in.account.id,
                "signed in through the provider"
            );
            let mut response = see_other("/#/desk");
            let max_age = state.settings.accounts.session_max.num_seconds();
            let headers = response.headers_mut();
            headers.append(
                header::SET_COOKIE,
                set_cookie(&state, &signed_in.secret, max_age),
            );
            headers.append(header::SET_COOKIE, state_cookie(&state, "", 0));
            response
        }
        Ok(Err(NoAccess::NoAccount)) => back_to_sign_in(&state, Outcome::NoAccount),
        Ok(Err(NoAccess::Disabled)) => back_to_sign_in(&state, Outcome::Disabled),
        Err(e) => {
            tracing::error!(error = %e, cause = ?e, "single sign-on could not start a session");
            back_to_sign_in(&state, Outcome::Failed)
        }
    }
}
