//! The department directory.

use async_graphql::{Context, ID, Object, Result, connection::Connection};

use crate::graphql::{
    connection::PageArgs,
    error::{not_found, to_graphql},
    ids::{self, Kind},
    loaders::{DepartmentKey, load_one},
    types,
};

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// Departments in the order they became known.
    #[graphql(
        complexity = "crate::graphql::connection::cost(__field, first, last, child_complexity)"
    )]
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
}
