//! Database services shared by the api and the worker, one module per thing kept:
//!
//! - `item/`: items (reads and filters), `edit` (create, correct, withdraw), `admin` (status,
//!   改期, departments on an item), `due_dates` (the one writer of due-date versions),
//!   `progress`, `extension` (延期申请 and its decision), `completion` (办结报告, 销号, 退办),
//!   `access` (what a department may do to an item); the rules they apply are in
//!   `crate::supervision`;
//! - `department/`: the directory (names, aliases, the resolver), `directory` (reads),
//!   `admin` (departments, aliases, contacts, merges), `tokens`;
//! - `delivery/`: reminder deliveries (reads for the graph), `sending` (the worker's writes:
//!   record, claim, mark), `reminders` (a run's plan and preview), `acknowledgements` (签收);
//! - `list_import/`: importing a published list; `lists`: reading lists;
//! - `ledger`: the facts of a list's 台账 (rows built by `crate::ledger`); `scores`: the facts
//!   of 考评; `bulletin`: the periodic 情况通报 (its record and facts); `notice`: notices to
//!   departments and the office;
//! - `audit`, `stats`, `page` (keyset pagination), `unit_of_work` (`Change`: commit with an
//!   audit event).

pub mod account;
pub mod audit;
pub mod bulletin;
pub mod delivery;
pub mod department;
pub mod item;
pub mod ledger;
pub mod list_import;
pub mod lists;
pub mod notice;
pub mod page;
pub mod scores;
pub mod stats;
pub mod unit_of_work;

use sea_orm::sea_query::{Expr, LikeExpr};
use sha2::{Digest, Sha256};

/// A new secret: `prefix` and 32 random bytes from the operating system, URL-safe base64 (department
/// tokens, session cookies, password links). Only its digest ([`sha256_hex`]) is kept.
pub(crate) fn random_secret(prefix: &str) -> Result<String, crate::DomainError> {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        crate::DomainError::Database(sea_orm::DbErr::Custom(format!(
            "the operating system gave no random bytes: {e}"
        )))
    })?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The SHA-256 of `text` in lowercase hex: how list texts and department tokens are kept.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// `item_due_date.active` as a bare predicate. Written `active`, not `active = $1`: the partial
/// index `ix_item_due_date_active_item` then applies to prepared statements' generic plans too,
/// where the value of a parameter is unknown.
pub(crate) fn active_due_date() -> Expr {
    Expr::col((
        entity::item_due_date::Entity,
        entity::item_due_date::Column::Active,
    ))
}

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
