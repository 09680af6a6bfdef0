//! `POST /graphql`.

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;

use crate::{graphql::error::ensure_codes, startup::AppState};

pub async fn execute(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    ensure_codes(state.schema.execute(request.into_inner()).await).into()
}
