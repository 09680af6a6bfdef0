//! The reminder worker: plans reminders into the ledger and emails one digest per contact.

pub mod digest;
pub mod jobs;
pub mod mailer;
pub mod metrics;
pub mod notices;
pub mod scheduler;
