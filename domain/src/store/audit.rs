//! The audit trail: every write records who did what to which record.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};

use crate::DomainError;
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
