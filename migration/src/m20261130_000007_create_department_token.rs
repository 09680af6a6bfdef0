//! department_token: bearer tokens issued to departments. Only a SHA-256 digest of each secret
//! is stored; the secret itself is shown once, when it is issued.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::unique_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("department_token")
                    .col(big_pk_auto("id"))
                    .col(big_integer("department_id"))
                    .col(string_len("token_sha256", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_department_token_department")
                            .from("department_token", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_department_token_sha256",
                "department_token",
                &["token_sha256"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_department_token_department")
                    .table("department_token")
                    .col("department_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("department_token").to_owned())
            .await
    }
}
