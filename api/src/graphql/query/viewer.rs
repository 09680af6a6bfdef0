//! Who the request's token says the caller is, so that a front end can show a department its
//! own desk (and an administrator theirs) without decoding tokens itself.

use async_graphql::{Context, Enum, Object, Result};

use crate::graphql::{
    auth::Viewer,
    loaders::{DepartmentKey, load_one},
    types::Department,
};

/// What a caller may do, by the token it sent.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerRole {
    /// No token: reads the published lists.
    Anonymous,
    /// The administrator's token (督查室).
    Administrator,
    /// A department's token.
    Department,
}

/// The caller of this request.
pub struct ViewerInfo(Viewer);

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn role(&self) -> ViewerRole {
        match self.0 {
            Viewer::Anonymous => ViewerRole::Anonymous,
            Viewer::Admin => ViewerRole::Administrator,
            Viewer::Department(_) => ViewerRole::Department,
        }
    }

    /// The department a department's token acts for; null for other callers.
    async fn department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        match self.0 {
            Viewer::Department(id) => Ok(load_one(ctx, DepartmentKey(id)).await?.map(Department)),
            _ => Ok(None),
        }
    }
}

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller, as its token says (a token that is not valid is refused before this, with
    /// `UNAUTHENTICATED`).
    async fn viewer(&self, ctx: &Context<'_>) -> Result<ViewerInfo> {
        Ok(ViewerInfo(*ctx.data::<Viewer>()?))
    }
}
