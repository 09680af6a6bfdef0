//! Lists and their statistics.

use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, FixedOffset};
use domain::store::{self, stats};
use sea_orm::DatabaseConnection;

use crate::graphql::{
    clock,
    error::{not_found, to_graphql},
    ids::{self, Kind},
    loaders::{ListKey, load_one},
    types,
};

#[derive(Default)]
pub struct ListQuery;

#[Object]
impl ListQuery {
    /// The published lists in use, oldest first; `includeArchived: true` adds the archived
    /// ones (归档: no reminders, kept for the record).
    async fn lists(
        &self,
        ctx: &Context<'_>,
        include_archived: Option<bool>,
    ) -> Result<Vec<types::ProjectList>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let lists = store::lists::all(db, include_archived.unwrap_or(false))
            .await
            .map_err(to_graphql)?;
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

    /// Counts by status, by urgency, by lead department × urgency, and due dates per month, of
    /// one list or of all; urgency as of `now`.
    #[graphql(complexity = "crate::graphql::connection::STATS_COST + child_complexity")]
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
}
