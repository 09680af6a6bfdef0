//! Enums of the public schema, mapped from the domain's.

use async_graphql::Enum;
use domain::{model, store::item::RoleFilter, urgency};

macro_rules! mirror {
    ($(#[$doc:meta])* $name:ident from $domain:path { $($variant:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),* }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v { $(<$domain>::$variant => Self::$variant),* }
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => Self::$variant),* }
            }
        }
    };
}

mirror!(
    /// Where an item stands.
    ItemStatus from model::ItemStatus { Open, InProgress, CompletionReported, Done, Closed }
);
mirror!(
    /// Where a 延期申请 stands.
    DeadlineChangeRequestStatus from model::RequestStatus { Pending, Approved, Rejected, Withdrawn }
);
mirror!(
    /// How pressing an item is today (in the configured time zone).
    Urgency from urgency::Urgency { Overdue, DueSoon, OnTrack, Ongoing, Done }
);
mirror!(
    /// How precisely the published text named the date (`6月底` is a month).
    DuePrecision from model::DuePrecision { Day, Month, Quarter, HalfYear, Year }
);
mirror!(
    /// A completion deadline, or an intermediate milestone (阶段性成效).
    DueKind from model::DueKind { Final, Stage }
);
mirror!(
    /// Where a reminder stands: waiting, being sent, sent, failed or skipped.
    DeliveryStatus from model::DeliveryStatus { Pending, Sending, Sent, Failed, Skipped }
);
mirror!(
    /// 牵头 (lead) or 配合 (cooperating).
    DepartmentRole from model::DepartmentRole { Lead, Cooperating }
);
mirror!(
    /// Which of a department's roles on an item to match.
    DepartmentRoleFilter from RoleFilter { Lead, Cooperating, Any }
);

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

/// What items are sorted by; ties are broken by id.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ItemOrderField {
    /// The earliest active due date; items without one come last.
    DueDate,
    /// The number as printed.
    #[default]
    Number,
    /// The last change.
    UpdatedAt,
}
mirror!(
    /// What a person's account may do: 管理员 (`ADMIN`) everything including accounts, 督查员
    /// (`CLERK`) the office's work, 领导 (`LEADER`) reads everything and decides nothing, 联络员
    /// (`LIAISON`) acts for one department.
    AccountRole from domain::account::Role { Admin, Clerk, Leader, Liaison }
);
