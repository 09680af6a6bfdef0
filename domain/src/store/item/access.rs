//! Who may act on an item: an administrator on any, a department only on the items it leads
//! or cooperates on. Checked inside the writing transaction, so an assignment removed at the
//! same moment cannot let a write through.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::DomainError;
use entity::{item, item_department};

/// The item, if it exists and `acting_for` (a department; `None` for an administrator) may act
/// on it: `NOT_FOUND` or `FORBIDDEN` otherwise.
pub async fn item_for<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
    acting_for: Option<i64>,
) -> Result<item::Model, DomainError> {
    let item = item::Entity::find_by_id(item_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound {
            entity: "Item",
            id: item_id.to_string(),
        })?;
    if let Some(department_id) = acting_for {
        let assigned = item_department::Entity::find()
            .filter(item_department::Column::ItemId.eq(item_id))
            .filter(item_department::Column::DepartmentId.eq(department_id))
            .count(db)
            .await?;
        if assigned == 0 {
            return Err(DomainError::Forbidden(
                "your department is neither lead nor cooperating on this item".into(),
            ));
        }
    }
    Ok(item)
}

/// As [`item_for`], for what only a lead department (牵头部门) may do: ask for more time,
/// report the item done.
pub async fn item_led_by<C: ConnectionTrait>(
    db: &C,
    item_id: i64,
    acting_for: Option<i64>,
) -> Result<item::Model, DomainError> {
    let item = item_for(db, item_id, acting_for).await?;
    if let Some(department_id) = acting_for {
        let leads = item_department::Entity::find()
            .filter(item_department::Column::ItemId.eq(item_id))
            .filter(item_department::Column::DepartmentId.eq(department_id))
            .filter(item_department::Column::Role.eq(entity::DepartmentRole::Lead))
            .count(db)
            .await?;
        if leads == 0 {
            return Err(DomainError::Forbidden(
                "only a lead department (牵头部门) of the item may do this".into(),
            ));
        }
    }
    Ok(item)
}
