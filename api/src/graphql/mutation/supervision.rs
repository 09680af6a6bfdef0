//! The middle of the supervision cycle: 延期申请 (request, decide, withdraw), 办结报告 →
//! 销号 / 退办 (report, confirm, return), and 签收 (acknowledge a reminder). Who may do what is
//! in the README's table; each step is one transaction with its audit event, announced on
//! `itemChanged` once committed.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use domain::{
    Settings,
    store::{
        delivery::acknowledgements,
        item::{completion, extension},
    },
};
use sea_orm::DatabaseConnection;

use super::{admin_change, change_by_viewer, id_arg, published};
use crate::graphql::{
    auth, clock,
    error::{to_graphql, under},
    events::ItemChangeKind,
    ids::Kind,
    scalars::Date,
    types::{DeadlineChangeRequest, Item, ReminderDelivery},
};

#[derive(Default)]
pub struct SupervisionMutation;

/// A 延期申请.
#[derive(InputObject)]
pub struct RequestDeadlineChangeInput {
    pub item_id: ID,
    /// The due date to move (one of the item's active `dueDates`).
    pub due_date_id: ID,
    /// The date asked for; later than the current one.
    pub proposed_due_on: Date,
    /// Why more time is needed (required).
    pub reason: String,
    /// Where the work stands.
    pub progress_note: Option<String>,
}

/// A request and the item it is about.
#[derive(SimpleObject)]
pub struct DeadlineChangePayload {
    pub request: DeadlineChangeRequest,
    pub item: Item,
}

/// What acknowledging a reminder did.
#[derive(SimpleObject)]
pub struct AcknowledgePayload {
    /// When the email was first acknowledged.
    pub acknowledged_at: DateTime<Utc>,
    /// False when it had been acknowledged before (nothing changed).
    pub first: bool,
    /// Every ledger row the email delivered (one per item and stage).
    pub deliveries: Vec<ReminderDelivery>,
}

#[Object]
impl SupervisionMutation {
    /// 延期申请: a lead department (or the administrator) asks for a due date to move, before
    /// it passes (or within `MINSHENG_EXTENSION_GRACE_DAYS` after). One pending request per due
    /// date. Reminders go on, saying 延期申请审核中, until the office decides; the office hears
    /// of it in the next reminder run.
    async fn request_deadline_change(
        &self,
        ctx: &Context<'_>,
        input: RequestDeadlineChangeInput,
    ) -> Result<DeadlineChangePayload> {
        let acting_for = auth::acting_for(ctx)?;
        let change = change_by_viewer(ctx)?;
        let new = extension::NewRequest {
            item_id: id_arg(Kind::Item, &input.item_id, "input.itemId")?,
            due_date_id: id_arg(Kind::DueDate, &input.due_date_id, "input.dueDateId")?,
            proposed_due_on: input.proposed_due_on.0,
            reason: input.reason,
            progress_note: input.progress_note,
        };
        let settings = ctx.data::<Arc<Settings>>()?;
        let today = clock::today(ctx, None)?.date;
        let db = ctx.data::<DatabaseConnection>()?;
        let (request, item) = extension::request(
            db,
            &new,
            acting_for,
            today,
            settings.supervision.extension_grace_days,
            &change,
        )
        .await
        .map_err(|e| to_graphql(under("input", e)))?;
        published(ctx, ItemChangeKind::DeadlineChangeRequested, &item).await;
        Ok(DeadlineChangePayload {
            request: DeadlineChangeRequest(request),
            item: Item(item),
        })
    }

    /// The office decides a pending request (administrators). `approve: true` moves the due
    /// date to `dueOn` (default: the date asked for) as a new version, and reminders follow it;
    /// `approve: false` leaves the deadline as it is. The department hears of it by email in
    /// the next run.
    async fn decide_deadline_change(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
        approve: bool,
        note: Option<String>,
        due_on: Option<Date>,
    ) -> Result<DeadlineChangePayload> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::DeadlineChangeRequest, &request_id, "requestId")?;
        let decision = extension::Decision {
            approve,
            note,
            due_on: due_on.map(|d| d.0),
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let (request, item) = extension::decide(db, id, &decision, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::DeadlineChangeDecided, &item).await;
        Ok(DeadlineChangePayload {
            request: DeadlineChangeRequest(request),
            item: Item(item),
        })
    }

    /// Takes a pending request back (the department that asked).
    async fn withdraw_deadline_change(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> Result<DeadlineChangePayload> {
        let acting_for = auth::acting_for(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::DeadlineChangeRequest, &request_id, "requestId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let (request, item) = extension::withdraw(db, id, acting_for, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::DeadlineChangeDecided, &item).await;
        Ok(DeadlineChangePayload {
            request: DeadlineChangeRequest(request),
            item: Item(item),
        })
    }

    /// 办结报告: a lead department reports the item done. It becomes `COMPLETION_REPORTED` and
    /// its reminders pause while the office reviews.
    async fn report_completion(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        note: String,
    ) -> Result<Item> {
        let acting_for = auth::acting_for(ctx)?;
        let change = change_by_viewer(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let item = completion::report(db, id, &note, acting_for, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::CompletionReported, &item).await;
        Ok(Item(item))
    }

    /// 销号: the office confirms a reported item (administrators). It becomes `DONE`, completed
    /// today; `completedOnTime` then says whether that was by its deadline.
    async fn confirm_completion(
        &self,
        ctx: &Context<'_>,
        item_id: ID,
        note: Option<String>,
    ) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let today = clock::today(ctx, None)?.date;
        let db = ctx.data::<DatabaseConnection>()?;
        let item = completion::confirm(db, id, note.as_deref(), today, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::CompletionConfirmed, &item).await;
        Ok(Item(item))
    }

    /// 退办: the office sends a reported item back (administrators), with the reason. It is
    /// `IN_PROGRESS` again, its reminders resume, and its lead departments get the reason by
    /// email in the next run.
    async fn return_item(&self, ctx: &Context<'_>, item_id: ID, reason: String) -> Result<Item> {
        let change = admin_change(ctx)?;
        let id = id_arg(Kind::Item, &item_id, "itemId")?;
        let db = ctx.data::<DatabaseConnection>()?;
        let item = completion::return_item(db, id, &reason, &change)
            .await
            .map_err(to_graphql)?;
        published(ctx, ItemChangeKind::Returned, &item).await;
        Ok(Item(item))
    }

    /// 签收: acknowledges the reminder email that delivered this ledger row, as its link does
    /// (the department's own rows; administrators any).
    async fn acknowledge_delivery(
        &self,
        ctx: &Context<'_>,
        delivery_id: ID,
    ) -> Result<AcknowledgePayload> {
        let acting_for = auth::acting_for(ctx)?;
        let id = id_arg(Kind::ReminderDelivery, &delivery_id, "deliveryId")?;
        let now = change_by_viewer(ctx)?.now;
        let db = ctx.data::<DatabaseConnection>()?;
        let done = acknowledgements::acknowledge_delivery(db, id, acting_for, now)
            .await
            .map_err(to_graphql)?;
        Ok(AcknowledgePayload {
            acknowledged_at: done.at,
            first: done.first,
            deliveries: done.rows.into_iter().map(ReminderDelivery).collect(),
        })
    }
}
