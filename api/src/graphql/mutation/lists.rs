//! Lists: corrected (title, issuer, year, batch) and put away (归档) or back, by the office.
//! Each is audited; an archived list leaves `lists` and gets no reminders.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use domain::store::lists::{self, ListChanges};
use sea_orm::DatabaseConnection;

use super::{admin_change, id_arg};
use crate::graphql::{error::to_graphql, ids::Kind, types::ProjectList};

#[derive(Default)]
pub struct ListMutation;

/// What changes on a list; a field left out stays as it is, `null` clears an optional one.
#[derive(InputObject, Default)]
pub struct UpdateListInput {
    /// The title as it should read (at most 200 characters).
    pub title: Option<String>,
    /// Who published the list (某某市人民政府).
    pub issuer: MaybeUndefined<String>,
    pub year: MaybeUndefined<i32>,
    /// 第一批, 第二批, …
    pub batch_label: MaybeUndefined<String>,
}

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[Object]
impl ListMutation {
    /// Corrects a list's title, issuer, year or batch (the office). `VALIDATION` names the
    /// field (`input.title`).
    async fn update_list(
        &self,
        ctx: &Context<'_>,
        list_id: ID,
        input: UpdateListInput,
    ) -> Result<ProjectList> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::ProjectList, &list_id, "listId")?;
        let changes = ListChanges {
            title: input.title,
            issuer: maybe(input.issuer),
            year: maybe(input.year),
            batch_label: maybe(input.batch_label),
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let list = lists::update(db, id, changes, &change)
            .await
            .map_err(to_graphql)?;
        Ok(ProjectList(list))
    }

    /// Puts a list away (归档): it leaves `lists` (and the pages' selectors), its items get no
    /// reminders and no bulletin, and every record stays. `CONFLICT` when it already is.
    async fn archive_list(&self, ctx: &Context<'_>, list_id: ID) -> Result<ProjectList> {
        self.set_archived(ctx, list_id, true).await
    }

    /// Brings an archived list back into use.
    async fn unarchive_list(&self, ctx: &Context<'_>, list_id: ID) -> Result<ProjectList> {
        self.set_archived(ctx, list_id, false).await
    }
}

impl ListMutation {
    async fn set_archived(
        &self,
        ctx: &Context<'_>,
        list_id: ID,
        archived: bool,
    ) -> Result<ProjectList> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::ProjectList, &list_id, "listId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let list = lists::set_archived(db, id, archived, &change)
            .await
            .map_err(to_graphql)?;
        Ok(ProjectList(list))
    }
}
