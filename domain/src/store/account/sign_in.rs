//! Signing in with a login and a password. An unknown login and a wrong password get the same
//! answer after the same work (one Argon2 verification, one failure recorded, one audit event);
//! failures slow the next try per login and per client address (`crate::account::Throttle`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::{
    DomainError,
    account::{Login, Throttle, attempted_login, verify_password},
    store::{
        audit::{Action, Actor, RecordKind},
        unit_of_work::Change,
    },
};
use entity::{account, sign_in_failure};

use super::{Account, sessions};

/// A sign-in that worked: the cookie's secret and the account.
pub struct SignedIn {
    pub secret: String,
    pub session_id: i64,
    pub account: Account,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Wrong login or password (or a disabled account): one answer for all.
    Credentials,
    /// Too many recent failures: try again after this long.
    Throttled(chrono::Duration),
}

/// Signs in `login` with `password` from `address`.
pub async fn sign_in(
    db: &DatabaseConnection,
    login: &str,
    password: String,
    address: &str,
    lifetimes: sessions::Lifetimes,
    now: DateTime<Utc>,
) -> Result<Result<SignedIn, Refused>, DomainError> {
    let attempted = attempted_login(login);
    let address: String = address.chars().take(64).collect();
    if let Some(wait) = throttled(db, &attempted, &address, now).await? {
        audit_failure(db, &attempted, &address, "throttled", None, now).await?;
        return Ok(Err(Refused::Throttled(wait)));
    }
    let row = match Login::parse(login) {
        Ok(login) => {
            account::Entity::find()
                .filter(account::Column::Login.eq(login.as_str()))
                .one(db)
                .await?
        }
        Err(_) => None,
    };
    let stored = row.as_ref().and_then(|r| r.password_hash.clone());
    let matches =
        tokio::task::spawn_blocking(move || verify_password(&password, stored.as_deref()))
            .await
            .map_err(|e| DomainError::Database(sea_orm::DbErr::Custom(e.to_string())))?;
    let row = match row {
        Some(row) if matches && row.disabled_at.is_none() => row,
        other => {
            let reason = match &other {
                None => "unknown login",
                Some(r) if r.disabled_at.is_some() => "disabled",
                Some(r) if r.password_hash.is_none() => "no password set",
                Some(_) => "wrong password",
            };
            sign_in_failure::ActiveModel {
                login: Set(attempted.clone()),
                client_address: Set(address.clone()),
                failed_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
            audit_failure(db, &attempted, &address, reason, other.map(|r| r.id), now).await?;
            return Ok(Err(Refused::Credentials));
        }
    };
    let txn = crate::db::begin_write(db).await?;
    let (secret, session) = sessions::start(&txn, row.id, lifetimes, now).await?;
    // A success forgets the login's failures (and, while at it, everyone's stale ones).
    sign_in_failure::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(sign_in_failure::Column::Login.eq(attempted.as_str()))
                .add(sign_in_failure::Column::FailedAt.lt(now - Throttle::WINDOW)),
        )
        .exec(&txn)
        .await?;
    let change = Change {
        actor: Actor::account(row.id, &row.name, row.role),
        now,
    };
    change
        .commit(
            txn,
            Action::AccountSignIn,
            (RecordKind::Account, Some(row.id)),
            json!({ "address": address, "session_id": session.id }),
        )
        .await?;
    Ok(Ok(SignedIn {
        secret,
        session_id: session.id,
        account: row.into(),
        expires_at: session.expires_at,
    }))
}

/// How long the caller must still wait, if the login's or the address's failures say so.
async fn throttled(
    db: &DatabaseConnection,
    login: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<chrono::Duration>, DomainError> {
    let since = now - Throttle::WINDOW;
    let mut longest = chrono::Duration::zero();
    for (column, value, rule) in [
        (sign_in_failure::Column::Login, login, Throttle::PER_LOGIN),
        (
            sign_in_failure::Column::ClientAddress,
            address,
            Throttle::PER_ADDRESS,
        ),
    ] {
        let recent: Vec<DateTime<Utc>> = sign_in_failure::Entity::find()
            .select_only()
            .column(sign_in_failure::Column::FailedAt)
            .filter(column.eq(value))
            .filter(sign_in_failure::Column::FailedAt.gt(since))
            .order_by_desc(sign_in_failure::Column::FailedAt)
            .limit(rule.free + 25)
            .into_tuple()
            .all(db)
            .await?;
        if let Some(latest) = recent.first() {
            let until = *latest + rule.wait(recent.len() as u64);
            if until > now {
                longest = longest.max(until - now);
            }
        }
    }
    Ok((longest > chrono::Duration::zero()).then_some(longest))
}

async fn audit_failure(
    db: &DatabaseConnection,
    login: &str,
    address: &str,
    reason: &str,
    account_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    crate::store::audit::record(
        db,
        &Actor::system("anonymous"),
        Action::AccountSignInFailed,
        (RecordKind::Account, account_id),
        json!({ "login": login, "address": address, "reason": reason }),
        now,
    )
    .await
}

/// Ends one session (退出), audited as the account's.
pub async fn sign_out(
    db: &DatabaseConnection,
    session: &sessions::Session,
    everywhere: bool,
    now: DateTime<Utc>,
) -> Result<u64, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let ended = if everywhere {
        sessions::end_all(&txn, session.account.id, now).await?
    } else {
        sessions::end(&txn, session.id, now).await?;
        1
    };
    let change = Change {
        actor: Actor::account(
            session.account.id,
            &session.account.name,
            session.account.role,
        ),
        now,
    };
    change
        .commit(
            txn,
            Action::AccountSignOut,
            (RecordKind::Account, Some(session.account.id)),
            json!({ "everywhere": everywhere, "sessions": ended }),
        )
        .await?;
    Ok(ended)
}
