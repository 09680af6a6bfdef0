//! The department directory.

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result, SimpleObject, connection::Connection};
use domain::department::suggestions::NameForms;
use sea_orm::DatabaseConnection;

use crate::graphql::{
    connection::PageArgs,
    error::{not_found, to_graphql},
    ids::{self, Kind},
    loaders::{DepartmentKey, load_one},
    types,
};

#[derive(Default)]
pub struct DirectoryQuery;

/// A department that is probably another one, spelt differently (`市卫健委` / `市卫生健康委`).
/// Nothing is merged: accept it with `mergeDepartments` (or `api alias add`), or ignore it.
#[derive(SimpleObject)]
pub struct DepartmentSuggestion {
    /// The newer department.
    pub department: types::Department,
    pub name: String,
    /// The older department it is probably the same as.
    pub probably_department: types::Department,
    pub probably: String,
    /// Why, in words: the rule and what it matched.
    pub reason: String,
    /// The rule: `abbreviation`, `dropped_he`, `second_name`, `missing_wei` or `confusable`.
    pub rule: String,
}

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

    /// Probable duplicates among the departments, by rules that explain themselves (common
    /// abbreviations of government names, a dropped 和, a second name in parentheses, a missing
    /// 委 in 市委…部, a commonly mistyped character). For administrators.
    async fn department_suggestions(&self, ctx: &Context<'_>) -> Result<Vec<DepartmentSuggestion>> {
        crate::graphql::auth::require_reader(ctx)?;
        let db = ctx.data::<DatabaseConnection>()?;
        let forms = ctx.data::<Arc<NameForms>>()?;
        let found = domain::store::department::suggestions::among_departments(db, forms)
            .await
            .map_err(to_graphql)?;
        let mut out = Vec::with_capacity(found.len());
        for s in found {
            let (Some(department), Some(probably_department)) = (
                load_one(ctx, DepartmentKey(s.department_id)).await?,
                load_one(ctx, DepartmentKey(s.probably_id)).await?,
            ) else {
                continue;
            };
            out.push(DepartmentSuggestion {
                department: types::Department(department),
                name: s.name,
                probably_department: types::Department(probably_department),
                probably: s.probably,
                reason: s.reason.to_string(),
                rule: serde_json::to_value(&s.reason)
                    .ok()
                    .and_then(|r| r.get("rule").and_then(|v| v.as_str()).map(str::to_owned))
                    .unwrap_or_default(),
            });
        }
        Ok(out)
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
