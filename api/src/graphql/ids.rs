//! Opaque global IDs (`Type:id`) and cursors, base64url-encoded so clients treat them as opaque.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::DomainError;

/// The global ID of the `kind` record with primary key `id`.
pub fn encode(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The primary key inside a global ID of the expected `kind`; `field` names the argument.
pub fn decode(kind: &str, id: &ID, field: &str) -> Result<i64, DomainError> {
    decode_tagged(kind, id.as_str())
        .ok_or_else(|| DomainError::validation(field, format!("not a {kind} id")))
}

/// A cursor for keyset pagination by id.
pub fn cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("cursor:{id}"))
}

/// The id inside a cursor from [`cursor`]; `field` names the argument.
pub fn decode_cursor(cursor: &str, field: &str) -> Result<i64, DomainError> {
    decode_tagged("cursor", cursor)
        .ok_or_else(|| DomainError::validation(field, "not a cursor from this API"))
}

fn decode_tagged(tag: &str, encoded: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(encoded).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (found, id) = text.split_once(':')?;
    (found == tag).then(|| id.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_keep_their_kind() {
        let id = encode("Item", 42);
        assert_eq!(decode("Item", &id, "id").ok(), Some(42));
        assert!(decode("ProjectList", &id, "id").is_err());
        assert!(decode("Item", &ID("bm9wZQ".into()), "id").is_err());
        assert!(decode("Item", &ID("%%%".into()), "id").is_err());
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&cursor(7), "after").ok(), Some(7));
        assert!(decode_cursor(encode("Item", 7).as_str(), "after").is_err());
    }
}
