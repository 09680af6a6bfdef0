//! A department's contacts are unique by address ignoring case: `Zhang@Example.cn` and
//! `zhang@example.cn` are one mailbox, so they are one contact (the graph answers `CONFLICT` on
//! `email`). The unique index `uq_department_contact_email` is rebuilt over `lower(email)`.
//!
//! Contacts that already differ only in case are merged first: the earliest stays, active if
//! any of them was; the others go (their ledger rows keep the address they went to, as when a
//! contact is removed).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "UPDATE department_contact SET active = true WHERE id IN (\
               SELECT min(id) FROM department_contact GROUP BY department_id, lower(email) \
               HAVING count(*) > 1 AND max(CASE WHEN active THEN 1 ELSE 0 END) = 1)",
            "DELETE FROM department_contact WHERE id NOT IN (\
               SELECT min(id) FROM department_contact GROUP BY department_id, lower(email))",
            "DROP INDEX uq_department_contact_email",
            "CREATE UNIQUE INDEX uq_department_contact_email ON department_contact (department_id, lower(email))",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in [
            "DROP INDEX uq_department_contact_email",
            "CREATE UNIQUE INDEX uq_department_contact_email ON department_contact (department_id, email)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
