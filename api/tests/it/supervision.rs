//! The middle of the supervision cycle over HTTP, on both engines: 延期申请 (request, decide,
//! withdraw), 办结报告 → 销号 / 退办, and 签收 (the `/ack` link and `acknowledgeDelivery`).
//! Each step is checked for who may take it, what it refuses (naming the field, writing
//! nothing), its audit trail and `Item.history`, `itemChanged`, and the notices it leaves for
//! the worker.

use crate::support;

use std::time::Duration;

use chrono::{Days, Utc};
use entity::{
    DeliveryStatus, NoticeKind, deadline_change_request, department, item_due_date,
    reminder_delivery, supervision_notice,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, TestApp, department_id, import_sample, issue_token, item_id, only_error, rows,
    settings_with,
    ws::{connect, next, send},
};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);
const SIGNING_KEY: &str = "a-test-signing-key-0123456789-abcdefghij";

const REQUEST: &str = "mutation($input: RequestDeadlineChangeInput!) {
    requestDeadlineChange(input: $input) {
      request { id status proposedDueOn reason progressNote requestedBy
        requestingDepartment { name } dueDate { dueOn } }
      item { dueDates { dueOn version } } } }";
const DECIDE: &str = "mutation($id: ID!, $approve: Boolean!, $note: String, $due: Date) {
    decideDeadlineChange(requestId: $id, approve: $approve, note: $note, dueOn: $due) {
      request { status decidedBy decisionNote grantedDueOn decidedAt }
      item { dueDates { dueOn version } } } }";
const WITHDRAW: &str = "mutation($id: ID!) { withdrawDeadlineChange(requestId: $id) {
    request { status decidedBy } } }";
const PENDING: &str = "query($filter: DeadlineChangeRequestFilter) {
    deadlineChangeRequests(filter: $filter) { id reason status item { title } } }";
const CHANGE: &str = "mutation($id: ID!, $due: Date!) {
    changeDeadline(itemId: $id, dueOn: $due, reason: \"领导批示\") { dueDates { id dueOn } } }";
const HISTORY: &str = "query($id: ID!) { node(id: $id) { ... on Item {
    status completedOn completedOnTime history { action actor payload }
    deadlineChangeRequests { status reason } } } }";

async fn app_with(t: &TestDb, env: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)];
    vars.extend_from_slice(env);
    TestApp::start_with(&settings_with(&t.url, &vars)).await
}

/// Today in Asia/Shanghai, as the api reckons it.
fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// Moves an item's deadline (as the office may) and returns its one active due date's ID.
async fn due_on(app: &TestApp, item: &Value, date: &str) -> Value {
    let body = app
        .graphql_as(ADMIN, CHANGE, json!({ "id": item, "due": date }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["changeDeadline"]["dueDates"][0]["id"].clone()
}

fn request_input(item: &Value, due: &Value, proposed: &str, reason: &str) -> Value {
    json!({ "input": {
        "itemId": item, "dueDateId": due, "proposedDueOn": proposed, "reason": reason,
        "progressNote": "已完成选址,正在办理施工许可",
    } })
}

async fn actions(app: &TestApp, item: &Value) -> Vec<String> {
    let data = app.graphql_as(ADMIN, HISTORY, json!({ "id": item })).await;
    data["data"]["node"]["history"]
        .as_array()
        .unwrap_or_else(|| panic!("history: {data}"))
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .filter(|a| a != "list.import")
        .collect()
}

async fn notices(t: &TestDb) -> Vec<(NoticeKind, Option<i64>)> {
    supervision_notice::Entity::find()
        .all(&t.db)
        .await
        .expect("notices")
        .into_iter()
        .map(|n| (n.kind, n.department_id))
        .collect()
}

async fn department_pk(t: &TestDb, name: &str) -> i64 {
    department::Entity::find()
        .filter(department::Column::Name.eq(name))
        .one(&t.db)
        .await
        .expect("query")
        .expect("department")
        .id
}

async fn extension_requests_are_asked_decided_and_withdrawn(t: TestDb) {
    let app = app_with(&t, &[]).await;
    import_sample(&t).await;
    // 市民政局 leads 二 (养老) with 市卫健委, and cooperates on 七 (医疗保障).
    let civil = department_id(&app, "市民政局").await;
    let health = department_id(&app, "市卫健委").await;
    let transport = department_id(&app, "市交通运输局").await;
    let (civil_token, _) = issue_token(&app, &civil).await;
    let (transport_token, _) = issue_token(&app, &transport).await;
    let as_civil = Some(civil_token.as_str());
    let elderly = item_id(&app, "养老").await;
    let medical = item_id(&app, "医疗保障").await;
    let due = due_on(&app, &elderly, "2099-06-30").await;
    let medical_due = due_on(&app, &medical, "2099-06-30").await;

    // Events, over a real WebSocket, from here on.
    let list = app.data("{ lists { id } }", json!(null)).await["lists"][0]["id"].clone();
    let (mut socket, ack) = connect(&app, json!({})).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": {
            "query": "subscription($list: ID!) { itemChanged(listId: $list) { kind item { title } } }",
            "variables": { "list": list } } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    // Refusals name their field and write nothing.
    let before = rows::<deadline_change_request::Entity>(&t).await;
    let body = app
        .graphql(
            REQUEST,
            request_input(&elderly, &due, "2099-12-31", "场地调整"),
        )
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    let refusals = [
        // Only a lead department asks: 市民政局 only cooperates on 七.
        (
            as_civil,
            request_input(&medical, &medical_due, "2099-12-31", "配合推进"),
            "FORBIDDEN",
            None,
        ),
        (
            Some(transport_token.as_str()),
            request_input(&elderly, &due, "2099-12-31", "场地调整"),
            "FORBIDDEN",
            None,
        ),
        (
            as_civil,
            request_input(&elderly, &due, "2099-12-31", "  "),
            "VALIDATION",
            Some("input.reason"),
        ),
        (
            as_civil,
            request_input(&elderly, &due, "2099-06-01", "场地调整"),
            "VALIDATION",
            Some("input.proposedDueOn"),
        ),
        (
            as_civil,
            request_input(&elderly, &medical_due, "2099-12-31", "场地调整"),
            "VALIDATION",
            Some("input.dueDateId"),
        ),
        (
            as_civil,
            request_input(&elderly, &json!("not-an-id"), "2099-12-31", "场地调整"),
            "VALIDATION",
            Some("input.dueDateId"),
        ),
    ];
    for (token, vars, code, field) in refusals {
        let body = app.graphql_as(token, REQUEST, vars.clone()).await;
        assert_eq!(
            only_error(&body),
            (code.to_owned(), field.map(str::to_owned)),
            "{vars}: {body}"
        );
    }
    assert_eq!(rows::<deadline_change_request::Entity>(&t).await, before);

    // The request: pending, the deadline as it was.
    let body = app
        .graphql_as(
            as_civil,
            REQUEST,
            request_input(&elderly, &due, "2099-12-31", "场地调整"),
        )
        .await;
    let asked = &body["data"]["requestDeadlineChange"];
    assert_eq!(asked["request"]["status"], "PENDING", "{body}");
    assert_eq!(asked["request"]["requestingDepartment"]["name"], "市民政局");
    assert_eq!(asked["request"]["dueDate"]["dueOn"], "2099-06-30");
    assert_eq!(
        asked["request"]["progressNote"],
        "已完成选址,正在办理施工许可"
    );
    assert_eq!(
        asked["item"]["dueDates"],
        json!([{ "dueOn": "2099-06-30", "version": 2 }])
    );
    let first = asked["request"]["id"].clone();
    // One pending request per due date, whoever asks.
    let (health_token, _) = issue_token(&app, &health).await;
    let body = app
        .graphql_as(
            Some(health_token.as_str()),
            REQUEST,
            request_input(&elderly, &due, "2099-10-31", "同一时限"),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("input.dueDateId".to_owned())),
        "{body}"
    );
    // The office hears of it in the next run: one notice, to nobody but the office.
    assert_eq!(notices(&t).await, [(NoticeKind::ExtensionRequested, None)]);

    // Who sees the pending requests.
    let pending = app.graphql_as(ADMIN, PENDING, json!({})).await;
    assert_eq!(
        pending["data"]["deadlineChangeRequests"],
        json!([{ "id": first, "reason": "场地调整", "status": "PENDING", "item": { "title": "提升社区养老服务能力" } }]),
        "{pending}"
    );
    let theirs = app
        .graphql_as(
            as_civil,
            PENDING,
            json!({ "filter": { "departmentId": civil } }),
        )
        .await;
    assert_eq!(
        theirs["data"]["deadlineChangeRequests"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "{theirs}"
    );
    let other = app
        .graphql_as(Some(transport_token.as_str()), PENDING, json!({}))
        .await;
    assert_eq!(
        other["data"]["deadlineChangeRequests"],
        json!([]),
        "{other}"
    );
    let prying = app
        .graphql_as(
            Some(transport_token.as_str()),
            PENDING,
            json!({ "filter": { "departmentId": civil } }),
        )
        .await;
    assert_eq!(only_error(&prying).0, "FORBIDDEN", "{prying}");
    let anonymous = app.graphql(PENDING, json!({})).await;
    assert_eq!(only_error(&anonymous).0, "UNAUTHENTICATED", "{anonymous}");
    let node = "query($id: ID!) { node(id: $id) { ... on DeadlineChangeRequest { reason } } }";
    let hidden = app
        .graphql_as(Some(transport_token.as_str()), node, json!({ "id": first }))
        .await;
    assert_eq!(hidden, json!({ "data": { "node": null } }), "{hidden}");
    let shown = app.graphql_as(as_civil, node, json!({ "id": first })).await;
    assert_eq!(shown["data"]["node"]["reason"], "场地调整", "{shown}");

    // Only the office decides; it may grant another date than the one asked for.
    let body = app
        .graphql_as(as_civil, DECIDE, json!({ "id": first, "approve": true }))
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(
            ADMIN,
            DECIDE,
            json!({ "id": first, "approve": false, "due": "2099-09-30" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("dueOn".to_owned())),
        "a date comes only with an approval: {body}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            DECIDE,
            json!({ "id": first, "approve": true, "note": "同意延期三个月", "due": "2099-09-30" }),
        )
        .await;
    let decided = &body["data"]["decideDeadlineChange"];
    assert_eq!(decided["request"]["status"], "APPROVED", "{body}");
    assert_eq!(decided["request"]["grantedDueOn"], "2099-09-30");
    assert_eq!(decided["request"]["decidedBy"], "admin");
    assert_eq!(decided["request"]["decisionNote"], "同意延期三个月");
    assert_eq!(
        decided["item"]["dueDates"],
        json!([{ "dueOn": "2099-09-30", "version": 3 }]),
        "the granted date is the item's new version"
    );
    let again = app
        .graphql_as(ADMIN, DECIDE, json!({ "id": first, "approve": false }))
        .await;
    assert_eq!(
        only_error(&again),
        ("CONFLICT".to_owned(), Some("requestId".to_owned())),
        "{again}"
    );
    let civil_pk = department_pk(&t, "市民政局").await;
    assert_eq!(
        notices(&t).await,
        [
            (NoticeKind::ExtensionRequested, None),
            (NoticeKind::ExtensionDecided, Some(civil_pk)),
        ]
    );

    // A rejection leaves the deadline as it is.
    let due_now = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .filter(item_due_date::Column::DueOn.eq(chrono::NaiveDate::from_ymd_opt(2099, 9, 30)))
        .one(&t.db)
        .await
        .expect("query")
        .expect("the granted due date");
    let due_id = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Item { dueDates { id } } } }",
            json!({ "id": elderly }),
        )
        .await["node"]["dueDates"][0]["id"]
        .clone();
    let second = app
        .graphql_as(
            as_civil,
            REQUEST,
            request_input(&elderly, &due_id, "2099-12-31", "再次延期"),
        )
        .await["data"]["requestDeadlineChange"]["request"]["id"]
        .clone();
    let body = app
        .graphql_as(
            ADMIN,
            DECIDE,
            json!({ "id": second, "approve": false, "note": "请按期完成" }),
        )
        .await;
    assert_eq!(
        body["data"]["decideDeadlineChange"]["request"]["status"], "REJECTED",
        "{body}"
    );
    assert_eq!(
        body["data"]["decideDeadlineChange"]["item"]["dueDates"],
        json!([{ "dueOn": "2099-09-30", "version": 3 }])
    );
    assert!(
        item_due_date::Entity::find_by_id(due_now.id)
            .one(&t.db)
            .await
            .expect("query")
            .is_some_and(|d| d.active)
    );

    // Withdrawn by the department that asked, and by nobody else.
    let third = app
        .graphql_as(
            as_civil,
            REQUEST,
            request_input(&elderly, &due_id, "2099-11-30", "第三次"),
        )
        .await["data"]["requestDeadlineChange"]["request"]["id"]
        .clone();
    for token in [ADMIN, Some(health_token.as_str())] {
        let body = app
            .graphql_as(token, WITHDRAW, json!({ "id": third }))
            .await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    }
    let body = app
        .graphql_as(as_civil, WITHDRAW, json!({ "id": third }))
        .await;
    assert_eq!(
        body["data"]["withdrawDeadlineChange"]["request"]["status"], "WITHDRAWN",
        "{body}"
    );

    // Kept, in order, on the item; and in its history with who did what.
    let history = app
        .graphql_as(as_civil, HISTORY, json!({ "id": elderly }))
        .await;
    let kept: Vec<(String, String)> = history["data"]["node"]["deadlineChangeRequests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            (
                r["status"].as_str().unwrap_or_default().to_owned(),
                r["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("APPROVED".to_owned(), "场地调整".to_owned()),
            ("REJECTED".to_owned(), "再次延期".to_owned()),
            ("WITHDRAWN".to_owned(), "第三次".to_owned()),
        ]
    );
    assert_eq!(
        actions(&app, &elderly).await,
        [
            "item.change_deadline",
            "item.request_deadline_change",
            "item.decide_deadline_change",
            "item.request_deadline_change",
            "item.decide_deadline_change",
            "item.request_deadline_change",
            "item.withdraw_deadline_change",
        ]
    );
    let history_only = "query($id: ID!) { node(id: $id) { ... on Item { history { action } } } }";
    let body = app
        .graphql_as(
            Some(transport_token.as_str()),
            history_only,
            json!({ "id": elderly }),
        )
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = app.graphql(history_only, json!({ "id": elderly })).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");

    // itemChanged heard each step once, in order, and nothing of the refusals.
    let mut kinds = Vec::new();
    while let Some(event) = next(&mut socket, Duration::from_millis(1500)).await {
        kinds.push(
            event["payload"]["data"]["itemChanged"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(
        kinds,
        [
            "DEADLINE_CHANGE_REQUESTED",
            "DEADLINE_CHANGE_DECIDED",
            "DEADLINE_CHANGE_REQUESTED",
            "DEADLINE_CHANGE_DECIDED",
            "DEADLINE_CHANGE_REQUESTED",
            "DEADLINE_CHANGE_DECIDED",
        ]
    );
}

/// A request comes before the due date passes, or within `MINSHENG_EXTENSION_GRACE_DAYS`.
async fn a_request_after_the_deadline_needs_grace_days(t: TestDb) {
    let strict = app_with(&t, &[]).await;
    import_sample(&t).await;
    let lenient = app_with(&t, &[("MINSHENG_EXTENSION_GRACE_DAYS", "3")]).await;
    let civil = department_id(&strict, "市民政局").await;
    let (token, _) = issue_token(&strict, &civil).await;
    let elderly = item_id(&strict, "养老").await;
    let yesterday = today() - Days::new(1);
    let due = due_on(&strict, &elderly, &yesterday.to_string()).await;
    let input = request_input(&elderly, &due, "2099-12-31", "暴雨停工");

    let body = strict
        .graphql_as(Some(&token), REQUEST, input.clone())
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("input.dueDateId".to_owned())),
        "{body}"
    );
    assert_eq!(rows::<deadline_change_request::Entity>(&t).await, 0);
    let body = lenient.graphql_as(Some(&token), REQUEST, input).await;
    assert_eq!(
        body["data"]["requestDeadlineChange"]["request"]["status"], "PENDING",
        "{body}"
    );
}

async fn completion_is_reported_then_confirmed_or_returned(t: TestDb) {
    let app = app_with(&t, &[]).await;
    import_sample(&t).await;
    let civil = department_id(&app, "市民政局").await;
    let (token, _) = issue_token(&app, &civil).await;
    let as_civil = Some(token.as_str());
    let elderly = item_id(&app, "养老").await;
    let medical = item_id(&app, "医疗保障").await;
    due_on(&app, &elderly, "2099-06-30").await;
    let report = "mutation($id: ID!, $note: String!) { reportCompletion(itemId: $id, note: $note) { status } }";
    let confirm = "mutation($id: ID!) { confirmCompletion(itemId: $id, note: \"材料齐全\") { status completedOn completedOnTime } }";
    let back = "mutation($id: ID!, $reason: String!) { returnItem(itemId: $id, reason: $reason) { status } }";

    // Only a lead department reports, with a note.
    let body = app
        .graphql_as(as_civil, report, json!({ "id": medical, "note": "已完成" }))
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = app
        .graphql_as(as_civil, report, json!({ "id": elderly, "note": "" }))
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("note".to_owned())),
        "{body}"
    );
    // Nothing to confirm or return before a report.
    for (query, vars) in [
        (confirm, json!({ "id": elderly })),
        (back, json!({ "id": elderly, "reason": "x" })),
    ] {
        let body = app.graphql_as(ADMIN, query, vars).await;
        assert_eq!(
            only_error(&body),
            ("CONFLICT".to_owned(), Some("itemId".to_owned())),
            "{body}"
        );
    }
    let body = app
        .graphql_as(
            as_civil,
            report,
            json!({ "id": elderly, "note": "10处养老服务中心全部建成" }),
        )
        .await;
    assert_eq!(
        body["data"]["reportCompletion"]["status"], "COMPLETION_REPORTED",
        "{body}"
    );
    let body = app
        .graphql_as(
            as_civil,
            report,
            json!({ "id": elderly, "note": "再报一次" }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("itemId".to_owned())),
        "{body}"
    );

    // Only the office signs off or sends back; sending back needs a reason.
    for (query, vars) in [
        (confirm, json!({ "id": elderly })),
        (back, json!({ "id": elderly, "reason": "材料不全" })),
    ] {
        let body = app.graphql_as(as_civil, query, vars).await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    }
    let body = app
        .graphql_as(ADMIN, back, json!({ "id": elderly, "reason": " " }))
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("reason".to_owned())),
        "{body}"
    );
    let body = app
        .graphql_as(
            ADMIN,
            back,
            json!({ "id": elderly, "reason": "验收材料不全,请补充照片" }),
        )
        .await;
    assert_eq!(
        body["data"]["returnItem"]["status"], "IN_PROGRESS",
        "{body}"
    );
    // Each lead department is told why in the next run.
    let mut told = notices(&t).await;
    told.sort_by_key(|(_, d)| *d);
    let mut leads = vec![
        (
            NoticeKind::ItemReturned,
            Some(department_pk(&t, "市民政局").await),
        ),
        (
            NoticeKind::ItemReturned,
            Some(department_pk(&t, "市卫健委").await),
        ),
    ];
    leads.sort_by_key(|(_, d)| *d);
    assert_eq!(told, leads);

    // Reported again, and confirmed: done today, on time.
    let body = app
        .graphql_as(
            as_civil,
            report,
            json!({ "id": elderly, "note": "已补充照片" }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = app
        .graphql_as(ADMIN, confirm, json!({ "id": elderly }))
        .await;
    let done = &body["data"]["confirmCompletion"];
    assert_eq!(done["status"], "DONE", "{body}");
    assert_eq!(done["completedOn"], today().to_string());
    assert_eq!(done["completedOnTime"], true);
    assert_eq!(
        actions(&app, &elderly).await,
        [
            "item.change_deadline",
            "item.report_completion",
            "item.return",
            "item.report_completion",
            "item.confirm_completion",
        ]
    );
    let history = app
        .graphql_as(ADMIN, HISTORY, json!({ "id": elderly }))
        .await;
    let entries = history["data"]["node"]["history"]
        .as_array()
        .expect("history");
    let returned = entries
        .iter()
        .find(|e| e["action"] == "item.return")
        .expect("the return");
    assert_eq!(returned["payload"]["reason"], "验收材料不全,请补充照片");
    assert_eq!(returned["actor"], "admin");

    // An item done late says so: 销号 after its deadline passed.
    let late = item_id(&app, "公共交通").await;
    due_on(&app, &late, "2021-06-30").await;
    app.graphql_as(ADMIN, report, json!({ "id": late, "note": "已完成" }))
        .await;
    let body = app.graphql_as(ADMIN, confirm, json!({ "id": late })).await;
    assert_eq!(
        body["data"]["confirmCompletion"]["completedOnTime"], false,
        "{body}"
    );
}

/// A sent delivery row of `department` about `due` at `stage`, delivered by `message_id`.
async fn sent_row(
    t: &TestDb,
    due: &item_due_date::Model,
    department: i64,
    stage: &str,
    message_id: &str,
) -> i64 {
    let now = Utc::now();
    reminder_delivery::ActiveModel {
        due_date_id: Set(Some(due.id)),
        due_date_version: Set(due.version),
        department_id: Set(department),
        contact_email: Set(format!("d{department}@example.gov.cn")),
        stage: Set(stage.to_owned()),
        planned_for: Set(now.date_naive()),
        status: Set(DeliveryStatus::Sent),
        attempts: Set(1),
        sent_at: Set(Some(now)),
        message_id: Set(Some(message_id.to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .expect("ledger row")
    .id
}

async fn reminder_links_acknowledge_their_message_once(t: TestDb) {
    let app = app_with(&t, &[("MINSHENG_SIGNING_KEY", SIGNING_KEY)]).await;
    import_sample(&t).await;
    let civil_pk = department_pk(&t, "市民政局").await;
    let elderly = item_id(&app, "养老").await;
    let elderly_pk = {
        use entity::item;
        item::Entity::find()
            .filter(item::Column::Title.contains("养老"))
            .one(&t.db)
            .await
            .expect("query")
            .expect("item")
            .id
    };
    let due = item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(elderly_pk))
        .one(&t.db)
        .await
        .expect("query")
        .expect("due date");
    let message = "<reminder.1.1687478400000000@example.gov.cn>";
    let row = sent_row(&t, &due, civil_pk, "T-7", message).await;
    let token = domain::acknowledgement::sign(SIGNING_KEY.as_bytes(), message, Utc::now());

    // Followed: acknowledged, with a page in Chinese saying what and when.
    let response = app
        .client
        .get(app.url(&format!("/ack/{token}")))
        .send()
        .await
        .expect("GET /ack");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let page = response.text().await.expect("page");
    assert!(page.contains("签收成功"), "{page}");
    assert!(page.contains("提升社区养老服务能力"), "{page}");
    assert!(page.contains("市民政局"), "{page}");
    let acknowledged = reminder_delivery::Entity::find_by_id(row)
        .one(&t.db)
        .await
        .expect("query")
        .and_then(|r| r.acknowledged_at)
        .expect("acknowledged");
    // Again: already acknowledged, at the first time.
    let page = app
        .client
        .get(app.url(&format!("/ack/{token}")))
        .send()
        .await
        .expect("GET /ack again")
        .text()
        .await
        .expect("page");
    assert!(page.contains("该提醒已签收"), "{page}");
    let shown = acknowledged
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y年%-m月%-d日 %H:%M")
        .to_string();
    assert!(page.contains(&shown), "{shown} in {page}");
    assert_eq!(
        reminder_delivery::Entity::find_by_id(row)
            .one(&t.db)
            .await
            .expect("query")
            .and_then(|r| r.acknowledged_at),
        Some(acknowledged)
    );

    // Forged, altered, expired, or for a message never sent: the same 404, saying nothing.
    let other = sent_row(&t, &due, civil_pk, "T-3", "<reminder.2.1@example.gov.cn>").await;
    let expired = domain::acknowledgement::sign(
        SIGNING_KEY.as_bytes(),
        "<reminder.2.1@example.gov.cn>",
        Utc::now() - chrono::Duration::days(31),
    );
    let foreign = domain::acknowledgement::sign(
        b"somebody-else-s-key-somebody-else-s-key",
        "<reminder.2.1@example.gov.cn>",
        Utc::now(),
    );
    let unknown = domain::acknowledgement::sign(SIGNING_KEY.as_bytes(), "<never@sent>", Utc::now());
    let mut tampered = token.clone();
    tampered.replace_range(0..1, if token.starts_with('P') { "Q" } else { "P" });
    // The same expiry written another way (a leading zero, a plus sign): one link, not many.
    let parts: Vec<&str> = token.split('.').collect();
    let zero = format!("{}.0{}.{}", parts[0], parts[1], parts[2]);
    let plus = format!("{}.%2B{}.{}", parts[0], parts[1], parts[2]);
    let mut pages = Vec::new();
    for bad in [
        expired,
        foreign,
        unknown,
        tampered,
        zero,
        plus,
        "x".to_owned(),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/ack/{bad}")))
            .send()
            .await
            .expect("GET /ack");
        assert_eq!(response.status(), 404, "{bad}");
        let page = response.text().await.expect("page");
        assert!(page.contains("链接无效"), "{page}");
        assert!(
            !page.contains("reminder.2") && !page.contains("过期了"),
            "{page}"
        );
        pages.push(page);
    }
    assert!(
        pages.windows(2).all(|w| w[0] == w[1]),
        "one page for every refusal"
    );
    // A HEAD (a mail scanner) acknowledges nothing.
    let fresh = domain::acknowledgement::sign(
        SIGNING_KEY.as_bytes(),
        "<reminder.2.1@example.gov.cn>",
        Utc::now(),
    );
    let head = app
        .client
        .head(app.url(&format!("/ack/{fresh}")))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(head.status(), 200);
    assert!(
        reminder_delivery::Entity::find_by_id(other)
            .one(&t.db)
            .await
            .expect("query")
            .is_some_and(|r| r.acknowledged_at.is_none())
    );

    // Through the graph: a department acknowledges its own rows, never another's.
    let civil = department_id(&app, "市民政局").await;
    let health = department_id(&app, "市卫健委").await;
    let (civil_token, _) = issue_token(&app, &civil).await;
    let (health_token, _) = issue_token(&app, &health).await;
    let ack = "mutation($id: ID!) { acknowledgeDelivery(deliveryId: $id) {
        first acknowledgedAt deliveries { id acknowledgedAt } } }";
    let other_id = app
        .graphql_as(
            Some(civil_token.as_str()),
            "{ reminderDeliveries(filter: { acknowledged: false }) { edges { node { id messageId } } } }",
            json!(null),
        )
        .await;
    let edges = other_id["data"]["reminderDeliveries"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(
        edges.len(),
        1,
        "only the row not yet acknowledged: {other_id}"
    );
    let other_gid = edges[0]["node"]["id"].clone();
    let body = app
        .graphql_as(Some(health_token.as_str()), ack, json!({ "id": other_gid }))
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    let body = app
        .graphql_as(Some(civil_token.as_str()), ack, json!({ "id": other_gid }))
        .await;
    let done = &body["data"]["acknowledgeDelivery"];
    assert_eq!(done["first"], true, "{body}");
    assert!(
        done["deliveries"][0]["acknowledgedAt"].is_string(),
        "{body}"
    );
    let body = app
        .graphql_as(Some(civil_token.as_str()), ack, json!({ "id": other_gid }))
        .await;
    assert_eq!(
        body["data"]["acknowledgeDelivery"]["first"], false,
        "{body}"
    );
    let acknowledged = app
        .graphql_as(
            ADMIN,
            "{ reminderDeliveries(filter: { acknowledged: true }) { edges { node { id } } } }",
            json!(null),
        )
        .await;
    assert_eq!(
        acknowledged["data"]["reminderDeliveries"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{acknowledged}"
    );
    // A row not sent yet has nothing to acknowledge.
    let model = reminder_delivery::Entity::find_by_id(row)
        .one(&t.db)
        .await
        .expect("query")
        .expect("row");
    let mut pending: reminder_delivery::ActiveModel = model.into();
    pending.id = sea_orm::ActiveValue::NotSet;
    pending.status = Set(DeliveryStatus::Pending);
    pending.message_id = Set(None);
    pending.sent_at = Set(None);
    pending.acknowledged_at = Set(None);
    pending.stage = Set("T-1".into());
    let pending = pending.insert(&t.db).await.expect("a pending row");
    let pending_gid = app
        .graphql_as(
            ADMIN,
            "{ reminderDeliveries(filter: { status: [PENDING] }) { edges { node { id } } } }",
            json!(null),
        )
        .await["data"]["reminderDeliveries"]["edges"][0]["node"]["id"]
        .clone();
    let body = app
        .graphql_as(
            Some(civil_token.as_str()),
            ack,
            json!({ "id": pending_gid }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("CONFLICT".to_owned(), Some("deliveryId".to_owned())),
        "{body}"
    );
    assert!(pending.acknowledged_at.is_none());
    let _ = elderly;
}

/// Without `MINSHENG_SIGNING_KEY` no link is valid.
async fn without_a_signing_key_no_link_acknowledges(t: TestDb) {
    let app = app_with(&t, &[]).await;
    let token = domain::acknowledgement::sign(SIGNING_KEY.as_bytes(), "<m@x>", Utc::now());
    assert_eq!(app.status(&format!("/ack/{token}")).await, 404);
}

backend_tests!(
    extension_requests_are_asked_decided_and_withdrawn,
    a_request_after_the_deadline_needs_grace_days,
    completion_is_reported_then_confirmed_or_returned,
    reminder_links_acknowledge_their_message_once,
    without_a_signing_key_no_link_acknowledges,
);
