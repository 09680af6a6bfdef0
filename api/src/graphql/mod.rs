//! The GraphQL schema: types mapped from domain models, resolvers calling `domain::store`.

pub mod auth;
pub mod budget;
pub mod clock;
pub mod connection;
pub mod documents;
pub mod error;
pub mod events;
pub mod ids;
pub mod introspection;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod parsed;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use std::sync::Arc;

use async_graphql::{SDLExportOptions, Schema, SchemaBuilder};
use domain::Settings;
use sea_orm::DatabaseConnection;

pub type AppSchema =
    Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Default and largest page sizes of every connection.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
pub const MAX_PAGE_SIZE: i32 = 100;

fn builder()
-> SchemaBuilder<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot> {
    Schema::build(
        query::QueryRoot::default(),
        mutation::MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    // Every object type, even those only reachable through `node`, is part of the schema.
    .register_output_type::<types::Node>()
}

/// The schema with its limits from `settings.graph`. Request-scoped data (viewer, clock,
/// loaders) is added per request by the route.
pub fn build_schema(
    db: DatabaseConnection,
    settings: &Settings,
    department_names: domain::department::suggestions::NameForms,
) -> AppSchema {
    let graph = &settings.graph;
    let mut schema = builder()
        .data(events::ItemEvents::new(&db, &settings.database_url))
        .data(events::Revocations::new(&db, &settings.database_url))
        .data(db)
        .data(Arc::new(settings.clone()))
        .data(Arc::new(department_names))
        // Depth is limited by the route (`limits`), which leaves introspection out of it.
        .limit_complexity(graph.complexity_limit)
        // Bounds nesting in the parser too (deep fragment or list nesting).
        .limit_recursive_depth(64)
        .limit_directives(20);
    if !graph.introspection {
        schema = schema.disable_introspection();
    }
    schema.finish()
}

/// The SDL of the schema, as `api schema` prints it: what introspection answers, including
/// scalars' `@specifiedBy` and the schema's description.
pub fn sdl() -> String {
    let sdl = builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().include_specified_by());
    sdl.replacen(
        "\nschema {",
        &format!(
            "\n\"\"\"\n{}\n\"\"\"\nschema {{",
            introspection::SCHEMA_DESCRIPTION
        ),
        1,
    )
}
