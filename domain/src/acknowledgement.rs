//! 签收 links: a reminder email carries `{public_url}/ack/{token}`; following it acknowledges
//! that message. The token names the message and when the link expires, signed with HMAC-SHA256
//! under `MINSHENG_SIGNING_KEY`, so that nobody can make one for another message or stretch its
//! life. Pure: the caller passes the key and the time.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2_next::Sha256;

/// How long a link stays good after the email is sent.
pub const VALID_FOR_DAYS: i64 = 30;

/// Why a token was refused. Deliberately coarse: the page shown says nothing more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a token we signed (or altered since).
    Forged,
    /// Signed, but past its expiry.
    Expired,
}

/// A verified token: the message it acknowledges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledgement {
    pub message_id: String,
    pub expires_at: DateTime<Utc>,
}

fn mac(key: &[u8], message_id: &str, expires: i64) -> Hmac<Sha256> {
    // Any key length is accepted by HMAC; the length is checked when the key is configured.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"minsheng-ack\n");
    mac.update(message_id.as_bytes());
    mac.update(b"\n");
    mac.update(expires.to_string().as_bytes());
    mac
}

/// The token of a link to acknowledge `message_id`, sent at `sent_at`.
pub fn sign(key: &[u8], message_id: &str, sent_at: DateTime<Utc>) -> String {
    let expires = (sent_at + Duration::days(VALID_FOR_DAYS)).timestamp();
    let tag = mac(key, message_id, expires).finalize().into_bytes();
    format!(
        "{}.{expires}.{}",
        URL_SAFE_NO_PAD.encode(message_id.as_bytes()),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// Checks a token at `now`.
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<Acknowledgement, Refused> {
    let mut parts = token.split('.');
    let (Some(message), Some(expires), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refused::Forged);
    };
    let message_id = URL_SAFE_NO_PAD
        .decode(message)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(Refused::Forged)?;
    let written = expires;
    let expires: i64 = expires.parse().map_err(|_| Refused::Forged)?;
    // Only the form `sign` writes: `0<exp>` and `+<exp>` parse to the same number and would
    // verify too, making one link many.
    if written != expires.to_string() {
        return Err(Refused::Forged);
    }
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| Refused::Forged)?;
    // Constant time: how long the check takes says nothing about the right tag.
    mac(key, &message_id, expires)
        .verify_slice(&tag)
        .map_err(|_| Refused::Forged)?;
    let expires_at = DateTime::from_timestamp(expires, 0).ok_or(Refused::Forged)?;
    if now >= expires_at {
        return Err(Refused::Expired);
    }
    Ok(Acknowledgement {
        message_id,
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a-signing-key-of-at-least-32-characters";

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let sent = at("2021-06-23T00:00:00Z");
        let token = sign(KEY, "<1.20210623@minsheng>", sent);
        assert!(!token.contains(['<', '>', '@', '/']), "{token}");
        let ack = verify(KEY, &token, at("2021-07-22T23:59:59Z"));
        assert_eq!(
            ack.map(|a| a.message_id),
            Ok("<1.20210623@minsheng>".to_owned())
        );
        assert_eq!(
            verify(KEY, &token, at("2021-07-23T00:00:00Z")),
            Err(Refused::Expired)
        );
    }

    #[test]
    fn altered_or_foreign_tokens_are_forged() {
        let sent = at("2021-06-23T00:00:00Z");
        let now = at("2021-06-24T00:00:00Z");
        let token = sign(KEY, "<1.20210623@minsheng>", sent);
        assert_eq!(
            verify(b"another-key-another-key-another-key", &token, now),
            Err(Refused::Forged)
        );
        // Another message under the same signature, or a later expiry.
        let parts: Vec<&str> = token.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode("<2.20210623@minsheng>");
        for forged in [
            format!("{other}.{}.{}", parts[1], parts[2]),
            format!(
                "{}.{}.{}",
                parts[0],
                parts[1].parse::<i64>().unwrap_or(0) + 86400,
                parts[2]
            ),
            format!("{}.{}", parts[0], parts[1]),
            // The same expiry, written another way.
            format!("{}.0{}.{}", parts[0], parts[1], parts[2]),
            format!("{}.+{}.{}", parts[0], parts[1], parts[2]),
            "".to_owned(),
            "..".to_owned(),
            format!("{token}.x"),
        ] {
            assert_eq!(verify(KEY, &forged, now), Err(Refused::Forged), "{forged}");
        }
    }
}
