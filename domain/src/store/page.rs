//! Keyset pagination shared by every connection: rows are ordered by a sort key and then by id,
//! a page starts strictly after (or ends strictly before) a position, and one extra row tells
//! whether more exist. No OFFSET, so pages stay stable while rows are inserted.

use sea_orm::{
    Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Order, QueryFilter,
    QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Value,
    sea_query::{Expr, ExprTrait, SimpleExpr},
};

use crate::{DomainError, model::Page};

/// A place in an ordering: the sort key of a row and its id (the tie-breaker).
#[derive(Clone, Debug, PartialEq)]
pub struct Position<K> {
    pub key: K,
    pub id: i64,
}

/// Which way a page is read: `first` reads forward from `after`, `last` backward from `before`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Forward,
    Backward,
}

/// One page of a connection, as the client asked for it.
#[derive(Clone, Debug)]
pub struct PageRequest<K> {
    pub after: Option<Position<K>>,
    pub before: Option<Position<K>>,
    pub limit: u64,
    pub direction: Direction,
}

impl<K> PageRequest<K> {
    /// The first `limit` rows.
    pub fn first(limit: u64) -> Self {
        Self {
            after: None,
            before: None,
            limit,
            direction: Direction::Forward,
        }
    }
}

/// How rows are ordered: `key` then `id`, both ascending unless `descending`.
pub(crate) struct SortSpec {
    pub key: SimpleExpr,
    pub id: SimpleExpr,
    pub descending: bool,
}

impl SortSpec {
    /// Rows strictly beyond `pos` in the reading order (`forward`) or strictly before it.
    fn beyond(&self, pos: (Value, i64), forward: bool) -> Condition {
        let (key, id) = pos;
        let greater = forward != self.descending;
        let (key_cmp, id_cmp) = if greater {
            (
                self.key.clone().gt(key.clone()),
                self.id.clone().gt(Expr::val(id)),
            )
        } else {
            (
                self.key.clone().lt(key.clone()),
                self.id.clone().lt(Expr::val(id)),
            )
        };
        Condition::any()
            .add(key_cmp)
            .add(Condition::all().add(self.key.clone().eq(key)).add(id_cmp))
    }
}

/// Fetches one page of `select` ordered by `spec`.
pub(crate) async fn fetch<E, C, K>(
    db: &C,
    select: Select<E>,
    spec: &SortSpec,
    request: &PageRequest<K>,
) -> Result<Page<E::Model>, DomainError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync,
    C: ConnectionTrait,
    K: Into<Value> + Clone,
{
    fetch_as(db, select, spec, request).await
}

/// As [`fetch`], each row read as `M`: for selects that name their own columns.
pub(crate) async fn fetch_as<M, E, C, K>(
    db: &C,
    select: Select<E>,
    spec: &SortSpec,
    request: &PageRequest<K>,
) -> Result<Page<M>, DomainError>
where
    M: FromQueryResult + Sized + Send + Sync,
    E: EntityTrait,
    C: ConnectionTrait,
    K: Into<Value> + Clone,
{
    fetch_with(db, select, spec, request, |row| {
        M::from_query_result(row, "")
    })
    .await
}

/// As [`fetch`], each row read by `decode`: for selects whose layout the caller chose.
pub(crate) async fn fetch_with<M, E, C, K>(
    db: &C,
    mut select: Select<E>,
    spec: &SortSpec,
    request: &PageRequest<K>,
    decode: impl Fn(&QueryResult) -> Result<M, DbErr>,
) -> Result<Page<M>, DomainError>
where
    E: EntityTrait,
    C: ConnectionTrait,
    K: Into<Value> + Clone,
{
    if let Some(after) = &request.after {
        select = select.filter(spec.beyond((after.key.clone().into(), after.id), true));
    }
    if let Some(before) = &request.before {
        select = select.filter(spec.beyond((before.key.clone().into(), before.id), false));
    }
    let backward = request.direction == Direction::Backward;
    let ascending = backward == spec.descending;
    let order = if ascending { Order::Asc } else { Order::Desc };
    let select = select
        .order_by(spec.key.clone(), order.clone())
        .order_by(spec.id.clone(), order)
        .limit(request.limit + 1);
    let mut rows = db
        .query_all(select.as_query())
        .await?
        .iter()
        .map(decode)
        .collect::<Result<Vec<M>, DbErr>>()?;
    let has_more = rows.len() as u64 > request.limit;
    rows.truncate(request.limit as usize);
    if backward {
        rows.reverse();
    }
    Ok(Page { rows, has_more })
}

/// One page of `select` ordered by its id column `id`, newest (largest id) first: the order of
/// logs such as the ledger, the audit trail and progress reports.
pub(crate) async fn newest_first<E, C, T>(
    db: &C,
    select: Select<E>,
    id: SimpleExpr,
    request: &PageRequest<i64>,
) -> Result<Page<T>, DomainError>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sized + Send + Sync + Into<T>,
    C: ConnectionTrait,
{
    let spec = SortSpec {
        key: id.clone(),
        id,
        descending: true,
    };
    let page = fetch(db, select, &spec, request).await?;
    Ok(Page {
        rows: page.rows.into_iter().map(Into::into).collect(),
        has_more: page.has_more,
    })
}
