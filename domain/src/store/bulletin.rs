//! The periodic bulletin (情况通报): its record, one row per period, claimed before it is sent
//! so that several workers or a restart send it once; and the facts it is written from.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, OnConflict},
};

use crate::{
    DomainError,
    bulletin::{self, Bulletin, RequestFact, Window},
    export::Ledger,
    model::DeadlineChangeRequest,
    store::{department, item::Today, ledger, lists},
};
use entity::{
    BulletinStatus, DepartmentRole, ItemStatus, bulletin as record, deadline_change_request,
    department_contact, item, item_department,
};

/// Attempts before a bulletin is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;

/// A bulletin that failed is tried again (by the next reminder run) no sooner than this.
const RETRY_AFTER: Duration = Duration::minutes(30);

/// "Since the last bulletin" for the first one: the week before.
const FIRST_COVERS: Duration = Duration::days(7);

pub type Record = record::Model;

/// Writes the record of the period that starts at `period_start`, once whatever the number of
/// writers, and returns it as stored. Older bulletins still pending are superseded: a stale
/// bulletin is never sent after a newer one exists.
pub async fn open<C: ConnectionTrait>(
    db: &C,
    period_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Record, DomainError> {
    let covers_from = covers_from(db, period_start).await?;
    record::Entity::insert(record::ActiveModel {
        period_start: Set(period_start),
        covers_from: Set(covers_from),
        status: Set(BulletinStatus::Pending),
        attempts: Set(0),
        created_at: Set(now),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(record::Column::PeriodStart)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    record::Entity::update_many()
        .col_expr(
            record::Column::Status,
            Expr::value(BulletinStatus::Superseded),
        )
        .filter(record::Column::Status.eq(BulletinStatus::Pending))
        .filter(record::Column::PeriodStart.lt(period_start))
        .exec(db)
        .await?;
    find(db, period_start).await?.ok_or_else(|| {
        DomainError::Database(sea_orm::DbErr::RecordNotFound(format!(
            "the bulletin of {period_start} was written but cannot be read back"
        )))
    })
}

/// Where "since the last bulletin" begins for the period that starts at `period_start`: the
/// start of the last period whose bulletin was sent, or a week before for the first.
pub async fn covers_from<C: ConnectionTrait>(
    db: &C,
    period_start: DateTime<Utc>,
) -> Result<DateTime<Utc>, DomainError> {
    Ok(record::Entity::find()
        .filter(record::Column::PeriodStart.lt(period_start))
        .filter(record::Column::Status.eq(BulletinStatus::Sent))
        .order_by_desc(record::Column::PeriodStart)
        .one(db)
        .await?
        .map_or(period_start - FIRST_COVERS, |r| r.period_start))
}

/// The record of the period that starts at `period_start`.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    period_start: DateTime<Utc>,
) -> Result<Option<Record>, DomainError> {
    Ok(record::Entity::find()
        .filter(record::Column::PeriodStart.eq(period_start))
        .one(db)
        .await?)
}

/// When the latest bulletin was sent, by any worker; `None` before the first. An alert on its
/// age catches a schedule that stopped sending, whichever worker should have sent it.
pub async fn last_sent<C: ConnectionTrait>(db: &C) -> Result<Option<DateTime<Utc>>, DomainError> {
    Ok(record::Entity::find()
        .filter(record::Column::Status.eq(BulletinStatus::Sent))
        .order_by_desc(record::Column::SentAt)
        .one(db)
        .await?
        .and_then(|r| r.sent_at))
}

/// Makes a failed bulletin pending again, with its attempts reset: an operator's `worker
/// bulletin` for that period. A sent one stays sent.
pub async fn retry_failed<C: ConnectionTrait>(db: &C, id: i64) -> Result<(), DomainError> {
    record::Entity::update_many()
        .col_expr(record::Column::Status, Expr::value(BulletinStatus::Pending))
        .col_expr(record::Column::Attempts, Expr::value(0))
        .col_expr(
            record::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(record::Column::Id.eq(id))
        .filter(record::Column::Status.eq(BulletinStatus::Failed))
        .exec(db)
        .await?;
    Ok(())
}

/// Claims the pending bulletin, if any and if nobody holds it, for `lease`.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<Record>, DomainError> {
    let free = || {
        record::Column::ClaimedUntil
            .is_null()
            .or(record::Column::ClaimedUntil.lt(now))
    };
    let Some(candidate) = record::Entity::find()
        .filter(record::Column::Status.eq(BulletinStatus::Pending))
        .filter(free())
        .order_by_desc(record::Column::PeriodStart)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    // Taken only if nobody took it since it was read.
    let taken = record::Entity::update_many()
        .col_expr(record::Column::ClaimedUntil, Expr::value(Some(now + lease)))
        .filter(record::Column::Id.eq(candidate.id))
        .filter(record::Column::Status.eq(BulletinStatus::Pending))
        .filter(free())
        .exec(db)
        .await?;
    Ok((taken.rows_affected == 1).then_some(candidate))
}

/// Records the bulletin as sent.
pub async fn mark_sent<C: ConnectionTrait>(
    db: &C,
    id: i64,
    message_id: &str,
    recipients: &str,
    refused: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    record::Entity::update_many()
        .col_expr(record::Column::Status, Expr::value(BulletinStatus::Sent))
        .col_expr(record::Column::MessageId, Expr::value(message_id))
        .col_expr(record::Column::Recipients, Expr::value(recipients))
        .col_expr(record::Column::SentAt, Expr::value(now))
        .col_expr(record::Column::LastError, Expr::value(refused))
        .col_expr(
            record::Column::Attempts,
            Expr::col(record::Column::Attempts).add(1),
        )
        .filter(record::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Records a failed attempt: tried again after [`RETRY_AFTER`] until [`MAX_ATTEMPTS`], or at
/// once given up when `permanent`. Returns whether it is given up.
pub async fn mark_failed<C: ConnectionTrait>(
    db: &C,
    row: &Record,
    error: &str,
    permanent: bool,
    now: DateTime<Utc>,
) -> Result<bool, DomainError> {
    let given_up = permanent || row.attempts + 1 >= MAX_ATTEMPTS;
    record::Entity::update_many()
        .col_expr(
            record::Column::Status,
            Expr::value(if given_up {
                BulletinStatus::Failed
            } else {
                BulletinStatus::Pending
            }),
        )
        .col_expr(record::Column::LastError, Expr::value(error))
        .col_expr(
            record::Column::ClaimedUntil,
            Expr::value(Some(now + RETRY_AFTER)),
        )
        .col_expr(
            record::Column::Attempts,
            Expr::col(record::Column::Attempts).add(1),
        )
        .filter(record::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    Ok(given_up)
}

/// The bulletin for `window` with the ledger of each list it covers (lists with an item that
/// is not closed), for the attachments.
pub async fn gather(
    db: &sea_orm::DatabaseConnection,
    window: &Window,
    today: Today,
) -> Result<(Bulletin, Vec<Ledger>), DomainError> {
    let mut ledgers = Vec::new();
    for list in lists::all(db, false).await? {
        let ledger = ledger::of_list(db, list.id, today, window.tz).await?;
        if !ledger.rows.is_empty() {
            ledgers.push(ledger);
        }
    }
    let names = department::names(db).await?;
    let requests: Vec<RequestFact> = deadline_change_request::Entity::find()
        .filter(
            deadline_change_request::Column::RequestedAt
                .gte(window.from)
                .or(deadline_change_request::Column::DecidedAt.gte(window.from)),
        )
        .filter(deadline_change_request::Column::RequestedAt.lt(window.to))
        .all(db)
        .await?
        .into_iter()
        .map(|r| {
            let who = r.department_id.and_then(|d| names.get(&d).cloned());
            (DeadlineChangeRequest::from(r), who)
        })
        .collect();
    let without_contact = leads_without_contact(db, &names).await?;
    Ok((
        bulletin::build(&ledgers, &requests, without_contact, window),
        ledgers,
    ))
}

/// Lead departments of unfinished items with no active contact, by name.
async fn leads_without_contact<C: ConnectionTrait>(
    db: &C,
    names: &HashMap<i64, String>,
) -> Result<Vec<String>, DomainError> {
    let contacted: HashSet<i64> = department_contact::Entity::find()
        .filter(department_contact::Column::Active.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.department_id)
        .collect();
    let leads: HashSet<i64> = item_department::Entity::find()
        .inner_join(item::Entity)
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .filter(item::Column::Status.is_not_in([ItemStatus::Done, ItemStatus::Closed]))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.department_id)
        .collect();
    let mut without: Vec<String> = leads
        .difference(&contacted)
        .filter_map(|d| names.get(d).cloned())
        .collect();
    without.sort();
    Ok(without)
}

/// The day (and the urgency rule) a bulletin of `window` is written as of: its end's.
pub fn today_of(window: &Window, rule: crate::urgency::UrgencyRule) -> Today {
    Today {
        date: window.today(),
        rule,
    }
}

/// The window of a bulletin record in `tz`.
pub fn window_of(row: &Record, tz: Tz) -> Window {
    Window {
        from: row.covers_from,
        to: row.period_start,
        tz,
    }
}
