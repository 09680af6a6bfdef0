//! The audit trail: every write records who did what to which record.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};

use super::page::{self, PageRequest};
use crate::{
    DomainError,
    model::{AuditEvent, Page},
};
use entity::audit_event;

/// Who acts: `cli`, `admin`, `department:12`, `worker`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor(pub String);

pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    entity: (&str, Option<i64>),
    payload: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    audit_event::ActiveModel {
        occurred_at: Set(now),
        actor: Set(actor.0.clone()),
        action: Set(action.to_owned()),
        entity_type: Set(entity.0.to_owned()),
        entity_id: Set(entity.1),
        payload: Set(payload),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Which audit events.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Events about this record: (`item`, 12).
    pub entity: Option<(String, i64)>,
    pub action: Option<String>,
    pub actor: Option<String>,
}

/// One page of the audit trail, newest first.
pub async fn page<C: ConnectionTrait>(
    db: &C,
    filter: &AuditFilter,
    request: &PageRequest<i64>,
) -> Result<Page<AuditEvent>, DomainError> {
    let mut select = audit_event::Entity::find();
    if let Some((entity_type, entity_id)) = &filter.entity {
        select = select
            .filter(audit_event::Column::EntityType.eq(entity_type.as_str()))
            .filter(audit_event::Column::EntityId.eq(*entity_id));
    }
    if let Some(action) = &filter.action {
        select = select.filter(audit_event::Column::Action.eq(action.as_str()));
    }
    if let Some(actor) = &filter.actor {
        select = select.filter(audit_event::Column::Actor.eq(actor.as_str()));
    }
    let id = Expr::col((audit_event::Entity, audit_event::Column::Id));
    page::newest_first(db, select, id, request).await
}
