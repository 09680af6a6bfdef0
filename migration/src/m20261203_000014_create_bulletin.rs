//! `bulletin`: the periodic 情况通报, one row per period, so that two workers or a restart send
//! it once. The row is written before anything is sent and claimed with a lease, as reminders
//! and notices are.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::{check_in, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("bulletin")
                    .col(big_pk_auto("id"))
                    // The scheduled instant that opens the period; the bulletin is as of it.
                    .col(timestamp_with_time_zone("period_start"))
                    // "Since the last bulletin": the previous period's start.
                    .col(timestamp_with_time_zone("covers_from"))
                    .col(string_len("status", 16).default("pending"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(string_null("message_id"))
                    // The addresses it went to, comma-separated, as sent.
                    .col(text_null("recipients"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(check_in(
                        "ck_bulletin_status",
                        "status",
                        &["pending", "sent", "failed", "superseded"],
                    ))
                    .to_owned(),
            )
            .await?;
        // One bulletin per period, whatever the number of workers.
        manager
            .create_index(unique_index(
                "uq_bulletin_period_start",
                "bulletin",
                &["period_start"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("bulletin").to_owned())
            .await
    }
}
