//! The department directory through HTTP on both engines: administrators create and rename
//! departments, add aliases and keep contacts; every write is audited, refused writes leave no
//! rows, and errors name the input field.

use crate::support;

use entity::{audit_event, department, department_alias, department_contact};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, admin_app, import_sample, only_error, rows};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

async fn counts(t: &TestDb) -> (u64, u64, u64, u64) {
    (
        rows::<department::Entity>(t).await,
        rows::<department_alias::Entity>(t).await,
        rows::<department_contact::Entity>(t).await,
        rows::<audit_event::Entity>(t).await,
    )
}

async fn actions(t: &TestDb) -> Vec<String> {
    audit_event::Entity::find()
        .all(&t.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect()
}

const CREATE: &str =
    "mutation($name: String!) { createDepartment(name: $name) { id name aliases } }";
const RENAME: &str = "mutation($id: ID!, $name: String!) { renameDepartment(departmentId: $id, name: $name) { id name aliases } }";
const ALIAS: &str = "mutation($id: ID!, $alias: String!) { addDepartmentAlias(departmentId: $id, alias: $alias) { name aliases } }";
const ADD_CONTACT: &str = "mutation($id: ID!, $name: String!, $email: String!) {
    addContact(departmentId: $id, name: $name, email: $email) { id name email active department { name } } }";
const UPDATE_CONTACT: &str = "mutation($id: ID!, $email: String, $active: Boolean) {
    updateContact(contactId: $id, email: $email, active: $active) { email active } }";
const REMOVE_CONTACT: &str = "mutation($id: ID!) { removeContact(contactId: $id) { email } }";

async fn departments_are_created_renamed_and_aliased(t: TestDb) {
    let app = admin_app(&t).await;

    // Without the token nothing is written.
    let body = app.graphql(CREATE, json!({ "name": "市大数据局" })).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    assert_eq!(counts(&t).await, (0, 0, 0, 0));

    let created = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市大数据局" }))
        .await;
    let data = &created["data"]["createDepartment"];
    assert_eq!(data["name"], "市大数据局", "{created}");
    let data_bureau = data["id"].clone();
    let other = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市统计局" }))
        .await["data"]["createDepartment"]["id"]
        .clone();
    assert_eq!(counts(&t).await, (2, 0, 0, 2));

    // Names are compared as the importer compares them (NFKC, spacing): a variant conflicts.
    for (name, code) in [
        ("市大数据局", "CONFLICT"),
        ("  市大数据局 ", "CONFLICT"),
        ("", "VALIDATION"),
    ] {
        let body = app.graphql_as(ADMIN, CREATE, json!({ "name": name })).await;
        assert_eq!(
            only_error(&body),
            (code.to_owned(), Some("name".to_owned())),
            "{name:?}: {body}"
        );
    }
    assert_eq!(
        counts(&t).await,
        (2, 0, 0, 2),
        "refused writes leave nothing"
    );

    let renamed = app
        .graphql_as(
            ADMIN,
            RENAME,
            json!({ "id": data_bureau, "name": "市大数据中心" }),
        )
        .await;
    assert_eq!(
        renamed["data"]["renameDepartment"]["name"], "市大数据中心",
        "{renamed}"
    );
    assert_eq!(
        renamed["data"]["renameDepartment"]["aliases"],
        json!(["市大数据局"])
    );
    // The old name now resolves to the same department: creating it again conflicts.
    let body = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市大数据局" }))
        .await;
    assert_eq!(only_error(&body).0, "CONFLICT");
    // Renaming onto another department's name is a conflict and changes nothing.
    let before = counts(&t).await;
    let body = app
        .graphql_as(ADMIN, RENAME, json!({ "id": other, "name": "市大数据局" }))
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("name".to_owned())),
        "{body}"
    );
    assert_eq!(counts(&t).await, before);

    let aliased = app
        .graphql_as(ADMIN, ALIAS, json!({ "id": other, "alias": "统计局" }))
        .await;
    assert_eq!(
        aliased["data"]["addDepartmentAlias"]["aliases"],
        json!(["统计局"]),
        "{aliased}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            ALIAS,
            json!({ "id": data_bureau, "alias": "统计局" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("alias".to_owned()))
    );
    let body = app
        .graphql_as(
            ADMIN,
            ALIAS,
            json!({ "id": "RGVwYXJ0bWVudDo5OTk5", "alias": "别名" }),
        )
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(ADMIN, ALIAS, json!({ "id": "bm9wZQ", "alias": "别名" }))
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("departmentId".to_owned()))
    );

    assert_eq!(
        actions(&t).await,
        [
            "department.create",
            "department.create",
            "department.rename",
            "department.alias"
        ]
    );
}

async fn contacts_are_validated_kept_and_removed(t: TestDb) {
    let app = admin_app(&t).await;
    let department = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市民政局" }))
        .await["data"]["createDepartment"]["id"]
        .clone();
    let start = counts(&t).await;

    for (email, code) in [
        (
            "zhangsan@example.gov.cn\r\nBcc: all@example.com",
            "VALIDATION",
        ),
        ("not-an-address", "VALIDATION"),
        ("张三 <zhangsan@example.gov.cn>", "VALIDATION"),
    ] {
        let body = app
            .graphql_as(
                ADMIN,
                ADD_CONTACT,
                json!({ "id": department, "name": "张三", "email": email }),
            )
            .await;
        assert_eq!(
            only_error(&body),
            (code.to_owned(), Some("email".to_owned())),
            "{email:?}: {body}"
        );
    }
    let body = app
        .graphql_as(
            ADMIN,
            ADD_CONTACT,
            json!({ "id": department, "name": " ", "email": "a@example.gov.cn" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("name".to_owned()))
    );
    assert_eq!(counts(&t).await, start, "refused writes leave nothing");

    let added = app
        .graphql_as(
            ADMIN,
            ADD_CONTACT,
            json!({ "id": department, "name": "张三", "email": "zhangsan@example.gov.cn" }),
        )
        .await;
    let contact = &added["data"]["addContact"];
    assert_eq!(contact["email"], "zhangsan@example.gov.cn", "{added}");
    assert_eq!(contact["department"]["name"], "市民政局");
    let contact_id = contact["id"].clone();

    // The same address twice at one department is a conflict on the field, not a SQL message.
    let body = app
        .graphql_as(
            ADMIN,
            ADD_CONTACT,
            json!({ "id": department, "name": "张三", "email": "zhangsan@example.gov.cn" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("email".to_owned())),
        "{body}"
    );
    assert!(!body.to_string().contains("uq_"), "{body}");
    // An address differing only in case is the same mailbox, so the same contact.
    let body = app
        .graphql_as(
            ADMIN,
            ADD_CONTACT,
            json!({ "id": department, "name": "张三", "email": "ZhangSan@Example.gov.cn" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("email".to_owned())),
        "{body}"
    );
    let other = app
        .graphql_as(
            ADMIN,
            ADD_CONTACT,
            json!({ "id": department, "name": "李四", "email": "lisi@example.gov.cn" }),
        )
        .await;
    let other_id = other["data"]["addContact"]["id"].clone();
    let body = app
        .graphql_as(
            ADMIN,
            UPDATE_CONTACT,
            json!({ "id": other_id, "email": "ZHANGSAN@example.gov.cn" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("email".to_owned())),
        "{body}"
    );
    app.graphql_as(
        ADMIN,
        "mutation($id: ID!) { removeContact(contactId: $id) { id } }",
        json!({ "id": other_id }),
    )
    .await;

    let updated = app
        .graphql_as(
            ADMIN,
            UPDATE_CONTACT,
            json!({ "id": contact_id, "email": "zs@example.gov.cn", "active": false }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateContact"],
        json!({ "email": "zs@example.gov.cn", "active": false }),
        "{updated}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            UPDATE_CONTACT,
            json!({ "id": contact_id, "email": "x@y\nz" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("email".to_owned()))
    );

    let listed = app
        .graphql_as(
            ADMIN,
            "query($id: ID!) { department(id: $id) { contacts { email active } } }",
            json!({ "id": department }),
        )
        .await;
    assert_eq!(
        listed["data"]["department"]["contacts"],
        json!([{ "email": "zs@example.gov.cn", "active": false }])
    );

    // Anonymous callers can neither change nor remove contacts.
    let body = app
        .graphql(REMOVE_CONTACT, json!({ "id": contact_id }))
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    let removed = app
        .graphql_as(ADMIN, REMOVE_CONTACT, json!({ "id": contact_id }))
        .await;
    assert_eq!(
        removed["data"]["removeContact"]["email"], "zs@example.gov.cn",
        "{removed}"
    );
    let body = app
        .graphql_as(ADMIN, REMOVE_CONTACT, json!({ "id": contact_id }))
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND");

    let (_, _, contacts, _) = counts(&t).await;
    assert_eq!(contacts, 0);
    assert_eq!(
        actions(&t).await,
        [
            "department.create",
            "contact.add",
            "contact.add",
            "contact.remove",
            "contact.update",
            "contact.remove"
        ]
    );
}

const ITEM: &str = "query($id: ID!, $now: DateTime) { item(id: $id) { status urgency(now: $now)
    dueDates { dueOn version active } history: dueDates(history: true) { dueOn version active } } }";
const CHANGE: &str = "mutation($id: ID!, $due: Date!, $reason: String!) {
    changeDeadline(itemId: $id, dueOn: $due, reason: $reason) { dueDates { dueOn version } } }";

async fn status_and_deadline_changes_keep_their_history(t: TestDb) {
    let app = admin_app(&t).await;
    import_sample(&t).await;
    let items = app
        .data(
            "{ items(filter: { search: \"养老\" }) { edges { node { id } } } }",
            json!(null),
        )
        .await;
    let item = items["items"]["edges"][0]["node"]["id"].clone();
    let audits = counts(&t).await.3;

    // Refused: no token, no reason, an unknown item. Nothing is written.
    let vars = json!({ "id": item, "due": "2023-07-31", "reason": "资金到位推迟" });
    let body = app.graphql(CHANGE, vars.clone()).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    let body = app
        .graphql_as(
            ADMIN,
            CHANGE,
            json!({ "id": item, "due": "2023-07-31", "reason": " " }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("reason".to_owned()))
    );
    let body = app
        .graphql_as(
            ADMIN,
            CHANGE,
            json!({ "id": "SXRlbTo5OTk5OQ", "due": "2023-07-31", "reason": "x" }),
        )
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(
            ADMIN,
            CHANGE,
            json!({ "id": item, "due": "2023-02-30", "reason": "x" }),
        )
        .await;
    assert_eq!(only_error(&body).0, "VALIDATION", "{body}");
    let unchanged = app.data(ITEM, json!({ "id": item })).await;
    assert_eq!(
        unchanged["item"]["history"].as_array().map(Vec::len),
        Some(1),
        "{unchanged}"
    );
    assert_eq!(counts(&t).await.3, audits);

    // 延期 from 2023-06-30 to 2023-07-31: two versions, only the new one active.
    let changed = app.graphql_as(ADMIN, CHANGE, vars).await;
    assert_eq!(
        changed["data"]["changeDeadline"]["dueDates"],
        json!([{ "dueOn": "2023-07-31", "version": 2 }]),
        "{changed}"
    );
    let after = app
        .data(
            ITEM,
            json!({ "id": item, "now": "2023-07-05T08:00:00+08:00" }),
        )
        .await;
    assert_eq!(
        after["item"]["history"],
        json!([{ "dueOn": "2023-06-30", "version": 1, "active": false }, { "dueOn": "2023-07-31", "version": 2, "active": true }])
    );
    // Urgency and the date filters follow the new date: no longer overdue on July 5th.
    assert_eq!(after["item"]["urgency"], "ON_TRACK");
    let july = app
        .data("{ items(filter: { dueFrom: \"2023-07-01\", dueTo: \"2023-07-31\" }) { edges { node { id } } } }", json!(null))
        .await;
    assert_eq!(july["items"]["edges"], json!([{ "node": { "id": item } }]));

    let done = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { status } }",
            json!({ "id": item }),
        )
        .await;
    assert_eq!(done["data"]["setItemStatus"]["status"], "DONE", "{done}");
    let body = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: FINISHED) { status } }",
            json!({ "id": item }),
        )
        .await;
    assert_eq!(only_error(&body).0, "VALIDATION");
    let last_two: Vec<String> = actions(&t).await.into_iter().rev().take(2).collect();
    assert_eq!(last_two, ["item.set_status", "item.change_deadline"]);

    // Assignments: a new cooperating department goes after those printed; twice is a conflict.
    let bureau = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市大数据局" }))
        .await["data"]["createDepartment"]["id"]
        .clone();
    let assign = "mutation($item: ID!, $dept: ID!) { assignDepartment(itemId: $item, departmentId: $dept, role: COOPERATING) {
        leadDepartments { name } cooperatingDepartments { name } } }";
    let unassign = "mutation($item: ID!, $dept: ID!) { unassignDepartment(itemId: $item, departmentId: $dept, role: COOPERATING) {
        cooperatingDepartments { name } } }";
    let vars = json!({ "item": item, "dept": bureau });
    let body = app.graphql(assign, vars.clone()).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    let assigned = app.graphql_as(ADMIN, assign, vars.clone()).await;
    let coop = assigned["data"]["assignDepartment"]["cooperatingDepartments"]
        .as_array()
        .expect("coop")
        .clone();
    assert_eq!(
        coop.last(),
        Some(&json!({ "name": "市大数据局" })),
        "{assigned}"
    );
    assert_eq!(
        assigned["data"]["assignDepartment"]["leadDepartments"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let body = app.graphql_as(ADMIN, assign, vars.clone()).await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("departmentId".to_owned())),
        "{body}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            assign,
            json!({ "item": item, "dept": "RGVwYXJ0bWVudDo5OTk5OQ" }),
        )
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    let removed = app.graphql_as(ADMIN, unassign, vars.clone()).await;
    let coop_after = removed["data"]["unassignDepartment"]["cooperatingDepartments"]
        .as_array()
        .expect("coop")
        .clone();
    assert_eq!(coop_after.len(), coop.len() - 1, "{removed}");
    let body = app.graphql_as(ADMIN, unassign, vars).await;
    assert_eq!(only_error(&body).0, "NOT_FOUND");
    let last_two: Vec<String> = actions(&t).await.into_iter().rev().take(2).collect();
    assert_eq!(last_two, ["item.unassign", "item.assign"]);
}

async fn a_merge_keeps_every_assignment_contact_and_name(t: TestDb) {
    let app = admin_app(&t).await;
    import_sample(&t).await;
    // The sample prints 市卫健委 and 市卫生健康委员会: two departments until merged.
    let find = "query($s: String) { departments(filter: { search: $s }, first: 1) { edges { node { id name aliases
        leadItems { edges { node { number } } } cooperatingItems { edges { node { number } } } } } } }";
    let node = |v: &Value| v["departments"]["edges"][0]["node"].clone();
    let short = node(&app.data(find, json!({ "s": "市卫健委" })).await);
    let long = node(&app.data(find, json!({ "s": "市卫生健康委员会" })).await);
    assert_ne!(short["id"], long["id"]);
    let numbers = |d: &Value, field: &str| -> Vec<i64> {
        d[field]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["number"].as_i64())
            .collect()
    };
    let mut expected_lead = numbers(&short, "leadItems");
    expected_lead.extend(numbers(&long, "leadItems"));
    expected_lead.sort_unstable();
    let mut expected_coop = numbers(&short, "cooperatingItems");
    expected_coop.extend(numbers(&long, "cooperatingItems"));
    expected_coop.sort_unstable();
    assert!(!expected_lead.is_empty() && !expected_coop.is_empty());
    app.graphql_as(
        ADMIN,
        ADD_CONTACT,
        json!({ "id": short["id"], "name": "王五", "email": "wangwu@example.gov.cn" }),
    )
    .await;

    // A reminder already sent to the short-named department: its history must survive.
    let short_id = decode_id(&short["id"]);
    let due = entity::item_due_date::Entity::find()
        .one(&t.db)
        .await
        .expect("query")
        .expect("a due date");
    let now = chrono::Utc::now();
    entity::reminder_delivery::Entity::insert(entity::reminder_delivery::ActiveModel {
        due_date_id: sea_orm::ActiveValue::Set(Some(due.id)),
        due_date_version: sea_orm::ActiveValue::Set(due.version),
        department_id: sea_orm::ActiveValue::Set(short_id),
        contact_id: sea_orm::ActiveValue::Set(None),
        contact_email: sea_orm::ActiveValue::Set("wangwu@example.gov.cn".into()),
        stage: sea_orm::ActiveValue::Set("T-7".into()),
        planned_for: sea_orm::ActiveValue::Set(due.due_on),
        status: sea_orm::ActiveValue::Set(entity::DeliveryStatus::Sent),
        attempts: sea_orm::ActiveValue::Set(1),
        created_at: sea_orm::ActiveValue::Set(now),
        updated_at: sea_orm::ActiveValue::Set(now),
        ..Default::default()
    })
    .exec(&t.db)
    .await
    .expect("ledger row");

    let merge = "mutation($from: ID!, $into: ID!) { mergeDepartments(from: $from, into: $into) { id name aliases contacts { email } } }";
    let body = app
        .graphql(merge, json!({ "from": short["id"], "into": long["id"] }))
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    let body = app
        .graphql_as(
            ADMIN,
            merge,
            json!({ "from": long["id"], "into": long["id"] }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("from".to_owned()))
    );

    // The merged department's token and its progress report: they follow it into `into`.
    let issued = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { issueDepartmentToken(departmentId: $id) { token } }",
            json!({ "id": short["id"] }),
        )
        .await;
    let token = issued["data"]["issueDepartmentToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let elderly = app
        .data(
            "{ items(filter: { search: \"养老\" }) { edges { node { id } } } }",
            json!(null),
        )
        .await["items"]["edges"][0]["node"]["id"]
        .clone();
    let reported = app
        .graphql_as(
            Some(&token),
            "mutation($id: ID!) { reportProgress(itemId: $id, note: \"已完成摸底\", percent: 20) { progress { id } } }",
            json!({ "id": elderly }),
        )
        .await;
    let report_id = reported["data"]["reportProgress"]["progress"]["id"].clone();
    assert!(report_id.is_string(), "{reported}");

    let merged = app
        .graphql_as(
            ADMIN,
            merge,
            json!({ "from": short["id"], "into": long["id"] }),
        )
        .await;
    let into = &merged["data"]["mergeDepartments"];
    assert_eq!(into["name"], "市卫生健康委员会", "{merged}");
    assert!(
        into["aliases"]
            .as_array()
            .expect("aliases")
            .contains(&json!("市卫健委"))
    );
    assert_eq!(
        into["contacts"],
        json!([{ "email": "wangwu@example.gov.cn" }])
    );

    let after = node(&app.data(find, json!({ "s": "卫" })).await);
    let mut lead = numbers(&after, "leadItems");
    lead.sort_unstable();
    let mut coop = numbers(&after, "cooperatingItems");
    coop.sort_unstable();
    assert_eq!(lead, expected_lead, "every lead assignment kept");
    assert_eq!(coop, expected_coop, "every cooperating assignment kept");
    let report = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on ProgressReport { department { name } } } }",
            json!({ "id": report_id }),
        )
        .await;
    assert_eq!(
        report["node"]["department"]["name"], "市卫生健康委员会",
        "{report}"
    );
    let contacts = app
        .graphql_as(
            Some(&token),
            "query($id: ID!) { department(id: $id) { contacts { email } } }",
            json!({ "id": long["id"] }),
        )
        .await;
    assert_eq!(
        contacts["data"]["department"]["contacts"],
        json!([{ "email": "wangwu@example.gov.cn" }]),
        "the token now acts for the kept department: {contacts}"
    );
    let gone = app
        .data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": short["id"] }),
        )
        .await;
    assert_eq!(gone["node"], Value::Null);
    // The merged name now resolves to the kept department.
    let body = app
        .graphql_as(ADMIN, CREATE, json!({ "name": "市卫健委" }))
        .await;
    assert_eq!(only_error(&body).0, "CONFLICT");
    assert_eq!(
        actions(&t).await.last().map(String::as_str),
        Some("department.merge")
    );
    let ledger = app
        .graphql_as(
            ADMIN,
            "{ reminderDeliveries { edges { node { stage department { name } } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        ledger["data"]["reminderDeliveries"]["edges"],
        json!([{ "node": { "stage": "T-7", "department": { "name": "市卫生健康委员会" } } }]),
        "{ledger}"
    );
}

fn decode_id(id: &Value) -> i64 {
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().expect("id"))
        .expect("base64");
    String::from_utf8(text)
        .expect("utf8")
        .split_once(':')
        .and_then(|(_, n)| n.parse().ok())
        .expect("Kind:id")
}

backend_tests!(
    a_merge_keeps_every_assignment_contact_and_name,
    status_and_deadline_changes_keep_their_history,
    departments_are_created_renamed_and_aliased,
    contacts_are_validated_kept_and_removed,
);
