//! Helpers for constraint names and the `IN (...)` checks that guard string-coded enums.

use sea_orm_migration::prelude::*;

/// `CHECK (column IN ('a', 'b', ...))` under the given constraint name.
pub fn check_in(name: &str, column: &'static str, values: &[&'static str]) -> (String, Expr) {
    (
        name.to_owned(),
        Expr::col(column).is_in(values.iter().copied()),
    )
}

/// A named unique index over `columns`.
pub fn unique_index(
    name: &str,
    table: &'static str,
    columns: &[&'static str],
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table).unique();
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}
