//! The unit of work every write uses: who acts and when, and the commit that records what the
//! change did in the audit trail with everything else its transaction wrote.

use chrono::{DateTime, Utc};
use sea_orm::DatabaseTransaction;

use crate::{
    DomainError,
    store::audit::{self, Action, Actor, RecordKind},
};

/// Who acts and when, for the audit trail.
#[derive(Clone, Debug)]
pub struct Change {
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

impl Change {
    /// Records what this change did in the audit trail and commits it with everything else
    /// `txn` wrote: the record and the change stand or fall together.
    pub async fn commit(
        &self,
        txn: DatabaseTransaction,
        action: Action,
        entity: (RecordKind, Option<i64>),
        payload: serde_json::Value,
    ) -> Result<(), DomainError> {
        audit::record(&txn, &self.actor, action, entity, payload, self.now).await?;
        txn.commit().await?;
        Ok(())
    }
}
