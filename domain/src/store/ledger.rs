//! The facts of a list's 台账, read side by side ([`crate::ledger::Facts`]); the rows are built
//! from them by [`crate::ledger::build`].

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Query,
};

use crate::{
    DomainError,
    audit::{DeadlineChanged, DeadlineDecided},
    export::Ledger,
    ledger::{
        self, Assignment, ChangeRequest, DeadlineCause, DeadlineChange, DueDateRow, Facts,
        ListedItem, Progress, SentReminder,
    },
    model::{DepartmentRole, ItemStatus, RequestStatus},
    store::{
        audit::{Action, RecordKind},
        delivery, department,
        item::Today,
        scores as store_scores,
    },
};
use entity::{
    DueKind, audit_event, deadline_change_request, item_department, item_due_date, item_progress,
    project_list,
};

/// The 台账 of list `list_id` as of `today` (urgency) in `tz`; `NotFound` for no such list.
pub async fn of_list(
    db: &DatabaseConnection,
    list_id: i64,
    today: Today,
    tz: Tz,
) -> Result<Ledger, DomainError> {
    let facts = facts(db, list_id, tz).await?;
    Ok(ledger::build(facts, today.date, today.rule, tz))
}

/// What the 台账 of list `list_id` is made of; `NotFound` for no such list.
pub async fn facts(db: &DatabaseConnection, list_id: i64, tz: Tz) -> Result<Facts, DomainError> {
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
        DomainError::Database(DbErr::Custom(format!("a read of the 台账 stopped: {e}")))
    };
    let (
        title,
        items,
        assignments,
        department_names,
        due_dates,
        change_requests,
        deadline_changes,
        progress,
        reminders,
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
                .await?
                .into_iter()
                .map(|r| ChangeRequest {
                    id: r.id,
                    item_id: r.item_id,
                    department_id: r.department_id,
                    requested_at: r.requested_at,
                    approved: r.status == RequestStatus::Approved,
                    reason: r.reason,
                })
                .collect::<Vec<_>>())
        },
        deadline_changes(db, list_id),
        async {
            Ok(item_progress::Entity::find()
                .inner_join(entity::item::Entity)
                .filter(entity::item::Column::ListId.eq(list_id))
                .order_by_asc(item_progress::Column::ReportedAt)
                .order_by_asc(item_progress::Column::Id)
                .all(db)
                .await?
                .into_iter()
                .map(|p| Progress {
                    item_id: p.item_id,
                    reported_at: p.reported_at,
                    department_id: p.department_id,
                    note: p.note,
                })
                .collect::<Vec<_>>())
        },
        delivery::sending::sent_on_items(db, Some(list_id)),
    )?;
    let title = title.ok_or_else(|| DomainError::NotFound {
        entity: "list",
        id: list_id.to_string(),
    })?;
    let done_on = store_scores::done_days(
        db,
        items
            .iter()
            .map(|i| (i.id, i.status, i.completed_on, i.updated_at)),
        tz,
    )
    .await?;
    Ok(Facts {
        title,
        items,
        assignments,
        department_names,
        due_dates,
        change_requests,
        deadline_changes,
        progress,
        reminders: reminders
            .into_iter()
            .map(|r| SentReminder {
                item_id: r.item_id,
                department_id: r.department_id,
                sent_at: r.sent_at,
                acknowledged: r.acknowledged,
            })
            .collect(),
        done_on,
    })
}

/// The list's department assignments as (item, role, position, department id): the names
/// come from the department table, read once, rather than joined onto 60,000 rows.
async fn assignments<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<Assignment>, DomainError> {
    let rows: Vec<(i64, DepartmentRole, i32, i64)> = item_department::Entity::find()
        .select_only()
        .column(item_department::Column::ItemId)
        .column(item_department::Column::Role)
        .column(item_department::Column::Position)
        .column(item_department::Column::DepartmentId)
        .inner_join(entity::item::Entity)
        .filter(entity::item::Column::ListId.eq(list_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(item_id, role, position, department_id)| Assignment {
            item_id,
            role,
            position,
            department_id,
        })
        .collect())
}

/// Every due-date row of the list's items, in no order: each item's few are sorted where they
/// are gathered.
async fn due_dates_of<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<DueDateRow>, DomainError> {
    let rows: Vec<(i64, NaiveDate, DueKind, i32, bool)> = item_due_date::Entity::find()
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
        .await?;
    Ok(rows
        .into_iter()
        .map(|(item_id, due_on, kind, version, active)| DueDateRow {
            item_id,
            due_on,
            kind,
            version,
            active,
        })
        .collect())
}

/// Why due dates of the list's items changed, from the audit events that changed them: the
/// office's own changes and approved requests. One statement: the items are a subquery, not
/// ten thousand bound ids.
async fn deadline_changes<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<DeadlineChange>, DomainError> {
    let events = audit_event::Entity::find()
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
        .await?;
    Ok(events.into_iter().filter_map(deadline_change).collect())
}

/// What an event says about a due-date version; `None` for a refusal (no version written) or
/// a payload this code cannot read.
fn deadline_change(event: audit_event::Model) -> Option<DeadlineChange> {
    let item_id = event.entity_id?;
    let (version, cause) = if event.action == Action::ItemChangeDeadline.as_str() {
        let changed: DeadlineChanged = serde_json::from_value(event.payload).ok()?;
        (
            changed.version,
            DeadlineCause::Office {
                reason: changed.reason,
            },
        )
    } else {
        let decided: DeadlineDecided = serde_json::from_value(event.payload).ok()?;
        (
            decided.version?,
            DeadlineCause::Approved {
                request_id: decided.request_id,
            },
        )
    };
    Some(DeadlineChange {
        item_id,
        version,
        cause,
    })
}

/// The list's items in printed order, without those withdrawn (已撤销).
async fn listed_items<C: ConnectionTrait>(
    db: &C,
    list_id: i64,
) -> Result<Vec<ListedItem>, DomainError> {
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
                ListedItem {
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
