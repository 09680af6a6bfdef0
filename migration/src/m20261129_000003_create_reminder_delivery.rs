//! reminder_delivery: the ledger that makes each reminder go out exactly once.

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
                    .table("reminder_delivery")
                    .col(big_pk_auto("id"))
                    .col(big_integer("due_date_id"))
                    .col(integer("due_date_version"))
                    .col(big_integer("department_id"))
                    .col(big_integer_null("contact_id"))
                    .col(string("contact_email"))
                    .col(string_len("stage", 32))
                    .col(date("planned_for"))
                    .col(string_len("status", 16).default("pending"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("next_attempt_at"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(string_null("message_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(check_in(
                        "ck_reminder_delivery_status",
                        "status",
                        &["pending", "sending", "sent", "failed", "skipped"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_delivery_due_date")
                            .from("reminder_delivery", "due_date_id")
                            .to("item_due_date", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_delivery_department")
                            .from("reminder_delivery", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_reminder_delivery_contact")
                            .from("reminder_delivery", "contact_id")
                            .to("department_contact", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_reminder_delivery_once",
                "reminder_delivery",
                &[
                    "due_date_id",
                    "due_date_version",
                    "department_id",
                    "contact_email",
                    "stage",
                ],
            ))
            .await?;
        // Workers claim due rows by status and retry time.
        manager
            .create_index(
                Index::create()
                    .name("ix_reminder_delivery_claim")
                    .table("reminder_delivery")
                    .col("status")
                    .col("next_attempt_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("reminder_delivery").to_owned())
            .await
    }
}
