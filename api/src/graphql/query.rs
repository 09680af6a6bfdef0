//! Root queries.

use async_graphql::{
    Context, ID, Object, Result,
    connection::{Connection, Edge},
};
use domain::{
    DomainError,
    store::{self, items::ItemPageQuery},
};
use sea_orm::DatabaseConnection;

use super::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, error::to_graphql, ids, types};

pub struct QueryRoot;

#[Object(name = "Query")]
impl QueryRoot {
    /// Every published list, oldest first.
    async fn lists(&self, ctx: &Context<'_>) -> Result<Vec<types::ProjectList>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let lists = store::lists::all(db).await.map_err(to_graphql)?;
        Ok(lists.into_iter().map(Into::into).collect())
    }

    /// Items in list order, as a Relay connection (`first` defaults to 20, at most 100).
    async fn items(
        &self,
        ctx: &Context<'_>,
        list_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, types::Item>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let query = ItemPageQuery {
            list_id: list_id
                .as_ref()
                .map(|id| ids::decode("ProjectList", id, "listId"))
                .transpose()
                .map_err(to_graphql)?,
            after_id: after
                .as_deref()
                .map(|c| ids::decode_cursor(c, "after"))
                .transpose()
                .map_err(to_graphql)?,
            limit: page_size(first, "first").map_err(to_graphql)?,
        };
        let page = store::items::page(db, &query).await.map_err(to_graphql)?;
        let mut connection = Connection::new(query.after_id.is_some(), page.has_more);
        connection.edges.extend(
            page.rows
                .into_iter()
                .map(|item| Edge::new(ids::cursor(item.id), types::Item::from(item))),
        );
        Ok(connection)
    }
}

/// A page size within 1..=100, defaulting to 20.
fn page_size(requested: Option<i32>, field: &str) -> Result<u64, DomainError> {
    let size = requested.unwrap_or(DEFAULT_PAGE_SIZE);
    if (1..=MAX_PAGE_SIZE).contains(&size) {
        Ok(size as u64)
    } else {
        Err(DomainError::validation(
            field,
            format!("must be between 1 and {MAX_PAGE_SIZE}, got {size}"),
        ))
    }
}
