//! The middle of the supervision cycle (督办流程):
//!
//! - `item.status` gains `completion_reported` (办结报告, awaiting the office's 销号), and
//!   `item.completed_on` records the day the office confirmed it;
//! - `deadline_change_request`: 延期申请, at most one pending per due date;
//! - `supervision_notice`: what the worker tells the office and the departments about
//!   requests, decisions and returned items, each once;
//! - `reminder_delivery.acknowledged_at`: 签收.
//!
//! PostgreSQL replaces the status CHECK. SQLite cannot alter a constraint, and rebuilding
//! `item` would cascade-delete every row that refers to it, so SQLite's stored table definition
//! is edited in place: the procedure SQLite documents for loosening a CHECK without touching
//! the data (`writable_schema`, then a new `schema_version` so every connection reloads it).

use sea_orm_migration::{
    prelude::*,
    schema::*,
    sea_orm::{DatabaseBackend, Statement},
};

use crate::names::{check_in, unique_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_STATUSES: &str = "'open', 'in_progress', 'done', 'closed'";
const NEW_STATUSES: &str = "'open', 'in_progress', 'completion_reported', 'done', 'closed'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        item_statuses(manager, OLD_STATUSES, NEW_STATUSES).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("item")
                    .add_column(date_null("completed_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("reminder_delivery")
                    .add_column(timestamp_with_time_zone_null("acknowledged_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("deadline_change_request")
                    .col(big_pk_auto("id"))
                    .col(big_integer("item_id"))
                    .col(big_integer("due_date_id"))
                    .col(date("proposed_due_on"))
                    .col(text("reason"))
                    .col(text_null("progress_note"))
                    // `admin` or `department:12`, as in the audit trail.
                    .col(string("requested_by"))
                    .col(big_integer_null("department_id"))
                    .col(timestamp_with_time_zone("requested_at"))
                    .col(string_len("status", 16).default("pending"))
                    .col(string_null("decided_by"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(text_null("decision_note"))
                    // The date granted, which the office may choose other than the one asked.
                    .col(date_null("granted_due_on"))
                    .check(check_in(
                        "ck_deadline_change_request_status",
                        "status",
                        &["pending", "approved", "rejected", "withdrawn"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deadline_change_request_item")
                            .from("deadline_change_request", "item_id")
                            .to("item", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deadline_change_request_due_date")
                            .from("deadline_change_request", "due_date_id")
                            .to("item_due_date", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_deadline_change_request_department")
                            .from("deadline_change_request", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // One pending request per due date: two racing requests cannot both be written.
        manager
            .create_index(
                Index::create()
                    .name("uq_deadline_change_request_pending")
                    .table("deadline_change_request")
                    .col("due_date_id")
                    .unique()
                    .and_where(Expr::col("status").eq("pending"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deadline_change_request_item")
                    .table("deadline_change_request")
                    .col("item_id")
                    .col("requested_at")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_deadline_change_request_status")
                    .table("deadline_change_request")
                    .col("status")
                    .col("requested_at")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("supervision_notice")
                    .col(big_pk_auto("id"))
                    .col(string_len("kind", 32))
                    .col(big_integer("item_id"))
                    .col(big_integer_null("request_id"))
                    // The department told; null for the supervision office.
                    .col(big_integer_null("department_id"))
                    .col(text_null("note"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(string_len("status", 16).default("pending"))
                    .col(integer("attempts").default(0))
                    .col(text_null("last_error"))
                    .col(timestamp_with_time_zone_null("claimed_until"))
                    .col(timestamp_with_time_zone_null("sent_at"))
                    .check(check_in(
                        "ck_supervision_notice_kind",
                        "kind",
                        &["extension_requested", "extension_decided", "item_returned"],
                    ))
                    .check(check_in(
                        "ck_supervision_notice_status",
                        "status",
                        &["pending", "sent", "failed", "skipped"],
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_supervision_notice_item")
                            .from("supervision_notice", "item_id")
                            .to("item", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_supervision_notice_request")
                            .from("supervision_notice", "request_id")
                            .to("deadline_change_request", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_supervision_notice_department")
                            .from("supervision_notice", "department_id")
                            .to("department", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Each request is announced once per kind and recipient, whatever number of writers.
        manager
            .create_index(unique_index(
                "uq_supervision_notice_request",
                "supervision_notice",
                &["request_id", "kind", "department_id"],
            ))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_supervision_notice_status")
                    .table("supervision_notice")
                    .col("status")
                    .col("id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("supervision_notice").to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table("deadline_change_request").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("reminder_delivery")
                    .drop_column("acknowledged_at")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("item")
                    .drop_column("completed_on")
                    .to_owned(),
            )
            .await?;
        // The older schema has no such status: a reported item is back in progress.
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE item SET status = 'in_progress' WHERE status = 'completion_reported'",
            )
            .await?;
        item_statuses(manager, NEW_STATUSES, OLD_STATUSES).await
    }
}

/// Replaces the values `ck_item_status` allows.
async fn item_statuses(manager: &SchemaManager<'_>, from: &str, to: &str) -> Result<(), DbErr> {
    let db = manager.get_connection();
    if manager.get_database_backend() == DatabaseBackend::Postgres {
        // `completion_reported` is longer than the 16 characters the column had; widening a
        // varchar is a change of the catalogue only, and back down it fits again once no row
        // holds the new status.
        let width = if to.contains("completion_reported") {
            32
        } else {
            16
        };
        db.execute_unprepared(&format!(
            "ALTER TABLE item ALTER COLUMN status TYPE varchar({width})"
        ))
        .await?;
        db.execute_unprepared("ALTER TABLE item DROP CONSTRAINT ck_item_status")
            .await?;
        db.execute_unprepared(&format!(
            "ALTER TABLE item ADD CONSTRAINT ck_item_status CHECK (status IN ({to}))"
        ))
        .await?;
        return Ok(());
    }
    let version = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA schema_version",
        ))
        .await?
        .ok_or_else(|| DbErr::Migration("SQLite reported no schema_version".into()))?
        .try_get_by_index::<i64>(0)?;
    db.execute_unprepared("PRAGMA writable_schema = ON").await?;
    let edited = db
        .execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "UPDATE sqlite_master SET sql = replace(sql, ?, ?) \
             WHERE type = 'table' AND name = 'item' AND instr(sql, ?) > 0",
            [from.into(), to.into(), from.into()],
        ))
        .await;
    db.execute_unprepared(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    db.execute_unprepared("PRAGMA writable_schema = OFF")
        .await?;
    if edited?.rows_affected() != 1 {
        return Err(DbErr::Migration(format!(
            "item's CHECK on status does not read ({from}) as this migration expects"
        )));
    }
    Ok(())
}
