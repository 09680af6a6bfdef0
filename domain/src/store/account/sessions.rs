//! Sessions: a signed-in browser. The cookie holds 32 random bytes; only their SHA-256 digest is
//! kept. A session ends at 退出, at 全部退出, when the account is disabled, changes role or
//! sets a new password, after the idle timeout, and at its absolute lifetime.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, QuerySelect, sea_query::Expr,
};

use crate::{DomainError, store::sha256_hex};
use entity::{account, account_session};

use super::Account;

/// Every session cookie's secret starts so.
pub const SESSION_PREFIX: &str = "mss_";

/// How long sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetimes {
    /// Ends a session no request used for this long.
    pub idle: Duration,
    /// Ends any session this long after sign-in.
    pub absolute: Duration,
}

/// A session and the account it signs in.
#[derive(Clone, Debug)]
pub struct Session {
    pub id: i64,
    pub account: Account,
    pub expires_at: DateTime<Utc>,
}

/// Last-seen times move at most this often: a page's burst of requests writes once.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Starts a session for `account_id`; the secret is for the cookie, and is not kept.
pub async fn start<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    lifetimes: Lifetimes,
    now: DateTime<Utc>,
) -> Result<(String, account_session::Model), DomainError> {
    let secret = crate::store::random_secret(SESSION_PREFIX)?;
    let row = account_session::ActiveModel {
        account_id: Set(account_id),
        token_sha256: Set(sha256_hex(&secret)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + lifetimes.absolute),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((secret, row))
}

/// The live session a cookie's secret names, with its account: `None` when it is unknown,
/// ended, idle too long, past its lifetime, or its account is disabled.
pub async fn resolve(
    db: &DatabaseConnection,
    secret: &str,
    lifetimes: Lifetimes,
    now: DateTime<Utc>,
) -> Result<Option<Session>, DomainError> {
    let found = account_session::Entity::find()
        .filter(account_session::Column::TokenSha256.eq(sha256_hex(secret)))
        .find_also_related(account::Entity)
        .one(db)
        .await?;
    let Some((session, Some(account))) = found else {
        return Ok(None);
    };
    let live = session.revoked_at.is_none()
        && session.expires_at > now
        && session.last_seen_at + lifetimes.idle > now
        && account.disabled_at.is_none();
    if !live {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_EVERY {
        account_session::Entity::update_many()
            .col_expr(account_session::Column::LastSeenAt, Expr::value(now))
            .filter(account_session::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some(Session {
        id: session.id,
        account: account.into(),
        expires_at: session.expires_at,
    }))
}

/// Ends one session (退出). Ending an ended session changes nothing.
pub async fn end<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    account_session::Entity::update_many()
        .col_expr(account_session::Column::RevokedAt, Expr::value(now))
        .filter(account_session::Column::Id.eq(session_id))
        .filter(account_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of an account (全部退出, and changes that take powers away); returns how
/// many were live.
pub async fn end_all<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    Ok(account_session::Entity::update_many()
        .col_expr(account_session::Column::RevokedAt, Expr::value(now))
        .filter(account_session::Column::AccountId.eq(account_id))
        .filter(account_session::Column::RevokedAt.is_null())
        .exec(db)
        .await?
        .rows_affected)
}

/// Whether a session is still live (a WebSocket asks before it carries on).
pub async fn is_live<C: ConnectionTrait>(
    db: &C,
    session_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let row: Option<(Option<DateTime<Utc>>, DateTime<Utc>)> = account_session::Entity::find()
        .select_only()
        .column(account_session::Column::RevokedAt)
        .column(account_session::Column::ExpiresAt)
        .filter(account_session::Column::Id.eq(session_id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(row.is_some_and(|(revoked, expires)| revoked.is_none() && expires > now))
}
