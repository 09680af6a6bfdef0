//! Item changes, published after their transaction commits and fanned out to the
//! `itemChanged` subscriptions of this api process.

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

/// What changed on an item.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemChangeKind {
    /// The item was added to its list.
    Created,
    /// Its number, title, content or printed deadline was corrected.
    Updated,
    /// It was withdrawn (status `CLOSED`).
    Deleted,
    /// Its status changed.
    Status,
    /// A progress report was added.
    Progress,
    /// Its deadline changed (a new due-date version).
    Deadline,
    /// A department was assigned or unassigned.
    Assignment,
}

/// One committed change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ItemChange {
    pub list_id: i64,
    pub item_id: i64,
    pub kind: ItemChangeKind,
    pub at: DateTime<Utc>,
}

/// The process's channel of item changes. A subscriber that falls more than `CAPACITY`
/// events behind is told how many it missed (and logs it) rather than slowing writers down.
#[derive(Clone)]
pub struct ItemEvents(broadcast::Sender<ItemChange>);

const CAPACITY: usize = 1024;

impl Default for ItemEvents {
    fn default() -> Self {
        Self(broadcast::channel(CAPACITY).0)
    }
}

impl ItemEvents {
    /// Tells every current subscriber; with none listening the change is simply not sent.
    pub fn publish(&self, change: ItemChange) {
        let _ = self.0.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ItemChange> {
        self.0.subscribe()
    }
}
