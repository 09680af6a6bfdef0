//! The rows of a list's 台账 ([`crate::export::Ledger`]): each item with its departments, due
//! dates and their versions with the reason for each, its latest progress, and its reminders.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};

use crate::{
    DomainError,
    export::{Ledger, LedgerRow},
    model::{DepartmentRole, ItemStatus, RequestStatus},
    scores::{self, Period},
    store::{
        audit::{Action, RecordKind},
        department,
        item::Today,
        ledger, scores as store_scores,
    },
};
use entity::{
    DueKind, audit_event, deadline_change_request, item_department, item_due_date, item_progress,
    project_list,
};

/// The ledger of list `list_id` as of `today` (urgency) in `tz`; `NotFound` for no such list.
pub async fn ledger(
    db: &DatabaseConnection,
    list_id: i64,
    today: Today,
    tz: Tz,
) -> Result<Ledger, DomainError> {
    // Every read is independent of the others: on a pool they run side by side, each on its
    // own connection, so the database works on one while the rows of another are decoded. The
    // three large ones (items, departments, due dates: 90,000 rows for 10,000 items) are tasks
    // of their own, so that their rows are decoded on several cores.
    let (items_task, assigned_task, due_task) = {
        let (a, b, c) = (db.clone(), db.clone(), db.clone());
        (
            tokio::spawn(async move { listed_items(&a, list_id).await }),
            tokio::spawn(async move { assignments(&b, list_id).await }),
            tokio::spawn(async move { due_dates_of(&c, list_id).await }),
        )
    };
    let joined = |e: tokio::task::JoinError| {
        DomainError::Database(DbErr::Custom(format!("a read of the ledger stopped: {e}")))
    };
    let (
        title,
        list_items,
        assigned,
        names,
        due_dates,
        change_requests,
        audit_events,
        progress,
        deliveries,
    ) = tokio::try_join!(
        // The title only: the list's row also holds its whole source text.
        async {
            Ok(project_list::Entity::find_by_id(list_id)
                .select_only()
                .column(project_list::Column::Title)
                .into_tuple::<String>()
                .one(db)
                .await?)
        },
        async { items_task.await.map_err(joined)? },
        async { assigned_task.await.map_err(joined)? },
        department::names(db),
        async { due_task.await.map_err(joined)? },
        async {
            Ok(deadline_change_request::Entity::find()
                .inner_join(entity::item::Entity)
                .filter(entity::item::Column::ListId.eq(list_id))
                .all(db)
                .await?)
        },
        deadline_events(db, list_id),
        async {
            Ok(item_progress::Entity::find()
                .inner_join(entity::item::Entity)
                .filter(entity::item::Column::ListId.eq(list_id))
                .order_by_asc(item_progress::Column::ReportedAt)
                .order_by_asc(item_progress::Column::Id)
                .all(db)
                .await?)
        },
        ledger::deliveries::sent_on_items(db, Some(list_id)),
    )?;
    let title = title.ok_or_else(|| DomainError::NotFound {
        entity: "list",
        id: list_id.to_string(),
    })?;
    let ids: Vec<i64> = list_items.iter().map(|i| i.id).collect();

    let mut lead: HashMap<i64, Vec<(i32, String)>> = HashMap::with_capacity(ids.len());
    let mut cooperating: HashMap<i64, Vec<(i32, String)>> = HashMap::with_capacity(ids.len());
    // For the scores: each item's lead departments by id, and their names.
    let mut lead_ids: HashMap<i64, Vec<i64>> = HashMap::with_capacity(ids.len());
    let mut lead_names: HashMap<i64, String> = HashMap::new();
    for (item_id, role, position, department_id) in assigned {
        let name = names.get(&department_id).cloned().unwrap_or_default();
        if role == DepartmentRole::Lead {
            lead_ids.entry(item_id).or_default().push(department_id);
            lead_names.insert(department_id, name.clone());
        }
        let into = match role {
            DepartmentRole::Lead => &mut lead,
            DepartmentRole::Cooperating => &mut cooperating,
        };
        into.entry(item_id).or_default().push((position, name));
    }

    // Due dates: the active ones, and every version after the first with the reason for it.
    let mut active: HashMap<i64, Vec<NaiveDate>> = HashMap::with_capacity(ids.len());
    let mut final_due: HashMap<i64, NaiveDate> = HashMap::with_capacity(ids.len());
    let mut versions: HashMap<i64, Vec<(i32, NaiveDate)>> = HashMap::new();
    for (item_id, due_on, kind, version, is_active) in due_dates {
        if is_active {
            active.entry(item_id).or_default().push(due_on);
            if kind == DueKind::Final {
                let due = final_due.entry(item_id).or_insert(due_on);
                *due = (*due).max(due_on);
            }
        }
        if version > 1 {
            let v = versions.entry(item_id).or_default();
            if !v.iter().any(|(v, day)| *v == version && *day == due_on) {
                v.push((version, due_on));
            }
        }
    }
    let mut reasons: HashMap<(i64, i32), String> = HashMap::new();
    let mut request_reason: HashMap<i64, String> = HashMap::new();
    let mut requests = Vec::new();
    for r in change_requests {
        for &department_id in lead_ids
            .get(&r.item_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            requests.push(scores::Request {
                department_id,
                requested_on: r.requested_at.with_timezone(&tz).date_naive(),
                approved: r.status == RequestStatus::Approved,
            });
        }
        request_reason.insert(r.id, r.reason);
    }
    for event in audit_events {
        let (Some(item_id), Some(version)) = (
            event.entity_id,
            event.payload["version"]
                .as_i64()
                .and_then(|v| i32::try_from(v).ok()),
        ) else {
            continue;
        };
        let why = if event.action == Action::ItemChangeDeadline.as_str() {
            format!(
                "督查室调整：{}",
                event.payload["reason"].as_str().unwrap_or_default()
            )
        } else {
            let asked = event.payload["request_id"]
                .as_i64()
                .and_then(|id| request_reason.get(&id))
                .cloned()
                .unwrap_or_default();
            format!("延期申请获批：{asked}")
        };
        reasons.insert((item_id, version), why);
    }

    let mut latest: HashMap<i64, item_progress::Model> = HashMap::new();
    for p in progress {
        latest.insert(p.item_id, p);
    }

    let listed: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut sent: HashMap<i64, (u64, u64)> = HashMap::new();
    let mut reminders = Vec::new();
    for r in deliveries {
        if listed.contains(&r.item_id) {
            let counts = sent.entry(r.item_id).or_default();
            counts.0 += 1;
            counts.1 += u64::from(r.acknowledged);
            reminders.push(scores::Reminder {
                department_id: r.department_id,
                sent_on: r.sent_at.with_timezone(&tz).date_naive(),
                acknowledged: r.acknowledged,
            });
        }
    }

    // The scores sheet, from the facts read above rather than read again.
    let done = store_scores::done_days(
        db,
        list_items
            .iter()
            .map(|i| (i.id, i.status, i.completed_on, i.updated_at)),
        tz,
    )
    .await?;
    let led: Vec<scores::LedItem> = list_items
        .iter()
        .flat_map(|i| {
            let done_on = done.get(&i.id).copied();
            let final_due_on = final_due.get(&i.id).copied();
            lead_ids
                .get(&i.id)
                .into_iter()
                .flatten()
                .map(move |&department_id| scores::LedItem {
                    department_id,
                    item_id: i.id,
                    done_on,
                    final_due_on,
                    earliest_due_on: i.earliest_due_on,
                })
        })
        .collect();
    let scores = scores::score(&led, &requests, &reminders, Period::default(), today.date)
        .into_iter()
        .filter_map(|s| lead_names.get(&s.department_id).cloned().map(|n| (n, s)))
        .collect();

    let sorted = |mut v: Vec<(i32, String)>| {
        v.sort_by_key(|(p, _)| *p);
        v.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let rows = list_items
        .into_iter()
        .map(|i| {
            let (reminders_sent, acknowledged) = sent.get(&i.id).copied().unwrap_or_default();
            let mut changes = versions.remove(&i.id).unwrap_or_default();
            changes.sort();
            LedgerRow {
                item_id: i.id,
                number_text: i.number_text,
                title: i.title,
                content: i.content,
                deadline_text: i.deadline_text,
                due_dates: {
                    let mut dates = active.remove(&i.id).unwrap_or_default();
                    dates.sort_unstable();
                    dates
                },
                final_due_on: final_due.get(&i.id).copied(),
                lead: sorted(lead.remove(&i.id).unwrap_or_default()),
                cooperating: sorted(cooperating.remove(&i.id).unwrap_or_default()),
                status: i.status,
                urgency: today.rule.classify(i.status, i.earliest_due_on, today.date),
                latest_progress: latest.remove(&i.id).map(|p| {
                    let who = p
                        .department_id
                        .and_then(|d| names.get(&d).cloned())
                        .unwrap_or_else(|| "督查室".to_owned());
                    (p.reported_at.with_timezone(&tz).date_naive(), who, p.note)
                }),
                deadline_changes: changes
                    .into_iter()
                    .map(|(version, day)| {
                        let why = reasons
                            .get(&(i.id, version))
                            .cloned()
                            .unwrap_or_else(|| "清单更正".to_owned());
                        (version, day, why)
                    })
                    .collect(),
                reminders_sent,
                acknowledged: (reminders_sent > 0).then_some(acknowledged == reminders_sent),
                completed_on: i.completed_on,
            }
        })
        .collect();

    Ok(Ledger {
        title,
        as_of: today.date,
        rows,
        scores,
    })
}

/// The list's department assignments as (item, role, position, department id): the names
/// come from the department table, read once, rather than joined onto 60,000 rows.
async fn assignments<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<(i64, DepartmentRole, i32, i64)>, DomainError> {
    Ok(item_department::Entity::find()
        .select_only()
        .column(item_department::Column::ItemId)
        .column(item_department::Column::Role)
        .column(item_department::Column::Position)
        .column(item_department::Column::DepartmentId)
        .inner_join(entity::item::Entity)
        .filter(entity::item::Column::ListId.eq(list_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// Every due-date row of the list's items as (item, date, kind, version, active), in no
/// order: each item's few are sorted where they are gathered.
async fn due_dates_of<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<(i64, NaiveDate, DueKind, i32, bool)>, DomainError> {
    Ok(item_due_date::Entity::find()
        .select_only()
        .column(item_due_date::Column::ItemId)
        .column(item_due_date::Column::DueOn)
        .column(item_due_date::Column::Kind)
        .column(item_due_date::Column::Version)
        .column(item_due_date::Column::Active)
        .inner_join(entity::item::Entity)
        .filter(entity::item::Column::ListId.eq(list_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// The audit events that record why a due date of the list's items changed: the office's
/// own changes and approved requests. One statement: the items are a subquery, not ten
/// thousand bound ids.
async fn deadline_events<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<audit_event::Model>, DomainError> {
    Ok(audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq(RecordKind::Item.as_str()))
        .filter(
            audit_event::Column::EntityId.in_subquery(
                Query::select()
                    .column(entity::item::Column::Id)
                    .from(entity::item::Entity)
                    .and_where(entity::item::Column::ListId.eq(list_id))
                    .to_owned(),
            ),
        )
        .filter(audit_event::Column::Action.is_in([
            Action::ItemChangeDeadline.as_str(),
            Action::ItemDecideDeadlineChange.as_str(),
        ]))
        .all(db)
        .await?)
}

/// An item as the ledger shows it: the columns it prints and those urgency and the scores need.
struct Listed {
    id: i64,
    number_text: String,
    title: String,
    content: String,
    deadline_text: String,
    status: ItemStatus,
    earliest_due_on: Option<NaiveDate>,
    completed_on: Option<NaiveDate>,
    updated_at: DateTime<Utc>,
}

/// The list's items in printed order, without those withdrawn (已撤销).
async fn listed_items<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<Listed>, DomainError> {
    use entity::item::Column;
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        ItemStatus,
        Option<NaiveDate>,
        Option<NaiveDate>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = entity::item::Entity::find()
        .select_only()
        .columns([
            Column::Id,
            Column::NumberText,
            Column::Title,
            Column::Content,
            Column::DeadlineText,
            Column::Status,
            Column::EarliestDueOn,
            Column::CompletedOn,
            Column::UpdatedAt,
        ])
        .filter(Column::ListId.eq(list_id))
        .filter(Column::Status.ne(ItemStatus::Closed))
        .order_by_asc(Column::Number)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                number_text,
                title,
                content,
                deadline_text,
                status,
                earliest_due_on,
                completed_on,
                updated_at,
            )| {
                Listed {
                    id,
                    number_text,
                    title,
                    content,
                    deadline_text,
                    status,
                    earliest_due_on,
                    completed_on,
                    updated_at,
                }
            },
        )
        .collect())
}
