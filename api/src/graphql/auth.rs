//! Who is asking: the bearer token of a request, checked once at the edge, and the rules of
//! what each kind of caller may do.
//!
//! - Anonymous callers read the published list.
//! - The administrator (`MINSHENG_ADMIN_TOKEN`) reads and changes everything.
//! - A department token (issued by the administrator) reports progress and asks for deadline
//!   changes on the items its department leads or cooperates on, and reads its own contacts
//!   and reminder deliveries.
//!
//! No token where one is needed is `UNAUTHENTICATED`; a token without the right is
//! `FORBIDDEN`. Tokens are never logged.

use async_graphql::{Context, ErrorExtensions};
use domain::{
    DomainError,
    config::Secret,
    store::{audit::Actor, department},
};
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use super::error::code;

/// The caller of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token: may read the published list.
    Anonymous,
    /// `MINSHENG_ADMIN_TOKEN`: may read and change everything.
    Admin,
    /// A department's token: acts for that department.
    Department(i64),
}

/// A token was sent but is not one we issued (or it was revoked).
#[derive(Debug, PartialEq, Eq)]
pub struct BadToken;

/// Why a viewer could not be told.
#[derive(Debug)]
pub enum AuthError {
    BadToken,
    /// The token store could not be read.
    Database(DomainError),
}

/// The token of an `Authorization` header value: `None` without a header.
pub fn bearer(header: Option<&str>) -> Result<Option<&str>, BadToken> {
    let Some(header) = header else {
        return Ok(None);
    };
    header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or(BadToken)
}

impl Viewer {
    /// The viewer a bearer token names: the administrator, a department, or nobody we know.
    pub async fn from_token<C: ConnectionTrait>(
        token: Option<&str>,
        admin: Option<&Secret>,
        db: &C,
    ) -> Result<Self, AuthError> {
        Self::with_token_id(token, admin, db)
            .await
            .map(|(viewer, _)| viewer)
    }

    /// As [`Viewer::from_token`], with the id of the department token presented (for a
    /// WebSocket, which closes when that token is revoked).
    pub async fn with_token_id<C: ConnectionTrait>(
        token: Option<&str>,
        admin: Option<&Secret>,
        db: &C,
    ) -> Result<(Self, Option<i64>), AuthError> {
        let Some(token) = token else {
            return Ok((Self::Anonymous, None));
        };
        if admin.is_some_and(|secret| same_secret(token, secret.expose())) {
            return Ok((Self::Admin, None));
        }
        match department::tokens::active(db, token).await {
            Ok(Some(t)) => Ok((Self::Department(t.department_id), Some(t.id))),
            Ok(None) => Err(AuthError::BadToken),
            Err(e) => Err(AuthError::Database(e)),
        }
    }

    /// How the audit trail names this caller.
    pub fn actor(self) -> Actor {
        Actor(match self {
            Self::Anonymous => "anonymous".into(),
            Self::Admin => "admin".into(),
            Self::Department(id) => format!("department:{id}"),
        })
    }
}

/// Compares digests in constant time (`subtle`), so the time taken says nothing about the
/// token, not even its length.
fn same_secret(given: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

pub fn viewer(ctx: &Context<'_>) -> Viewer {
    ctx.data_opt::<Viewer>()
        .copied()
        .unwrap_or(Viewer::Anonymous)
}

/// Fails unless the caller is an administrator.
pub fn require_admin(ctx: &Context<'_>) -> async_graphql::Result<()> {
    match viewer(ctx) {
        Viewer::Admin => Ok(()),
        Viewer::Anonymous => Err(unauthenticated(
            "this field needs an administrator's token (Authorization: Bearer …)",
        )),
        Viewer::Department(_) => Err(forbidden("only an administrator may do this")),
    }
}

/// The department the caller acts for on an item: `None` for the administrator (who may act on
/// any item), the department for its token; anonymous callers may not act.
pub fn acting_for(ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
    match viewer(ctx) {
        Viewer::Admin => Ok(None),
        Viewer::Department(id) => Ok(Some(id)),
        Viewer::Anonymous => Err(unauthenticated(
            "this needs an administrator's or a department's token (Authorization: Bearer …)",
        )),
    }
}

/// Fails unless the caller is an administrator or acts for `department_id`: what a department
/// may read of itself (its contacts, its deliveries).
pub fn require_admin_or(ctx: &Context<'_>, department_id: i64) -> async_graphql::Result<()> {
    match viewer(ctx) {
        Viewer::Department(id) if id == department_id => Ok(()),
        _ => require_admin(ctx),
    }
}

pub fn unauthenticated(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code::UNAUTHENTICATED))
}

pub fn forbidden(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code::FORBIDDEN))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_are_read_from_the_header() {
        assert_eq!(bearer(None), Ok(None));
        assert_eq!(bearer(Some("Bearer abc")), Ok(Some("abc")));
        assert_eq!(bearer(Some("bearer  abc ")), Ok(Some("abc")));
        assert_eq!(bearer(Some("Basic abc")), Err(BadToken));
        assert_eq!(bearer(Some("Bearer ")), Err(BadToken));
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret(
            "a-long-admin-token-0123",
            "a-long-admin-token-0123"
        ));
        assert!(!same_secret(
            "a-long-admin-token-0124",
            "a-long-admin-token-0123"
        ));
        assert!(!same_secret("", "a-long-admin-token-0123"));
    }
}
