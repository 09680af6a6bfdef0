//! Reports the office sends upward: 考评, the department scores.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset};
use domain::{DomainError, scores::Period, store::scores};
use sea_orm::DatabaseConnection;

use crate::graphql::{
    auth::require_reader,
    clock::{self, RequestClock},
    error::to_graphql,
    ids::{self, Kind},
    scalars::Date,
    types,
};

#[derive(Default)]
pub struct ReportQuery;

/// 考评: how one lead department did on the items it leads.
#[derive(SimpleObject)]
pub struct DepartmentScore {
    pub department: types::Department,
    /// Items it leads (closed items, dropped from their list, are not counted).
    pub items_led: u64,
    /// Items done in the period on or before their final due date (an item without one is on
    /// time). An item is done on its `completedOn` day, or, when that was not recorded, on the
    /// day its status last changed.
    pub done_on_time: u64,
    /// Items done in the period after their final due date.
    pub done_late: u64,
    /// Items not done whose earliest active due date is before today (`now`).
    pub overdue_now: u64,
    /// The most days any of them is overdue; 0 when none is.
    pub max_days_overdue: i64,
    /// The mean of the days late of the items done late in the period; null when none was.
    pub average_days_late: Option<f64>,
    /// Extension requests (延期申请) it made in the period; one the office filed itself counts
    /// against each lead department of the item.
    pub extensions_requested: u64,
    /// Those of them approved.
    pub extensions_approved: u64,
    /// Reminders sent to its contacts in the period, on the items counted.
    pub reminders_sent: u64,
    /// Those of them acknowledged (签收).
    pub reminders_acknowledged: u64,
}

#[Object]
impl ReportQuery {
    /// 考评: one row per lead department, in the order departments became known. Every
    /// argument is optional: all lists, the whole period (`from` and `to` both included), and
    /// today as of `now`. For administrators.
    async fn department_scores(
        &self,
        ctx: &Context<'_>,
        list_id: Option<ID>,
        from: Option<Date>,
        to: Option<Date>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Vec<DepartmentScore>> {
        require_reader(ctx)?;
        let list_id = list_id
            .as_ref()
            .map(|id| ids::decode(Kind::ProjectList, id, "listId"))
            .transpose()
            .map_err(to_graphql)?;
        if let (Some(from), Some(to)) = (from, to)
            && from.0 > to.0
        {
            return Err(to_graphql(DomainError::validation(
                "to",
                format!("the period ends ({}) before it starts ({})", to.0, from.0),
            )));
        }
        let today = clock::today(ctx, now)?.date;
        let timezone = ctx.data::<RequestClock>()?.timezone;
        let db = ctx.data::<DatabaseConnection>()?;
        let period = Period {
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
        };
        let rows = scores::department_scores(db, list_id, period, today, timezone)
            .await
            .map_err(to_graphql)?;
        Ok(rows
            .into_iter()
            .map(|(department, s)| DepartmentScore {
                department: types::Department(department),
                items_led: s.items_led,
                done_on_time: s.done_on_time,
                done_late: s.done_late,
                overdue_now: s.overdue_now,
                max_days_overdue: s.max_days_overdue,
                average_days_late: s.average_days_late,
                extensions_requested: s.extensions_requested,
                extensions_approved: s.extensions_approved,
                reminders_sent: s.reminders_sent,
                reminders_acknowledged: s.reminders_acknowledged,
            })
            .collect())
    }
}
