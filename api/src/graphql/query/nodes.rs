//! Any object by its global ID (Relay's `node` and `nodes`).

use async_graphql::{Context, ID, Object, Result};
use domain::DomainError;

use crate::graphql::{
    MAX_PAGE_SIZE,
    error::to_graphql,
    types::{self, Node},
};

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
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
