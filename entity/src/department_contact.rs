use sea_orm::entity::prelude::*;

/// A person at a department who receives deadline reminders.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub department_id: i64,
    pub person_name: String,
    pub email: String,
    pub active: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<super::department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
