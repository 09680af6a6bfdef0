//! How pressing an item is on a given day: the one rule the graph's `urgency` field, its
//! `urgency` filter and `stats` all follow.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::ItemStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Urgency {
    /// The earliest active due date has passed and the item is not finished.
    Overdue,
    /// The earliest active due date is today or within the due-soon window.
    DueSoon,
    /// Dated, but further away than the window.
    OnTrack,
    /// No dated deadline (长期坚持).
    Ongoing,
    /// Done or closed: nothing is pressing whatever the date.
    Done,
}

impl Urgency {
    pub const ALL: [Urgency; 5] = [
        Urgency::Overdue,
        Urgency::DueSoon,
        Urgency::OnTrack,
        Urgency::Ongoing,
        Urgency::Done,
    ];
}

/// The thresholds, from configuration (`MINSHENG_DUE_SOON_DAYS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UrgencyRule {
    /// An item is due soon when its earliest due date is at most this many days away.
    pub due_soon_days: u32,
}

impl UrgencyRule {
    /// The urgency of an item with `status` whose earliest active due date is `earliest`, on
    /// `today` (a date in the configured time zone).
    pub fn classify(
        &self,
        status: ItemStatus,
        earliest: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Urgency {
        if matches!(status, ItemStatus::Done | ItemStatus::Closed) {
            return Urgency::Done;
        }
        match earliest {
            None => Urgency::Ongoing,
            Some(due) if due < today => Urgency::Overdue,
            Some(due) if due <= self.soon_until(today) => Urgency::DueSoon,
            Some(_) => Urgency::OnTrack,
        }
    }

    /// The last day that still counts as due soon.
    pub fn soon_until(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_add_days(Days::new(u64::from(self.due_soon_days)))
            .unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::date as d;

    const RULE: UrgencyRule = UrgencyRule { due_soon_days: 14 };

    #[test]
    fn the_day_after_the_due_date_is_overdue_and_the_due_date_itself_is_not() {
        let due = Some(d(2021, 6, 30));
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2021, 6, 30)),
            Urgency::DueSoon
        );
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2021, 7, 1)),
            Urgency::Overdue
        );
    }

    #[test]
    fn the_window_ends_after_exactly_due_soon_days() {
        let due = Some(d(2021, 3, 1));
        // 2021 is not a leap year: Feb 15 + 14 days = Mar 1.
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2021, 2, 15)),
            Urgency::DueSoon
        );
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2021, 2, 14)),
            Urgency::OnTrack
        );
        // 2024 is: Feb 16 + 14 days = Mar 1.
        let due = Some(d(2024, 3, 1));
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2024, 2, 16)),
            Urgency::DueSoon
        );
        assert_eq!(
            RULE.classify(ItemStatus::Open, due, d(2024, 2, 15)),
            Urgency::OnTrack
        );
    }

    #[test]
    fn finished_items_are_done_and_undated_ones_ongoing() {
        let past = Some(d(2020, 1, 1));
        let today = d(2021, 1, 1);
        assert_eq!(RULE.classify(ItemStatus::Done, past, today), Urgency::Done);
        assert_eq!(
            RULE.classify(ItemStatus::Closed, None, today),
            Urgency::Done
        );
        assert_eq!(
            RULE.classify(ItemStatus::InProgress, None, today),
            Urgency::Ongoing
        );
        assert_eq!(
            RULE.classify(ItemStatus::InProgress, past, today),
            Urgency::Overdue
        );
    }
}
