use sea_orm::entity::prelude::*;

use crate::ItemStatus;

/// One numbered item of a list.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub list_id: i64,
    pub number: i32,
    /// The number as printed, e.g. `十九`.
    pub number_text: String,
    #[sea_orm(column_type = "Text")]
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// 完成时限, verbatim.
    #[sea_orm(column_type = "Text")]
    pub deadline_text: String,
    /// 长期坚持: the item has no end even when it has dated milestones.
    pub ongoing: bool,
    pub status: ItemStatus,
    /// Phrases printed among the departments that name no department (各县区政府 ...): a JSON
    /// array of strings.
    pub generic_phrases: Json,
    /// First and last source line (1-based) the item was parsed from.
    pub source_line_first: Option<i32>,
    pub source_line_last: Option<i32>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The earliest active due date, kept in step with item_due_date by the domain.
    pub earliest_due_on: Option<Date>,
    /// The day the office confirmed completion (销号).
    pub completed_on: Option<Date>,
    /// The category heading the item is printed under (`教育文化`), in lists that have them.
    pub category: Option<String>,
    /// People named on the item (牵头领导, 项目责任人): a JSON array of strings.
    pub responsible_people: Json,
    #[sea_orm(belongs_to, from = "list_id", to = "id")]
    pub list: BelongsTo<super::project_list::Entity>,
    #[sea_orm(has_many)]
    pub due_dates: HasMany<super::item_due_date::Entity>,
    #[sea_orm(has_many)]
    pub departments: HasMany<super::item_department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
