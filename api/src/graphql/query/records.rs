//! What the office keeps about its own work: the reminder ledger and the audit trail.

use async_graphql::{Context, Object, Result, connection::Connection};

use crate::graphql::{auth, connection::PageArgs, error::to_graphql, types};

#[derive(Default)]
pub struct RecordQuery;

#[Object]
impl RecordQuery {
    /// The reminder ledger, newest first: all of it for administrators, a department's own
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
        let mine = auth::acting_for(ctx)?;
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
        auth::require_admin(ctx)?;
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
