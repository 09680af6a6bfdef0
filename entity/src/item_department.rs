use sea_orm::entity::prelude::*;

use crate::DepartmentRole;

/// A department's part in an item: lead (牵头) or cooperating (配合), in printed order.
#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "item_department")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: i64,
    pub department_id: i64,
    pub role: DepartmentRole,
    /// 0-based position in the printed department field.
    pub position: i32,
    #[sea_orm(belongs_to, from = "item_id", to = "id")]
    pub item: BelongsTo<super::item::Entity>,
    #[sea_orm(belongs_to, from = "department_id", to = "id")]
    pub department: BelongsTo<super::department::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
