//! Department tokens: issued and revoked by administrators.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use domain::store::department;
use sea_orm::DatabaseConnection;

use super::{admin_change, id_arg};
use crate::graphql::{
    error::to_graphql,
    events::{Revocations, Revoked},
    types::DepartmentToken,
};

#[derive(Default)]
pub struct TokenMutation;

/// A new token. `token` is the secret: it is shown here once and stored nowhere.
#[derive(SimpleObject)]
pub struct IssuedDepartmentToken {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub department_token: DepartmentToken,
}

#[Object]
impl TokenMutation {
    /// Issues a token that acts for the department: it may report progress and change the
    /// deadline of the department's items, and read the department's contacts and deliveries.
    async fn issue_department_token(
        &self,
        ctx: &Context<'_>,
        department_id: ID,
    ) -> Result<IssuedDepartmentToken> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Department, &department_id, "departmentId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let issued = department::tokens::issue(db, id, &change)
            .await
            .map_err(to_graphql)?;
        Ok(IssuedDepartmentToken {
            token: issued.secret,
            department_token: DepartmentToken(issued.token),
        })
    }

    /// Revokes a token: from the next request on it authenticates nobody, and the WebSockets
    /// it opened close (code 4403), on every replica.
    async fn revoke_department_token(
        &self,
        ctx: &Context<'_>,
        token_id: ID,
    ) -> Result<DepartmentToken> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::DepartmentToken, &token_id, "tokenId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let token = department::tokens::revoke(db, id, &change)
            .await
            .map_err(to_graphql)?;
        if let Ok(revocations) = ctx.data::<Revocations>() {
            revocations
                .publish(Revoked::Token { token_id: token.id })
                .await;
        }
        Ok(DepartmentToken(token))
    }
}
