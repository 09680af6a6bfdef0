//! Single sign-on: a sign-in begun at the OpenID provider and not yet back. The browser holds
//! the `state`; the row holds what the callback needs to finish (the nonce the ID token must
//! carry, the PKCE verifier) so that any replica can finish a flow another one began. A row is
//! used once and lives minutes.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::unique_index;

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
                    .table("sign_in_flow")
                    .col(big_pk_auto("id"))
                    .col(string_len("state_sha256", 64))
                    .col(string_len("nonce", 128))
                    .col(string_len("pkce_verifier", 128))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_sign_in_flow_state",
                "sign_in_flow",
                &["state_sha256"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_sign_in_flow_expires")
                    .table("sign_in_flow")
                    .col("expires_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("sign_in_flow").to_owned())
            .await
    }
}
