//! The department directory through HTTP on both engines: administrators create and rename
//! departments, add aliases and keep contacts; every write is audited, refused writes leave no
//! rows, and errors name the input field.

mod support;

use entity::{audit_event, department, department_alias, department_contact};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use support::{ADMIN_TOKEN, TestApp, only_error, settings_with};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

async fn counts(t: &TestDb) -> (u64, u64, u64, u64) {
    (
        department::Entity::find()
            .count(&t.db)
            .await
            .expect("count"),
        department_alias::Entity::find()
            .count(&t.db)
            .await
            .expect("count"),
        department_contact::Entity::find()
            .count(&t.db)
            .await
            .expect("count"),
        audit_event::Entity::find()
            .count(&t.db)
            .await
            .expect("count"),
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
    "mutation($name: String!) { createDepartment(input: { name: $name }) { id name aliases } }";
const RENAME: &str = "mutation($id: ID!, $name: String!) { renameDepartment(input: { departmentId: $id, name: $name }) { id name aliases } }";
const ALIAS: &str = "mutation($id: ID!, $alias: String!) { addDepartmentAlias(input: { departmentId: $id, alias: $alias }) { name aliases } }";
const ADD_CONTACT: &str = "mutation($id: ID!, $name: String!, $email: String!) {
    addContact(input: { departmentId: $id, name: $name, email: $email }) { id name email active department { name } } }";
const UPDATE_CONTACT: &str = "mutation($id: ID!, $email: String, $active: Boolean) {
    updateContact(input: { contactId: $id, email: $email, active: $active }) { email active } }";
const REMOVE_CONTACT: &str = "mutation($id: ID!) { removeContact(contactId: $id) { email } }";

async fn admin_app(t: &TestDb) -> TestApp {
    TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await
}

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
            (code.to_owned(), Some("input.name".to_owned())),
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
        ("CONFLICT".to_owned(), Some("input.name".to_owned())),
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
        ("CONFLICT".to_owned(), Some("input.alias".to_owned()))
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
        (
            "VALIDATION".to_owned(),
            Some("input.departmentId".to_owned())
        )
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
            (code.to_owned(), Some("input.email".to_owned())),
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
        ("VALIDATION".to_owned(), Some("input.name".to_owned()))
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
        ("CONFLICT".to_owned(), Some("input.email".to_owned())),
        "{body}"
    );
    assert!(!body.to_string().contains("uq_"), "{body}");

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
        ("VALIDATION".to_owned(), Some("input.email".to_owned()))
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
            "contact.update",
            "contact.remove"
        ]
    );
}

backend_tests!(
    departments_are_created_renamed_and_aliased,
    contacts_are_validated_kept_and_removed,
);
