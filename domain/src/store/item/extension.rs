//! 延期申请: a lead department asks for a due date to move, with a reason, before the date
//! passes; the office approves (the due date gets a new version, possibly on another date than
//! asked), or rejects (nothing moves); the department may withdraw while it is pending. One
//! pending request per due date. Every step is audited and tells whoever must hear of it.

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, sea_query::ExprTrait,
};
use serde_json::json;

use crate::store::{
    audit::{Action, RecordKind},
    item::due_dates::Versioning,
    notice,
    unit_of_work::Change,
};
use crate::{
    DomainError,
    deadline::Milestone,
    model::{DeadlineChangeRequest, DuePrecision, Item, ItemStatus, NoticeKind, RequestStatus},
};
use entity::{deadline_change_request, item, item_department, item_due_date};

/// What a department asks for.
#[derive(Clone, Debug)]
pub struct NewRequest {
    pub item_id: i64,
    pub due_date_id: i64,
    pub proposed_due_on: NaiveDate,
    pub reason: String,
    pub progress_note: Option<String>,
}

/// The office's decision.
#[derive(Clone, Debug)]
pub struct Decision {
    pub approve: bool,
    pub note: Option<String>,
    /// A date other than the one asked for (approval only).
    pub due_on: Option<NaiveDate>,
}

fn note_text(field: &str, text: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    crate::text::check(text, crate::text::MAX_NOTE_CHARS, crate::text::Lines::Many)
        .map_err(|m| DomainError::validation(field, m))?;
    Ok(Some(text.to_owned()))
}

fn finished(status: ItemStatus) -> Option<&'static str> {
    match status {
        ItemStatus::Done => Some("该事项已销号，无需延期"),
        ItemStatus::Closed => Some("该事项已撤销"),
        ItemStatus::CompletionReported => Some("该事项已报办结，正等待督查室审核"),
        ItemStatus::Open | ItemStatus::InProgress => None,
    }
}

/// Files a request for `acting_for` (a lead department, or `None` for the administrator) on
/// `today` (in the configured time zone), up to `grace_days` after the due date.
pub async fn request(
    db: &DatabaseConnection,
    new: &NewRequest,
    acting_for: Option<i64>,
    today: NaiveDate,
    grace_days: u32,
    change: &Change,
) -> Result<(DeadlineChangeRequest, Item), DomainError> {
    let reason = note_text("reason", Some(&new.reason))?
        .ok_or_else(|| DomainError::validation("reason", "请写明延期理由（督查室据此审批）"))?;
    let progress_note = note_text("progressNote", new.progress_note.as_deref())?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_led_by(&txn, new.item_id, acting_for).await?;
    if let Some(why) = finished(current.status) {
        return Err(DomainError::Conflict {
            field: "itemId".into(),
            message: why.into(),
        });
    }
    let due = item_due_date::Entity::find_by_id(new.due_date_id)
        .one(&txn)
        .await?
        .filter(|d| d.item_id == new.item_id)
        .ok_or_else(|| DomainError::validation("dueDateId", "不是该事项的到期日"))?;
    if !due.active {
        return Err(DomainError::validation(
            "dueDateId",
            "该到期日已被调整，请就当前到期日申请",
        ));
    }
    let last_day = due
        .due_on
        .checked_add_days(chrono::Days::new(u64::from(grace_days)))
        .unwrap_or(NaiveDate::MAX);
    if today > last_day {
        return Err(DomainError::validation(
            "dueDateId",
            format!(
                "到期日 {} 已过：须在到期前{}申请",
                due.due_on,
                if grace_days > 0 {
                    format!("（或到期后 {grace_days} 天内）")
                } else {
                    String::new()
                }
            ),
        ));
    }
    if new.proposed_due_on <= due.due_on {
        return Err(DomainError::validation(
            "proposedDueOn",
            format!("申请延至的日期应晚于当前到期日 {}", due.due_on),
        ));
    }
    let row = deadline_change_request::ActiveModel {
        item_id: Set(new.item_id),
        due_date_id: Set(new.due_date_id),
        proposed_due_on: Set(new.proposed_due_on),
        reason: Set(reason.clone()),
        progress_note: Set(progress_note),
        requested_by: Set(change.actor.0.clone()),
        department_id: Set(acting_for),
        requested_at: Set(change.now),
        status: Set(RequestStatus::Pending),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    notice::enqueue(
        &txn,
        NoticeKind::ExtensionRequested,
        new.item_id,
        Some(row.id),
        None,
        None,
        change.now,
    )
    .await?;
    let item = touch(&txn, current, change).await?;
    change
        .commit(
            txn,
            Action::ItemRequestDeadlineChange,
            (RecordKind::Item, Some(new.item_id)),
            json!({
                "request_id": row.id,
                "due_date_id": new.due_date_id,
                "from": due.due_on.to_string(),
                "proposed": new.proposed_due_on.to_string(),
                "reason": reason,
            }),
        )
        .await?;
    Ok((row.into(), item))
}

async fn pending<C: ConnectionTrait>(
    db: &C,
    request_id: i64,
) -> Result<deadline_change_request::Model, DomainError> {
    let row = deadline_change_request::Entity::find_by_id(request_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "DeadlineChangeRequest",
            id: request_id.to_string(),
        })?;
    if row.status != RequestStatus::Pending {
        return Err(DomainError::Conflict {
            field: "requestId".into(),
            message: format!(
                "该申请已{}",
                match row.status {
                    RequestStatus::Pending => "在审核中",
                    RequestStatus::Approved => "批准",
                    RequestStatus::Rejected => "退回",
                    RequestStatus::Withdrawn => "撤回",
                }
            ),
        });
    }
    Ok(row)
}

/// The office decides a pending request. Approval writes the granted date as a new version of
/// the item's due dates (the others carried over), so reminders follow it; rejection leaves
/// the deadline as it is. The requesting department hears of it in the next run.
pub async fn decide(
    db: &DatabaseConnection,
    request_id: i64,
    decision: &Decision,
    change: &Change,
) -> Result<(DeadlineChangeRequest, Item), DomainError> {
    let note = note_text("note", decision.note.as_deref())?;
    if !decision.approve && decision.due_on.is_some() {
        return Err(DomainError::validation(
            "dueOn",
            "a date is granted only with an approval",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let row = pending(&txn, request_id).await?;
    let current = crate::store::item::access::item_for(&txn, row.item_id, None).await?;
    let mut payload = json!({ "request_id": row.id, "approve": decision.approve, "note": note });
    let granted = if decision.approve {
        let granted = decision.due_on.unwrap_or(row.proposed_due_on);
        let active = item_due_date::Entity::find()
            .filter(item_due_date::Column::ItemId.eq(row.item_id))
            .filter(crate::store::active_due_date())
            .order_by_asc(item_due_date::Column::DueOn)
            .all(&txn)
            .await?;
        let Some(asked) = active.iter().find(|d| d.id == row.due_date_id) else {
            return Err(DomainError::Conflict {
                field: "requestId".into(),
                message: "所申请的到期日此后已被调整：请退回本申请，重新申请".into(),
            });
        };
        let milestones: Vec<Milestone> = active
            .iter()
            .map(|d| {
                if d.id == asked.id {
                    Milestone {
                        due_on: granted,
                        precision: DuePrecision::Day,
                        kind: d.kind,
                        label: d.label.clone(),
                    }
                } else {
                    Milestone {
                        due_on: d.due_on,
                        precision: d.precision,
                        kind: d.kind,
                        label: d.label.clone(),
                    }
                }
            })
            .collect();
        let written = crate::store::item::due_dates::replace(
            &txn,
            row.item_id,
            &milestones,
            Versioning::Always,
            change.now,
        )
        .await?;
        payload["from"] = json!(asked.due_on.to_string());
        payload["to"] = json!(granted.to_string());
        payload["version"] = json!(written.map(|w| w.version));
        Some(granted)
    } else {
        None
    };
    let mut active = row.into_active_model();
    active.status = Set(if decision.approve {
        RequestStatus::Approved
    } else {
        RequestStatus::Rejected
    });
    active.decided_by = Set(Some(change.actor.0.clone()));
    active.decided_at = Set(Some(change.now));
    active.decision_note = Set(note);
    active.granted_due_on = Set(granted);
    let decided = active.update(&txn).await?;
    if let Some(department_id) = decided.department_id {
        notice::enqueue(
            &txn,
            NoticeKind::ExtensionDecided,
            decided.item_id,
            Some(decided.id),
            Some(department_id),
            None,
            change.now,
        )
        .await?;
    }
    let item = touch(&txn, current, change).await?;
    change
        .commit(
            txn,
            Action::ItemDecideDeadlineChange,
            (RecordKind::Item, Some(decided.item_id)),
            payload,
        )
        .await?;
    Ok((decided.into(), item))
}

/// The requester takes a pending request back.
pub async fn withdraw(
    db: &DatabaseConnection,
    request_id: i64,
    acting_for: Option<i64>,
    change: &Change,
) -> Result<(DeadlineChangeRequest, Item), DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let row = pending(&txn, request_id).await?;
    if row.department_id != acting_for {
        return Err(DomainError::Forbidden(
            "only whoever asked may withdraw a request; the office rejects one with decideDeadlineChange".into(),
        ));
    }
    let current = crate::store::item::access::item_for(&txn, row.item_id, None).await?;
    let mut active = row.into_active_model();
    active.status = Set(RequestStatus::Withdrawn);
    active.decided_by = Set(Some(change.actor.0.clone()));
    active.decided_at = Set(Some(change.now));
    let withdrawn = active.update(&txn).await?;
    let item = touch(&txn, current, change).await?;
    change
        .commit(
            txn,
            Action::ItemWithdrawDeadlineChange,
            (RecordKind::Item, Some(withdrawn.item_id)),
            json!({ "request_id": withdrawn.id }),
        )
        .await?;
    Ok((withdrawn.into(), item))
}

/// Which requests to list.
#[derive(Clone, Debug, Default)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub department_id: Option<i64>,
    pub list_id: Option<i64>,
    pub item_id: Option<i64>,
}

/// Requests `filter` selects, oldest first, at most `limit`.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RequestFilter,
    limit: u64,
) -> Result<Vec<DeadlineChangeRequest>, DomainError> {
    let mut select = deadline_change_request::Entity::find();
    if let Some(status) = filter.status {
        select = select.filter(deadline_change_request::Column::Status.eq(status));
    }
    if let Some(item_id) = filter.item_id {
        select = select.filter(deadline_change_request::Column::ItemId.eq(item_id));
    }
    if let Some(department_id) = filter.department_id {
        // The department's own requests, and those about items it leads.
        let led = sea_orm::sea_query::Query::select()
            .column(item_department::Column::ItemId)
            .from(item_department::Entity)
            .and_where(item_department::Column::DepartmentId.eq(department_id))
            .and_where(item_department::Column::Role.eq(entity::DepartmentRole::Lead))
            .to_owned();
        select = select.filter(
            deadline_change_request::Column::DepartmentId
                .eq(department_id)
                .or(deadline_change_request::Column::ItemId.in_subquery(led)),
        );
    }
    if let Some(list_id) = filter.list_id {
        let of_list = sea_orm::sea_query::Query::select()
            .column(item::Column::Id)
            .from(item::Entity)
            .and_where(item::Column::ListId.eq(list_id))
            .to_owned();
        select = select.filter(deadline_change_request::Column::ItemId.in_subquery(of_list));
    }
    Ok(select
        .order_by_asc(deadline_change_request::Column::RequestedAt)
        .order_by_asc(deadline_change_request::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(DeadlineChangeRequest::from)
        .collect())
}

/// One request by id.
pub async fn by_id<C: ConnectionTrait>(
    db: &C,
    id: i64,
) -> Result<Option<DeadlineChangeRequest>, DomainError> {
    Ok(deadline_change_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(DeadlineChangeRequest::from))
}

/// Due dates with a pending request (among `only`, when given): their reminders say so.
pub async fn pending_for<C: ConnectionTrait>(
    db: &C,
    only: Option<&[i64]>,
) -> Result<std::collections::HashSet<i64>, DomainError> {
    let mut select = deadline_change_request::Entity::find()
        .select_only()
        .column(deadline_change_request::Column::DueDateId)
        .filter(deadline_change_request::Column::Status.eq(RequestStatus::Pending));
    if let Some(ids) = only {
        select =
            select.filter(deadline_change_request::Column::DueDateId.is_in(ids.iter().copied()));
    }
    let ids: Vec<i64> = select.into_tuple().all(db).await?;
    Ok(ids.into_iter().collect())
}

async fn touch<C: ConnectionTrait>(
    db: &C,
    current: item::Model,
    change: &Change,
) -> Result<Item, DomainError> {
    let mut active = current.into_active_model();
    active.updated_at = Set(change.now);
    Ok(active.update(db).await?.into())
}
