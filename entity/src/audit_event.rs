use sea_orm::entity::prelude::*;

/// Who did what to which record, and when.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// `admin`, `department:12`, `cli`, `worker`, ...
    pub actor: String,
    /// `list.import`, `item.update`, ...
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub payload: Json,
}

impl ActiveModelBehavior for ActiveModel {}
