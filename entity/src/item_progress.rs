use sea_orm::entity::prelude::*;

/// A progress report on an item: a note and a percentage, with who reported it and when.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item_progress")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    /// 0 to 100.
    pub percent: i32,
    /// `admin` or `department:12`, as in the audit trail.
    pub author: String,
    /// The reporting department; null when an administrator reported.
    pub department_id: Option<i64>,
    pub reported_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<super::item::Entity>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<Option<super::department::Entity>>,
}

impl ActiveModelBehavior for ActiveModel {}
