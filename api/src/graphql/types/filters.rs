//! Input types: filters and orderings, turned into the domain's terms (IDs decoded, field
//! paths named in errors).

use crate::graphql::ids::Kind;
use async_graphql::{ID, InputObject};
use domain::{
    DomainError,
    search::SearchText,
    store::{delivery, item},
};

use super::{
    DeliveryStatus, DepartmentRoleFilter, ItemOrderField, ItemStatus, OrderDirection, Urgency,
};
use crate::graphql::{ids, scalars::Date};

/// Which items. Every field given narrows the result.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ItemFilter {
    pub list_id: Option<ID>,
    /// Items this department leads or cooperates on (see `role`).
    pub department_id: Option<ID>,
    /// With `departmentId`: which role to match (default `ANY`).
    pub role: Option<DepartmentRoleFilter>,
    /// Any of these statuses.
    pub status: Option<Vec<ItemStatus>>,
    /// Any of these urgencies, judged at the query's `now`.
    pub urgency: Option<Vec<Urgency>>,
    /// Items with an active due date on or after this date.
    pub due_from: Option<Date>,
    /// Items with an active due date on or before this date.
    pub due_to: Option<Date>,
    pub ongoing: Option<bool>,
    /// A substring of the title or the content.
    pub search: Option<String>,
}

impl ItemFilter {
    /// The domain filter; `path` is where this input sits (`filter`), for error messages.
    pub fn to_domain(&self, path: &str) -> Result<item::ItemFilter, DomainError> {
        let role = self.role.unwrap_or(DepartmentRoleFilter::Any).into();
        Ok(item::ItemFilter {
            list_id: self
                .list_id
                .as_ref()
                .map(|id| ids::decode(Kind::ProjectList, id, &format!("{path}.listId")))
                .transpose()?,
            department: self
                .department_id
                .as_ref()
                .map(|id| ids::decode(Kind::Department, id, &format!("{path}.departmentId")))
                .transpose()?
                .map(|id| (id, role)),
            statuses: self.status.iter().flatten().map(|s| (*s).into()).collect(),
            urgencies: self.urgency.iter().flatten().map(|u| (*u).into()).collect(),
            due_from: self.due_from.map(|d| d.0),
            due_to: self.due_to.map(|d| d.0),
            ongoing: self.ongoing,
            search: search(self.search.as_deref(), path)?,
        })
    }
}

/// A filter's `search`, parsed; errors name `path.search`.
pub fn search(text: Option<&str>, path: &str) -> Result<Option<SearchText>, DomainError> {
    text.map(|t| {
        SearchText::parse(t).map_err(|m| DomainError::validation(format!("{path}.search"), m))
    })
    .transpose()
}

/// How items are sorted.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct ItemOrder {
    pub field: ItemOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<ItemOrder> for item::ItemOrder {
    fn from(o: ItemOrder) -> Self {
        Self {
            field: match o.field {
                ItemOrderField::DueDate => item::ItemOrderField::DueDate,
                ItemOrderField::Number => item::ItemOrderField::Number,
                ItemOrderField::UpdatedAt => item::ItemOrderField::Updated,
            },
            descending: o.direction == OrderDirection::Desc,
        }
    }
}

/// Which departments.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DepartmentFilter {
    /// A substring of the name or of an alias.
    pub search: Option<String>,
}

/// Which ledger rows.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DeliveryFilter {
    /// Any of these statuses.
    pub status: Option<Vec<DeliveryStatus>>,
    pub department_id: Option<ID>,
    pub item_id: Option<ID>,
    /// Only reminders acknowledged (签收), or only those not.
    pub acknowledged: Option<bool>,
}

impl DeliveryFilter {
    pub fn to_domain(&self, path: &str) -> Result<delivery::DeliveryFilter, DomainError> {
        Ok(delivery::DeliveryFilter {
            statuses: self.status.iter().flatten().map(|s| (*s).into()).collect(),
            department_id: self
                .department_id
                .as_ref()
                .map(|id| ids::decode(Kind::Department, id, &format!("{path}.departmentId")))
                .transpose()?,
            item_id: self
                .item_id
                .as_ref()
                .map(|id| ids::decode(Kind::Item, id, &format!("{path}.itemId")))
                .transpose()?,
            acknowledged: self.acknowledged,
        })
    }
}
