//! What the worker does on each tick.

pub mod send_bulletin;
pub mod send_reminders;
