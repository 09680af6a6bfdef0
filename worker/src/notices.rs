//! Supervision notices, sent in each run after the reminders: one email to the office
//! (`MINSHENG_SUPERVISOR_EMAIL`) listing the new 延期申请, and one to a department's contacts
//! per decision on its request or per item sent back (退办). Each notice is claimed before it is
//! sent, so several workers send it once; a failure is retried in a later run.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::{
    DomainError,
    email::Mailbox,
    model::{NoticeKind, NoticeStatus, RequestStatus},
    reminder::digest::chinese_date,
    store::{
        delivery::reminders::today_in,
        notice::{self, Notice},
    },
};
use lettre::{Message, message::MultiPart};
use minijinja::context;
use serde::Serialize;

use crate::{
    envelope,
    jobs::send_reminders::{Context, RunReport},
    templates,
};

/// How long a claim holds before another worker may take a notice over.
const LEASE_MINUTES: i64 = 10;
/// Notices claimed at once.
const CLAIM: u64 = 100;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "notice_requested.txt",
        include_str!("../templates/notice_requested.txt"),
    ),
    (
        "notice_decided.txt",
        include_str!("../templates/notice_decided.txt"),
    ),
    (
        "notice_returned.txt",
        include_str!("../templates/notice_returned.txt"),
    ),
    (
        "notice_requested.html",
        include_str!("../templates/notice_requested.html"),
    ),
    (
        "notice_decided.html",
        include_str!("../templates/notice_decided.html"),
    ),
    (
        "notice_returned.html",
        include_str!("../templates/notice_returned.html"),
    ),
];

static ENVIRONMENT: LazyLock<templates::Compiled> = LazyLock::new(|| templates::compile(TEMPLATES));

/// The text and HTML parts of template pair `name` (`name.txt`, `name.html`).
fn render_both(name: &str, context: impl Serialize + Clone) -> Result<(String, String), String> {
    Ok((
        render(&format!("{name}.txt"), context.clone())?,
        render(&format!("{name}.html"), context)?,
    ))
}

fn render(name: &str, context: impl Serialize) -> Result<String, String> {
    templates::render(&ENVIRONMENT, name, context)
}

/// A notice as the templates see it; values are substituted once, never read as templates.
#[derive(Serialize)]
struct NoticeView {
    number: String,
    title: String,
    requested_by: String,
    due_on: String,
    proposed: String,
    reason: String,
    progress: String,
    outcome: String,
    note: String,
}

fn view(n: &Notice) -> NoticeView {
    let request = n.request.as_ref();
    NoticeView {
        number: n.item_number_text.clone(),
        title: n.item_title.clone(),
        requested_by: n.requested_by.clone().unwrap_or_else(|| "督查室".into()),
        due_on: n.requested_due_on.map(chinese_date).unwrap_or_default(),
        proposed: request
            .map(|r| chinese_date(r.proposed_due_on))
            .unwrap_or_default(),
        reason: request.map(|r| r.reason.clone()).unwrap_or_default(),
        progress: request
            .and_then(|r| r.progress_note.clone())
            .unwrap_or_default(),
        outcome: match request.map(|r| (r.status, r.granted_due_on)) {
            Some((RequestStatus::Approved, Some(granted))) => {
                format!("同意延期，完成时限调整为{}", chinese_date(granted))
            }
            Some((RequestStatus::Rejected, _)) => "不同意延期，请按原完成时限推进".into(),
            Some((RequestStatus::Withdrawn, _)) => "已撤回".into(),
            _ => "待审核".into(),
        },
        note: match n.kind {
            NoticeKind::ItemReturned => n.note.clone().unwrap_or_default(),
            _ => request
                .and_then(|r| r.decision_note.clone())
                .unwrap_or_default(),
        },
    }
}

fn message(
    from: &Mailbox,
    to: &[String],
    subject: &str,
    (text, html): (String, String),
    now: DateTime<Utc>,
    message_id: &str,
) -> Result<Message, String> {
    let mut builder = envelope::headers(from, subject.to_owned(), now, message_id)?;
    for address in to {
        builder = builder.to(address
            .parse()
            .map_err(|e| format!("address {address}: {e}"))?);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())
}

fn notice_message_id(first: i64, now: DateTime<Utc>, from: &Mailbox) -> String {
    envelope::unique_message_id("notice", first, now, from)
}

/// An email and the notices it tells.
struct Outgoing {
    ids: Vec<i64>,
    to: Vec<String>,
    subject: String,
    /// The plain-text and the HTML part, from the same template pair.
    body: (String, String),
}

/// What this run's claimed notices become: emails, and notices with nobody to tell.
fn compose(
    claimed: &[Notice],
    supervisor: Option<&str>,
    today: NaiveDate,
) -> Result<(Vec<Outgoing>, Vec<i64>), String> {
    let mut out = Vec::new();
    let mut untold = Vec::new();
    let requests: Vec<&Notice> = claimed
        .iter()
        .filter(|n| n.kind == NoticeKind::ExtensionRequested)
        .collect();
    if !requests.is_empty() {
        let ids = requests.iter().map(|n| n.id).collect();
        match supervisor {
            None => untold.extend(requests.iter().map(|n| n.id)),
            Some(address) => out.push(Outgoing {
                ids,
                to: vec![address.to_owned()],
                subject: format!(
                    "【延期申请】{}项重点民生事项申请延期，请审核",
                    requests.len()
                ),
                body: render_both(
                    "notice_requested",
                    context! {
                        notices => requests.iter().map(|n| view(n)).collect::<Vec<_>>(),
                        today => chinese_date(today),
                    },
                )?,
            }),
        }
    }
    for n in claimed
        .iter()
        .filter(|n| n.kind != NoticeKind::ExtensionRequested)
    {
        let Some((department, contacts)) = &n.department else {
            untold.push(n.id);
            continue;
        };
        if contacts.is_empty() {
            untold.push(n.id);
            continue;
        }
        let (template, subject) = match n.kind {
            NoticeKind::ItemReturned => (
                "notice_returned",
                format!(
                    "【退办】{}、{}：未予销号，请继续办理",
                    n.item_number_text, n.item_title
                ),
            ),
            _ => (
                "notice_decided",
                format!(
                    "【延期申请审核结果】{}、{}",
                    n.item_number_text, n.item_title
                ),
            ),
        };
        out.push(Outgoing {
            ids: vec![n.id],
            to: contacts.clone(),
            subject,
            body: render_both(
                template,
                context! { department, n => view(n), today => chinese_date(today) },
            )?,
        });
    }
    Ok((out, untold))
}

/// Sends every pending notice.
pub async fn deliver(
    ctx: &Context,
    now: DateTime<Utc>,
    report: &mut RunReport,
) -> Result<(), DomainError> {
    let today = today_in(ctx.timezone, now);
    let supervisor = ctx
        .policy
        .supervisor
        .as_ref()
        .map(|s| s.as_str().to_owned());
    loop {
        let claimed = notice::claim(&ctx.db, now, Duration::minutes(LEASE_MINUTES), CLAIM).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let (outgoing, untold) = match compose(&claimed, supervisor.as_deref(), today) {
            Ok(composed) => composed,
            Err(e) => {
                let ids: Vec<i64> = claimed.iter().map(|n| n.id).collect();
                tracing::error!(error = %e, "supervision notices could not be written");
                notice::mark(&ctx.db, &ids, Err(&e), now).await?;
                continue;
            }
        };
        if !untold.is_empty() {
            tracing::warn!(
                notices = untold.len(),
                "supervision notices with nobody to tell (no MINSHENG_SUPERVISOR_EMAIL, or a department without contacts); marked skipped"
            );
            notice::mark(&ctx.db, &untold, Ok(NoticeStatus::Skipped), now).await?;
        }
        for email in outgoing {
            let id = notice_message_id(email.ids[0], now, &ctx.from);
            let sent = match message(&ctx.from, &email.to, &email.subject, email.body, now, &id) {
                Ok(message) => ctx.mailer.send(&message).await.map_err(|e| e.message),
                Err(e) => Err(e),
            };
            match sent {
                Ok(()) => {
                    notice::mark(&ctx.db, &email.ids, Ok(NoticeStatus::Sent), now).await?;
                    report.notices_sent += email.ids.len();
                }
                Err(error) => {
                    tracing::warn!(notices = email.ids.len(), %error, "supervision notice not sent; retried in a later run");
                    notice::mark(&ctx.db, &email.ids, Err(&error), now).await?;
                }
            }
        }
    }
}
