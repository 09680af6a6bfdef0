use sea_orm::entity::prelude::*;

/// Who did what to which record, and when.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// `account:3`, `admin` (the break-glass token), `department:12`, `cli`, `worker`, ...
    pub actor: String,
    /// `list.import`, `item.update`, ...
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<i64>,
    pub payload: Json,
    /// The person or token as named when the event happened (张三, a department's name).
    pub actor_name: Option<String>,
    /// The account's role then (`clerk`, ...), for events by a person.
    pub actor_role: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
