//! `DueDate`: one dated deadline of an item, with its version history.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    model,
    store::{item, page::Position},
};
use sea_orm::DatabaseConnection;

use super::{DueKind, DuePrecision, Item};
use crate::graphql::{
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{ItemKey, load_one},
    scalars::Date,
};

#[derive(Clone)]
pub struct DueDate(pub model::DueDate);

// Fields resolve one after another (`serial`): most are plain reads, and the loads are
// prefetched by whatever listed the due date or batch across siblings, which still resolve
// concurrently. Racing each field in a `FuturesUnordered` cost about 5% of a page (issue 14).
/// A dated deadline of an item. A deadline change (延期) adds a version and deactivates the old.
#[Object(serial)]
impl DueDate {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::DueDate, self.0.id)
    }

    /// The last day of the period the text names (`2021年6月底` → 2021-06-30).
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }

    async fn precision(&self) -> DuePrecision {
        self.0.precision.into()
    }

    async fn kind(&self) -> DueKind {
        self.0.kind.into()
    }

    /// What the milestone is, as printed (e.g. 取得阶段性成效).
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    async fn version(&self) -> i32 {
        self.0.version
    }

    /// False once replaced by a newer version.
    async fn active(&self) -> bool {
        self.0.active
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn item(&self, ctx: &Context<'_>) -> Result<Item> {
        load_one(ctx, ItemKey(self.0.item_id))
            .await?
            .map(Item)
            .ok_or_else(|| "the due date's item is gone".into())
    }
}

/// Due dates from `from` to `to` of items not done, by date.
pub async fn upcoming_connection(
    ctx: &Context<'_>,
    list_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    args: PageArgs,
) -> Result<Connection<String, DueDate>> {
    const KIND: &str = "due";
    let db = ctx.data::<DatabaseConnection>()?;
    let request = args
        .request(|c, field| {
            let (text, id) = ids::decode_cursor(KIND, c, field)?;
            let key = NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                domain::DomainError::validation(field, "not a cursor from this field")
            })?;
            Ok(Position { key, id })
        })
        .map_err(to_graphql)?;
    let page = item::due_dates::upcoming(db, list_id, from, to, &request)
        .await
        .map_err(to_graphql)?;
    Ok(connection::build(
        &request,
        page,
        |d| ids::cursor(KIND, &d.due_on.format("%Y-%m-%d").to_string(), d.id),
        DueDate,
        async_graphql::connection::EmptyFields,
    ))
}
