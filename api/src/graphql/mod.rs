//! The GraphQL schema: types mapped from domain models, resolvers calling `domain::store`.

pub mod error;
pub mod ids;
pub mod query;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use domain::Settings;
use sea_orm::DatabaseConnection;

pub type AppSchema = Schema<query::QueryRoot, EmptyMutation, EmptySubscription>;

/// Default and largest page sizes of every connection.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

pub fn build_schema(db: DatabaseConnection, settings: &Settings) -> AppSchema {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .data(db)
        .data(settings.clone())
        .limit_depth(10)
        .limit_complexity(1000)
        .finish()
}

/// The SDL of the schema, as `api schema` prints it.
pub fn sdl() -> String {
    Schema::build(query::QueryRoot, EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
