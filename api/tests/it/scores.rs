//! 考评 over HTTP on both engines: `departmentScores` on a made-up list with an item done
//! early, one done late, one extended and then overdue, and reminders sent and acknowledged.

use crate::support;

use chrono::{NaiveDate, TimeZone, Utc};
use entity::{
    DeliveryStatus, ItemStatus, RequestStatus, deadline_change_request, item, item_due_date,
    reminder_delivery,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::{Value, json};
use support::{
    ADMIN_TOKEN, admin_app, department_id, import_text, issue_token, item_id, only_error,
};
use test_support::{TestDb, backend_tests};

const LIST: &str = "示例市2025年民生实事考评测试清单
一、新建城市书房
事项内容:新建城市书房10处。
完成时限:2025年6月底
牵头部门:市文旅局
二、改造学校操场
事项内容:改造学校操场20个。
完成时限:2025年6月底
牵头部门:市教育局
三、建设社区食堂
事项内容:建设社区食堂5处。
完成时限:2025年9月底
牵头部门:市民政局
四、改造供水管网
事项内容:改造供水管网30公里。
完成时限:2025年12月底
牵头部门:市教育局、市住建局
";

const SCORES: &str = "query($list: ID, $from: Date, $to: Date, $now: DateTime) {
  departmentScores(listId: $list, from: $from, to: $to, now: $now) {
    department { name } itemsLed doneOnTime doneLate overdueNow maxDaysOverdue averageDaysLate
    extensionsRequested extensionsApproved remindersSent remindersAcknowledged } }";

fn date(m: u32, d: u32) -> NaiveDate {
    test_support::date(2025, m, d)
}

fn at(m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, m, d, 2, 0, 0)
        .single()
        .expect("instant")
}

async fn item_numbered(t: &TestDb, number: i32) -> item::Model {
    item::Entity::find()
        .filter(item::Column::Number.eq(number))
        .one(&t.db)
        .await
        .expect("query")
        .unwrap_or_else(|| panic!("item {number}"))
}

async fn due_date_of(t: &TestDb, item_id: i64) -> item_due_date::Model {
    item_due_date::Entity::find()
        .filter(item_due_date::Column::ItemId.eq(item_id))
        .one(&t.db)
        .await
        .expect("query")
        .expect("a due date")
}

async fn done(t: &TestDb, number: i32, on: NaiveDate) {
    let mut active = item_numbered(t, number).await.into_active_model();
    active.status = Set(ItemStatus::Done);
    active.completed_on = Set(Some(on));
    active.update(&t.db).await.expect("done");
}

async fn sent(
    t: &TestDb,
    due: &item_due_date::Model,
    department_id: i64,
    stage: &str,
    acknowledged: bool,
) {
    reminder_delivery::ActiveModel {
        due_date_id: Set(Some(due.id)),
        due_date_version: Set(due.version),
        department_id: Set(department_id),
        contact_id: Set(None),
        contact_email: Set("jiaoyu@example.gov.cn".into()),
        stage: Set(stage.into()),
        planned_for: Set(date(6, 23)),
        status: Set(DeliveryStatus::Sent),
        attempts: Set(1),
        sent_at: Set(Some(at(6, 23))),
        acknowledged_at: Set(acknowledged.then(|| at(6, 24))),
        created_at: Set(at(6, 23)),
        updated_at: Set(at(6, 23)),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .expect("a delivery");
}

fn by_department(body: &Value) -> Vec<(String, Value)> {
    body["data"]["departmentScores"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|row| {
            let mut row = row.clone();
            let name = row["department"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            row.as_object_mut().map(|o| o.remove("department"));
            (name, row)
        })
        .collect()
}

async fn scores_count_early_late_extended_and_overdue_items(t: TestDb) {
    let app = admin_app(&t).await;
    let list_id = import_text(&app, LIST).await;

    done(&t, 1, date(6, 10)).await; // early
    done(&t, 2, date(7, 15)).await; // 15 days late
    // Item 3 was extended to 10月底 (the request approved) and is overdue by 5 November.
    let three = item_numbered(&t, 3).await;
    let three_due = due_date_of(&t, three.id).await;
    deadline_change_request::ActiveModel {
        item_id: Set(three.id),
        due_date_id: Set(three_due.id),
        proposed_due_on: Set(date(10, 31)),
        reason: Set("施工许可延后".into()),
        requested_by: Set("department:3".into()),
        requested_at: Set(at(9, 20)),
        status: Set(RequestStatus::Approved),
        decided_by: Set(Some("admin".into())),
        decided_at: Set(Some(at(9, 22))),
        granted_due_on: Set(Some(date(10, 31))),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .expect("a request");
    let mut moved = three_due.into_active_model();
    moved.due_on = Set(date(10, 31));
    moved.update(&t.db).await.expect("the granted date");
    let mut three = three.into_active_model();
    three.earliest_due_on = Set(Some(date(10, 31)));
    three.update(&t.db).await.expect("earliest due");

    // Two reminders sent to 市教育局 about item 2, one acknowledged.
    let two = item_numbered(&t, 2).await;
    let two_due = due_date_of(&t, two.id).await;
    let education = entity::department::Entity::find()
        .filter(entity::department::Column::Name.eq("市教育局"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("市教育局");
    sent(&t, &two_due, education.id, "T-7", true).await;
    sent(&t, &two_due, education.id, "due", false).await;

    let anonymous = app.graphql(SCORES, json!({})).await;
    assert_eq!(only_error(&anonymous).0, "UNAUTHENTICATED", "{anonymous}");

    let now = "2025-11-05T10:00:00+08:00";
    let all = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            SCORES,
            json!({ "list": list_id, "now": now }),
        )
        .await;
    assert_eq!(
        by_department(&all),
        [
            (
                "市文旅局".to_owned(),
                json!({
                "itemsLed": 1, "doneOnTime": 1, "doneLate": 0, "overdueNow": 0, "maxDaysOverdue": 0,
                "averageDaysLate": null, "extensionsRequested": 0, "extensionsApproved": 0,
                "remindersSent": 0, "remindersAcknowledged": 0 })
            ),
            (
                "市教育局".to_owned(),
                json!({
                "itemsLed": 2, "doneOnTime": 0, "doneLate": 1, "overdueNow": 0, "maxDaysOverdue": 0,
                "averageDaysLate": 15.0, "extensionsRequested": 0, "extensionsApproved": 0,
                "remindersSent": 2, "remindersAcknowledged": 1 })
            ),
            (
                "市民政局".to_owned(),
                json!({
                "itemsLed": 1, "doneOnTime": 0, "doneLate": 0, "overdueNow": 1, "maxDaysOverdue": 5,
                "averageDaysLate": null, "extensionsRequested": 1, "extensionsApproved": 1,
                "remindersSent": 0, "remindersAcknowledged": 0 })
            ),
            (
                "市住建局".to_owned(),
                json!({
                "itemsLed": 1, "doneOnTime": 0, "doneLate": 0, "overdueNow": 0, "maxDaysOverdue": 0,
                "averageDaysLate": null, "extensionsRequested": 0, "extensionsApproved": 0,
                "remindersSent": 0, "remindersAcknowledged": 0 })
            ),
        ],
        "{all}"
    );

    // The 台账's second sheet says the same, read from the workbook over HTTP: the ledger
    // computes it from the rows it read, not by asking the query.
    let workbook = app
        .client
        .get(app.url(&format!(
            "/export/ledger.xlsx?listId={}&now=2025-11-05T10:00:00%2B08:00",
            list_id.as_str().expect("an ID")
        )))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .expect("export");
    assert_eq!(workbook.status(), 200);
    let bytes = workbook.bytes().await.expect("body").to_vec();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = calamine::Reader::worksheet_range(&mut book, "考评").expect("考评");
    let number = |cell: &calamine::Data| match cell {
        calamine::Data::Float(f) => json!(*f as i64),
        calamine::Data::Int(i) => json!(*i),
        calamine::Data::Empty => Value::Null,
        other => json!(other.to_string()),
    };
    let in_sheet: Vec<(String, Vec<Value>)> = sheet
        .rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1..6].iter().map(number).collect()))
        .collect();
    let in_query: Vec<(String, Vec<Value>)> = by_department(&all)
        .into_iter()
        .map(|(name, row)| {
            let fields = [
                "itemsLed",
                "doneOnTime",
                "doneLate",
                "overdueNow",
                "maxDaysOverdue",
            ];
            (name, fields.iter().map(|f| row[*f].clone()).collect())
        })
        .collect();
    assert_eq!(in_sheet, in_query);

    // From July on: the early book rooms were done before the period; the late playgrounds in it.
    let second_half = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            SCORES,
            json!({ "from": "2025-07-01", "to": "2025-12-31", "now": now }),
        )
        .await;
    let rows = by_department(&second_half);
    assert_eq!(rows[0].1["doneOnTime"], 0, "{second_half}");
    assert_eq!(rows[1].1["doneLate"], 1);
    assert_eq!(rows[1].1["remindersSent"], 0, "sent in June");
    assert_eq!(rows[2].1["extensionsRequested"], 1);

    // A day later the extended item is six days overdue.
    let later = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            SCORES,
            json!({ "now": "2025-11-06T10:00:00+08:00" }),
        )
        .await;
    assert_eq!(by_department(&later)[2].1["maxDaysOverdue"], 6, "{later}");

    let backwards = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            SCORES,
            json!({ "from": "2025-12-31", "to": "2025-07-01" }),
        )
        .await;
    assert_eq!(
        only_error(&backwards),
        ("VALIDATION".to_owned(), Some("to".to_owned())),
        "{backwards}"
    );
}

/// One item, two lead departments, due far ahead so that requests are still open.
const TWO_LEADS: &str = "示例市2099年供水工程清单
一、改造供水管网
事项内容:改造供水管网30公里。
完成时限:2099年12月底
牵头部门:市教育局、市住建局
";

/// Only 市住建局 asks for more time, through the graph with its own token. The request counts
/// against 市住建局, not against 市教育局, which asked for nothing; one the office files itself
/// counts against the item's leads, for whom it acts.
async fn an_extension_counts_against_the_department_that_asked(t: TestDb) {
    let app = admin_app(&t).await;
    let list_id = import_text(&app, TWO_LEADS).await;
    let housing = department_id(&app, "市住建局").await;
    let (token, _) = issue_token(&app, &housing).await;
    let four = item_id(&app, "供水管网").await;
    let due = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Item { dueDates { id } } } }",
            json!({ "id": four }),
        )
        .await["node"]["dueDates"][0]["id"]
        .clone();
    let asked = app
        .graphql_as(
            Some(&token),
            "mutation($input: RequestDeadlineChangeInput!) { requestDeadlineChange(input: $input) { request { id } } }",
            json!({ "input": { "itemId": four, "dueDateId": due, "proposedDueOn": "2100-03-31",
                "reason": "管材到货延迟" } }),
        )
        .await;
    assert!(asked["errors"].is_null(), "{asked}");

    let requested = |body: &Value| -> Vec<(String, Value)> {
        by_department(body)
            .into_iter()
            .map(|(name, row)| (name, row["extensionsRequested"].clone()))
            .collect()
    };
    let now = json!({ "list": list_id });
    let scores = app.graphql_as(Some(ADMIN_TOKEN), SCORES, now.clone()).await;
    let counted = requested(&scores);
    assert!(
        counted.contains(&("市住建局".to_owned(), json!(1)))
            && counted.contains(&("市教育局".to_owned(), json!(0))),
        "{scores}"
    );

    // Once that one is refused, the office files one itself on the same item: it counts
    // against both leads.
    let id = asked["data"]["requestDeadlineChange"]["request"]["id"].clone();
    let refused = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!) { decideDeadlineChange(requestId: $id, approve: false) { request { status } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(refused["errors"].is_null(), "{refused}");
    let filed = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($input: RequestDeadlineChangeInput!) { requestDeadlineChange(input: $input) { request { id } } }",
            json!({ "input": { "itemId": four, "dueDateId": due, "proposedDueOn": "2100-02-28",
                "reason": "督查室代为申请" } }),
        )
        .await;
    assert!(filed["errors"].is_null(), "{filed}");
    let scores = app.graphql_as(Some(ADMIN_TOKEN), SCORES, now).await;
    let counted = requested(&scores);
    assert!(
        counted.contains(&("市住建局".to_owned(), json!(2)))
            && counted.contains(&("市教育局".to_owned(), json!(1))),
        "{scores}"
    );
}

backend_tests!(
    scores_count_early_late_extended_and_overdue_items,
    an_extension_counts_against_the_department_that_asked
);
