//! Storing a parsed list: one transaction, so a failure leaves the database as it was.
//!
//! - The same text again (same SHA-256) changes nothing.
//! - A corrected version of a list (same title) updates it: items are matched by number and
//!   reported added / changed / removed; a changed deadline becomes a new due-date version and
//!   the old one stays, inactive. A removed item is closed, not deleted, so its history and
//!   reminder deliveries survive.
//!
//! `pipeline` runs the whole import (file → text → parse → suggestions → store) as both the
//! CLI and the graph call it.

pub mod pipeline;

use crate::store::audit::{Action, RecordKind};
use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, sea_query::Expr,
};
use serde::Serialize;

use crate::{
    DomainError,
    deadline::Milestone,
    department::DepartmentName,
    listdoc::{ParsedItem, ParsedList, WarningKind},
    store::{
        audit::{self, Actor},
        department::DepartmentResolver,
        item::due_dates::Versioning,
    },
};
use entity::{DepartmentRole, ItemStatus, item, item_department, item_due_date, project_list};

/// What the caller knows beyond the text.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub issuer: Option<String>,
    pub actor: Actor,
    pub now: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportOutcome {
    Created,
    Updated,
    Unchanged,
}

/// What an import did, for the admin and the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub list_id: i64,
    pub outcome: ImportOutcome,
    /// Item numbers as printed.
    pub items_added: Vec<String>,
    pub items_changed: Vec<ItemChange>,
    pub items_removed: Vec<String>,
    pub departments_created: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    pub number_text: String,
    /// Which parts changed: `title`, `content`, `deadline`, `departments`, ...
    pub fields: Vec<&'static str>,
}

/// Rows per multi-row INSERT. Far below the bind-parameter limits (PostgreSQL 65,535, SQLite
/// 32,766); the client's cost per statement grows faster than its parameter count, and
/// `bench/import` measured 100-row batches about 4× faster per row than 500-row ones.
const BATCH_ROWS: usize = 100;

/// Refuses what cannot be stored faithfully, before anything is written.
fn check_storable(parsed: &ParsedList) -> Result<&str, DomainError> {
    let title = parsed
        .title
        .as_deref()
        .ok_or_else(|| DomainError::validation("text", "清单在第一个标题之前没有标题行"))?;
    if parsed.items.is_empty() {
        return Err(DomainError::validation(
            "text",
            "没有找到编号事项（如“三、…”“12、…”）",
        ));
    }
    if let Some(dup) = parsed
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::DuplicateNumber)
    {
        return Err(DomainError::validation(
            "text",
            format!("第 {} 行：{}", dup.line, dup.message),
        ));
    }
    Ok(title)
}

/// Writes `parsed` (from `source_text`) in one transaction.
pub async fn import(
    db: &DatabaseConnection,
    source_text: &str,
    parsed: &ParsedList,
    options: &ImportOptions,
) -> Result<ImportReport, DomainError> {
    run(db, source_text, parsed, options, Mode::Commit).await
}

/// What [`import`] would do, computed by the same code in a transaction that is rolled back:
/// nothing is written. The report's `list_id` of a list that would be created is meaningless.
pub async fn dry_run(
    db: &DatabaseConnection,
    source_text: &str,
    parsed: &ParsedList,
    options: &ImportOptions,
) -> Result<ImportReport, DomainError> {
    run(db, source_text, parsed, options, Mode::RollBack).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Commit,
    RollBack,
}

async fn run(
    db: &DatabaseConnection,
    source_text: &str,
    parsed: &ParsedList,
    options: &ImportOptions,
    mode: Mode,
) -> Result<ImportReport, DomainError> {
    let title = check_storable(parsed)?;
    let sha = crate::store::sha256_hex(source_text);
    let txn = crate::db::begin_write(db).await?;

    // Ids only: a list's row holds its whole source text, which is never read back here.
    if let Some(same) = project_list::Entity::find()
        .select_only()
        .column(project_list::Column::Id)
        .filter(project_list::Column::SourceSha256.eq(&sha))
        .into_tuple::<i64>()
        .one(&txn)
        .await?
    {
        txn.rollback().await?;
        return Ok(ImportReport {
            list_id: same,
            outcome: ImportOutcome::Unchanged,
            items_added: vec![],
            items_changed: vec![],
            items_removed: vec![],
            departments_created: vec![],
        });
    }

    let now = options.now;
    let mut writer = Writer {
        txn: &txn,
        now,
        departments: DepartmentResolver::load(&txn).await?,
        departments_created: BTreeSet::new(),
    };
    let existing = project_list::Entity::find()
        .select_only()
        .column(project_list::Column::Id)
        .filter(project_list::Column::Title.eq(title))
        .into_tuple::<i64>()
        .one(&txn)
        .await?;
    let batch_label = batch_label(title);
    let mut report = match existing {
        None => {
            // Inserted without reading the row back (`RETURNING *` would return the source
            // text: on a 4 MB list, three more copies of it at the peak).
            let list_id = project_list::Entity::insert(project_list::ActiveModel {
                title: Set(title.to_owned()),
                issuer: Set(options.issuer.clone()),
                year: Set(parsed.year),
                batch_label: Set(batch_label),
                source_text: Set(source_text.to_owned()),
                source_sha256: Set(sha),
                imported_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            })
            .exec(&txn)
            .await?
            .last_insert_id;
            let all: Vec<&ParsedItem> = parsed.items.iter().collect();
            writer.insert_items(list_id, &all).await?;
            let added = all.iter().map(|i| number_text(i)).collect();
            ImportReport {
                list_id,
                outcome: ImportOutcome::Created,
                items_added: added,
                items_changed: vec![],
                items_removed: vec![],
                departments_created: vec![],
            }
        }
        Some(list_id) => {
            let mut update = project_list::Entity::update_many()
                .col_expr(
                    project_list::Column::SourceText,
                    Expr::value(source_text.to_owned()),
                )
                .col_expr(project_list::Column::SourceSha256, Expr::value(sha))
                .col_expr(project_list::Column::UpdatedAt, Expr::value(now))
                .col_expr(project_list::Column::BatchLabel, Expr::value(batch_label));
            if parsed.year.is_some() {
                update = update.col_expr(project_list::Column::Year, Expr::value(parsed.year));
            }
            if options.issuer.is_some() {
                update = update.col_expr(
                    project_list::Column::Issuer,
                    Expr::value(options.issuer.clone()),
                );
            }
            update
                .filter(project_list::Column::Id.eq(list_id))
                .exec(&txn)
                .await?;
            writer.update_items(list_id, &parsed.items).await?
        }
    };
    report.departments_created = writer.departments_created.into_iter().collect();
    crate::store::item::refresh_earliest_due(&txn, report.list_id).await?;

    audit::record(
        &txn,
        &options.actor,
        Action::ListImport,
        (RecordKind::ProjectList, Some(report.list_id)),
        serde_json::to_value(&report).unwrap_or_default(),
        now,
    )
    .await?;
    match mode {
        Mode::Commit => {
            txn.commit().await?;
            let rows = report.items_added.len() + report.items_changed.len();
            if rows >= ANALYZE_AFTER_ITEMS {
                analyze(db).await;
            }
        }
        Mode::RollBack => txn.rollback().await?,
    }
    Ok(report)
}

/// Items written in one import past which the planner's statistics are refreshed at once.
const ANALYZE_AFTER_ITEMS: usize = 500;

/// Refreshes the planner's statistics of the tables an import fills, as PostgreSQL's manual
/// advises after a bulk load. Until autovacuum gets to it, the planner still believes the
/// tables near empty: reading a freshly imported 10,000-item list's departments became a nested
/// loop of 60,000 index probes (`bench/export`) where the row counts call for a hash join. The import has
/// committed by now, so a failure here only costs speed: it is logged, not returned.
async fn analyze(db: &DatabaseConnection) {
    for table in ["item", "item_department", "item_due_date"] {
        if let Err(error) = db.execute_unprepared(&format!("ANALYZE {table}")).await {
            tracing::warn!(%error, table, "could not refresh planner statistics after an import");
        }
    }
}

fn number_text(item: &ParsedItem) -> String {
    item.number_text.clone().unwrap_or_default()
}

/// `第一批` from `…清单(第一批)`.
fn batch_label(title: &str) -> Option<String> {
    let start = title.find('第')?;
    let rest = &title[start..];
    let end = rest.find('批')?;
    let label = &rest[..end + '批'.len_utf8()];
    (label.chars().count() <= 6).then(|| label.to_owned())
}

struct Writer<'t, C: ConnectionTrait> {
    txn: &'t C,
    now: DateTime<Utc>,
    departments: DepartmentResolver,
    departments_created: BTreeSet<String>,
}

impl<C: ConnectionTrait> Writer<'_, C> {
    /// Inserts new items with their due dates and departments, in batches.
    async fn insert_items(
        &mut self,
        list_id: i64,
        items: &[&ParsedItem],
    ) -> Result<(), DomainError> {
        if items.is_empty() {
            return Ok(());
        }
        // Departments first: creating one is the only per-row write left.
        let mut roles = Vec::with_capacity(items.len());
        for parsed in items {
            roles.push(self.department_roles(parsed).await?);
        }
        for chunk in items.chunks(BATCH_ROWS) {
            let rows = chunk.iter().map(|parsed| item::ActiveModel {
                list_id: Set(list_id),
                number: Set(parsed.number.unwrap_or_default()),
                number_text: Set(number_text(parsed)),
                title: Set(parsed.title.clone()),
                content: Set(parsed.content.clone()),
                deadline_text: Set(parsed.deadline_text.clone()),
                ongoing: Set(parsed.deadline.ongoing),
                status: Set(ItemStatus::Open),
                generic_phrases: Set(serde_json::json!(parsed.generic_phrases)),
                category: Set(parsed.category.clone()),
                responsible_people: Set(serde_json::json!(parsed.responsible_people)),
                source_line_first: Set(i32::try_from(parsed.first_line).ok()),
                source_line_last: Set(i32::try_from(parsed.last_line).ok()),
                created_at: Set(self.now),
                updated_at: Set(self.now),
                ..Default::default()
            });
            item::Entity::insert_many(rows).exec(self.txn).await?;
        }
        let ids: HashMap<i32, i64> = item::Entity::find()
            .filter(item::Column::ListId.eq(list_id))
            .all(self.txn)
            .await?
            .into_iter()
            .map(|i| (i.number, i.id))
            .collect();

        let mut due_dates = Vec::new();
        let mut assignments = Vec::new();
        for (parsed, item_roles) in items.iter().zip(roles) {
            let Some(&item_id) = ids.get(&parsed.number.unwrap_or_default()) else {
                continue;
            };
            due_dates.extend(self.due_date_rows(item_id, &parsed.deadline.milestones, 1));
            assignments.extend(role_rows(item_id, &item_roles));
        }
        for chunk in due_dates.chunks(BATCH_ROWS) {
            item_due_date::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        for chunk in assignments.chunks(BATCH_ROWS) {
            item_department::Entity::insert_many(chunk.to_vec())
                .exec(self.txn)
                .await?;
        }
        for parsed in items {
            if let (Some(progress), Some(&item_id)) = (
                &parsed.progress,
                ids.get(&parsed.number.unwrap_or_default()),
            ) {
                crate::store::item::progress::record_printed(self.txn, item_id, progress, self.now)
                    .await?;
            }
        }
        Ok(())
    }

    fn due_date_rows(
        &self,
        item_id: i64,
        milestones: &[Milestone],
        version: i32,
    ) -> Vec<item_due_date::ActiveModel> {
        crate::store::item::due_dates::rows(item_id, milestones, version, self.now)
    }

    /// (role, department id, printed position) for an item, each department once per role.
    async fn department_roles(
        &mut self,
        parsed: &ParsedItem,
    ) -> Result<Vec<(DepartmentRole, i64, i32)>, DomainError> {
        let mut roles = Vec::new();
        for (role, names) in [
            (DepartmentRole::Lead, &parsed.lead_departments),
            (DepartmentRole::Cooperating, &parsed.cooperating_departments),
        ] {
            let mut seen = BTreeSet::new();
            for (position, name) in names.iter().enumerate() {
                let department_id = self.department(name).await?;
                // Two printed variants of one department (an alias and its name) count once.
                if seen.insert(department_id) {
                    roles.push((
                        role,
                        department_id,
                        i32::try_from(position).unwrap_or(i32::MAX),
                    ));
                }
            }
        }
        Ok(roles)
    }

    async fn department(&mut self, name: &DepartmentName) -> Result<i64, DomainError> {
        let (id, created) = self
            .departments
            .resolve_or_create(self.txn, name, self.now)
            .await?;
        if created {
            self.departments_created.insert(name.to_string());
        }
        Ok(id)
    }

    /// Applies a corrected version: items matched by number.
    async fn update_items(
        &mut self,
        list_id: i64,
        parsed: &[ParsedItem],
    ) -> Result<ImportReport, DomainError> {
        let existing: HashMap<i32, item::Model> = item::Entity::find()
            .filter(item::Column::ListId.eq(list_id))
            .all(self.txn)
            .await?
            .into_iter()
            .map(|i| (i.number, i))
            .collect();
        let mut report = ImportReport {
            list_id,
            outcome: ImportOutcome::Updated,
            items_added: vec![],
            items_changed: vec![],
            items_removed: vec![],
            departments_created: vec![],
        };
        let mut seen = BTreeSet::new();
        let mut new_items = Vec::new();
        for parsed_item in parsed {
            let number = parsed_item.number.unwrap_or_default();
            seen.insert(number);
            match existing.get(&number) {
                None => {
                    new_items.push(parsed_item);
                    report.items_added.push(number_text(parsed_item));
                }
                Some(current) => {
                    let fields = self.update_item(current, parsed_item).await?;
                    if !fields.is_empty() {
                        report.items_changed.push(ItemChange {
                            number_text: number_text(parsed_item),
                            fields,
                        });
                    }
                }
            }
        }
        self.insert_items(list_id, &new_items).await?;
        let mut removed: Vec<&item::Model> = existing
            .values()
            .filter(|i| !seen.contains(&i.number) && i.status != ItemStatus::Closed)
            .collect();
        removed.sort_by_key(|i| i.number);
        for gone in removed {
            let mut active = gone.clone().into_active_model();
            active.status = Set(ItemStatus::Closed);
            active.updated_at = Set(self.now);
            active.update(self.txn).await?;
            self.deactivate_due_dates(gone.id).await?;
            report.items_removed.push(gone.number_text.clone());
        }
        Ok(report)
    }

    /// Updates one item to match the text; returns which parts changed.
    async fn update_item(
        &mut self,
        current: &item::Model,
        parsed: &ParsedItem,
    ) -> Result<Vec<&'static str>, DomainError> {
        let mut changed = Vec::new();
        let generic = serde_json::json!(parsed.generic_phrases);
        let people = serde_json::json!(parsed.responsible_people);
        let checks: [(&'static str, bool); 8] = [
            ("number_text", current.number_text != number_text(parsed)),
            ("title", current.title != parsed.title),
            ("content", current.content != parsed.content),
            (
                "deadline_text",
                current.deadline_text != parsed.deadline_text,
            ),
            ("ongoing", current.ongoing != parsed.deadline.ongoing),
            ("generic_phrases", current.generic_phrases != generic),
            ("category", current.category != parsed.category),
            ("responsible_people", current.responsible_people != people),
        ];
        changed.extend(
            checks
                .iter()
                .filter(|(_, differs)| *differs)
                .map(|(name, _)| *name),
        );

        let versioned = crate::store::item::due_dates::replace(
            self.txn,
            current.id,
            &parsed.deadline.milestones,
            Versioning::WhenDifferent,
            self.now,
        )
        .await?;
        if versioned.is_some() {
            changed.push("due_dates");
        }

        let assigned: Vec<(DepartmentRole, i64, i32)> = item_department::Entity::find()
            .filter(item_department::Column::ItemId.eq(current.id))
            .all(self.txn)
            .await?
            .into_iter()
            .map(|a| (a.role, a.department_id, a.position))
            .collect();
        let wanted = self.department_roles(parsed).await?;
        let mut assigned_sorted = assigned;
        assigned_sorted.sort_by_key(|a| (a.0 as u8, a.2));
        if assigned_sorted != wanted {
            changed.push("departments");
            item_department::Entity::delete_many()
                .filter(item_department::Column::ItemId.eq(current.id))
                .exec(self.txn)
                .await?;
            let rows = role_rows(current.id, &wanted);
            if !rows.is_empty() {
                item_department::Entity::insert_many(rows)
                    .exec(self.txn)
                    .await?;
            }
        }

        if let Some(progress) = &parsed.progress
            && crate::store::item::progress::record_printed(
                self.txn, current.id, progress, self.now,
            )
            .await?
        {
            changed.push("progress");
        }

        let reopened = current.status == ItemStatus::Closed;
        if reopened {
            changed.push("status");
        }
        let mut active = current.clone().into_active_model();
        active.number_text = Set(number_text(parsed));
        active.title = Set(parsed.title.clone());
        active.content = Set(parsed.content.clone());
        active.deadline_text = Set(parsed.deadline_text.clone());
        active.ongoing = Set(parsed.deadline.ongoing);
        active.generic_phrases = Set(generic);
        active.category = Set(parsed.category.clone());
        active.responsible_people = Set(people);
        active.source_line_first = Set(i32::try_from(parsed.first_line).ok());
        active.source_line_last = Set(i32::try_from(parsed.last_line).ok());
        if reopened {
            // The item is printed again: it is back on the list.
            active.status = Set(ItemStatus::Open);
        }
        if !changed.is_empty() {
            active.updated_at = Set(self.now);
        }
        active.update(self.txn).await?;
        Ok(changed)
    }

    async fn deactivate_due_dates(&self, item_id: i64) -> Result<(), DomainError> {
        item_due_date::Entity::update_many()
            .col_expr(
                item_due_date::Column::Active,
                sea_orm::sea_query::Expr::value(false),
            )
            .filter(item_due_date::Column::ItemId.eq(item_id))
            .filter(crate::store::active_due_date())
            .exec(self.txn)
            .await?;
        Ok(())
    }
}

/// Assignment rows from (role, department id, position).
pub(crate) fn role_rows(
    item_id: i64,
    roles: &[(DepartmentRole, i64, i32)],
) -> Vec<item_department::ActiveModel> {
    roles
        .iter()
        .map(
            |&(role, department_id, position)| item_department::ActiveModel {
                item_id: Set(item_id),
                department_id: Set(department_id),
                role: Set(role),
                position: Set(position),
                ..Default::default()
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sha256_hex;

    #[test]
    fn batch_labels_come_from_the_title() {
        assert_eq!(
            batch_label("我市公布重点民生项目清单(第一批)").as_deref(),
            Some("第一批")
        );
        assert_eq!(batch_label("清单（第12批）").as_deref(), Some("第12批"));
        assert_eq!(batch_label("重点民生项目清单"), None);
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
