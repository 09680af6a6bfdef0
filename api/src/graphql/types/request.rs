//! `DeadlineChangeRequest`: a 延期申请 and the office's decision on it.

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use domain::{DomainError, model, store::item::extension::RequestFilter};

use super::{DeadlineChangeRequestStatus, Department, DueDate, Item};
use crate::graphql::{
    auth, ids,
    loaders::{AssignmentsOf, DepartmentKey, DueDateKey, ItemKey, load_group, load_one},
    scalars::Date,
};

#[derive(Clone)]
pub struct DeadlineChangeRequest(pub model::DeadlineChangeRequest);

/// A 延期申请: a lead department asks for a due date to move, with a reason; the office
/// approves (possibly granting another date), rejects, or the department withdraws it.
#[Object]
impl DeadlineChangeRequest {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::DeadlineChangeRequest, self.0.id)
    }

    async fn item(&self, ctx: &Context<'_>) -> Result<Item> {
        load_one(ctx, ItemKey(self.0.item_id))
            .await?
            .map(Item)
            .ok_or_else(|| "the request's item is gone".into())
    }

    /// The due date the request is about (as it was when asked; a later version replaces it).
    async fn due_date(&self, ctx: &Context<'_>) -> Result<Option<DueDate>> {
        Ok(load_one(ctx, DueDateKey(self.0.due_date_id))
            .await?
            .map(DueDate))
    }

    /// The date asked for.
    async fn proposed_due_on(&self) -> Date {
        Date(self.0.proposed_due_on)
    }

    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Where the work stands, as the department put it.
    async fn progress_note(&self) -> Option<&str> {
        self.0.progress_note.as_deref()
    }

    /// `department:12` or `admin`, as in the audit trail.
    async fn requested_by(&self) -> &str {
        &self.0.requested_by
    }

    /// The department that asked; null when the administrator did.
    async fn requesting_department(&self, ctx: &Context<'_>) -> Result<Option<Department>> {
        match self.0.department_id {
            Some(id) => Ok(load_one(ctx, DepartmentKey(id)).await?.map(Department)),
            None => Ok(None),
        }
    }

    async fn requested_at(&self) -> DateTime<Utc> {
        self.0.requested_at
    }

    async fn status(&self) -> DeadlineChangeRequestStatus {
        self.0.status.into()
    }

    /// Who decided or withdrew it.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }

    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }

    async fn decision_note(&self) -> Option<&str> {
        self.0.decision_note.as_deref()
    }

    /// The date granted: the one asked for, or another the office chose (approved only).
    async fn granted_due_on(&self) -> Option<Date> {
        self.0.granted_due_on.map(Date)
    }
}

/// Which requests to list.
#[derive(InputObject, Default)]
pub struct DeadlineChangeRequestFilter {
    /// Default `PENDING`: what awaits a decision.
    pub status: Option<DeadlineChangeRequestStatus>,
    /// Requests by this department, or about items it leads.
    pub department_id: Option<ID>,
    pub list_id: Option<ID>,
}

impl DeadlineChangeRequestFilter {
    pub fn to_domain(&self, path: &str) -> Result<RequestFilter, DomainError> {
        Ok(RequestFilter {
            status: Some(
                self.status
                    .unwrap_or(DeadlineChangeRequestStatus::Pending)
                    .into(),
            ),
            department_id: self
                .department_id
                .as_ref()
                .map(|id| ids::decode(Kind::Department, id, &format!("{path}.departmentId")))
                .transpose()?,
            list_id: self
                .list_id
                .as_ref()
                .map(|id| ids::decode(Kind::ProjectList, id, &format!("{path}.listId")))
                .transpose()?,
            item_id: None,
        })
    }
}

/// Fails unless the caller may read an item's internal records (requests, history): an
/// administrator, or a department with a part in the item.
pub async fn may_read_records_of(ctx: &Context<'_>, item_id: i64) -> Result<()> {
    match auth::reading_for(ctx)? {
        None => Ok(()),
        Some(department) => {
            let assignments = load_group(ctx, AssignmentsOf(item_id)).await?;
            if assignments.iter().any(|a| a.department.id == department) {
                Ok(())
            } else {
                Err(auth::forbidden(
                    "your department is neither lead nor cooperating on this item",
                ))
            }
        }
    }
}
