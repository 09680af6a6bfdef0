//! Batched loading of relations: every key type below turns N lookups made while resolving one
//! level of a query into one statement. One loader per request (its cache must not outlive the
//! request), with no batching delay: async-graphql's default 1 ms delay caps nested throughput
//! (async-graphql issue #1306).
//!
//! Without a delay, a batch holds the keys requested before the fetch task runs, and
//! async-graphql resolves lists of more than 30 elements through `FuturesOrdered`, which yields
//! part-way: a page of 100 would load in several batches. So connections also prefetch what
//! their selection asks for ([`prefetch`]), with every key of the page in one call, and the
//! per-node lookups are then answered from the request's cache.

use std::{collections::HashMap, hash::Hash, sync::Arc, time::Duration};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use domain::{
    DomainError,
    model::{self, Assignment},
    store::{delivery, department, item, lists},
};
use sea_orm::DatabaseConnection;

pub type Loaders = DataLoader<DbLoader, HashMapCache>;

pub fn for_request(db: DatabaseConnection) -> Loaders {
    // Fetches run in tasks of their own, which carry the request's statement budget.
    DataLoader::with_cache(
        DbLoader { db },
        super::budget::spawn,
        HashMapCache::default(),
    )
    .delay(Duration::ZERO)
}

pub struct DbLoader {
    db: DatabaseConnection,
}

macro_rules! key {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $name(pub i64);
    )*};
}

key!(
    /// A list by id.
    ListKey,
    /// An item by id.
    ItemKey,
    /// A due date by id.
    DueDateKey,
    /// A department by id.
    DepartmentKey,
    /// A contact by id.
    ContactKey,
    /// The active due dates of an item.
    ActiveDueDatesOf,
    /// Every due-date version of an item.
    DueDateHistoryOf,
    /// The department assignments of an item.
    AssignmentsOf,
    /// The aliases of a department.
    AliasesOf,
    /// The contacts of a department.
    ContactsOf,
    /// The reminder delivery rows of an item.
    DeliveriesOf,
);

type Shared = Arc<DomainError>;

fn ids<K: Copy>(keys: &[K], id: impl Fn(K) -> i64) -> Vec<i64> {
    keys.iter().map(|k| id(*k)).collect()
}

/// Groups `rows` by `key`, with an empty group for every requested key that has none. Groups
/// are shared (`Arc`): every lookup answered from the cache clones a pointer, not the rows.
fn grouped<K: Eq + Hash + Copy, T>(
    keys: &[K],
    rows: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> HashMap<K, Group<T>> {
    let mut map: HashMap<K, Vec<T>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect()
}

/// The rows of one group (the due dates of one item, …).
pub type Group<T> = Arc<Vec<T>>;

macro_rules! by_id {
    ($key:ident, $value:ty, $fetch:path) => {
        impl Loader<$key> for DbLoader {
            type Value = $value;
            type Error = Shared;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, Shared> {
                let rows = $fetch(&self.db, &ids(keys, |k| k.0)).await?;
                Ok(rows.into_iter().map(|r| ($key(r.id), r)).collect())
            }
        }
    };
}

by_id!(ListKey, model::ProjectList, lists::by_ids);
by_id!(ItemKey, model::Item, item::by_ids);
by_id!(DueDateKey, model::DueDate, item::due_dates::by_ids);
by_id!(
    DepartmentKey,
    model::Department,
    department::directory::by_ids
);
by_id!(
    ContactKey,
    model::Contact,
    department::directory::contacts_by_ids
);

impl Loader<ActiveDueDatesOf> for DbLoader {
    type Value = Group<model::DueDate>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[ActiveDueDatesOf],
    ) -> Result<HashMap<ActiveDueDatesOf, Self::Value>, Shared> {
        let rows = item::due_dates::for_items(&self.db, &ids(keys, |k| k.0), false).await?;
        Ok(grouped(keys, rows, |d| ActiveDueDatesOf(d.item_id)))
    }
}

impl Loader<DueDateHistoryOf> for DbLoader {
    type Value = Group<model::DueDate>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[DueDateHistoryOf],
    ) -> Result<HashMap<DueDateHistoryOf, Self::Value>, Shared> {
        let rows = item::due_dates::for_items(&self.db, &ids(keys, |k| k.0), true).await?;
        Ok(grouped(keys, rows, |d| DueDateHistoryOf(d.item_id)))
    }
}

impl Loader<AssignmentsOf> for DbLoader {
    type Value = Group<Assignment>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[AssignmentsOf],
    ) -> Result<HashMap<AssignmentsOf, Self::Value>, Shared> {
        let rows =
            department::directory::assignments_for_items(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(grouped(keys, rows, |a| AssignmentsOf(a.item_id)))
    }
}

impl Loader<AliasesOf> for DbLoader {
    type Value = Group<(i64, String)>;
    type Error = Shared;

    async fn load(&self, keys: &[AliasesOf]) -> Result<HashMap<AliasesOf, Self::Value>, Shared> {
        let rows = department::directory::aliases_for(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(grouped(keys, rows, |(department_id, _)| {
            AliasesOf(*department_id)
        }))
    }
}

impl Loader<ContactsOf> for DbLoader {
    type Value = Group<model::Contact>;
    type Error = Shared;

    async fn load(&self, keys: &[ContactsOf]) -> Result<HashMap<ContactsOf, Self::Value>, Shared> {
        let rows = department::directory::contacts_for(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(grouped(keys, rows, |c| ContactsOf(c.department_id)))
    }
}

impl Loader<DeliveriesOf> for DbLoader {
    type Value = Group<(i64, model::ReminderDelivery)>;
    type Error = Shared;

    async fn load(
        &self,
        keys: &[DeliveriesOf],
    ) -> Result<HashMap<DeliveriesOf, Self::Value>, Shared> {
        let rows = delivery::for_items(&self.db, &ids(keys, |k| k.0)).await?;
        Ok(grouped(keys, rows, |(item_id, _)| DeliveriesOf(*item_id)))
    }
}

/// Loads one value through the request's loader, mapping a failure once.
pub async fn load_one<K>(
    ctx: &async_graphql::Context<'_>,
    key: K,
) -> async_graphql::Result<Option<<DbLoader as Loader<K>>::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = Shared>,
{
    ctx.data::<Loaders>()?
        .load_one(key)
        .await
        .map_err(|e| super::error::describe(&e))
}

/// Loads a group (the due dates of an item, …): an empty group when there is none.
pub async fn load_group<K, T>(
    ctx: &async_graphql::Context<'_>,
    key: K,
) -> async_graphql::Result<Group<T>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = Shared, Value = Group<T>>,
    T: Send + Sync + 'static,
{
    Ok(load_one(ctx, key).await?.unwrap_or_default())
}

/// Loads `keys` in one batch when the selection below the current connection asks for any of
/// `fields` on its nodes, so that the nodes find them in the request's cache.
pub async fn prefetch<K>(
    ctx: &async_graphql::Context<'_>,
    fields: &[&str],
    keys: Vec<K>,
) -> async_graphql::Result<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = Shared>,
{
    load_if(ctx, super::connection::nodes_ask_for(ctx, fields), keys).await
}

/// Loads `keys` in one batch into the request's cache when `asked`.
pub async fn load_if<K>(
    ctx: &async_graphql::Context<'_>,
    asked: bool,
    keys: Vec<K>,
) -> async_graphql::Result<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = Shared>,
{
    if asked && !keys.is_empty() {
        ctx.data::<Loaders>()?
            .load_many(keys)
            .await
            .map_err(|e| super::error::describe(&e))?;
    }
    Ok(())
}
