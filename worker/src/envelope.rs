//! What every email the worker sends starts from: the sender, subject, date and Message-ID.

use chrono::{DateTime, Utc};
use domain::email::Mailbox;
use lettre::message::{Mailbox as LettreMailbox, MessageBuilder};

/// A message with From (`MINSHENG_MAIL_FROM`), a UTF-8 subject, Date and Message-ID set.
pub fn headers(
    from: &Mailbox,
    subject: String,
    now: DateTime<Utc>,
    message_id: &str,
) -> Result<MessageBuilder, String> {
    let from: LettreMailbox = from
        .to_string()
        .parse()
        .map_err(|e| format!("MINSHENG_MAIL_FROM: {e}"))?;
    Ok(lettre::Message::builder()
        .from(from)
        .subject(subject)
        .date(now.into())
        .message_id(Some(message_id.to_owned())))
}

/// `<{kind}.{first}.{microseconds}.{random}@{the sender's domain}>`: unique across workers,
/// runs and deployments (two deployments with the default sender `minsheng@localhost` once
/// made the same ids), while naming what it carries.
pub fn unique_message_id(kind: &str, first: i64, now: DateTime<Utc>, from: &Mailbox) -> String {
    let mut random = [0u8; 8];
    let random = match getrandom::fill(&mut random) {
        Ok(()) => hex::encode(random),
        // Never seen; the time and the process still tell runs apart.
        Err(_) => format!("p{}", std::process::id()),
    };
    message_id(
        &format!("{kind}.{first}.{}.{random}", now.timestamp_micros()),
        from,
    )
}

/// `<{local}@{the sender's domain}>`: ids in the sender's domain, as RFC 5322 asks.
pub fn message_id(local: &str, from: &Mailbox) -> String {
    let domain = from
        .address
        .as_str()
        .rsplit_once('@')
        .map_or("minsheng", |(_, d)| d);
    format!("<{local}@{domain}>")
}
