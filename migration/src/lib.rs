//! Schema migrations. One file per change, each with `down`; a migration that has landed is
//! never edited: a change gets a new file.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_list_and_item;
mod m20261129_000002_create_department;
mod m20261129_000003_create_reminder_delivery;
mod m20261129_000004_create_audit_event;
mod m20261130_000005_add_item_earliest_due_on;
mod m20261130_000006_index_item_orderings;
mod m20261130_000007_create_department_token;
mod m20261130_000008_create_item_progress;
mod m20261130_000009_reminder_checkins;
mod m20261202_000010_contact_email_ignores_case;
mod m20261202_000011_index_active_due_dates;
mod m20261202_000012_supervision_cycle;
mod m20261203_000013_item_category_and_people;
mod m20261203_000014_create_bulletin;
mod m20261207_000015_create_account;
mod m20261207_000016_create_sign_in_flow;
mod m20261207_000017_create_password_mail;
mod m20261207_000018_archive_list;
mod names;

/// Where the data lives when nothing else is configured: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://minsheng.db?mode=rwc";

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_list_and_item::Migration),
            Box::new(m20261129_000002_create_department::Migration),
            Box::new(m20261129_000003_create_reminder_delivery::Migration),
            Box::new(m20261129_000004_create_audit_event::Migration),
            Box::new(m20261130_000005_add_item_earliest_due_on::Migration),
            Box::new(m20261130_000006_index_item_orderings::Migration),
            Box::new(m20261130_000007_create_department_token::Migration),
            Box::new(m20261130_000008_create_item_progress::Migration),
            Box::new(m20261130_000009_reminder_checkins::Migration),
            Box::new(m20261202_000010_contact_email_ignores_case::Migration),
            Box::new(m20261202_000011_index_active_due_dates::Migration),
            Box::new(m20261202_000012_supervision_cycle::Migration),
            Box::new(m20261203_000013_item_category_and_people::Migration),
            Box::new(m20261203_000014_create_bulletin::Migration),
            Box::new(m20261207_000015_create_account::Migration),
            Box::new(m20261207_000016_create_sign_in_flow::Migration),
            Box::new(m20261207_000017_create_password_mail::Migration),
            Box::new(m20261207_000018_archive_list::Migration),
        ]
    }
}

/// Names of migrations that are not yet applied to `db`.
pub async fn pending_migrations<C: ConnectionTrait>(db: &C) -> Result<Vec<String>, DbErr> {
    Ok(Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}
