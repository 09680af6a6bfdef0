use sea_orm::entity::prelude::*;

/// One published list (重点民生项目清单), as imported.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_list")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The title as printed.
    #[sea_orm(column_type = "Text")]
    pub title: String,
    pub issuer: Option<String>,
    pub year: Option<i32>,
    pub batch_label: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub source_text: String,
    /// Hex SHA-256 of `source_text`; re-importing identical text is recognised by it.
    #[sea_orm(unique)]
    pub source_sha256: String,
    pub imported_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set while the list is put away (归档): no reminders, not in the selectors.
    pub archived_at: Option<DateTimeUtc>,
    #[sea_orm(has_many)]
    pub items: HasMany<super::item::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
