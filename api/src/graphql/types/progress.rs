//! `ProgressReport`: what a department or an administrator reported about an item (进展).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, Utc};
use domain::{model, store::item::progress};
use sea_orm::DatabaseConnection;

use super::{Department, Item, department::id_position};
use crate::graphql::{
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{DepartmentKey, ItemKey, load_one},
};

#[derive(Clone)]
pub struct ProgressReport(pub model::ProgressReport);

/// A progress report on an item: a note and how far the work is, by whom and when.
#[Object]
impl ProgressReport {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ProgressReport, self.0.id)
    }

    async fn note(&self) -> &str {
        &self.0.note
    }

    /// How far the work is, 0 to 100.
    async fn percent(&self) -> i32 {
        self.0.percent
    }

    /// Read from the list's text when it was imported (a bulletin's 实际完成情况, as of the
    /// import), not reported by anyone through the graph. Its `percent` is the item's latest one
    /// carried over: a bulletin prints none.
    async fn from_list(&self) -> bool {
        self.0.author == progress::IMPORTED_AUTHOR
    }

    /// The department that reported; null when an administrator did, or when the report was
    /// read from the list (`fromList`).
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        match self.0.department_id {
            Some(id) => Ok(load_one(ctx, DepartmentKey(id)).await?.map(Department)),
            None => Ok(None),
        }
    }

    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.reported_at
    }

    async fn item(&self, ctx: &Context<'_>) -> Result<Item> {
        load_one(ctx, ItemKey(self.0.item_id))
            .await?
            .map(Item)
            .ok_or_else(|| "the report's item is gone".into())
    }
}

/// An item's reports, newest first.
pub async fn progress_connection(
    ctx: &Context<'_>,
    item_id: i64,
    args: PageArgs,
) -> Result<Connection<String, ProgressReport>> {
    const KIND: &str = "progress";
    let db = ctx.data::<DatabaseConnection>()?;
    let request = args
        .request(|c, field| id_position(KIND, c, field))
        .map_err(to_graphql)?;
    let page = progress::page(db, item_id, &request)
        .await
        .map_err(to_graphql)?;
    Ok(connection::build(
        &request,
        page,
        |p| ids::cursor(KIND, &p.id.to_string(), p.id),
        ProgressReport,
        async_graphql::connection::EmptyFields,
    ))
}
