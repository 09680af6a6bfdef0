//! Supervision notices: what the worker tells once, outside the reminder ladder. The office
//! hears of each new 延期申请; a requesting department hears of the decision; the lead
//! departments of an item sent back (退办) hear why. A notice is written in the same
//! transaction as the change it tells of, so a committed change is never left untold, and its
//! row is claimed before sending, so several workers tell it once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    DomainError,
    model::{DeadlineChangeRequest, NoticeKind},
};
use entity::{
    NoticeStatus, deadline_change_request, department, department_contact, item, item_due_date,
    supervision_notice,
};

/// Attempts before a notice is given up as failed.
pub const MAX_ATTEMPTS: i32 = 5;

/// A notice that failed is tried again no sooner than this.
const RETRY_AFTER: Duration = Duration::minutes(30);

/// Records a notice to send in the next run; call inside the change's transaction.
pub async fn enqueue<C: ConnectionTrait>(
    db: &C,
    kind: NoticeKind,
    item_id: i64,
    request_id: Option<i64>,
    department_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    supervision_notice::ActiveModel {
        kind: Set(kind),
        item_id: Set(item_id),
        request_id: Set(request_id),
        department_id: Set(department_id),
        note: Set(note.map(str::to_owned)),
        created_at: Set(now),
        status: Set(NoticeStatus::Pending),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A notice with what it tells, ready to be written as an email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub kind: NoticeKind,
    pub item_number_text: String,
    pub item_title: String,
    pub request: Option<DeadlineChangeRequest>,
    /// The due date the request is about, as it was when asked.
    pub requested_due_on: Option<NaiveDate>,
    /// The requesting department's name (`None` when the administrator asked).
    pub requested_by: Option<String>,
    /// The department told, with its active contacts' addresses; `None` for the office.
    pub department: Option<(String, Vec<String>)>,
    pub note: Option<String>,
}

/// Claims up to `limit` pending notices for `lease`: a notice another worker holds is left to
/// it until its claim expires.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<Notice>, DomainError> {
    let candidates = supervision_notice::Entity::find()
        .filter(supervision_notice::Column::Status.eq(NoticeStatus::Pending))
        .filter(
            supervision_notice::Column::ClaimedUntil
                .is_null()
                .or(supervision_notice::Column::ClaimedUntil.lt(now)),
        )
        .order_by_asc(supervision_notice::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut claimed = Vec::with_capacity(candidates.len());
    for notice in candidates {
        // Taken only if nobody took it since it was read.
        let taken = supervision_notice::Entity::update_many()
            .col_expr(
                supervision_notice::Column::ClaimedUntil,
                Expr::value(now + lease),
            )
            .filter(supervision_notice::Column::Id.eq(notice.id))
            .filter(supervision_notice::Column::Status.eq(NoticeStatus::Pending))
            .filter(
                supervision_notice::Column::ClaimedUntil
                    .is_null()
                    .or(supervision_notice::Column::ClaimedUntil.lt(now)),
            )
            .exec(db)
            .await?;
        if taken.rows_affected == 1 {
            claimed.push(notice);
        }
    }
    details(db, claimed).await
}

async fn details<C: ConnectionTrait>(
    db: &C,
    rows: Vec<supervision_notice::Model>,
) -> Result<Vec<Notice>, DomainError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let items: HashMap<i64, item::Model> = item::Entity::find()
        .filter(item::Column::Id.is_in(rows.iter().map(|r| r.item_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let requests: HashMap<i64, deadline_change_request::Model> =
        deadline_change_request::Entity::find()
            .filter(
                deadline_change_request::Column::Id.is_in(rows.iter().filter_map(|r| r.request_id)),
            )
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
    let due_dates: HashMap<i64, NaiveDate> = item_due_date::Entity::find()
        .filter(item_due_date::Column::Id.is_in(requests.values().map(|r| r.due_date_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.due_on))
        .collect();
    let names: HashMap<i64, String> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut contacts: HashMap<i64, Vec<String>> = HashMap::new();
    for contact in department_contact::Entity::find()
        .filter(department_contact::Column::Active.eq(true))
        .filter(
            department_contact::Column::DepartmentId
                .is_in(rows.iter().filter_map(|r| r.department_id)),
        )
        .order_by_asc(department_contact::Column::Id)
        .all(db)
        .await?
    {
        contacts
            .entry(contact.department_id)
            .or_default()
            .push(contact.email);
    }
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let item = items.get(&row.item_id)?;
            let request = row.request_id.and_then(|id| requests.get(&id)).cloned();
            Some(Notice {
                id: row.id,
                kind: row.kind,
                item_number_text: item.number_text.clone(),
                item_title: item.title.clone(),
                requested_due_on: request
                    .as_ref()
                    .and_then(|r| due_dates.get(&r.due_date_id).copied()),
                requested_by: request
                    .as_ref()
                    .and_then(|r| r.department_id)
                    .and_then(|id| names.get(&id).cloned()),
                request: request.map(DeadlineChangeRequest::from),
                department: row.department_id.map(|id| {
                    (
                        names.get(&id).cloned().unwrap_or_default(),
                        contacts.get(&id).cloned().unwrap_or_default(),
                    )
                }),
                note: row.note,
            })
        })
        .collect())
}

/// Records how sending went: `Sent`, `Skipped` (nobody to tell), or a failure, retried in a
/// later run until [`MAX_ATTEMPTS`].
pub async fn mark<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
    outcome: Result<NoticeStatus, &str>,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if ids.is_empty() {
        return Ok(());
    }
    let update = supervision_notice::Entity::update_many()
        .filter(supervision_notice::Column::Id.is_in(ids.iter().copied()));
    let update = match outcome {
        Ok(status) => update
            .col_expr(
                supervision_notice::Column::ClaimedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(supervision_notice::Column::Status, Expr::value(status))
            .col_expr(
                supervision_notice::Column::SentAt,
                Expr::value((status == NoticeStatus::Sent).then_some(now)),
            ),
        // Held back until a later run: the claim stays, expiring after the backoff.
        Err(error) => update
            .col_expr(
                supervision_notice::Column::ClaimedUntil,
                Expr::value(Some(now + RETRY_AFTER)),
            )
            .col_expr(
                supervision_notice::Column::Attempts,
                Expr::col(supervision_notice::Column::Attempts).add(1),
            )
            .col_expr(
                supervision_notice::Column::LastError,
                Expr::value(error.to_owned()),
            )
            .col_expr(
                supervision_notice::Column::Status,
                Expr::case(
                    Expr::col(supervision_notice::Column::Attempts).gte(MAX_ATTEMPTS - 1),
                    Expr::value(NoticeStatus::Failed),
                )
                .finally(Expr::value(NoticeStatus::Pending))
                .into(),
            ),
    };
    update.exec(db).await?;
    Ok(())
}
