//! The reminder rules: which contact hears about which due date today. Pure: the caller passes
//! the data, the policy and today's date (in the configured time zone).

pub mod calendar;
pub mod digest;
mod plan;
mod policy_file;

pub use calendar::WorkCalendar;
pub use plan::{
    ContactInfo, DueDateInfo, OngoingItemInfo, PlanOutcome, PlannedReminder, Policy, Stage, plan,
    plan_checkins,
};
pub use policy_file::load_policy;

use crate::model::ItemStatus;

/// Whether an item's reminders are paused or over: done, withdrawn, or reported done and
/// awaiting the office's review (they resume if it is sent back).
pub fn quiet(status: ItemStatus) -> bool {
    matches!(
        status,
        ItemStatus::Done | ItemStatus::Closed | ItemStatus::CompletionReported
    )
}
