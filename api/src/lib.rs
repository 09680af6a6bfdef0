//! minsheng's GraphQL API: build the router, bind, serve. `main.rs` only parses arguments.

pub mod graphql;
pub mod routes;
pub mod startup;

pub use startup::Application;
