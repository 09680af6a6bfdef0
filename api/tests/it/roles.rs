//! Roles through HTTP on both engines: administrators issue and revoke department tokens; a
//! department's token reports progress only on its own items (and may not move a deadline) and reads
//! only its own contacts and deliveries; everything else is `FORBIDDEN` for it, and
//! `UNAUTHENTICATED` without a token. Progress reports are validated, listed and audited.

use crate::support;

use chrono::Utc;
use entity::{
    audit_event, department, department_token, item, item_due_date, item_progress,
    reminder_delivery,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::{ADMIN_TOKEN, admin_app_with_sample, department_id, item_id, only_error, rows};
use test_support::{TestDb, backend_tests};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

const ISSUE: &str = "mutation($id: ID!) { issueDepartmentToken(departmentId: $id) {
    token departmentToken { id department { name } revokedAt } } }";
const REVOKE: &str = "mutation($id: ID!) { revokeDepartmentToken(tokenId: $id) { id revokedAt } }";
const REPORT: &str = "mutation($id: ID!, $note: String!, $percent: Int!) {
    reportProgress(itemId: $id, note: $note, percent: $percent) {
      progress { id note percent department { name } }
      item { id progress(first: 1) { edges { node { percent } } } } } }";
const CHANGE: &str = "mutation($id: ID!, $due: Date!, $reason: String!) {
    changeDeadline(itemId: $id, dueOn: $due, reason: $reason) { dueDates { dueOn version } } }";
const CONTACTS: &str = "query($id: ID!) { department(id: $id) { name contacts { email } } }";
const ADD_CONTACT: &str = "mutation($id: ID!, $email: String!) {
    addContact(departmentId: $id, name: \"联络员\", email: $email) { id } }";
const DELIVERIES: &str = "query($department: ID) {
    reminderDeliveries(filter: { departmentId: $department }, first: 50) {
      edges { node { contactEmail department { name } } } } }";

async fn department_tokens_act_only_for_their_department(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    // 市民政局 leads 二 (养老) and cooperates on 七 (医疗保障); it has no part in 三 (公共交通).
    let civil = department_id(&app, "市民政局").await;
    let transport = department_id(&app, "市交通运输局").await;
    let elderly = item_id(&app, "养老").await;
    let medical = item_id(&app, "医疗保障").await;
    let buses = item_id(&app, "公共交通").await;

    // Only an administrator issues tokens.
    let body = app.graphql(ISSUE, json!({ "id": civil })).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    assert_eq!(rows::<department_token::Entity>(&t).await, 0);
    let issued = app.graphql_as(ADMIN, ISSUE, json!({ "id": civil })).await;
    let issued = &issued["data"]["issueDepartmentToken"];
    let token = issued["token"].as_str().expect("a secret").to_owned();
    assert!(token.starts_with("mst_") && token.len() > 40, "{issued}");
    assert_eq!(issued["departmentToken"]["department"]["name"], "市民政局");
    // Only the digest is stored.
    let stored = department_token::Entity::find()
        .all(&t.db)
        .await
        .expect("tokens");
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].token_sha256,
        hex::encode(Sha256::digest(token.as_bytes()))
    );
    assert!(!format!("{stored:?}").contains(&token));
    let as_civil = Some(token.as_str());

    // The department's token is not an administrator's.
    for (query, vars) in [
        (ISSUE, json!({ "id": civil })),
        (
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { status } }",
            json!({ "id": elderly }),
        ),
        (
            "mutation { createDepartment(name: \"市新部门\") { id } }",
            json!(null),
        ),
        (
            "mutation($id: ID!) { deleteItem(itemId: $id) { status } }",
            json!({ "id": elderly }),
        ),
    ] {
        let body = app.graphql_as(as_civil, query, vars).await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{query}: {body}");
    }

    // Progress on its own items (lead and cooperating), not on others'.
    let progress_before = rows::<item_progress::Entity>(&t).await;
    for item in [&elderly, &medical] {
        let body = app
            .graphql_as(
                as_civil,
                REPORT,
                json!({ "id": item, "note": "已完成选址", "percent": 40 }),
            )
            .await;
        let report = &body["data"]["reportProgress"];
        assert_eq!(
            report["progress"]["department"]["name"], "市民政局",
            "{body}"
        );
        assert_eq!(
            report["item"]["progress"]["edges"][0]["node"]["percent"], 40,
            "{body}"
        );
    }
    let body = app
        .graphql_as(
            as_civil,
            REPORT,
            json!({ "id": buses, "note": "不是我们的事项", "percent": 10 }),
        )
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    assert_eq!(
        rows::<item_progress::Entity>(&t).await,
        progress_before + 2,
        "the refused report left no row"
    );

    // A department no longer moves a deadline itself: it asks (requestDeadlineChange) and the
    // office decides. Its changeDeadline is refused, on its own items and on others', and
    // writes nothing.
    let dates_before = rows::<item_due_date::Entity>(&t).await;
    for item in [&elderly, &buses] {
        let body = app
            .graphql_as(
                as_civil,
                CHANGE,
                json!({ "id": item, "due": "2099-09-30", "reason": "场地调整" }),
            )
            .await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("requestDeadlineChange")),
            "the refusal says what to do instead: {body}"
        );
    }
    assert_eq!(rows::<item_due_date::Entity>(&t).await, dates_before);
    let civil_pk = department::Entity::find()
        .filter(department::Column::Name.eq("市民政局"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("department")
        .id;
    let acted: Vec<String> = audit_event::Entity::find()
        .filter(audit_event::Column::Actor.eq(format!("department:{civil_pk}")))
        .all(&t.db)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(acted, ["item.report_progress", "item.report_progress"]);

    // Contacts: its own, not another department's; none without a token.
    for (department, email) in [
        (&civil, "minzheng@example.gov.cn"),
        (&transport, "jiaotong@example.gov.cn"),
    ] {
        let body = app
            .graphql_as(
                ADMIN,
                ADD_CONTACT,
                json!({ "id": department, "email": email }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let own = app
        .graphql_as(as_civil, CONTACTS, json!({ "id": civil }))
        .await;
    assert_eq!(
        own["data"]["department"]["contacts"],
        json!([{ "email": "minzheng@example.gov.cn" }]),
        "{own}"
    );
    let other = app
        .graphql_as(as_civil, CONTACTS, json!({ "id": transport }))
        .await;
    assert_eq!(only_error(&other).0, "FORBIDDEN", "{other}");
    let anonymous = app.graphql(CONTACTS, json!({ "id": civil })).await;
    assert_eq!(only_error(&anonymous).0, "UNAUTHENTICATED", "{anonymous}");
    // By global ID, another department's contact answers exactly as a contact that does not
    // exist: nothing tells the token what exists elsewhere.
    let contact_ids = app
        .graphql_as(
            ADMIN,
            "query($id: ID!) { department(id: $id) { contacts { id } } }",
            json!({ "id": transport }),
        )
        .await;
    let theirs = contact_ids["data"]["department"]["contacts"][0]["id"].clone();
    let node = "query($id: ID!) { node(id: $id) { id ... on Contact { email } } }";
    let existing = app
        .graphql_as(as_civil, node, json!({ "id": theirs }))
        .await;
    let missing = app
        .graphql_as(as_civil, node, json!({ "id": "Q29udGFjdDo5OTk5OQ" }))
        .await;
    assert_eq!(existing, json!({ "data": { "node": null } }), "{existing}");
    assert_eq!(existing, missing);
    let admin_view = app.graphql_as(ADMIN, node, json!({ "id": theirs })).await;
    assert_eq!(
        admin_view["data"]["node"]["email"], "jiaotong@example.gov.cn",
        "{admin_view}"
    );

    // Deliveries: a department reads its own rows only.
    let transport_pk = department::Entity::find()
        .filter(department::Column::Name.eq("市交通运输局"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("department")
        .id;
    let due = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .one(&t.db)
        .await
        .expect("query")
        .expect("a due date");
    for (department, email) in [
        (civil_pk, "minzheng@example.gov.cn"),
        (transport_pk, "jiaotong@example.gov.cn"),
    ] {
        ledger_row(&t, &due, department, email).await;
    }
    let mine = app.graphql_as(as_civil, DELIVERIES, json!({})).await;
    assert_eq!(
        mine["data"]["reminderDeliveries"]["edges"],
        json!([{ "node": { "contactEmail": "minzheng@example.gov.cn", "department": { "name": "市民政局" } } }]),
        "{mine}"
    );
    let all = app.graphql_as(ADMIN, DELIVERIES, json!({})).await;
    assert_eq!(
        all["data"]["reminderDeliveries"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{all}"
    );
    let theirs = app
        .graphql_as(as_civil, DELIVERIES, json!({ "department": transport }))
        .await;
    assert_eq!(only_error(&theirs).0, "FORBIDDEN", "{theirs}");
    let anonymous = app.graphql(DELIVERIES, json!({})).await;
    assert_eq!(only_error(&anonymous).0, "UNAUTHENTICATED", "{anonymous}");

    // The audit trail: administrators only; it names who acted.
    let audit = "query($id: ID) { auditEvents(filter: { itemId: $id }, first: 10) {
        edges { node { actor action entityId } } } }";
    let trail = app.graphql_as(ADMIN, audit, json!({ "id": elderly })).await;
    let entries: Vec<(String, String)> = trail["data"]["auditEvents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            assert_eq!(e["node"]["entityId"], elderly, "{e}");
            (
                e["node"]["actor"].as_str().unwrap_or_default().to_owned(),
                e["node"]["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let civil_actor = format!("department:{civil_pk}");
    assert_eq!(
        entries,
        [(civil_actor, "item.report_progress".to_owned())],
        "newest first: {trail}"
    );
    let body = app
        .graphql_as(as_civil, audit, json!({ "id": elderly }))
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = app.graphql(audit, json!({ "id": elderly })).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");

    // A made-up token, and the real one once revoked, authenticate nobody.
    let body = app
        .graphql_as(
            Some("mst_notatokenweissued"),
            "{ lists { title } }",
            json!(null),
        )
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    let token_id = issued["departmentToken"]["id"].clone();
    let body = app
        .graphql_as(as_civil, REVOKE, json!({ "id": token_id }))
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let revoked = app
        .graphql_as(ADMIN, REVOKE, json!({ "id": token_id }))
        .await;
    assert!(
        revoked["data"]["revokeDepartmentToken"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let body = app
        .graphql_as(as_civil, "{ lists { title } }", json!(null))
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    let issued_and_revoked = audit_event::Entity::find()
        .filter(audit_event::Column::Action.starts_with("department_token."))
        .count(&t.db)
        .await
        .expect("count");
    assert_eq!(issued_and_revoked, 2);
    // The admin sees the department's tokens, revoked ones included.
    let tokens = app
        .graphql_as(
            ADMIN,
            "query($id: ID!) { department(id: $id) { tokens { id revokedAt } } }",
            json!({ "id": civil }),
        )
        .await;
    assert_eq!(
        tokens["data"]["department"]["tokens"][0]["id"], token_id,
        "{tokens}"
    );
}

async fn ledger_row(t: &TestDb, due: &item_due_date::Model, department_id: i64, email: &str) {
    let now = Utc::now();
    reminder_delivery::ActiveModel {
        due_date_id: Set(Some(due.id)),
        due_date_version: Set(due.version),
        department_id: Set(department_id),
        contact_id: Set(None),
        contact_email: Set(email.to_owned()),
        stage: Set("T-7".into()),
        planned_for: Set(due.due_on - chrono::Days::new(7)),
        status: Set(entity::DeliveryStatus::Sent),
        attempts: Set(1),
        last_error: Set(None),
        next_attempt_at: Set(None),
        claimed_until: Set(None),
        sent_at: Set(Some(now)),
        message_id: Set(Some(format!("<{department_id}@test>"))),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .expect("ledger row");
}

async fn progress_reports_are_validated_listed_and_audited(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let elderly = item_id(&app, "养老").await;
    let audits = rows::<audit_event::Entity>(&t).await;

    let body = app
        .graphql(REPORT, json!({ "id": elderly, "note": "x", "percent": 5 }))
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    for (note, percent, field) in [
        ("进展", 101, "percent"),
        ("进展", -1, "percent"),
        ("  ", 50, "note"),
    ] {
        let body = app
            .graphql_as(
                ADMIN,
                REPORT,
                json!({ "id": elderly, "note": note, "percent": percent }),
            )
            .await;
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some(field.to_owned())),
            "{note:?} {percent}: {body}"
        );
    }
    let body = app
        .graphql_as(
            ADMIN,
            REPORT,
            json!({ "id": "SXRlbTo5OTk5OQ", "note": "x", "percent": 5 }),
        )
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    assert_eq!(rows::<item_progress::Entity>(&t).await, 0);
    assert_eq!(rows::<audit_event::Entity>(&t).await, audits);

    let status_query = "query($id: ID!) { item(id: $id) { status } }";
    let status_of = |data: Value| data["item"]["status"].clone();
    assert_eq!(
        status_of(app.data(status_query, json!({ "id": elderly })).await),
        "OPEN"
    );
    for (note, percent) in [("完成选址", 10), ("开工建设", 45), ("主体完工", 80)] {
        let body = app
            .graphql_as(
                ADMIN,
                REPORT,
                json!({ "id": elderly, "note": note, "percent": percent }),
            )
            .await;
        assert!(body.get("errors").is_none(), "{body}");
        // By an administrator: no department.
        assert_eq!(
            body["data"]["reportProgress"]["progress"]["department"],
            Value::Null
        );
    }
    // The first report moved it from 未开始 to 推进中.
    assert_eq!(
        status_of(app.data(status_query, json!({ "id": elderly })).await),
        "IN_PROGRESS"
    );
    let query = "query($id: ID!, $after: String) { item(id: $id) {
        progress(first: 2, after: $after) { edges { cursor node { note percent reportedAt } } pageInfo { hasNextPage endCursor } } } }";
    let first = app.data(query, json!({ "id": elderly })).await;
    let page = &first["item"]["progress"];
    let notes: Vec<&str> = page["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["note"].as_str())
        .collect();
    assert_eq!(notes, ["主体完工", "开工建设"], "newest first: {first}");
    assert_eq!(page["pageInfo"]["hasNextPage"], true);
    let rest = app
        .data(
            query,
            json!({ "id": elderly, "after": page["pageInfo"]["endCursor"] }),
        )
        .await;
    assert_eq!(
        rest["item"]["progress"]["edges"][0]["node"]["note"], "完成选址",
        "{rest}"
    );
    assert_eq!(rest["item"]["progress"]["pageInfo"]["hasNextPage"], false);

    let audited = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("item.report_progress"))
        .all(&t.db)
        .await
        .expect("audit");
    assert_eq!(audited.len(), 3);
    assert!(audited.iter().all(|a| a.actor == "admin"));
    let item_pk = item::Entity::find()
        .filter(item::Column::Title.contains("养老"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("item")
        .id;
    assert!(audited.iter().all(|a| a.entity_id == Some(item_pk)));
    // Anyone may read progress: it is part of the published picture.
    let public = app.data(query, json!({ "id": elderly })).await;
    assert_eq!(public, first);
}

backend_tests!(
    department_tokens_act_only_for_their_department,
    progress_reports_are_validated_listed_and_audited,
);
