//! department, department_alias, department_contact and item_department.

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
                    .table("department")
                    .col(big_pk_auto("id"))
                    .col(string("name"))
                    .col(timestamp_with_time_zone("created_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index("uq_department_name", "department", &["name"]))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("department_alias")
                    .col(big_pk_auto("id"))
                    .col(big_integer("department_id"))
                    .col(string("alias"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_department_alias_department")
                            .from("department_alias", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_department_alias_alias",
                "department_alias",
                &["alias"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("department_contact")
                    .col(big_pk_auto("id"))
                    .col(big_integer("department_id"))
                    .col(string("person_name"))
                    .col(string("email"))
                    .col(boolean("active").default(true))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_department_contact_department")
                            .from("department_contact", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_department_contact_email",
                "department_contact",
                &["department_id", "email"],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("item_department")
                    .col(big_pk_auto("id"))
                    .col(big_integer("item_id"))
                    .col(big_integer("department_id"))
                    .col(string_len("role", 16))
                    .col(integer("position"))
                    .check(check_in(
                        "ck_item_department_role",
                        "role",
                        &["lead", "cooperating"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_department_item")
                            .from("item_department", "item_id")
                            .to("item", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_item_department_department")
                            .from("item_department", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique_index(
                "uq_item_department_role",
                "item_department",
                &["item_id", "department_id", "role"],
            ))
            .await?;
        // "Which items does this department lead?" is a root query of the graph.
        manager
            .create_index(
                Index::create()
                    .name("ix_item_department_department")
                    .table("item_department")
                    .col("department_id")
                    .col("role")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "item_department",
            "department_contact",
            "department_alias",
            "department",
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
