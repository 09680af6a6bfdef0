//! GraphQL object types: their own structs, mapped from domain models, so no column reaches
//! the public schema unless it is listed here.

mod account;
mod audit;
mod contact;
mod delivery;
mod department;
mod due_date;
mod enums;
pub mod filters;
mod item;
mod list;
mod node;
mod progress;
mod request;
mod stats;
mod token;

pub use account::Account;
pub use audit::{AuditEvent, AuditFilter, audit_connection};
pub use contact::Contact;
pub use delivery::{ReminderDelivery, delivery_connection};
pub use department::{Department, department_connection};
pub use due_date::{DueDate, upcoming_connection};
pub use enums::*;
pub use filters::{DeliveryFilter, DepartmentFilter, ItemFilter, ItemOrder};
pub use item::{Item, ItemCount, item_connection};
pub use list::ProjectList;
pub use node::{Node, load_node};
pub use progress::{ProgressReport, progress_connection};
pub use request::{DeadlineChangeRequest, DeadlineChangeRequestFilter, may_read_records_of};
pub use stats::Stats;
pub use token::DepartmentToken;
