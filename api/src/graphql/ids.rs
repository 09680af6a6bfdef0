//! Opaque global IDs (`Type:id`) and cursors, base64url-encoded so clients treat them as opaque.
//!
//! A cursor carries the sort key of its row and the row's id (`kind|key|id`), so keyset
//! pagination can resume exactly after it, and a cursor from another ordering is refused.

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::DomainError;

/// The global ID of the `kind` record with primary key `id`.
pub fn encode(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The primary key inside a global ID of the expected `kind`; `field` names the argument.
pub fn decode(kind: &str, id: &ID, field: &str) -> Result<i64, DomainError> {
    match decode_any(id) {
        Some((found, pk)) if found == kind => Ok(pk),
        _ => Err(DomainError::validation(field, format!("not a {kind} id"))),
    }
}

/// The kind and primary key inside any global ID.
pub fn decode_any(id: &ID) -> Option<(String, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str()).ok()?).ok()?;
    let (kind, pk) = text.split_once(':')?;
    Some((kind.to_owned(), pk.parse().ok()?))
}

/// A cursor for the row `id` whose sort key of `kind` renders as `key`.
pub fn cursor(kind: &str, key: &str, id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}|{key}|{id}"))
}

/// The sort key text and id inside a cursor of `kind`; `field` names the argument.
pub fn decode_cursor(kind: &str, cursor: &str, field: &str) -> Result<(String, i64), DomainError> {
    let invalid = || DomainError::validation(field, "not a cursor from this field and ordering");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (rest, id) = text.rsplit_once('|').ok_or_else(invalid)?;
    let (found, key) = rest.split_once('|').ok_or_else(invalid)?;
    if found != kind {
        return Err(invalid());
    }
    Ok((key.to_owned(), id.parse().map_err(|_| invalid())?))
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
    fn cursors_round_trip_and_keep_their_kind() {
        let c = cursor("items.due", "2021-06-30T00:00:00+00:00", 7);
        assert_eq!(
            decode_cursor("items.due", &c, "after").ok(),
            Some(("2021-06-30T00:00:00+00:00".to_owned(), 7))
        );
        assert!(decode_cursor("items.number", &c, "after").is_err());
        assert!(decode_cursor("items.due", encode("Item", 7).as_str(), "after").is_err());
    }
}
