//! `Stats`: the counts a dashboard shows.

use async_graphql::SimpleObject;
use domain::store::stats::ListStats;

use super::{Department, ItemStatus, Urgency};

/// Counts of a list (or of every list) at a given day.
#[derive(SimpleObject)]
pub struct Stats {
    /// Items in all.
    pub total: u64,
    /// Every status, zeros included.
    pub by_status: Vec<StatusCount>,
    /// Every urgency, zeros included.
    pub by_urgency: Vec<UrgencyCount>,
    /// For each department that leads items: its items by urgency.
    pub by_lead_department: Vec<DepartmentUrgencyCount>,
    /// Active due dates per month, months without any left out.
    pub due_per_month: Vec<MonthCount>,
}

#[derive(SimpleObject)]
pub struct StatusCount {
    pub status: ItemStatus,
    pub count: u64,
}

#[derive(SimpleObject)]
pub struct UrgencyCount {
    pub urgency: Urgency,
    pub count: u64,
}

#[derive(SimpleObject)]
pub struct DepartmentUrgencyCount {
    pub department: Department,
    /// Items the department leads.
    pub total: u64,
    pub by_urgency: Vec<UrgencyCount>,
}

#[derive(SimpleObject)]
pub struct MonthCount {
    /// `2021-06`
    pub month: String,
    pub count: u64,
}

fn urgencies(counts: Vec<(domain::urgency::Urgency, u64)>) -> Vec<UrgencyCount> {
    counts
        .into_iter()
        .map(|(u, count)| UrgencyCount {
            urgency: u.into(),
            count,
        })
        .collect()
}

impl From<ListStats> for Stats {
    fn from(s: ListStats) -> Self {
        Self {
            total: s.total,
            by_status: s
                .by_status
                .into_iter()
                .map(|(status, count)| StatusCount {
                    status: status.into(),
                    count,
                })
                .collect(),
            by_urgency: urgencies(s.by_urgency),
            by_lead_department: s
                .by_lead_department
                .into_iter()
                .map(|d| DepartmentUrgencyCount {
                    department: Department(d.department),
                    total: d.total,
                    by_urgency: urgencies(d.by_urgency),
                })
                .collect(),
            due_per_month: s
                .due_per_month
                .into_iter()
                .map(|m| MonthCount {
                    month: format!("{:04}-{:02}", m.year, m.month),
                    count: m.count,
                })
                .collect(),
        }
    }
}
