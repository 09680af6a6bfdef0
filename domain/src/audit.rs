//! What an audit event's payload holds, for the writes whose payload is read back: the 台账
//! says why a due date changed from the event that changed it. Written and read through these
//! types, so that a renamed field fails to compile rather than reads as empty.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `item.change_deadline`: the office moved an item's due date (改期).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineChanged {
    /// The active due dates it replaced.
    pub from: Vec<NaiveDate>,
    pub to: NaiveDate,
    /// The due-date version written.
    pub version: i32,
    pub reason: String,
}

/// `item.decide_deadline_change`: the office decided a 延期申请; an approval also names the
/// due date it replaced, the one granted and the version written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadlineDecided {
    pub request_id: i64,
    pub approve: bool,
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i32>,
}

/// A payload as stored.
pub fn to_json<T: Serialize>(payload: &T) -> serde_json::Value {
    // Plain structs of strings, numbers and dates: serialising cannot fail.
    serde_json::to_value(payload).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_reads_back_as_written_and_in_the_stored_shape() {
        let changed = DeadlineChanged {
            from: vec![test_support::date(2021, 6, 30)],
            to: test_support::date(2021, 9, 30),
            version: 2,
            reason: "汛期施工受阻".into(),
        };
        let json = to_json(&changed);
        // The shape stored since the supervision cycle landed: rows written before stay readable.
        assert_eq!(
            json,
            serde_json::json!({ "from": ["2021-06-30"], "to": "2021-09-30", "version": 2, "reason": "汛期施工受阻" })
        );
        assert_eq!(
            serde_json::from_value::<DeadlineChanged>(json).ok(),
            Some(changed)
        );
    }

    #[test]
    fn a_refusal_has_no_dates_and_reads_back() {
        let stored = serde_json::json!({ "request_id": 7, "approve": false, "note": null });
        let decided: DeadlineDecided = serde_json::from_value(stored.clone()).expect("reads");
        assert_eq!(
            (decided.request_id, decided.approve, decided.version),
            (7, false, None)
        );
        assert_eq!(to_json(&decided), stored);
    }
}
