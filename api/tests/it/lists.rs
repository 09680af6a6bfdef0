//! Lists corrected and put away by the office, on both engines: `updateList` names the field it
//! refuses, `archiveList` takes a list out of `lists` and out of the reminder plan while keeping
//! its items, `unarchiveList` brings it back; each is audited and refused to anyone else.

use crate::support;

use serde_json::{Value, json};
use support::{ADMIN_TOKEN, admin_app_with_sample, department_id, issue_token, only_error};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);
const UPDATE: &str = "mutation($id: ID!, $input: UpdateListInput!) {
    updateList(listId: $id, input: $input) { id title issuer year batchLabel } }";
const ARCHIVE: &str = "mutation($id: ID!) { archiveList(listId: $id) { id archivedAt } }";
const UNARCHIVE: &str = "mutation($id: ID!) { unarchiveList(listId: $id) { id archivedAt } }";
const PREVIEW: &str =
    "mutation($now: DateTime!) { previewReminders(now: $now) { planned uncontacted { item } } }";

async fn list_ids(app: &support::TestApp, archived: bool) -> Vec<Value> {
    let data = app
        .data(
            "query($a: Boolean) { lists(includeArchived: $a) { id } }",
            json!({ "a": archived }),
        )
        .await;
    data["lists"]
        .as_array()
        .expect("lists")
        .iter()
        .map(|l| l["id"].clone())
        .collect()
}

/// How much a reminder run on 2023-06-23 would do: reminders planned and items nobody can be
/// told of.
async fn planned(app: &support::TestApp) -> usize {
    let body = app
        .graphql_as(
            ADMIN,
            PREVIEW,
            json!({ "now": "2023-06-23T08:00:00+08:00" }),
        )
        .await;
    let preview = &body["data"]["previewReminders"];
    preview["planned"]
        .as_u64()
        .unwrap_or_else(|| panic!("{body}")) as usize
        + preview["uncontacted"].as_array().map_or(0, Vec::len)
}

async fn the_office_corrects_and_archives_a_list(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let ids = list_ids(&app, false).await;
    assert_eq!(ids.len(), 1);
    let list = ids[0].clone();

    let body = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": list, "input": { "title": "示例市2023年民生实事清单", "issuer": "示例市人民政府", "year": 2023, "batchLabel": null } }),
        )
        .await;
    assert_eq!(
        body["data"]["updateList"],
        json!({ "id": list, "title": "示例市2023年民生实事清单", "issuer": "示例市人民政府", "year": 2023, "batchLabel": null }),
        "{body}"
    );
    for (input, field) in [
        (json!({ "title": "   " }), "input.title"),
        (json!({ "title": "长".repeat(201) }), "input.title"),
        (json!({ "year": 1800 }), "input.year"),
        (json!({ "issuer": "发".repeat(101) }), "input.issuer"),
    ] {
        let body = app
            .graphql_as(ADMIN, UPDATE, json!({ "id": list, "input": input }))
            .await;
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some(field.to_owned())),
            "{input}: {body}"
        );
    }
    // A department's token corrects nothing and archives nothing.
    let civil = department_id(&app, "市民政局").await;
    let (token, _) = issue_token(&app, &civil).await;
    for (query, variables) in [
        (UPDATE, json!({ "id": list, "input": { "title": "改" } })),
        (ARCHIVE, json!({ "id": list })),
    ] {
        let body = app.graphql_as(Some(&token), query, variables).await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    }

    let before = planned(&app).await;
    assert!(before > 0, "the sample has reminders due on 2023-06-23");
    let body = app.graphql_as(ADMIN, ARCHIVE, json!({ "id": list })).await;
    assert!(
        body["data"]["archiveList"]["archivedAt"].is_string(),
        "{body}"
    );
    assert!(list_ids(&app, false).await.is_empty(), "it leaves `lists`");
    assert_eq!(list_ids(&app, true).await, vec![list.clone()]);
    assert_eq!(planned(&app).await, 0, "its items are reminded of no more");
    // Its records stay.
    let items = app
        .data(
            "query($id: ID!) { list(id: $id) { items { totalCount } } }",
            json!({ "id": list }),
        )
        .await;
    assert!(
        items["list"]["items"]["totalCount"].as_u64().unwrap_or(0) > 0,
        "{items}"
    );
    let again = app.graphql_as(ADMIN, ARCHIVE, json!({ "id": list })).await;
    assert_eq!(only_error(&again).0, "CONFLICT", "{again}");

    let body = app
        .graphql_as(ADMIN, UNARCHIVE, json!({ "id": list }))
        .await;
    assert!(
        body["data"]["unarchiveList"]["archivedAt"].is_null(),
        "{body}"
    );
    assert_eq!(list_ids(&app, false).await, vec![list.clone()]);
    assert_eq!(planned(&app).await, before);

    let actions: Vec<String> = app
        .graphql_as(
            ADMIN,
            "{ auditEvents(first: 50) { nodes { action actorName } } }",
            json!(null),
        )
        .await["data"]["auditEvents"]["nodes"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    for action in ["list.update", "list.archive", "list.unarchive"] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

backend_tests!(the_office_corrects_and_archives_a_list);
