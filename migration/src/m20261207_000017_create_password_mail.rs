//! Password links by email: an administrator asks for one, the worker mails it. The row holds
//! the request, never the link: the worker makes the link when it sends, so its secret exists
//! only in the email, and its 72 hours count from then. Claimed before sending, as notices are,
//! so several workers send it once.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::check_in;

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
                    .table("password_mail")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("to_address", 254))
                    .col(string_len_null("requested_by", 64))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(string_len("status", 16).default("pending"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .check(check_in(
                        "ck_password_mail_status",
                        "status",
                        &["pending", "sent", "failed", "skipped"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_mail_account")
                            .from("password_mail", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_password_mail_pending")
                    .table("password_mail")
                    .col("status")
                    .col("claimed_until")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_password_mail_account")
                    .table("password_mail")
                    .col("account_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("password_mail").to_owned())
            .await
    }
}
