//! `ReminderDelivery`: one reminder to one contact, as recorded (administrators only).

use crate::graphql::ids::Kind;
use async_graphql::{Context, ID, Object, Result, connection::Connection};
use chrono::{DateTime, Utc};
use domain::{model, store::delivery};
use sea_orm::DatabaseConnection;

use super::{DeliveryStatus, Department, DueDate, Item, department::id_position};
use crate::graphql::{
    connection::{self, PageArgs},
    error::to_graphql,
    ids,
    loaders::{DepartmentKey, DueDateKey, ItemKey, load_one},
    scalars::Date,
};

#[derive(Clone)]
pub struct ReminderDelivery(pub model::ReminderDelivery);

/// A reminder to one contact about one due date at one stage: planned, sent once, or failed.
#[Object]
impl ReminderDelivery {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::ReminderDelivery, self.0.id)
    }

    /// When, relative to the due date: `T-30` … `T-1`, `due`, `overdue-1`, `overdue-2`, …, or
    /// `coop-2021-W25` for a cooperating digest.
    async fn stage(&self) -> &str {
        &self.0.stage
    }

    /// The day the reminder was planned for.
    async fn planned_for(&self) -> Date {
        Date(self.0.planned_for)
    }

    async fn status(&self) -> DeliveryStatus {
        self.0.status.into()
    }

    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0.next_attempt_at
    }

    async fn sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.sent_at
    }

    /// 签收: when a contact followed the email's link, or the department acknowledged it.
    async fn acknowledged_at(&self) -> Option<DateTime<Utc>> {
        self.0.acknowledged_at
    }

    /// The Message-ID of the email that carried it (given just before the send, and kept when
    /// the send is tried again).
    async fn message_id(&self) -> Option<&str> {
        self.0.message_id.as_deref()
    }

    /// The address it went (or goes) to.
    async fn contact_email(&self) -> &str {
        &self.0.contact_email
    }

    /// The version of the due date it reminds of.
    async fn due_date_version(&self) -> i32 {
        self.0.due_date_version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn department(&self, ctx: &Context<'_>) -> Result<Option<super::Department>> {
        Ok(load_one(ctx, DepartmentKey(self.0.department_id))
            .await?
            .map(Department))
    }

    /// The due date it reminds of; null for a monthly check-in of an item that is only
    /// ongoing (stage `checkin-2021-07`).
    async fn due_date(&self, ctx: &Context<'_>) -> Result<Option<DueDate>> {
        match self.0.due_date_id {
            Some(id) => Ok(load_one(ctx, DueDateKey(id)).await?.map(DueDate)),
            None => Ok(None),
        }
    }

    async fn item(&self, ctx: &Context<'_>) -> Result<Option<Item>> {
        let item_id = match (self.0.item_id, self.0.due_date_id) {
            (Some(item_id), _) => item_id,
            (None, Some(due_date_id)) => match load_one(ctx, DueDateKey(due_date_id)).await? {
                Some(due) => due.item_id,
                None => return Ok(None),
            },
            (None, None) => return Ok(None),
        };
        Ok(load_one(ctx, ItemKey(item_id)).await?.map(Item))
    }
}

/// Ledger rows, newest first.
pub async fn delivery_connection(
    ctx: &Context<'_>,
    filter: delivery::DeliveryFilter,
    args: PageArgs,
) -> Result<Connection<String, ReminderDelivery>> {
    const KIND: &str = "deliveries";
    let db = ctx.data::<DatabaseConnection>()?;
    let request = args
        .request(|c, field| id_position(KIND, c, field))
        .map_err(to_graphql)?;
    let page = delivery::page(db, &filter, &request)
        .await
        .map_err(to_graphql)?;
    Ok(connection::build(
        &request,
        page,
        |d| ids::cursor(KIND, &d.id.to_string(), d.id),
        ReminderDelivery,
        async_graphql::connection::EmptyFields,
    ))
}
