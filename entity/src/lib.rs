//! sea-orm entities: plain data, one file per table, no behaviour.
//!
//! Behaviour lives in `domain`; the public GraphQL schema has its own types, so a column added
//! here never reaches clients by accident.

pub mod account;
pub mod account_session;
pub mod audit_event;
pub mod bulletin;
pub mod deadline_change_request;
pub mod department;
pub mod department_alias;
pub mod department_contact;
pub mod department_token;
pub mod enums;
pub mod item;
pub mod item_department;
pub mod item_due_date;
pub mod item_progress;
pub mod password_link;
pub mod password_mail;
pub mod project_list;
pub mod reminder_delivery;
pub mod sign_in_failure;
pub mod sign_in_flow;
pub mod supervision_notice;

pub use enums::*;
