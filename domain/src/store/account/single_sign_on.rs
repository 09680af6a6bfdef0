//! Single sign-on through an OpenID provider: the flows begun and not yet back, and who the
//! provider's person is here. The protocol itself (discovery, the code exchange, the ID token's
//! signature) is the api's; this module sees only what the checked ID token said.
//!
//! A person is their account's `oidc_subject` (the provider's `sub`). The first time, a verified
//! email that exactly one account without a subject carries ties the two together, audited. No
//! match is no access: an account is never made here.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};
use serde_json::json;

use crate::{
    DomainError,
    store::{
        audit::{Action, Actor, RecordKind},
        sha256_hex,
        unit_of_work::Change,
    },
};
use entity::{account, sign_in_flow};

use super::{Account, sessions, sign_in::SignedIn};

/// How long a person may take at the provider before the flow is forgotten.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// What the callback needs to finish a flow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Keeps a flow begun with `state` (the browser keeps `state` itself), and forgets stale ones.
pub async fn begin(
    db: &DatabaseConnection,
    state: &str,
    flow: Flow,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    sign_in_flow::Entity::delete_many()
        .filter(sign_in_flow::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    sign_in_flow::ActiveModel {
        state_sha256: Set(sha256_hex(state)),
        nonce: Set(flow.nonce),
        pkce_verifier: Set(flow.pkce_verifier),
        created_at: Set(now),
        expires_at: Set(now + FLOW_LIFETIME),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The flow begun with `state`, at most once: of two callbacks racing with one `state` (on two
/// replicas, say), one gets it. `None` when it is unknown, used or too old.
pub async fn take(
    db: &DatabaseConnection,
    state: &str,
    now: DateTime<Utc>,
) -> Result<Option<Flow>, DomainError> {
    let Some(row) = sign_in_flow::Entity::find()
        .filter(sign_in_flow::Column::StateSha256.eq(sha256_hex(state)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deleted = sign_in_flow::Entity::delete_by_id(row.id).exec(db).await?;
    Ok(
        (deleted.rows_affected == 1 && row.expires_at > now).then_some(Flow {
            nonce: row.nonce,
            pkce_verifier: row.pkce_verifier,
        }),
    )
}

/// Who the provider says signed in, from an ID token whose signature, issuer, audience, expiry
/// and nonce were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderPerson {
    /// The `sub` claim: the provider's stable name for the person.
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// Why single sign-on let nobody in. The page says it in words; the audit keeps the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoAccess {
    /// No account is this person's (by `sub`, or by a verified email the first time).
    NoAccount,
    /// The person's account is disabled.
    Disabled,
}

/// Signs in the account that is `person`'s, starting a session as a password sign-in does.
pub async fn sign_in(
    db: &DatabaseConnection,
    person: &ProviderPerson,
    address: &str,
    lifetimes: sessions::Lifetimes,
    now: DateTime<Utc>,
) -> Result<Result<SignedIn, NoAccess>, DomainError> {
    let address: String = address.chars().take(64).collect();
    let subject: String = person.subject.chars().take(255).collect();
    let txn = crate::db::begin_write(db).await?;
    let by_subject = account::Entity::find()
        .filter(account::Column::OidcSubject.eq(subject.as_str()))
        .one(&txn)
        .await?;
    let (row, linked) = match by_subject {
        Some(row) => (Some(row), false),
        None => match person.email.as_deref().filter(|_| person.email_verified) {
            Some(email) => {
                // Two accounts with one address would make the match a guess: refuse instead.
                let mut candidates = account::Entity::find()
                    .filter(ExprTrait::eq(
                        Func::lower(Expr::col(account::Column::Email)),
                        email.trim().to_lowercase(),
                    ))
                    .filter(account::Column::OidcSubject.is_null())
                    .limit(2)
                    .all(&txn)
                    .await?;
                if candidates.len() == 1 {
                    (candidates.pop(), true)
                } else {
                    (None, false)
                }
            }
            None => (None, false),
        },
    };
    let refused = match &row {
        None => Some(NoAccess::NoAccount),
        Some(r) if r.disabled_at.is_some() => Some(NoAccess::Disabled),
        Some(_) => None,
    };
    if let Some(refused) = refused {
        drop(txn);
        crate::store::audit::record(
            db,
            &Actor::system("anonymous"),
            Action::AccountSignInFailed,
            (RecordKind::Account, row.as_ref().map(|r| r.id)),
            json!({
                "method": "oidc",
                "subject": subject,
                "email": person.email,
                "email_verified": person.email_verified,
                "address": address,
                "reason": match refused {
                    NoAccess::NoAccount => "no account for this person",
                    NoAccess::Disabled => "disabled",
                },
            }),
            now,
        )
        .await?;
        return Ok(Err(refused));
    }
    let row = row.expect("refused above when there is no account");
    let change = Change {
        actor: Actor::account(row.id, &row.name, row.role),
        now,
    };
    let row = if linked {
        let mut active = row.into_active_model();
        active.oidc_subject = Set(Some(subject.clone()));
        active.updated_at = Set(now);
        let row = active.update(&txn).await?;
        crate::store::audit::record(
            &txn,
            &change.actor,
            Action::AccountLinkProvider,
            (RecordKind::Account, Some(row.id)),
            json!({ "subject": subject, "email": person.email }),
            now,
        )
        .await?;
        row
    } else {
        row
    };
    let (secret, session) = sessions::start(&txn, row.id, lifetimes, now).await?;
    change
        .commit(
            txn,
            Action::AccountSignIn,
            (RecordKind::Account, Some(row.id)),
            json!({ "method": "oidc", "address": address, "session_id": session.id }),
        )
        .await?;
    Ok(Ok(SignedIn {
        secret,
        session_id: session.id,
        account: Account::from(row),
        expires_at: session.expires_at,
    }))
}
