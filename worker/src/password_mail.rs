//! Password links by email: an administrator's request (`mailPasswordLink`, or 发送邮件 on the
//! accounts page) becomes one email to the account's address with a fresh one-time link. The
//! link is made here, when the email goes, so its secret is in the email and nowhere else and
//! its lifetime counts from the sending. Requests are claimed before sending, so several
//! workers send each once; a failure is retried (a permanent refusal is not).

use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::{
    DomainError,
    account::RoleRules,
    model::{NoticeStatus, PasswordLinkPurpose},
    reminder::digest::chinese_date,
    store::account::mail::{self, Claimed},
};
use lettre::{Message, message::MultiPart};
use minijinja::context;

use crate::{envelope, jobs::send_reminders::Context, templates};

/// How long a claim holds before another worker may take a mail over.
const LEASE_MINUTES: i64 = 10;
/// Mails claimed at once.
const CLAIM: u64 = 20;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "password_link.txt",
        include_str!("../templates/password_link.txt"),
    ),
    (
        "password_link.html",
        include_str!("../templates/password_link.html"),
    ),
];

static ENVIRONMENT: LazyLock<templates::Compiled> = LazyLock::new(|| templates::compile(TEMPLATES));

/// Where links point and how long they last, from the settings.
#[derive(Clone, Debug)]
pub struct LinkSettings {
    /// `MINSHENG_PUBLIC_URL`, else the api's bind address: what the person's browser opens.
    pub base: String,
    /// `MINSHENG_PASSWORD_LINK_HOURS`.
    pub lifetime: Duration,
    /// `MINSHENG_OFFICE_CONTACT`: whom to tell of an email nobody asked for.
    pub office_contact: Option<String>,
}

impl LinkSettings {
    pub fn from_settings(settings: &domain::Settings) -> Self {
        Self {
            base: settings.public_base(),
            lifetime: settings.accounts.password_link,
            office_contact: settings.reminders.office_contact.clone(),
        }
    }
}

/// `2026年12月10日 22:05` in `timezone`.
fn chinese_moment(at: DateTime<Utc>, timezone: Tz) -> String {
    let local = at.with_timezone(&timezone);
    format!(
        "{} {}",
        chinese_date(local.date_naive()),
        local.format("%H:%M")
    )
}

fn compose(
    ctx: &Context,
    mail: &Claimed,
    purpose: PasswordLinkPurpose,
    url: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Message, String> {
    let invite = purpose == PasswordLinkPurpose::Invite;
    let view = context! {
        name => mail.account.name,
        login => mail.account.login,
        role => mail.account.role.label(),
        invite,
        requested_by => mail.requested_by.as_deref().unwrap_or("督查室管理员"),
        expires => chinese_moment(expires_at, ctx.timezone),
        url,
        office_contact => ctx.password_links.office_contact,
        today => chinese_date(now.with_timezone(&ctx.timezone).date_naive()),
    };
    let text = templates::render(&ENVIRONMENT, "password_link.txt", view.clone())?;
    let html = templates::render(&ENVIRONMENT, "password_link.html", view)?;
    let subject = if invite {
        "【民生实事督办】请设置您的登录密码"
    } else {
        "【民生实事督办】重设登录密码"
    };
    let id = envelope::unique_message_id("password", mail.id, now, &ctx.from);
    envelope::headers(&ctx.from, subject.to_owned(), now, &id)?
        .to(mail
            .to
            .parse()
            .map_err(|e| format!("address {}: {e}", mail.to))?)
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| e.to_string())
}

/// Sends every pending password mail; how many went.
pub async fn deliver(ctx: &Context) -> Result<usize, DomainError> {
    let mut sent = 0;
    loop {
        let claimed =
            mail::claim(&ctx.db, Utc::now(), Duration::minutes(LEASE_MINUTES), CLAIM).await?;
        if claimed.is_empty() {
            return Ok(sent);
        }
        for request in claimed {
            // The link's lifetime counts from this moment, when it is made and sent.
            let now = Utc::now();
            let Some((purpose, link)) =
                mail::issue(&ctx.db, &request, ctx.password_links.lifetime, now).await?
            else {
                mail::mark(&ctx.db, request.id, Ok(NoticeStatus::Skipped), now).await?;
                continue;
            };
            let url = link.url(&ctx.password_links.base);
            let outcome = match compose(ctx, &request, purpose, &url, link.expires_at, now) {
                Ok(message) => ctx
                    .mailer
                    .send(&message)
                    .await
                    .map_err(|e| (e.message, e.permanent)),
                Err(e) => Err((e, true)),
            };
            match outcome {
                Ok(()) => {
                    mail::mark(&ctx.db, request.id, Ok(NoticeStatus::Sent), now).await?;
                    tracing::info!(account_id = request.account.id, "password link mailed");
                    sent += 1;
                }
                Err((error, permanent)) => {
                    tracing::warn!(account_id = request.account.id, %error, permanent, "password link not mailed");
                    mail::mark(&ctx.db, request.id, Err((&error, permanent)), now).await?;
                }
            }
        }
    }
}
