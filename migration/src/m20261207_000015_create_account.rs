//! Accounts: people who sign in (管理员, 督查员, 领导, 联络员), their sessions, the one-time links
//! that set a password, and the failed sign-ins that throttle guessing. The audit trail names
//! the person: `actor_name` and `actor_role` as they were when the event happened.
//!
//! Secrets are never stored: a password as its Argon2id hash (PHC string), a session or a link
//! as the SHA-256 digest of its random secret.

use sea_orm_migration::{prelude::*, schema::*};

use crate::names::{check_in, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLES: [&str; 4] = ["admin", "clerk", "leader", "liaison"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let (role_check, role_in) = check_in("ck_account_role", "role", &ROLES);
        manager
            .create_table(
                Table::create()
                    .table("account")
                    .col(big_pk_auto("id"))
                    .col(string_len("login", 64))
                    .col(string_len("name", 64))
                    .col(string_len("role", 16))
                    .col(big_integer_null("department_id"))
                    .col(string_len_null("email", 254))
                    .col(string_len_null("oidc_subject", 255))
                    .col(string_len_null("password_hash", 255))
                    .col(timestamp_with_time_zone_null("disabled_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check((role_check, role_in))
                    // A liaison acts for one department, and only a liaison is bound to one.
                    .check((
                        "ck_account_liaison_department".to_owned(),
                        Expr::col("role")
                            .eq("liaison")
                            .eq(Expr::col("department_id").is_not_null()),
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_department")
                            .from("account", "department_id")
                            .to("department", "id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("uq_account_login", "account", &["login"]))
            .await?;
        manager
            .create_index(unique_index(
                "uq_account_oidc_subject",
                "account",
                &["oidc_subject"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("account_session")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("token_sha256", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("last_seen_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("revoked_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_account_session_account")
                            .from("account_session", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_account_session_sha256",
                "account_session",
                &["token_sha256"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_account_session_account")
                    .table("account_session")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;

        let (purpose_check, purpose_in) =
            check_in("ck_password_link_purpose", "purpose", &["invite", "reset"]);
        manager
            .create_table(
                Table::create()
                    .table("password_link")
                    .col(big_pk_auto("id"))
                    .col(big_integer("account_id"))
                    .col(string_len("token_sha256", 64))
                    .col(string_len("purpose", 16))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("expires_at"))
                    .col(timestamp_with_time_zone_null("used_at"))
                    .check((purpose_check, purpose_in))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_password_link_account")
                            .from("password_link", "account_id")
                            .to("account", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_password_link_sha256",
                "password_link",
                &["token_sha256"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_password_link_account")
                    .table("password_link")
                    .col("account_id")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("sign_in_failure")
                    .col(big_pk_auto("id"))
                    .col(string_len("login", 64))
                    .col(string_len("client_address", 64))
                    .col(timestamp_with_time_zone("failed_at"))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("ix_sign_in_failure_login", "login"),
            ("ix_sign_in_failure_address", "client_address"),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table("sign_in_failure")
                        .col(column)
                        .col("failed_at")
                        .to_owned(),
                )
                .await?;
        }

        for column in [
            string_len_null("actor_name", 64),
            string_len_null("actor_role", 16),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table("audit_event")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["actor_role", "actor_name"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("audit_event")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            "sign_in_failure",
            "password_link",
            "account_session",
            "account",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
