use sea_orm::entity::prelude::*;

use crate::{DueKind, DuePrecision};

/// A dated milestone of an item. A deadline change (延期) adds rows with a higher `version` and
/// deactivates the previous ones, so history stays queryable.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item_due_date")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    /// A calendar date: no time zone is stored; "today" is computed in the configured zone.
    pub due_on: Date,
    pub precision: DuePrecision,
    pub kind: DueKind,
    pub label: Option<String>,
    pub version: i32,
    pub active: bool,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<super::item::Entity>,
    #[sea_orm(has_many)]
    pub deliveries: HasMany<super::reminder_delivery::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
