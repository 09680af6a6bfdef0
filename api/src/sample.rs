//! The sample list a newcomer's first `cargo run -p api` starts with.

use chrono::{DateTime, Utc};
use domain::{
    DomainError,
    listdoc::{ParseOptions, parse},
    store::{
        self,
        audit::Actor,
        list_import::{ImportOptions, ImportReport, import},
    },
};
use sea_orm::DatabaseConnection;

/// `examples/sample-list.txt`, written for this project.
pub const SAMPLE_LIST: &str = include_str!("../../examples/sample-list.txt");

/// Imports the sample list when the database has no list at all; `None` when it has some.
pub async fn seed_if_empty(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<Option<ImportReport>, DomainError> {
    if !store::lists::all(db, true).await?.is_empty() {
        return Ok(None);
    }
    let parsed = parse(SAMPLE_LIST, &ParseOptions::default());
    let options = ImportOptions {
        issuer: Some("示例市".into()),
        actor: Actor::system("sample"),
        now,
    };
    import(db, SAMPLE_LIST, &parsed, &options).await.map(Some)
}
