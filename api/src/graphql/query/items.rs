//! Items, one or a filtered page, and the deadlines coming up.

use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, Days, FixedOffset};
use std::sync::Arc;

use domain::{DomainError, store::item};
use sea_orm::DatabaseConnection;

use crate::graphql::{
    clock,
    connection::PageArgs,
    error::{not_found, to_graphql},
    ids::{self, Kind},
    loaders::{ActiveDueDatesOf, AssignmentsOf, ItemKey, Loaders},
    types,
};

/// The longest look-ahead of `upcomingDeadlines`.
const MAX_WITHIN_DAYS: i32 = 366;

#[derive(Default)]
pub struct ItemQuery;

#[Object]
impl ItemQuery {
    /// Items across lists, filtered and ordered (default: by number), as a Relay connection:
    /// `first`/`after` forward or `last`/`before` backward, 20 by default, at most 100.
    /// `now` sets the day urgency is judged on (default: now, in the configured time zone).
    #[graphql(
        complexity = "crate::graphql::connection::item_cost(__field, first, last, filter.as_ref(), child_complexity)"
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
        let look = ctx.look_ahead();
        let asks = |fields: &[&str]| fields.iter().any(|f| look.field(f).exists());
        let relations = item::detail::Relations {
            assignments: asks(&["leadDepartments", "cooperatingDepartments"]),
            due_dates: asks(&["dueDates", "nextDueDate"]),
        };
        // The id names the item, so the relations its selection asks for come with its row,
        // in one statement run by this task; the fields (resolved one after another) then read
        // them from the request's cache.
        let detail = item::detail::with_relations(ctx.data::<DatabaseConnection>()?, pk, relations)
            .await
            .map_err(to_graphql)?
            .ok_or_else(|| not_found(Kind::Item, &id))?;
        let loaders = ctx.data::<Loaders>()?;
        if let Some(assignments) = detail.assignments {
            loaders
                .feed_one(AssignmentsOf(pk), Arc::new(assignments))
                .await;
        }
        if let Some(due_dates) = detail.due_dates {
            loaders
                .feed_one(ActiveDueDatesOf(pk), Arc::new(due_dates))
                .await;
        }
        loaders.feed_one(ItemKey(pk), detail.item.clone()).await;
        Ok(Some(types::Item(detail.item)))
    }

    /// Active due dates from today to `withinDays` ahead (default: the due-soon window) of items
    /// not yet done, earliest first.
    #[graphql(
        complexity = "crate::graphql::connection::cost(__field, first, None, child_complexity)"
    )]
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
}
