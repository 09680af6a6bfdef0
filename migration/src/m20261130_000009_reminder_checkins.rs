//! The ledger learns monthly check-ins for items that are only ongoing (长期坚持, no date): such
//! a row names its item instead of a due date. `due_date_id` becomes nullable, `item_id` is
//! added, exactly one of them is set, and check-ins have their own once-only key.
//!
//! PostgreSQL alters the table in place. SQLite cannot drop NOT NULL, so it rebuilds the table
//! (create, copy, drop, rename) with the same names for every constraint and index.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DatabaseBackend};

use crate::names::{check_in, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &str = "id, due_date_id, due_date_version, department_id, contact_id, contact_email, stage, planned_for, status, attempts, last_error, next_attempt_at, claimed_until, sent_at, message_id, created_at, updated_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every engine: on SQLite the rebuild must run on one connection (a
    /// pooled connection with an older snapshot still sees the dropped table and refuses the
    /// rename), and it is then all-or-nothing.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for sql in [
                "ALTER TABLE reminder_delivery ALTER COLUMN due_date_id DROP NOT NULL",
                "ALTER TABLE reminder_delivery ADD COLUMN item_id bigint NULL",
                "ALTER TABLE reminder_delivery ADD CONSTRAINT fk_reminder_delivery_item FOREIGN KEY (item_id) REFERENCES item (id) ON DELETE CASCADE",
                "ALTER TABLE reminder_delivery ADD CONSTRAINT ck_reminder_delivery_subject CHECK ((due_date_id IS NULL) <> (item_id IS NULL))",
            ] {
                db.execute_unprepared(sql).await?;
            }
        } else {
            manager
                .create_table(table("reminder_delivery_next", true))
                .await?;
            db.execute_unprepared(&format!(
                "INSERT INTO reminder_delivery_next ({COLUMNS}) SELECT {COLUMNS} FROM reminder_delivery"
            ))
            .await?;
            replace_sqlite_table(manager).await?;
        }
        manager.create_index(checkin_key()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // Check-in rows have no due date: the older schema cannot hold them.
        db.execute_unprepared("DELETE FROM reminder_delivery WHERE due_date_id IS NULL")
            .await?;
        if manager.get_database_backend() == DatabaseBackend::Postgres {
            for sql in [
                "DROP INDEX uq_reminder_delivery_checkin",
                "ALTER TABLE reminder_delivery DROP CONSTRAINT ck_reminder_delivery_subject",
                "ALTER TABLE reminder_delivery DROP CONSTRAINT fk_reminder_delivery_item",
                "ALTER TABLE reminder_delivery DROP COLUMN item_id",
                "ALTER TABLE reminder_delivery ALTER COLUMN due_date_id SET NOT NULL",
            ] {
                db.execute_unprepared(sql).await?;
            }
            Ok(())
        } else {
            manager
                .create_table(table("reminder_delivery_next", false))
                .await?;
            db.execute_unprepared(&format!(
                "INSERT INTO reminder_delivery_next ({COLUMNS}) SELECT {COLUMNS} FROM reminder_delivery"
            ))
            .await?;
            replace_sqlite_table(manager).await
        }
    }
}

/// Swaps `reminder_delivery_next` in for `reminder_delivery` and recreates the indexes that
/// dropping the old table took with it. No other table refers to the ledger.
async fn replace_sqlite_table(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    db.execute_unprepared("DROP TABLE reminder_delivery")
        .await?;
    db.execute_unprepared("ALTER TABLE reminder_delivery_next RENAME TO reminder_delivery")
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

/// A check-in goes out once per item, department, address and month. Rows of due dates have
/// no item id, and NULLs never collide, so the key binds check-ins only.
fn checkin_key() -> IndexCreateStatement {
    unique_index(
        "uq_reminder_delivery_checkin",
        "reminder_delivery",
        &["item_id", "department_id", "contact_email", "stage"],
    )
}

/// The ledger as migration 3 made it, or (`with_checkins`) as this migration makes it.
fn table(name: &'static str, with_checkins: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(name).col(big_pk_auto("id"));
    if with_checkins {
        table.col(big_integer_null("due_date_id"));
    } else {
        table.col(big_integer("due_date_id"));
    }
    table
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
                .from(name, "due_date_id")
                .to("item_due_date", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_reminder_delivery_department")
                .from(name, "department_id")
                .to("department", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_reminder_delivery_contact")
                .from(name, "contact_id")
                .to("department_contact", "id")
                .on_delete(ForeignKeyAction::SetNull),
        );
    if with_checkins {
        table
            .col(big_integer_null("item_id"))
            .check((
                "ck_reminder_delivery_subject".to_owned(),
                Expr::cust("(due_date_id IS NULL) <> (item_id IS NULL)"),
            ))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_reminder_delivery_item")
                    .from(name, "item_id")
                    .to("item", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
    }
    table.to_owned()
}
