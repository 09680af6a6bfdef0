//! Departments and their aliases: names are matched after NFKC, by canonical name or alias.

pub mod admin;
pub mod directory;
pub mod suggestions;
pub mod tokens;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryOrder};

use crate::{
    DomainError,
    department::{DepartmentName, comparison_key},
};
use entity::{department, department_alias};

/// Every known name (canonical or alias, in comparison form) → department id.
pub struct DepartmentResolver {
    by_key: HashMap<String, i64>,
}

impl DepartmentResolver {
    pub async fn load<C: ConnectionTrait>(db: &C) -> Result<Self, DomainError> {
        let mut by_key = HashMap::new();
        for alias in department_alias::Entity::find().all(db).await? {
            by_key.insert(comparison_key(&alias.alias), alias.department_id);
        }
        // Canonical names win over aliases.
        for dept in department::Entity::find().all(db).await? {
            by_key.insert(comparison_key(&dept.name), dept.id);
        }
        Ok(Self { by_key })
    }

    pub fn find(&self, name: &DepartmentName) -> Option<i64> {
        self.by_key.get(&name.key()).copied()
    }

    /// The department named `name`, created (and remembered) if no name or alias matches.
    /// Returns the id and whether it was created.
    pub async fn resolve_or_create<C: ConnectionTrait>(
        &mut self,
        db: &C,
        name: &DepartmentName,
        now: DateTime<Utc>,
    ) -> Result<(i64, bool), DomainError> {
        if let Some(id) = self.find(name) {
            return Ok((id, false));
        }
        let created = department::ActiveModel {
            name: Set(name.to_string()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        self.by_key.insert(name.key(), created.id);
        Ok((created.id, true))
    }
}

/// An alias and the canonical name it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasView {
    pub alias: String,
    pub department: String,
}

/// Makes `alias` another name of the department called (or aliased) `department`.
pub async fn add_alias<C: ConnectionTrait>(
    db: &C,
    alias: &DepartmentName,
    department: &DepartmentName,
    now: DateTime<Utc>,
) -> Result<AliasView, DomainError> {
    let resolver = DepartmentResolver::load(db).await?;
    let Some(department_id) = resolver.find(department) else {
        return Err(DomainError::NotFound {
            entity: "department",
            id: department.to_string(),
        });
    };
    if let Some(existing) = resolver.find(alias) {
        let message = if existing == department_id {
            format!("「{alias}」已是这个部门的名称或别名")
        } else {
            format!("「{alias}」已指向另一个部门；合并部门请用单独的操作")
        };
        return Err(DomainError::Conflict {
            field: "alias".into(),
            message,
        });
    }
    insert_alias(db, department_id, alias.as_str(), now).await?;
    let canonical = department::Entity::find_by_id(department_id)
        .one(db)
        .await?
        .map_or_else(|| department.to_string(), |d| d.name);
    Ok(AliasView {
        alias: alias.to_string(),
        department: canonical,
    })
}

/// Every department's canonical name by id.
pub async fn names<C: ConnectionTrait>(db: &C) -> Result<HashMap<i64, String>, DomainError> {
    Ok(department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect())
}

/// Every alias with its department, by alias.
pub async fn aliases<C: ConnectionTrait>(db: &C) -> Result<Vec<AliasView>, DomainError> {
    let names = names(db).await?;
    Ok(department_alias::Entity::find()
        .order_by_asc(department_alias::Column::Alias)
        .all(db)
        .await?
        .into_iter()
        .map(|a| AliasView {
            department: names.get(&a.department_id).cloned().unwrap_or_default(),
            alias: a.alias,
        })
        .collect())
}

/// Records `alias` as another name of department `department_id`. Callers check first that the
/// name is free; the unique index is the last word.
pub(crate) async fn insert_alias<C: ConnectionTrait>(
    db: &C,
    department_id: i64,
    alias: &str,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    department_alias::ActiveModel {
        department_id: Set(department_id),
        alias: Set(alias.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}
