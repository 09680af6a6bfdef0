use sea_orm::entity::prelude::*;

/// Another printed name of a department (市委政研室 for 市委政策研究室 ...).
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_alias")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub department_id: i64,
    #[sea_orm(unique)]
    pub alias: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<super::department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
