//! item_progress: what a department or an administrator reports about the work on an item.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("item_progress")
                    .col(big_pk_auto("id"))
                    .col(big_integer("item_id"))
                    .col(text("note"))
                    .col(integer("percent"))
                    // `admin` or `department:12`, as in the audit trail.
                    .col(string("author"))
                    // The reporting department; null when an administrator reported.
                    .col(big_integer_null("department_id"))
                    .col(timestamp_with_time_zone("reported_at"))
                    .check((
                        "ck_item_progress_percent".to_owned(),
                        Expr::col("percent").between(0, 100),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_progress_item")
                            .from("item_progress", "item_id")
                            .to("item", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_progress_department")
                            .from("item_progress", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // The item's `progress` connection pages newest first.
        manager
            .create_index(
                Index::create()
                    .name("ix_item_progress_item")
                    .table("item_progress")
                    .col("item_id")
                    .col("reported_at")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("item_progress").to_owned())
            .await
    }
}
