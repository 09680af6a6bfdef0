//! The email of a bulletin (`domain::bulletin`): a plain-text and an HTML part from the
//! templates in `templates/`, and each list's 台账 as an `.xlsx` attachment. Values are
//! substituted once and never read as template text; `.html` templates escape them.

use std::sync::LazyLock;

use crate::{envelope, templates};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    bulletin::Bulletin,
    email::{EmailAddress, Mailbox},
    export::{Ledger, to_xlsx},
    reminder::digest::chinese_date,
};
use lettre::{
    Message,
    message::{Attachment, MultiPart, header::ContentType},
};
use minijinja::context;

const TEMPLATES: &[(&str, &str)] = &[
    ("bulletin.txt", include_str!("../templates/bulletin.txt")),
    ("bulletin.html", include_str!("../templates/bulletin.html")),
];

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

static ENVIRONMENT: LazyLock<templates::Compiled> = LazyLock::new(|| templates::compile(TEMPLATES));

/// Who reads a bulletin: the leaders on `MINSHENG_BULLETIN_TO`, or the office
/// (`MINSHENG_SUPERVISOR_EMAIL`), whose copy also lists its own housekeeping (lead departments
/// without a contact).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    Leaders,
    Office,
}

fn render(name: &str, bulletin: &Bulletin, reader: Reader) -> Result<String, String> {
    templates::render(
        &ENVIRONMENT,
        name,
        context! { b => bulletin, for_office => reader == Reader::Office },
    )
}

/// The subject line.
pub fn subject(as_of: NaiveDate) -> String {
    format!("重点民生项目情况通报（截至{}）", chinese_date(as_of))
}

pub fn text(bulletin: &Bulletin, reader: Reader) -> Result<String, String> {
    render("bulletin.txt", bulletin, reader)
}

pub fn html(bulletin: &Bulletin, reader: Reader) -> Result<String, String> {
    render("bulletin.html", bulletin, reader)
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
pub fn message_id(period_start: DateTime<Utc>, from: &Mailbox, reader: Reader) -> String {
    let suffix = match reader {
        Reader::Leaders => "",
        Reader::Office => ".office",
    };
    envelope::message_id(
        &format!("bulletin.{}{suffix}", period_start.timestamp()),
        from,
    )
}

/// The email: From, To (every recipient), Date, Message-ID, a UTF-8 subject, the text and
/// HTML parts, and one workbook per list.
pub fn message(
    bulletin: &Bulletin,
    reader: Reader,
    ledgers: &[Ledger],
    from: &Mailbox,
    to: &[EmailAddress],
    now: DateTime<Utc>,
    message_id: &str,
) -> Result<Message, String> {
    let mut builder = envelope::headers(from, subject(bulletin.as_of), now, message_id)?;
    for address in to {
        builder = builder.to(address
            .as_str()
            .parse()
            .map_err(|e| format!("MINSHENG_BULLETIN_TO {address}: {e}"))?);
    }
    let mut body = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(
        text(bulletin, reader)?,
        html(bulletin, reader)?,
    ));
    let kind = ContentType::parse(XLSX).map_err(|e| e.to_string())?;
    for ledger in ledgers {
        let workbook = to_xlsx(ledger).map_err(|e| format!("the 台账 of {}: {e}", ledger.title))?;
        body =
            body.singlepart(Attachment::new(attachment_name(ledger)).body(workbook, kind.clone()));
    }
    builder.multipart(body).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use domain::bulletin::{Window, build};

    use super::*;

    /// A list title is data: escaped in HTML, printed as is in text, never read as a template.
    #[test]
    fn titles_are_printed_not_interpreted() {
        let title = "<b>{{ b.as_of }}</b>清单";
        let ledger = Ledger {
            title: title.to_owned(),
            as_of: NaiveDate::from_ymd_opt(2023, 7, 3).expect("day"),
            rows: Vec::new(),
            scores: Vec::new(),
        };
        let window = Window {
            from: Utc.with_ymd_and_hms(2023, 6, 26, 1, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2023, 7, 3, 1, 0, 0).unwrap(),
            tz: chrono_tz::Asia::Shanghai,
        };
        let bulletin = build(std::slice::from_ref(&ledger), &[], Vec::new(), &window);
        let text = text(&bulletin, Reader::Leaders).expect("text");
        assert!(text.contains(title), "{text}");
        let html = html(&bulletin, Reader::Leaders).expect("html");
        assert!(
            html.contains("&lt;b&gt;{{ b.as_of }}&lt;&#x2f;b&gt;清单"),
            "{html}"
        );
        assert_eq!(
            attachment_name(&ledger),
            "b{{ b.as_of }}b清单台账20230703.xlsx"
        );
    }

    /// Finished by the date the office extended it to: 延期后按期办结, not 按期办结; the
    /// bulletin's own punctuation is full-width.
    #[test]
    fn an_item_done_by_its_extended_date_says_so() {
        use domain::{export::LedgerRow, model::ItemStatus, urgency::Urgency};
        let day = |m, d| NaiveDate::from_ymd_opt(2023, m, d).expect("day");
        let done = |id: i64, title: &str, extended: bool| LedgerRow {
            item_id: id,
            number_text: id.to_string(),
            title: title.to_owned(),
            content: String::new(),
            deadline_text: String::new(),
            due_dates: vec![day(6, 30)],
            final_due_on: Some(day(6, 30)),
            lead: vec!["市民政局".to_owned()],
            cooperating: Vec::new(),
            status: ItemStatus::Done,
            urgency: Urgency::Done,
            latest_progress: None,
            deadline_changes: Vec::new(),
            reminders_sent: 0,
            acknowledged: None,
            completed_on: Some(day(6, 28)),
            extended,
        };
        let ledger = Ledger {
            title: "清单".to_owned(),
            as_of: day(7, 3),
            rows: vec![
                done(1, "建设社区食堂", true),
                done(2, "新建城市书房", false),
            ],
            scores: Vec::new(),
        };
        let window = Window {
            from: Utc.with_ymd_and_hms(2023, 6, 26, 1, 0, 0).unwrap(),
            to: Utc.with_ymd_and_hms(2023, 7, 3, 1, 0, 0).unwrap(),
            tz: chrono_tz::Asia::Shanghai,
        };
        let bulletin = build(std::slice::from_ref(&ledger), &[], Vec::new(), &window);
        let text = text(&bulletin, Reader::Leaders).expect("text");
        let line = |title: &str| {
            text.lines()
                .find(|l| l.contains(title))
                .unwrap_or_else(|| panic!("{title} in {text}"))
                .to_owned()
        };
        assert!(
            line("建设社区食堂").contains("办结，延期后按期办结"),
            "{text}"
        );
        let on_time = line("新建城市书房");
        assert!(
            on_time.contains("办结，按期办结") && !on_time.contains("延期"),
            "{text}"
        );
        assert!(
            html(&bulletin, Reader::Leaders)
                .expect("html")
                .contains("延期后按期办结")
        );
    }
}
