//! `ProjectList`: a published list (重点民生项目清单).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, FixedOffset, Utc};
use domain::model;

use super::{ItemFilter, ItemOrder, item::ItemCount, item_connection};
use crate::graphql::{clock, connection::PageArgs, error::to_graphql, ids};

#[derive(Clone)]
pub struct ProjectList(pub model::ProjectList);

/// A published list of key livelihood projects (重点民生项目清单).
#[Object]
impl ProjectList {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ProjectList, self.0.id)
    }

    /// The title as printed.
    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn issuer(&self) -> Option<&str> {
        self.0.issuer.as_deref()
    }

    async fn year(&self) -> Option<i32> {
        self.0.year
    }

    /// 第一批, 第二批, … when the title names a batch.
    async fn batch_label(&self) -> Option<&str> {
        self.0.batch_label.as_deref()
    }

    async fn imported_at(&self) -> DateTime<Utc> {
        self.0.imported_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When the list was put away (归档); null while in use. An archived list gets no
    /// reminders and leaves `lists` unless asked for.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }

    /// The list's items; the same filters as the root `items` (its `listId` is this list).
    #[graphql(
        complexity = "crate::graphql::connection::item_cost(__field, first, last, filter.as_ref(), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ItemFilter>,
        order_by: Option<ItemOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Connection<String, crate::graphql::types::Item, ItemCount>> {
        let mut filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        filter.list_id = Some(self.0.id);
        item_connection(
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
}
