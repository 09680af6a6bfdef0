//! Probable duplicates among departments, for the administrator to accept or ignore: a list's
//! new names against the stored ones, and the stored departments against each other.

use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

use crate::{
    DomainError,
    department::{
        comparison_key,
        suggestions::{NameForms, Reason, Suggestion, probable_duplicate, suggest},
    },
    listdoc::ParsedList,
};
use entity::{department, department_alias};

/// The names `parsed` prints that no stored department or alias has, against every stored name
/// and alias and against each other.
pub async fn for_list<C: ConnectionTrait>(
    db: &C,
    parsed: &ParsedList,
    forms: &NameForms,
) -> Result<Vec<Suggestion>, DomainError> {
    let mut known: Vec<String> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    known.extend(
        department_alias::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.alias),
    );
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    Ok(suggest(&parsed.department_names(), &known, forms))
}

/// A stored department that is probably another, older one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredSuggestion {
    pub department_id: i64,
    pub name: String,
    pub probably_id: i64,
    pub probably: String,
    pub reason: Reason,
}

/// Every stored department against the older ones (by id): the newer name is the suggestion.
pub async fn among_departments<C: ConnectionTrait>(
    db: &C,
    forms: &NameForms,
) -> Result<Vec<StoredSuggestion>, DomainError> {
    let departments: Vec<(i64, String, String)> = department::Entity::find()
        .order_by_asc(department::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|d| {
            let key = comparison_key(&d.name);
            (d.id, d.name, key)
        })
        .collect();
    let mut out = Vec::new();
    for (i, (id, name, key)) in departments.iter().enumerate() {
        for (older_id, older, older_key) in &departments[..i] {
            if let Some(reason) = probable_duplicate(key, older_key, forms) {
                out.push(StoredSuggestion {
                    department_id: *id,
                    name: name.clone(),
                    probably_id: *older_id,
                    probably: older.clone(),
                    reason,
                });
            }
        }
    }
    Ok(out)
}
