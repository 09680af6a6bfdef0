//! HTTP handlers.

pub mod ack;
pub mod auth;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod metrics;
pub mod rest;
pub mod session;
pub mod single_sign_on;
pub mod subscriptions;
pub mod web;
