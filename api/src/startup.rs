//! Builds the application from settings: database, schema, router, listener.

use std::{future::Future, net::SocketAddr};

use axum::{Router, extract::DefaultBodyLimit, routing::get};
use domain::{
    Settings,
    db::{self, MigrationPolicy},
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{graphql, routes};

/// Largest request body accepted (a list text for import fits well within it).
const BODY_LIMIT_BYTES: usize = 1024 * 1024;

/// What the api shares with its handlers.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: graphql::AppSchema,
}

/// A bound, not yet serving, api.
pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
}

impl Application {
    /// Opens the database (migrating per `policy`) and binds `settings.bind` (port 0 picks one).
    pub async fn build(settings: &Settings, migrate_flag: bool) -> anyhow::Result<Self> {
        let policy = MigrationPolicy::for_engine(settings.database_url.engine(), migrate_flag);
        let db = db::open(&settings.database_url, policy).await?;
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
    Router::new()
        .route(
            "/graphql",
            get(routes::graphiql::page).post(routes::graphql::execute),
        )
        .route("/graphiql/assets/{file}", get(routes::graphiql::asset))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state)
}
