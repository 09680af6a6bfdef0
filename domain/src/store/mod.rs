//! Database services shared by the api and the worker.

pub mod items;
pub mod lists;
