//! Accounts from outside, on both engines: an administrator creates accounts; each person sets
//! a password from a one-time link and signs in (`/auth/…`, a cookie); roles decide what each
//! may do; the audit trail names the person; failed sign-ins are throttled; a page on another
//! origin cannot use the cookie; disabling an account ends its sessions and closes its
//! WebSocket; no password is stored or shown.

use std::time::Duration;

use crate::support::{
    ADMIN_TOKEN, TestApp, admin_app_with_sample, department_id, item_id, only_error,
    ws::{next, send},
};
use entity::{account, audit_event, password_link, password_mail, sign_in_failure};
use futures_util::StreamExt;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use test_support::{TestDb, backend_tests};
use tokio_tungstenite::{
    connect_async,
    tungstenite::{client::IntoClientRequest, http::HeaderValue},
};

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

const CREATE: &str = "mutation($input: CreateAccountInput!) {
    createAccount(input: $input) { url expiresAt account { id login name role roleLabel hasPassword department { name } } } }";
const VIEWER: &str =
    "{ viewer { role managesAccounts department { name } account { login name role roleLabel } } }";

/// A cookie-carrying caller of the api, as a browser on the api's own pages is.
struct Browser<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self { app, cookie: None }
    }

    async fn post(&self, path: &str, body: Value, origin: Option<&str>) -> reqwest::Response {
        let mut request = self.app.client.post(self.app.url(path)).json(&body);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send().await.expect("request reaches the api")
    }

    fn own_origin(&self) -> String {
        format!("http://{}", self.app.address)
    }

    /// Signs in; the `Set-Cookie` header on success.
    async fn sign_in(&mut self, login: &str, password: &str) -> (u16, Value, Option<String>) {
        let origin = self.own_origin();
        let response = self
            .post(
                "/auth/sign-in",
                json!({ "login": login, "password": password }),
                Some(&origin),
            )
            .await;
        let status = response.status().as_u16();
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .map(|v| v.to_str().expect("as the test set it up").to_owned());
        if let Some(set) = &set_cookie {
            self.cookie = Some(
                set.split(';')
                    .next()
                    .expect("as the test set it up")
                    .to_owned(),
            );
        }
        (
            status,
            response.json().await.unwrap_or(Value::Null),
            set_cookie,
        )
    }

    async fn graphql(&self, query: &str, variables: Value) -> Value {
        let origin = self.own_origin();
        self.post(
            "/graphql",
            json!({ "query": query, "variables": variables }),
            Some(&origin),
        )
        .await
        .json()
        .await
        .expect("JSON")
    }
}

/// Creates an account as the break-glass token; the secret of its password link.
async fn create(app: &TestApp, input: Value) -> (Value, String) {
    let body = app
        .graphql_as(ADMIN, CREATE, json!({ "input": input }))
        .await;
    let created = body["data"]["createAccount"].clone();
    let url = created["url"]
        .as_str()
        .unwrap_or_else(|| panic!("a link: {body}"));
    let secret = url
        .split("#/password/")
        .nth(1)
        .expect("the secret")
        .to_owned();
    (created["account"].clone(), secret)
}

async fn set_password(app: &TestApp, secret: &str, password: &str) -> (u16, Value) {
    let response = Browser::new(app)
        .post(
            "/auth/password",
            json!({ "token": secret, "password": password }),
            None,
        )
        .await;
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// A person with a password, signed in.
async fn person<'a>(app: &'a TestApp, input: Value, password: &str) -> (Browser<'a>, Value) {
    let login = input["login"]
        .as_str()
        .expect("as the test set it up")
        .to_owned();
    let (account, secret) = create(app, input).await;
    assert_eq!(set_password(app, &secret, password).await.0, 200);
    let mut browser = Browser::new(app);
    let (status, body, _) = browser.sign_in(&login, password).await;
    assert_eq!(status, 200, "{body}");
    (browser, account)
}

async fn first_due_date(app: &TestApp, item: &Value) -> Value {
    app.data(
        "query($id: ID!) { node(id: $id) { ... on Item { dueDates { id } } } }",
        json!({ "id": item }),
    )
    .await["node"]["dueDates"][0]["id"]
        .clone()
}

async fn a_clerk_signs_in_and_decides_and_the_history_names_her(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let civil = department_id(&app, "市民政局").await;

    // Input is checked field by field, and a duplicate login is a conflict.
    let (account, secret) = create(
        &app,
        json!({ "login": "ZhangSan", "name": "张三", "role": "CLERK" }),
    )
    .await;
    assert_eq!(account["login"], "zhangsan");
    assert_eq!(account["roleLabel"], "督查员");
    assert_eq!(account["hasPassword"], false);
    for (input, code, field) in [
        (
            json!({ "login": "zhangsan", "name": "另一个", "role": "CLERK" }),
            "CONFLICT",
            "input.login",
        ),
        (
            json!({ "login": "张", "name": "x", "role": "CLERK" }),
            "VALIDATION",
            "input.login",
        ),
        (
            json!({ "login": "lisi", "name": " ", "role": "CLERK" }),
            "VALIDATION",
            "input.name",
        ),
        (
            json!({ "login": "lisi", "name": "李四", "role": "LIAISON" }),
            "VALIDATION",
            "input.departmentId",
        ),
    ] {
        let body = app
            .graphql_as(ADMIN, CREATE, json!({ "input": input }))
            .await;
        assert_eq!(
            only_error(&body),
            (code.to_owned(), Some(field.to_owned())),
            "{input}: {body}"
        );
    }
    assert_eq!(
        account::Entity::find()
            .count(&t.db)
            .await
            .expect("as the test set it up"),
        1
    );

    // The link sets a password of at least ten characters, once.
    let (status, body) = set_password(&app, &secret, "short").await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (400, json!("password")),
        "{body}"
    );
    assert_eq!(
        set_password(&app, &secret, "督查室的长密码-2026").await.0,
        200
    );
    let (status, body) = set_password(&app, &secret, "another-long-password").await;
    assert_eq!(
        (status, body["error"]["field"].clone()),
        (400, json!("token")),
        "{body}"
    );

    // Sign-in: the cookie's flags; who is signed in.
    let mut clerk = Browser::new(&app);
    assert_eq!(clerk.sign_in("zhangsan", "wrong-password-123").await.0, 401);
    let (status, body, cookie) = clerk.sign_in("ZhangSan", "督查室的长密码-2026").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account"]["name"], "张三");
    let cookie = cookie.expect("Set-Cookie");
    assert!(cookie.starts_with("minsheng_session=mss_"), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "http: no Secure flag: {cookie}");
    let me = clerk.graphql(VIEWER, json!(null)).await;
    assert_eq!(
        me["data"]["viewer"],
        json!({ "role": "ADMINISTRATOR", "managesAccounts": false, "department": null,
                "account": { "login": "zhangsan", "name": "张三", "role": "CLERK", "roleLabel": "督查员" } })
    );
    // A clerk does the office's work but not accounts.
    let body = clerk
        .graphql(
            CREATE,
            json!({ "input": { "login": "wangwu", "name": "王五", "role": "CLERK" } }),
        )
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = clerk.graphql("{ accounts { login } }", json!(null)).await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");

    // A liaison of 市民政局 asks for more time; the clerk approves; the history names both.
    let (liaison, _) = person(
        &app,
        json!({ "login": "lisi", "name": "李四", "role": "LIAISON", "departmentId": civil }),
        "联络员的长密码-2026",
    )
    .await;
    let elderly = item_id(&app, "养老").await;
    // The sample's deadlines are past: the clerk moves this one first (改期, the office's).
    let moved = clerk
        .graphql(
            "mutation($id: ID!) { changeDeadline(itemId: $id, dueOn: \"2099-06-30\", reason: \"领导批示\") { id } }",
            json!({ "id": elderly }),
        )
        .await;
    assert!(moved.get("errors").is_none(), "{moved}");
    let due = first_due_date(&app, &elderly).await;
    let asked = liaison
        .graphql(
            "mutation($input: RequestDeadlineChangeInput!) { requestDeadlineChange(input: $input) { request { id } } }",
            json!({ "input": { "itemId": elderly, "dueDateId": due, "proposedDueOn": "2099-12-31",
                    "reason": "场地调整", "progressNote": "已完成选址" } }),
        )
        .await;
    let request = asked["data"]["requestDeadlineChange"]["request"]["id"].clone();
    assert!(request.is_string(), "{asked}");
    let decided = clerk
        .graphql(
            "mutation($id: ID!) { decideDeadlineChange(requestId: $id, approve: true, note: \"同意\") { request { status } } }",
            json!({ "id": request }),
        )
        .await;
    assert_eq!(
        decided["data"]["decideDeadlineChange"]["request"]["status"], "APPROVED",
        "{decided}"
    );
    let history = clerk
        .graphql(
            "query($id: ID!) { node(id: $id) { ... on Item { history { action actor actorName actorRole } } } }",
            json!({ "id": elderly }),
        )
        .await;
    let events = history["data"]["node"]["history"]
        .as_array()
        .expect("history")
        .clone();
    let by = |action: &str| {
        events
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("{action} in {events:?}"))
            .clone()
    };
    let decision = by("item.decide_deadline_change");
    assert_eq!(
        (decision["actorName"].clone(), decision["actorRole"].clone()),
        (json!("张三"), json!("CLERK"))
    );
    assert!(
        decision["actor"]
            .as_str()
            .expect("as the test set it up")
            .starts_with("account:")
    );
    assert_eq!(by("item.change_deadline")["actorName"], "张三");
    let request = by("item.request_deadline_change");
    assert_eq!(
        (request["actorName"].clone(), request["actorRole"].clone()),
        (json!("李四"), json!("LIAISON"))
    );
    // The break-glass token is named as such.
    let created = clerk
        .graphql(
            "{ auditEvents(filter: { action: \"account.create\" }, first: 5) { edges { node { actor actorName actorRole } } } }",
            json!(null),
        )
        .await;
    assert_eq!(
        created["data"]["auditEvents"]["edges"][0]["node"],
        json!({ "actor": "admin", "actorName": "应急令牌", "actorRole": null }),
        "{created}"
    );
}

async fn a_leader_reads_and_decides_nothing_and_a_liaison_sees_her_department(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let civil = department_id(&app, "市民政局").await;
    let transport = department_id(&app, "市交通运输局").await;
    let (leader, _) = person(
        &app,
        json!({ "login": "leader", "name": "王主任", "role": "LEADER" }),
        "领导的长密码-2026-x",
    )
    .await;
    let (liaison, _) = person(
        &app,
        json!({ "login": "lisi", "name": "李四", "role": "LIAISON", "departmentId": civil }),
        "联络员的长密码-2026",
    )
    .await;
    let elderly = item_id(&app, "养老").await;
    let buses = item_id(&app, "公共交通").await;

    // The leader reads the office's reports and anyone's contacts…
    let body = leader
        .graphql(
            "{ viewer { role } departmentScores { department { name } } }",
            json!(null),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["viewer"]["role"], "LEADER");
    let contacts = "query($id: ID!) { department(id: $id) { contacts { email } } }";
    let body = leader.graphql(contacts, json!({ "id": transport })).await;
    assert!(body.get("errors").is_none(), "{body}");
    // …and decides nothing.
    for (query, vars) in [
        (
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { status } }",
            json!({ "id": elderly }),
        ),
        (
            "mutation { createDepartment(name: \"市新部门\") { id } }",
            json!(null),
        ),
        (
            "mutation($id: ID!) { reportProgress(itemId: $id, note: \"进展\", percent: 10) { progress { id } } }",
            json!({ "id": elderly }),
        ),
    ] {
        let body = leader.graphql(query, vars).await;
        assert_eq!(only_error(&body).0, "FORBIDDEN", "{query}: {body}");
    }

    // The liaison acts for 市民政局 only.
    let me = liaison.graphql(VIEWER, json!(null)).await;
    assert_eq!(me["data"]["viewer"]["role"], "DEPARTMENT");
    assert_eq!(me["data"]["viewer"]["department"]["name"], "市民政局");
    let body = liaison.graphql(contacts, json!({ "id": civil })).await;
    assert!(body.get("errors").is_none(), "{body}");
    let body = liaison.graphql(contacts, json!({ "id": transport })).await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let report = "mutation($id: ID!) { reportProgress(itemId: $id, note: \"进展\", percent: 10) { progress { department { name } } } }";
    let body = liaison.graphql(report, json!({ "id": elderly })).await;
    assert_eq!(
        body["data"]["reportProgress"]["progress"]["department"]["name"], "市民政局",
        "{body}"
    );
    let body = liaison.graphql(report, json!({ "id": buses })).await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
    let body = liaison
        .graphql(
            "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { status } }",
            json!({ "id": elderly }),
        )
        .await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
}

async fn failed_sign_ins_are_throttled_and_say_nothing_about_the_login(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let (_, _) = person(
        &app,
        json!({ "login": "zhangsan", "name": "张三", "role": "CLERK" }),
        "督查室的长密码-2026",
    )
    .await;
    let mut browser = Browser::new(&app);
    // An unknown login and a wrong password get the same answer.
    let (s1, unknown, _) = browser.sign_in("nobody", "wrong-password-1").await;
    let (s2, wrong, _) = browser.sign_in("zhangsan", "wrong-password-1").await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(unknown, wrong);

    // Twenty wrong passwords: the later ones are refused with 429 and Retry-After.
    let mut throttled = 0;
    for _ in 0..20 {
        let origin = browser.own_origin();
        let response = browser
            .post(
                "/auth/sign-in",
                json!({ "login": "zhangsan", "password": "still-wrong-123" }),
                Some(&origin),
            )
            .await;
        if response.status() == 429 {
            let wait: u64 = response.headers()["retry-after"]
                .to_str()
                .expect("as the test set it up")
                .parse()
                .expect("as the test set it up");
            assert!(wait >= 1, "{wait}");
            throttled += 1;
        } else {
            assert_eq!(response.status(), 401);
        }
    }
    assert!(throttled >= 14, "{throttled} of 20 throttled");
    // Even the right password waits now.
    assert_eq!(
        browser.sign_in("zhangsan", "督查室的长密码-2026").await.0,
        429
    );
    // Every failure is audited; only real attempts count towards the throttle.
    let failures = sign_in_failure::Entity::find()
        .count(&t.db)
        .await
        .expect("as the test set it up");
    assert!((6..=8).contains(&failures), "{failures}");
    let audited = audit_event::Entity::find()
        .all(&t.db)
        .await
        .expect("as the test set it up")
        .into_iter()
        .filter(|e| e.action == "account.sign_in_failed")
        .count();
    assert_eq!(
        audited, 23,
        "two, twenty, and the right password while throttled"
    );
}

async fn a_page_on_another_origin_cannot_use_the_session(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let (clerk, _) = person(
        &app,
        json!({ "login": "zhangsan", "name": "张三", "role": "CLERK" }),
        "督查室的长密码-2026",
    )
    .await;
    let elderly = item_id(&app, "养老").await;
    let mutation = json!({ "query": "mutation($id: ID!) { setItemStatus(itemId: $id, status: DONE) { status } }",
                           "variables": { "id": elderly } });
    for (name, value) in [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header(
                "cookie",
                clerk.cookie.as_deref().expect("as the test set it up"),
            )
            .header(name, value)
            .json(&mutation)
            .send()
            .await
            .expect("as the test set it up");
        let body: Value = response.json().await.expect("as the test set it up");
        assert_eq!(only_error(&body).0, "UNAUTHENTICATED", "{name}: {body}");
    }
    let status = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Item { status } } }",
            json!({ "id": elderly }),
        )
        .await;
    assert_ne!(status["node"]["status"], "DONE");
    // Nor sign anyone in or out.
    let response = clerk
        .post(
            "/auth/sign-in",
            json!({ "login": "zhangsan", "password": "督查室的长密码-2026" }),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = clerk
        .post("/auth/sign-out", json!({}), Some("http://evil.example"))
        .await;
    assert_eq!(response.status(), 403);
    // From the api's own origin the same cookie works.
    let body = clerk
        .graphql(
            mutation["query"].as_str().expect("as the test set it up"),
            mutation["variables"].clone(),
        )
        .await;
    assert_eq!(body["data"]["setItemStatus"]["status"], "DONE", "{body}");
}

async fn ending_an_account_closes_its_sessions_and_sockets(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let (clerk, account) = person(
        &app,
        json!({ "login": "zhangsan", "name": "张三", "role": "CLERK" }),
        "督查室的长密码-2026",
    )
    .await;
    // A second browser of the same person.
    let mut phone = Browser::new(&app);
    assert_eq!(
        phone.sign_in("zhangsan", "督查室的长密码-2026").await.0,
        200
    );

    // The WebSocket opened with the session cookie from the api's own page.
    let mut request = format!("ws://{}/graphql/ws", app.address)
        .into_client_request()
        .expect("as the test set it up");
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    headers.insert(
        "cookie",
        HeaderValue::from_str(clerk.cookie.as_deref().expect("as the test set it up"))
            .expect("as the test set it up"),
    );
    headers.insert(
        "origin",
        HeaderValue::from_str(&clerk.own_origin()).expect("as the test set it up"),
    );
    let (mut socket, _) = connect_async(request).await.expect("handshake");
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": {} }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(5))
            .await
            .expect("as the test set it up")["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "{ viewer { account { name } } }" } }),
    )
    .await;
    let answer = next(&mut socket, Duration::from_secs(5))
        .await
        .expect("as the test set it up");
    assert_eq!(
        answer["payload"]["data"]["viewer"]["account"]["name"], "张三",
        "{answer}"
    );
    let _complete = next(&mut socket, Duration::from_secs(5)).await;

    // 退出 on the phone ends that session only.
    let origin = phone.own_origin();
    assert_eq!(
        phone
            .post("/auth/sign-out", json!({}), Some(&origin))
            .await
            .status(),
        204
    );
    let body = phone.graphql(VIEWER, json!(null)).await;
    assert_eq!(body["data"]["viewer"]["account"], Value::Null, "{body}");
    let body = clerk.graphql(VIEWER, json!(null)).await;
    assert_eq!(body["data"]["viewer"]["account"]["name"], "张三", "{body}");

    // Disabled: the socket closes (4403) and the cookie signs nobody in.
    let body = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { disableAccount(id: $id) { disabledAt } }",
            json!({ "id": account["id"] }),
        )
        .await;
    assert!(
        body["data"]["disableAccount"]["disabledAt"].is_string(),
        "{body}"
    );
    let closed = loop {
        match next(&mut socket, Duration::from_secs(5)).await {
            Some(m) if m.get("closed").is_some() => break m,
            Some(_) => continue,
            None => panic!("the socket stayed open"),
        }
    };
    assert_eq!(closed["closed"], 4403, "{closed}");
    let body = clerk.graphql(VIEWER, json!(null)).await;
    assert_eq!(body["data"]["viewer"]["account"], Value::Null, "{body}");
    let (mut again, _) = (Browser::new(&app), ());
    assert_eq!(
        again.sign_in("zhangsan", "督查室的长密码-2026").await.0,
        401
    );
    let _ = socket.next().await;

    // Enabled again, a new role: the person signs in afresh; a role change ends sessions too.
    app.graphql_as(
        ADMIN,
        "mutation($id: ID!) { enableAccount(id: $id) { id } }",
        json!({ "id": account["id"] }),
    )
    .await;
    assert_eq!(
        again.sign_in("zhangsan", "督查室的长密码-2026").await.0,
        200
    );
    let body = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { updateAccount(id: $id, input: { role: LEADER }) { role } }",
            json!({ "id": account["id"] }),
        )
        .await;
    assert_eq!(body["data"]["updateAccount"]["role"], "LEADER", "{body}");
    let body = again.graphql(VIEWER, json!(null)).await;
    assert_eq!(body["data"]["viewer"]["account"], Value::Null, "{body}");
}

async fn passwords_are_stored_nowhere(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    let password = "一个不会出现在任何地方的密码";
    let (_, account) = person(
        &app,
        json!({ "login": "zhangsan", "name": "张三", "role": "CLERK" }),
        password,
    )
    .await;
    Browser::new(&app)
        .sign_in("zhangsan", &format!("{password}!"))
        .await;
    let row = account::Entity::find()
        .one(&t.db)
        .await
        .expect("as the test set it up")
        .expect("as the test set it up");
    let hash = row.password_hash.clone().expect("as the test set it up");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let everything = format!(
        "{:?}{:?}{:?}",
        account::Entity::find()
            .all(&t.db)
            .await
            .expect("as the test set it up"),
        audit_event::Entity::find()
            .all(&t.db)
            .await
            .expect("as the test set it up"),
        sign_in_failure::Entity::find()
            .all(&t.db)
            .await
            .expect("as the test set it up"),
    );
    assert!(
        !everything.contains(password),
        "a password reached the database"
    );
    let body = app
        .graphql_as(ADMIN, "{ accounts { login hasPassword } }", json!(null))
        .await;
    assert_eq!(
        body["data"]["accounts"],
        json!([{ "login": "zhangsan", "hasPassword": true }])
    );
    assert!(!body.to_string().contains("argon2"));
    let _ = account;
}

/// `mailPasswordLink`: queued for the worker to the account's address, refused without one or
/// for a disabled account, administrators only; the link is made by the worker, not here.
async fn an_administrator_has_a_password_link_mailed(t: TestDb) {
    let app = admin_app_with_sample(&t).await;
    const MAIL: &str =
        "mutation($id: ID!) { mailPasswordLink(id: $id) { to requestedAt account { login } } }";
    let (with_email, _) = create(
        &app,
        json!({ "login": "lisi", "name": "李四", "role": "CLERK", "email": "LiSi@Example.gov.cn" }),
    )
    .await;
    let links_before = password_link::Entity::find()
        .count(&t.db)
        .await
        .expect("counts");
    let body = app
        .graphql_as(ADMIN, MAIL, json!({ "id": with_email["id"] }))
        .await;
    let mailed = &body["data"]["mailPasswordLink"];
    assert_eq!(mailed["account"]["login"], "lisi", "{body}");
    assert!(
        mailed["to"]
            .as_str()
            .is_some_and(|to| to.eq_ignore_ascii_case("lisi@example.gov.cn")),
        "{body}"
    );
    assert!(mailed["requestedAt"].is_string(), "{body}");
    let queued = password_mail::Entity::find()
        .all(&t.db)
        .await
        .expect("reads");
    assert_eq!(queued.len(), 1);
    // Asked with the break-glass token: the email names no token to its reader.
    assert_eq!(queued[0].requested_by, None);
    assert_eq!(
        password_link::Entity::find()
            .count(&t.db)
            .await
            .expect("counts"),
        links_before,
        "no link is made until the worker sends it"
    );
    let history = audit_event::Entity::find().all(&t.db).await.expect("reads");
    assert!(
        history
            .iter()
            .any(|e| e.action == "account.password_mail"
                && e.actor_name.as_deref() == Some("应急令牌")),
        "audited"
    );

    let (without, _) = create(
        &app,
        json!({ "login": "wangwu", "name": "王五", "role": "LEADER" }),
    )
    .await;
    let body = app
        .graphql_as(ADMIN, MAIL, json!({ "id": without["id"] }))
        .await;
    assert_eq!(
        only_error(&body),
        ("VALIDATION".to_owned(), Some("id".to_owned())),
        "{body}"
    );
    let disabled = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { disableAccount(id: $id) { id } }",
            json!({ "id": with_email["id"] }),
        )
        .await;
    assert!(disabled["errors"].is_null(), "{disabled}");
    let body = app
        .graphql_as(ADMIN, MAIL, json!({ "id": with_email["id"] }))
        .await;
    assert_eq!(only_error(&body).0, "VALIDATION", "{body}");

    let (clerk, _) = person(
        &app,
        json!({ "login": "zhaoliu", "name": "赵六", "role": "CLERK", "email": "zhao@example.gov.cn" }),
        "赵六的足够长的登录密码",
    )
    .await;
    let body = clerk.graphql(MAIL, json!({ "id": without["id"] })).await;
    assert_eq!(only_error(&body).0, "FORBIDDEN", "{body}");
}

backend_tests!(
    an_administrator_has_a_password_link_mailed,
    a_clerk_signs_in_and_decides_and_the_history_names_her,
    a_leader_reads_and_decides_nothing_and_a_liaison_sees_her_department,
    failed_sign_ins_are_throttled_and_say_nothing_about_the_login,
    a_page_on_another_origin_cannot_use_the_session,
    ending_an_account_closes_its_sessions_and_sockets,
    passwords_are_stored_nowhere,
);
