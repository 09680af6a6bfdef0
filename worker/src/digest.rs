//! The email of a digest (`domain::reminder::digest`): a plain-text and an HTML part, in
//! Chinese, from the templates in `templates/` (the subject line is the digest's own). Names
//! ending in `.html` are HTML-escaped by minijinja; values are substituted once and never read
//! as template text, so a department called `{{items}}` is printed as that.

use std::sync::LazyLock;

use crate::{envelope, templates};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    email::Mailbox,
    model::DueKind,
    reminder::digest::{Digest, Role, chinese_date, days_text},
};
use lettre::{
    Message,
    message::{Mailbox as LettreMailbox, MultiPart},
};
use minijinja::context;
use serde::Serialize;

/// Every body template, by the name the others include it by.
const TEMPLATES: &[(&str, &str)] = &[
    ("footer.txt", include_str!("../templates/footer.txt")),
    ("footer.html", include_str!("../templates/footer.html")),
    ("reminder.txt", include_str!("../templates/reminder.txt")),
    (
        "reminder_item.txt",
        include_str!("../templates/reminder_item.txt"),
    ),
    ("reminder.html", include_str!("../templates/reminder.html")),
    (
        "reminder_item.html",
        include_str!("../templates/reminder_item.html"),
    ),
    (
        "cooperating.txt",
        include_str!("../templates/cooperating.txt"),
    ),
    (
        "cooperating_item.txt",
        include_str!("../templates/cooperating_item.txt"),
    ),
    (
        "cooperating.html",
        include_str!("../templates/cooperating.html"),
    ),
    (
        "cooperating_item.html",
        include_str!("../templates/cooperating_item.html"),
    ),
    ("checkin.txt", include_str!("../templates/checkin.txt")),
    (
        "checkin_item.txt",
        include_str!("../templates/checkin_item.txt"),
    ),
    ("checkin.html", include_str!("../templates/checkin.html")),
    (
        "checkin_item.html",
        include_str!("../templates/checkin_item.html"),
    ),
];

static ENVIRONMENT: LazyLock<templates::Compiled> = LazyLock::new(|| templates::compile(TEMPLATES));

fn render(name: &str, context: impl Serialize) -> Result<String, String> {
    templates::render(&ENVIRONMENT, name, context)
}

/// One item as the templates see it.
#[derive(Serialize)]
struct LineView {
    number: String,
    title: String,
    due_on: String,
    stage_label: String,
    days: String,
    other_leads: String,
    /// ` 延期申请审核中` while a request on the due date awaits the office.
    pending: String,
    /// 事项内容, shortened; empty when the list printed none.
    requirement: String,
    /// Earlier reminders about it to this address that nobody acknowledged.
    unacknowledged: u64,
}

/// What an email says beside its items: where to act and whom to ask.
#[derive(Clone, Copy, Debug, Default)]
pub struct Footer<'a> {
    /// The link that acknowledges this email (签收).
    pub ack_url: Option<&'a str>,
    /// The department's desk in the pages (`{MINSHENG_PUBLIC_URL}/#/desk`): 办结报告 and
    /// 延期申请 are filed there.
    pub desk_url: Option<&'a str>,
    /// The office's contact line (`MINSHENG_OFFICE_CONTACT`).
    pub office_contact: Option<&'a str>,
}

/// A digest as an email.
pub trait Email {
    /// The plain-text body, with what `footer` gives.
    fn text(&self, today: NaiveDate, footer: &Footer<'_>) -> Result<String, String>;
    fn html(&self, today: NaiveDate, footer: &Footer<'_>) -> Result<String, String>;
    /// The email, with From, To, Cc, Date, Message-ID and a UTF-8 subject.
    fn message(
        &self,
        from: &Mailbox,
        today: NaiveDate,
        now: DateTime<Utc>,
        message_id: &str,
        footer: &Footer<'_>,
    ) -> Result<Message, String>;
}

fn lines_view(digest: &Digest) -> Vec<LineView> {
    digest
        .lines
        .iter()
        .map(|l| LineView {
            number: l.number_text.clone(),
            title: l.title.clone(),
            due_on: l.due_on.map_or_else(|| "长期坚持".to_owned(), chinese_date),
            stage_label: match (l.kind, &l.label) {
                (DueKind::Stage, Some(label)) => format!(" 阶段性目标：{label}"),
                (DueKind::Stage, None) => " 阶段性目标".to_owned(),
                (DueKind::Final, _) => String::new(),
            },
            days: days_text(l.days_left),
            other_leads: if l.other_leads.is_empty() {
                "无".to_owned()
            } else {
                l.other_leads.join("、")
            },
            pending: if l.extension_pending {
                " 延期申请审核中".to_owned()
            } else {
                String::new()
            },
            requirement: l.requirement.clone(),
            unacknowledged: l.unacknowledged,
        })
        .collect()
}

fn body(
    digest: &Digest,
    extension: &str,
    today: NaiveDate,
    footer: &Footer<'_>,
) -> Result<String, String> {
    let name = match digest.role {
        Role::Lead => "reminder",
        Role::Cooperating => "cooperating",
        Role::CheckIn => "checkin",
    };
    render(
        &format!("{name}.{extension}"),
        context! {
            department => digest.department,
            subject => digest.subject()?,
            today => chinese_date(today),
            lines => lines_view(digest),
            // A 催办: something in it is overdue.
            overdue => digest.lines.iter().any(|l| l.days_left < 0),
            office_copied => digest.cc.is_some(),
            ack_url => footer.ack_url.unwrap_or_default(),
            desk_url => footer.desk_url.unwrap_or_default(),
            office_contact => footer.office_contact.unwrap_or_default(),
        },
    )
}

impl Email for Digest {
    fn text(&self, today: NaiveDate, footer: &Footer<'_>) -> Result<String, String> {
        body(self, "txt", today, footer)
    }

    fn html(&self, today: NaiveDate, footer: &Footer<'_>) -> Result<String, String> {
        body(self, "html", today, footer)
    }

    fn message(
        &self,
        from: &Mailbox,
        today: NaiveDate,
        now: DateTime<Utc>,
        message_id: &str,
        footer: &Footer<'_>,
    ) -> Result<Message, String> {
        let to: LettreMailbox = self
            .to
            .parse()
            .map_err(|e| format!("contact address {}: {e}", self.to))?;
        let mut builder = envelope::headers(from, self.subject()?, now, message_id)?.to(to);
        if let Some(cc) = &self.cc {
            builder = builder.cc(cc
                .as_str()
                .parse()
                .map_err(|e| format!("supervisor address {cc}: {e}"))?);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                self.text(today, footer)?,
                self.html(today, footer)?,
            ))
            .map_err(|e| e.to_string())
    }
}

/// A Message-ID that names the rows it delivers, unique across workers, runs and deployments.
pub fn message_id(first_delivery_id: i64, now: DateTime<Utc>, from: &Mailbox) -> String {
    envelope::unique_message_id("reminder", first_delivery_id, now, from)
}

#[cfg(test)]
mod tests {
    use domain::reminder::digest::DigestLine;

    use super::*;

    fn digest(role: Role, department: &str, title: &str) -> Digest {
        Digest {
            role,
            to: "a@b.cn".into(),
            department: department.into(),
            lines: vec![DigestLine {
                number_text: "一".into(),
                title: title.into(),
                requirement: String::new(),
                due_on: NaiveDate::from_ymd_opt(2023, 8, 31),
                kind: DueKind::Final,
                label: None,
                days_left: 3,
                other_leads: vec![],
                extension_pending: false,
                unacknowledged: 0,
            }],
            cc: None,
            delivery_ids: vec![1],
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, 8, 28).expect("date")
    }

    #[test]
    fn every_template_renders_for_every_role() {
        for role in [Role::Lead, Role::Cooperating, Role::CheckIn] {
            let d = digest(role, "市教育局", "新建学校");
            assert!(d.subject().expect("subject").contains('1'), "{role:?}");
            assert!(
                d.text(today(), &Footer::default())
                    .expect("text")
                    .contains("新建学校")
            );
            let html = d.html(today(), &Footer::default()).expect("html");
            assert!(
                html.contains("<td>新建学校</td>") || html.contains("<strong>新建学校</strong>"),
                "{html}"
            );
        }
    }

    #[test]
    fn the_plain_text_reads_as_an_office_writes_it() {
        let text = digest(Role::Lead, "市教育局", "新建学校")
            .text(today(), &Footer::default())
            .expect("text");
        assert_eq!(
            text,
            "市教育局：\n\n以下由贵单位牵头的重点民生事项临近完成时限，请抓紧推进并及时报告进展。\n\n\
             一、新建学校\n    完成时限：2023年8月31日（还剩3天）\n    其他牵头部门：无\n\n\
             本邮件由重点民生项目清单提醒系统于2023年8月28日自动发送，请勿直接回复。\n"
        );
    }

    /// A 催办 reads differently from a due-soon reminder: how late, how many reminders went
    /// unacknowledged, that the office is copied, what to file and where, and whom to ask.
    #[test]
    fn an_overdue_reminder_says_how_late_what_to_do_and_where() {
        let mut d = digest(Role::Lead, "市市场监管局", "规范农贸市场");
        d.lines[0].days_left = -5;
        d.lines[0].unacknowledged = 2;
        d.lines[0].requirement = "改造提升农贸市场12处。".into();
        d.cc = Some(domain::email::EmailAddress::parse("dcs@example.gov.cn").expect("address"));
        let footer = Footer {
            ack_url: Some("https://minsheng.example.gov.cn/ack/t"),
            desk_url: Some("https://minsheng.example.gov.cn/#/desk"),
            office_contact: Some("市委督查室 联系电话 0530-1234567"),
        };
        let text = d.text(today(), &footer).expect("text");
        for expected in [
            "市市场监管局：",
            "已超过完成时限，现予催办。本邮件同时抄送督查室。",
            "    事项内容：改造提升农贸市场12处。",
            "    完成时限：2023年8月31日（已逾期5天）",
            "    此前提醒：2次，均未签收",
            "提交办结报告；确需延期的，提交延期申请",
            "办理入口：https://minsheng.example.gov.cn/#/desk",
            "https://minsheng.example.gov.cn/ack/t",
            "如有疑问，请联系市委督查室 联系电话 0530-1234567。",
        ] {
            assert!(text.contains(expected), "{expected} in {text}");
        }
        assert!(!text.contains("临近完成时限"), "{text}");
        let html = d.html(today(), &footer).expect("html");
        for expected in [
            "现予催办",
            "改造提升农贸市场12处。</span>",
            "2023年8月31日<br>已逾期5天<br>此前提醒2次，均未签收",
            // minijinja escapes `/` in HTML as `&#x2f;`, which a browser reads back.
            "desk\">办理入口</a>",
            "市委督查室 联系电话 0530-1234567",
        ] {
            assert!(html.contains(expected), "{expected} in {html}");
        }

        // Due soon, and nobody copied: the old wording, and no 催办.
        let soon = digest(Role::Lead, "市教育局", "新建学校")
            .text(today(), &footer)
            .expect("text");
        assert!(
            soon.contains("临近完成时限") && !soon.contains("催办"),
            "{soon}"
        );
        assert!(soon.contains("报告进展、办结或申请延期：https://minsheng.example.gov.cn/#/desk"));
        assert!(
            !soon.contains("此前提醒") && !soon.contains("抄送"),
            "{soon}"
        );
    }

    #[test]
    fn placeholders_inside_data_are_printed_not_expanded() {
        let department = "{{items}}{{subject}}{{ department }}局";
        let title = "{{days}}{% for x in lines %}X{% endfor %}{{ line.title }}";
        for role in [Role::Lead, Role::Cooperating, Role::CheckIn] {
            let d = digest(role, department, title);
            let text = d.text(today(), &Footer::default()).expect("text");
            assert!(text.starts_with(&format!("{department}：\n")), "{text}");
            assert!(text.contains(title), "{text}");
            assert_eq!(
                text.matches("还剩3天").count(),
                usize::from(role != Role::CheckIn)
            );
            let html = d.html(today(), &Footer::default()).expect("html");
            assert!(html.contains(&format!("<p>{department}：</p>")), "{html}");
            assert!(html.contains(title), "{html}");
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let d = digest(
            Role::Lead,
            "市<b>局</b>",
            "<script>alert(1)</script> & \"quotes\"",
        );
        let html = d.html(today(), &Footer::default()).expect("html");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains("市&lt;b&gt;局&lt;&#x2f;b&gt;")
                || html.contains("市&lt;b&gt;局&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("&amp;") && html.contains("&quot;"), "{html}");
        let text = d.text(today(), &Footer::default()).expect("text");
        assert!(
            text.contains("<script>alert(1)</script> & \"quotes\""),
            "{text}"
        );
    }
}
