//! The rules of the supervision cycle: who may ask for a 延期 and when, what a decision may
//! grant, and which states 办结报告, 销号 and 退办 move an item between. Pure: the writers in
//! `store::item::{extension, completion}` read the rows, ask these rules, then write.

use chrono::{Days, NaiveDate};

use crate::{
    DomainError,
    model::{ItemStatus, RequestStatus},
};

/// A note from a person (a reason, a progress note): trimmed, checked, `None` when blank.
pub fn optional_note(field: &str, text: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    crate::text::check(text, crate::text::MAX_NOTE_CHARS, crate::text::Lines::Many)
        .map_err(|m| DomainError::validation(field, m))?;
    Ok(Some(text.to_owned()))
}

/// A note that must be written; `missing` says what it is for when it is blank.
pub fn required_note(field: &str, text: &str, missing: &str) -> Result<String, DomainError> {
    optional_note(field, Some(text))?.ok_or_else(|| DomainError::validation(field, missing))
}

/// Whether an item in `status` may still be extended: not once it is reported done, done or
/// withdrawn.
pub fn extension_allowed(status: ItemStatus) -> Result<(), DomainError> {
    let why = match status {
        ItemStatus::Done => "该事项已销号，无需延期",
        ItemStatus::Closed => "该事项已撤销",
        ItemStatus::CompletionReported => "该事项已报办结，正等待督查室审核",
        ItemStatus::Open | ItemStatus::InProgress => return Ok(()),
    };
    Err(DomainError::Conflict {
        field: "itemId".into(),
        message: why.into(),
    })
}

/// The due date a 延期申请 is about, as stored.
#[derive(Clone, Copy, Debug)]
pub struct AskedDueDate {
    pub due_on: NaiveDate,
    /// Whether it is still the item's current version.
    pub active: bool,
}

/// A request about `asked`, filed `today`, for `proposed`: the due date must be current, not
/// past by more than `grace_days`, and the new date later than it.
pub fn extension_request(
    asked: AskedDueDate,
    proposed: NaiveDate,
    today: NaiveDate,
    grace_days: u32,
) -> Result<(), DomainError> {
    if !asked.active {
        return Err(DomainError::validation(
            "dueDateId",
            "该到期日已被调整，请就当前到期日申请",
        ));
    }
    let last_day = asked
        .due_on
        .checked_add_days(Days::new(u64::from(grace_days)))
        .unwrap_or(NaiveDate::MAX);
    if today > last_day {
        return Err(DomainError::validation(
            "dueDateId",
            format!(
                "到期日 {} 已过：须在到期前{}申请",
                asked.due_on,
                if grace_days > 0 {
                    format!("（或到期后 {grace_days} 天内）")
                } else {
                    String::new()
                }
            ),
        ));
    }
    if proposed <= asked.due_on {
        return Err(DomainError::validation(
            "proposedDueOn",
            format!("申请延至的日期应晚于当前到期日 {}", asked.due_on),
        ));
    }
    Ok(())
}

/// Whether a request in `status` may still be decided or withdrawn.
pub fn request_pending(status: RequestStatus) -> Result<(), DomainError> {
    let done = match status {
        RequestStatus::Pending => return Ok(()),
        RequestStatus::Approved => "批准",
        RequestStatus::Rejected => "退回",
        RequestStatus::Withdrawn => "撤回",
    };
    Err(DomainError::Conflict {
        field: "requestId".into(),
        message: format!("该申请已{done}"),
    })
}

/// The date a decision grants: `other` (另定日期) if given, else the one asked for; `None` for
/// a refusal. A refusal that names a date is an error.
pub fn granted(
    approve: bool,
    other: Option<NaiveDate>,
    proposed: NaiveDate,
) -> Result<Option<NaiveDate>, DomainError> {
    decision_shape(approve, other)?;
    Ok(approve.then(|| other.unwrap_or(proposed)))
}

/// A decision names another date only when it approves.
pub fn decision_shape(approve: bool, other: Option<NaiveDate>) -> Result<(), DomainError> {
    if !approve && other.is_some() {
        return Err(DomainError::validation(
            "dueOn",
            "a date is granted only with an approval",
        ));
    }
    Ok(())
}

/// Only whoever asked (a department, or the office for `None`) withdraws a request.
pub fn withdrawal_allowed(
    asked_by: Option<i64>,
    acting_for: Option<i64>,
) -> Result<(), DomainError> {
    if asked_by == acting_for {
        return Ok(());
    }
    Err(DomainError::Forbidden(
        "only whoever asked may withdraw a request; the office rejects one with decideDeadlineChange"
            .into(),
    ))
}

/// A step of 办结: its report by a lead department, the office's 销号 or 退办.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionStep {
    Report,
    Confirm,
    Return,
}

impl CompletionStep {
    /// The status the step moves an item in `status` to, or why it may not.
    pub fn apply(self, status: ItemStatus) -> Result<ItemStatus, DomainError> {
        let (allowed, to, wanted) = match self {
            CompletionStep::Report => (
                matches!(status, ItemStatus::Open | ItemStatus::InProgress),
                ItemStatus::CompletionReported,
                "只有未开始或推进中的事项可以报办结",
            ),
            CompletionStep::Confirm => (
                status == ItemStatus::CompletionReported,
                ItemStatus::Done,
                "只有已报办结的事项可以销号（setItemStatus 可设任意状态）",
            ),
            CompletionStep::Return => (
                status == ItemStatus::CompletionReported,
                ItemStatus::InProgress,
                "只有已报办结的事项可以退办",
            ),
        };
        if allowed {
            return Ok(to);
        }
        let now = match status {
            ItemStatus::Open => "未开始",
            ItemStatus::InProgress => "推进中",
            ItemStatus::CompletionReported => "已报办结，等待审核",
            ItemStatus::Done => "已销号",
            ItemStatus::Closed => "已撤销",
        };
        Err(DomainError::Conflict {
            field: "itemId".into(),
            message: format!("该事项{now}；{wanted}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use test_support::date;

    use super::*;

    fn field_of(e: DomainError) -> String {
        match e {
            DomainError::Validation { field, .. } | DomainError::Conflict { field, .. } => field,
            other => panic!("not a field error: {other:?}"),
        }
    }

    #[test]
    fn finished_items_are_not_extended() {
        assert!(extension_allowed(ItemStatus::Open).is_ok());
        assert!(extension_allowed(ItemStatus::InProgress).is_ok());
        for status in [
            ItemStatus::CompletionReported,
            ItemStatus::Done,
            ItemStatus::Closed,
        ] {
            assert_eq!(
                field_of(extension_allowed(status).expect_err("refused")),
                "itemId"
            );
        }
    }

    #[test]
    fn a_request_is_filed_by_the_due_date_or_within_the_grace_window() {
        let asked = AskedDueDate {
            due_on: date(2021, 6, 30),
            active: true,
        };
        let later = date(2021, 9, 30);
        assert!(extension_request(asked, later, date(2021, 6, 30), 0).is_ok());
        let late = extension_request(asked, later, date(2021, 7, 1), 0).expect_err("refused");
        assert!(late.to_string().contains("已过"), "{late}");
        assert!(extension_request(asked, later, date(2021, 7, 3), 3).is_ok());
        assert!(extension_request(asked, later, date(2021, 7, 4), 3).is_err());
    }

    #[test]
    fn a_request_asks_for_a_later_date_on_the_current_due_date() {
        let asked = AskedDueDate {
            due_on: date(2021, 6, 30),
            active: true,
        };
        let today = date(2021, 6, 1);
        let same = extension_request(asked, asked.due_on, today, 0).expect_err("refused");
        assert_eq!(field_of(same), "proposedDueOn");
        let stale = AskedDueDate {
            active: false,
            ..asked
        };
        let e = extension_request(stale, date(2021, 9, 30), today, 0).expect_err("refused");
        assert_eq!(field_of(e), "dueDateId");
    }

    #[test]
    fn a_decision_grants_the_date_asked_or_another_and_a_refusal_none() {
        let asked = date(2021, 9, 30);
        let other = date(2021, 8, 31);
        assert_eq!(granted(true, None, asked).ok(), Some(Some(asked)));
        assert_eq!(granted(true, Some(other), asked).ok(), Some(Some(other)));
        assert_eq!(granted(false, None, asked).ok(), Some(None));
        assert_eq!(
            field_of(granted(false, Some(other), asked).expect_err("refused")),
            "dueOn"
        );
    }

    #[test]
    fn a_decided_request_is_not_decided_again_and_only_its_asker_withdraws_it() {
        assert!(request_pending(RequestStatus::Pending).is_ok());
        let e = request_pending(RequestStatus::Approved).expect_err("refused");
        assert!(e.to_string().contains("批准"), "{e}");
        assert!(withdrawal_allowed(Some(3), Some(3)).is_ok());
        assert!(withdrawal_allowed(None, None).is_ok());
        assert!(matches!(
            withdrawal_allowed(Some(3), Some(4)),
            Err(DomainError::Forbidden(_))
        ));
        assert!(withdrawal_allowed(Some(3), None).is_err());
    }

    #[test]
    fn completion_moves_open_work_to_reported_then_done_or_back() {
        use CompletionStep::*;
        use ItemStatus::*;
        assert_eq!(Report.apply(Open).ok(), Some(CompletionReported));
        assert_eq!(Report.apply(InProgress).ok(), Some(CompletionReported));
        assert_eq!(Confirm.apply(CompletionReported).ok(), Some(Done));
        assert_eq!(Return.apply(CompletionReported).ok(), Some(InProgress));
        for (step, status) in [
            (Report, CompletionReported),
            (Report, Done),
            (Confirm, InProgress),
            (Return, Done),
            (Return, Closed),
        ] {
            let e = step.apply(status).expect_err("refused");
            assert_eq!(field_of(e), "itemId", "{step:?} on {status:?}");
        }
    }

    #[test]
    fn notes_are_trimmed_and_a_required_one_says_what_it_is_for() {
        assert_eq!(optional_note("note", Some("  ")).ok(), Some(None));
        assert_eq!(
            optional_note("note", Some(" 已完成 ")).ok(),
            Some(Some("已完成".into()))
        );
        let e = required_note("reason", " ", "请写明延期理由").expect_err("refused");
        assert!(e.to_string().contains("请写明延期理由"), "{e}");
    }
}
