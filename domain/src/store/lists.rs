//! Published lists.

use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

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
