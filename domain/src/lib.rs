//! What the api and the worker share: configuration, domain types, errors and the database
//! services. No HTTP, GraphQL or SMTP here.

pub mod account;
pub mod acknowledgement;
pub mod audit;
pub mod bulletin;
pub mod config;
pub mod db;
pub mod deadline;
pub mod department;
pub mod email;
pub mod error;
pub mod export;
pub mod ledger;
pub mod listdoc;
pub mod metrics;
pub mod model;
pub mod numerals;
pub mod reminder;
pub mod scores;
pub mod search;
pub mod shutdown;
pub mod store;
pub mod supervision;
pub mod telemetry;
pub mod text;
pub mod urgency;

pub use config::Settings;
pub use error::DomainError;
