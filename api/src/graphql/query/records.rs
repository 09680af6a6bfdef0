//! What the office keeps about its own work: the reminder deliveries and the audit trail.

use async_graphql::{Context, Object, Result, connection::Connection};

use crate::graphql::{auth, connection::PageArgs, error::to_graphql, types};

#[derive(Default)]
pub struct RecordQuery;

/// The most requests one answer lists.
const MAX_REQUESTS: u64 = 500;

#[Object]
impl RecordQuery {
    /// The reminders delivered (or waiting), newest first: all of it for administrators, a department's own
    /// rows for its token.
    #[graphql(
        complexity = "crate::graphql::connection::cost(__field, first, None, child_complexity)"
    )]
    async fn reminder_deliveries(
        &self,
        ctx: &Context<'_>,
        filter: Option<types::DeliveryFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, types::ReminderDelivery>> {
        let mine = auth::reading_for(ctx)?;
        let mut filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        if let Some(department) = mine {
            if filter
                .department_id
                .is_some_and(|asked| asked != department)
            {
                return Err(auth::forbidden(
                    "a department token reads only its own department's deliveries",
                ));
            }
            filter.department_id = Some(department);
        }
        types::delivery_connection(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                ..Default::default()
            },
        )
        .await
    }

    /// 延期申请, oldest first (by default the pending ones, which await a decision): all of
    /// them for administrators; for a department's token, its own and those about items it
    /// leads. At most 500.
    async fn deadline_change_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<types::DeadlineChangeRequestFilter>,
    ) -> Result<Vec<types::DeadlineChangeRequest>> {
        let mine = auth::reading_for(ctx)?;
        let mut filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        if let Some(department) = mine {
            if filter
                .department_id
                .is_some_and(|asked| asked != department)
            {
                return Err(auth::forbidden(
                    "a department token reads only its own department's requests",
                ));
            }
            filter.department_id = Some(department);
        }
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        Ok(
            domain::store::item::extension::list(db, &filter, MAX_REQUESTS)
                .await
                .map_err(to_graphql)?
                .into_iter()
                .map(types::DeadlineChangeRequest)
                .collect(),
        )
    }

    /// The audit trail, newest first (administrators only).
    #[graphql(
        complexity = "crate::graphql::connection::cost(__field, first, None, child_complexity)"
    )]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        filter: Option<types::AuditFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, types::AuditEvent>> {
        auth::require_reader(ctx)?;
        let filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        types::audit_connection(
            ctx,
            filter,
            PageArgs {
                first,
                after,
                ..Default::default()
            },
        )
        .await
    }
}
