//! Closed sets of values stored as short strings. Each has a named CHECK constraint in the
//! migrations, so the database refuses a value that this code would not understand.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    #[sea_orm(string_value = "open")]
    Open,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    /// 办结报告: the lead department reported it done; the office has yet to confirm (销号) or
    /// send it back (退办).
    #[sea_orm(string_value = "completion_reported")]
    CompletionReported,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "closed")]
    Closed,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum DuePrecision {
    #[sea_orm(string_value = "day")]
    Day,
    #[sea_orm(string_value = "month")]
    Month,
    #[sea_orm(string_value = "quarter")]
    Quarter,
    #[sea_orm(string_value = "half_year")]
    HalfYear,
    #[sea_orm(string_value = "year")]
    Year,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// The item's completion deadline.
    #[sea_orm(string_value = "final")]
    Final,
    /// An intermediate milestone (阶段性成效).
    #[sea_orm(string_value = "stage")]
    Stage,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum DepartmentRole {
    /// 牵头部门
    #[sea_orm(string_value = "lead")]
    Lead,
    /// 配合部门
    #[sea_orm(string_value = "cooperating")]
    Cooperating,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sending")]
    Sending,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
    #[sea_orm(string_value = "skipped")]
    Skipped,
}

/// Where a 延期申请 stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

/// What a supervision notice tells.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    /// To the office: a department asked for more time.
    #[sea_orm(string_value = "extension_requested")]
    ExtensionRequested,
    /// To the requesting department: the office decided.
    #[sea_orm(string_value = "extension_decided")]
    ExtensionDecided,
    /// To a lead department: the office sent its completion report back (退办).
    #[sea_orm(string_value = "item_returned")]
    ItemReturned,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Nobody to tell (no supervisor address, or a department without contacts).
    #[sea_orm(string_value = "skipped")]
    Skipped,
}

/// Where a periodic bulletin (情况通报) stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum BulletinStatus {
    /// Not sent yet: claimed and tried by the next run.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Given up after every attempt; `worker bulletin` for the period tries again.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// A later period opened before it could be sent: a stale bulletin is never sent.
    #[sea_orm(string_value = "superseded")]
    Superseded,
}

/// What a person's account may do (管理员, 督查员, 领导, 联络员).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "clerk")]
    Clerk,
    #[sea_orm(string_value = "leader")]
    Leader,
    #[sea_orm(string_value = "liaison")]
    Liaison,
}

/// Why a one-time password link was made: a new account's first password, or a reset.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum PasswordLinkPurpose {
    #[sea_orm(string_value = "invite")]
    Invite,
    #[sea_orm(string_value = "reset")]
    Reset,
}
