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
    audit::DeadlineDecided,
    deadline::Milestone,
    model::{DeadlineChangeRequest, DuePrecision, Item, NoticeKind, RequestStatus},
    supervision,
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
    let reason =
        supervision::required_note("reason", &new.reason, "请写明延期理由（督查室据此审批）")?;
    let progress_note = supervision::optional_note("progressNote", new.progress_note.as_deref())?;
    let txn = crate::db::begin_write(db).await?;
    let current = crate::store::item::access::item_led_by(&txn, new.item_id, acting_for).await?;
    supervision::extension_allowed(current.status)?;
    let due = item_due_date::Entity::find_by_id(new.due_date_id)
        .one(&txn)
        .await?
        .filter(|d| d.item_id == new.item_id)
        .ok_or_else(|| DomainError::validation("dueDateId", "不是该事项的到期日"))?;
    supervision::extension_request(
        supervision::AskedDueDate {
            due_on: due.due_on,
            active: due.active,
        },
        new.proposed_due_on,
        today,
        grace_days,
    )?;
    let row = deadline_change_request::ActiveModel {
        item_id: Set(new.item_id),
        due_date_id: Set(new.due_date_id),
        proposed_due_on: Set(new.proposed_due_on),
        reason: Set(reason.clone()),
        progress_note: Set(progress_note),
        requested_by: Set(change.actor.key.clone()),
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
    supervision::request_pending(row.status)?;
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
    let note = supervision::optional_note("note", decision.note.as_deref())?;
    supervision::decision_shape(decision.approve, decision.due_on)?;
    let txn = crate::db::begin_write(db).await?;
    let row = pending(&txn, request_id).await?;
    let current = crate::store::item::access::item_for(&txn, row.item_id, None).await?;
    let mut payload = DeadlineDecided {
        request_id: row.id,
        approve: decision.approve,
        note: note.clone(),
        from: None,
        to: None,
        version: None,
    };
    let granted = supervision::granted(decision.approve, decision.due_on, row.proposed_due_on)?;
    let granted = if let Some(granted) = granted {
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
        payload.from = Some(asked.due_on);
        payload.to = Some(granted);
        payload.version = written.map(|w| w.version);
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
    active.decided_by = Set(Some(change.actor.key.clone()));
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
            crate::audit::to_json(&payload),
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
    supervision::withdrawal_allowed(row.department_id, acting_for)?;
    let current = crate::store::item::access::item_for(&txn, row.item_id, None).await?;
    let mut active = row.into_active_model();
    active.status = Set(RequestStatus::Withdrawn);
    active.decided_by = Set(Some(change.actor.key.clone()));
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
