//! Text from outside gets a field error, never `INTERNAL`, on both engines: a NUL (which
//! PostgreSQL refuses and SQLite compared as a wildcard), control characters, bidirectional
//! overrides, and text longer than the field keeps, wherever it arrives.

use crate::support;

use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, admin_app_with_sample, department_id, issue_token, item_id, only_error,
};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

async fn bad_characters_are_field_errors_everywhere(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let list = app.data("{ lists { id } }", Value::Null).await["lists"][0]["id"].clone();
    let elderly = item_id(&app, "养老").await;
    let civil = department_id(&app, "市民政局").await;
    let (department, _) = issue_token(&app, &civil).await;
    let create = "mutation($input: CreateItemInput!) { createItem(input: $input) { id } }";
    let update = "mutation($id: ID!, $input: UpdateItemInput!) { updateItem(itemId: $id, input: $input) { id } }";
    let report = "mutation($id: ID!, $note: String!) { reportProgress(itemId: $id, note: $note, percent: 10) { item { id } } }";
    let change = "mutation($id: ID!, $reason: String!) { changeDeadline(itemId: $id, dueOn: \"2031-06-30\", reason: $reason) { id } }";
    let import = "mutation($text: String!) { importList(input: { text: $text, dryRun: true }) { itemCount } }";
    let request = "mutation($input: RequestDeadlineChangeInput!) { requestDeadlineChange(input: $input) { request { id } } }";
    let report_done =
        "mutation($id: ID!, $note: String!) { reportCompletion(itemId: $id, note: $note) { id } }";
    let return_item =
        "mutation($id: ID!, $reason: String!) { returnItem(itemId: $id, reason: $reason) { id } }";
    let confirm =
        "mutation($id: ID!, $note: String) { confirmCompletion(itemId: $id, note: $note) { id } }";
    let due_date = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Item { dueDates { id } } } }",
            json!({ "id": elderly }),
        )
        .await["node"]["dueDates"][0]["id"]
        .clone();
    let contact = "mutation($id: ID!, $name: String!) { addContact(departmentId: $id, name: $name, email: \"x@example.cn\") { id } }";
    let department_name = "mutation($name: String!) { createDepartment(name: $name) { id } }";
    let search = "query($s: String!) { items(filter: { search: $s }) { totalCount } }";
    let audit = "query($a: String!) { auditEvents(filter: { actor: $a }) { edges { cursor } } }";
    let email = "mutation($id: ID!, $e: String!) { addContact(departmentId: $id, name: \"联络员\", email: $e) { id } }";
    // A direction mark or a byte-order mark made "a\u{200F}b" and "ab" two departments.
    for bad in [
        "进展\u{0}顺利",
        "响铃\u{7}",
        "顺序\u{202E}反转",
        "名\u{200F}字",
        "名\u{FEFF}字",
    ] {
        let cases: Vec<(Option<&str>, &str, Value, &str)> = vec![
            (
                ADMIN,
                create,
                json!({ "input": { "listId": list, "number": 90, "title": "新事项", "content": bad, "deadline": "2031年6月底", "leadDepartmentIds": [civil] } }),
                "input.content",
            ),
            (
                ADMIN,
                create,
                json!({ "input": { "listId": list, "number": 91, "title": bad, "content": "内容", "deadline": "2031年6月底", "leadDepartmentIds": [civil] } }),
                "input.title",
            ),
            (
                ADMIN,
                update,
                json!({ "id": elderly, "input": { "content": bad } }),
                "input.content",
            ),
            (
                Some(&department),
                report,
                json!({ "id": elderly, "note": bad }),
                "note",
            ),
            (
                ADMIN,
                change,
                json!({ "id": elderly, "reason": bad }),
                "reason",
            ),
            (
                Some(&department),
                request,
                json!({ "input": { "itemId": elderly, "dueDateId": due_date, "proposedDueOn": "2099-12-31", "reason": bad } }),
                "input.reason",
            ),
            (
                Some(&department),
                request,
                json!({ "input": { "itemId": elderly, "dueDateId": due_date, "proposedDueOn": "2099-12-31", "reason": "场地调整", "progressNote": bad } }),
                "input.progressNote",
            ),
            (
                Some(&department),
                report_done,
                json!({ "id": elderly, "note": bad }),
                "note",
            ),
            (
                ADMIN,
                return_item,
                json!({ "id": elderly, "reason": bad }),
                "reason",
            ),
            (
                ADMIN,
                confirm,
                json!({ "id": elderly, "note": bad }),
                "note",
            ),
            (
                ADMIN,
                import,
                json!({ "text": format!("某市清单\n\n一、事项\n\n事项内容:{bad}\n") }),
                "input.text",
            ),
            (ADMIN, contact, json!({ "id": civil, "name": bad }), "name"),
            (ADMIN, department_name, json!({ "name": bad }), "name"),
            (None, search, json!({ "s": bad }), "filter.search"),
            (ADMIN, audit, json!({ "a": bad }), "filter.actor"),
            (
                ADMIN,
                email,
                json!({ "id": civil, "e": format!("a{bad}@example.cn") }),
                "email",
            ),
        ];
        for (token, query, variables, field) in cases {
            let body = app.graphql_as(token, query, variables).await;
            assert_eq!(
                only_error(&body),
                ("VALIDATION".to_owned(), Some(field.to_owned())),
                "{bad:?} in {field}: {body}"
            );
        }
    }
    // Longer than a field keeps.
    let body = app
        .graphql_as(
            ADMIN,
            report,
            json!({ "id": elderly, "note": "进".repeat(2001) }),
        )
        .await;
    assert_eq!(only_error(&body).1.as_deref(), Some("note"), "{body}");
    let body = app
        .graphql_as(ADMIN, create, json!({ "input": { "listId": list, "number": 92, "title": "学".repeat(5_000), "content": "内容", "deadline": "2031年6月底", "leadDepartmentIds": [civil] } }))
        .await;
    assert_eq!(
        only_error(&body).1.as_deref(),
        Some("input.title"),
        "{body}"
    );
}

backend_tests!(bad_characters_are_field_errors_everywhere);
