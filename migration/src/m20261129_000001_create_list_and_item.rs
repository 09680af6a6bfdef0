//! project_list, item and item_due_date: the list as published.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::{check_in, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("project_list")
                    .col(big_pk_auto("id"))
                    .col(text("title"))
                    .col(string_null("issuer"))
                    .col(integer_null("year"))
                    .col(string_null("batch_label"))
                    .col(text("source_text"))
                    .col(string_len("source_sha256", 64))
                    .col(timestamp_with_time_zone("imported_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_project_list_source_sha256",
                "project_list",
                &["source_sha256"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("item")
                    .col(big_pk_auto("id"))
                    .col(big_integer("list_id"))
                    .col(integer("number"))
                    .col(string("number_text"))
                    .col(text("title"))
                    .col(text("content"))
                    .col(text("deadline_text"))
                    .col(boolean("ongoing").default(false))
                    .col(string_len("status", 16).default("open"))
                    .col(json("generic_phrases"))
                    .col(integer_null("source_line_first"))
                    .col(integer_null("source_line_last"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(check_in(
                        "ck_item_status",
                        "status",
                        &["open", "in_progress", "done", "closed"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_list")
                            .from("item", "list_id")
                            .to("project_list", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_item_list_number",
                "item",
                &["list_id", "number"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("item_due_date")
                    .col(big_pk_auto("id"))
                    .col(big_integer("item_id"))
                    .col(date("due_on"))
                    .col(string_len("precision", 16))
                    .col(string_len("kind", 16))
                    .col(string_null("label"))
                    .col(integer("version").default(1))
                    .col(boolean("active").default(true))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(check_in(
                        "ck_item_due_date_precision",
                        "precision",
                        &["day", "month", "quarter", "half_year", "year"],
                    ))
                    .check(check_in(
                        "ck_item_due_date_kind",
                        "kind",
                        &["final", "stage"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_due_date_item")
                            .from("item_due_date", "item_id")
                            .to("item", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_item_due_date_milestone",
                "item_due_date",
                &["item_id", "version", "kind", "due_on"],
            ))
            .await?;
        // Reminder planning and "what is due" queries scan active dates by day.
        manager
            .create_index(
                Index::create()
                    .name("ix_item_due_date_active_due_on")
                    .table("item_due_date")
                    .col("active")
                    .col("due_on")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["item_due_date", "item", "project_list"] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
