//! Single sign-on against a real OpenID Provider (npm's certified `oidc-provider`, started by
//! each test from `scripts/clients/oidc-provider.mjs`), on both engines. The test plays the
//! browser: it follows every redirect between the api and the provider, keeping each side's
//! cookies, as a browser would.
//!
//! - A person whose verified email one account carries signs in the first time; the account
//!   keeps the provider's `sub`, and later sign-ins go by `sub` alone.
//! - No account means no access (and none is made); an unverified email matches nothing; a
//!   disabled account is refused.
//! - A callback works once, only in the browser that began the flow; a provider's refusal
//!   brings the person back to the 登录 page with a reason.

use std::collections::{BTreeMap, HashMap};

use crate::support::{ADMIN_TOKEN, TestApp, settings_with};
use entity::{account, audit_event};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use test_support::{TestDb, backend_tests};
use tokio::io::AsyncBufReadExt;

const ADMIN: Option<&str> = Some(ADMIN_TOKEN);

/// A running `oidc-provider`, stopped when dropped.
struct Provider {
    issuer: String,
    client_secret: String,
    _process: tokio::process::Child,
}

impl Provider {
    /// Starts the provider with these people; `None` (skipped) where node or the package is
    /// missing and CI does not require them.
    async fn start(people: Value) -> Option<Self> {
        let dir = crate::support::client_packages("oidc-provider", "oidc-provider.mjs")?;
        // Started again when it has not said where it listens within 30 s: once in a few
        // hundred starts on a loaded machine node printed nothing; what it wrote to standard
        // error is kept for the failure message.
        let mut why = String::new();
        for _ in 0..3 {
            let mut process = tokio::process::Command::new("node")
                .arg("oidc-provider.mjs")
                .current_dir(&dir)
                .env("OIDC_PEOPLE", people.to_string())
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .kill_on_drop(true)
                .spawn()
                .expect("node starts");
            let stdout = process.stdout.take().expect("piped");
            let mut stderr = process.stderr.take().expect("piped");
            let errors = tokio::spawn(async move {
                let mut text = String::new();
                let _ = tokio::io::AsyncReadExt::read_to_string(&mut stderr, &mut text).await;
                text
            });
            let mut lines = tokio::io::BufReader::new(stdout).lines();
            let line =
                match tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
                    .await
                {
                    Ok(Ok(Some(line))) => line,
                    other => {
                        let _ = process.kill().await;
                        let stderr = errors.await.unwrap_or_default();
                        why = format!("{other:?}; standard error: {stderr}");
                        continue;
                    }
                };
            let started: Value = serde_json::from_str(&line).expect("one line of JSON");
            // Whatever it writes later is read and dropped: a closed pipe would stop it.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return Some(Self {
                issuer: started["issuer"].as_str().expect("issuer").to_owned(),
                client_secret: started["clientSecret"].as_str().expect("secret").to_owned(),
                _process: process,
            });
        }
        panic!("the OpenID provider did not start in three tries: {why}");
    }

    /// Says who logs in next at the provider.
    async fn next_login(&self, sub: &str) {
        let status = reqwest::Client::new()
            .post(format!("{}/test/next", self.issuer))
            .json(&json!({ "sub": sub }))
            .send()
            .await
            .expect("the provider answers")
            .status();
        assert_eq!(status.as_u16(), 204);
    }
}

/// A browser: cookies per host (enough for two local servers), redirects followed by hand.
struct Browser {
    client: reqwest::Client,
    cookies: HashMap<String, BTreeMap<String, String>>,
}

/// Where a walk of redirects stopped.
#[derive(Debug)]
struct Landing {
    /// The last URL asked for.
    url: reqwest::Url,
    /// Where it redirects (absolute), if it does.
    location: Option<reqwest::Url>,
    status: u16,
}

impl Browser {
    fn new() -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("a client"),
            cookies: HashMap::new(),
        }
    }

    fn host(url: &reqwest::Url) -> String {
        format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port().unwrap_or(80)
        )
    }

    async fn get(&mut self, url: &reqwest::Url) -> reqwest::Response {
        let jar = self.cookies.entry(Self::host(url)).or_default();
        let mut request = self.client.get(url.clone());
        if !jar.is_empty() {
            let header: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            request = request.header("cookie", header.join("; "));
        }
        let response = request.send().await.expect("the server answers");
        for set in response.headers().get_all("set-cookie") {
            let set = set.to_str().expect("ASCII");
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').expect("name=value");
            let attributes = attributes.to_ascii_lowercase();
            if value.is_empty() || attributes.contains("max-age=0") || attributes.contains("1970") {
                jar.remove(name.trim());
            } else {
                jar.insert(name.trim().to_owned(), value.to_owned());
            }
        }
        response
    }

    /// Follows redirects from `url` until a page (not a redirect) or until `stop` says so of
    /// the next location.
    async fn walk(&mut self, url: &str, stop: impl Fn(&reqwest::Url) -> bool) -> Landing {
        let mut url = reqwest::Url::parse(url).expect("a URL");
        for _ in 0..20 {
            let response = self.get(&url).await;
            let status = response.status().as_u16();
            let location = response
                .headers()
                .get("location")
                .map(|l| url.join(l.to_str().expect("ASCII")).expect("a URL"));
            match location {
                Some(next) if (300..400).contains(&status) && !stop(&next) => url = next,
                location => {
                    if location.is_none() {
                        let body = response.text().await.unwrap_or_default();
                        assert!(status < 400, "{url} answered {status}: {body}");
                    }
                    return Landing {
                        url,
                        location,
                        status,
                    };
                }
            }
        }
        panic!("more than 20 redirects from {url}");
    }

    fn session(&self, app: &TestApp) -> Option<&String> {
        self.cookies
            .get(&format!("127.0.0.1:{}", app.address.port()))
            .and_then(|jar| jar.get("minsheng_session"))
    }
}

/// The api's own page a walk ends on (`/#/desk`, `/#/sign-in?sso=…`): its fragment.
fn fragment_on_app(app: &TestApp) -> impl Fn(&reqwest::Url) -> bool {
    let port = app.address.port();
    move |u: &reqwest::Url| u.port() == Some(port) && u.path() == "/"
}

async fn app_with(t: &TestDb, provider: &Provider) -> TestApp {
    TestApp::start_with(&settings_with(
        &t.url,
        &[
            ("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN),
            ("MINSHENG_OIDC_ISSUER", &provider.issuer),
            ("MINSHENG_OIDC_CLIENT_ID", "minsheng"),
            ("MINSHENG_OIDC_CLIENT_SECRET", &provider.client_secret),
        ],
    ))
    .await
}

/// Signs `sub` in through the provider from the 登录 page's button; the fragment of the api's
/// page the browser lands on.
async fn sign_in_as(
    app: &TestApp,
    provider: &Provider,
    browser: &mut Browser,
    sub: &str,
) -> String {
    provider.next_login(sub).await;
    let landing = browser
        .walk(&app.url("/auth/oidc/start"), fragment_on_app(app))
        .await;
    let location = landing.location.expect("back at the api's pages");
    location.fragment().unwrap_or("").to_owned()
}

async fn create_account(app: &TestApp, login: &str, email: &str) -> Value {
    let body = app
        .graphql_as(
            ADMIN,
            "mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } } }",
            json!({ "input": { "login": login, "name": login, "role": "CLERK", "email": email } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["createAccount"]["account"]["id"].clone()
}

async fn viewer_login(app: &TestApp, browser: &Browser) -> Value {
    let session = browser.session(app).expect("a session cookie");
    let body: Value = app
        .client
        .post(app.url("/graphql"))
        .header("cookie", format!("minsheng_session={session}"))
        .header("origin", format!("http://{}", app.address))
        .json(&json!({ "query": "{ viewer { account { login role } } }" }))
        .send()
        .await
        .expect("the api answers")
        .json()
        .await
        .expect("JSON");
    body["data"]["viewer"]["account"]["login"].clone()
}

fn people() -> Value {
    json!({
        "u-li": { "email": "li@example.gov.cn", "email_verified": true, "name": "李四" },
        "u-wang": { "email": "wang@example.gov.cn", "email_verified": true, "name": "王五" },
        "u-zhao": { "email": "zhao@example.gov.cn", "email_verified": false, "name": "赵六" },
    })
}

async fn a_person_signs_in_by_verified_email_once_then_by_subject(t: TestDb) {
    let Some(provider) = Provider::start(people()).await else {
        return;
    };
    let app = app_with(&t, &provider).await;
    let methods: Value = app
        .client
        .get(app.url("/auth/methods"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(methods["singleSignOn"], true, "{methods}");
    // The address as the office typed it: the match ignores case.
    let li = create_account(&app, "lisi", "Li@Example.gov.cn").await;
    create_account(&app, "zhaoliu", "zhao@example.gov.cn").await;

    let mut browser = Browser::new();
    assert_eq!(
        sign_in_as(&app, &provider, &mut browser, "u-li").await,
        "/desk"
    );
    assert_eq!(viewer_login(&app, &browser).await, "lisi");
    let row = account::Entity::find()
        .filter(account::Column::Login.eq("lisi"))
        .one(&t.db)
        .await
        .expect("reads")
        .expect("the account");
    assert_eq!(row.oidc_subject.as_deref(), Some("u-li"));
    let actions: Vec<(String, Value)> = audit_event::Entity::find()
        .filter(audit_event::Column::EntityType.eq("account"))
        .filter(audit_event::Column::EntityId.eq(row.id))
        .all(&t.db)
        .await
        .expect("reads")
        .into_iter()
        .map(|e| (e.action, e.payload))
        .collect();
    assert!(
        actions.iter().any(|(a, _)| a == "account.link_provider"),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|(a, p)| a == "account.sign_in" && p["method"] == "oidc"),
        "{actions:?}"
    );

    // Later the account is found by `sub`, whatever its email says now.
    let changed = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { updateAccount(id: $id, input: { email: \"lisi-new@example.gov.cn\" }) { id } }",
            json!({ "id": li }),
        )
        .await;
    assert!(changed["errors"].is_null(), "{changed}");
    let mut again = Browser::new();
    assert_eq!(
        sign_in_as(&app, &provider, &mut again, "u-li").await,
        "/desk"
    );
    assert_eq!(viewer_login(&app, &again).await, "lisi");

    // No account here: no access, and none is made.
    let before = account::Entity::find().count(&t.db).await.expect("counts");
    let mut stranger = Browser::new();
    assert_eq!(
        sign_in_as(&app, &provider, &mut stranger, "u-wang").await,
        "/sign-in?sso=no-account"
    );
    assert!(stranger.session(&app).is_none());
    assert_eq!(
        account::Entity::find().count(&t.db).await.expect("counts"),
        before
    );
    // An address the provider has not verified matches nobody.
    let mut unverified = Browser::new();
    assert_eq!(
        sign_in_as(&app, &provider, &mut unverified, "u-zhao").await,
        "/sign-in?sso=no-account"
    );
    let zhao = account::Entity::find()
        .filter(account::Column::Login.eq("zhaoliu"))
        .one(&t.db)
        .await
        .expect("reads")
        .expect("the account");
    assert_eq!(zhao.oidc_subject, None);

    // A disabled account is refused.
    let disabled = app
        .graphql_as(
            ADMIN,
            "mutation($id: ID!) { disableAccount(id: $id) { id } }",
            json!({ "id": li }),
        )
        .await;
    assert!(disabled["errors"].is_null(), "{disabled}");
    let mut later = Browser::new();
    assert_eq!(
        sign_in_as(&app, &provider, &mut later, "u-li").await,
        "/sign-in?sso=disabled"
    );
    assert!(later.session(&app).is_none());
}

async fn a_callback_works_once_and_only_in_the_browser_that_began_it(t: TestDb) {
    let Some(provider) = Provider::start(people()).await else {
        return;
    };
    let app = app_with(&t, &provider).await;
    create_account(&app, "lisi", "li@example.gov.cn").await;
    let port = app.address.port();
    let at_callback =
        move |u: &reqwest::Url| u.port() == Some(port) && u.path() == "/auth/oidc/callback";

    // The person's browser goes to the provider and is sent back with a code…
    let mut own = Browser::new();
    provider.next_login("u-li").await;
    let landing = own.walk(&app.url("/auth/oidc/start"), at_callback).await;
    let callback = landing.location.expect("sent back with a code");
    assert!(
        callback.query_pairs().any(|(k, _)| k == "code"),
        "{callback}"
    );

    // …and that address, opened in another browser (one without the flow's cookie), signs
    // nobody in; nor does it use the flow up.
    let mut other = Browser::new();
    let elsewhere = other.walk(callback.as_str(), fragment_on_app(&app)).await;
    assert_eq!(
        elsewhere
            .location
            .and_then(|l| l.fragment().map(str::to_owned)),
        Some("/sign-in?sso=failed".to_owned())
    );
    assert!(other.session(&app).is_none());

    let state_cookie = own
        .cookies
        .get(&format!("127.0.0.1:{port}"))
        .and_then(|jar| jar.get("minsheng_sso_state"))
        .cloned()
        .expect("the flow's cookie");
    let done = own.walk(callback.as_str(), fragment_on_app(&app)).await;
    assert_eq!(
        done.location.and_then(|l| l.fragment().map(str::to_owned)),
        Some("/desk".to_owned()),
        "{:?}",
        done.url
    );
    assert_eq!(viewer_login(&app, &own).await, "lisi");

    // The same callback again, even with the flow's cookie put back: used.
    let mut replay = Browser::new();
    replay
        .cookies
        .entry(format!("127.0.0.1:{port}"))
        .or_default()
        .insert("minsheng_sso_state".into(), state_cookie);
    let replayed = replay.walk(callback.as_str(), fragment_on_app(&app)).await;
    assert_eq!(
        replayed
            .location
            .and_then(|l| l.fragment().map(str::to_owned)),
        Some("/sign-in?sso=failed".to_owned())
    );
    assert!(replay.session(&app).is_none());

    // The person turns back at the provider: the 登录 page says so.
    let mut turned_back = Browser::new();
    let start = turned_back
        .walk(&app.url("/auth/oidc/start"), |_| true)
        .await;
    assert_eq!(start.status, 303);
    let state = start
        .location
        .expect("to the provider")
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state");
    let back = turned_back
        .walk(
            &app.url(&format!(
                "/auth/oidc/callback?error=access_denied&state={state}"
            )),
            fragment_on_app(&app),
        )
        .await;
    assert_eq!(
        back.location.and_then(|l| l.fragment().map(str::to_owned)),
        Some("/sign-in?sso=cancelled".to_owned())
    );
}

backend_tests!(
    a_person_signs_in_by_verified_email_once_then_by_subject,
    a_callback_works_once_and_only_in_the_browser_that_began_it,
);

#[tokio::test]
async fn without_a_provider_there_is_no_single_sign_on() {
    let t = TestDb::sqlite().await;
    let app = TestApp::start(&t).await;
    let methods: Value = app
        .client
        .get(app.url("/auth/methods"))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("JSON");
    assert_eq!(methods, json!({ "password": true, "singleSignOn": false }));
    assert_eq!(app.status("/auth/oidc/start").await, 404);
}
