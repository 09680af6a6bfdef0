//! Starts the api on port 0 against a test database and calls it as a client would.

use std::net::SocketAddr;

use api::Application;
use domain::Settings;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use test_support::TestDb;

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Settings as a deployment would give them, pointing at `url` and an OS-chosen port.
pub fn settings_for(url: &str) -> Settings {
    let url = url.to_owned();
    Settings::load_from(&|key| match key {
        "DATABASE_URL" => Some(url.clone()),
        "MINSHENG_BIND" => Some("127.0.0.1:0".to_owned()),
        _ => None,
    })
    .expect("test settings")
}

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
        let response = self
            .client
            .post(self.url("/graphql"))
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
