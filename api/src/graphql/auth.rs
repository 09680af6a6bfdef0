//! Who is asking: a bearer token or a session cookie, checked once at the edge, and the rules
//! of what each kind of caller may do.
//!
//! - Anonymous callers read the published list.
//! - A person signed in with an account acts by role (`domain::account::RoleRules`): 管理员
//!   everything, 督查员 the office's work but not accounts, 领导 reads everything and decides
//!   nothing, 联络员 what a department token allows, for their department.
//! - The break-glass token (`MINSHENG_ADMIN_TOKEN`) reads and changes everything, for
//!   automation and for the day no administrator can sign in.
//! - A department token (issued by the office) reports progress and asks for deadline changes on
//!   the items its department leads or cooperates on, and reads its own contacts and reminder
//!   deliveries.
//!
//! No credential where one is needed is `UNAUTHENTICATED`; one without the right is
//! `FORBIDDEN`. Tokens and cookies are never logged.

use async_graphql::{Context, ErrorExtensions};
use domain::{
    DomainError,
    account::{Role, RoleRules},
    config::Secret,
    store::{
        account::sessions::Session,
        audit::{Actor, BREAK_GLASS_NAME},
        department,
    },
};
use sea_orm::ConnectionTrait;
use sha2::{Digest, Sha256};

use super::error::code;

/// The caller of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No credential: may read the published list.
    Anonymous,
    /// The break-glass token `MINSHENG_ADMIN_TOKEN`: may read and change everything.
    Admin,
    /// A department's token: acts for that department.
    Department(i64),
    /// A person signed in with an account.
    Person(Person),
}

/// A signed-in person, as their session found them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub account_id: i64,
    pub session_id: i64,
    pub name: String,
    pub role: Role,
    /// A liaison's department.
    pub department_id: Option<i64>,
}

impl From<&Session> for Person {
    fn from(s: &Session) -> Self {
        Self {
            account_id: s.account.id,
            session_id: s.id,
            name: s.account.name.clone(),
            role: s.account.role,
            department_id: s.account.department_id,
        }
    }
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
    /// The viewer a bearer token names (the break-glass token, a department, or nobody we
    /// know), with the id of the department token presented (a WebSocket closes when that
    /// token is revoked).
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
    pub fn actor(&self) -> Actor {
        match self {
            Self::Anonymous => Actor::system("anonymous"),
            Self::Admin => Actor {
                key: "admin".into(),
                name: Some(BREAK_GLASS_NAME.into()),
                role: None,
            },
            Self::Department(id) => Actor::system(&format!("department:{id}")),
            Self::Person(p) => Actor::account(p.account_id, &p.name, p.role),
        }
    }

    /// May do the office's work (import, edit, decide, 销号 / 退办, contacts, tokens).
    pub fn does_office_work(&self) -> bool {
        match self {
            Self::Admin => true,
            Self::Person(p) => p.role.does_office_work(),
            Self::Anonymous | Self::Department(_) => false,
        }
    }

    /// May read everything the office reads.
    pub fn reads_everything(&self) -> bool {
        match self {
            Self::Admin => true,
            Self::Person(p) => p.role.reads_everything(),
            Self::Anonymous | Self::Department(_) => false,
        }
    }

    /// May manage accounts.
    pub fn manages_accounts(&self) -> bool {
        match self {
            Self::Admin => true,
            Self::Person(p) => p.role.manages_accounts(),
            Self::Anonymous | Self::Department(_) => false,
        }
    }

    /// The department this caller acts for: a department token's, or a liaison's.
    pub fn department(&self) -> Option<i64> {
        match self {
            Self::Department(id) => Some(*id),
            Self::Person(p) if p.role == Role::Liaison => p.department_id,
            _ => None,
        }
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
        .cloned()
        .unwrap_or(Viewer::Anonymous)
}

const SIGN_IN: &str = "sign in (POST /auth/sign-in) or send a token (Authorization: Bearer …)";

fn refuse(viewer: &Viewer, what: &str) -> async_graphql::Error {
    match viewer {
        Viewer::Anonymous => unauthenticated(&format!("{what}: {SIGN_IN}")),
        _ => forbidden(what),
    }
}

/// Fails unless the caller does the office's work (管理员, 督查员, the break-glass token).
pub fn require_office(ctx: &Context<'_>) -> async_graphql::Result<()> {
    let viewer = viewer(ctx);
    if viewer.does_office_work() {
        Ok(())
    } else {
        Err(refuse(
            &viewer,
            "only the office (督查员, 管理员) may do this",
        ))
    }
}

/// Fails unless the caller reads everything the office reads (and 领导).
pub fn require_reader(ctx: &Context<'_>) -> async_graphql::Result<()> {
    let viewer = viewer(ctx);
    if viewer.reads_everything() {
        Ok(())
    } else {
        Err(refuse(&viewer, "only the office and leaders may read this"))
    }
}

/// Fails unless the caller manages accounts (管理员, the break-glass token).
pub fn require_account_admin(ctx: &Context<'_>) -> async_graphql::Result<()> {
    let viewer = viewer(ctx);
    if viewer.manages_accounts() {
        Ok(())
    } else {
        Err(refuse(
            &viewer,
            "only an administrator (管理员) may manage accounts",
        ))
    }
}

/// The department the caller acts for on an item: `None` for the office (who may act on any
/// item), the department for its token or its liaison; leaders and anonymous callers may not act.
pub fn acting_for(ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
    let viewer = viewer(ctx);
    if viewer.does_office_work() {
        return Ok(None);
    }
    match viewer.department() {
        Some(id) => Ok(Some(id)),
        None => Err(refuse(
            &viewer,
            "leaders (领导) read and do not act; this needs the office or a department",
        )),
    }
}

/// Whose records the caller reads: `None` for the office and leaders (everyone's), the
/// department for its token or its liaison; anonymous callers read none.
pub fn reading_for(ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
    let viewer = viewer(ctx);
    if viewer.reads_everything() {
        return Ok(None);
    }
    match viewer.department() {
        Some(id) => Ok(Some(id)),
        None => Err(refuse(&viewer, "this is for the office or a department")),
    }
}

/// Fails unless the caller reads everything or acts for `department_id`: what a department
/// may read of itself (its contacts, its deliveries).
pub fn require_reader_or(ctx: &Context<'_>, department_id: i64) -> async_graphql::Result<()> {
    if viewer(ctx).department() == Some(department_id) {
        Ok(())
    } else {
        require_reader(ctx)
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
