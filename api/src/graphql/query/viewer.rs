//! Who the request's credential says the caller is, so that a front end can show a department
//! its own desk (and the office theirs) without decoding tokens itself; and, for
//! administrators, every account.

use async_graphql::{Context, Enum, Object, Result};
use domain::store::account;
use sea_orm::DatabaseConnection;

use crate::graphql::{
    auth::{self, Viewer},
    error::to_graphql,
    loaders::{DepartmentKey, load_one},
    types::{Account, Department},
};

/// What a caller may do, by the credential it sent.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerRole {
    /// No credential: reads the published lists.
    Anonymous,
    /// The office (督查室): the break-glass token, or a 管理员 or 督查员 account.
    Administrator,
    /// A department: its token, or a 联络员 account.
    Department,
    /// A 领导 account: reads everything, decides nothing.
    Leader,
}

/// The caller of this request.
pub struct ViewerInfo(Viewer);

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn role(&self) -> ViewerRole {
        match &self.0 {
            v if v.does_office_work() => ViewerRole::Administrator,
            v if v.department().is_some() => ViewerRole::Department,
            Viewer::Person(_) => ViewerRole::Leader,
            _ => ViewerRole::Anonymous,
        }
    }

    /// The department the caller acts for (a department's token, a liaison); null otherwise.
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        match self.0.department() {
            Some(id) => Ok(load_one(ctx, DepartmentKey(id)).await?.map(Department)),
            None => Ok(None),
        }
    }

    /// The signed-in person's account; null for tokens and anonymous callers.
    async fn account(&self, ctx: &Context<'_>) -> Result<Option<Account>> {
        let Viewer::Person(person) = &self.0 else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(account::find(db, person.account_id)
            .await
            .map_err(to_graphql)?
            .map(Account))
    }

    /// Whether the caller may manage accounts (管理员, the break-glass token).
    async fn manages_accounts(&self) -> bool {
        self.0.manages_accounts()
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller, as its credential says (one that is not valid is refused before this, with
    /// `UNAUTHENTICATED`).
    async fn viewer(&self, ctx: &Context<'_>) -> Result<ViewerInfo> {
        Ok(ViewerInfo(ctx.data::<Viewer>()?.clone()))
    }

    /// Every account, by login (administrators).
    async fn accounts(&self, ctx: &Context<'_>) -> Result<Vec<Account>> {
        auth::require_account_admin(ctx)?;
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(account::all(db)
            .await
            .map_err(to_graphql)?
            .into_iter()
            .map(Account)
            .collect())
    }
}
