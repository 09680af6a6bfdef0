//! Database services shared by the api and the worker.

pub mod audit;
pub mod deliveries;
pub mod departments;
pub mod import;
pub mod items;
pub mod lists;
