//! The 情况通报 (periodic bulletin) the office sends upward: from the lists' 台账 and the
//! extension requests of the period, what is late and by whom, what falls due next, what moved
//! and what was finished. Pure: facts and a window in, sections out, ready to be written as
//! text or HTML (dates already in Chinese).
//!
//! Definitions:
//! - *period*: a bulletin is for the period `now` falls in, which starts at the last tick of
//!   `MINSHENG_BULLETIN_CRON` at or before `now` (read as tokio-cron-scheduler reads it), or
//!   without a schedule at the start of `now`'s day ([`period_start`]);
//! - *overdue*: the item's urgency as of the bulletin's day is 逾期; its days overdue count from
//!   its earliest active due date. It is listed under each of its lead departments, the
//!   departments with the most days overdue first;
//! - *due soon*: an item not done with an active due date from the bulletin's day to 14 days
//!   after, earliest first;
//! - *changes*: extension requests made or decided from the previous bulletin's instant up to
//!   this one's;
//! - *completed*: items confirmed done (销号) on a day from the previous bulletin's day to this
//!   one's, both included (a completion on the day of a bulletin may appear in two, never in
//!   none); on time when on or before the final due date.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use croner::{Cron, parser::CronParser};
use serde::{Serialize, Serializer};

use crate::{
    export::{Ledger, LedgerRow, status_label, urgency_label},
    model::{DeadlineChangeRequest, ItemStatus, RequestStatus},
    reminder::digest::chinese_date,
    urgency::Urgency,
};

/// Days ahead that "due soon" covers in a bulletin.
pub const DUE_WITHIN_DAYS: i64 = 14;

/// What a bulletin covers: from the previous bulletin to this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub tz: Tz,
}

impl Window {
    pub fn today(&self) -> NaiveDate {
        self.to.with_timezone(&self.tz).date_naive()
    }

    pub fn since(&self) -> NaiveDate {
        self.from.with_timezone(&self.tz).date_naive()
    }

    fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.from && at < self.to
    }
}

fn chinese<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&chinese_date(*day))
}

fn chinese_opt<S: Serializer>(day: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&day.map(chinese_date).unwrap_or_default())
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Bulletin {
    #[serde(serialize_with = "chinese")]
    pub as_of: NaiveDate,
    #[serde(serialize_with = "chinese")]
    pub since: NaiveDate,
    pub totals: Counts,
    pub lists: Vec<ListSection>,
    /// Lead departments of unfinished items with no active contact: nobody can be reminded.
    pub without_contact: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub items: usize,
    pub by_urgency: Vec<Count>,
    pub by_status: Vec<Count>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Count {
    pub label: &'static str,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListSection {
    pub title: String,
    pub counts: Counts,
    pub overdue: Vec<OverdueGroup>,
    pub due_soon: Vec<DueSoon>,
    pub changes: Vec<ChangeLine>,
    pub completed: Vec<Completed>,
}

/// A lead department's overdue items, worst first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverdueGroup {
    pub department: String,
    pub worst_days: i64,
    pub items: Vec<Overdue>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overdue {
    pub number: String,
    pub title: String,
    #[serde(serialize_with = "chinese")]
    pub due_on: NaiveDate,
    pub days: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueSoon {
    pub number: String,
    pub title: String,
    #[serde(serialize_with = "chinese")]
    pub due_on: NaiveDate,
    pub days_left: i64,
    pub lead: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChangeLine {
    pub number: String,
    pub title: String,
    /// The requesting department, or 督查室.
    pub requested_by: String,
    #[serde(serialize_with = "chinese")]
    pub requested_on: NaiveDate,
    #[serde(serialize_with = "chinese")]
    pub proposed: NaiveDate,
    pub reason: String,
    /// 待审核, 同意延期至…, 不同意, 已撤回.
    pub outcome: String,
    #[serde(serialize_with = "chinese_opt")]
    pub decided_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Completed {
    pub number: String,
    pub title: String,
    pub lead: String,
    #[serde(serialize_with = "chinese")]
    pub completed_on: NaiveDate,
    /// 0 when done on time.
    pub days_late: i64,
    /// Its deadline was extended (延期 or 改期): on time is 延期后按期办结.
    pub extended: bool,
}

/// An extension request with the name of who asked (the department, or `None` for the office).
pub type RequestFact = (DeadlineChangeRequest, Option<String>);

/// The bulletin over `ledgers` (one per list, as of the window's end), the extension requests
/// on their items, and the departments without a contact.
pub fn build(
    ledgers: &[Ledger],
    requests: &[RequestFact],
    without_contact: Vec<String>,
    window: &Window,
) -> Bulletin {
    let today = window.today();
    let since = window.since();
    let mut all_rows = Vec::new();
    let lists = ledgers
        .iter()
        .map(|ledger| {
            all_rows.extend(ledger.rows.iter());
            let by_id: HashMap<i64, &LedgerRow> =
                ledger.rows.iter().map(|r| (r.item_id, r)).collect();
            let mut changes: Vec<ChangeLine> = requests
                .iter()
                .filter(|(r, _)| {
                    window.contains(r.requested_at)
                        || r.decided_at.is_some_and(|d| window.contains(d))
                })
                .filter_map(|(r, who)| {
                    let row = by_id.get(&r.item_id)?;
                    Some(change_line(row, r, who.as_deref(), window))
                })
                .collect();
            changes.sort_by(|a, b| (a.requested_on, &a.number).cmp(&(b.requested_on, &b.number)));
            ListSection {
                title: ledger.title.clone(),
                counts: counts(ledger.rows.iter()),
                overdue: overdue(&ledger.rows, today),
                due_soon: due_soon(&ledger.rows, today),
                changes,
                completed: completed(&ledger.rows, since, today),
            }
        })
        .collect();
    Bulletin {
        as_of: today,
        since,
        totals: counts(all_rows.into_iter()),
        lists,
        without_contact,
    }
}

const STATUSES: [ItemStatus; 4] = [
    ItemStatus::Open,
    ItemStatus::InProgress,
    ItemStatus::CompletionReported,
    ItemStatus::Done,
];

fn counts<'a>(rows: impl Iterator<Item = &'a LedgerRow>) -> Counts {
    let mut urgency: HashMap<Urgency, usize> = HashMap::new();
    let mut status: HashMap<ItemStatus, usize> = HashMap::new();
    let mut items = 0;
    for r in rows {
        items += 1;
        *urgency.entry(r.urgency).or_default() += 1;
        *status.entry(r.status).or_default() += 1;
    }
    Counts {
        items,
        by_urgency: Urgency::ALL
            .iter()
            .map(|u| Count {
                label: urgency_label(*u),
                count: urgency.get(u).copied().unwrap_or_default(),
            })
            .collect(),
        by_status: STATUSES
            .iter()
            .map(|s| Count {
                label: status_label(*s),
                count: status.get(s).copied().unwrap_or_default(),
            })
            .collect(),
    }
}

fn overdue(rows: &[LedgerRow], today: NaiveDate) -> Vec<OverdueGroup> {
    let mut groups: BTreeMap<&str, Vec<Overdue>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.urgency == Urgency::Overdue) {
        let Some(due_on) = r.due_dates.iter().min().copied() else {
            continue;
        };
        for lead in &r.lead {
            groups.entry(lead.as_str()).or_default().push(Overdue {
                number: r.number_text.clone(),
                title: r.title.clone(),
                due_on,
                days: (today - due_on).num_days(),
            });
        }
    }
    let mut groups: Vec<OverdueGroup> = groups
        .into_iter()
        .map(|(department, mut items)| {
            items.sort_by_key(|i| std::cmp::Reverse(i.days));
            OverdueGroup {
                department: department.to_owned(),
                worst_days: items.first().map_or(0, |i| i.days),
                items,
            }
        })
        .collect();
    // Worst first; then more items; then by name, so the order is stable.
    groups.sort_by(|a, b| {
        (
            std::cmp::Reverse(a.worst_days),
            std::cmp::Reverse(a.items.len()),
        )
            .cmp(&(
                std::cmp::Reverse(b.worst_days),
                std::cmp::Reverse(b.items.len()),
            ))
    });
    groups
}

fn due_soon(rows: &[LedgerRow], today: NaiveDate) -> Vec<DueSoon> {
    let mut soon: Vec<DueSoon> = rows
        .iter()
        .filter(|r| !matches!(r.status, ItemStatus::Done | ItemStatus::Closed))
        .filter_map(|r| {
            let due_on = r
                .due_dates
                .iter()
                .copied()
                .find(|d| *d >= today && (*d - today).num_days() <= DUE_WITHIN_DAYS)?;
            Some(DueSoon {
                number: r.number_text.clone(),
                title: r.title.clone(),
                due_on,
                days_left: (due_on - today).num_days(),
                lead: r.lead.join("、"),
            })
        })
        .collect();
    soon.sort_by_key(|d| d.due_on);
    soon
}

fn change_line(
    row: &LedgerRow,
    r: &DeadlineChangeRequest,
    who: Option<&str>,
    window: &Window,
) -> ChangeLine {
    ChangeLine {
        number: row.number_text.clone(),
        title: row.title.clone(),
        requested_by: who.unwrap_or("督查室").to_owned(),
        requested_on: r.requested_at.with_timezone(&window.tz).date_naive(),
        proposed: r.proposed_due_on,
        reason: r.reason.clone(),
        outcome: match (r.status, r.granted_due_on) {
            (RequestStatus::Pending, _) => "待审核".to_owned(),
            (RequestStatus::Approved, Some(granted)) => {
                format!("同意延期至{}", chinese_date(granted))
            }
            (RequestStatus::Approved, None) => "同意延期".to_owned(),
            (RequestStatus::Rejected, _) => "不同意延期".to_owned(),
            (RequestStatus::Withdrawn, _) => "已撤回".to_owned(),
        },
        // A decision after the bulletin's instant is not news yet.
        decided_on: r
            .decided_at
            .filter(|d| *d < window.to)
            .map(|d| d.with_timezone(&window.tz).date_naive()),
    }
}

fn completed(rows: &[LedgerRow], since: NaiveDate, today: NaiveDate) -> Vec<Completed> {
    let mut done: Vec<Completed> = rows
        .iter()
        .filter(|r| r.status == ItemStatus::Done)
        .filter_map(|r| {
            let on = r.completed_on.filter(|d| *d >= since && *d <= today)?;
            Some(Completed {
                number: r.number_text.clone(),
                title: r.title.clone(),
                lead: r.lead.join("、"),
                completed_on: on,
                days_late: r.final_due_on.map_or(0, |due| (on - due).num_days().max(0)),
                extended: r.extended,
            })
        })
        .collect();
    done.sort_by_key(|c| c.completed_on);
    done
}

/// Parses a six-field expression as tokio-cron-scheduler does, so that the period a run falls
/// in is the one the scheduler fired for.
pub fn parse_cron(expression: &str) -> Result<Cron, String> {
    CronParser::builder()
        .seconds(croner::parser::Seconds::Required)
        .dom_and_dow(true)
        .build()
        .parse(expression)
        .map_err(|e| format!("MINSHENG_BULLETIN_CRON '{expression}': {e}"))
}

/// The start of the period `now` falls in: the schedule's last tick at or before `now`, or the
/// start of `now`'s day in `tz` when there is no schedule.
pub fn period_start(
    cron: Option<&Cron>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<DateTime<Utc>, String> {
    let local = now.with_timezone(&tz);
    // Whole seconds: a tick fires some milliseconds after its instant.
    let local = local - Duration::nanoseconds(i64::from(local.timestamp_subsec_nanos()));
    match cron {
        Some(cron) => cron
            .find_previous_occurrence(&local, true)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| format!("MINSHENG_BULLETIN_CRON names no run before {local}: {e}")),
        None => local
            .date_naive()
            .and_hms_opt(0, 0, 0)
            .and_then(|midnight| tz.from_local_datetime(&midnight).earliest())
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("no start of day {} in {tz}", local.date_naive())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RequestStatus;

    fn day(m: u32, d: u32) -> NaiveDate {
        test_support::date(2023, m, d)
    }

    fn at(m: u32, d: u32) -> DateTime<Utc> {
        // 09:00 in Shanghai.
        day(m, d).and_hms_opt(1, 0, 0).expect("time").and_utc()
    }

    fn row(
        id: i64,
        lead: &[&str],
        due: Option<NaiveDate>,
        status: ItemStatus,
        urgency: Urgency,
    ) -> LedgerRow {
        LedgerRow {
            item_id: id,
            number_text: id.to_string(),
            title: format!("事项{id}"),
            content: String::new(),
            deadline_text: String::new(),
            due_dates: due.into_iter().collect(),
            final_due_on: due,
            lead: lead.iter().map(|l| (*l).to_owned()).collect(),
            cooperating: Vec::new(),
            status,
            urgency,
            latest_progress: None,
            deadline_changes: Vec::new(),
            reminders_sent: 0,
            acknowledged: None,
            completed_on: None,
            extended: false,
        }
    }

    fn window() -> Window {
        Window {
            from: at(6, 19),
            to: at(6, 26),
            tz: chrono_tz::Asia::Shanghai,
        }
    }

    fn request(
        item_id: i64,
        requested: DateTime<Utc>,
        decided: Option<DateTime<Utc>>,
    ) -> DeadlineChangeRequest {
        DeadlineChangeRequest {
            id: item_id * 10,
            item_id,
            due_date_id: item_id,
            proposed_due_on: day(9, 30),
            reason: "施工受雨季影响".to_owned(),
            progress_note: None,
            requested_by: "department:1".to_owned(),
            department_id: Some(1),
            requested_at: requested,
            status: if decided.is_some() {
                RequestStatus::Approved
            } else {
                RequestStatus::Pending
            },
            decided_by: decided.map(|_| "admin".to_owned()),
            decided_at: decided,
            decision_note: None,
            granted_due_on: decided.map(|_| day(8, 31)),
        }
    }

    fn ledger(rows: Vec<LedgerRow>) -> Ledger {
        Ledger {
            title: "清单".to_owned(),
            as_of: day(6, 26),
            rows,
            scores: Vec::new(),
        }
    }

    #[test]
    fn overdue_items_are_grouped_by_lead_department_worst_first() {
        let rows = vec![
            row(
                1,
                &["市民政局"],
                Some(day(6, 20)),
                ItemStatus::InProgress,
                Urgency::Overdue,
            ),
            row(
                2,
                &["市教育局", "市民政局"],
                Some(day(5, 31)),
                ItemStatus::Open,
                Urgency::Overdue,
            ),
            row(
                3,
                &["市教育局"],
                Some(day(6, 25)),
                ItemStatus::Open,
                Urgency::Overdue,
            ),
            row(
                4,
                &["市水务局"],
                Some(day(7, 1)),
                ItemStatus::Open,
                Urgency::DueSoon,
            ),
        ];
        let mut rows = rows;
        for (id, d) in [(5, 24), (6, 23), (7, 22)] {
            rows.push(row(
                id,
                &["市水务局"],
                Some(day(6, d)),
                ItemStatus::Open,
                Urgency::Overdue,
            ));
        }
        let b = build(&[ledger(rows)], &[], Vec::new(), &window());
        let groups = &b.lists[0].overdue;
        let names: Vec<(&str, i64, usize)> = groups
            .iter()
            .map(|g| (g.department.as_str(), g.worst_days, g.items.len()))
            .collect();
        // Both lead 2 (26 days overdue) and one more: a tie, ordered by name.
        // 市水务局 has more items, but none as late: it comes last.
        assert_eq!(
            names,
            [("市教育局", 26, 2), ("市民政局", 26, 2), ("市水务局", 4, 3)]
        );
        assert_eq!(
            groups[0].items.iter().map(|i| i.days).collect::<Vec<_>>(),
            [26, 1]
        );
    }

    #[test]
    fn due_soon_covers_today_to_fourteen_days_ahead_and_never_done_items() {
        let rows = vec![
            row(
                1,
                &["甲"],
                Some(day(6, 26)),
                ItemStatus::Open,
                Urgency::DueSoon,
            ),
            row(
                2,
                &["乙"],
                Some(day(7, 10)),
                ItemStatus::Open,
                Urgency::OnTrack,
            ),
            row(
                3,
                &["丙"],
                Some(day(7, 11)),
                ItemStatus::Open,
                Urgency::OnTrack,
            ),
            row(
                4,
                &["丁"],
                Some(day(6, 30)),
                ItemStatus::Done,
                Urgency::Done,
            ),
            row(5, &["戊"], None, ItemStatus::Open, Urgency::Ongoing),
        ];
        let b = build(&[ledger(rows)], &[], Vec::new(), &window());
        let soon: Vec<(&str, i64)> = b.lists[0]
            .due_soon
            .iter()
            .map(|d| (d.number.as_str(), d.days_left))
            .collect();
        assert_eq!(soon, [("1", 0), ("2", 14)]);
    }

    #[test]
    fn requests_made_or_decided_in_the_window_are_listed_with_their_outcome() {
        let rows = vec![
            row(
                1,
                &["甲"],
                Some(day(6, 30)),
                ItemStatus::Open,
                Urgency::DueSoon,
            ),
            row(
                2,
                &["乙"],
                Some(day(6, 30)),
                ItemStatus::Open,
                Urgency::DueSoon,
            ),
            row(
                3,
                &["丙"],
                Some(day(6, 30)),
                ItemStatus::Open,
                Urgency::DueSoon,
            ),
        ];
        let requests = vec![
            // Made before, decided in the window.
            (
                request(1, at(6, 12), Some(at(6, 20))),
                Some("甲".to_owned()),
            ),
            // Made in the window, pending.
            (request(2, at(6, 21), None), None),
            // Made and decided before the window: old news.
            (request(3, at(6, 1), Some(at(6, 2))), Some("丙".to_owned())),
        ];
        let b = build(&[ledger(rows)], &requests, Vec::new(), &window());
        let changes: Vec<(&str, &str, &str)> = b.lists[0]
            .changes
            .iter()
            .map(|c| {
                (
                    c.number.as_str(),
                    c.requested_by.as_str(),
                    c.outcome.as_str(),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [
                ("1", "甲", "同意延期至2023年8月31日"),
                ("2", "督查室", "待审核")
            ]
        );
    }

    #[test]
    fn completions_since_the_last_bulletin_say_how_late() {
        let mut early = row(
            1,
            &["甲"],
            Some(day(6, 30)),
            ItemStatus::Done,
            Urgency::Done,
        );
        early.completed_on = Some(day(6, 20));
        early.extended = true;
        let mut late = row(
            2,
            &["乙"],
            Some(day(6, 10)),
            ItemStatus::Done,
            Urgency::Done,
        );
        late.completed_on = Some(day(6, 19));
        let mut before = row(
            3,
            &["丙"],
            Some(day(6, 10)),
            ItemStatus::Done,
            Urgency::Done,
        );
        before.completed_on = Some(day(6, 18));
        let b = build(
            &[ledger(vec![early, late, before])],
            &[],
            Vec::new(),
            &window(),
        );
        let done: Vec<(&str, i64, bool)> = b.lists[0]
            .completed
            .iter()
            .map(|c| (c.number.as_str(), c.days_late, c.extended))
            .collect();
        assert_eq!(done, [("2", 9, false), ("1", 0, true)]);
    }

    #[test]
    fn counts_cover_every_urgency_and_status_across_lists() {
        let a = ledger(vec![row(
            1,
            &["甲"],
            Some(day(6, 1)),
            ItemStatus::Open,
            Urgency::Overdue,
        )]);
        let b = ledger(vec![
            row(2, &["乙"], None, ItemStatus::InProgress, Urgency::Ongoing),
            row(3, &["乙"], Some(day(6, 1)), ItemStatus::Done, Urgency::Done),
        ]);
        let bulletin = build(&[a, b], &[], vec!["乙".to_owned()], &window());
        assert_eq!(bulletin.totals.items, 3);
        let urgency: Vec<usize> = bulletin.totals.by_urgency.iter().map(|c| c.count).collect();
        assert_eq!(urgency, [1, 0, 0, 1, 1]);
        let status: Vec<usize> = bulletin.totals.by_status.iter().map(|c| c.count).collect();
        assert_eq!(status, [1, 1, 0, 1]);
        assert_eq!(bulletin.lists[1].counts.items, 2);
        assert_eq!(bulletin.without_contact, ["乙"]);
        assert_eq!(chinese_date(bulletin.since), "2023年6月19日");
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_period_starts_at_the_last_tick_or_at_midnight_without_a_schedule() {
        let tz = chrono_tz::Asia::Shanghai;
        let mondays = parse_cron("0 0 9 * * Mon").expect("cron");
        let monday = utc("2023-07-03T09:00:00+08:00");
        for now in [
            "2023-07-03T09:00:00.150+08:00",
            "2023-07-05T15:00:00+08:00",
            "2023-07-10T08:59:59+08:00",
        ] {
            assert_eq!(
                period_start(Some(&mondays), utc(now), tz),
                Ok(monday),
                "{now}"
            );
        }
        assert_eq!(
            period_start(Some(&mondays), utc("2023-07-10T09:00:00+08:00"), tz),
            Ok(utc("2023-07-10T09:00:00+08:00"))
        );
        assert_eq!(
            period_start(None, utc("2023-07-05T00:30:00+08:00"), tz),
            Ok(utc("2023-07-05T00:00:00+08:00"))
        );
        assert!(parse_cron("0 0 9 * * Someday").is_err());
    }
}
