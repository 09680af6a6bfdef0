//! One-time links to set a password: an invitation (a new account's first password) or a
//! reset. A link is 32 random bytes from the operating system, shown once; only its SHA-256
//! digest is kept, it expires, it works once, and a newer link for the same account replaces
//! it. Setting a password ends every session of the account.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, sea_query::Expr,
};
use serde_json::json;

use crate::{
    DomainError,
    account::Password,
    store::{
        audit::{Action, Actor, RecordKind},
        random_secret, sha256_hex,
        unit_of_work::Change,
    },
};
use entity::{PasswordLinkPurpose, account, password_link};

use super::Account;

/// Every password link's secret starts so.
pub const LINK_PREFIX: &str = "msp_";

/// A link just made: its secret goes into the URL, and nowhere else.
pub struct IssuedLink {
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

impl IssuedLink {
    /// The page that sets the password: `{base}/#/password/{secret}`.
    pub fn url(&self, base: &str) -> String {
        format!("{}/#/password/{}", base.trim_end_matches('/'), self.secret)
    }
}

/// Makes a link for `account_id` inside the caller's transaction; older unused links of the
/// account stop working.
pub(crate) async fn issue<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
    purpose: PasswordLinkPurpose,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<IssuedLink, DomainError> {
    password_link::Entity::update_many()
        .col_expr(password_link::Column::UsedAt, Expr::value(now))
        .filter(password_link::Column::AccountId.eq(account_id))
        .filter(password_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let secret = random_secret(LINK_PREFIX)?;
    let expires_at = now + ttl;
    password_link::ActiveModel {
        account_id: Set(account_id),
        token_sha256: Set(sha256_hex(&secret)),
        purpose: Set(purpose),
        created_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedLink { secret, expires_at })
}

/// A new link for an existing account (a reset, or a new invitation for one that never set a
/// password), audited.
pub async fn reissue(
    db: &DatabaseConnection,
    account_id: i64,
    ttl: Duration,
    change: &Change,
) -> Result<(Account, IssuedLink), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = super::find_row(&txn, account_id).await?;
    let purpose = if row.password_hash.is_some() {
        PasswordLinkPurpose::Reset
    } else {
        PasswordLinkPurpose::Invite
    };
    let link = issue(&txn, account_id, purpose, ttl, change.now).await?;
    change
        .commit(
            txn,
            Action::AccountPasswordLink,
            (RecordKind::Account, Some(account_id)),
            json!({ "purpose": purpose, "expires_at": link.expires_at }),
        )
        .await?;
    Ok((row.into(), link))
}

/// Why a link set no password. The same words whatever the reason, on the page.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkRefused {
    /// Unknown, used, replaced or expired.
    Invalid,
    /// The account is disabled.
    Disabled,
}

/// Sets the password of the link's account, uses the link up and ends the account's sessions.
pub async fn set_password(
    db: &DatabaseConnection,
    secret: &str,
    password: Password,
    now: DateTime<Utc>,
) -> Result<Result<Account, LinkRefused>, DomainError> {
    // Hash before the transaction: Argon2 takes tens of milliseconds, and a write transaction
    // on SQLite holds the database's one writer.
    let hash = tokio::task::spawn_blocking(move || password.hash())
        .await
        .map_err(|e| DomainError::Database(sea_orm::DbErr::Custom(e.to_string())))??;
    let txn = crate::db::begin_write(db).await?;
    let Some(link) = password_link::Entity::find()
        .filter(password_link::Column::TokenSha256.eq(sha256_hex(secret)))
        .one(&txn)
        .await?
    else {
        return Ok(Err(LinkRefused::Invalid));
    };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(Err(LinkRefused::Invalid));
    }
    let row = super::find_row(&txn, link.account_id).await?;
    if row.disabled_at.is_some() {
        return Ok(Err(LinkRefused::Disabled));
    }
    let mut used = link.clone().into_active_model();
    used.used_at = Set(Some(now));
    used.update(&txn).await?;
    let mut active = row.into_active_model();
    active.password_hash = Set(Some(hash));
    active.updated_at = Set(now);
    let row: account::Model = active.update(&txn).await?;
    super::sessions::end_all(&txn, row.id, now).await?;
    let change = Change {
        actor: Actor::account(row.id, &row.name, row.role),
        now,
    };
    change
        .commit(
            txn,
            Action::AccountSetPassword,
            (RecordKind::Account, Some(row.id)),
            json!({ "purpose": link.purpose }),
        )
        .await?;
    Ok(Ok(row.into()))
}
