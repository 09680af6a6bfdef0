//! Row ids by what a test knows them by (a department's name, an item's list and number), read
//! straight from the database: for tests that drive `domain` or a binary rather than the graph.

use entity::{department, item, project_list};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// The id of the department called exactly `name`.
pub async fn department_id(db: &DatabaseConnection, name: &str) -> i64 {
    department::Entity::find()
        .filter(department::Column::Name.eq(name))
        .one(db)
        .await
        .expect("query department")
        .unwrap_or_else(|| panic!("no department {name}"))
        .id
}

/// The id of item `number` of the list whose title contains `list_title_part`.
pub async fn item_id(db: &DatabaseConnection, number: i32, list_title_part: &str) -> i64 {
    let list = project_list::Entity::find()
        .all(db)
        .await
        .expect("query lists")
        .into_iter()
        .find(|l| l.title.contains(list_title_part))
        .unwrap_or_else(|| panic!("no list titled …{list_title_part}…"));
    item::Entity::find()
        .filter(item::Column::ListId.eq(list.id))
        .filter(item::Column::Number.eq(number))
        .one(db)
        .await
        .expect("query item")
        .unwrap_or_else(|| panic!("no item {number} in {}", list.title))
        .id
}
