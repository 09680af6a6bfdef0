//! What one contact hears in one run: the reminders of a run grouped into one digest per contact
//! address and role, each item once, sorted by date, with its subject line. Pure: the caller
//! passes the delivery rows and what they are about. The worker renders the body and sends it;
//! `previewReminders` shows the same digests.
//!
//! The subject lines are templates (`subjects/`), so that their wording is text, not code; values
//! are substituted once and never read as template text.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    sync::LazyLock,
};

use chrono::{Datelike, NaiveDate};
use minijinja::{Environment, UndefinedBehavior, context};

use super::{DueDateInfo, OngoingItemInfo, Policy};
use crate::{email::EmailAddress, model::DueKind};

/// Whether the recipient leads the items or cooperates on them, or is asked for progress on
/// items that are only ongoing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Lead,
    Cooperating,
    /// The monthly check-in of lead departments on items that are only ongoing (长期坚持).
    CheckIn,
}

/// One item in a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestLine {
    pub number_text: String,
    pub title: String,
    /// What the item requires (事项内容), shortened to a sentence or two ([`requirement`]).
    pub requirement: String,
    /// `None` for an item that is only ongoing.
    pub due_on: Option<NaiveDate>,
    pub kind: DueKind,
    pub label: Option<String>,
    /// Negative when overdue.
    pub days_left: i64,
    pub other_leads: Vec<String>,
    /// A 延期申请 on this due date awaits the office's decision.
    pub extension_pending: bool,
    /// Earlier reminders about this due date to this address that nobody acknowledged (签收).
    pub unacknowledged: u64,
}

/// Everything one contact hears in one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    pub role: Role,
    pub to: String,
    pub department: String,
    pub lines: Vec<DigestLine>,
    /// Copy the supervisor: something in it is overdue past the escalation threshold.
    pub cc: Option<EmailAddress>,
    /// The delivery rows this email delivers.
    pub delivery_ids: Vec<i64>,
}

/// `2021年6月30日`.
pub fn chinese_date(day: NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

/// The most of 事项内容 a reminder quotes.
const REQUIREMENT_CHARS: usize = 80;

/// 事项内容 as a reminder quotes it: on one line, whole when short, else up to the last full
/// sentence (。；) within 80 characters, else cut at 80 with an ellipsis.
pub fn requirement(content: &str) -> String {
    let one_line: String = content.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= REQUIREMENT_CHARS {
        return one_line;
    }
    let head: String = one_line.chars().take(REQUIREMENT_CHARS).collect();
    match head.rfind(['。', '；']) {
        Some(end) if end > 0 => head[..end + '。'.len_utf8()].to_owned(),
        _ => format!("{}…", head.trim_end()),
    }
}

/// `还剩3天`, `今天到期`, `已逾期2天`.
pub fn days_text(days_left: i64) -> String {
    match days_left {
        0 => "今天到期".to_owned(),
        d if d > 0 => format!("还剩{d}天"),
        d => format!("已逾期{}天", -d),
    }
}

const SUBJECTS: &[(&str, &str)] = &[
    ("upcoming", include_str!("subjects/upcoming.txt")),
    ("overdue", include_str!("subjects/overdue.txt")),
    ("cooperating", include_str!("subjects/cooperating.txt")),
    ("checkin", include_str!("subjects/checkin.txt")),
];

static SUBJECT_TEMPLATES: LazyLock<Result<Environment<'static>, minijinja::Error>> =
    LazyLock::new(|| {
        let mut env = Environment::new();
        // A misspelt variable is an error, not an empty string in someone's inbox.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in SUBJECTS {
            env.add_template(name, source)?;
        }
        Ok(env)
    });

fn subject_line(name: &str, context: minijinja::Value) -> Result<String, String> {
    let env = SUBJECT_TEMPLATES
        .as_ref()
        .map_err(|e| format!("the subject templates do not compile: {e:#}"))?;
    env.get_template(name)
        .and_then(|t| t.render(context))
        .map(|s| s.trim().to_owned())
        .map_err(|e| format!("subject template {name}: {e:#}"))
}

impl Digest {
    /// Lines by due date, then number.
    pub fn sort(&mut self) {
        self.lines
            .sort_by(|a, b| (a.due_on, &a.number_text).cmp(&(b.due_on, &b.number_text)));
    }

    /// The earliest due date listed, in Chinese.
    fn nearest(&self) -> String {
        self.lines
            .iter()
            .filter_map(|l| l.due_on)
            .min()
            .map(chinese_date)
            .unwrap_or_default()
    }

    /// The subject line, e.g. `【临期提醒】3项重点民生事项即将到期(最近:2021年6月30日)`.
    pub fn subject(&self) -> Result<String, String> {
        let count = self.lines.len();
        let nearest = self.nearest();
        match self.role {
            Role::CheckIn => subject_line("checkin", context! { count }),
            Role::Cooperating => subject_line("cooperating", context! { count, nearest }),
            Role::Lead => {
                let overdue = self.lines.iter().filter(|l| l.days_left < 0).count();
                if overdue == 0 {
                    return subject_line("upcoming", context! { count, nearest });
                }
                let upcoming = count - overdue;
                let and_upcoming = if upcoming > 0 {
                    format!("，另有{upcoming}项即将到期")
                } else {
                    String::new()
                };
                subject_line(
                    "overdue",
                    context! { overdue, and_upcoming, earliest => nearest },
                )
            }
        }
    }

    /// The digest as a preview lists it: who gets it, its subject and its items
    /// (`三、改善城市公共交通`); what `previewReminders` and `worker run-once --dry-run` show.
    pub fn preview(&self) -> Result<PreviewMessage, String> {
        Ok(PreviewMessage {
            to: self.to.clone(),
            cc: self.cc.as_ref().map(EmailAddress::to_string),
            subject: self.subject()?,
            items: self
                .lines
                .iter()
                .map(|l| format!("{}、{}", l.number_text, l.title))
                .collect(),
        })
    }
}

/// A digest as a preview shows it ([`Digest::preview`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewMessage {
    pub to: String,
    /// The supervisor's copy on escalations.
    pub cc: Option<String>,
    pub subject: String,
    /// `三、改善城市公共交通`, one per item listed.
    pub items: Vec<String>,
}

/// What a delivery row reminds of: a due date, or (a monthly check-in) an item that is only
/// ongoing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Concern {
    DueDate(i64),
    CheckIn(i64),
}

impl Concern {
    /// From a delivery row's columns: a due date if it names one, else its item.
    pub fn of(due_date_id: Option<i64>, item_id: Option<i64>) -> Option<Self> {
        match (due_date_id, item_id) {
            (Some(id), _) => Some(Self::DueDate(id)),
            (None, Some(item)) => Some(Self::CheckIn(item)),
            (None, None) => None,
        }
    }
}

/// A delivery row (or, in a preview, a planned one) to put in a digest.
#[derive(Clone, Debug)]
pub struct Row {
    pub delivery_id: i64,
    pub department_id: i64,
    pub email: String,
    pub concern: Concern,
}

/// What the rows are about, as the database has it now.
#[derive(Default)]
pub struct Known {
    due_dates: HashMap<i64, DueDateInfo>,
    ongoing: HashMap<i64, OngoingItemInfo>,
    /// (due date, department) pairs whose overdue reminder nobody acknowledged in time.
    unacknowledged: HashSet<(i64, i64)>,
    /// Reminders sent and not acknowledged, by (due date, contact address).
    unacknowledged_counts: HashMap<(i64, String), u64>,
}

impl Known {
    pub fn new(due: Vec<DueDateInfo>, ongoing: Vec<OngoingItemInfo>) -> Self {
        Self {
            due_dates: due.into_iter().map(|d| (d.due_date_id, d)).collect(),
            ongoing: ongoing.into_iter().map(|i| (i.item_id, i)).collect(),
            unacknowledged: HashSet::new(),
            unacknowledged_counts: HashMap::new(),
        }
    }

    /// How many reminders each (due date, contact address) was sent and did not acknowledge:
    /// a 催办 says so.
    pub fn with_unacknowledged_counts(mut self, counts: HashMap<(i64, String), u64>) -> Self {
        self.unacknowledged_counts = counts;
        self
    }

    /// Marks (due date, department) pairs whose earlier overdue reminder nobody acknowledged
    /// in time: their reminder in this run copies the supervisor.
    pub fn with_unacknowledged(mut self, pairs: HashSet<(i64, i64)>) -> Self {
        self.unacknowledged = pairs;
        self
    }

    /// The due dates known, for the caller's further reads.
    pub fn due_date_ids(&self) -> Vec<i64> {
        self.due_dates.keys().copied().collect()
    }
}

fn name_in(departments: &[(i64, String)], department_id: i64) -> Option<String> {
    departments
        .iter()
        .find(|(id, _)| *id == department_id)
        .map(|(_, name)| name.clone())
}

fn others(departments: &[(i64, String)], department_id: i64) -> Vec<String> {
    departments
        .iter()
        .filter(|(id, _)| *id != department_id)
        .map(|(_, name)| name.clone())
        .collect()
}

/// Groups reminders into one digest per contact address and role (lead, cooperating, or the
/// monthly check-in). A row whose due date is no longer active, or whose department no longer
/// has a part in the item, is in no digest: the caller marks it skipped.
pub fn digests(rows: &[Row], known: &Known, policy: &Policy, today: NaiveDate) -> Vec<Digest> {
    let mut by_contact: BTreeMap<(&str, Role), Digest> = BTreeMap::new();
    for row in rows {
        let (role, department, line) = match row.concern {
            Concern::DueDate(id) => {
                let Some(info) = known.due_dates.get(&id) else {
                    continue;
                };
                if super::quiet(info.status) {
                    continue;
                }
                let lead = name_in(&info.lead_departments, row.department_id);
                let cooperating = name_in(&info.cooperating_departments, row.department_id);
                let (role, department) = match (lead, cooperating) {
                    (Some(name), _) => (Role::Lead, name),
                    (None, Some(name)) => (Role::Cooperating, name),
                    (None, None) => continue,
                };
                let line = DigestLine {
                    number_text: info.number_text.clone(),
                    title: info.title.clone(),
                    requirement: requirement(&info.content),
                    due_on: Some(info.due_on),
                    kind: info.kind,
                    label: info.label.clone(),
                    days_left: (info.due_on - today).num_days(),
                    other_leads: others(&info.lead_departments, row.department_id),
                    extension_pending: info.extension_pending,
                    unacknowledged: known
                        .unacknowledged_counts
                        .get(&(id, row.email.to_lowercase()))
                        .copied()
                        .unwrap_or_default(),
                };
                (role, department, line)
            }
            Concern::CheckIn(item_id) => {
                let Some(item) = known.ongoing.get(&item_id) else {
                    continue;
                };
                if super::quiet(item.status) {
                    continue;
                }
                let Some(department) = name_in(&item.lead_departments, row.department_id) else {
                    continue;
                };
                let line = DigestLine {
                    number_text: item.number_text.clone(),
                    title: item.title.clone(),
                    requirement: requirement(&item.content),
                    due_on: None,
                    kind: DueKind::Final,
                    label: None,
                    days_left: 0,
                    other_leads: others(&item.lead_departments, row.department_id),
                    extension_pending: false,
                    unacknowledged: 0,
                };
                (Role::CheckIn, department, line)
            }
        };
        let digest = by_contact
            .entry((row.email.as_str(), role))
            .or_insert_with(|| Digest {
                role,
                to: row.email.clone(),
                department: department.clone(),
                lines: Vec::new(),
                cc: None,
                delivery_ids: Vec::new(),
            });
        // One address for two departments (a shared office mailbox) is greeted as both.
        if !digest.department.split('、').any(|d| d == department) {
            digest.department.push('、');
            digest.department.push_str(&department);
        }
        digest.delivery_ids.push(row.delivery_id);
        let unacknowledged = matches!(row.concern, Concern::DueDate(id)
            if known.unacknowledged.contains(&(id, row.department_id)));
        if role == Role::Lead
            && (-line.days_left > i64::from(policy.escalate_after_days) || unacknowledged)
        {
            digest.cc.clone_from(&policy.supervisor);
        }
        // A contact of two lead departments of one item hears of it once.
        if !digest.lines.contains(&line) {
            digest.lines.push(line);
        }
    }
    let mut out: Vec<Digest> = by_contact
        .into_values()
        .filter(|d| !d.lines.is_empty())
        .collect();
    for d in &mut out {
        // A mailbox of two lead departments of one item: the item once, and its other lead
        // departments are those the mailbox does not speak for.
        let own: Vec<&str> = d.department.split('、').collect();
        let mut lines: Vec<DigestLine> = Vec::with_capacity(d.lines.len());
        for mut line in std::mem::take(&mut d.lines) {
            line.other_leads
                .retain(|name| !own.contains(&name.as_str()));
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        d.lines = lines;
        d.sort();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(role: Role, days_left: [i64; 2]) -> Digest {
        let line = |n: &str, days: i64| DigestLine {
            number_text: n.into(),
            title: "事项".into(),
            requirement: String::new(),
            due_on: NaiveDate::from_ymd_opt(2023, 6, 30),
            kind: DueKind::Final,
            label: None,
            days_left: days,
            other_leads: vec![],
            extension_pending: false,
            unacknowledged: 0,
        };
        Digest {
            role,
            to: "a@b.cn".into(),
            department: "{{ count }}局".into(),
            lines: vec![line("一", days_left[0]), line("二", days_left[1])],
            cc: None,
            delivery_ids: vec![1, 2],
        }
    }

    #[test]
    fn a_requirement_is_quoted_whole_or_to_its_last_sentence() {
        assert_eq!(
            requirement(" 新建城市书房10处。\n 每处不少于200平方米。"),
            "新建城市书房10处。 每处不少于200平方米。"
        );
        let long = format!(
            "{}。{}",
            "改造老旧小区供水管网".repeat(5),
            "同步实施雨污分流改造".repeat(5)
        );
        assert_eq!(
            requirement(&long),
            format!("{}。", "改造老旧小区供水管网".repeat(5))
        );
        let cut = requirement(&"提".repeat(100));
        assert_eq!(cut.chars().count(), 81);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn subjects_count_and_name_the_nearest_date() {
        assert_eq!(
            digest(Role::Lead, [7, 3]).subject(),
            Ok("【临期提醒】2项重点民生事项即将到期（最近：2023年6月30日）".into())
        );
        assert_eq!(
            digest(Role::Lead, [-1, 3]).subject(),
            Ok("【逾期提醒】1项重点民生事项已逾期，另有1项即将到期（最早：2023年6月30日）".into())
        );
        assert!(
            digest(Role::Cooperating, [7, 3])
                .subject()
                .is_ok_and(|s| s.starts_with("【协办提醒】本周2项"))
        );
        assert!(
            digest(Role::CheckIn, [0, 0])
                .subject()
                .is_ok_and(|s| s.contains("请报送2项"))
        );
    }

    #[test]
    fn one_address_for_two_departments_is_greeted_as_both() {
        let due = |id: i64, lead: (i64, &str)| super::super::DueDateInfo {
            due_date_id: id,
            version: 1,
            item_id: id,
            number_text: id.to_string(),
            title: "事项".into(),
            content: String::new(),
            status: crate::model::ItemStatus::InProgress,
            due_on: NaiveDate::from_ymd_opt(2023, 6, 30).unwrap_or_default(),
            kind: DueKind::Final,
            label: None,
            lead_departments: vec![(lead.0, lead.1.to_owned())],
            cooperating_departments: vec![],
            extension_pending: false,
        };
        let known = Known::new(
            vec![due(1, (10, "市民政局")), due(2, (20, "市卫健委"))],
            vec![],
        );
        let row = |delivery_id: i64, department_id: i64, due_date: i64| Row {
            delivery_id,
            department_id,
            email: "office@example.cn".into(),
            concern: Concern::DueDate(due_date),
        };
        let policy = Policy {
            days_before: vec![7],
            overdue_every_days: 7,
            escalate_after_days: 14,
            supervisor: None,
            calendar: None,
            cooperating_digest: None,
            checkin_day: None,
            ack_escalate_after_days: None,
        };
        let today = NaiveDate::from_ymd_opt(2023, 6, 25).unwrap_or_default();
        let sent = digests(
            &[row(1, 10, 1), row(2, 20, 2), row(3, 10, 1)],
            &known,
            &policy,
            today,
        );
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].department, "市民政局、市卫健委");
        // One item led by both departments of the mailbox: once, with no other lead department.
        let both = super::super::DueDateInfo {
            lead_departments: vec![(10, "市民政局".into()), (20, "市卫健委".into())],
            ..due(3, (10, "市民政局"))
        };
        let known = Known::new(vec![both], vec![]);
        let sent = digests(&[row(4, 10, 3), row(5, 20, 3)], &known, &policy, today);
        assert_eq!(sent[0].lines.len(), 1, "{:?}", sent[0].lines);
        assert!(sent[0].lines[0].other_leads.is_empty());
    }

    #[test]
    fn days_read_as_people_say_them() {
        assert_eq!(days_text(3), "还剩3天");
        assert_eq!(days_text(0), "今天到期");
        assert_eq!(days_text(-2), "已逾期2天");
    }
}
