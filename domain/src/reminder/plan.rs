//! `plan(due dates, contacts, policy, today) -> reminders`.
//!
//! Before a due date: the stages `T-30` … `T-1` and `due`, from the configured days. After it:
//! `overdue-1` the next day, then one every `overdue_every_days`. Only the latest stage reached
//! is planned, so a worker that was down for days sends one catch-up reminder, not every stage it
//! missed; the ledger's unique key makes each stage go out once.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use super::WorkCalendar;
use crate::{
    config::ReminderSettings,
    email::EmailAddress,
    model::{DueKind, ItemStatus},
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Largest first.
    pub days_before: Vec<u32>,
    pub overdue_every_days: u32,
    pub escalate_after_days: u32,
    pub supervisor: Option<EmailAddress>,
    /// When set, lead days count working days and nothing is planned on a day of rest.
    pub calendar: Option<WorkCalendar>,
    /// The weekday of the cooperating departments' weekly digest, if they get one.
    pub cooperating_digest: Option<Weekday>,
    /// The day of the month from which items that are only ongoing get a check-in, if they do.
    pub checkin_day: Option<u32>,
    /// Working days after which an unacknowledged reminder about an overdue item copies the
    /// supervisor, if ever.
    pub ack_escalate_after_days: Option<u32>,
}

impl Policy {
    pub fn from_settings(settings: &ReminderSettings, calendar: Option<WorkCalendar>) -> Self {
        Self {
            days_before: settings.days_before.clone(),
            overdue_every_days: settings.overdue_every_days,
            escalate_after_days: settings.escalate_after_days,
            supervisor: settings.supervisor.clone(),
            calendar,
            cooperating_digest: settings.cooperating_digest,
            checkin_day: settings.ongoing_checkin_day,
            ack_escalate_after_days: settings.ack_escalate_after_days,
        }
    }

    /// The day `n` working days before `day`: by the holiday calendar when there is one, else
    /// counting Monday to Friday.
    pub fn working_days_before(&self, day: NaiveDate, n: u32) -> NaiveDate {
        if let Some(calendar) = &self.calendar {
            return calendar.working_days_before(day, n);
        }
        let mut current = day;
        let mut left = n;
        while left > 0 {
            match current.pred_opt() {
                Some(previous) => current = previous,
                None => return current,
            }
            if current.weekday().num_days_from_monday() < 5 {
                left -= 1;
            }
        }
        current
    }

    /// Today is a day of rest under the holiday calendar: nothing is sent.
    fn rests_on(&self, today: NaiveDate) -> bool {
        self.calendar
            .as_ref()
            .is_some_and(|c| !c.is_working_day(today))
    }

    fn lead_date(&self, due_on: NaiveDate, days: u32) -> NaiveDate {
        match &self.calendar {
            Some(calendar) => calendar.working_days_before(due_on, days),
            None => due_on - Duration::days(i64::from(days)),
        }
    }
}

/// An active due date of an item, with what a reminder says about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueDateInfo {
    pub due_date_id: i64,
    pub version: i32,
    pub item_id: i64,
    pub number_text: String,
    pub title: String,
    /// 事项内容: what the item requires.
    pub content: String,
    pub status: ItemStatus,
    pub due_on: NaiveDate,
    pub kind: DueKind,
    pub label: Option<String>,
    /// (department id, name), in printed order.
    pub lead_departments: Vec<(i64, String)>,
    pub cooperating_departments: Vec<(i64, String)>,
    /// A 延期申请 on this due date awaits the office's decision.
    pub extension_pending: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactInfo {
    pub id: i64,
    pub department_id: i64,
    pub email: String,
}

/// Where a due date stands today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Before(u32),
    Overdue(u32),
    /// The cooperating departments' digest of an ISO week.
    Cooperating {
        year: i32,
        week: u32,
    },
    /// The monthly check-in of an item that is only ongoing.
    CheckIn {
        year: i32,
        month: u32,
    },
}

impl Stage {
    /// The ledger's stage key: `T-7`, `due`, `overdue-2`.
    pub fn key(&self) -> String {
        match self {
            Self::Before(0) => "due".to_owned(),
            Self::Before(days) => format!("T-{days}"),
            Self::Overdue(n) => format!("overdue-{n}"),
            Self::Cooperating { year, week } => format!("coop-{year}-W{week:02}"),
            Self::CheckIn { year, month } => format!("checkin-{year}-{month:02}"),
        }
    }
}

/// An item that is only ongoing (长期坚持): no active due date, so no deadline reminders; its
/// lead departments may get a monthly check-in instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OngoingItemInfo {
    pub item_id: i64,
    pub number_text: String,
    pub title: String,
    /// 事项内容: what the item requires.
    pub content: String,
    pub status: ItemStatus,
    /// (department id, name), in printed order.
    pub lead_departments: Vec<(i64, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedReminder {
    /// `None` for a check-in, which is about an item, not a due date.
    pub due_date_id: Option<i64>,
    pub due_date_version: i32,
    pub item_id: i64,
    pub department_id: i64,
    pub contact_id: i64,
    pub contact_email: String,
    pub stage: Stage,
    /// The day this stage was reached.
    pub planned_for: NaiveDate,
    /// Days until the due date; negative when overdue.
    pub days_left: i64,
    /// Overdue past the escalation threshold with a supervisor configured.
    pub escalate: bool,
}

impl PlannedReminder {
    fn new(
        due_date: &DueDateInfo,
        department_id: i64,
        contact: &ContactInfo,
        stage: Stage,
        planned_for: NaiveDate,
        days_left: i64,
        escalate: bool,
    ) -> Self {
        Self {
            due_date_id: Some(due_date.due_date_id),
            due_date_version: due_date.version,
            item_id: due_date.item_id,
            department_id,
            contact_id: contact.id,
            contact_email: contact.email.clone(),
            stage,
            planned_for,
            days_left,
            escalate,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanOutcome {
    pub reminders: Vec<PlannedReminder>,
    /// (department name, item number) pairs due a reminder whose department has no active
    /// contact: nobody can be told, so the operator must be.
    pub uncontacted: Vec<(String, String)>,
    /// Today is a day of rest under the holiday calendar: nothing planned.
    pub day_of_rest: bool,
}

/// Plans this month's check-ins: from the configured day of the month on, one per (item that
/// is only ongoing, lead department, contact) and month. Planned again on later days of the
/// month, they are the same ledger rows, so a worker that was down on the day still sends each
/// once. Nothing on a day of rest under the holiday calendar.
pub fn plan_checkins(
    items: &[OngoingItemInfo],
    contacts: &[ContactInfo],
    policy: &Policy,
    today: NaiveDate,
) -> PlanOutcome {
    let mut outcome = PlanOutcome::default();
    let Some(day) = policy.checkin_day else {
        return outcome;
    };
    if policy.rests_on(today) {
        outcome.day_of_rest = true;
        return outcome;
    }
    let Some(from) = today.with_day(day).filter(|from| *from <= today) else {
        return outcome;
    };
    let stage = Stage::CheckIn {
        year: today.year(),
        month: today.month(),
    };
    for item in items {
        if super::quiet(item.status) {
            continue;
        }
        for (department_id, department_name) in &item.lead_departments {
            let mut told = false;
            for contact in contacts
                .iter()
                .filter(|c| c.department_id == *department_id)
            {
                told = true;
                outcome.reminders.push(PlannedReminder {
                    due_date_id: None,
                    due_date_version: 0,
                    item_id: item.item_id,
                    department_id: *department_id,
                    contact_id: contact.id,
                    contact_email: contact.email.clone(),
                    stage: stage.clone(),
                    planned_for: from,
                    days_left: 0,
                    escalate: false,
                });
            }
            if !told {
                outcome
                    .uncontacted
                    .push((department_name.clone(), item.number_text.clone()));
            }
        }
    }
    outcome
}

/// The stage `due_on` has reached on `today`, with the day it was reached.
fn stage_on(due_on: NaiveDate, today: NaiveDate, policy: &Policy) -> Option<(Stage, NaiveDate)> {
    if today <= due_on {
        // Smallest configured lead whose trigger day has come.
        policy
            .days_before
            .iter()
            .rev()
            .map(|&days| (days, policy.lead_date(due_on, days)))
            .find(|(_, trigger)| *trigger <= today)
            .map(|(days, trigger)| (Stage::Before(days), trigger))
    } else {
        let overdue = (today - due_on).num_days();
        let every = i64::from(policy.overdue_every_days.max(1));
        let n = (overdue - 1) / every + 1;
        let reached = due_on + Duration::days(1 + (n - 1) * every);
        Some((
            Stage::Overdue(u32::try_from(n).unwrap_or(u32::MAX)),
            reached,
        ))
    }
}

/// Plans today's reminders: one per (due date, lead department, contact) that reached a stage.
pub fn plan(
    due: &[DueDateInfo],
    contacts: &[ContactInfo],
    policy: &Policy,
    today: NaiveDate,
) -> PlanOutcome {
    let mut outcome = PlanOutcome::default();
    if policy.rests_on(today) {
        outcome.day_of_rest = true;
        return outcome;
    }
    let mut by_department: HashMap<i64, Vec<&ContactInfo>> = HashMap::new();
    for contact in contacts {
        by_department
            .entry(contact.department_id)
            .or_default()
            .push(contact);
    }
    for due_date in due {
        if super::quiet(due_date.status) {
            continue;
        }
        let Some((stage, planned_for)) = stage_on(due_date.due_on, today, policy) else {
            continue;
        };
        let days_left = (due_date.due_on - today).num_days();
        let escalate =
            policy.supervisor.is_some() && -days_left > i64::from(policy.escalate_after_days);
        for (department_id, department_name) in &due_date.lead_departments {
            let department_contacts = by_department
                .get(department_id)
                .map_or(&[][..], Vec::as_slice);
            for contact in department_contacts {
                outcome.reminders.push(PlannedReminder::new(
                    due_date,
                    *department_id,
                    contact,
                    stage.clone(),
                    planned_for,
                    days_left,
                    escalate,
                ));
            }
            if department_contacts.is_empty() {
                outcome
                    .uncontacted
                    .push((department_name.clone(), due_date.number_text.clone()));
            }
        }
    }
    if policy.cooperating_digest == Some(today.weekday()) {
        plan_cooperating(due, &by_department, policy, today, &mut outcome);
    }
    outcome
}

/// The weekly digest of cooperating departments: items they cooperate on that are due within
/// the longest lead, or overdue.
fn plan_cooperating(
    due: &[DueDateInfo],
    by_department: &HashMap<i64, Vec<&ContactInfo>>,
    policy: &Policy,
    today: NaiveDate,
    outcome: &mut PlanOutcome,
) {
    let horizon = i64::from(policy.days_before.first().copied().unwrap_or(0));
    let week = today.iso_week();
    let stage = Stage::Cooperating {
        year: week.year(),
        week: week.week(),
    };
    for due_date in due {
        let days_left = (due_date.due_on - today).num_days();
        if super::quiet(due_date.status) || days_left > horizon {
            continue;
        }
        for (department_id, _) in &due_date.cooperating_departments {
            for contact in by_department
                .get(department_id)
                .map_or(&[][..], Vec::as_slice)
            {
                outcome.reminders.push(PlannedReminder::new(
                    due_date,
                    *department_id,
                    contact,
                    stage.clone(),
                    today,
                    days_left,
                    false,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use test_support::date as d;

    fn policy() -> Policy {
        Policy {
            days_before: vec![30, 14, 7, 3, 1, 0],
            overdue_every_days: 7,
            escalate_after_days: 14,
            supervisor: None,
            calendar: None,
            cooperating_digest: None,
            checkin_day: None,
            ack_escalate_after_days: None,
        }
    }

    fn due(due_on: NaiveDate) -> DueDateInfo {
        DueDateInfo {
            due_date_id: 1,
            version: 1,
            item_id: 10,
            number_text: "三".into(),
            title: "提高救助保障水平".into(),
            content: String::new(),
            status: ItemStatus::Open,
            due_on,
            kind: DueKind::Final,
            label: None,
            lead_departments: vec![(100, "市民政局".into()), (200, "团市委".into())],
            cooperating_departments: vec![(300, "市财政局".into())],
            extension_pending: false,
        }
    }

    fn contacts() -> Vec<ContactInfo> {
        vec![
            ContactInfo {
                id: 1,
                department_id: 100,
                email: "a@mz.example.cn".into(),
            },
            ContactInfo {
                id: 2,
                department_id: 100,
                email: "b@mz.example.cn".into(),
            },
            ContactInfo {
                id: 3,
                department_id: 200,
                email: "c@tsw.example.cn".into(),
            },
        ]
    }

    /// The stage keys planned on `today` for one due date.
    fn stages(due_on: NaiveDate, today: NaiveDate, policy: &Policy) -> Vec<String> {
        let mut keys: Vec<String> = plan(&[due(due_on)], &contacts(), policy, today)
            .reminders
            .iter()
            .map(|r| r.stage.key())
            .collect();
        keys.dedup();
        keys
    }

    #[test]
    fn each_stage_on_its_day() {
        let due_on = d(2021, 6, 30);
        let p = policy();
        assert!(
            stages(due_on, d(2021, 5, 30), &p).is_empty(),
            "31 days before: nothing yet"
        );
        assert_eq!(stages(due_on, d(2021, 5, 31), &p), ["T-30"]);
        assert_eq!(stages(due_on, d(2021, 6, 16), &p), ["T-14"]);
        assert_eq!(stages(due_on, d(2021, 6, 23), &p), ["T-7"]);
        assert_eq!(stages(due_on, d(2021, 6, 27), &p), ["T-3"]);
        assert_eq!(stages(due_on, d(2021, 6, 29), &p), ["T-1"]);
        assert_eq!(stages(due_on, d(2021, 6, 30), &p), ["due"]);
    }

    #[test]
    fn every_lead_contact_gets_one_and_cooperating_departments_none() {
        let out = plan(
            &[due(d(2021, 6, 30))],
            &contacts(),
            &policy(),
            d(2021, 6, 23),
        );
        let to: Vec<&str> = out
            .reminders
            .iter()
            .map(|r| r.contact_email.as_str())
            .collect();
        assert_eq!(
            to,
            ["a@mz.example.cn", "b@mz.example.cn", "c@tsw.example.cn"]
        );
        assert!(
            out.reminders
                .iter()
                .all(|r| r.days_left == 7 && r.planned_for == d(2021, 6, 23))
        );
    }

    #[test]
    fn between_stages_the_latest_reached_is_planned_once_for_catch_up() {
        let due_on = d(2021, 6, 30);
        // A worker down since before T-14 that wakes on 25 June: only T-7, reached on 23 June.
        let out = plan(&[due(due_on)], &contacts(), &policy(), d(2021, 6, 25));
        assert!(
            out.reminders
                .iter()
                .all(|r| r.stage == Stage::Before(7) && r.planned_for == d(2021, 6, 23))
        );
    }

    #[test]
    fn overdue_every_seven_days_then_escalation() {
        let due_on = d(2021, 6, 30);
        let mut p = policy();
        assert_eq!(stages(due_on, d(2021, 7, 1), &p), ["overdue-1"]);
        assert_eq!(stages(due_on, d(2021, 7, 7), &p), ["overdue-1"]);
        assert_eq!(stages(due_on, d(2021, 7, 8), &p), ["overdue-2"]);
        assert_eq!(stages(due_on, d(2021, 7, 15), &p), ["overdue-3"]);
        let quiet = plan(&[due(due_on)], &contacts(), &p, d(2021, 7, 15));
        assert!(
            quiet.reminders.iter().all(|r| !r.escalate),
            "no supervisor configured"
        );

        p.supervisor = Some(EmailAddress::parse("dcs@example.cn").expect("address"));
        let day_14 = plan(&[due(due_on)], &contacts(), &p, d(2021, 7, 14));
        assert!(
            day_14.reminders.iter().all(|r| !r.escalate),
            "14 days overdue is not more than 14"
        );
        let day_15 = plan(&[due(due_on)], &contacts(), &p, d(2021, 7, 15));
        assert!(
            day_15
                .reminders
                .iter()
                .all(|r| r.escalate && r.days_left == -15)
        );
    }

    #[test]
    fn month_ends_and_leap_years() {
        let p = policy();
        // Due 1 March: T-1 is the last day of February.
        assert_eq!(stages(d(2024, 3, 1), d(2024, 2, 29), &p), ["T-1"]);
        assert_eq!(stages(d(2021, 3, 1), d(2021, 2, 28), &p), ["T-1"]);
        // T-30 of 31 March counts back across February.
        assert_eq!(stages(d(2024, 3, 31), d(2024, 3, 1), &p), ["T-30"]);
        assert!(stages(d(2021, 3, 31), d(2021, 2, 28), &p).is_empty());
        assert_eq!(stages(d(2021, 3, 31), d(2021, 3, 1), &p), ["T-30"]);
        // Overdue across a year end.
        assert_eq!(stages(d(2021, 12, 31), d(2022, 1, 1), &p), ["overdue-1"]);
    }

    #[test]
    fn done_and_closed_items_are_not_reminded() {
        for status in [ItemStatus::Done, ItemStatus::Closed] {
            let mut item = due(d(2021, 6, 30));
            item.status = status;
            assert!(
                plan(&[item], &contacts(), &policy(), d(2021, 7, 20))
                    .reminders
                    .is_empty()
            );
        }
        let mut in_progress = due(d(2021, 6, 30));
        in_progress.status = ItemStatus::InProgress;
        assert!(
            !plan(&[in_progress], &contacts(), &policy(), d(2021, 6, 30))
                .reminders
                .is_empty()
        );
    }

    #[test]
    fn working_days_shift_lead_days_and_rest_days_send_nothing() {
        let calendar = WorkCalendar::parse("rest = [2021-10-01, 2021-10-04, 2021-10-05, 2021-10-06, 2021-10-07]\nwork = [2021-09-26, 2021-10-09]")
            .expect("calendar");
        let mut p = policy();
        p.calendar = Some(calendar);
        let due_on = d(2021, 10, 8);
        // T-3 in working days is Tuesday 28 September (the holiday week does not count).
        assert_eq!(stages(due_on, d(2021, 9, 28), &p), ["T-3"]);
        assert_eq!(stages(due_on, d(2021, 9, 30), &p), ["T-1"]);
        let holiday = plan(&[due(due_on)], &contacts(), &p, d(2021, 10, 4));
        assert!(holiday.day_of_rest && holiday.reminders.is_empty());
        // The make-up Sunday is a working day.
        assert!(!plan(&[due(due_on)], &contacts(), &p, d(2021, 9, 26)).day_of_rest);
    }

    #[test]
    fn a_lead_department_without_contacts_is_reported() {
        let only_first: Vec<ContactInfo> = contacts()
            .into_iter()
            .filter(|c| c.department_id == 100)
            .collect();
        let out = plan(
            &[due(d(2021, 6, 30))],
            &only_first,
            &policy(),
            d(2021, 6, 23),
        );
        assert_eq!(out.uncontacted, [("团市委".to_owned(), "三".to_owned())]);
        assert_eq!(out.reminders.len(), 2);
    }

    #[test]
    fn cooperating_departments_hear_weekly_when_configured() {
        let mut with_finance = contacts();
        with_finance.push(ContactInfo {
            id: 4,
            department_id: 300,
            email: "f@cz.example.cn".into(),
        });
        // 23 June 2021 is a Wednesday.
        let wednesday = d(2021, 6, 23);
        let off = plan(&[due(d(2021, 6, 30))], &with_finance, &policy(), wednesday);
        assert!(
            off.reminders.iter().all(|r| r.department_id != 300),
            "off by default"
        );

        let mut p = policy();
        p.cooperating_digest = Some(Weekday::Wed);
        let weekly = plan(
            &[due(d(2021, 6, 30)), due(d(2021, 9, 30))],
            &with_finance,
            &p,
            wednesday,
        );
        let coop: Vec<_> = weekly
            .reminders
            .iter()
            .filter(|r| r.department_id == 300)
            .collect();
        assert_eq!(coop.len(), 1, "only the item within the 30-day horizon");
        assert_eq!(coop[0].stage.key(), "coop-2021-W25");
        assert!(
            plan(&[due(d(2021, 6, 30))], &with_finance, &p, d(2021, 6, 24))
                .reminders
                .iter()
                .all(|r| r.department_id != 300),
            "only on its weekday"
        );
    }

    #[test]
    fn stage_keys() {
        assert_eq!(Stage::Before(7).key(), "T-7");
        assert_eq!(Stage::Before(0).key(), "due");
        assert_eq!(Stage::Overdue(2).key(), "overdue-2");
    }

    fn ongoing(status: ItemStatus) -> OngoingItemInfo {
        OngoingItemInfo {
            item_id: 60,
            number_text: "六".into(),
            title: "优化政务服务".into(),
            content: String::new(),
            status,
            lead_departments: vec![(100, "市民政局".into()), (400, "市大数据局".into())],
        }
    }

    fn checkins(policy: &Policy, today: NaiveDate) -> PlanOutcome {
        plan_checkins(&[ongoing(ItemStatus::Open)], &contacts(), policy, today)
    }

    #[test]
    fn ongoing_items_get_a_monthly_check_in_from_the_configured_day() {
        let off = policy();
        assert!(
            checkins(&off, d(2021, 7, 20)).reminders.is_empty(),
            "off by default"
        );

        let policy = Policy {
            checkin_day: Some(5),
            ..policy()
        };
        assert!(
            checkins(&policy, d(2021, 7, 4)).reminders.is_empty(),
            "not before the day"
        );
        let on_the_day = checkins(&policy, d(2021, 7, 5));
        let to: Vec<(&str, String)> = on_the_day
            .reminders
            .iter()
            .map(|r| (r.contact_email.as_str(), r.stage.key()))
            .collect();
        assert_eq!(
            to,
            [
                ("a@mz.example.cn", "checkin-2021-07".to_owned()),
                ("b@mz.example.cn", "checkin-2021-07".to_owned()),
            ]
        );
        assert!(
            on_the_day
                .reminders
                .iter()
                .all(|r| r.due_date_id.is_none() && r.item_id == 60)
        );
        // The other lead department has no contact: the operator is told.
        assert_eq!(
            on_the_day.uncontacted,
            [("市大数据局".to_owned(), "六".to_owned())]
        );
        // Later in the month: the same ledger rows (the key), planned for the day they fell due.
        let later = checkins(&policy, d(2021, 7, 28));
        assert_eq!(later.reminders[0].stage.key(), "checkin-2021-07");
        assert_eq!(later.reminders[0].planned_for, d(2021, 7, 5));
        // Next month: a new check-in, across the year end too.
        assert_eq!(
            checkins(&policy, d(2021, 8, 5)).reminders[0].stage.key(),
            "checkin-2021-08"
        );
        assert_eq!(
            checkins(&policy, d(2022, 1, 31)).reminders[0].stage.key(),
            "checkin-2022-01"
        );
        // Done and closed items are not asked about.
        for status in [ItemStatus::Done, ItemStatus::Closed] {
            assert!(
                plan_checkins(&[ongoing(status)], &contacts(), &policy, d(2021, 7, 5))
                    .reminders
                    .is_empty()
            );
        }
    }

    #[test]
    fn no_check_in_on_a_day_of_rest() {
        let calendar = WorkCalendar::parse("rest = [2021-10-01, 2021-10-04]\nwork = [2021-10-09]")
            .expect("calendar");
        let policy = Policy {
            checkin_day: Some(1),
            calendar: Some(calendar),
            ..policy()
        };
        let holiday = checkins(&policy, d(2021, 10, 1));
        assert!(holiday.day_of_rest && holiday.reminders.is_empty());
        // The first working day after it sends the month's check-in.
        assert_eq!(
            checkins(&policy, d(2021, 10, 8)).reminders[0].stage.key(),
            "checkin-2021-10"
        );
    }
}
