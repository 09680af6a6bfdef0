//! Published lists.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{DomainError, model::ProjectList};
use entity::project_list;

/// Every list, oldest first.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<ProjectList>, DomainError> {
    Ok(project_list::Entity::find()
        .order_by_asc(project_list::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(ProjectList::from)
        .collect())
}

/// The lists with these ids; missing ids are left out.
pub async fn by_ids<C: ConnectionTrait>(
    db: &C,
    ids: &[i64],
) -> Result<Vec<ProjectList>, DomainError> {
    Ok(project_list::Entity::find()
        .filter(project_list::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(ProjectList::from)
        .collect())
}
