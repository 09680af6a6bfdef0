//! The 台账's rows ([`crate::export::Ledger`]), built from the facts `store::ledger` reads: each
//! item with its departments, due dates and their versions with the reason for each, its latest
//! progress, its reminders, and the lead departments' scores. Pure: no database, `as_of` and
//! the time zone are inputs.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::{
    export::{Ledger, LedgerRow},
    model::{DepartmentRole, ItemStatus},
    scores::{self, Period},
    urgency::UrgencyRule,
};
use entity::DueKind;

/// Everything the 台账 of one list is made of, as read.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub title: String,
    /// The list's items in printed order, without those withdrawn.
    pub items: Vec<ListedItem>,
    pub assignments: Vec<Assignment>,
    /// Every department's name by id.
    pub department_names: HashMap<i64, String>,
    /// Every due-date row of the items, in no order.
    pub due_dates: Vec<DueDateRow>,
    pub change_requests: Vec<ChangeRequest>,
    /// Why due-date versions were written (from the audit trail).
    pub deadline_changes: Vec<DeadlineChange>,
    /// Progress reports, oldest first.
    pub progress: Vec<Progress>,
    /// Reminders sent about the items (others are ignored).
    pub reminders: Vec<SentReminder>,
    /// The day each finished item was done (see `store::scores::done_days`).
    pub done_on: HashMap<i64, NaiveDate>,
}

/// An item as the 台账 shows it: the columns it prints and those urgency and the scores need.
#[derive(Clone, Debug)]
pub struct ListedItem {
    pub id: i64,
    pub number_text: String,
    pub title: String,
    pub content: String,
    pub deadline_text: String,
    pub status: ItemStatus,
    pub earliest_due_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug)]
pub struct Assignment {
    pub item_id: i64,
    pub role: DepartmentRole,
    /// Where the list printed the department among the item's others.
    pub position: i32,
    pub department_id: i64,
}

#[derive(Clone, Copy, Debug)]
pub struct DueDateRow {
    pub item_id: i64,
    pub due_on: NaiveDate,
    pub kind: DueKind,
    pub version: i32,
    pub active: bool,
}

#[derive(Clone, Debug)]
pub struct ChangeRequest {
    pub id: i64,
    pub item_id: i64,
    /// The department that asked; `None` when the office filed it.
    pub department_id: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub approved: bool,
    pub reason: String,
}

/// Why version `version` of an item's due dates was written.
#[derive(Clone, Debug)]
pub struct DeadlineChange {
    pub item_id: i64,
    pub version: i32,
    pub cause: DeadlineCause,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadlineCause {
    /// 改期 by the office, with its reason.
    Office { reason: String },
    /// A 延期申请 approved.
    Approved { request_id: i64 },
}

#[derive(Clone, Debug)]
pub struct Progress {
    pub item_id: i64,
    pub reported_at: DateTime<Utc>,
    /// The reporting department; `None` for the office.
    pub department_id: Option<i64>,
    pub note: String,
}

#[derive(Clone, Copy, Debug)]
pub struct SentReminder {
    pub item_id: i64,
    pub department_id: i64,
    pub sent_at: DateTime<Utc>,
    pub acknowledged: bool,
}

/// The 台账 as of `as_of`, urgency by `rule`, days in `tz`.
pub fn build(facts: Facts, as_of: NaiveDate, rule: UrgencyRule, tz: Tz) -> Ledger {
    let Facts {
        title,
        items,
        assignments,
        department_names: names,
        due_dates,
        change_requests,
        deadline_changes,
        progress,
        reminders: sent_reminders,
        done_on,
    } = facts;
    let n = items.len();

    let mut lead: HashMap<i64, Vec<(i32, String)>> = HashMap::with_capacity(n);
    let mut cooperating: HashMap<i64, Vec<(i32, String)>> = HashMap::with_capacity(n);
    // For the scores: each item's lead departments by id, and their names.
    let mut lead_ids: HashMap<i64, Vec<i64>> = HashMap::with_capacity(n);
    let mut lead_names: HashMap<i64, String> = HashMap::new();
    for a in assignments {
        let name = names.get(&a.department_id).cloned().unwrap_or_default();
        if a.role == DepartmentRole::Lead {
            lead_ids.entry(a.item_id).or_default().push(a.department_id);
            lead_names.insert(a.department_id, name.clone());
        }
        let into = match a.role {
            DepartmentRole::Lead => &mut lead,
            DepartmentRole::Cooperating => &mut cooperating,
        };
        into.entry(a.item_id).or_default().push((a.position, name));
    }

    // Due dates: the active ones, and every version after the first with the reason for it.
    let mut active: HashMap<i64, Vec<NaiveDate>> = HashMap::with_capacity(n);
    let mut final_due: HashMap<i64, NaiveDate> = HashMap::with_capacity(n);
    let mut versions: HashMap<i64, Vec<(i32, NaiveDate)>> = HashMap::new();
    for d in due_dates {
        if d.active {
            active.entry(d.item_id).or_default().push(d.due_on);
            if d.kind == DueKind::Final {
                let due = final_due.entry(d.item_id).or_insert(d.due_on);
                *due = (*due).max(d.due_on);
            }
        }
        if d.version > 1 {
            let v = versions.entry(d.item_id).or_default();
            if !v
                .iter()
                .any(|(version, day)| *version == d.version && *day == d.due_on)
            {
                v.push((d.version, d.due_on));
            }
        }
    }
    let mut request_reason: HashMap<i64, String> = HashMap::new();
    let mut requests = Vec::new();
    for r in change_requests {
        let leads = lead_ids
            .get(&r.item_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for department_id in scores::counted_against(r.department_id, leads) {
            requests.push(scores::Request {
                department_id,
                requested_on: r.requested_at.with_timezone(&tz).date_naive(),
                approved: r.approved,
            });
        }
        request_reason.insert(r.id, r.reason);
    }
    // The versions the office wrote (approved requests, its own changes): the others came
    // from a corrected list.
    let moved: HashSet<(i64, i32)> = deadline_changes
        .iter()
        .map(|c| (c.item_id, c.version))
        .collect();
    let reasons: HashMap<(i64, i32), String> = deadline_changes
        .into_iter()
        .map(|c| {
            let why = match c.cause {
                DeadlineCause::Office { reason } => format!("督查室调整：{reason}"),
                DeadlineCause::Approved { request_id } => format!(
                    "延期申请获批：{}",
                    request_reason
                        .get(&request_id)
                        .map(String::as_str)
                        .unwrap_or_default()
                ),
            };
            ((c.item_id, c.version), why)
        })
        .collect();

    let mut latest: HashMap<i64, Progress> = HashMap::new();
    for p in progress {
        latest.insert(p.item_id, p);
    }

    let listed: HashSet<i64> = items.iter().map(|i| i.id).collect();
    let mut sent: HashMap<i64, (u64, u64)> = HashMap::new();
    let mut reminders = Vec::new();
    for r in sent_reminders {
        if listed.contains(&r.item_id) {
            let counts = sent.entry(r.item_id).or_default();
            counts.0 += 1;
            counts.1 += u64::from(r.acknowledged);
            reminders.push(scores::Reminder {
                department_id: r.department_id,
                sent_on: r.sent_at.with_timezone(&tz).date_naive(),
                acknowledged: r.acknowledged,
            });
        }
    }

    // The scores sheet, from the same facts.
    let led: Vec<scores::LedItem> = items
        .iter()
        .flat_map(|i| {
            let done_on = done_on.get(&i.id).copied();
            let final_due_on = final_due.get(&i.id).copied();
            lead_ids
                .get(&i.id)
                .into_iter()
                .flatten()
                .map(move |&department_id| scores::LedItem {
                    department_id,
                    item_id: i.id,
                    done_on,
                    final_due_on,
                    earliest_due_on: i.earliest_due_on,
                })
        })
        .collect();
    let scores = scores::score(&led, &requests, &reminders, Period::default(), as_of)
        .into_iter()
        .filter_map(|s| lead_names.get(&s.department_id).cloned().map(|n| (n, s)))
        .collect();

    let sorted = |mut v: Vec<(i32, String)>| {
        v.sort_by_key(|(p, _)| *p);
        v.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    let rows = items
        .into_iter()
        .map(|i| {
            let (reminders_sent, acknowledged) = sent.get(&i.id).copied().unwrap_or_default();
            let mut changes = versions.remove(&i.id).unwrap_or_default();
            changes.sort();
            let extended = changes
                .iter()
                .any(|(version, _)| moved.contains(&(i.id, *version)));
            LedgerRow {
                item_id: i.id,
                number_text: i.number_text,
                title: i.title,
                content: i.content,
                deadline_text: i.deadline_text,
                due_dates: {
                    let mut dates = active.remove(&i.id).unwrap_or_default();
                    dates.sort_unstable();
                    dates
                },
                final_due_on: final_due.get(&i.id).copied(),
                lead: sorted(lead.remove(&i.id).unwrap_or_default()),
                cooperating: sorted(cooperating.remove(&i.id).unwrap_or_default()),
                status: i.status,
                urgency: rule.classify(i.status, i.earliest_due_on, as_of),
                latest_progress: latest.remove(&i.id).map(|p| {
                    let who = p
                        .department_id
                        .and_then(|d| names.get(&d).cloned())
                        .unwrap_or_else(|| "督查室".to_owned());
                    (p.reported_at.with_timezone(&tz).date_naive(), who, p.note)
                }),
                deadline_changes: changes
                    .into_iter()
                    .map(|(version, day)| {
                        let why = reasons
                            .get(&(i.id, version))
                            .cloned()
                            .unwrap_or_else(|| "清单更正".to_owned());
                        (version, day, why)
                    })
                    .collect(),
                reminders_sent,
                acknowledged: (reminders_sent > 0).then_some(acknowledged == reminders_sent),
                completed_on: i.completed_on,
                extended,
            }
        })
        .collect();

    Ledger {
        title,
        as_of,
        rows,
        scores,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use test_support::date;

    use super::*;
    use crate::urgency::Urgency;

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;

    /// 16:30 UTC is 00:30 the next day in Shanghai.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("an instant")
    }

    fn item(id: i64, number: &str, status: ItemStatus, due: Option<NaiveDate>) -> ListedItem {
        ListedItem {
            id,
            number_text: number.into(),
            title: format!("事项{number}"),
            content: String::new(),
            deadline_text: "2021年6月底".into(),
            status,
            earliest_due_on: due,
            completed_on: None,
            updated_at: at(2021, 1, 1, 0, 0),
        }
    }

    fn assign(item_id: i64, role: DepartmentRole, position: i32, department_id: i64) -> Assignment {
        Assignment {
            item_id,
            role,
            position,
            department_id,
        }
    }

    fn due(item_id: i64, due_on: NaiveDate, version: i32, active: bool) -> DueDateRow {
        DueDateRow {
            item_id,
            due_on,
            kind: DueKind::Final,
            version,
            active,
        }
    }

    /// Two items: 一 extended once on request and once by the office, with a late progress
    /// note and two reminders of which one was acknowledged; 二 corrected by a re-import.
    fn facts() -> Facts {
        let june = date(2021, 6, 30);
        Facts {
            title: "2021年民生实事清单".into(),
            items: vec![
                item(1, "一", ItemStatus::InProgress, Some(date(2021, 9, 30))),
                item(2, "二", ItemStatus::Open, Some(date(2021, 7, 10))),
            ],
            assignments: vec![
                assign(1, DepartmentRole::Lead, 1, 20),
                assign(1, DepartmentRole::Lead, 0, 10),
                assign(1, DepartmentRole::Cooperating, 0, 30),
                assign(2, DepartmentRole::Lead, 0, 20),
            ],
            department_names: [(10, "市民政局"), (20, "市卫健委"), (30, "市财政局")]
                .into_iter()
                .map(|(id, n)| (id, n.to_owned()))
                .collect(),
            due_dates: vec![
                due(1, june, 1, false),
                due(1, date(2021, 8, 31), 2, false),
                due(1, date(2021, 9, 30), 3, true),
                due(2, june, 1, false),
                due(2, date(2021, 7, 10), 2, true),
            ],
            change_requests: vec![ChangeRequest {
                id: 5,
                item_id: 1,
                department_id: Some(20),
                requested_at: at(2021, 6, 20, 16, 30),
                approved: true,
                reason: "汛期施工受阻".into(),
            }],
            deadline_changes: vec![
                DeadlineChange {
                    item_id: 1,
                    version: 2,
                    cause: DeadlineCause::Approved { request_id: 5 },
                },
                DeadlineChange {
                    item_id: 1,
                    version: 3,
                    cause: DeadlineCause::Office {
                        reason: "并入三季度计划".into(),
                    },
                },
            ],
            progress: vec![
                Progress {
                    item_id: 1,
                    reported_at: at(2021, 6, 1, 2, 0),
                    department_id: Some(10),
                    note: "已开工".into(),
                },
                Progress {
                    item_id: 1,
                    reported_at: at(2021, 7, 1, 16, 30),
                    department_id: None,
                    note: "现场督查".into(),
                },
            ],
            reminders: vec![
                SentReminder {
                    item_id: 1,
                    department_id: 10,
                    sent_at: at(2021, 6, 23, 0, 0),
                    acknowledged: true,
                },
                SentReminder {
                    item_id: 1,
                    department_id: 20,
                    sent_at: at(2021, 6, 23, 0, 0),
                    acknowledged: false,
                },
                // About an item not in the list: not counted.
                SentReminder {
                    item_id: 99,
                    department_id: 10,
                    sent_at: at(2021, 6, 23, 0, 0),
                    acknowledged: true,
                },
            ],
            done_on: HashMap::new(),
        }
    }

    fn rule() -> UrgencyRule {
        UrgencyRule { due_soon_days: 7 }
    }

    #[test]
    fn rows_keep_the_lists_order_and_its_departments_printed_order() {
        let ledger = build(facts(), date(2021, 7, 5), rule(), SHANGHAI);
        assert_eq!(ledger.title, "2021年民生实事清单");
        let numbers: Vec<&str> = ledger.rows.iter().map(|r| r.number_text.as_str()).collect();
        assert_eq!(numbers, ["一", "二"]);
        let one = &ledger.rows[0];
        assert_eq!(one.lead, ["市民政局", "市卫健委"]);
        assert_eq!(one.cooperating, ["市财政局"]);
        assert_eq!(one.due_dates, [date(2021, 9, 30)]);
        assert_eq!(one.final_due_on, Some(date(2021, 9, 30)));
        assert_eq!(one.urgency, Urgency::OnTrack);
        assert_eq!(ledger.rows[1].urgency, Urgency::DueSoon);
    }

    #[test]
    fn each_later_version_says_why_it_was_written() {
        let ledger = build(facts(), date(2021, 7, 5), rule(), SHANGHAI);
        assert_eq!(
            ledger.rows[0].deadline_changes,
            [
                (
                    2,
                    date(2021, 8, 31),
                    "延期申请获批：汛期施工受阻".to_owned()
                ),
                (
                    3,
                    date(2021, 9, 30),
                    "督查室调整：并入三季度计划".to_owned()
                ),
            ]
        );
        // No event for 二's second version: a re-import corrected it.
        assert_eq!(
            ledger.rows[1].deadline_changes,
            [(2, date(2021, 7, 10), "清单更正".to_owned())]
        );
        assert_eq!(
            (ledger.rows[0].extended, ledger.rows[1].extended),
            (true, false)
        );
    }

    #[test]
    fn the_latest_progress_and_the_reminders_are_read_in_the_zone() {
        let ledger = build(facts(), date(2021, 7, 5), rule(), SHANGHAI);
        let one = &ledger.rows[0];
        // 16:30 UTC on 1 July is 2 July in Shanghai; no department means the office.
        assert_eq!(
            one.latest_progress,
            Some((date(2021, 7, 2), "督查室".to_owned(), "现场督查".to_owned()))
        );
        assert_eq!((one.reminders_sent, one.acknowledged), (2, Some(false)));
        assert_eq!(
            (ledger.rows[1].reminders_sent, ledger.rows[1].acknowledged),
            (0, None)
        );
    }

    #[test]
    fn the_scores_count_the_lead_departments_of_the_listed_items() {
        let ledger = build(facts(), date(2021, 7, 5), rule(), SHANGHAI);
        let scores: HashMap<&str, &crate::scores::DepartmentScore> =
            ledger.scores.iter().map(|(n, s)| (n.as_str(), s)).collect();
        assert_eq!(scores.len(), 2, "leads only: {:?}", scores.keys());
        assert_eq!(scores["市卫健委"].items_led, 2);
        assert_eq!(scores["市民政局"].items_led, 1);
        assert_eq!(
            (
                scores["市民政局"].reminders_sent,
                scores["市民政局"].reminders_acknowledged
            ),
            (1, 1)
        );
    }
}
