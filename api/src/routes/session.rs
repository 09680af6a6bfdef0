//! Who a request comes from: a bearer token (`Authorization`), else the session cookie of a
//! signed-in person. A cookie counts only on a request from the api's own origin: a page on
//! another site can make a browser send it, so there it is ignored and the request runs as
//! anonymous (`Sec-Fetch-Site`, else `Origin`, tells). Bearer tokens work from anywhere, as
//! no page can make a browser send one.

use axum::http::{HeaderMap, header};
use chrono::Utc;
use domain::store::account::sessions;

use crate::{
    graphql::auth::{self, Person, Viewer},
    startup::AppState,
};

/// The session cookie's name.
pub const COOKIE: &str = "minsheng_session";

/// Why a credential was refused.
#[derive(Debug)]
pub enum Refusal {
    /// A bearer token we did not issue, or revoked.
    BadToken,
    /// The token or session store could not be read (logged where it happened).
    Internal,
}

/// The credential a request presents, to check again later (a WebSocket).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token (the break-glass token or a department's).
    Token(String),
    /// The session cookie's secret.
    Session(String),
}

/// The value of the cookie `name` in a `Cookie` header (`a=1; b=2`), if any.
pub(super) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
        .filter(|v| !v.is_empty())
}

/// Whether a browser says the request comes from the api's own pages (or from no page: a
/// typed address, a non-browser client).
pub fn from_own_origin(headers: &HeaderMap) -> bool {
    let value = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site") {
        return matches!(site, "same-origin" | "none");
    }
    match (value("origin"), value("host")) {
        (None, _) => true,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
    }
}

/// The credential of a request: its bearer token, else its session cookie when the request
/// comes from the api's own origin; `Err` for a malformed `Authorization` header.
pub fn credential(headers: &HeaderMap) -> Result<Option<Credential>, Refusal> {
    let header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Some(token) = auth::bearer(header).map_err(|_| Refusal::BadToken)? {
        return Ok(Some(Credential::Token(token.to_owned())));
    }
    match cookie(headers, COOKIE) {
        Some(secret) if from_own_origin(headers) => {
            Ok(Some(Credential::Session(secret.to_owned())))
        }
        Some(_) => {
            tracing::debug!("a session cookie on a cross-site request was ignored");
            Ok(None)
        }
        None => Ok(None),
    }
}

/// The viewer a credential names now. A session that ended (or never was) reads as
/// anonymous: the pages then offer 登录, and the public list still reads.
pub async fn viewer_of(
    state: &AppState,
    credential: Option<&Credential>,
) -> Result<(Viewer, Option<i64>), Refusal> {
    match credential {
        None => Ok((Viewer::Anonymous, None)),
        Some(Credential::Token(token)) => {
            match Viewer::with_token_id(Some(token), state.settings.admin_token.as_ref(), &state.db)
                .await
            {
                Ok(found) => Ok(found),
                Err(auth::AuthError::BadToken) => Err(Refusal::BadToken),
                Err(auth::AuthError::Database(e)) => {
                    tracing::error!(error = %e, cause = ?e, "department tokens could not be checked");
                    Err(Refusal::Internal)
                }
            }
        }
        Some(Credential::Session(secret)) => {
            match sessions::resolve(
                &state.db,
                secret,
                state.settings.accounts.lifetimes(),
                Utc::now(),
            )
            .await
            {
                Ok(Some(session)) => Ok((Viewer::Person(Person::from(&session)), None)),
                Ok(None) => Ok((Viewer::Anonymous, None)),
                Err(e) => {
                    tracing::error!(error = %e, cause = ?e, "sessions could not be checked");
                    Err(Refusal::Internal)
                }
            }
        }
    }
}

/// The viewer of a request's headers.
pub async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Refusal> {
    let credential = credential(headers)?;
    viewer_of(state, credential.as_ref())
        .await
        .map(|(viewer, _)| viewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("a header value"));
        }
        h
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let h = headers(&[("cookie", "a=1; minsheng_session=mss_x; b=2")]);
        assert_eq!(cookie(&h, COOKIE), Some("mss_x"));
        let h = headers(&[("cookie", "a=1"), ("cookie", "minsheng_session=mss_y")]);
        assert_eq!(cookie(&h, COOKIE), Some("mss_y"));
        let h = headers(&[("cookie", "xminsheng_session=mss_z")]);
        assert_eq!(cookie(&h, COOKIE), None);
    }

    #[test]
    fn only_the_own_origin_may_use_the_cookie() {
        assert!(from_own_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(from_own_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!from_own_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!from_own_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(from_own_origin(&headers(&[
            ("origin", "http://127.0.0.1:8000"),
            ("host", "127.0.0.1:8000")
        ])));
        assert!(!from_own_origin(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8000")
        ])));
        assert!(from_own_origin(&headers(&[])));
    }
}
