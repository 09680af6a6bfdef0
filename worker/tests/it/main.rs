//! worker's integration tests: one binary, a module per area (each linked once, not once per file).

mod addresses;
mod bulletin;
mod cli;
mod password_mail;
mod reminders;
mod smtp_drop;
mod supervision;
mod support;
