//! Signing in and out, and setting a password from a one-time link:
//!
//! - `POST /auth/sign-in` `{login, password}`: starts a session (the cookie) and answers who
//!   signed in; a wrong login or password gets one answer, `401`, whichever it was; too many
//!   failures `429` with `Retry-After`.
//! - `POST /auth/sign-out` (`{"everywhere": true}` for 全部退出): ends the session, or all of
//!   the person's sessions, and closes their WebSockets on every replica.
//! - `POST /auth/password` `{token, password}`: sets the password from a link, ends the
//!   account's sessions.
//!
//! All three take requests from the api's own origin only (a form on another site must not
//! sign anyone in or out). Passwords are never logged, stored or returned.

use std::net::SocketAddr;

use axum::{
    Json,
    body::Bytes,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use domain::{
    DomainError,
    account::{Password, RoleRules},
    store::account::{self, links::LinkRefused, sessions, sign_in::Refused},
};
use serde::Deserialize;
use serde_json::json;

use super::session::{self, COOKIE, Credential};
use crate::{
    graphql::{
        events::{Revocations, Revoked},
        ids::{self, Kind},
    },
    startup::AppState,
};

fn answer(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

fn cross_site() -> Response {
    answer(
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
        "sign-in requests come from the api's own pages only",
    )
}

fn internal(e: &DomainError) -> Response {
    tracing::error!(error = %e, cause = ?e, "an account request failed");
    answer(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL",
        "internal error",
    )
}

fn validation(field: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": { "code": "VALIDATION", "field": field, "message": message } })),
    )
        .into_response()
}

/// The `VALIDATION` answer to a body that is not the JSON a route takes.
fn bad_body(e: &serde_json::Error) -> Response {
    validation(
        "body",
        &format!("send JSON with the fields this route takes ({e})"),
    )
}

fn account_json(account: &account::Account) -> serde_json::Value {
    json!({
        "id": ids::encode(Kind::Account, account.id).0,
        "login": account.login,
        "name": account.name,
        "role": account.role.cli_name().to_uppercase(),
        "roleLabel": account.role.label(),
        "departmentId": account.department_id.map(|d| ids::encode(Kind::Department, d).0),
    })
}

/// A `Set-Cookie` of the api's: HttpOnly, SameSite=Lax, under `path`, Secure when the public
/// URL is https, and gone after `max_age_seconds` (0: at once).
pub(super) fn cookie(
    state: &AppState,
    name: &str,
    value: &str,
    path: &str,
    max_age_seconds: i64,
) -> HeaderValue {
    let secure = state
        .settings
        .supervision
        .public_url
        .as_ref()
        .is_some_and(|u| u.scheme() == "https");
    let cookie = format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::from_str(&cookie).expect("a cookie of URL-safe characters")
}

/// `Set-Cookie` for a session, gone with the session's absolute lifetime.
pub(super) fn set_cookie(state: &AppState, value: &str, max_age_seconds: i64) -> HeaderValue {
    cookie(state, COOKIE, value, "/", max_age_seconds)
}

#[derive(Deserialize)]
struct SignIn {
    login: String,
    password: String,
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !session::from_own_origin(&headers) {
        return cross_site();
    }
    let request: SignIn = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_body(&e),
    };
    let outcome = account::sign_in::sign_in(
        &state.db,
        &request.login,
        request.password,
        &client.ip().to_string(),
        state.settings.accounts.lifetimes(),
        Utc::now(),
    )
    .await;
    match outcome {
        Ok(Ok(signed_in)) => {
            // The session was made just now: it lives its whole absolute lifetime.
            let max_age = state.settings.accounts.session_max.num_seconds();
            let mut response =
                Json(json!({ "account": account_json(&signed_in.account) })).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                set_cookie(&state, &signed_in.secret, max_age),
            );
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(Err(Refused::Credentials)) => answer(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "登录名或密码不正确",
        ),
        Ok(Err(Refused::Throttled(wait))) => {
            let seconds = wait.num_seconds().max(1);
            let mut response = answer(
                StatusCode::TOO_MANY_REQUESTS,
                "THROTTLED",
                &format!("失败次数过多，请 {seconds} 秒后再试"),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            response
        }
        Err(e) => internal(&e),
    }
}

#[derive(Deserialize, Default)]
struct SignOut {
    #[serde(default)]
    everywhere: bool,
}

pub async fn sign_out(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if !session::from_own_origin(&headers) {
        return cross_site();
    }
    let request: SignOut = if body.iter().all(u8::is_ascii_whitespace) {
        SignOut::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return bad_body(&e),
        }
    };
    let cleared = set_cookie(&state, "", 0);
    let Ok(Some(Credential::Session(secret))) = session::credential(&headers) else {
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(header::SET_COOKIE, cleared);
        return response;
    };
    let now = Utc::now();
    let found =
        sessions::resolve(&state.db, &secret, state.settings.accounts.lifetimes(), now).await;
    match found {
        Ok(Some(session)) => {
            if let Err(e) =
                account::sign_in::sign_out(&state.db, &session, request.everywhere, now).await
            {
                return internal(&e);
            }
            if let Some(revocations) = state.schema.data::<Revocations>() {
                let event = if request.everywhere {
                    Revoked::Account {
                        account_id: session.account.id,
                    }
                } else {
                    Revoked::Session {
                        session_id: session.id,
                    }
                };
                revocations.publish(event).await;
            }
        }
        Ok(None) => {}
        Err(e) => return internal(&e),
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, cleared);
    response
}

#[derive(Deserialize)]
struct SetPassword {
    token: String,
    password: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !session::from_own_origin(&headers) {
        return cross_site();
    }
    let request: SetPassword = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return bad_body(&e),
    };
    let password = match Password::parse(&request.password) {
        Ok(p) => p,
        Err(DomainError::Validation { message, .. }) => return validation("password", &message),
        Err(e) => return internal(&e),
    };
    match account::links::set_password(&state.db, request.token.trim(), password, Utc::now()).await
    {
        Ok(Ok(account)) => {
            if let Some(revocations) = state.schema.data::<Revocations>() {
                revocations
                    .publish(Revoked::Account {
                        account_id: account.id,
                    })
                    .await;
            }
            Json(json!({ "account": account_json(&account) })).into_response()
        }
        Ok(Err(LinkRefused::Invalid | LinkRefused::Disabled)) => validation(
            "token",
            "这个链接已失效（已用过、已过期或已被新链接取代），请向管理员索取新链接",
        ),
        Err(e) => internal(&e),
    }
}
