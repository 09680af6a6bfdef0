//! `Department`: a department (部门) under its canonical name.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    DomainError, model,
    store::{department, item::RoleFilter, page::Position},
};
use sea_orm::DatabaseConnection;

use super::{Contact, Item, ItemFilter, ItemOrder, item::ItemCount, item_connection};
use crate::graphql::{
    auth, clock,
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{AliasesOf, ContactsOf, load_group, prefetch},
};

#[derive(Clone)]
pub struct Department(pub model::Department);

// Fields resolve one after another (`serial`): most are plain reads, and the loads are
// prefetched by whatever listed the department or batch across siblings, which still resolve
// concurrently. Racing each field in a `FuturesUnordered` cost about 5% of a page (issue 14).
/// A department (部门), under its canonical name; variants seen in lists are its aliases.
#[Object(serial)]
impl Department {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Department, self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Other names the lists use for this department.
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let aliases = load_group(ctx, AliasesOf(self.0.id)).await?;
        Ok(aliases.iter().map(|(_, alias)| alias.clone()).collect())
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Items this department leads (牵头); the same filters as the root `items`.
    #[graphql(
        complexity = "crate::graphql::connection::item_cost(__field, first, last, filter.as_ref(), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn lead_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ItemFilter>,
        order_by: Option<ItemOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Connection<String, Item, ItemCount>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        self.items(ctx, RoleFilter::Lead, filter, order_by, args, now)
            .await
    }

    /// Items this department cooperates on (配合); the same filters as the root `items`.
    #[graphql(
        complexity = "crate::graphql::connection::item_cost(__field, first, last, filter.as_ref(), child_complexity)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn cooperating_items(
        &self,
        ctx: &Context<'_>,
        filter: Option<ItemFilter>,
        order_by: Option<ItemOrder>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Connection<String, Item, ItemCount>> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        self.items(ctx, RoleFilter::Cooperating, filter, order_by, args, now)
            .await
    }

    /// The tokens issued to this department, newest first (administrators only).
    async fn tokens(&self, ctx: &Context<'_>) -> Result<Vec<super::DepartmentToken>> {
        auth::require_reader(ctx)?;
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        Ok(
            domain::store::department::tokens::of_department(db, self.0.id)
                .await
                .map_err(to_graphql)?
                .into_iter()
                .map(super::DepartmentToken)
                .collect(),
        )
    }

    /// Who receives this department's reminders (administrators and the department's own token
    /// only: addresses are not public).
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        auth::require_reader_or(ctx, self.0.id)?;
        let contacts = load_group(ctx, ContactsOf(self.0.id)).await?;
        Ok(contacts.iter().cloned().map(Contact).collect())
    }
}

impl Department {
    async fn items(
        &self,
        ctx: &Context<'_>,
        role: RoleFilter,
        filter: Option<ItemFilter>,
        order_by: Option<ItemOrder>,
        args: PageArgs,
        now: Option<DateTime<FixedOffset>>,
    ) -> Result<Connection<String, Item, ItemCount>> {
        let mut filter = filter
            .unwrap_or_default()
            .to_domain("filter")
            .map_err(to_graphql)?;
        filter.department = Some((self.0.id, role));
        item_connection(
            ctx,
            filter,
            order_by.unwrap_or_default().into(),
            args,
            clock::today(ctx, now)?,
        )
        .await
    }
}

/// Departments in the order they became known.
pub async fn department_connection(
    ctx: &Context<'_>,
    search: Option<&domain::search::SearchText>,
    args: PageArgs,
) -> Result<Connection<String, Department>> {
    const KIND: &str = "departments";
    let db = ctx.data::<DatabaseConnection>()?;
    let request = args
        .request(|c, field| id_position(KIND, c, field))
        .map_err(to_graphql)?;
    let page = department::directory::page(db, search, &request)
        .await
        .map_err(to_graphql)?;
    let aliases = page.rows.iter().map(|d| AliasesOf(d.id)).collect();
    prefetch(ctx, &["aliases"], aliases).await?;
    Ok(connection::build(
        &request,
        page,
        |d| ids::cursor(KIND, &d.id.to_string(), d.id),
        Department,
        async_graphql::connection::EmptyFields,
    ))
}

/// The position in a connection ordered by id alone.
pub fn id_position(kind: &str, cursor: &str, field: &str) -> Result<Position<i64>, DomainError> {
    let (_, id) = ids::decode_cursor(kind, cursor, field)?;
    Ok(Position { key: id, id })
}
