//! One email per contact per run: every item due in that run, sorted by date, in Chinese, with a
//! plain-text and an HTML part. The wording lives in `templates/`, not in code.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::{
    email::{EmailAddress, Mailbox},
    model::DueKind,
};
use lettre::{
    Message,
    message::{Mailbox as LettreMailbox, MultiPart},
};

const SUBJECT_UPCOMING: &str = include_str!("../templates/subject_upcoming.txt");
const SUBJECT_OVERDUE: &str = include_str!("../templates/subject_overdue.txt");
const BODY_TEXT: &str = include_str!("../templates/reminder.txt");
const ITEM_TEXT: &str = include_str!("../templates/reminder_item.txt");
const BODY_HTML: &str = include_str!("../templates/reminder.html");
const ITEM_HTML: &str = include_str!("../templates/reminder_item.html");
const SUBJECT_COOPERATING: &str = include_str!("../templates/subject_cooperating.txt");
const COOPERATING_TEXT: &str = include_str!("../templates/cooperating.txt");
const COOPERATING_ITEM_TEXT: &str = include_str!("../templates/cooperating_item.txt");
const COOPERATING_HTML: &str = include_str!("../templates/cooperating.html");
const COOPERATING_ITEM_HTML: &str = include_str!("../templates/cooperating_item.html");
const SUBJECT_CHECKIN: &str = include_str!("../templates/subject_checkin.txt");
const CHECKIN_TEXT: &str = include_str!("../templates/checkin.txt");
const CHECKIN_ITEM_TEXT: &str = include_str!("../templates/checkin_item.txt");
const CHECKIN_HTML: &str = include_str!("../templates/checkin.html");
const CHECKIN_ITEM_HTML: &str = include_str!("../templates/checkin_item.html");

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
    /// `None` for an item that is only ongoing.
    pub due_on: Option<NaiveDate>,
    pub kind: DueKind,
    pub label: Option<String>,
    /// Negative when overdue.
    pub days_left: i64,
    pub other_leads: Vec<String>,
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
    /// The ledger rows this email delivers.
    pub delivery_ids: Vec<i64>,
}

pub fn chinese_date(day: NaiveDate) -> String {
    format!("{}年{}月{}日", day.year(), day.month(), day.day())
}

fn days_text(days_left: i64) -> String {
    match days_left {
        0 => "今天到期".to_owned(),
        d if d > 0 => format!("还剩{d}天"),
        d => format!("已逾期{}天", -d),
    }
}

fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    out
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
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

    pub fn subject(&self) -> String {
        let first = self.nearest();
        if self.role == Role::CheckIn {
            return fill(SUBJECT_CHECKIN, &[("count", &self.lines.len().to_string())])
                .trim()
                .to_owned();
        }
        if self.role == Role::Cooperating {
            return fill(
                SUBJECT_COOPERATING,
                &[
                    ("count", &self.lines.len().to_string()),
                    ("nearest", &first),
                ],
            )
            .trim()
            .to_owned();
        }
        let overdue: Vec<&DigestLine> = self.lines.iter().filter(|l| l.days_left < 0).collect();
        let subject = if overdue.is_empty() {
            fill(
                SUBJECT_UPCOMING,
                &[
                    ("count", &self.lines.len().to_string()),
                    ("nearest", &first),
                ],
            )
        } else {
            let upcoming = self.lines.len() - overdue.len();
            let and_upcoming = if upcoming > 0 {
                format!(",另有{upcoming}项即将到期")
            } else {
                String::new()
            };
            fill(
                SUBJECT_OVERDUE,
                &[
                    ("overdue", &overdue.len().to_string()),
                    ("and_upcoming", &and_upcoming),
                    ("earliest", &first),
                ],
            )
        };
        subject.trim().to_owned()
    }

    fn render(&self, body: &str, item: &str, today: NaiveDate, html: bool) -> String {
        let esc = |s: &str| if html { escape_html(s) } else { s.to_owned() };
        let items: String = self
            .lines
            .iter()
            .map(|l| {
                let stage_label = match (l.kind, &l.label) {
                    (DueKind::Stage, Some(label)) => format!(" 阶段性目标:{label}"),
                    (DueKind::Stage, None) => " 阶段性目标".to_owned(),
                    (DueKind::Final, _) => String::new(),
                };
                let others = if l.other_leads.is_empty() {
                    "无".to_owned()
                } else {
                    l.other_leads.join("、")
                };
                fill(
                    item,
                    &[
                        ("number", &esc(&l.number_text)),
                        ("title", &esc(&l.title)),
                        (
                            "due_on",
                            &l.due_on.map_or_else(|| "长期坚持".to_owned(), chinese_date),
                        ),
                        ("stage_label", &esc(&stage_label)),
                        ("days", &days_text(l.days_left)),
                        ("other_leads", &esc(&others)),
                    ],
                )
            })
            .collect();
        fill(
            body,
            &[
                ("department", &esc(&self.department)),
                ("subject", &esc(&self.subject())),
                ("today", &chinese_date(today)),
                ("items", &items),
            ],
        )
    }

    pub fn text(&self, today: NaiveDate) -> String {
        match self.role {
            Role::Lead => self.render(BODY_TEXT, ITEM_TEXT, today, false),
            Role::Cooperating => self.render(COOPERATING_TEXT, COOPERATING_ITEM_TEXT, today, false),
            Role::CheckIn => self.render(CHECKIN_TEXT, CHECKIN_ITEM_TEXT, today, false),
        }
    }

    pub fn html(&self, today: NaiveDate) -> String {
        match self.role {
            Role::Lead => self.render(BODY_HTML, ITEM_HTML, today, true),
            Role::Cooperating => self.render(COOPERATING_HTML, COOPERATING_ITEM_HTML, today, true),
            Role::CheckIn => self.render(CHECKIN_HTML, CHECKIN_ITEM_HTML, today, true),
        }
    }

    /// The email, with From, To, Cc, Date, Message-ID and a UTF-8 subject.
    pub fn message(
        &self,
        from: &Mailbox,
        today: NaiveDate,
        now: DateTime<Utc>,
        message_id: &str,
    ) -> Result<Message, String> {
        let from: LettreMailbox = from
            .to_string()
            .parse()
            .map_err(|e| format!("MINSHENG_MAIL_FROM: {e}"))?;
        let to: LettreMailbox = self
            .to
            .parse()
            .map_err(|e| format!("contact address {}: {e}", self.to))?;
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(self.subject())
            .date(now.into())
            .message_id(Some(message_id.to_owned()));
        if let Some(cc) = &self.cc {
            builder = builder.cc(cc
                .as_str()
                .parse()
                .map_err(|e| format!("supervisor address {cc}: {e}"))?);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                self.text(today),
                self.html(today),
            ))
            .map_err(|e| e.to_string())
    }
}

/// A Message-ID that names the rows it delivers, unique across workers and runs.
pub fn message_id(first_delivery_id: i64, now: DateTime<Utc>, from: &Mailbox) -> String {
    let domain = from
        .address
        .as_str()
        .rsplit_once('@')
        .map_or("minsheng", |(_, d)| d);
    format!(
        "<reminder.{first_delivery_id}.{}@{domain}>",
        now.timestamp_micros()
    )
}
