//! The email of a bulletin (`domain::bulletin`): a plain-text and an HTML part from the
//! templates in `templates/`, and each list's 台账 as an `.xlsx` attachment. Values are
//! substituted once and never read as template text; `.html` templates escape them.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    bulletin::Bulletin,
    email::{EmailAddress, Mailbox},
    export::{Ledger, to_xlsx},
    reminder::digest::chinese_date,
};
use lettre::{
    Message,
    message::{Attachment, Mailbox as LettreMailbox, MultiPart, header::ContentType},
};
use minijinja::{Environment, UndefinedBehavior, context};

const TEMPLATES: &[(&str, &str)] = &[
    ("bulletin.txt", include_str!("../templates/bulletin.txt")),
    ("bulletin.html", include_str!("../templates/bulletin.html")),
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static ENVIRONMENT: LazyLock<Result<Environment<'static>, minijinja::Error>> =
    LazyLock::new(|| {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        // A misspelt variable is an error, not an empty section in a leader's inbox.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(env)
    });

fn render(name: &str, bulletin: &Bulletin) -> Result<String, String> {
    let env = ENVIRONMENT
        .as_ref()
        .map_err(|e| format!("the bulletin templates do not compile: {e:#}"))?;
    env.get_template(name)
        .and_then(|t| t.render(context! { b => bulletin }))
        .map_err(|e| format!("template {name}: {e:#}"))
}

/// The subject line.
pub fn subject(as_of: NaiveDate) -> String {
    format!("重点民生项目情况通报(截至{})", chinese_date(as_of))
}

pub fn text(bulletin: &Bulletin) -> Result<String, String> {
    render("bulletin.txt", bulletin)
}

pub fn html(bulletin: &Bulletin) -> Result<String, String> {
    render("bulletin.html", bulletin)
}

/// The attachment's file name: the list's title without the characters file systems refuse,
/// then 台账 and the day.
pub fn attachment_name(ledger: &Ledger) -> String {
    let title: String = ledger
        .title
        .chars()
        .filter(|c| !c.is_control() && !"\\/:*?\"<>|".contains(*c))
        .take(60)
        .collect();
    format!("{}台账{}.xlsx", title.trim(), ledger.as_of.format("%Y%m%d"))
}

/// The Message-ID of the bulletin of the period that starts at `period_start`: the same for
/// every attempt, so that a resend after a lost answer is recognisably the same message.
pub fn message_id(period_start: DateTime<Utc>, from: &Mailbox) -> String {
    let domain = from
        .address
        .as_str()
        .rsplit_once('@')
        .map_or("minsheng", |(_, d)| d);
    format!("<bulletin.{}@{domain}>", period_start.timestamp())
}

/// The email: From, To (every recipient), Date, Message-ID, a UTF-8 subject, the text and
/// HTML parts, and one workbook per list.
pub fn message(
    bulletin: &Bulletin,
    ledgers: &[Ledger],
    from: &Mailbox,
    to: &[EmailAddress],
    now: DateTime<Utc>,
    message_id: &str,
) -> Result<Message, String> {
    let from: LettreMailbox = from
        .to_string()
        .parse()
        .map_err(|e| format!("MINSHENG_MAIL_FROM: {e}"))?;
    let mut builder = Message::builder()
        .from(from)
        .subject(subject(bulletin.as_of))
        .date(now.into())
        .message_id(Some(message_id.to_owned()));
    for address in to {
        builder = builder.to(address
            .as_str()
            .parse()
            .map_err(|e| format!("MINSHENG_BULLETIN_TO {address}: {e}"))?);
    }
    let mut body = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
        text(bulletin)?,
        html(bulletin)?,
    ));
    let kind = ContentType::parse(XLSX).map_err(|e| e.to_string())?;
    for ledger in ledgers {
        let workbook = to_xlsx(ledger).map_err(|e| format!("the 台账 of {}: {e}", ledger.title))?;
        body =
            body.singlepart(Attachment::new(attachment_name(ledger)).body(workbook, kind.clone()));
    }
    builder.multipart(body).map_err(|e| e.to_string())
}
