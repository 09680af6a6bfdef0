//! Counts for dashboards: by status, by urgency, by lead department × urgency, and due dates per
//! month. Urgency depends on today, so counts are made here from a narrow projection (three
//! columns per item) with the same rule the `urgency` field uses.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Query, SelectStatement},
};

use crate::store::{department, item::Today};
use crate::{
    DomainError,
    model::{Department, DepartmentRole, ItemStatus},
    urgency::Urgency,
};
use entity::{item, item_department, item_due_date};

const STATUSES: [ItemStatus; 5] = [
    ItemStatus::Open,
    ItemStatus::InProgress,
    ItemStatus::CompletionReported,
    ItemStatus::Done,
    ItemStatus::Closed,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListStats {
    pub total: u64,
    /// Every status, zeros included.
    pub by_status: Vec<(ItemStatus, u64)>,
    /// Every urgency, zeros included.
    pub by_urgency: Vec<(Urgency, u64)>,
    /// Departments that lead at least one item, in the order they became known.
    pub by_lead_department: Vec<DepartmentUrgency>,
    /// Months with at least one active due date, in order.
    pub due_per_month: Vec<MonthCount>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepartmentUrgency {
    pub department: Department,
    pub total: u64,
    pub by_urgency: Vec<(Urgency, u64)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MonthCount {
    pub year: i32,
    pub month: u32,
    pub count: u64,
}

/// Statistics of one list, or of every list when `list_id` is `None`.
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    list_id: Option<i64>,
    today: Today,
) -> Result<ListStats, DomainError> {
    let mut items = item::Entity::find().select_only().columns([
        item::Column::Id,
        item::Column::Status,
        item::Column::EarliestDueOn,
    ]);
    if let Some(list_id) = list_id {
        items = items.filter(item::Column::ListId.eq(list_id));
    }
    let items: Vec<(i64, ItemStatus, Option<NaiveDate>)> = items.into_tuple().all(db).await?;
    let urgency_of: HashMap<i64, Urgency> = items
        .iter()
        .map(|(id, status, due)| (*id, today.rule.classify(*status, *due, today.date)))
        .collect();

    let leads: Vec<(i64, i64)> = item_department::Entity::find()
        .select_only()
        .columns([
            item_department::Column::ItemId,
            item_department::Column::DepartmentId,
        ])
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .filter(item_department::Column::ItemId.in_subquery(item_ids(list_id)))
        .into_tuple()
        .all(db)
        .await?;
    let mut per_department: BTreeMap<i64, BTreeMap<Urgency, u64>> = BTreeMap::new();
    for (item_id, department_id) in &leads {
        if let Some(urgency) = urgency_of.get(item_id) {
            *per_department
                .entry(*department_id)
                .or_default()
                .entry(*urgency)
                .or_default() += 1;
        }
    }
    let department_ids: Vec<i64> = per_department.keys().copied().collect();
    let departments: HashMap<i64, Department> = department::directory::by_ids(db, &department_ids)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();

    let due_dates: Vec<NaiveDate> = item_due_date::Entity::find()
        .select_only()
        .column(item_due_date::Column::DueOn)
        .filter(crate::store::active_due_date())
        .filter(item_due_date::Column::ItemId.in_subquery(item_ids(list_id)))
        .into_tuple()
        .all(db)
        .await?;
    let mut per_month: BTreeMap<(i32, u32), u64> = BTreeMap::new();
    for due in due_dates {
        *per_month.entry((due.year(), due.month())).or_default() += 1;
    }

    Ok(ListStats {
        total: items.len() as u64,
        by_status: STATUSES
            .iter()
            .map(|s| (*s, items.iter().filter(|(_, st, _)| st == s).count() as u64))
            .collect(),
        by_urgency: all_urgencies(|u| urgency_of.values().filter(|v| **v == u).count() as u64),
        by_lead_department: per_department
            .into_iter()
            .filter_map(|(id, counts)| {
                Some(DepartmentUrgency {
                    department: departments.get(&id)?.clone(),
                    total: counts.values().sum(),
                    by_urgency: all_urgencies(|u| counts.get(&u).copied().unwrap_or(0)),
                })
            })
            .collect(),
        due_per_month: per_month
            .into_iter()
            .map(|((year, month), count)| MonthCount { year, month, count })
            .collect(),
    })
}

fn all_urgencies(count: impl Fn(Urgency) -> u64) -> Vec<(Urgency, u64)> {
    Urgency::ALL.iter().map(|u| (*u, count(*u))).collect()
}

fn item_ids(list_id: Option<i64>) -> SelectStatement {
    let mut ids = Query::select()
        .column(item::Column::Id)
        .from(item::Entity)
        .to_owned();
    if let Some(list_id) = list_id {
        ids.and_where(item::Column::ListId.eq(list_id));
    }
    ids
}
