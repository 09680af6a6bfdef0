//! Items written through the graph on both engines: created with a deadline in words,
//! corrected, withdrawn; every refusal names its field and leaves no rows; every write is
//! audited. And `itemChanged` over a real WebSocket (graphql-transport-ws) hears each
//! committed change once, in order, and nothing of a refused one.

use crate::support;

use std::time::Duration;

use entity::{audit_event, item, item_department, item_due_date};
use futures_util::SinkExt;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, TestApp, admin_app_with_sample, department_id, only_error, rows, settings_with,
    ws::{connect, next, send},
};
use test_support::{TestDb, backend_tests};
use tokio_tungstenite::tungstenite::Message;

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

const CREATE: &str = "mutation($input: CreateItemInput!) { createItem(input: $input) {
    id number numberText title deadlineText ongoing status
    dueDates { dueOn kind }
    leadDepartments { name } cooperatingDepartments { name } } }";
const UPDATE: &str =
    "mutation($id: ID!, $input: UpdateItemInput!) { updateItem(itemId: $id, input: $input) {
    number title deadlineText dueDates(history: true) { dueOn version active } } }";
const DELETE: &str = "mutation($id: ID!) { deleteItem(itemId: $id) { status } }";

async fn list_id(app: &TestApp) -> Value {
    app.data("{ lists { id } }", json!(null)).await["lists"][0]["id"].clone()
}

/// Rows of every table an item write touches.
async fn counts(t: &TestDb) -> [u64; 4] {
    [
        rows::<item::Entity>(t).await,
        rows::<item_due_date::Entity>(t).await,
        rows::<item_department::Entity>(t).await,
        rows::<audit_event::Entity>(t).await,
    ]
}

async fn items_are_created_corrected_and_withdrawn(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let list = list_id(&app).await;
    let education = department_id(&app, "市教育局").await;
    let finance = department_id(&app, "市财政局").await;
    let input = |changes: Value| {
        let mut input = json!({
            "listId": list,
            "number": 20,
            "title": "建设城市书房",
            "content": "新建城市书房10处。",
            "deadline": "10月底前",
            "leadDepartmentIds": [education],
            "cooperatingDepartmentIds": [finance],
        });
        for (k, v) in changes.as_object().expect("object") {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let before = counts(&t).await;

    // Refusals: each names its field (under `input`), none writes anything.
    let body = app.graphql(CREATE, input(json!({}))).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    let cases = [
        (json!({ "number": 1 }), "CONFLICT", Some("input.number")),
        (json!({ "number": 0 }), "VALIDATION", Some("input.number")),
        (json!({ "title": " " }), "VALIDATION", Some("input.title")),
        (
            json!({ "deadline": "尽快" }),
            "VALIDATION",
            Some("input.deadline"),
        ),
        (
            json!({ "leadDepartmentIds": [] }),
            "VALIDATION",
            Some("input.leadDepartmentIds"),
        ),
        (
            json!({ "leadDepartmentIds": [education, "bm9wZQ"] }),
            "VALIDATION",
            Some("input.leadDepartmentIds[1]"),
        ),
        (
            json!({ "cooperatingDepartmentIds": ["RGVwYXJ0bWVudDo5OTk5"] }),
            "NOT_FOUND",
            None,
        ),
        (
            json!({ "listId": "UHJvamVjdExpc3Q6OTk5" }),
            "NOT_FOUND",
            None,
        ),
    ];
    for (changes, code, field) in cases {
        let body = app.graphql_as(ADMIN, CREATE, input(changes.clone())).await;
        assert_eq!(
            only_error(&body),
            (code.to_owned(), field.map(str::to_owned)),
            "{changes}: {body}"
        );
        assert!(!body.to_string().contains("uq_"), "{body}");
    }
    assert_eq!(counts(&t).await, before, "refused writes leave nothing");

    // Created: the deadline is read as the importer reads it, with the list's year.
    let created = app.graphql_as(ADMIN, CREATE, input(json!({}))).await;
    let item = &created["data"]["createItem"];
    assert_eq!(
        *item,
        json!({
            "id": item["id"],
            "number": 20,
            "numberText": "二十",
            "title": "建设城市书房",
            "deadlineText": "10月底前",
            "ongoing": false,
            "status": "OPEN",
            "dueDates": [{ "dueOn": "2023-10-31", "kind": "FINAL" }],
            "leadDepartments": [{ "name": "市教育局" }],
            "cooperatingDepartments": [{ "name": "市财政局" }],
        }),
        "{created}"
    );
    let id = item["id"].clone();
    assert_eq!(
        counts(&t).await,
        [before[0] + 1, before[1] + 1, before[2] + 2, before[3] + 1]
    );
    // It is found like an imported item.
    let found = app
        .data(
            "{ items(filter: { search: \"城市书房\" }, orderBy: { field: DUE_DATE }) { edges { node { id } } } }",
            json!(null),
        )
        .await;
    assert_eq!(found["items"]["edges"][0]["node"]["id"], id, "{found}");

    // Corrected: a new deadline text starts a second due-date version; the first stays.
    let updated = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": id, "input": { "title": "建设城市书房和农家书屋", "deadline": "2023年11月底" } }),
        )
        .await;
    assert_eq!(
        updated["data"]["updateItem"],
        json!({
            "number": 20,
            "title": "建设城市书房和农家书屋",
            "deadlineText": "2023年11月底",
            "dueDates": [
                { "dueOn": "2023-10-31", "version": 1, "active": false },
                { "dueOn": "2023-11-30", "version": 2, "active": true },
            ],
        }),
        "{updated}"
    );
    // A correction of the printed precision only (the end of November, now a day) is a new
    // version too, as the importer makes it: the reminders then cite the day.
    let precise = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": id, "input": { "deadline": "2023年11月30日" } }),
        )
        .await;
    assert_eq!(
        precise["data"]["updateItem"]["dueDates"],
        json!([
            { "dueOn": "2023-10-31", "version": 1, "active": false },
            { "dueOn": "2023-11-30", "version": 2, "active": false },
            { "dueOn": "2023-11-30", "version": 3, "active": true },
        ]),
        "{precise}"
    );
    // The same text again changes nothing.
    let same = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": id, "input": { "deadline": "2023年11月30日" } }),
        )
        .await;
    assert_eq!(
        same["data"]["updateItem"]["dueDates"],
        precise["data"]["updateItem"]["dueDates"]
    );
    // A correction that conflicts changes nothing, not even its other fields.
    let mid = counts(&t).await;
    let body = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": id, "input": { "title": "另一个标题", "number": 1 } }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("input.number".to_owned())),
        "{body}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            UPDATE,
            json!({ "id": id, "input": { "deadline": "尽快" } }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("input.deadline".to_owned())),
        "{body}"
    );
    assert_eq!(counts(&t).await, mid);
    let title = app
        .data(
            "query($id: ID!) { item(id: $id) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(title["item"]["title"], "建设城市书房和农家书屋");

    // Withdrawn: CLOSED, still readable, twice is still once.
    let body = app.graphql(DELETE, json!({ "id": id })).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED");
    for _ in 0..2 {
        let deleted = app.graphql_as(ADMIN, DELETE, json!({ "id": id })).await;
        assert_eq!(
            deleted["data"]["deleteItem"]["status"], "CLOSED",
            "{deleted}"
        );
    }
    let body = app
        .graphql_as(ADMIN, DELETE, json!({ "id": "SXRlbTo5OTk5OQ" }))
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND");

    let actions: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("item."))
        .all(&t.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(
        actions,
        ["item.create", "item.update", "item.update", "item.delete"],
        "the same deadline again wrote nothing"
    );
}

const SUBSCRIBE: &str = "subscription($list: ID!) { itemChanged(listId: $list) {
    kind changedAt item { title status dueDates { dueOn } progress(first: 1) { edges { node { percent } } }
      leadDepartments { name } } } }";

async fn subscribers_hear_every_committed_change(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let list = list_id(&app).await;
    let items = app
        .data(
            "{ items(filter: { search: \"养老\" }) { edges { node { id } } } }",
            json!(null),
        )
        .await;
    let elderly = items["items"]["edges"][0]["node"]["id"].clone();
    let education = department_id(&app, "市教育局").await;

    // A bad token is refused before any subscription starts.
    let (_, refused) = connect(&app, json!({ "Authorization": "Bearer mst_not-ours" })).await;
    assert_ne!(refused["type"], "connection_ack", "{refused}");

    // Anyone may subscribe, as anyone may read the list.
    let (mut socket, ack) = connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    // An unknown list ends that subscription with an error.
    send(
        &mut socket,
        json!({ "id": "nope", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "list": "UHJvamVjdExpc3Q6OTk5" } } }),
    )
    .await;
    let error = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{error}"
    );
    let done = next(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(done, Some(json!({ "id": "nope", "type": "complete" })));
    // Errors of the request itself carry a code over the socket as over HTTP.
    send(
        &mut socket,
        json!({ "id": "typo", "type": "subscribe", "payload": { "query": "subscription { itemChange(listId: \"x\") { kind } }" } }),
    )
    .await;
    let error = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(
        error["payload"]["errors"][0]["extensions"]["code"], "VALIDATION",
        "{error}"
    );
    let done = next(&mut socket, Duration::from_secs(5)).await;
    assert_eq!(done, Some(json!({ "id": "typo", "type": "complete" })));

    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "list": list } } }),
    )
    .await;
    // The subscription is live once a change reaches it; changes before that reach nobody.
    let mut live = None;
    for _ in 0..20 {
        let body = app
            .graphql_as(
                ADMIN,
                "mutation($id: ID!) { setItemStatus(itemId: $id, status: IN_PROGRESS) { status } }",
                json!({ "id": elderly }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        if let Some(event) = next(&mut socket, Duration::from_secs(1)).await {
            live = Some(event);
            break;
        }
    }
    let live = live.expect("the subscription hears a change");
    assert_eq!(
        live["payload"]["data"]["itemChanged"]["kind"], "STATUS",
        "{live}"
    );
    assert_eq!(
        live["payload"]["data"]["itemChanged"]["item"]["status"],
        "IN_PROGRESS"
    );

    // Four committed changes, one refused in between.
    let issued = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { issueDepartmentToken(departmentId: $id) { token } }",
            json!({ "id": department_id(&app, "市民政局").await }),
        )
        .await;
    let department_token = issued["data"]["issueDepartmentToken"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let steps = [
        (
            ADMIN,
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { id } }".to_owned(),
            json!({ "id": elderly }),
            true,
        ),
        (
            Some(department_token.as_str()),
            "mutation($id: ID!) { reportProgress(itemId: $id, note: \"已投入使用\", percent: 100) { item { id } } }".to_owned(),
            json!({ "id": elderly }),
            true,
        ),
        (
            ADMIN,
            "mutation($id: ID!) { reportProgress(itemId: $id, note: \"超范围\", percent: 120) { item { id } } }".to_owned(),
            json!({ "id": elderly }),
            false,
        ),
        (
            ADMIN,
            "mutation($id: ID!) { changeDeadline(itemId: $id, dueOn: \"2023-08-31\", reason: \"验收推迟\") { id } }".to_owned(),
            json!({ "id": elderly }),
            true,
        ),
        (
            ADMIN,
            "mutation($id: ID!, $d: ID!) { assignDepartment(itemId: $id, departmentId: $d, role: LEAD) { id } }".to_owned(),
            json!({ "id": elderly, "d": education }),
            true,
        ),
    ];
    // Each change is heard once, in turn, with the item as committed: not as cached from an
    // earlier event on the same connection. The refused one is not heard at all.
    let mut kinds = Vec::new();
    for (token, query, vars, succeeds) in &steps {
        let body = app.graphql_as(*token, query, vars.clone()).await;
        assert_eq!(body.get("errors").is_none(), *succeeds, "{query}: {body}");
        let wait = if *succeeds { 5000 } else { 500 };
        let event = next(&mut socket, Duration::from_millis(wait)).await;
        if !succeeds {
            assert_eq!(event, None, "a refused change is not published");
            continue;
        }
        let event = event.expect("an event")["payload"]["data"]["itemChanged"].clone();
        let item = &event["item"];
        match event["kind"].as_str() {
            Some("STATUS") => assert_eq!(item["status"], "DONE", "{event}"),
            Some("PROGRESS") => assert_eq!(
                item["progress"]["edges"][0]["node"]["percent"], 100,
                "{event}"
            ),
            Some("DEADLINE") => {
                assert_eq!(
                    item["dueDates"],
                    json!([{ "dueOn": "2023-08-31" }]),
                    "{event}"
                );
                assert!(!item.to_string().contains("市教育局"), "{event}");
            }
            Some("ASSIGNMENT") => assert!(
                item["leadDepartments"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|d| d["name"] == "市教育局")),
                "{event}"
            ),
            _ => panic!("unexpected event {event}"),
        }
        kinds.push(event["kind"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(kinds, ["STATUS", "PROGRESS", "DEADLINE", "ASSIGNMENT"]);
    assert_eq!(next(&mut socket, Duration::from_millis(500)).await, None);

    // A corrected list imported through the graph announces the item it changed.
    let corrected = api::sample::SAMPLE_LIST.replace("改善城市公共交通", "改善城市公共交通出行");
    let body = app
        .graphql_as(
            ADMIN,
            "mutation($text: String!) { importList(input: { text: $text }) { outcome } }",
            json!({ "text": corrected }),
        )
        .await;
    assert_eq!(body["data"]["importList"]["outcome"], "UPDATED", "{body}");
    // The import puts back what the text prints, so the item changed above (deadline,
    // departments) is announced too.
    let mut announced = Vec::new();
    while let Some(event) = next(&mut socket, Duration::from_secs(2)).await {
        let event = &event["payload"]["data"]["itemChanged"];
        assert_eq!(event["kind"], "UPDATED", "{event}");
        announced.push(
            event["item"]["title"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    announced.sort();
    assert_eq!(announced, ["提升社区养老服务能力", "改善城市公共交通出行"]);

    // Withdrawing an item twice is one change, announced once.
    for _ in 0..2 {
        let body = app
            .graphql_as(
                ADMIN,
                "mutation($id: ID!) { deleteItem(itemId: $id) { status } }",
                json!({ "id": elderly }),
            )
            .await;
        assert_eq!(body["data"]["deleteItem"]["status"], "CLOSED", "{body}");
    }
    let event = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an event");
    assert_eq!(
        event["payload"]["data"]["itemChanged"]["kind"], "DELETED",
        "{event}"
    );
    assert_eq!(next(&mut socket, Duration::from_millis(500)).await, None);
}

/// The fragment-bomb guard holds on the WebSocket too: a subscription document that expands to
/// 2^30 fields is refused at once instead of occupying the api in validation.
async fn subscriptions_refuse_fragment_bombs(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let list = list_id(&app).await;
    let mut bomb = String::from(
        "subscription($list: ID!) { itemChanged(listId: $list) { ...F30 } }\nfragment F0 on ItemChangedEvent { kind }\n",
    );
    for i in 1..=30 {
        bomb.push_str(&format!(
            "fragment F{i} on ItemChangedEvent {{ ...F{} ...F{} }}\n",
            i - 1,
            i - 1
        ));
    }
    let (mut socket, ack) = connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let started = std::time::Instant::now();
    send(
        &mut socket,
        json!({ "id": "bomb", "type": "subscribe", "payload": { "query": bomb, "variables": { "list": list } } }),
    )
    .await;
    let answer = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer within 5 s");
    assert!(started.elapsed() < Duration::from_secs(5));
    let errors = if answer["type"] == "error" {
        answer["payload"].clone()
    } else {
        answer["payload"]["errors"].clone()
    };
    assert_eq!(errors[0]["extensions"]["code"], "VALIDATION", "{answer}");
}

/// A WebSocket message is bounded like a request body (MINSHENG_BODY_LIMIT_BYTES, 1 MiB by
/// default): a larger one ends the connection instead of being buffered.
async fn a_websocket_message_past_the_body_limit_ends_the_connection(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let (mut socket, ack) = connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    let padding = " ".repeat(2 * 1024 * 1024);
    let query = format!("subscription {{ __typename }}{padding}");
    // The server may close while the message is still being written.
    let _ = socket
        .send(Message::Text(
            json!({ "id": "big", "type": "subscribe", "payload": { "query": query } })
                .to_string()
                .into(),
        ))
        .await;
    let answer = next(&mut socket, Duration::from_secs(5)).await;
    assert!(
        answer.as_ref().is_none_or(|a| a.get("closed").is_some()),
        "the connection ends: {answer:?}"
    );
}

backend_tests!(
    a_websocket_message_past_the_body_limit_ends_the_connection,
    subscriptions_refuse_fragment_bombs,
    items_are_created_corrected_and_withdrawn,
    subscribers_hear_every_committed_change,
);

/// Replicas share nothing but PostgreSQL: a change made through one reaches a subscriber of
/// another (through `NOTIFY`). SQLite serves one process, so this runs on PostgreSQL only.
#[tokio::test]
async fn a_subscriber_hears_changes_made_through_another_replica() {
    let Some(t) = TestDb::postgres().await else {
        eprintln!(
            "skipped a_subscriber_hears_changes_made_through_another_replica: TEST_DATABASE_URL is not set"
        );
        return;
    };
    let writer = admin_app_with_sample(&t).await;
    let reader = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let list = list_id(&reader).await;
    let items = reader
        .data(
            "{ items(filter: { search: \"公共交通\" }) { edges { node { id } } } }",
            json!(null),
        )
        .await;
    let buses = items["items"]["edges"][0]["node"]["id"].clone();
    let (mut socket, ack) = connect(&reader, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "list": list } } }),
    )
    .await;
    let mut heard = None;
    for percent in 1..=20 {
        let body = writer
            .graphql_as(
                ADMIN,
                "mutation($id: ID!, $p: Int!) { reportProgress(itemId: $id, note: \"线路优化\", percent: $p) { item { id } } }",
                json!({ "id": buses, "p": percent }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        if let Some(event) = next(&mut socket, Duration::from_secs(1)).await {
            heard = Some((percent, event));
            break;
        }
    }
    let (percent, event) = heard.expect("the other replica's change is heard");
    let event = &event["payload"]["data"]["itemChanged"];
    assert_eq!(event["kind"], "PROGRESS", "{event}");
    assert_eq!(
        event["item"]["progress"]["edges"][0]["node"]["percent"], percent,
        "{event}"
    );
}
