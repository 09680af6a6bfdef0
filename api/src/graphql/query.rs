//! Root queries.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, Days, FixedOffset};
use domain::{
    DomainError,
    store::{self, stats},
};
use sea_orm::DatabaseConnection;

use super::{
    MAX_PAGE_SIZE, auth, clock,
    connection::PageArgs,
    error::{not_found, to_graphql},
    ids,
    loaders::{DepartmentKey, ItemKey, ListKey, load_one},
    types::{self, Node},
};

/// The longest look-ahead of `upcomingDeadlines`.
const MAX_WITHIN_DAYS: i32 = 366;

pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// Every published list, oldest first.
    async fn lists(&self, ctx: &Context<'_>) -> Result<Vec<types::ProjectList>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let lists = store::lists::all(db).await.map_err(to_graphql)?;
        Ok(lists.into_iter().map(types::ProjectList).collect())
    }

    /// One list; `NOT_FOUND` when there is none with this ID.
    async fn list(&self, ctx: &Context<'_>, id: ID) -> Result<Option<types::ProjectList>> {
        let pk = ids::decode(Kind::ProjectList, &id, "id").map_err(to_graphql)?;
        load_one(ctx, ListKey(pk))
            .await?
            .map(types::ProjectList)
            .ok_or_else(|| not_found(Kind::ProjectList, &id))
            .map(Some)
    }

    /// Items across lists, filtered and ordered (default: by number), as a Relay connection:
    /// `first`/`after` forward or `last`/`before` backward, 20 by default, at most 100.
    /// `now` sets the day urgency is judged on (default: now, in the configured time zone).
    #[graphql(
        complexity = "super::connection::item_cost(__field, first, last, filter.as_ref(), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn items(
        &self,
        ctx: &Context<'_>,
        filter: Option<types::ItemFilter>,
        order_by: Option<types::ItemOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        now: Option<DateTime<FixedOffset>>,
        #[graphql(desc = "Shorthand for `filter: {listId}`.")] list_id: Option<ID>,
    ) -> Result<Connection<String, types::Item, types::ItemCount>> {
        let mut filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        if let Some(id) = &list_id {
            filter.list_id =
                Some(ids::decode(Kind::ProjectList, id, "listId").map_err(to_graphql)?);
        }
        types::item_connection(
            ctx,
            filter,
            order_by.unwrap_or_default().into(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
            clock::today(ctx, now)?,
        )
        .await
    }

    /// One item; `NOT_FOUND` when there is none with this ID.
    async fn item(&self, ctx: &Context<'_>, id: ID) -> Result<Option<types::Item>> {
        let pk = ids::decode(Kind::Item, &id, "id").map_err(to_graphql)?;
        load_one(ctx, ItemKey(pk))
            .await?
            .map(types::Item)
            .ok_or_else(|| not_found(Kind::Item, &id))
            .map(Some)
    }

    /// Departments in the order they became known.
    #[graphql(complexity = "super::connection::cost(__field, first, last, child_complexity)")]
    async fn departments(
        &self,
        ctx: &Context<'_>,
        filter: Option<types::DepartmentFilter>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Connection<String, types::Department>> {
        let search =
            types::filters::search(filter.as_ref().and_then(|f| f.search.as_deref()), "filter")
                .map_err(to_graphql)?;
        types::department_connection(
            ctx,
            search.as_ref(),
            PageArgs {
                first,
                after,
                last,
                before,
            },
        )
        .await
    }

    /// One department; `NOT_FOUND` when there is none with this ID.
    async fn department(&self, ctx: &Context<'_>, id: ID) -> Result<Option<types::Department>> {
        let pk = ids::decode(Kind::Department, &id, "id").map_err(to_graphql)?;
        load_one(ctx, DepartmentKey(pk))
            .await?
            .map(types::Department)
            .ok_or_else(|| not_found(Kind::Department, &id))
            .map(Some)
    }

    /// Active due dates from today to `withinDays` ahead (default: the due-soon window) of items
    /// not yet done, earliest first.
    #[graphql(complexity = "super::connection::cost(__field, first, None, child_complexity)")]
    async fn upcoming_deadlines(
        &self,
        ctx: &Context<'_>,
        within_days: Option<i32>,
        now: Option<DateTime<FixedOffset>>,
        list_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, types::DueDate>> {
        let today = clock::today(ctx, now)?;
        let within = within_days.unwrap_or(today.rule.due_soon_days as i32);
        if !(0..=MAX_WITHIN_DAYS).contains(&within) {
            return Err(to_graphql(DomainError::validation(
                "withinDays",
                format!("must be between 0 and {MAX_WITHIN_DAYS}, got {within}"),
            )));
        }
        let list_id = list_id
            .as_ref()
            .map(|id| ids::decode(Kind::ProjectList, id, "listId"))
            .transpose()
            .map_err(to_graphql)?;
        let to = today
            .date
            .checked_add_days(Days::new(within as u64))
            .unwrap_or(today.date);
        types::upcoming_connection(
            ctx,
            list_id,
            today.date,
            to,
            PageArgs {
                first,
                after,
                ..Default::default()
            },
        )
        .await
    }

    /// The reminder ledger, newest first: all of it for administrators, a department's own
    /// rows for its token.
    #[graphql(complexity = "super::connection::cost(__field, first, None, child_complexity)")]
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
    #[graphql(complexity = "super::connection::cost(__field, first, None, child_complexity)")]
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

    /// Counts by status, by urgency, by lead department × urgency, and due dates per month, of
    /// one list or of all; urgency as of `now`.
    #[graphql(complexity = "super::connection::STATS_COST + child_complexity")]
    async fn stats(
        &self,
        ctx: &Context<'_>,
        list_id: Option<ID>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<types::Stats> {
        let db = ctx.data::<DatabaseConnection>()?;
        let list_id = list_id
            .as_ref()
            .map(|id| ids::decode(Kind::ProjectList, id, "listId"))
            .transpose()
            .map_err(to_graphql)?;
        let stats = stats::compute(db, list_id, clock::today(ctx, now)?)
            .await
            .map_err(to_graphql)?;
        Ok(stats.into())
    }

    /// Any object by its global ID; null when it does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Node>> {
        types::load_node(ctx, &id).await
    }

    /// Objects by global IDs, in the order asked (null where one does not exist); at most 100.
    #[graphql(complexity = "ids.len().max(1) * child_complexity + 1")]
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        if ids.len() > MAX_PAGE_SIZE as usize {
            return Err(to_graphql(DomainError::validation(
                "ids",
                format!("at most {MAX_PAGE_SIZE} ids, got {}", ids.len()),
            )));
        }
        // Joined, so that ids of one kind are loaded in one batch.
        futures_util::future::try_join_all(ids.iter().map(|id| types::load_node(ctx, id))).await
    }
}
