//! Starts the api on port 0 against a test database and calls it as a client would.

pub mod ws;

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::AtomicU64},
};

use api::Application;
use domain::Settings;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use test_support::TestDb;

/// The folder of the client packages (`scripts/clients`) when `package` is installed there and
/// node runs; else `None`, the test having said it skipped `what`, unless
/// `MINSHENG_REQUIRE_CLIENT_CHECKS=1` (CI sets it) makes that a failure.
pub fn client_packages(package: &str, what: &str) -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/clients");
    let why = if !dir.join("node_modules").join(package).is_dir() {
        format!(
            "the client packages are not installed (npm ci --prefix {})",
            dir.display()
        )
    } else {
        match std::process::Command::new("node").arg("--version").output() {
            Ok(out) if out.status.success() => return Some(dir),
            _ => "node is not installed".to_owned(),
        }
    };
    assert!(
        std::env::var("MINSHENG_REQUIRE_CLIENT_CHECKS").as_deref() != Ok("1"),
        "MINSHENG_REQUIRE_CLIENT_CHECKS=1 but {why}"
    );
    test_support::skipped(format_args!("{what}: {why}"));
    None
}

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Settings as a deployment would give them, pointing at `url` and an OS-chosen port.
pub fn settings_for(url: &str) -> Settings {
    settings_with(url, &[])
}

/// As [`settings_for`], with more environment variables set.
pub fn settings_with(url: &str, env: &[(&str, &str)]) -> Settings {
    let url = url.to_owned();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::load_from(&|key| match key {
        "DATABASE_URL" => Some(url.clone()),
        "MINSHENG_BIND" => Some("127.0.0.1:0".to_owned()),
        _ => env.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()),
    })
    .expect("test settings")
}

/// The administrator's token in tests that need one.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

impl TestApp {
    /// Builds the app the way `main` does (open + migrate per policy) and serves it.
    pub async fn start(t: &TestDb) -> Self {
        let app = Application::build(&settings_for(&t.url), api::StartOptions::default())
            .await
            .expect("api starts");
        Self::serve(app)
    }

    /// Serves with the given connection, so a test can break it underneath the app.
    pub async fn start_with_db(t: &TestDb, db: DatabaseConnection) -> Self {
        let app = Application::build_with_db(&settings_for(&t.url), db)
            .await
            .expect("api starts");
        Self::serve(app)
    }

    /// Builds the app with `settings` (migrating as `main` does) and serves it.
    pub async fn start_with(settings: &Settings) -> Self {
        let app = Application::build(settings, api::StartOptions::default())
            .await
            .expect("api starts");
        Self::serve(app)
    }

    /// Serves with a counter of every SQL statement the api's pools run.
    pub async fn start_counting(t: &TestDb) -> (Self, Arc<AtomicU64>) {
        Self::start_counting_with(&settings_for(&t.url)).await
    }

    /// [`TestApp::start_counting`] with `settings`.
    pub async fn start_counting_with(settings: &Settings) -> (Self, Arc<AtomicU64>) {
        let app = Application::build(settings, api::StartOptions::default())
            .await
            .expect("api starts");
        let statements = app.statements();
        (Self::serve(app), statements)
    }

    pub fn serve(app: Application) -> Self {
        let address = app.address();
        assert_ne!(address.port(), 0, "port 0 resolves to a real port");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        Self {
            address,
            client: reqwest::Client::new(),
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The status of `GET path`.
    pub async fn status(&self, path: &str) -> u16 {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .status()
            .as_u16()
    }

    /// POSTs a query and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// POSTs a query with `Authorization: Bearer token` when a token is given.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self.client.post(self.url("/graphql"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request reaches the api");
        assert_eq!(
            response.status(),
            200,
            "GraphQL answers 200 even with errors"
        );
        response.json().await.expect("JSON body")
    }

    /// POSTs a query that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }
}

/// The `extensions.code` and `extensions.field` of the only error in a response.
pub fn only_error(body: &Value) -> (String, Option<String>) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("expected errors: {body}"));
    assert_eq!(errors.len(), 1, "{body}");
    let ext = &errors[0]["extensions"];
    (
        ext["code"].as_str().unwrap_or_default().to_owned(),
        ext["field"].as_str().map(str::to_owned),
    )
}

/// The api with `MINSHENG_ADMIN_TOKEN` set to [`ADMIN_TOKEN`].
pub async fn admin_app(t: &TestDb) -> TestApp {
    TestApp::start_with(&settings_with(
        &t.url,
        &[("MINSHENG_ADMIN_TOKEN", ADMIN_TOKEN)],
    ))
    .await
}

/// Imports the project's sample list (`examples/sample-list.txt`) into the test database.
pub async fn import_sample(t: &TestDb) {
    let parsed = domain::listdoc::parse(api::sample::SAMPLE_LIST, &Default::default());
    domain::store::list_import::import(
        &t.db,
        api::sample::SAMPLE_LIST,
        &parsed,
        &domain::store::list_import::ImportOptions {
            issuer: None,
            actor: domain::store::audit::Actor::system("test"),
            now: chrono::Utc::now(),
        },
    )
    .await
    .expect("import the sample");
}

/// [`admin_app`] over a database holding the sample list.
pub async fn admin_app_with_sample(t: &TestDb) -> TestApp {
    let app = admin_app(t).await;
    import_sample(t).await;
    app
}

/// Imports `text` through the graph as the administrator; the new list's global ID.
pub async fn import_text(app: &TestApp, text: &str) -> Value {
    let body = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($text: String!) { importList(input: { text: $text }) { listId } }",
            json!({ "text": text }),
        )
        .await;
    let list_id = body["data"]["importList"]["listId"].clone();
    assert!(list_id.is_string(), "{body}");
    list_id
}

/// The global ID of the department called exactly `name`, asked through the graph.
pub async fn department_id(app: &TestApp, name: &str) -> Value {
    let data = app
        .data(
            "query($s: String!) { departments(filter: { search: $s }, first: 20) { edges { node { id name } } } }",
            json!({ "s": name }),
        )
        .await;
    data["departments"]["edges"]
        .as_array()
        .and_then(|edges| edges.iter().find(|e| e["node"]["name"] == name))
        .map(|e| e["node"]["id"].clone())
        .unwrap_or_else(|| panic!("no department {name}: {data}"))
}

/// How many rows table `E` holds in the test database.
pub async fn rows<E: EntityTrait>(t: &TestDb) -> u64
where
    E::Model: Sync,
{
    E::find().count(&t.db).await.expect("count")
}

/// Issues a department token through the graph: its secret and its global ID.
pub async fn issue_token(app: &TestApp, department: &Value) -> (String, Value) {
    let body = app
        .graphql_as(
            Some(ADMIN_TOKEN),
            "mutation($id: ID!) { issueDepartmentToken(departmentId: $id) { token departmentToken { id } } }",
            json!({ "id": department }),
        )
        .await;
    let issued = &body["data"]["issueDepartmentToken"];
    let secret = issued["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token issued: {body}"))
        .to_owned();
    (secret, issued["departmentToken"]["id"].clone())
}

/// The global ID of the first item whose title contains `search`.
pub async fn item_id(app: &TestApp, search: &str) -> Value {
    let data = app
        .data(
            "query($s: String!) { items(filter: { search: $s }) { edges { node { id } } } }",
            json!({ "s": search }),
        )
        .await;
    data["items"]["edges"][0]["node"]["id"].clone()
}
