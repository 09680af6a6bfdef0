//! Who is asking: the bearer token of a request, checked once at the edge.

use async_graphql::{Context, ErrorExtensions};
use domain::config::Secret;
use sha2::{Digest, Sha256};

use super::error::code;

/// The caller of one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token: may read the published list.
    Anonymous,
    /// `MINSHENG_ADMIN_TOKEN`: may read and change everything.
    Admin,
}

/// A token was sent but is not one we issued.
#[derive(Debug, PartialEq, Eq)]
pub struct BadToken;

impl Viewer {
    /// The viewer named by an `Authorization` header value, if any.
    pub fn from_authorization(
        header: Option<&str>,
        admin: Option<&Secret>,
    ) -> Result<Self, BadToken> {
        let Some(header) = header else {
            return Ok(Self::Anonymous);
        };
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or(BadToken)?;
        match admin {
            Some(secret) if same_secret(token, secret.expose()) => Ok(Self::Admin),
            _ => Err(BadToken),
        }
    }
}

/// Compares digests without an early exit, so the time taken says nothing about the token.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// Fails unless the caller is an administrator: `UNAUTHENTICATED` without a token.
pub fn require_admin(ctx: &Context<'_>) -> async_graphql::Result<()> {
    match ctx
        .data_opt::<Viewer>()
        .copied()
        .unwrap_or(Viewer::Anonymous)
    {
        Viewer::Admin => Ok(()),
        Viewer::Anonymous => Err(unauthenticated(
            "this field needs an administrator's token (Authorization: Bearer …)",
        )),
    }
}

pub fn unauthenticated(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code::UNAUTHENTICATED))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_admin_token_makes_an_admin() {
        let admin = Secret::new("a-long-admin-token-0123");
        let ok = Viewer::from_authorization(Some("Bearer a-long-admin-token-0123"), Some(&admin));
        assert_eq!(ok, Ok(Viewer::Admin));
        assert_eq!(
            Viewer::from_authorization(None, Some(&admin)),
            Ok(Viewer::Anonymous)
        );
        assert_eq!(
            Viewer::from_authorization(Some("Bearer wrong"), Some(&admin)),
            Err(BadToken)
        );
        assert_eq!(
            Viewer::from_authorization(Some("Basic a-long-admin-token-0123"), Some(&admin)),
            Err(BadToken)
        );
        // Without a configured admin token no token is valid.
        assert_eq!(
            Viewer::from_authorization(Some("Bearer a-long-admin-token-0123"), None),
            Err(BadToken)
        );
    }
}
