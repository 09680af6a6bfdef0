use sea_orm::entity::prelude::*;

/// A department under its canonical name.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub name: String,
    pub created_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub aliases: HasMany<super::department_alias::Entity>,
    #[sea_orm(has_many)]
    pub contacts: HasMany<super::department_contact::Entity>,
    #[sea_orm(has_many)]
    pub items: HasMany<super::item_department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
