//! The facts 考评 is computed from ([`crate::scores`]): each lead department's items, the day
//! each was done, their due dates, the extension requests on them and the reminders sent.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    DomainError,
    model::Department,
    scores::{self, DepartmentScore, LedItem, Period, Reminder, Request},
    store::{
        audit::{Action, RecordKind},
        delivery::sending::sent_on_items,
        department,
    },
};
use entity::{
    DepartmentRole, DueKind, ItemStatus, RequestStatus, audit_event, deadline_change_request, item,
    item_department, item_due_date,
};

/// Rows of the items of list `list_id` (of every list when `None`): joined on the list, where
/// ten thousand item ids would be as many parameters to bind and plan.
fn on_list_of<E>(query: sea_orm::Select<E>, list_id: Option<i64>) -> sea_orm::Select<E>
where
    E: EntityTrait + sea_orm::Related<item::Entity>,
{
    match list_id {
        Some(list_id) => query
            .inner_join(item::Entity)
            .filter(item::Column::ListId.eq(list_id)),
        None => query,
    }
}

/// Scores of every department that leads an item of list `list_id` (of every list when
/// `None`), for `period`, as of `today` in `tz`.
pub async fn department_scores<C: ConnectionTrait>(
    db: &C,
    list_id: Option<i64>,
    period: Period,
    today: NaiveDate,
    tz: Tz,
) -> Result<Vec<(Department, DepartmentScore)>, DomainError> {
    let mut items = item::Entity::find().filter(item::Column::Status.ne(ItemStatus::Closed));
    if let Some(list_id) = list_id {
        items = items.filter(item::Column::ListId.eq(list_id));
    }
    let items = items.all(db).await?;
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }

    let mut leads: HashMap<i64, Vec<i64>> = HashMap::new();
    for a in on_list_of(item_department::Entity::find(), list_id)
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .all(db)
        .await?
    {
        leads.entry(a.item_id).or_default().push(a.department_id);
    }

    let mut final_due: HashMap<i64, NaiveDate> = HashMap::new();
    {
        for d in on_list_of(item_due_date::Entity::find(), list_id)
            .all(db)
            .await?
        {
            if d.active && d.kind == DueKind::Final {
                let due = final_due.entry(d.item_id).or_insert(d.due_on);
                *due = (*due).max(d.due_on);
            }
        }
    }

    let done = done_days(
        db,
        items
            .iter()
            .map(|i| (i.id, i.status, i.completed_on, i.updated_at)),
        tz,
    )
    .await?;
    let mut led = Vec::new();
    for i in &items {
        for &department_id in leads.get(&i.id).map(Vec::as_slice).unwrap_or_default() {
            led.push(LedItem {
                department_id,
                item_id: i.id,
                done_on: done.get(&i.id).copied(),
                final_due_on: final_due.get(&i.id).copied(),
                earliest_due_on: i.earliest_due_on,
            });
        }
    }

    let mut requests = Vec::new();
    {
        for r in on_list_of(deadline_change_request::Entity::find(), list_id)
            .all(db)
            .await?
        {
            let item_leads = leads.get(&r.item_id).map(Vec::as_slice).unwrap_or_default();
            for department_id in scores::counted_against(r.department_id, item_leads) {
                requests.push(Request {
                    department_id,
                    requested_on: r.requested_at.with_timezone(&tz).date_naive(),
                    approved: r.status == RequestStatus::Approved,
                });
            }
        }
    }

    let item_ids: HashSet<i64> = ids.iter().copied().collect();
    let reminders: Vec<Reminder> = sent_on_items(db, list_id)
        .await?
        .into_iter()
        .filter(|r| item_ids.contains(&r.item_id))
        .map(|r| Reminder {
            department_id: r.department_id,
            sent_on: r.sent_at.with_timezone(&tz).date_naive(),
            acknowledged: r.acknowledged,
        })
        .collect();

    let rows = scores::score(&led, &requests, &reminders, period, today);
    let wanted: Vec<i64> = rows.iter().map(|r| r.department_id).collect();
    let departments: HashMap<i64, Department> = department::directory::by_ids(db, &wanted)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|r| departments.get(&r.department_id).cloned().map(|d| (d, r)))
        .collect())
}

/// The day each done item was done: its `completedOn`, or, for an item completed before that
/// was recorded, the day its status last changed (its last update when the audit trail has
/// nothing). Items given as (id, status, completed on, updated at); those not done are left out.
pub(crate) async fn done_days<C: ConnectionTrait>(
    db: &C,
    items: impl Iterator<
        Item = (
            i64,
            ItemStatus,
            Option<NaiveDate>,
            chrono::DateTime<chrono::Utc>,
        ),
    >,
    tz: Tz,
) -> Result<HashMap<i64, NaiveDate>, DomainError> {
    let mut done = HashMap::new();
    let mut undated: HashMap<i64, NaiveDate> = HashMap::new();
    for (id, status, completed_on, updated_at) in items {
        if status != ItemStatus::Done {
            continue;
        }
        match completed_on {
            Some(day) => {
                done.insert(id, day);
            }
            None => {
                undated.insert(id, updated_at.with_timezone(&tz).date_naive());
            }
        }
    }
    let ids: Vec<i64> = undated.keys().copied().collect();
    for chunk in ids.chunks(500) {
        for event in audit_event::Entity::find()
            .filter(audit_event::Column::EntityType.eq(RecordKind::Item.as_str()))
            .filter(audit_event::Column::EntityId.is_in(chunk.iter().copied()))
            .filter(audit_event::Column::Action.is_in([
                Action::ItemSetStatus.as_str(),
                Action::ItemConfirmCompletion.as_str(),
            ]))
            .order_by_asc(audit_event::Column::OccurredAt)
            .all(db)
            .await?
        {
            if let Some(id) = event.entity_id {
                undated.insert(id, event.occurred_at.with_timezone(&tz).date_naive());
            }
        }
    }
    done.extend(undated);
    Ok(done)
}
