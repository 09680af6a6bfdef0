//! Importing lists into SQLite and (with TEST_DATABASE_URL) PostgreSQL.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::{
    DomainError,
    department::DepartmentName,
    listdoc::{ParseOptions, parse},
    store::{
        audit::Actor,
        list_import::{ImportOptions, ImportOutcome, ImportReport, import},
    },
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use test_support::{Backend, TestDb, backend_tests};

use entity::{
    DepartmentRole, ItemStatus, audit_event, department, item, item_department, item_due_date,
    project_list,
};

const SAMPLE: &str = include_str!("../../../examples/sample-list.txt");

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2023, 1, day, 9, 0, 0)
        .single()
        .expect("valid instant")
}

async fn run(db: &DatabaseConnection, text: &str, day: u32) -> Result<ImportReport, DomainError> {
    let parsed = parse(text, &ParseOptions::default());
    let options = ImportOptions {
        issuer: Some("示例市".into()),
        actor: Actor::system("test"),
        now: at(day),
    };
    import(db, text, &parsed, &options).await
}

/// Row counts of every table the import writes.
async fn counts(db: &DatabaseConnection) -> [u64; 6] {
    [
        project_list::Entity::find().count(db).await.expect("count"),
        item::Entity::find().count(db).await.expect("count"),
        item_due_date::Entity::find()
            .count(db)
            .await
            .expect("count"),
        department::Entity::find().count(db).await.expect("count"),
        item_department::Entity::find()
            .count(db)
            .await
            .expect("count"),
        audit_event::Entity::find().count(db).await.expect("count"),
    ]
}

async fn item_by_number(db: &DatabaseConnection, number: i32) -> item::Model {
    item::Entity::find()
        .filter(item::Column::Number.eq(number))
        .one(db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("item {number}"))
}

async fn importing_the_sample_writes_every_part(t: TestDb) {
    let db = &t.db;
    let report = run(db, SAMPLE, 1).await.expect("import");
    assert_eq!(report.outcome, ImportOutcome::Created);
    assert_eq!(
        report.items_added,
        ["一", "二", "三", "四", "五", "六", "七"]
    );
    assert!(report.departments_created.contains(&"市教育局".to_owned()));
    assert!(
        !report
            .departments_created
            .iter()
            .any(|d| d.starts_with('各')),
        "generic phrases are not departments"
    );
    assert!(
        !report
            .departments_created
            .contains(&"市城乡建设局".to_owned()),
        "the orphan fragment is not stored"
    );

    let list = project_list::Entity::find()
        .one(db)
        .await
        .expect("query")
        .expect("a list");
    assert_eq!(list.title, "示例市2023年为民办实事项目清单(第一批)");
    assert_eq!(list.year, Some(2023));
    assert_eq!(list.batch_label.as_deref(), Some("第一批"));
    assert_eq!(list.issuer.as_deref(), Some("示例市"));
    assert_eq!(list.source_text, SAMPLE);

    let one = item_by_number(db, 1).await;
    assert_eq!(one.number_text, "一");
    assert_eq!(
        (one.source_line_first, one.source_line_last),
        (Some(12), Some(20))
    );
    let dates = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(one.id))
        .order_by_asc(item_due_date::Column::DueOn)
        .all(db)
        .await
        .expect("dates");
    let got: Vec<_> = dates
        .iter()
        .map(|d| (d.due_on.to_string(), d.kind, d.version, d.active))
        .collect();
    assert_eq!(
        got,
        [
            ("2023-08-31".to_owned(), entity::DueKind::Stage, 1, true),
            ("2023-12-31".to_owned(), entity::DueKind::Final, 1, true),
        ]
    );

    let two = item_by_number(db, 2).await;
    assert_eq!(two.generic_phrases, serde_json::json!(["各县区政府"]));
    let roles = item_department::Entity::find()
        .filter(item_department::Column::ItemId.eq(two.id))
        .order_by_asc(item_department::Column::Role)
        .order_by_asc(item_department::Column::Position)
        .all(db)
        .await
        .expect("roles");
    let mut named = Vec::new();
    for r in roles {
        let d = department::Entity::find_by_id(r.department_id)
            .one(db)
            .await
            .expect("q")
            .expect("dept");
        named.push((r.role, r.position, d.name));
    }
    assert_eq!(
        named,
        [
            (DepartmentRole::Cooperating, 0, "市财政局".to_owned()),
            (DepartmentRole::Cooperating, 1, "市人社局".to_owned()),
            (DepartmentRole::Lead, 0, "市民政局".to_owned()),
            (DepartmentRole::Lead, 1, "市卫健委".to_owned()),
        ]
    );
    let six = item_by_number(db, 6).await;
    assert!(six.ongoing);

    let audit = audit_event::Entity::find().all(db).await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (audit[0].action.as_str(), audit[0].actor.as_str()),
        ("list.import", "test")
    );
    assert_eq!(audit[0].entity_id, Some(list.id));
}

async fn reimporting_the_same_text_changes_nothing(t: TestDb) {
    let db = &t.db;
    let first = run(db, SAMPLE, 1).await.expect("import");
    let before = counts(db).await;
    let again = run(db, SAMPLE, 2).await.expect("re-import");
    assert_eq!(again.outcome, ImportOutcome::Unchanged);
    assert_eq!(again.list_id, first.list_id);
    assert_eq!(counts(db).await, before, "not a single row written");
    let list = project_list::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("list");
    assert_eq!(list.updated_at, at(1));
}

async fn a_corrected_version_updates_items_by_number(t: TestDb) {
    let db = &t.db;
    run(db, SAMPLE, 1).await.expect("import");
    let seven_before = item_by_number(db, 7).await;
    let corrected = SAMPLE
        .replace("完成时限:2023年6月底\n", "完成时限:2023年9月底\n")
        .replace("一、新建和改扩建中小学校", "一、新建和改扩建中小学校及幼儿园")
        .replace(
            "七、加强困难群众医疗保障",
            "八、建设便民菜市场\n\n事项内容:新建菜市场5处。\n\n完成时限:2023年底\n\n牵头部门:市商务局\n\n配合部门:市财政局\n\n七、加强困难群众医疗保障",
        );
    // Drop item 七 entirely: from its heading to the stray article.
    let start = corrected.find("七、加强困难群众医疗保障").expect("item 7");
    let end = corrected.find("示例日报讯").expect("article");
    let corrected = format!("{}{}", &corrected[..start], &corrected[end..]);

    let report = run(db, &corrected, 3).await.expect("corrected import");
    assert_eq!(report.outcome, ImportOutcome::Updated);
    assert_eq!(report.items_added, ["八"]);
    assert_eq!(report.items_removed, ["七"]);
    let changed: Vec<(&str, Vec<&str>)> = report
        .items_changed
        .iter()
        .map(|c| (c.number_text.as_str(), c.fields.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            ("一", vec!["title"]),
            ("二", vec!["deadline_text", "due_dates"])
        ]
    );
    assert_eq!(report.departments_created, ["市商务局"]);

    // The deadline change is a new version; the old one stays, inactive.
    let two = item_by_number(db, 2).await;
    let mut dates: Vec<_> = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(two.id))
        .all(db)
        .await
        .expect("dates")
        .into_iter()
        .map(|d| (d.version, d.due_on, d.active))
        .collect();
    dates.sort();
    let ymd = |m, d| NaiveDate::from_ymd_opt(2023, m, d).expect("date");
    assert_eq!(dates, [(1, ymd(6, 30), false), (2, ymd(9, 30), true)]);
    assert_eq!(two.updated_at, at(3));

    let seven = item_by_number(db, 7).await;
    assert_eq!(seven.id, seven_before.id, "removed items are kept");
    assert_eq!(seven.status, ItemStatus::Closed);
    let seven_active = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(seven.id))
        .filter(item_due_date::Column::Active.eq(true))
        .count(db)
        .await
        .expect("count");
    assert_eq!(
        seven_active, 0,
        "a removed item's dates no longer remind anyone"
    );
    let three = item_by_number(db, 3).await;
    assert_eq!(
        three.updated_at,
        at(1),
        "untouched items keep their timestamp"
    );
    assert_eq!(
        project_list::Entity::find().count(db).await.expect("count"),
        1
    );
}

async fn aliases_added_by_the_admin_are_used_by_later_imports(t: TestDb) {
    let db = &t.db;
    db.execute_unprepared(
        "INSERT INTO department (name, created_at) VALUES ('市卫生健康委员会', '2023-01-01T00:00:00Z'), ('市教育局', '2023-01-01T00:00:00Z')",
    )
    .await
    .expect("departments");
    let name = |s: &str| DepartmentName::parse(s).expect("name");
    domain::store::department::add_alias(db, &name("市卫健委"), &name("市卫生健康委员会"), at(1))
        .await
        .expect("alias");
    let conflict =
        domain::store::department::add_alias(db, &name("市卫健委"), &name("市教育局"), at(1)).await;
    assert!(
        matches!(conflict, Err(DomainError::Conflict { ref field, .. }) if field == "alias"),
        "{conflict:?}"
    );
    let unknown =
        domain::store::department::add_alias(db, &name("某局"), &name("不存在的局"), at(1)).await;
    assert!(
        matches!(unknown, Err(DomainError::NotFound { .. })),
        "{unknown:?}"
    );

    let report = run(db, SAMPLE, 2).await.expect("import");
    assert!(
        !report.departments_created.contains(&"市卫健委".to_owned()),
        "{:?}",
        report.departments_created
    );
    let health = department::Entity::find()
        .filter(department::Column::Name.eq("市卫生健康委员会"))
        .one(db)
        .await
        .expect("q")
        .expect("dept");
    let two = item_by_number(db, 2).await;
    let lead_ids: Vec<i64> = item_department::Entity::find()
        .filter(item_department::Column::ItemId.eq(two.id))
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .all(db)
        .await
        .expect("roles")
        .into_iter()
        .map(|r| r.department_id)
        .collect();
    assert!(
        lead_ids.contains(&health.id),
        "item 二's 市卫健委 is 市卫生健康委员会"
    );

    // Printed variants that differ only in full-width brackets and spaces are one department.
    db.execute_unprepared("INSERT INTO department (name, created_at) VALUES ('市委宣传部（市文明办）', '2023-01-01T00:00:00Z')")
        .await
        .expect("department");
    let variant = "又一份清单\n一、甲\n事项内容:甲。\n完成时限:2023年底\n牵头部门:市委宣传部(市文明办)\n配合部门:市卫健委 \n";
    let report = run(db, variant, 3).await.expect("import");
    assert_eq!(report.departments_created, Vec::<String>::new());
}

/// A failure in the middle of an import (a trigger refuses one department) leaves nothing behind.
async fn a_failing_import_leaves_the_database_unchanged(t: TestDb) {
    let db = &t.db;
    run(db, SAMPLE, 1).await.expect("first import");
    let trigger = match t.backend {
        Backend::Sqlite => vec![
            "CREATE TRIGGER refuse_department BEFORE INSERT ON department WHEN NEW.name = '市故障局' \
             BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ],
        Backend::Postgres => vec![
            "CREATE FUNCTION refuse_department() RETURNS trigger AS $$ BEGIN \
             IF NEW.name = '市故障局' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_department BEFORE INSERT ON department FOR EACH ROW EXECUTE FUNCTION refuse_department()",
        ],
    };
    for sql in trigger {
        db.execute_unprepared(sql).await.expect("install trigger");
    }
    let before = counts(db).await;

    // A new list whose third item needs the refused department: two items are written first.
    let other = "另一份清单(第二批)\n\
                 一、甲\n事项内容:甲。\n完成时限:2023年底\n牵头部门:市新甲局\n配合部门:市新乙局\n\
                 二、乙\n事项内容:乙。\n完成时限:2023年底\n牵头部门:市新丙局\n配合部门:市新乙局\n\
                 三、丙\n事项内容:丙。\n完成时限:2023年底\n牵头部门:市故障局\n配合部门:市新乙局\n";
    let err = run(db, other, 2)
        .await
        .expect_err("the trigger fails the import");
    assert!(matches!(err, DomainError::Database(_)), "{err:?}");
    assert_eq!(
        counts(db).await,
        before,
        "nothing of the failed import remains"
    );

    // The same failure while correcting an existing list leaves that list as it was.
    let corrected = SAMPLE.replace("牵头部门:市交通运输局", "牵头部门:市故障局");
    let list_before = project_list::Entity::find()
        .one(db)
        .await
        .expect("q")
        .expect("list");
    run(db, &corrected, 3).await.expect_err("fails");
    assert_eq!(counts(db).await, before);
    let list_after = project_list::Entity::find_by_id(list_before.id)
        .one(db)
        .await
        .expect("q")
        .expect("list");
    assert_eq!(list_after, list_before);
}

async fn unstorable_text_is_refused_before_writing(t: TestDb) {
    let db = &t.db;
    let duplicate = "清单\n一、甲\n事项内容:甲。\n完成时限:2023年底\n牵头部门:市甲局\n配合部门:市乙局\n\
                     一、乙\n事项内容:乙。\n完成时限:2023年底\n牵头部门:市甲局\n配合部门:市乙局\n";
    let err = run(db, duplicate, 1).await.expect_err("duplicate numbers");
    match err {
        DomainError::Validation { field, message } => {
            assert_eq!(field, "text");
            assert!(
                message.contains("第 7 行") && message.contains("两次"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let err = run(db, "只有一行标题\n", 1).await.expect_err("no items");
    assert!(matches!(err, DomainError::Validation { .. }), "{err:?}");
    assert_eq!(counts(db).await, [0; 6]);
}

async fn the_seed_list_imports(t: TestDb) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/heze-2021-livelihood-list-batch1.txt");
    let Ok(text) = std::fs::read_to_string(&path) else {
        test_support::skipped(format_args!("{} is not readable here", path.display()));
        return;
    };
    let report = run(&t.db, &text, 1).await.expect("seed import");
    assert_eq!(report.items_added.len(), 20);
    assert_eq!(item::Entity::find().count(&t.db).await.expect("count"), 20);
    let again = run(&t.db, &text, 2).await.expect("again");
    assert_eq!(again.outcome, ImportOutcome::Unchanged);
}

/// Items are read by column position on the hot paths; each field must land where the
/// entity's own reading (by name) puts it, on both engines.
async fn items_read_by_position_match_the_entity(t: TestDb) {
    run(&t.db, SAMPLE, 1).await.expect("import");
    run_with(
        &t.db,
        &layout_fixture("runon-bulletin.txt"),
        &ParseOptions::default(),
        1,
    )
    .await
    .expect("import a list with categories' and people's columns");
    run_with(
        &t.db,
        &layout_fixture("categorized-deadlines.txt"),
        &ParseOptions::default(),
        1,
    )
    .await
    .expect("import a categorized list");
    let mut expected: Vec<domain::model::Item> = item::Entity::find()
        .order_by_asc(item::Column::Id)
        .all(&t.db)
        .await
        .expect("items")
        .into_iter()
        .map(Into::into)
        .collect();
    assert!(expected.iter().any(|i| !i.generic_phrases.is_empty()));
    assert!(expected.iter().any(|i| i.category.is_some()));
    assert!(expected.iter().any(|i| !i.responsible_people.is_empty()));
    assert!(expected.iter().any(|i| i.earliest_due_on.is_some()));
    let ids: Vec<i64> = expected.iter().map(|i| i.id).collect();
    let mut by_ids = domain::store::item::by_ids(&t.db, &ids)
        .await
        .expect("by ids");
    by_ids.sort_by_key(|i| i.id);
    assert_eq!(by_ids, expected);

    let today = domain::store::item::Today {
        date: NaiveDate::from_ymd_opt(2023, 1, 1).expect("date"),
        rule: domain::urgency::UrgencyRule { due_soon_days: 7 },
    };
    let request = domain::store::page::PageRequest::first(100);
    let filter = domain::store::item::ItemFilter::default();
    let order = domain::store::item::ItemOrder::default();
    let all = domain::store::item::ItemColumns::ALL;
    let mut page = domain::store::item::page(&t.db, &filter, today, order, &request, all)
        .await
        .expect("page");
    page.rows.sort_by_key(|i| i.id);
    assert_eq!(page.rows, expected);

    // Every column but the content: the content reads empty, the rest as before.
    use domain::store::item::{ItemColumn, ItemColumns};
    let short = ItemColumn::ALL
        .into_iter()
        .filter(|c| *c != ItemColumn::Content)
        .fold(ItemColumns::ID, ItemColumns::with);
    let mut page = domain::store::item::page(&t.db, &filter, today, order, &request, short)
        .await
        .expect("page");
    page.rows.sort_by_key(|i| i.id);
    for item in &mut expected {
        item.content.clear();
    }
    assert_eq!(page.rows, expected);

    // The title alone: the id, the title and the order's key (the number) are read, every
    // other column reads as its empty value.
    let title = ItemColumns::ID.with(ItemColumn::Title);
    let mut page = domain::store::item::page(&t.db, &filter, today, order, &request, title)
        .await
        .expect("page");
    page.rows.sort_by_key(|i| i.id);
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let narrowed: Vec<domain::model::Item> = expected
        .iter()
        .map(|i| domain::model::Item {
            id: i.id,
            list_id: 0,
            number: i.number,
            number_text: String::new(),
            title: i.title.clone(),
            content: String::new(),
            deadline_text: String::new(),
            ongoing: false,
            status: domain::model::ItemStatus::Open,
            generic_phrases: Vec::new(),
            earliest_due_on: None,
            completed_on: None,
            category: None,
            responsible_people: Vec::new(),
            created_at: epoch,
            updated_at: epoch,
        })
        .collect();
    assert_eq!(page.rows, narrowed);
}

/// One item read with its relations in one joined statement (`item(id:)`) folds back to what
/// the per-relation reads return, for every item and every choice of relations: lead and
/// cooperating departments in printed order, active due dates in order, a superseded version
/// left out, and items with none of either.
async fn an_item_with_its_relations_matches_the_reads_of_each(t: TestDb) {
    use domain::store::{
        department::directory,
        item::{
            detail::{Relations, with_relations},
            due_dates,
        },
    };
    run(&t.db, SAMPLE, 1).await.expect("import");
    run_with(
        &t.db,
        &layout_fixture("categorized-deadlines.txt"),
        &ParseOptions::default(),
        1,
    )
    .await
    .expect("import a categorized list");
    let items = item::Entity::find()
        .order_by_asc(item::Column::Id)
        .all(&t.db)
        .await
        .expect("items");
    // A 延期 leaves an inactive version beside the active one.
    let moved = items[1].id;
    domain::store::item::admin::change_deadline(
        &t.db,
        moved,
        NaiveDate::from_ymd_opt(2031, 7, 31).expect("date"),
        "资金到位推迟",
        None,
        &domain::store::unit_of_work::Change {
            actor: Actor::system("test"),
            now: at(2),
        },
    )
    .await
    .expect("延期");
    let (mut crossed, mut bare) = (0, 0);
    for row in &items {
        let expected: domain::model::Item = item::Entity::find_by_id(row.id)
            .one(&t.db)
            .await
            .expect("item")
            .expect("present")
            .into();
        let assignments = directory::assignments_for_items(&t.db, &[row.id])
            .await
            .expect("assignments");
        let dates = due_dates::for_items(&t.db, &[row.id], false)
            .await
            .expect("due dates");
        if assignments.len() >= 2 && dates.len() >= 2 {
            crossed += 1;
        }
        if assignments.is_empty() || dates.is_empty() {
            bare += 1;
        }
        for (with_assignments, with_dates) in
            [(false, false), (true, false), (false, true), (true, true)]
        {
            let relations = Relations {
                assignments: with_assignments,
                due_dates: with_dates,
            };
            let detail = with_relations(&t.db, row.id, relations)
                .await
                .expect("detail")
                .expect("found");
            assert_eq!(detail.item, expected, "item {}", row.id);
            assert_eq!(
                detail.assignments,
                with_assignments.then(|| assignments.clone()),
                "assignments of item {} ({relations:?})",
                row.id
            );
            assert_eq!(
                detail.due_dates,
                with_dates.then(|| dates.clone()),
                "due dates of item {} ({relations:?})",
                row.id
            );
        }
    }
    let history = due_dates::for_items(&t.db, &[moved], true)
        .await
        .expect("history");
    assert!(history.iter().any(|d| !d.active), "the 延期 kept a version");
    assert!(
        crossed > 0,
        "some item has several departments and due dates"
    );
    assert!(bare > 0, "some item lacks departments or due dates");
    let missing = with_relations(
        &t.db,
        i64::MAX,
        Relations {
            assignments: true,
            due_dates: true,
        },
    )
    .await
    .expect("read");
    assert_eq!(missing, None);
}

fn layout_fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/layouts/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn run_with(
    db: &DatabaseConnection,
    text: &str,
    options: &ParseOptions,
    day: u32,
) -> Result<ImportReport, DomainError> {
    let parsed = parse(text, options);
    let import_options = ImportOptions {
        issuer: None,
        actor: Actor::system("test"),
        now: at(day),
    };
    import(db, text, &parsed, &import_options).await
}

/// A categorized list of annual goals: categories and inferred year ends stored, people never
/// departments; the same text again changes nothing; a corrected category is a change.
async fn other_layouts_store_categories_people_and_inferred_due_dates(t: TestDb) {
    let db = &t.db;
    let annual = layout_fixture("categorized-annual.txt");
    let options = ParseOptions {
        year_end_default: true,
        ..Default::default()
    };
    let report = run_with(db, &annual, &options, 1).await.expect("import");
    assert_eq!(report.items_added, ["1", "2", "3", "4", "5"]);
    let first = item_by_number(db, 1).await;
    assert_eq!(first.category.as_deref(), Some("教育文化"));
    assert_eq!(first.deadline_text, "");
    let dues = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(first.id))
        .all(db)
        .await
        .expect("due dates");
    assert_eq!(dues.len(), 1);
    assert_eq!(
        dues[0].due_on,
        NaiveDate::from_ymd_opt(2024, 12, 31).expect("date")
    );
    assert_eq!(dues[0].label.as_deref(), Some("按年度目标推定"));
    assert_eq!(dues[0].precision, entity::DuePrecision::Year);
    assert_eq!(first.earliest_due_on, NaiveDate::from_ymd_opt(2024, 12, 31));

    let again = run_with(db, &annual, &options, 2).await.expect("again");
    assert_eq!(again.outcome, ImportOutcome::Unchanged);

    let corrected = annual.replace("二、医疗卫生", "二、健康服务");
    let report = run_with(db, &corrected, &options, 3)
        .await
        .expect("corrected");
    assert_eq!(report.outcome, ImportOutcome::Updated);
    let changed: Vec<(&str, Vec<&str>)> = report
        .items_changed
        .iter()
        .map(|c| (c.number_text.as_str(), c.fields.clone()))
        .collect();
    assert_eq!(
        changed,
        [
            ("3", vec!["category"]),
            ("4", vec!["category"]),
            ("5", vec!["category"])
        ]
    );
    assert_eq!(
        item_by_number(db, 4).await.category.as_deref(),
        Some("健康服务")
    );

    // A bulletin's people are kept on the item and never become departments.
    let bulletin = layout_fixture("runon-bulletin.txt");
    run_with(db, &bulletin, &ParseOptions::default(), 4)
        .await
        .expect("bulletin");
    let names: Vec<String> = department::Entity::find()
        .all(db)
        .await
        .expect("departments")
        .into_iter()
        .map(|d| d.name)
        .collect();
    for person in ["张某某", "李某", "王某某", "赵某", "刘某"] {
        assert!(
            !names.iter().any(|n| n.contains(person)),
            "{person} in {names:?}"
        );
    }
    let canteen = item::Entity::find()
        .filter(item::Column::Title.eq("新建社区食堂10处"))
        .one(db)
        .await
        .expect("query")
        .expect("the bulletin's first item");
    let people: Vec<String> =
        serde_json::from_value(canteen.responsible_people).expect("a list of names");
    assert_eq!(people, ["张某某", "李某"]);

    // 实际完成情况 is progress as of the bulletin: one report, kept once.
    let reports = |id: i64| async move {
        entity::item_progress::Entity::find()
            .filter(entity::item_progress::Column::ItemId.eq(id))
            .order_by_asc(entity::item_progress::Column::Id)
            .all(db)
            .await
            .expect("reports")
    };
    let first = reports(canteen.id).await;
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].note, "已建成8处，2024年8月15日开放运营");
    assert_eq!(first[0].author, "import");
    assert_eq!(first[0].percent, 0, "a bulletin prints no percentage");
    assert_eq!(first[0].department_id, None);
    assert_eq!(first[0].reported_at, at(4));

    // The next bulletin (same title): new progress is a new report carrying the percentage;
    // an item whose progress is unchanged gets none.
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, IntoActiveModel};
    let mut latest = first[0].clone().into_active_model();
    latest.percent = Set(80);
    latest
        .update(db)
        .await
        .expect("a percentage reported since");
    let next = bulletin.replace("已建成8处，2024年8月15日开放运营", "已全部建成");
    let report = run_with(db, &next, &ParseOptions::default(), 5)
        .await
        .expect("next bulletin");
    let changed: Vec<(&str, Vec<&str>)> = report
        .items_changed
        .iter()
        .map(|c| (c.number_text.as_str(), c.fields.clone()))
        .collect();
    assert_eq!(changed, [("1", vec!["progress"])]);
    let now = reports(canteen.id).await;
    assert_eq!(now.len(), 2);
    assert_eq!(now[1].note, "已全部建成");
    assert_eq!(now[1].percent, 80, "the latest percentage is carried");
    assert_eq!(now[1].reported_at, at(5));
}

/// How many of the tables an import fills have planner statistics from an explicit ANALYZE.
async fn analyzed_tables(t: &TestDb) -> i64 {
    let count = |sql: &'static str| async move {
        t.db.query_one_raw(sea_orm::Statement::from_string(
            t.db.get_database_backend(),
            sql,
        ))
        .await
        .expect(sql)
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or_default()
    };
    match t.backend {
        Backend::Postgres => {
            count(
                "SELECT count(*) AS n FROM pg_stat_user_tables \
                 WHERE relname IN ('item', 'item_department', 'item_due_date') \
                 AND last_analyze IS NOT NULL",
            )
            .await
        }
        // SQLite keeps them in sqlite_stat1, a table that only ANALYZE creates.
        Backend::Sqlite => {
            if count("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'").await
                == 0
            {
                return 0;
            }
            count(
                "SELECT count(DISTINCT tbl) AS n FROM sqlite_stat1 \
                 WHERE tbl IN ('item', 'item_department', 'item_due_date')",
            )
            .await
        }
    }
}

/// A large import leaves the planner statistics of what it wrote, so that the first reads
/// after it (the 台账 of the new list) are planned for its real size; a small one does not
/// pay for it.
async fn a_large_import_refreshes_planner_statistics(t: TestDb) {
    run(&t.db, SAMPLE, 1).await.expect("sample");
    assert_eq!(analyzed_tables(&t).await, 0, "a small import leaves them");
    let text = test_support::listgen::list_text(600);
    let report = run(&t.db, &text, 2).await.expect("600 items");
    assert_eq!(report.items_added.len(), 600);
    assert_eq!(analyzed_tables(&t).await, 3);
}

backend_tests!(
    an_item_with_its_relations_matches_the_reads_of_each,
    a_large_import_refreshes_planner_statistics,
    other_layouts_store_categories_people_and_inferred_due_dates,
    items_read_by_position_match_the_entity,
    importing_the_sample_writes_every_part,
    reimporting_the_same_text_changes_nothing,
    a_corrected_version_updates_items_by_number,
    aliases_added_by_the_admin_are_used_by_later_imports,
    a_failing_import_leaves_the_database_unchanged,
    unstorable_text_is_refused_before_writing,
    the_seed_list_imports,
);

/// The import's last write fills each item's earliest active due date with a subquery per item.
/// Before any ANALYZE (a fresh file, as during a first import) SQLite must answer it through the
/// partial index on `item_id`: with `active = ?` it searched every active due date of every
/// list for each item instead (9 s of a 10,000-item import in `bench/import`, issue 34). The
/// plan is what is asserted, not a time.
#[tokio::test]
async fn the_earliest_due_date_is_found_by_item_on_a_fresh_sqlite_file() {
    use sea_orm::sea_query::SqliteQueryBuilder;
    let t = TestDb::sqlite().await;
    let (sql, values) = domain::store::item::earliest_due_update(1).build(SqliteQueryBuilder);
    let plan =
        t.db.query_all_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {sql}"),
            values,
        ))
        .await
        .expect("a plan");
    let steps: Vec<String> = plan
        .iter()
        .map(|row| row.try_get::<String>("", "detail").unwrap_or_default())
        .collect();
    assert!(
        steps
            .iter()
            .any(|s| s.contains("ix_item_due_date_active_item (item_id=?)")),
        "{steps:#?}"
    );
}
