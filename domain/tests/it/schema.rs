//! The migrations against the entities, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::DomainError;
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IdenStatic, Iterable, Statement,
};
use test_support::{Backend, TestDb, backend_tests};

use entity::*;

/// (column name, nullable) of a table, read from the database's catalogue.
async fn db_columns(
    db: &DatabaseConnection,
    backend: Backend,
    table: &str,
) -> BTreeMap<String, bool> {
    let sql = match backend {
        Backend::Postgres => format!(
            "SELECT column_name AS name, (is_nullable = 'YES') AS nullable FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = '{table}'"
        ),
        // SQLite reports a rowid primary key as nullable; it never is.
        Backend::Sqlite => format!(
            "SELECT name, (\"notnull\" = 0 AND pk = 0) AS nullable FROM pragma_table_info('{table}')"
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("catalogue query");
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("", "name").expect("name");
            let nullable: bool = r.try_get("", "nullable").expect("nullable");
            (name, nullable)
        })
        .collect()
}

fn entity_columns<E: EntityTrait>() -> BTreeMap<String, bool> {
    E::Column::iter()
        .map(|c| (c.as_str().to_owned(), c.def().is_null()))
        .collect()
}

async fn assert_matches<E: EntityTrait + Default>(t: &TestDb) {
    let table = E::default().table_name().to_owned();
    let in_db = db_columns(&t.db, t.backend, &table).await;
    assert!(!in_db.is_empty(), "table {table} does not exist");
    assert_eq!(
        in_db,
        entity_columns::<E>(),
        "table {table}: database (left) vs entity (right)"
    );
}

async fn schema_matches_entities(t: TestDb) {
    assert_matches::<project_list::Entity>(&t).await;
    assert_matches::<item::Entity>(&t).await;
    assert_matches::<item_due_date::Entity>(&t).await;
    assert_matches::<department::Entity>(&t).await;
    assert_matches::<department_alias::Entity>(&t).await;
    assert_matches::<department_contact::Entity>(&t).await;
    assert_matches::<item_department::Entity>(&t).await;
    assert_matches::<reminder_delivery::Entity>(&t).await;
    assert_matches::<audit_event::Entity>(&t).await;
    assert_matches::<department_token::Entity>(&t).await;
    assert_matches::<item_progress::Entity>(&t).await;
    assert_matches::<deadline_change_request::Entity>(&t).await;
    assert_matches::<supervision_notice::Entity>(&t).await;
    assert_matches::<bulletin::Entity>(&t).await;
    assert_matches::<account::Entity>(&t).await;
    assert_matches::<account_session::Entity>(&t).await;
    assert_matches::<password_link::Entity>(&t).await;
    assert_matches::<sign_in_failure::Entity>(&t).await;
    assert_matches::<sign_in_flow::Entity>(&t).await;
    assert_matches::<password_mail::Entity>(&t).await;
}

async fn table_count(t: &TestDb) -> usize {
    let sql = match t.backend {
        Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'seaql_migrations'"
        }
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'seaql_migrations'"
        }
    };
    t.db.query_all_raw(Statement::from_string(t.db.get_database_backend(), sql))
        .await
        .expect("list tables")
        .len()
}

/// Tables the migrations create (seaql_migrations aside).
const TABLES: usize = 20;

async fn migrations_go_down_to_zero_and_up_again(t: TestDb) {
    assert_eq!(table_count(&t).await, TABLES);
    Migrator::down(&t.db, None).await.expect("down to zero");
    assert_eq!(table_count(&t).await, 0, "down leaves no table behind");
    assert_eq!(
        migration::pending_migrations(&t.db)
            .await
            .expect("status")
            .len(),
        Migrator::migrations().len()
    );
    Migrator::up(&t.db, None).await.expect("up again");
    assert_eq!(table_count(&t).await, TABLES);
    assert!(
        migration::pending_migrations(&t.db)
            .await
            .expect("status")
            .is_empty()
    );
    schema_matches_entities(t).await;
}

/// Reverts migration `n` (counting from 1) and every later one.
async fn revert_from(db: &sea_orm::DatabaseConnection, n: usize) {
    let steps = Migrator::migrations().len() + 1 - n;
    Migrator::down(db, Some(steps as u32))
        .await
        .unwrap_or_else(|e| panic!("reverting from migration {n}: {e}"));
}

/// Migration 10 makes contacts unique by address ignoring case; contacts that already differ
/// only in case are merged into the earliest, which stays active if any was.
async fn contacts_differing_only_in_case_are_merged_by_the_migration(t: TestDb) {
    use sea_orm::ConnectionTrait;
    let db = &t.db;
    revert_from(db, 10).await;
    db.execute_unprepared(
        "INSERT INTO department (name, created_at) VALUES ('市民政局', '2021-01-01T00:00:00Z')",
    )
    .await
    .expect("department");
    for (email, active) in [
        ("Zhang@Example.cn", "false"),
        ("zhang@example.cn", "true"),
        ("li@example.cn", "true"),
    ] {
        db.execute_unprepared(&format!(
            "INSERT INTO department_contact (department_id, person_name, email, active, created_at, updated_at) \
             SELECT id, '联系人', '{email}', {active}, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z' FROM department"
        ))
        .await
        .expect("contact");
    }
    Migrator::up(db, None).await.expect("up to 10");
    let mut contacts: Vec<(String, bool)> = department_contact::Entity::find()
        .all(db)
        .await
        .expect("contacts")
        .into_iter()
        .map(|c| (c.email, c.active))
        .collect();
    contacts.sort();
    assert_eq!(
        contacts,
        [
            ("Zhang@Example.cn".to_owned(), true),
            ("li@example.cn".to_owned(), true)
        ]
    );
    let again = db
        .execute_unprepared(
            "INSERT INTO department_contact (department_id, person_name, email, active, created_at, updated_at) \
             SELECT id, '联系人', 'LI@example.CN', true, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z' FROM department",
        )
        .await
        .expect_err("a case variant is refused");
    assert_eq!(
        domain::db::constraints::classify(&again).map(|c| c.field),
        Some("email"),
        "{again}"
    );
    revert_from(db, 10).await;
}

/// Every entity can be written and read back unchanged: column types agree with the schema.
async fn every_entity_round_trips(t: TestDb) {
    let db = &t.db;
    let at = Utc
        .with_ymd_and_hms(2021, 6, 23, 0, 0, 0)
        .single()
        .expect("valid instant");
    let day = NaiveDate::from_ymd_opt(2021, 6, 30).expect("valid date");

    let list = project_list::ActiveModel::builder()
        .set_title("2021年第一批重点民生项目清单")
        .set_issuer(Some("示例市".to_owned()))
        .set_year(Some(2021))
        .set_batch_label(Some("第一批".to_owned()))
        .set_source_text("一、示例")
        .set_source_sha256("a".repeat(64))
        .set_imported_at(at)
        .set_updated_at(at)
        .insert(db)
        .await
        .expect("insert list");
    let item = item::ActiveModel::builder()
        .set_list_id(list.id)
        .set_number(19)
        .set_number_text("十九")
        .set_title("标题")
        .set_content("内容")
        .set_deadline_text("2021年6月底")
        .set_ongoing(true)
        .set_status(ItemStatus::InProgress)
        .set_generic_phrases(serde_json::json!(["各县区政府"]))
        .set_source_line_first(Some(3))
        .set_source_line_last(Some(9))
        .set_created_at(at)
        .set_updated_at(at)
        .insert(db)
        .await
        .expect("insert item");
    let due = item_due_date::ActiveModel::builder()
        .set_item_id(item.id)
        .set_due_on(day)
        .set_precision(DuePrecision::Month)
        .set_kind(DueKind::Stage)
        .set_label(Some("阶段性成效".to_owned()))
        .set_version(1)
        .set_active(true)
        .set_created_at(at)
        .insert(db)
        .await
        .expect("insert due date");
    let dept = department::ActiveModel::builder()
        .set_name("市民政局")
        .set_created_at(at)
        .insert(db)
        .await
        .expect("insert department");
    let alias = department_alias::ActiveModel::builder()
        .set_department_id(dept.id)
        .set_alias("民政局")
        .set_created_at(at)
        .insert(db)
        .await
        .expect("insert alias");
    let contact = department_contact::ActiveModel::builder()
        .set_department_id(dept.id)
        .set_person_name("张三")
        .set_email("zhangsan@example.cn")
        .set_active(true)
        .set_created_at(at)
        .set_updated_at(at)
        .insert(db)
        .await
        .expect("insert contact");
    let role = item_department::ActiveModel::builder()
        .set_item_id(item.id)
        .set_department_id(dept.id)
        .set_role(DepartmentRole::Lead)
        .set_position(0)
        .insert(db)
        .await
        .expect("insert role");
    let delivery = reminder_delivery::ActiveModel::builder()
        .set_due_date_id(Some(due.id))
        .set_due_date_version(1)
        .set_department_id(dept.id)
        .set_contact_id(Some(contact.id))
        .set_contact_email("zhangsan@example.cn")
        .set_stage("T-7")
        .set_planned_for(NaiveDate::from_ymd_opt(2021, 6, 23).expect("valid date"))
        .set_status(DeliveryStatus::Sent)
        .set_attempts(1)
        .set_last_error(None)
        .set_next_attempt_at(None)
        .set_claimed_until(Some(at))
        .set_sent_at(Some(at))
        .set_message_id(Some("<1@minsheng>".to_owned()))
        .set_created_at(at)
        .set_updated_at(at)
        .insert(db)
        .await
        .expect("insert delivery");
    let audit = audit_event::ActiveModel::builder()
        .set_occurred_at(at)
        .set_actor("cli")
        .set_action("list.import")
        .set_entity_type("project_list")
        .set_entity_id(Some(list.id))
        .set_payload(serde_json::json!({"items": 1}))
        .insert(db)
        .await
        .expect("insert audit event");

    assert_eq!(
        project_list::Entity::find_by_id(list.id)
            .one(db)
            .await
            .expect("read"),
        Some(list.into())
    );
    assert_eq!(
        item::Entity::find_by_id(item.id)
            .one(db)
            .await
            .expect("read"),
        Some(item.into())
    );
    assert_eq!(
        item_due_date::Entity::find_by_id(due.id)
            .one(db)
            .await
            .expect("read"),
        Some(due.into())
    );
    assert_eq!(
        department::Entity::find_by_id(dept.id)
            .one(db)
            .await
            .expect("read"),
        Some(dept.into())
    );
    assert_eq!(
        department_alias::Entity::find_by_id(alias.id)
            .one(db)
            .await
            .expect("read"),
        Some(alias.into())
    );
    assert_eq!(
        department_contact::Entity::find_by_id(contact.id)
            .one(db)
            .await
            .expect("read"),
        Some(contact.into())
    );
    assert_eq!(
        item_department::Entity::find_by_id(role.id)
            .one(db)
            .await
            .expect("read"),
        Some(role.into())
    );
    assert_eq!(
        reminder_delivery::Entity::find_by_id(delivery.id)
            .one(db)
            .await
            .expect("read"),
        Some(delivery.into())
    );
    assert_eq!(
        audit_event::Entity::find_by_id(audit.id)
            .one(db)
            .await
            .expect("read"),
        Some(audit.into())
    );
}

async fn insert_department(
    db: &DatabaseConnection,
    name: &str,
) -> Result<department::Model, DomainError> {
    let at = Utc::now();
    Ok(department::ActiveModel::builder()
        .set_name(name)
        .set_created_at(at)
        .insert(db)
        .await?
        .into())
}

/// Violations of named constraints surface as domain errors on a field, on both engines.
async fn constraint_violations_become_domain_errors(t: TestDb) {
    let db = &t.db;
    let first = insert_department(db, "市教育局")
        .await
        .expect("first insert");
    match insert_department(db, "市教育局").await {
        Err(DomainError::Conflict { field, .. }) => assert_eq!(field, "name"),
        other => panic!("expected a conflict on name, got {other:?}"),
    }

    // A raw status outside the CHECK constraint is refused by the database itself.
    let sql = format!(
        "INSERT INTO department_contact (department_id, person_name, email, active, created_at, updated_at) \
         VALUES ({}, 'a', 'a@b.cn', true, '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')",
        first.id
    );
    db.execute_unprepared(&sql).await.expect("first contact");
    let err: DomainError = db
        .execute_unprepared(&sql)
        .await
        .expect_err("duplicate contact")
        .into();
    assert!(
        matches!(&err, DomainError::Conflict { field, .. } if field == "email"),
        "{err:?}"
    );

    let bad_status = "INSERT INTO project_list (title, source_text, source_sha256, imported_at, updated_at) \
                      VALUES ('t', 's', 'h', '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')";
    db.execute_unprepared(bad_status).await.expect("list");
    let list_id: i64 = project_list::Entity::find()
        .one(db)
        .await
        .expect("read list")
        .map(|l| l.id)
        .expect("a list");
    let bad_item = format!(
        "INSERT INTO item (list_id, number, number_text, title, content, deadline_text, ongoing, status, generic_phrases, created_at, updated_at) \
         VALUES ({list_id}, 1, '一', 't', 'c', 'd', false, 'lost', '[]', '2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z')"
    );
    let err: DomainError = db
        .execute_unprepared(&bad_item)
        .await
        .expect_err("bad status")
        .into();
    assert!(
        matches!(&err, DomainError::Validation { field, .. } if field == "status"),
        "{err:?}"
    );

    let orphan = bad_item
        .replace(&format!("VALUES ({list_id},"), "VALUES (999999,")
        .replace("'lost'", "'open'");
    let err: DomainError = db
        .execute_unprepared(&orphan)
        .await
        .expect_err("missing list")
        .into();
    assert!(matches!(err, DomainError::Conflict { .. }), "{err:?}");

    // A progress percentage outside 0..=100 is refused by its CHECK constraint.
    let good_item = bad_item.replace("'lost'", "'open'");
    db.execute_unprepared(&good_item).await.expect("item");
    let item_id = entity::item::Entity::find()
        .one(db)
        .await
        .expect("read item")
        .map(|i| i.id)
        .expect("an item");
    let progress = |percent: i32| {
        format!(
            "INSERT INTO item_progress (item_id, note, percent, author, reported_at) \
             VALUES ({item_id}, 'n', {percent}, 'admin', '2021-01-01T00:00:00Z')"
        )
    };
    db.execute_unprepared(&progress(100)).await.expect("100 %");
    let err: DomainError = db
        .execute_unprepared(&progress(101))
        .await
        .expect_err("101 %")
        .into();
    assert!(
        matches!(&err, DomainError::Validation { field, .. } if field == "percent"),
        "{err:?}"
    );
}

async fn items_page_by_keyset(t: TestDb) {
    let db = &t.db;
    let at = Utc::now();
    let list = project_list::ActiveModel::builder()
        .set_title("清单")
        .set_source_text("x")
        .set_source_sha256("b".repeat(64))
        .set_imported_at(at)
        .set_updated_at(at)
        .insert(db)
        .await
        .expect("list");
    for n in 1..=5 {
        item::ActiveModel::builder()
            .set_list_id(list.id)
            .set_number(n)
            .set_number_text(n.to_string())
            .set_title(format!("事项{n}"))
            .set_content("")
            .set_deadline_text("")
            .set_ongoing(false)
            .set_status(ItemStatus::Open)
            .set_generic_phrases(serde_json::json!([]))
            .set_created_at(at)
            .set_updated_at(at)
            .insert(db)
            .await
            .expect("item");
    }
    use domain::store::{
        item::{self as items, ItemFilter, ItemOrder, Today},
        page::{Direction, PageRequest, Position},
    };
    let today = Today {
        date: at.date_naive(),
        rule: domain::urgency::UrgencyRule { due_soon_days: 14 },
    };
    let filter = ItemFilter {
        list_id: Some(list.id),
        ..Default::default()
    };
    let order = ItemOrder::default();
    let mut request = PageRequest::first(2);
    let mut seen = Vec::new();
    loop {
        let page = items::page(db, &filter, today, order, &request, items::ItemColumns::ALL)
            .await
            .expect("page");
        seen.extend(page.rows.iter().map(|i| i.number));
        request.after = page.rows.last().map(|i| Position {
            key: order.key_of(i),
            id: i.id,
        });
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);

    // Backward from the end, two at a time, yields the same rows in the same order.
    let mut request = PageRequest {
        direction: Direction::Backward,
        ..PageRequest::first(2)
    };
    let mut pages = Vec::new();
    loop {
        let page = items::page(db, &filter, today, order, &request, items::ItemColumns::ALL)
            .await
            .expect("page");
        pages.push(page.rows.iter().map(|i| i.number).collect::<Vec<_>>());
        request.before = page.rows.first().map(|i| Position {
            key: order.key_of(i),
            id: i.id,
        });
        if !page.has_more {
            break;
        }
    }
    assert_eq!(pages, vec![vec![4, 5], vec![2, 3], vec![1]]);

    let unmatched = ItemFilter {
        list_id: Some(list.id + 1),
        ..Default::default()
    };
    assert!(
        items::page(
            db,
            &unmatched,
            today,
            order,
            &PageRequest::first(10),
            items::ItemColumns::ALL
        )
        .await
        .expect("page")
        .rows
        .is_empty()
    );
}

/// Migration 9 rebuilds the ledger on SQLite: rows written before it survive it, check-ins
/// have their own once-only key, and going down removes only what the old schema cannot hold.
async fn the_ledger_keeps_its_rows_across_the_checkin_migration(t: TestDb) {
    let db = &t.db;
    revert_from(db, 9).await;
    let ts = "'2021-01-01T00:00:00Z'";
    for sql in [
        format!(
            "INSERT INTO project_list (title, source_text, source_sha256, imported_at, updated_at) VALUES ('t', 's', 'h', {ts}, {ts})"
        ),
        format!(
            "INSERT INTO item (list_id, number, number_text, title, content, deadline_text, ongoing, status, generic_phrases, created_at, updated_at) \
                 VALUES ((SELECT id FROM project_list), 1, '一', 't', 'c', '长期坚持', true, 'open', '[]', {ts}, {ts})"
        ),
        format!(
            "INSERT INTO item_due_date (item_id, due_on, precision, kind, version, active, created_at) \
                 VALUES ((SELECT id FROM item), '2021-06-30', 'day', 'final', 1, false, {ts})"
        ),
        format!("INSERT INTO department (name, created_at) VALUES ('市民政局', {ts})"),
        format!(
            "INSERT INTO reminder_delivery (due_date_id, due_date_version, department_id, contact_email, stage, planned_for, status, attempts, sent_at, message_id, created_at, updated_at) \
                 VALUES ((SELECT id FROM item_due_date), 1, (SELECT id FROM department), 'a@mz.example.cn', 'T-7', '2021-06-23', 'sent', 1, {ts}, '<m@minsheng>', {ts}, {ts})"
        ),
    ] {
        db.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    Migrator::up(db, None).await.expect("up again");
    let kept = reminder_delivery::Entity::find()
        .all(db)
        .await
        .expect("ledger");
    assert_eq!(kept.len(), 1);
    assert!(kept[0].due_date_id.is_some() && kept[0].item_id.is_none());
    assert_eq!(kept[0].status, DeliveryStatus::Sent);
    assert_eq!(kept[0].message_id.as_deref(), Some("<m@minsheng>"));

    let item_id = item::Entity::find()
        .one(db)
        .await
        .expect("item")
        .map(|i| i.id)
        .expect("an item");
    let checkin = |due_date_id: Option<i64>, item_id: Option<i64>| {
        let mut row = kept[0].clone();
        row.due_date_id = due_date_id;
        row.item_id = item_id;
        row.due_date_version = 0;
        row.stage = "checkin-2021-07".into();
        let mut active: reminder_delivery::ActiveModel = row.into();
        active.id = sea_orm::ActiveValue::NotSet;
        active
    };
    use sea_orm::ActiveModelTrait;
    checkin(None, Some(item_id))
        .insert(db)
        .await
        .expect("a check-in");
    let again: DomainError = checkin(None, Some(item_id))
        .insert(db)
        .await
        .expect_err("the same check-in twice")
        .into();
    assert!(matches!(again, DomainError::Conflict { .. }), "{again:?}");
    let neither: DomainError = checkin(None, None)
        .insert(db)
        .await
        .expect_err("a row about nothing")
        .into();
    assert!(
        matches!(neither, DomainError::Validation { .. }),
        "{neither:?}"
    );

    revert_from(db, 9).await;
    let left = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT stage FROM reminder_delivery",
        ))
        .await
        .expect("ledger");
    assert_eq!(left.len(), 1, "the check-in is gone, the reminder stays");
    Migrator::up(db, None).await.expect("up once more");
}

/// Migration 12 lets an item be `completion_reported` (on SQLite by editing the stored CHECK in
/// place, since rebuilding `item` would cascade into every table that refers to it). Going
/// down puts such items back in progress, and the old CHECK refuses the status again; every
/// row that refers to the item survives both ways.
async fn items_can_await_sign_off_after_migration_12_and_not_before(t: TestDb) {
    use sea_orm::ConnectionTrait;
    let db = &t.db;
    let ts = "'2021-01-01T00:00:00Z'";
    for sql in [
        format!(
            "INSERT INTO project_list (title, source_text, source_sha256, imported_at, updated_at) VALUES ('t', 's', 'h', {ts}, {ts})"
        ),
        format!(
            "INSERT INTO item (list_id, number, number_text, title, content, deadline_text, ongoing, status, generic_phrases, created_at, updated_at) \
                 VALUES ((SELECT id FROM project_list), 1, '一', 't', 'c', '2021年6月底', false, 'completion_reported', '[]', {ts}, {ts})"
        ),
        format!(
            "INSERT INTO item_due_date (item_id, due_on, precision, kind, version, active, created_at) \
                 VALUES ((SELECT id FROM item), '2021-06-30', 'month', 'final', 1, true, {ts})"
        ),
    ] {
        db.execute_unprepared(&sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let bad = db
        .execute_unprepared("UPDATE item SET status = 'reviewing'")
        .await
        .map_err(DomainError::from)
        .expect_err("an unknown status");
    assert!(matches!(bad, DomainError::Validation { .. }), "{bad:?}");

    revert_from(db, 12).await;
    let status = |db: &DatabaseConnection| {
        let db = db.clone();
        async move {
            // Cast: the migration changes the column's length, and PostgreSQL refuses a
            // statement cached on a pooled connection whose result type changed under it.
            db.query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT CAST(status AS TEXT) FROM item",
            ))
            .await
            .expect("query")
            .expect("the item")
            .try_get_by_index::<String>(0)
            .expect("status")
        }
    };
    assert_eq!(status(db).await, "in_progress");
    assert!(
        db.execute_unprepared("UPDATE item SET status = 'completion_reported'")
            .await
            .is_err(),
        "the schema before migration 12 refuses the status"
    );
    let dates = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT id FROM item_due_date",
        ))
        .await
        .expect("due dates");
    assert_eq!(dates.len(), 1, "the item's due date is still there");

    Migrator::up(db, None).await.expect("up again");
    db.execute_unprepared("UPDATE item SET status = 'completion_reported'")
        .await
        .expect("allowed again");
    assert_eq!(status(db).await, "completion_reported");
}

backend_tests!(
    items_can_await_sign_off_after_migration_12_and_not_before,
    the_ledger_keeps_its_rows_across_the_checkin_migration,
    schema_matches_entities,
    migrations_go_down_to_zero_and_up_again,
    contacts_differing_only_in_case_are_merged_by_the_migration,
    every_entity_round_trips,
    constraint_violations_become_domain_errors,
    items_page_by_keyset,
);

#[tokio::test]
async fn an_unmigrated_postgres_database_is_refused_when_migrations_are_required() {
    let Some(t) = TestDb::postgres_empty().await else {
        test_support::skipped(format_args!("TEST_DATABASE_URL is not set"));
        return;
    };
    let url = domain::config::DatabaseUrl::parse(&t.url).expect("url");
    let err = domain::db::open(&url, domain::db::MigrationPolicy::RequireCurrent)
        .await
        .expect_err("pending migrations must stop the start");
    let message = err.to_string();
    assert!(
        message.contains("pending migration") && message.contains("m20261129_000001"),
        "{message}"
    );
    // With --migrate the same database is brought up to date.
    domain::db::open(&url, domain::db::MigrationPolicy::Apply)
        .await
        .expect("migrate on start");
    domain::db::open(&url, domain::db::MigrationPolicy::RequireCurrent)
        .await
        .expect("now current");
}
