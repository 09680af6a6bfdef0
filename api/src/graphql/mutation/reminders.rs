//! The reminder preview: what the worker would send at a given instant (administrators only).

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Object, Result, SimpleObject};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{Settings, reminder::load_policy, store::delivery::reminders};
use sea_orm::DatabaseConnection;

use crate::graphql::{
    auth,
    error::{code, to_graphql},
    scalars::Date,
};

#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// What a reminder run at `now` would send, digest by digest, with the worker's current
    /// settings and deliveries. Writes nothing and sends nothing (administrators only).
    async fn preview_reminders(
        &self,
        ctx: &Context<'_>,
        now: DateTime<FixedOffset>,
    ) -> Result<ReminderPreview> {
        auth::require_reader(ctx)?;
        let settings = ctx.data::<Arc<Settings>>()?;
        let db = ctx.data::<DatabaseConnection>()?;
        let policy = load_policy(&settings.reminders).map_err(|message| {
            tracing::error!(%message, "previewReminders: the reminder settings cannot be used");
            async_graphql::Error::new("the reminder settings cannot be used; see the server log")
                .extend_with(|_, e| e.set("code", code::INTERNAL))
        })?;
        let preview = reminders::preview(db, &policy, settings.timezone, now.with_timezone(&Utc))
            .await
            .map_err(to_graphql)?;
        let messages = preview
            .digests
            .iter()
            .map(|d| {
                let m = d.preview().map_err(|message| {
                    tracing::error!(%message, "previewReminders: a subject line cannot be written");
                    async_graphql::Error::new("internal error")
                        .extend_with(|_, e| e.set("code", code::INTERNAL))
                })?;
                Ok(PreviewMessage {
                    to: m.to,
                    cc: m.cc,
                    subject: m.subject,
                    items: m.items,
                })
            })
            .collect::<Result<_>>()?;
        Ok(ReminderPreview {
            today: Some(Date(preview.today)),
            planned: preview.planned as u64,
            day_of_rest: preview.day_of_rest,
            messages,
            uncontacted: preview
                .uncontacted
                .into_iter()
                .map(|(department, item)| UncontactedItem { department, item })
                .collect(),
        })
    }
}

/// The dry-run plan of one reminder run.
#[derive(SimpleObject)]
pub struct ReminderPreview {
    /// The run's date in the configured time zone.
    pub today: Option<Date>,
    /// Reminders planned (one per contact, due date and stage).
    pub planned: u64,
    /// With a holiday calendar: today is a day of rest, so nothing would be sent.
    pub day_of_rest: bool,
    /// One digest per contact and role.
    pub messages: Vec<PreviewMessage>,
    /// Lead departments with no active contact, and the item nobody can be told about.
    pub uncontacted: Vec<UncontactedItem>,
}

#[derive(SimpleObject)]
pub struct PreviewMessage {
    pub to: String,
    /// The supervisor's copy on escalations.
    pub cc: Option<String>,
    pub subject: String,
    /// `三、改善城市公共交通`, one per item listed.
    pub items: Vec<String>,
}

#[derive(SimpleObject)]
pub struct UncontactedItem {
    pub department: String,
    pub item: String,
}
