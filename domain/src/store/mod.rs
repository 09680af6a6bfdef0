//! Database services shared by the api and the worker.

pub mod access;
pub mod audit;
pub mod deliveries;
pub mod department_directory;
pub mod department_tokens;
pub mod departments;
pub mod directory_admin;
pub mod due_dates;
pub mod import;
pub mod item_admin;
pub mod item_edit;
pub mod items;
pub mod ledger;
pub mod lists;
pub mod page;
pub mod progress;
pub mod reminders;
pub mod stats;

use sea_orm::sea_query::LikeExpr;

/// A LIKE pattern matching any text that contains `text`, with `%`, `_` and `\` in it
/// matching themselves.
pub(crate) fn contains(text: &str) -> LikeExpr {
    LikeExpr::new(like_pattern(text)).escape('\\')
}

fn like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_in_user_text_match_themselves() {
        assert_eq!(super::like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
        assert_eq!(super::like_pattern("公交"), "%公交%");
    }
}
