//! Builds the application from settings: database, schema, router, listener.

use std::{future::Future, net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::DefaultBodyLimit,
    routing::{get, post},
};
use chrono::Utc;
use domain::{
    Settings,
    config::Engine,
    db::{self, MigrationPolicy},
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{graphql, routes, sample};

/// What the api shares with its handlers.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: graphql::AppSchema,
    pub settings: Arc<Settings>,
}

/// How `serve` was asked to start.
#[derive(Clone, Copy, Debug, Default)]
pub struct StartOptions {
    /// `--migrate`: apply pending migrations even on PostgreSQL.
    pub migrate: bool,
    /// Import the sample list into an empty embedded database (a newcomer's first run).
    pub seed_sample: bool,
}

impl StartOptions {
    /// The sample is seeded only on the default embedded database, never on a configured one.
    pub fn for_settings(settings: &Settings, migrate: bool) -> Self {
        Self {
            migrate,
            seed_sample: settings.database_url.expose() == migration::DEFAULT_DATABASE_URL,
        }
    }
}

/// A bound, not yet serving, api.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
}

impl Application {
    /// Opens the database (migrating as the engine and `options` say), seeds the sample list
    /// where asked, and binds `settings.bind` (port 0 picks one).
    pub async fn build(settings: &Settings, options: StartOptions) -> anyhow::Result<Self> {
        let engine = settings.database_url.engine();
        let policy = MigrationPolicy::for_engine(engine, options.migrate);
        let db = db::open(&settings.database_url, policy).await?;
        if options.seed_sample
            && engine == Engine::Sqlite
            && let Some(report) = sample::seed_if_empty(&db, Utc::now()).await?
        {
            tracing::info!(
                list_id = report.list_id,
                items = report.items_added.len(),
                "the database was empty: imported the sample list (examples/sample-list.txt) to explore"
            );
        }
        Self::build_with_db(settings, db).await
    }

    /// Binds with an already open, migrated database.
    pub async fn build_with_db(
        settings: &Settings,
        db: DatabaseConnection,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.bind).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {} (MINSHENG_BIND): {e}", settings.bind)
        })?;
        let address = listener.local_addr()?;
        let state = AppState {
            schema: graphql::build_schema(db.clone(), settings),
            db,
            settings: Arc::new(settings.clone()),
        };
        Ok(Self {
            listener,
            router: router(state),
            address,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The bound port: the one the OS picked when `bind` asked for port 0.
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn router(state: AppState) -> Router {
    let graph = &state.settings.graph;
    let body_limit = graph.body_limit_bytes;
    let graphql = if graph.graphiql {
        get(routes::graphiql::page).post(routes::graphql::execute)
    } else {
        post(routes::graphql::execute)
    };
    let mut router = Router::new()
        .route("/graphql", graphql)
        .route("/graphql/ws", get(routes::subscriptions::upgrade))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz));
    if graph.graphiql {
        router = router.route("/graphiql/assets/{file}", get(routes::graphiql::asset));
    }
    router
        // async-graphql-axum reads the body as a stream, past axum's DefaultBodyLimit (which
        // only bounds axum's own extractors): the limit must wrap the body itself.
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state)
}
