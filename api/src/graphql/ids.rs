//! Opaque global IDs (`Type:id`) and cursors, base64url-encoded so clients treat them as opaque.
//!
//! A cursor carries the sort key of its row and the row's id (`kind|key|id`), so keyset
//! pagination can resume exactly after it, and a cursor from another ordering is refused.

use std::fmt;

use async_graphql::ID;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use domain::DomainError;

/// The kinds of record a global ID names: the graph's object types that are nodes (and the
/// token and audit records, which have IDs but are fetched only through their parents).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ProjectList,
    Item,
    DueDate,
    Department,
    Contact,
    ReminderDelivery,
    ProgressReport,
    DepartmentToken,
    AuditEvent,
    DeadlineChangeRequest,
    Account,
}

impl Kind {
    const ALL: [Kind; 11] = [
        Kind::ProjectList,
        Kind::Item,
        Kind::DueDate,
        Kind::Department,
        Kind::Contact,
        Kind::ReminderDelivery,
        Kind::ProgressReport,
        Kind::DepartmentToken,
        Kind::AuditEvent,
        Kind::DeadlineChangeRequest,
        Kind::Account,
    ];

    /// The GraphQL type name, which is also what the ID carries.
    pub const fn name(self) -> &'static str {
        match self {
            Kind::ProjectList => "ProjectList",
            Kind::Item => "Item",
            Kind::DueDate => "DueDate",
            Kind::Department => "Department",
            Kind::Contact => "Contact",
            Kind::ReminderDelivery => "ReminderDelivery",
            Kind::ProgressReport => "ProgressReport",
            Kind::DepartmentToken => "DepartmentToken",
            Kind::AuditEvent => "AuditEvent",
            Kind::DeadlineChangeRequest => "DeadlineChangeRequest",
            Kind::Account => "Account",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The global ID of the `kind` record with primary key `id`.
pub fn encode(kind: Kind, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The primary key inside a global ID of the expected `kind`; `field` names the argument.
pub fn decode(kind: Kind, id: &ID, field: &str) -> Result<i64, DomainError> {
    match decode_any(id) {
        Some((found, pk)) if found == kind => Ok(pk),
        _ => Err(DomainError::validation(field, format!("not a {kind} id"))),
    }
}

/// The kind and primary key inside any global ID.
pub fn decode_any(id: &ID) -> Option<(Kind, i64)> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str()).ok()?).ok()?;
    let (kind, pk) = text.split_once(':')?;
    Some((Kind::parse(kind)?, pk.parse().ok()?))
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
        let id = encode(Kind::Item, 42);
        assert_eq!(
            id.as_str(),
            "SXRlbTo0Mg",
            "Item:42, as clients already hold it"
        );
        assert_eq!(decode(Kind::Item, &id, "id").ok(), Some(42));
        assert!(decode(Kind::ProjectList, &id, "id").is_err());
        assert!(decode(Kind::Item, &ID("bm9wZQ".into()), "id").is_err());
        assert!(decode(Kind::Item, &ID("%%%".into()), "id").is_err());
        assert_eq!(
            decode_any(&encode(Kind::AuditEvent, 7)),
            Some((Kind::AuditEvent, 7))
        );
        let unknown = ID(URL_SAFE_NO_PAD.encode("Nope:1"));
        assert_eq!(decode_any(&unknown), None);
    }

    #[test]
    fn cursors_round_trip_and_keep_their_kind() {
        let c = cursor("items.due", "2021-06-30T00:00:00+00:00", 7);
        assert_eq!(
            decode_cursor("items.due", &c, "after").ok(),
            Some(("2021-06-30T00:00:00+00:00".to_owned(), 7))
        );
        assert!(decode_cursor("items.number", &c, "after").is_err());
        assert!(decode_cursor("items.due", encode(Kind::Item, 7).as_str(), "after").is_err());
    }
}
