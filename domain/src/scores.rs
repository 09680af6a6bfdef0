//! 考评: how each lead department did on its items, from facts the store gathers. Pure: the
//! facts, a period and today in, one row per lead department out.
//!
//! Definitions (the graph's descriptions say the same):
//! - an item is *led* by each of its lead departments; closed items (dropped from the list) are
//!   not counted;
//! - an item is *done* when its status is `DONE`, on its `completedOn` day, or, for an item
//!   completed before that was recorded, on the day its status last changed; it is done *on
//!   time* when that day is on or before its final due date (an item without one is on time),
//!   else *late* by the days between;
//! - done items count in a period when they were done in it;
//! - an item is *overdue now* when it is not done and its earliest active due date is before
//!   today; its days overdue are counted from that date;
//! - *average days late* is over the items done late in the period;
//! - extension requests count when they were made in the period, approved ones among them;
//! - reminders count when they were sent in the period, acknowledged ones among them.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One lead department's item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedItem {
    pub department_id: i64,
    pub item_id: i64,
    /// The day it was done, when it is done.
    pub done_on: Option<NaiveDate>,
    /// The final milestone's active due date.
    pub final_due_on: Option<NaiveDate>,
    /// The earliest active due date.
    pub earliest_due_on: Option<NaiveDate>,
}

/// Whom an extension request counts against: the department that asked it. One the office filed
/// itself (no department) counts against each of the item's lead departments, for whom the
/// office acts.
pub fn counted_against(asked_by: Option<i64>, leads: &[i64]) -> Vec<i64> {
    match asked_by {
        Some(department_id) => vec![department_id],
        None => leads.to_vec(),
    }
}

/// An extension request, counted against one department ([`counted_against`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub department_id: i64,
    pub requested_on: NaiveDate,
    pub approved: bool,
}

/// A reminder sent to a department's contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    pub department_id: i64,
    pub sent_on: NaiveDate,
    pub acknowledged: bool,
}

/// Days from `from` to `to`, both included; an end left out is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DepartmentScore {
    pub department_id: i64,
    pub items_led: u64,
    pub done_on_time: u64,
    pub done_late: u64,
    pub overdue_now: u64,
    /// The most days any overdue item is overdue; 0 when none is.
    pub max_days_overdue: i64,
    /// Over the items done late in the period; `None` when none was.
    pub average_days_late: Option<f64>,
    pub extensions_requested: u64,
    pub extensions_approved: u64,
    pub reminders_sent: u64,
    pub reminders_acknowledged: u64,
}

/// One row per department that leads at least one item, by department id.
pub fn score(
    items: &[LedItem],
    requests: &[Request],
    reminders: &[Reminder],
    period: Period,
    today: NaiveDate,
) -> Vec<DepartmentScore> {
    let mut rows: BTreeMap<i64, DepartmentScore> = BTreeMap::new();
    let mut late_days: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for item in items {
        let row = rows
            .entry(item.department_id)
            .or_insert_with(|| DepartmentScore {
                department_id: item.department_id,
                ..DepartmentScore::default()
            });
        row.items_led += 1;
        match item.done_on {
            Some(done) if period.contains(done) => {
                match item.final_due_on.map(|due| (done - due).num_days()) {
                    Some(late) if late > 0 => {
                        row.done_late += 1;
                        late_days.entry(item.department_id).or_default().push(late);
                    }
                    _ => row.done_on_time += 1,
                }
            }
            Some(_) => {}
            None => {
                if let Some(due) = item.earliest_due_on.filter(|due| *due < today) {
                    row.overdue_now += 1;
                    row.max_days_overdue = row.max_days_overdue.max((today - due).num_days());
                }
            }
        }
    }
    for (department, days) in late_days {
        if let Some(row) = rows.get_mut(&department) {
            row.average_days_late = Some(days.iter().sum::<i64>() as f64 / days.len() as f64);
        }
    }
    for request in requests.iter().filter(|r| period.contains(r.requested_on)) {
        if let Some(row) = rows.get_mut(&request.department_id) {
            row.extensions_requested += 1;
            row.extensions_approved += u64::from(request.approved);
        }
    }
    for reminder in reminders.iter().filter(|r| period.contains(r.sent_on)) {
        if let Some(row) = rows.get_mut(&reminder.department_id) {
            row.reminders_sent += 1;
            row.reminders_acknowledged += u64::from(reminder.acknowledged);
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_against_whoever_asked_or_the_leads_the_office_acted_for() {
        assert_eq!(counted_against(Some(7), &[3, 7]), [7]);
        // A department that asked on an item it cooperates on still answers for its request.
        assert_eq!(counted_against(Some(9), &[3, 7]), [9]);
        assert_eq!(counted_against(None, &[3, 7]), [3, 7]);
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        test_support::date(2025, m, d)
    }

    fn led(department_id: i64, done_on: Option<NaiveDate>, due: Option<NaiveDate>) -> LedItem {
        LedItem {
            department_id,
            item_id: 0,
            done_on,
            final_due_on: due,
            earliest_due_on: due,
        }
    }

    #[test]
    fn on_time_late_and_overdue_by_the_definitions() {
        let items = [
            led(1, Some(day(6, 1)), Some(day(6, 30))),  // early
            led(1, Some(day(6, 30)), Some(day(6, 30))), // on the day: on time
            led(1, Some(day(7, 10)), Some(day(6, 30))), // 10 days late
            led(1, Some(day(7, 4)), Some(day(6, 30))),  // 4 days late
            led(1, None, Some(day(8, 1))),              // overdue 31 days on 9-1
            led(1, None, Some(day(8, 31))),             // overdue 1 day
            led(1, None, Some(day(9, 1))),              // due today: not overdue
            led(1, Some(day(3, 1)), None),              // no due date: on time
            led(2, None, None),                         // ongoing
        ];
        let requests = [
            Request {
                department_id: 1,
                requested_on: day(6, 20),
                approved: true,
            },
            Request {
                department_id: 1,
                requested_on: day(6, 21),
                approved: false,
            },
            Request {
                department_id: 3,
                requested_on: day(6, 21),
                approved: true,
            },
        ];
        let reminders = [
            Reminder {
                department_id: 1,
                sent_on: day(6, 23),
                acknowledged: true,
            },
            Reminder {
                department_id: 1,
                sent_on: day(6, 24),
                acknowledged: false,
            },
            Reminder {
                department_id: 2,
                sent_on: day(6, 24),
                acknowledged: false,
            },
        ];
        let got = score(&items, &requests, &reminders, Period::default(), day(9, 1));
        assert_eq!(got.len(), 2, "a department that leads nothing gets no row");
        let one = &got[0];
        assert_eq!(
            (
                one.items_led,
                one.done_on_time,
                one.done_late,
                one.overdue_now
            ),
            (8, 3, 2, 2)
        );
        assert_eq!(one.max_days_overdue, 31);
        assert_eq!(one.average_days_late, Some(7.0));
        assert_eq!((one.extensions_requested, one.extensions_approved), (2, 1));
        assert_eq!((one.reminders_sent, one.reminders_acknowledged), (2, 1));
        let two = &got[1];
        assert_eq!(
            (two.items_led, two.overdue_now, two.average_days_late),
            (1, 0, None)
        );
        assert_eq!(two.reminders_sent, 1);
    }

    #[test]
    fn a_period_counts_what_happened_in_it() {
        let items = [
            led(1, Some(day(6, 1)), Some(day(6, 30))),
            led(1, Some(day(7, 10)), Some(day(6, 30))),
        ];
        let requests = [Request {
            department_id: 1,
            requested_on: day(5, 1),
            approved: true,
        }];
        let july = Period {
            from: Some(day(7, 1)),
            to: Some(day(7, 31)),
        };
        let got = score(&items, &requests, &[], july, day(9, 1));
        assert_eq!(
            (got[0].items_led, got[0].done_on_time, got[0].done_late),
            (2, 0, 1)
        );
        assert_eq!(got[0].extensions_requested, 0);
        assert!(july.contains(day(7, 1)) && july.contains(day(7, 31)) && !july.contains(day(8, 1)));
    }
}
