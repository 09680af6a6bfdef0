//! minsheng's GraphQL API: build the router, bind, serve. `main.rs` only parses arguments.

pub mod commands;
pub mod graphql;
pub mod metrics;
pub mod routes;
pub mod sample;
pub mod server;
pub mod single_sign_on;
pub mod startup;

pub use startup::{Application, StartOptions};
