//! The read graph through HTTP, on SQLite and PostgreSQL: filters, both pagination directions,
//! limits and their codes, stats against counts made here from the tables, urgency at month
//! ends, admin-only fields, statement counts and abusive queries.

use crate::support;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Days, NaiveDate, Utc};
use domain::{
    listdoc::{ParseOptions, parse},
    store::{
        audit::Actor,
        list_import::{ImportOptions, import},
    },
};
use entity::{
    DepartmentRole, ItemStatus, department, department_contact, item, item_department,
    item_due_date,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use support::{ADMIN_TOKEN, TestApp, only_error, settings_with};
use test_support::{TestDb, backend_tests, listgen};

/// The instant the tests look from, in Shanghai: the generated list then has items of every
/// urgency (June deadlines overdue, September 30th due soon, later ones on track).
const NOW: &str = "2021-09-20T08:00:00+08:00";

async fn import_text(t: &TestDb, text: &str, year: Option<i32>) -> i64 {
    let parsed = parse(
        text,
        &ParseOptions {
            year,
            ..Default::default()
        },
    );
    let options = ImportOptions {
        issuer: Some("测试".into()),
        actor: Actor::system("test"),
        now: Utc::now(),
    };
    import(&t.db, text, &parsed, &options)
        .await
        .expect("import")
        .list_id
}

/// Two lists: the sample (7 items) and a generated one of `n` items; a few statuses changed.
async fn two_lists(t: &TestDb, n: usize) -> (i64, i64) {
    let sample = import_text(t, api::sample::SAMPLE_LIST, None).await;
    let generated = import_text(t, &listgen::list_text(n), None).await;
    for (number, status) in [
        (3, ItemStatus::Done),
        (4, ItemStatus::InProgress),
        (9, ItemStatus::Closed),
    ] {
        item::Entity::update_many()
            .col_expr(
                item::Column::Status,
                sea_orm::sea_query::Expr::value(status),
            )
            .filter(item::Column::ListId.eq(generated))
            .filter(item::Column::Number.eq(number))
            .exec(&t.db)
            .await
            .expect("status");
    }
    (sample, generated)
}

fn gid(kind: &str, id: i64) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// The urgency of every item, computed here from the due-date table (not from the api's column).
async fn expected_urgency(t: &TestDb, today: NaiveDate) -> HashMap<i64, &'static str> {
    let items = item::Entity::find().all(&t.db).await.expect("items");
    let dates = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .all(&t.db)
        .await
        .expect("dates");
    let soon = today.checked_add_days(Days::new(14)).expect("date");
    items
        .iter()
        .map(|i| {
            let earliest = dates
                .iter()
                .filter(|d| d.item_id == i.id)
                .map(|d| d.due_on)
                .min();
            let u = if matches!(i.status, ItemStatus::Done | ItemStatus::Closed) {
                "DONE"
            } else {
                match earliest {
                    None => "ONGOING",
                    Some(d) if d < today => "OVERDUE",
                    Some(d) if d <= soon => "DUE_SOON",
                    Some(_) => "ON_TRACK",
                }
            };
            (i.id, u)
        })
        .collect()
}

const PAGE: &str = "query($filter: ItemFilter, $order: ItemOrder, $first: Int, $after: String,
                          $last: Int, $before: String, $now: DateTime) {
  items(filter: $filter, orderBy: $order, first: $first, after: $after, last: $last,
        before: $before, now: $now) {
    totalCount
    edges { cursor node { id number urgency(now: $now) } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}";

/// Every item id a filter selects, following cursors forward; checks totalCount on the way.
async fn all_ids(app: &TestApp, filter: Value) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    let mut after = Value::Null;
    let mut total = None;
    loop {
        let data = app
            .data(
                PAGE,
                json!({ "filter": filter, "first": 100, "after": after, "now": NOW }),
            )
            .await;
        let items = &data["items"];
        total = total.or(items["totalCount"].as_u64());
        for edge in items["edges"].as_array().expect("edges") {
            ids.insert(decode(&edge["node"]["id"]));
        }
        if items["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = items["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(total, Some(ids.len() as u64), "totalCount of {filter}");
    ids
}

fn decode(id: &Value) -> i64 {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(id.as_str().expect("id"))
        .expect("base64");
    let text = String::from_utf8(bytes).expect("utf8");
    text.split_once(':')
        .expect("kind:id")
        .1
        .parse()
        .expect("number")
}

async fn every_filter_selects_what_the_tables_say(t: TestDb) {
    let (sample, generated) = two_lists(&t, 60).await;
    let app = TestApp::start(&t).await;
    let items = item::Entity::find().all(&t.db).await.expect("items");
    let ids = |f: &dyn Fn(&item::Model) -> bool| -> BTreeSet<i64> {
        items.iter().filter(|i| f(i)).map(|i| i.id).collect()
    };

    assert_eq!(all_ids(&app, json!({})).await, ids(&|_| true));
    assert_eq!(
        all_ids(&app, json!({ "listId": gid("ProjectList", sample) })).await,
        ids(&|i| i.list_id == sample)
    );

    let links = item_department::Entity::find()
        .all(&t.db)
        .await
        .expect("links");
    let busiest = {
        let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
        for l in &links {
            *counts.entry(l.department_id).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|(_, c)| *c)
            .expect("departments")
            .0
    };
    for (role, wanted) in [
        ("LEAD", Some(DepartmentRole::Lead)),
        ("COOPERATING", Some(DepartmentRole::Cooperating)),
        ("ANY", None),
    ] {
        let expected: BTreeSet<i64> = links
            .iter()
            .filter(|l| l.department_id == busiest && wanted.is_none_or(|r| l.role == r))
            .map(|l| l.item_id)
            .collect();
        assert!(!expected.is_empty(), "{role}");
        let filter = json!({ "departmentId": gid("Department", busiest), "role": role });
        assert_eq!(all_ids(&app, filter).await, expected, "{role}");
    }

    assert_eq!(
        all_ids(&app, json!({ "status": ["DONE", "CLOSED"] })).await,
        ids(&|i| matches!(i.status, ItemStatus::Done | ItemStatus::Closed))
    );
    assert_eq!(
        all_ids(&app, json!({ "status": "IN_PROGRESS" })).await,
        ids(&|i| i.status == ItemStatus::InProgress)
    );

    let today = NaiveDate::from_ymd_opt(2021, 9, 20).expect("date");
    let urgency = expected_urgency(&t, today).await;
    for u in ["OVERDUE", "DUE_SOON", "ON_TRACK", "ONGOING", "DONE"] {
        let expected: BTreeSet<i64> = urgency
            .iter()
            .filter(|(_, v)| **v == u)
            .map(|(k, _)| *k)
            .collect();
        assert!(!expected.is_empty(), "the fixture has {u} items");
        assert_eq!(
            all_ids(&app, json!({ "urgency": [u] })).await,
            expected,
            "{u}"
        );
    }

    let dates = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .all(&t.db)
        .await
        .expect("dates");
    let (from, to) = (
        NaiveDate::from_ymd_opt(2021, 6, 1).expect("date"),
        NaiveDate::from_ymd_opt(2021, 6, 30).expect("date"),
    );
    let expected: BTreeSet<i64> = dates
        .iter()
        .filter(|d| d.due_on >= from && d.due_on <= to)
        .map(|d| d.item_id)
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(
        all_ids(
            &app,
            json!({ "dueFrom": "2021-06-01", "dueTo": "2021-06-30" })
        )
        .await,
        expected
    );

    assert_eq!(
        all_ids(&app, json!({ "ongoing": true })).await,
        ids(&|i| i.ongoing)
    );
    for text in ["第1项", "舌尖", "%", "_", "100%"] {
        let expected = ids(&|i| i.title.contains(text) || i.content.contains(text));
        assert_eq!(
            all_ids(&app, json!({ "search": text })).await,
            expected,
            "{text}"
        );
        // LIKE wildcards in the search text match themselves, not everything.
        assert!(expected.len() < items.len(), "{text}");
    }
    assert_eq!(all_ids(&app, json!({ "search": "100%" })).await.len(), 1);

    // Filters combine.
    let combined =
        json!({ "listId": gid("ProjectList", generated), "ongoing": false, "status": "OPEN" });
    assert_eq!(
        all_ids(&app, combined).await,
        ids(&|i| i.list_id == generated && !i.ongoing && i.status == ItemStatus::Open)
    );
}

/// Pages of `size` in `order`, forward from the start and backward from the end.
async fn walk(app: &TestApp, order: &Value, size: i64) -> (Vec<i64>, Vec<i64>) {
    let mut forward = Vec::new();
    let mut after = Value::Null;
    let mut first_page = true;
    loop {
        let data = app
            .data(
                PAGE,
                json!({ "order": order, "first": size, "after": after, "now": NOW }),
            )
            .await;
        let items = &data["items"];
        assert_eq!(items["pageInfo"]["hasPreviousPage"], json!(!first_page));
        first_page = false;
        forward.extend(
            items["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| decode(&e["node"]["id"])),
        );
        if items["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = items["pageInfo"]["endCursor"].clone();
    }
    let mut backward = Vec::new();
    let mut before = Value::Null;
    let mut last_page = true;
    loop {
        let data = app
            .data(
                PAGE,
                json!({ "order": order, "last": size, "before": before, "now": NOW }),
            )
            .await;
        let items = &data["items"];
        assert_eq!(items["pageInfo"]["hasNextPage"], json!(!last_page));
        last_page = false;
        let page: Vec<i64> = items["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| decode(&e["node"]["id"]))
            .collect();
        backward.splice(0..0, page);
        if items["pageInfo"]["hasPreviousPage"] != json!(true) {
            break;
        }
        before = items["pageInfo"]["startCursor"].clone();
    }
    (forward, backward)
}

async fn pages_run_both_ways_with_stable_cursors(t: TestDb) {
    two_lists(&t, 45).await;
    let app = TestApp::start(&t).await;
    let items = item::Entity::find().all(&t.db).await.expect("items");
    let dates = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .all(&t.db)
        .await
        .expect("dates");
    let earliest = |id: i64| {
        dates
            .iter()
            .filter(|d| d.item_id == id)
            .map(|d| d.due_on)
            .min()
            .unwrap_or(NaiveDate::MAX)
    };

    let mut by_due: Vec<(NaiveDate, i64)> = items.iter().map(|i| (earliest(i.id), i.id)).collect();
    by_due.sort();
    let mut by_number_desc: Vec<(i32, i64)> = items.iter().map(|i| (i.number, i.id)).collect();
    by_number_desc.sort();
    by_number_desc.reverse();

    for (order, expected) in [
        (
            json!({ "field": "DUE_DATE" }),
            by_due.iter().map(|(_, id)| *id).collect::<Vec<_>>(),
        ),
        (
            json!({ "field": "NUMBER", "direction": "DESC" }),
            by_number_desc.iter().map(|(_, id)| *id).collect(),
        ),
    ] {
        let (forward, backward) = walk(&app, &order, 7).await;
        assert_eq!(forward, expected, "forward by {order}");
        assert_eq!(backward, expected, "backward by {order}");
    }
    let (forward, backward) = walk(&app, &json!({ "field": "UPDATED_AT" }), 9).await;
    assert_eq!(forward.len(), items.len());
    assert_eq!(forward, backward);

    // A cursor keeps its place when rows are inserted before and after it.
    let order = json!({ "field": "DUE_DATE" });
    let first = app
        .data(PAGE, json!({ "order": order, "first": 10, "now": NOW }))
        .await;
    let cursor = first["items"]["pageInfo"]["endCursor"].clone();
    let next_before = app
        .data(
            PAGE,
            json!({ "order": order, "first": 10, "after": cursor, "now": NOW }),
        )
        .await;
    import_text(&t, &listgen::list_text(30).replace("某市", "另一市"), None).await;
    let next_after = app
        .data(
            PAGE,
            json!({ "order": order, "first": 10, "after": cursor, "now": NOW }),
        )
        .await;
    let ids = |v: &Value| -> Vec<i64> {
        v["items"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| decode(&e["node"]["id"]))
            .collect()
    };
    // Rows inserted later have larger ids, so within a due date they sort after the old ones:
    // the old rows of the next page keep their order.
    let old: BTreeSet<i64> = items.iter().map(|i| i.id).collect();
    let kept: Vec<i64> = ids(&next_after)
        .into_iter()
        .filter(|id| old.contains(id))
        .collect();
    assert!(
        ids(&next_before).starts_with(&kept),
        "{kept:?} vs {:?}",
        ids(&next_before)
    );
    assert!(
        !ids(&next_after).iter().any(|id| ids(&first).contains(id)),
        "no row repeats"
    );
}

async fn limits_and_bad_arguments_carry_codes_and_field_paths(t: TestDb) {
    let (sample, _) = two_lists(&t, 5).await;
    let app = TestApp::start(&t).await;
    let number_cursor =
        app.data(PAGE, json!({ "first": 1 })).await["items"]["pageInfo"]["endCursor"].clone();
    for (variables, field) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "last": 101 }), "last"),
        (json!({ "first": 0 }), "first"),
        (json!({ "first": 5, "last": 5 }), "last"),
        (json!({ "after": "bm9wZQ" }), "after"),
        (json!({ "before": "!!" }), "before"),
        (
            json!({ "order": { "field": "DUE_DATE" }, "after": number_cursor }),
            "after",
        ),
        (
            json!({ "filter": { "listId": gid("Item", sample) } }),
            "filter.listId",
        ),
        (
            json!({ "filter": { "departmentId": "x" } }),
            "filter.departmentId",
        ),
    ] {
        let body = app.graphql(PAGE, variables.clone()).await;
        assert_eq!(
            only_error(&body),
            ("VALIDATION".to_owned(), Some(field.to_owned())),
            "{variables}: {body}"
        );
    }
    let body = app
        .graphql("{ item(id: \"SXRlbTo5OTk5OTk\") { id } }", Value::Null)
        .await;
    assert_eq!(only_error(&body).0, "NOT_FOUND", "{body}");
    assert_eq!(body["data"]["item"], Value::Null);
    let body = app
        .graphql(
            "{ upcomingDeadlines(withinDays: 1000) { edges { cursor } } }",
            Value::Null,
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("withinDays".to_owned()))
    );
    let many: Vec<String> = (1..=101).map(|i| gid("Item", i)).collect();
    let body = app
        .graphql(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": many }),
        )
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("ids".to_owned())),
        "{body}"
    );
    let body = app
        .graphql(
            "{ items(filter: { dueFrom: \"2021-13-01\" }) { totalCount } }",
            Value::Null,
        )
        .await;
    assert_eq!(only_error(&body).0, "VALIDATION", "{body}");
}

async fn node_and_nodes_find_every_kind(t: TestDb) {
    let (sample, _) = two_lists(&t, 3).await;
    let app = TestApp::start(&t).await;
    let data = app
        .data(
            "query($id: ID!) { list(id: $id) { id items(first: 2) { edges { node {
                id title list { id }
                leadDepartments { id name }
                dueDates { id dueOn kind version active }
            } } } } }",
            json!({ "id": gid("ProjectList", sample) }),
        )
        .await;
    let first = &data["list"]["items"]["edges"][0]["node"];
    assert_eq!(first["list"]["id"], json!(gid("ProjectList", sample)));
    let ids = vec![
        first["id"].clone(),
        first["leadDepartments"][0]["id"].clone(),
        first["dueDates"][0]["id"].clone(),
        json!(gid("Item", 999_999)),
        json!(gid("ProjectList", sample)),
    ];
    let nodes = app
        .data(
            "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
                ... on Item { title } ... on Department { name } ... on DueDate { dueOn } } }",
            json!({ "ids": ids }),
        )
        .await;
    let types: Vec<&str> = nodes["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["__typename"].as_str().unwrap_or("null"))
        .collect();
    assert_eq!(
        types,
        ["Item", "Department", "DueDate", "null", "ProjectList"]
    );
    assert_eq!(nodes["nodes"][0]["title"], first["title"]);
    assert_eq!(
        nodes["nodes"][1]["name"],
        first["leadDepartments"][0]["name"]
    );
    assert_eq!(nodes["nodes"][2]["dueOn"], first["dueDates"][0]["dueOn"]);

    // The sample's item 二 is led by two departments, in printed order, and its departments
    // list it back.
    let data = app
        .data(
            "query($f: ItemFilter) { items(filter: $f, first: 5) { edges { node { number
                leadDepartments { id name leadItems(first: 10) { edges { node { number } } } }
                cooperatingDepartments { name } genericPhrases deadlineText } } } }",
            json!({ "f": { "listId": gid("ProjectList", sample), "search": "养老" } }),
        )
        .await;
    let two = &data["items"]["edges"][0]["node"];
    assert_eq!(two["number"], 2);
    let leads: Vec<&str> = two["leadDepartments"]
        .as_array()
        .expect("leads")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(leads.len(), 2, "{two}");
    assert_eq!(leads[0], "市民政局");
    for lead in two["leadDepartments"].as_array().expect("leads") {
        let numbers: Vec<i64> = lead["leadItems"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .filter_map(|e| e["node"]["number"].as_i64())
            .collect();
        assert!(numbers.contains(&2), "{lead}");
    }
    assert!(
        two["genericPhrases"]
            .as_array()
            .expect("phrases")
            .iter()
            .any(|p| p == "各县区政府"),
        "{two}"
    );
}

async fn stats_match_counts_made_from_the_tables(t: TestDb) {
    let (_, generated) = two_lists(&t, 60).await;
    let app = TestApp::start(&t).await;
    let data = app
        .data(
            "query($list: ID, $now: DateTime) { stats(listId: $list, now: $now) {
                total byStatus { status count } byUrgency { urgency count }
                byLeadDepartment { department { id } total byUrgency { urgency count } }
                duePerMonth { month count } } }",
            json!({ "list": gid("ProjectList", generated), "now": NOW }),
        )
        .await;
    let stats = &data["stats"];
    let items: Vec<item::Model> = item::Entity::find()
        .filter(item::Column::ListId.eq(generated))
        .all(&t.db)
        .await
        .expect("items");
    assert_eq!(stats["total"], items.len());
    let status_name = |s: ItemStatus| match s {
        ItemStatus::Open => "OPEN",
        ItemStatus::InProgress => "IN_PROGRESS",
        ItemStatus::CompletionReported => "COMPLETION_REPORTED",
        ItemStatus::Done => "DONE",
        ItemStatus::Closed => "CLOSED",
    };
    for entry in stats["byStatus"].as_array().expect("byStatus") {
        let expected = items
            .iter()
            .filter(|i| status_name(i.status) == entry["status"])
            .count();
        assert_eq!(entry["count"], expected, "{entry}");
    }
    let urgency = expected_urgency(&t, NaiveDate::from_ymd_opt(2021, 9, 20).expect("date")).await;
    let in_list: BTreeSet<i64> = items.iter().map(|i| i.id).collect();
    for entry in stats["byUrgency"].as_array().expect("byUrgency") {
        let expected = in_list
            .iter()
            .filter(|id| urgency[id] == entry["urgency"])
            .count();
        assert_eq!(entry["count"], expected, "{entry}");
    }
    let leads = item_department::Entity::find()
        .filter(item_department::Column::Role.eq(DepartmentRole::Lead))
        .all(&t.db)
        .await
        .expect("leads");
    let departments = stats["byLeadDepartment"]
        .as_array()
        .expect("byLeadDepartment");
    let expected_departments: BTreeSet<i64> = leads
        .iter()
        .filter(|l| in_list.contains(&l.item_id))
        .map(|l| l.department_id)
        .collect();
    assert_eq!(departments.len(), expected_departments.len());
    for entry in departments {
        let department = decode(&entry["department"]["id"]);
        let mine: Vec<i64> = leads
            .iter()
            .filter(|l| l.department_id == department && in_list.contains(&l.item_id))
            .map(|l| l.item_id)
            .collect();
        assert_eq!(entry["total"], mine.len());
        for u in entry["byUrgency"].as_array().expect("byUrgency") {
            let expected = mine
                .iter()
                .filter(|id| urgency[*id] == u["urgency"])
                .count();
            assert_eq!(u["count"], expected, "{entry}");
        }
    }
    let dates = item_due_date::Entity::find()
        .filter(item_due_date::Column::Active.eq(true))
        .all(&t.db)
        .await
        .expect("dates");
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    for d in dates.iter().filter(|d| in_list.contains(&d.item_id)) {
        *months
            .entry(d.due_on.format("%Y-%m").to_string())
            .or_default() += 1;
    }
    let got: BTreeMap<String, u64> = stats["duePerMonth"]
        .as_array()
        .expect("duePerMonth")
        .iter()
        .map(|m| {
            (
                m["month"].as_str().expect("month").to_owned(),
                m["count"].as_u64().expect("count"),
            )
        })
        .collect();
    assert_eq!(got, months);
}

const MONTH_ENDS: &str = "\n示例市2021年为民办实事项目清单\n\n\
1、社区食堂\n\n事项内容:建设社区食堂。\n\n完成时限:2021年6月底\n\n牵头部门:市甲局\n\n配合部门:市乙局\n\n\
2、老旧小区\n\n事项内容:改造老旧小区。\n\n完成时限:2024年2月底\n\n牵头部门:市乙局\n\n配合部门:市甲局\n\n\
3、便民服务\n\n事项内容:便民服务常态化。\n\n完成时限:长期坚持\n\n牵头部门:市丙局\n\n配合部门:市甲局\n";

async fn urgency_turns_at_midnight_in_the_configured_zone(t: TestDb) {
    import_text(&t, MONTH_ENDS, Some(2021)).await;
    let app = TestApp::start(&t).await;
    let query = "query($now: DateTime) { items(orderBy: { field: NUMBER }) { edges { node {
        number urgency(now: $now) daysRemaining(now: $now) nextDueDate(now: $now) { dueOn } } } } }";
    let at = |now: &str| {
        let app = &app;
        let now = now.to_owned();
        async move {
            let data = app.data(query, json!({ "now": now })).await;
            data["items"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"].clone())
                .collect::<Vec<Value>>()
        }
    };
    let row = |v: &Value| {
        (
            v["urgency"].as_str().map(str::to_owned),
            v["daysRemaining"].as_i64(),
        )
    };
    // 6月底 is June 30th, all of it in Shanghai.
    let n = at("2021-06-30T23:59:59+08:00").await;
    assert_eq!(row(&n[0]), (Some("DUE_SOON".into()), Some(0)));
    assert_eq!(n[0]["nextDueDate"]["dueOn"], "2021-06-30");
    // 16:00 UTC on June 30th is already July 1st in Shanghai.
    let n = at("2021-06-30T16:00:00Z").await;
    assert_eq!(row(&n[0]), (Some("OVERDUE".into()), Some(-1)));
    assert_eq!(n[0]["nextDueDate"], Value::Null);
    // The due-soon window is 14 days.
    assert_eq!(
        row(&at("2021-06-16T00:00:00+08:00").await[0]),
        (Some("DUE_SOON".into()), Some(14))
    );
    assert_eq!(
        row(&at("2021-06-15T23:59:59+08:00").await[0]),
        (Some("ON_TRACK".into()), Some(15))
    );
    // 2024年2月底 is the 29th: 2024 is a leap year.
    let n = at("2024-02-15T12:00:00+08:00").await;
    assert_eq!(n[1]["nextDueDate"]["dueOn"], "2024-02-29");
    assert_eq!(row(&n[1]), (Some("DUE_SOON".into()), Some(14)));
    assert_eq!(
        row(&at("2024-03-01T00:00:00+08:00").await[1]),
        (Some("OVERDUE".into()), Some(-1))
    );
    // 长期坚持 has no date.
    assert_eq!(row(&n[2]), (Some("ONGOING".into()), None));

    // upcomingDeadlines judges "today" the same way.
    let upcoming = app
        .data(
            "query($now: DateTime) { upcomingDeadlines(withinDays: 7, now: $now) { edges { node { dueOn item { number } } } } }",
            json!({ "now": "2021-06-30T15:59:59Z" }),
        )
        .await;
    assert_eq!(
        upcoming["upcomingDeadlines"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let upcoming = app
        .data(
            "query($now: DateTime) { upcomingDeadlines(withinDays: 7, now: $now) { edges { node { dueOn } } } }",
            json!({ "now": "2021-06-30T16:00:00Z" }),
        )
        .await;
    assert_eq!(
        upcoming["upcomingDeadlines"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
}

async fn contacts_and_the_ledger_need_the_admin_token(t: TestDb) {
    let (sample, _) = two_lists(&t, 3).await;
    let department = department::Entity::find()
        .one(&t.db)
        .await
        .expect("query")
        .expect("a department");
    let now = Utc::now();
    let contact = department_contact::ActiveModel {
        department_id: Set(department.id),
        person_name: Set("张三".into()),
        email: Set("zhangsan@example.gov.cn".into()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let contact = entity::department_contact::Entity::insert(contact)
        .exec(&t.db)
        .await
        .expect("contact")
        .last_insert_id;
    let due = item_due_date::Entity::find()
        .one(&t.db)
        .await
        .expect("query")
        .expect("a due date");
    let delivery = entity::reminder_delivery::ActiveModel {
        due_date_id: Set(Some(due.id)),
        due_date_version: Set(due.version),
        department_id: Set(department.id),
        contact_id: Set(Some(contact)),
        contact_email: Set("zhangsan@example.gov.cn".into()),
        stage: Set("T-7".into()),
        planned_for: Set(due.due_on),
        status: Set(entity::DeliveryStatus::Sent),
        attempts: Set(1),
        sent_at: Set(Some(now)),
        message_id: Set(Some("<x@minsheng>".into())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    entity::reminder_delivery::Entity::insert(delivery)
        .exec(&t.db)
        .await
        .expect("delivery");
    // A monthly check-in names its item, not a due date.
    let checkin = entity::reminder_delivery::ActiveModel {
        due_date_id: Set(None),
        item_id: Set(Some(due.item_id)),
        due_date_version: Set(0),
        department_id: Set(department.id),
        contact_id: Set(Some(contact)),
        contact_email: Set("zhangsan@example.gov.cn".into()),
        stage: Set("checkin-2023-07".into()),
        planned_for: Set(due.due_on),
        status: Set(entity::DeliveryStatus::Pending),
        attempts: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    entity::reminder_delivery::Entity::insert(checkin)
        .exec(&t.db)
        .await
        .expect("check-in");

    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let contacts = "query($id: ID!) { department(id: $id) { name contacts { name email department { id } } } }";
    let vars = json!({ "id": gid("Department", department.id) });
    let deliveries = "{ reminderDeliveries(first: 5) { edges { node { stage status contactEmail messageId item { id } department { name } dueDate { dueOn } } } } }";
    let item_deliveries = "query($id: ID!) { item(id: $id) { deliveries { stage } } }";
    let item_vars = json!({ "id": gid("Item", due.item_id) });
    let contact_node = "query($id: ID!) { node(id: $id) { ... on Contact { email } } }";
    let contact_vars = json!({ "id": gid("Contact", contact) });

    // Anonymous: the public fields answer, the private ones say UNAUTHENTICATED.
    for (query, variables) in [
        (contacts, &vars),
        (deliveries, &Value::Null),
        (item_deliveries, &item_vars),
        (contact_node, &contact_vars),
    ] {
        let body = app.graphql(query, variables.clone()).await;
        assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{query}: {body}");
    }
    let body = app.graphql(contacts, vars.clone()).await;
    assert_eq!(
        body["data"]["department"]["name"],
        json!(department.name),
        "public part still answers"
    );

    // A token that is not ours is refused outright.
    let body = app
        .graphql_as(
            Some("not-the-token-at-all"),
            "{ lists { id } }",
            Value::Null,
        )
        .await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");
    assert!(
        !body.to_string().contains("not-the-token-at-all"),
        "the token is not echoed"
    );

    // The administrator sees everything.
    let admin = Some(ADMIN_TOKEN);
    let body = app.graphql_as(admin, contacts, vars.clone()).await;
    assert_eq!(
        body["data"]["department"]["contacts"][0]["email"], "zhangsan@example.gov.cn",
        "{body}"
    );
    let body = app.graphql_as(admin, deliveries, Value::Null).await;
    let checkin = &body["data"]["reminderDeliveries"]["edges"][0]["node"];
    assert_eq!(checkin["stage"], "checkin-2023-07", "newest first: {body}");
    assert_eq!(checkin["dueDate"], Value::Null);
    assert_eq!(checkin["item"]["id"], json!(gid("Item", due.item_id)));
    let row = &body["data"]["reminderDeliveries"]["edges"][1]["node"];
    assert_eq!(row["status"], "SENT", "{body}");
    assert_eq!(row["item"]["id"], json!(gid("Item", due.item_id)));
    assert_eq!(row["dueDate"]["dueOn"], json!(due.due_on.to_string()));
    let body = app
        .graphql_as(admin, item_deliveries, item_vars.clone())
        .await;
    assert_eq!(
        body["data"]["item"]["deliveries"],
        json!([{ "stage": "checkin-2023-07" }, { "stage": "T-7" }]),
        "{body}"
    );
    let by_item = app
        .graphql_as(
            admin,
            "query($f: DeliveryFilter) { reminderDeliveries(filter: $f) { edges { node { stage } } } }",
            json!({ "f": { "itemId": gid("Item", due.item_id) } }),
        )
        .await;
    assert_eq!(
        by_item["data"]["reminderDeliveries"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{by_item}"
    );
    let body = app
        .graphql_as(admin, contact_node, contact_vars.clone())
        .await;
    assert_eq!(
        body["data"]["node"]["email"], "zhangsan@example.gov.cn",
        "{body}"
    );
    let filtered = app
        .graphql_as(
            admin,
            "query($f: DeliveryFilter) { reminderDeliveries(filter: $f) { edges { cursor } } }",
            json!({ "f": { "status": "FAILED" } }),
        )
        .await;
    assert_eq!(
        filtered["data"]["reminderDeliveries"]["edges"],
        json!([]),
        "{filtered}"
    );
    let _ = sample;
}

const NESTED: &str = "query($n: Int) { items(first: $n) { edges { node {
    leadDepartments { name } cooperatingDepartments { name } dueDates { dueOn } } } } }";

async fn nested_relations_take_a_constant_number_of_statements(t: TestDb) {
    two_lists(&t, 120).await;
    let (app, statements) = TestApp::start_counting(&t).await;
    let mut counts = Vec::new();
    for n in [5, 100] {
        let before = statements.load(std::sync::atomic::Ordering::SeqCst);
        let data = app.data(NESTED, json!({ "n": n })).await;
        let edges = data["items"]["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), n as usize);
        assert!(edges.iter().all(|e| {
            !e["node"]["leadDepartments"]
                .as_array()
                .expect("leads")
                .is_empty()
        }));
        counts.push(statements.load(std::sync::atomic::Ordering::SeqCst) - before);
    }
    // One page, one batch of assignments, one batch of due dates.
    assert_eq!(
        counts[0], counts[1],
        "statements for 5 and 100 items: {counts:?}"
    );
    assert!(counts[1] <= 3, "statements for 100 items: {counts:?}");
}

/// `item(id:)` reads the item and the relations its selection asks for in one statement, and
/// answers each item as the page of items does (departments in printed order, active due
/// dates by date), whichever relations are asked for and however the query spells them.
async fn one_item_with_its_relations_takes_one_statement(t: TestDb) {
    two_lists(&t, 12).await;
    let (app, statements) = TestApp::start_counting(&t).await;
    let count = || statements.load(std::sync::atomic::Ordering::SeqCst);
    let fields = "id number title content deadlineText nextDueDate { dueOn }
        leadDepartments { name } cooperatingDepartments { name } dueDates { dueOn version }";
    let page = app
        .data(
            &format!("{{ items(first: 40) {{ nodes {{ {fields} }} }} }}"),
            Value::Null,
        )
        .await;
    let nodes = page["items"]["nodes"].as_array().expect("nodes");
    assert!(nodes.len() > 15, "both lists: {}", nodes.len());
    let many = |n: &Value, key: &str| n[key].as_array().is_some_and(|a| a.len() >= 2);
    assert!(
        nodes
            .iter()
            .any(|n| many(n, "leadDepartments") && many(n, "dueDates")),
        "some item has several departments and due dates"
    );
    for node in nodes {
        let id = node["id"].as_str().expect("id");
        let before = count();
        let one = app
            .data(
                &format!("{{ item(id: \"{id}\") {{ {fields} }} }}"),
                Value::Null,
            )
            .await;
        assert_eq!(count() - before, 1, "statements for item {id}");
        assert_eq!(&one["item"], node, "item {id}");
    }

    let (id, node) = nodes
        .iter()
        .map(|n| (n["id"].as_str().expect("id"), n))
        .find(|(_, n)| many(n, "cooperatingDepartments") && many(n, "dueDates"))
        .expect("an item with several cooperating departments and due dates");
    for (query, statements) in [
        (format!("{{ item(id: \"{id}\") {{ title }} }}"), 1),
        (
            format!(
                "{{ item(id: \"{id}\") {{ ...F }} }} fragment F on Item {{ c: cooperatingDepartments {{ name }} }}"
            ),
            1,
        ),
        (
            format!(
                "{{ item(id: \"{id}\") {{ ... on Item {{ dueDates {{ dueOn version }} }} }} }}"
            ),
            1,
        ),
    ] {
        let before = count();
        let data = app.data(&query, Value::Null).await;
        assert_eq!(count() - before, statements, "{query}");
        let item = &data["item"];
        if let Some(c) = item.get("c") {
            assert_eq!(c, &node["cooperatingDepartments"], "{query}");
        } else if let Some(d) = item.get("dueDates") {
            assert_eq!(d, &node["dueDates"], "{query}");
        } else {
            assert_eq!(item["title"], node["title"], "{query}");
        }
    }
    let missing = app
        .graphql(
            &format!(
                "{{ item(id: \"{}\") {{ title leadDepartments {{ name }} }} }}",
                gid("Item", i64::MAX)
            ),
            Value::Null,
        )
        .await;
    assert_eq!(only_error(&missing).0, "NOT_FOUND", "{missing}");
}

/// A page reads `content` from the database only when its nodes show it; however a query
/// spells that (fragments, aliases, `nodes`, a list's or a department's items), the content is
/// there, and a page without it has every other field right.
async fn pages_show_content_however_the_query_asks_for_it(t: TestDb) {
    two_lists(&t, 30).await;
    let app = TestApp::start(&t).await;
    let rows = item::Entity::find().all(&t.db).await.expect("items");
    let by_gid: HashMap<String, &item::Model> =
        rows.iter().map(|i| (gid("Item", i.id), i)).collect();
    assert!(
        rows.iter().all(|i| !i.content.is_empty()),
        "every item has content"
    );
    let department = item_department::Entity::find()
        .one(&t.db)
        .await
        .expect("assignment")
        .expect("an assignment")
        .department_id;
    let list = rows[0].list_id;
    let asks = [
        "{ items(first: 100) { edges { node { id content } } } }".to_owned(),
        "{ items(first: 100) { nodes { id content } } }".to_owned(),
        "{ items(first: 100) { edges { node { id ...C } } } } fragment C on Item { content }"
            .to_owned(),
        "{ items(first: 100) { edges { node { id ... on Item { text: content } } } } }".to_owned(),
        "{ items(first: 100) { ...P } } fragment P on ItemConnection { edges { node { id content } } }"
            .to_owned(),
        format!(
            "{{ node(id: \"{}\") {{ ... on ProjectList {{ items(first: 100) {{ nodes {{ id content }} }} }} }} }}",
            gid("ProjectList", list)
        ),
        format!(
            "{{ node(id: \"{}\") {{ ... on Department {{ leadItems(first: 100) {{ nodes {{ id content }} }} }} }} }}",
            gid("Department", department)
        ),
    ];
    for query in &asks {
        let data = app.data(query, Value::Null).await;
        let mut nodes = Vec::new();
        collect_items(&data, &mut nodes);
        assert!(!nodes.is_empty(), "{query}: no items in {data}");
        for node in nodes {
            let id = node["id"].as_str().expect("id");
            let content = node.get("content").or(node.get("text")).expect("content");
            assert_eq!(content, &json!(by_gid[id].content), "{query}");
        }
    }
    let data = app
        .data(
            "{ items(first: 100) { nodes { id number numberText title deadlineText ongoing status genericPhrases } } }",
            Value::Null,
        )
        .await;
    let nodes = data["items"]["nodes"].as_array().expect("nodes");
    assert_eq!(nodes.len(), rows.len().min(100));
    for node in nodes {
        let row = by_gid[node["id"].as_str().expect("id")];
        assert_eq!(node["number"], json!(row.number));
        assert_eq!(node["numberText"], json!(row.number_text));
        assert_eq!(node["title"], json!(row.title));
        assert_eq!(node["deadlineText"], json!(row.deadline_text));
        assert_eq!(node["ongoing"], json!(row.ongoing));
        assert_eq!(node["genericPhrases"], row.generic_phrases);
    }
}

/// A page reads only the columns its nodes' fields need (`Item::columns_for`). Each field of
/// `Item`, as the schema lists it (a field added later is checked too), asked for alone on a
/// page in every order must read what the whole item read by `nodes(ids:)` shows, and every
/// cursor must be the one a page asking for every field gives.
async fn every_item_field_reads_what_it_shows(t: TestDb) {
    use sea_orm::sea_query::Expr;
    two_lists(&t, 30).await;
    // Values in the columns that most items leave empty, on a few items each.
    let rows = item::Entity::find().all(&t.db).await.expect("items");
    for (n, row) in rows.iter().enumerate().filter(|(n, _)| n % 4 == 1) {
        item::Entity::update_many()
            .col_expr(
                item::Column::Category,
                Expr::value(format!("类别{}", n % 3)),
            )
            .col_expr(
                item::Column::ResponsiblePeople,
                Expr::value(json!([format!("责任人{n}")])),
            )
            .col_expr(
                item::Column::GenericPhrases,
                Expr::value(json!(["各县区政府"])),
            )
            .col_expr(item::Column::Ongoing, Expr::value(true))
            .col_expr(
                item::Column::CompletedOn,
                Expr::value(NaiveDate::from_ymd_opt(2021, 6, 1 + n as u32 % 28)),
            )
            .filter(item::Column::Id.eq(row.id))
            .exec(&t.db)
            .await
            .expect("values");
    }
    // Pages of every field of 100 items cost more than the default complexity limit.
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_GRAPHQL_COMPLEXITY_LIMIT", "100000"),
        ],
    ))
    .await;
    let admin = |query: String| {
        let app = &app;
        async move {
            let body = app.graphql_as(Some(ADMIN_TOKEN), &query, Value::Null).await;
            assert!(body.get("errors").is_none(), "{query}: {body}");
            body["data"].clone()
        }
    };
    let fields = admin(
        "{ __type(name: \"Item\") { fields { name args { name defaultValue type { kind } } \
         type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }"
            .into(),
    )
    .await;
    let fields = fields["__type"]["fields"].as_array().expect("fields");
    let selections: Vec<String> = fields
        .iter()
        .map(|f| {
            let name = f["name"].as_str().expect("name");
            assert!(
                f["args"]
                    .as_array()
                    .expect("args")
                    .iter()
                    .all(|a| a["type"]["kind"] != "NON_NULL" || !a["defaultValue"].is_null()),
                "{name} has a required argument: give it one here"
            );
            let mut ty = &f["type"];
            while ty["name"].is_null() {
                ty = &ty["ofType"];
            }
            match ty["kind"].as_str() {
                Some("SCALAR" | "ENUM") => name.to_owned(),
                _ => format!("{name} {{ __typename }}"),
            }
        })
        .collect();
    assert!(selections.len() >= 25, "{selections:?}");
    let all_fields = selections.join(" ");
    for order in ["NUMBER", "DUE_DATE", "UPDATED_AT"] {
        let page = |selection: &str| {
            format!(
                "{{ items(first: 100, orderBy: {{ field: {order} }}) {{ edges {{ cursor node {{ id {selection} }} }} }} }}"
            )
        };
        let whole = admin(page(&all_fields)).await;
        let edges = whole["items"]["edges"].as_array().expect("edges").clone();
        assert!(edges.len() > 30, "both lists: {}", edges.len());
        let ids: Value = edges.iter().map(|e| e["node"]["id"].clone()).collect();
        let narrow = admin(page("")).await;
        assert_eq!(
            narrow["items"]["edges"],
            whole["items"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| json!({ "cursor": e["cursor"], "node": { "id": e["node"]["id"] } }))
                .collect::<Value>(),
            "{order}: the cursors of a page of ids alone"
        );
        for selection in &selections {
            let alone = admin(page(selection)).await;
            // A JSON array of strings is a GraphQL list literal.
            let reference = admin(format!(
                "{{ nodes(ids: {ids}) {{ ... on Item {{ id {selection} }} }} }}"
            ))
            .await;
            let nodes: Vec<&Value> = alone["items"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| &e["node"])
                .collect();
            let expected: Vec<&Value> = reference["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .collect();
            assert_eq!(nodes, expected, "{order}: {selection}");
        }
    }
    // The columns that were set above are among those compared.
    let shown = admin(
        "{ items(first: 100) { nodes { category responsiblePeople completedOn ongoing } } }".into(),
    )
    .await;
    let nodes = shown["items"]["nodes"].as_array().expect("nodes");
    assert!(nodes.iter().any(|n| n["category"].is_string()));
    assert!(nodes.iter().any(|n| n["completedOn"].is_string()));
    assert!(nodes.iter().any(|n| n["responsiblePeople"] != json!([])));
    assert!(nodes.iter().any(|n| n["ongoing"] == json!(true)));
}

/// Every object with an `id` of an item found anywhere in `value`.
fn collect_items<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.get("id").and_then(Value::as_str).is_some_and(|id| {
                use base64::Engine;
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(id)
                    .is_ok_and(|raw| raw.starts_with(b"Item:"))
            }) {
                out.push(value);
            }
            map.values().for_each(|v| collect_items(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_items(v, out)),
        _ => {}
    }
}

async fn abusive_queries_are_refused_before_the_database(t: TestDb) {
    two_lists(&t, 3).await;
    let (app, statements) = TestApp::start_counting(&t).await;
    let count = || statements.load(std::sync::atomic::Ordering::SeqCst);
    let start = count();
    // 100 departments × 100 items × 100 departments' items.
    let cube = "{ departments(first: 100) { edges { node { name leadItems(first: 100) { edges { node { title
        leadDepartments { leadItems(first: 100) { edges { node { title } } } } } } } } } } }";
    let mut aliases = String::from("{");
    for i in 0..300 {
        aliases.push_str(&format!(
            " a{i}: items(first: 10) {{ edges {{ node {{ title }} }} }}"
        ));
    }
    aliases.push('}');
    // Each fragment spreads the previous one twice: 2^30 fields if expanded naively.
    let mut bomb = String::from(
        "{ items(first: 1) { edges { node { ...F30 } } } }\nfragment F0 on Item { title }\n",
    );
    for i in 1..=30 {
        bomb.push_str(&format!(
            "fragment F{i} on Item {{ ...F{} ...F{} }}\n",
            i - 1,
            i - 1
        ));
    }
    let deep = "{ items { edges { node { list { items { edges { node { list { items { edges { node { id } } } } } } } } } } } }";
    for (name, query) in [
        ("cube", cube.to_owned()),
        ("aliases", aliases),
        ("fragments", bomb),
        ("depth", deep.to_owned()),
    ] {
        let started = std::time::Instant::now();
        let body = app.graphql(&query, Value::Null).await;
        assert_eq!(only_error(&body).0, "VALIDATION", "{name}: {body}");
        assert_eq!(body["data"], Value::Null, "{name}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{name} took {:?}",
            started.elapsed()
        );
    }
    assert_eq!(count() - start, 0, "no statement ran");
}

async fn production_switches_turn_off_introspection_and_graphiql(t: TestDb) {
    let settings = settings_with(
        &t.url,
        &[
            ("MINSHENG_GRAPHQL_INTROSPECTION", "false"),
            ("MINSHENG_GRAPHIQL", "false"),
        ],
    );
    let app = TestApp::start_with(&settings).await;
    // GET /graphql is the endpoint only: without a query it is a bad request, not the page.
    assert_eq!(app.status("/graphql").await, 400);
    assert_eq!(app.status("/graphiql/assets/graphiql.min.js").await, 404);
    let body = app
        .graphql("{ __schema { types { name } } }", Value::Null)
        .await;
    assert_eq!(only_error(&body).0, "VALIDATION", "{body}");
    assert_eq!(body["data"]["__schema"], Value::Null, "{body}");
    assert_eq!(
        app.data("{ lists { id } }", Value::Null).await["lists"],
        json!([])
    );

    // The request body limit (MINSHENG_BODY_LIMIT_BYTES) refuses a larger body before parsing.
    let small = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_BODY_LIMIT_BYTES", "2048")],
    ))
    .await;
    let padding = " ".repeat(4096);
    let response = small
        .client
        .post(small.url("/graphql"))
        .json(&json!({ "query": format!("{{ lists {{ id }} {padding}}}") }))
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 413);
    assert_eq!(
        small.data("{ lists { id } }", Value::Null).await["lists"],
        json!([])
    );

    let open = TestApp::start(&t).await;
    let page = open
        .client
        .get(open.url("/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .expect("GraphiQL");
    assert_eq!(page.status(), 200);
    let body = open
        .data("{ __schema { queryType { name } } }", Value::Null)
        .await;
    assert_eq!(body["__schema"]["queryType"]["name"], "Query");
}

async fn preview_reminders_shows_the_plan_and_writes_nothing(t: TestDb) {
    import_text(&t, api::sample::SAMPLE_LIST, None).await;
    let civil = department::Entity::find()
        .filter(department::Column::Name.eq("市民政局"))
        .one(&t.db)
        .await
        .expect("query")
        .expect("市民政局 leads item 二");
    let now = Utc::now();
    department_contact::Entity::insert(department_contact::ActiveModel {
        department_id: Set(civil.id),
        person_name: Set("李四".into()),
        email: Set("lisi@example.gov.cn".into()),
        active: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&t.db)
    .await
    .expect("contact");
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await;
    let mutation = "mutation($now: DateTime!) { previewReminders(now: $now) {
        today planned dayOfRest messages { to cc subject items } uncontacted { department item } } }";
    // Item 二 is due 2023-06-30: seven days before is a reminder stage.
    let vars = json!({ "now": "2023-06-23T08:00:00+08:00" });

    let body = app.graphql(mutation, vars.clone()).await;
    assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{body}");

    let data = app.graphql_as(Some(ADMIN_TOKEN), mutation, vars).await;
    let preview = &data["data"]["previewReminders"];
    assert_eq!(preview["today"], "2023-06-23", "{data}");
    let messages = preview["messages"].as_array().expect("messages");
    let to_civil: Vec<&Value> = messages
        .iter()
        .filter(|m| m["to"] == "lisi@example.gov.cn")
        .collect();
    assert_eq!(to_civil.len(), 1, "{data}");
    assert!(
        to_civil[0]["subject"]
            .as_str()
            .expect("subject")
            .contains("临期提醒"),
        "{data}"
    );
    assert!(
        to_civil[0]["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i.as_str().is_some_and(|s| s.starts_with("二、"))),
        "{data}"
    );
    // Departments without contacts are reported, not silently dropped.
    assert!(
        !preview["uncontacted"]
            .as_array()
            .expect("uncontacted")
            .is_empty()
    );
    // A preview writes nothing to the ledger.
    let ledger = entity::reminder_delivery::Entity::find()
        .all(&t.db)
        .await
        .expect("ledger");
    assert!(ledger.is_empty());
}

backend_tests!(
    one_item_with_its_relations_takes_one_statement,
    preview_reminders_shows_the_plan_and_writes_nothing,
    every_filter_selects_what_the_tables_say,
    pages_run_both_ways_with_stable_cursors,
    limits_and_bad_arguments_carry_codes_and_field_paths,
    node_and_nodes_find_every_kind,
    stats_match_counts_made_from_the_tables,
    urgency_turns_at_midnight_in_the_configured_zone,
    contacts_and_the_ledger_need_the_admin_token,
    nested_relations_take_a_constant_number_of_statements,
    pages_show_content_however_the_query_asks_for_it,
    every_item_field_reads_what_it_shows,
    abusive_queries_are_refused_before_the_database,
    production_switches_turn_off_introspection_and_graphiql,
);

/// A request that outlives MINSHENG_REQUEST_TIMEOUT_MS is abandoned with code TIMEOUT. A lock
/// held by the test makes the query wait, which only PostgreSQL can do on demand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_past_its_time_limit_answers_timeout() {
    let Some(t) = TestDb::postgres().await else {
        eprintln!(
            "skipped a_request_past_its_time_limit_answers_timeout: TEST_DATABASE_URL is not set"
        );
        return;
    };
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let app = TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_REQUEST_TIMEOUT_MS", "300")],
    ))
    .await;
    let txn = t.db.begin().await.expect("transaction");
    txn.execute_unprepared("LOCK TABLE item IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let started = std::time::Instant::now();
    let body = app.graphql("{ items { totalCount } }", Value::Null).await;
    assert_eq!(only_error(&body).0, "TIMEOUT", "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    txn.rollback().await.expect("unlock");
    assert!(app.graphql("{ items { totalCount } }", Value::Null).await["errors"].is_null());
}
