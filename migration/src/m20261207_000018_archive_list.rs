//! A list can be put away (归档): it leaves the selectors and stops its reminders and bulletins,
//! and keeps every record. `archived_at` is when; null while the list is in use.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("project_list")
                    .add_column(timestamp_with_time_zone_null("archived_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("project_list")
                    .drop_column("archived_at")
                    .to_owned(),
            )
            .await
    }
}
