//! The active due dates of a page of items (`item_id IN (…) AND active`, ordered by item, date
//! and version) are read by every nested page, every single item and the reminder plan. No
//! index fitted the predicate, so each read scanned every due date; this partial index holds the
//! active rows in the order they are read.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_item_due_date_active_item";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(NAME)
                    .table("item_due_date")
                    .col("item_id")
                    .col("due_on")
                    .col("version")
                    .col("id")
                    // A bare column, not `= true`: the store's queries say `WHERE active` so
                    // that the index applies to their prepared (generic) plans too.
                    .and_where(Expr::col("active"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(NAME).table("item_due_date").to_owned())
            .await
    }
}
