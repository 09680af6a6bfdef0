//! Password links by email. An administrator asks (`request`); the worker claims the request,
//! makes the link as it sends (`issue`), and records how sending went (`mark`). The link's
//! secret is made at sending time and goes only into the email; its lifetime counts from then.
//! A newer request replaces a pending older one, and each link replaces the account's earlier
//! ones, so the person's newest email is the one that works.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;

use crate::{
    DomainError,
    account::RoleRules,
    store::{
        audit::{Action, Actor, RecordKind},
        unit_of_work::Change,
    },
};
use entity::{NoticeStatus, PasswordLinkPurpose, account, password_mail};

use super::{Account, links::IssuedLink};

/// Attempts before a mail is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;

/// A mail that failed is tried again no sooner than this.
const RETRY_AFTER: Duration = Duration::minutes(5);

/// A mail asked for and not yet sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requested {
    pub id: i64,
    pub to: String,
    pub requested_at: DateTime<Utc>,
}

/// Asks the worker to mail `account_id` a link to set a password, audited. Refused for an
/// account without an email or a disabled one.
pub async fn request(
    db: &DatabaseConnection,
    account_id: i64,
    field: &str,
    change: &Change,
) -> Result<(Account, Requested), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = super::find_row(&txn, account_id).await?;
    if row.disabled_at.is_some() {
        return Err(DomainError::validation(
            field,
            "账号已停用，不能发送设置密码的链接；请先启用",
        ));
    }
    let Some(to) = row.email.clone() else {
        return Err(DomainError::validation(
            field,
            "该账号没有登记电子邮箱：请先填写邮箱，或复制链接转交本人",
        ));
    };
    password_mail::Entity::update_many()
        .col_expr(
            password_mail::Column::Status,
            Expr::value(NoticeStatus::Skipped),
        )
        .col_expr(
            password_mail::Column::LastError,
            Expr::value("replaced by a newer request"),
        )
        .filter(password_mail::Column::AccountId.eq(account_id))
        .filter(password_mail::Column::Status.eq(NoticeStatus::Pending))
        .exec(&txn)
        .await?;
    let mail = password_mail::ActiveModel {
        account_id: Set(account_id),
        to_address: Set(to.clone()),
        // A person's name; a token's (应急令牌, a department) means nothing to the reader.
        requested_by: Set(change.actor.role.and(change.actor.name.clone())),
        requested_at: Set(change.now),
        status: Set(NoticeStatus::Pending),
        attempts: Set(0),
        last_error: Set(None),
        claimed_until: Set(None),
        sent_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    change
        .commit(
            txn,
            Action::AccountPasswordMail,
            (RecordKind::Account, Some(account_id)),
            json!({ "to": to, "mail_id": mail.id }),
        )
        .await?;
    Ok((
        row.into(),
        Requested {
            id: mail.id,
            to,
            requested_at: mail.requested_at,
        },
    ))
}

/// A mail claimed for sending.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub account: Account,
    pub to: String,
    pub requested_by: Option<String>,
}

/// Claims up to `limit` pending mails for `lease`: one another worker holds is left to it
/// until its claim expires.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<Claimed>, DomainError> {
    let free = || {
        password_mail::Column::ClaimedUntil
            .is_null()
            .or(password_mail::Column::ClaimedUntil.lt(now))
    };
    let candidates = password_mail::Entity::find()
        .filter(password_mail::Column::Status.eq(NoticeStatus::Pending))
        .filter(free())
        .order_by_asc(password_mail::Column::Id)
        .limit(limit)
        .find_also_related(account::Entity)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for (mail, account) in candidates {
        let Some(account) = account else { continue };
        // Taken only if nobody took it since it was read.
        let taken = password_mail::Entity::update_many()
            .col_expr(
                password_mail::Column::ClaimedUntil,
                Expr::value(now + lease),
            )
            .filter(password_mail::Column::Id.eq(mail.id))
            .filter(password_mail::Column::Status.eq(NoticeStatus::Pending))
            .filter(free())
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(Claimed {
                id: mail.id,
                account: account.into(),
                to: mail.to_address,
                requested_by: mail.requested_by,
            });
        }
    }
    Ok(claimed)
}

/// Makes the link a claimed mail carries (older links of the account stop working), audited
/// as the worker's; `None` when the account was disabled since the request.
pub async fn issue(
    db: &DatabaseConnection,
    mail: &Claimed,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Option<(PasswordLinkPurpose, IssuedLink)>, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = super::find_row(&txn, mail.account.id).await?;
    if row.disabled_at.is_some() {
        return Ok(None);
    }
    let purpose = if row.password_hash.is_some() {
        PasswordLinkPurpose::Reset
    } else {
        PasswordLinkPurpose::Invite
    };
    let link = super::links::issue(&txn, row.id, purpose, ttl, now).await?;
    let change = Change {
        actor: Actor::system("worker"),
        now,
    };
    change
        .commit(
            txn,
            Action::AccountPasswordLink,
            (RecordKind::Account, Some(row.id)),
            json!({
                "purpose": purpose,
                "expires_at": link.expires_at,
                "mailed_to": mail.to,
                "mail_id": mail.id,
                "role": row.role.cli_name(),
            }),
        )
        .await?;
    Ok(Some((purpose, link)))
}

/// How sending went: `Ok(Sent)`, `Ok(Skipped)` (the account was disabled), or an error,
/// tried again later unless `permanent` or past [`MAX_ATTEMPTS`].
pub async fn mark<C: ConnectionTrait>(
    db: &C,
    id: i64,
    outcome: Result<NoticeStatus, (&str, bool)>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    let update = password_mail::Entity::update_many().filter(password_mail::Column::Id.eq(id));
    let update = match outcome {
        Ok(status) => update
            .col_expr(
                password_mail::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(password_mail::Column::Status, Expr::value(status))
            .col_expr(
                password_mail::Column::SentAt,
                Expr::value((status == NoticeStatus::Sent).then_some(now)),
            ),
        Err((error, permanent)) => update
            .col_expr(
                password_mail::Column::ClaimedUntil,
                Expr::value(Some(now + RETRY_AFTER)),
            )
            .col_expr(
                password_mail::Column::Attempts,
                Expr::col(password_mail::Column::Attempts).add(1),
            )
            .col_expr(
                password_mail::Column::LastError,
                Expr::value(error.chars().take(500).collect::<String>()),
            )
            .col_expr(
                password_mail::Column::Status,
                if permanent {
                    Expr::value(NoticeStatus::Failed)
                } else {
                    Expr::case(
                        Expr::col(password_mail::Column::Attempts).gte(MAX_ATTEMPTS - 1),
                        Expr::value(NoticeStatus::Failed),
                    )
                    .finally(Expr::value(NoticeStatus::Pending))
                    .into()
                },
            ),
    };
    update.exec(db).await?;
    Ok(())
}

/// The newest mail asked for `account_id`, if any: whether it went, for the accounts page.
pub async fn latest<C: ConnectionTrait>(
    db: &C,
    account_id: i64,
) -> Result<Option<password_mail::Model>, DomainError> {
    Ok(password_mail::Entity::find()
        .filter(password_mail::Column::AccountId.eq(account_id))
        .order_by_desc(password_mail::Column::Id)
        .one(db)
        .await?)
}
