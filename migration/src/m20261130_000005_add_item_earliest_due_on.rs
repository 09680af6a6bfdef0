//! item.earliest_due_on: the earliest active due date, kept beside the item so that the graph
//! can sort, filter by urgency and paginate by due date with one indexed column instead of a
//! correlated subquery per row.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same statement the domain runs after every change to due dates; valid on both engines.
const BACKFILL: &str = "UPDATE item SET earliest_due_on = (\
     SELECT MIN(d.due_on) FROM item_due_date d WHERE d.item_id = item.id AND d.active)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("item")
                    .add_column(date_null("earliest_due_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_item_earliest_due_on")
                    .table("item")
                    .col("earliest_due_on")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(BACKFILL)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_item_earliest_due_on")
                    .table("item")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("item")
                    .drop_column("earliest_due_on")
                    .to_owned(),
            )
            .await
    }
}
