//! Builds the application from settings: database, schema, router, listener.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::{HeaderName, HeaderValue, Method, header},
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
};
use chrono::Utc;
use domain::{
    Settings,
    config::{CorsOrigins, Engine},
    db,
    metrics::Metrics,
};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::{
    compression::{
        CompressionLayer,
        predicate::{NotForContentType, Predicate, SizeAbove},
    },
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
};

use crate::{
    graphql::{
        self, budget,
        documents::{Documents, Trusted},
        limits::DocumentLimits,
    },
    metrics::ApiMetrics,
    routes,
    routes::subscriptions::SocketCounts,
    sample,
    server::{self, ConnectionLimits},
};

/// Responses smaller than this go out uncompressed: compressing them saves less than it costs.
const COMPRESS_ABOVE_BYTES: u16 = 1024;

/// How long a browser may reuse a CORS preflight answer.
const PREFLIGHT_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(600);

/// What the api shares with its handlers.
#[derive(Clone)]
pub struct AppState {
    /// For callers with a token, and the api's own work (readiness, notices).
    pub db: DatabaseConnection,
    /// For anonymous requests: a pool of its own, so that a flood of them cannot take the
    /// connections of the administrator and the departments.
    pub anonymous_db: DatabaseConnection,
    /// Statements run by either pool since start.
    pub statements: Arc<AtomicU64>,
    /// WebSockets open now, in all and per client address.
    pub sockets: Arc<SocketCounts>,
    pub schema: graphql::AppSchema,
    pub settings: Arc<Settings>,
    pub documents: Arc<Documents>,
    pub parsed: Arc<crate::graphql::parsed::ParsedDocuments>,
    pub limits: DocumentLimits,
    /// `None` when `MINSHENG_METRICS` is off.
    pub metrics: Option<Arc<ApiMetrics>>,
    /// 台账 exports running now (`MINSHENG_EXPORT_MAX_CONCURRENT`): each reads a whole list
    /// over several connections, and five at once took the pool from everyone else.
    pub exports: Arc<tokio::sync::Semaphore>,
    /// The OpenID provider people may sign in through; `None` without `MINSHENG_OIDC_ISSUER`.
    pub single_sign_on: Option<Arc<crate::single_sign_on::Provider>>,
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
    statements: Arc<AtomicU64>,
    limits: ConnectionLimits,
    /// `/metrics` on an address of its own (`MINSHENG_METRICS_BIND`).
    metrics: Option<(TcpListener, Router)>,
}

impl Application {
    /// Opens the database (migrating as the engine and `options` say), seeds the sample list
    /// where asked, and binds `settings.bind` (port 0 picks one).
    pub async fn build(settings: &Settings, options: StartOptions) -> anyhow::Result<Self> {
        let engine = settings.database_url.engine();
        let db = db::open_configured(
            settings,
            options.migrate,
            db::PoolOptions::main(&settings.pool),
        )
        .await?;
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
        match domain::store::account::has_administrator(&db).await {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                "no administrator account yet: make one with `api account add --name 张三 --login zhangsan --role admin` and open the link it prints to set the password"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "could not tell whether an administrator account exists")
            }
        }
        let anonymous = db::connect_with(
            &settings.database_url,
            db::PoolOptions::anonymous(&settings.pool),
        )
        .await?;
        Self::build_with_pools(settings, db, Some(anonymous)).await
    }

    /// Binds with an already open, migrated database, one pool for every caller.
    pub async fn build_with_db(
        settings: &Settings,
        db: DatabaseConnection,
    ) -> anyhow::Result<Self> {
        Self::build_with_pools(settings, db, None).await
    }

    /// `anonymous`: the pool for anonymous requests; `None`, the same as everyone's.
    async fn build_with_pools(
        settings: &Settings,
        mut db: DatabaseConnection,
        anonymous: Option<DatabaseConnection>,
    ) -> anyhow::Result<Self> {
        // A malformed names file stops the start, as any bad setting does.
        let department_names = domain::department::suggestions::NameForms::configured(settings)
            .map_err(anyhow::Error::msg)?;
        let mut pools = vec![("main", db.clone())];
        if let Some(anonymous) = &anonymous {
            pools.push(("anonymous", anonymous.clone()));
        }
        let mut anonymous_db = anonymous.unwrap_or_else(|| db.clone());
        let statements = Arc::new(AtomicU64::new(0));
        for pool in [&mut db, &mut anonymous_db] {
            let counter = statements.clone();
            pool.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
                budget::spend();
            });
        }
        let listener = TcpListener::bind(settings.bind).await.map_err(|e| {
            anyhow::anyhow!("cannot listen on {} (MINSHENG_BIND): {e}", settings.bind)
        })?;
        let address = listener.local_addr()?;
        let graph = &settings.graph;
        let mut trusted = graph
            .trusted_documents
            .as_deref()
            .map(Trusted::load)
            .transpose()?;
        let pages = Trusted::parse(routes::web::DOCUMENTS)
            .map_err(|e| anyhow::anyhow!("the pages' documents.json: {e}"))?;
        // The operations counted by name on /metrics; any other name is `(other)`.
        let mut known_operations = pages.operation_names();
        if let Some(trusted) = &trusted {
            known_operations.extend(trusted.operation_names());
        }
        if let (Some(trusted), true) = (&mut trusted, graph.web) {
            trusted.extend(pages);
        }
        if let Some(path) = &graph.trusted_documents {
            tracing::info!(file = %path.display(), "only trusted documents run for callers without the administrator's token");
        }
        if graph.cors_origins == CorsOrigins::Any {
            tracing::warn!(
                "MINSHENG_CORS_ORIGINS is *: pages of any origin may call the api from a browser; list the front ends' origins instead"
            );
        }
        let schema = graphql::build_schema(db.clone(), settings, department_names);
        known_operations.extend(crate::metrics::root_operation_names(&schema.sdl()));
        let registry = settings.metrics.enabled.then(Metrics::default);
        let api_metrics = registry.as_ref().map(|registry| {
            registry.watch_pools(pools);
            ApiMetrics::register(registry, known_operations)
        });
        let metrics = match (&registry, settings.metrics.bind) {
            (Some(registry), Some(bind)) => {
                let listener = TcpListener::bind(bind).await.map_err(|e| {
                    anyhow::anyhow!("cannot listen on {bind} (MINSHENG_METRICS_BIND): {e}")
                })?;
                Some((listener, routes::metrics::router(registry.clone())))
            }
            _ => None,
        };
        let single_sign_on = match &settings.single_sign_on {
            None => None,
            Some(sso) => {
                // Where the browser reaches this api: the public URL (under its path, if it has
                // one), else the address bound just now.
                let base = match &settings.supervision.public_url {
                    Some(url) => url.as_str().trim_end_matches('/').to_owned(),
                    None => format!("http://{address}"),
                };
                let redirect = url::Url::parse(&format!("{base}/auth/oidc/callback"))?;
                tracing::info!(issuer = %sso.issuer, redirect_uri = %redirect, "single sign-on through an OpenID provider");
                Some(Arc::new(crate::single_sign_on::Provider::new(
                    sso.clone(),
                    &redirect,
                )?))
            }
        };
        let state = AppState {
            single_sign_on,
            schema,
            db,
            anonymous_db,
            statements: statements.clone(),
            sockets: Arc::new(SocketCounts::default()),
            documents: Arc::new(Documents::new(graph.persisted_query_cache_bytes, trusted)),
            parsed: Arc::default(),
            limits: DocumentLimits {
                depth: graph.depth_limit,
                introspection: graph.introspection,
            },
            settings: Arc::new(settings.clone()),
            metrics: api_metrics,
            exports: Arc::new(tokio::sync::Semaphore::new(
                settings.graph.export_max_concurrent,
            )),
        };
        let limits = ConnectionLimits {
            max_connections: settings.server.max_connections,
            header_timeout: settings.server.header_timeout,
            body_timeout: settings.server.body_timeout,
        };
        let mut router = router(state);
        if let (Some(registry), None) = (&registry, &metrics) {
            router = router.merge(routes::metrics::router(registry.clone()));
        }
        Ok(Self {
            listener,
            router,
            address,
            statements,
            limits,
            metrics,
        })
    }

    /// How many statements the api's pools have run (tests count what a request costs).
    pub fn statements(&self) -> Arc<AtomicU64> {
        self.statements.clone()
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
        if let Some((listener, router)) = self.metrics {
            // Scrapes stop with the process; they hold nothing that needs draining.
            tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            });
        }
        server::serve(self.listener, self.router, self.limits, shutdown).await
    }

    /// Where `/metrics` is served when `MINSHENG_METRICS_BIND` gives it an address of its own.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }
}

fn router(state: AppState) -> Router {
    let graph = &state.settings.graph;
    let body_limit = graph.body_limit_bytes;
    let mut router = Router::new()
        .route(
            "/graphql",
            get(routes::graphql::get).post(routes::graphql::post),
        )
        .route("/graphql/ws", get(routes::subscriptions::upgrade))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/ack/{token}", get(routes::ack::acknowledge))
        .route("/export/{file}", get(routes::export::ledger))
        .route("/auth/sign-in", post(routes::auth::sign_in))
        .route("/auth/sign-out", post(routes::auth::sign_out))
        .route("/auth/password", post(routes::auth::set_password))
        .route("/auth/methods", get(routes::single_sign_on::methods))
        .route("/auth/oidc/start", get(routes::single_sign_on::start))
        .route("/auth/oidc/callback", get(routes::single_sign_on::callback));
    if graph.graphiql {
        router = router.route("/graphiql/assets/{file}", get(routes::graphiql::asset));
    }
    if graph.web {
        router = router
            .route("/", get(routes::web::page))
            .route("/guide", get(routes::web::guide))
            .route("/web/{file}", get(routes::web::asset));
    }
    let compression = CompressionLayer::new().gzip(true).br(true).compress_when(
        SizeAbove::new(COMPRESS_ABOVE_BYTES)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::SSE),
    );
    let router = router
        // async-graphql-axum reads the body as a stream, past axum's DefaultBodyLimit (which
        // only bounds axum's own extractors): the limit must wrap the body itself.
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(compression);
    let router = match cors(&graph.cors_origins) {
        Some(layer) => router.layer(layer).layer(middleware::from_fn_with_state(
            Arc::new(graph.cors_origins.clone()),
            cors_only_for_allowed_origins,
        )),
        None => router,
    };
    router.with_state(state)
}

/// The CORS layer for the configured origins; `None` when only the api's own origin calls it.
fn cors(origins: &CorsOrigins) -> Option<CorsLayer> {
    let allow_origin = match origins {
        CorsOrigins::SameOrigin => return None,
        CorsOrigins::Any => AllowOrigin::any(),
        CorsOrigins::List(list) => {
            AllowOrigin::list(list.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
        }
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
            .max_age(PREFLIGHT_MAX_AGE),
    )
}

/// Strips every CORS header from answers to origins that are not allowed, so that such a page
/// learns nothing about what the api would allow (tower-http answers their preflights with the
/// allowed methods and headers, only without `Access-Control-Allow-Origin`).
async fn cors_only_for_allowed_origins(
    State(origins): State<Arc<CorsOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    let allowed = match origins.as_ref() {
        CorsOrigins::Any => true,
        CorsOrigins::SameOrigin => false,
        CorsOrigins::List(list) => request
            .headers()
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .is_some_and(|origin| list.iter().any(|allowed| allowed == origin)),
    };
    let mut response = next.run(request).await;
    if !allowed {
        let cors_headers: Vec<HeaderName> = response
            .headers()
            .keys()
            .filter(|name| name.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in cors_headers {
            response.headers_mut().remove(name);
        }
    }
    response
}
