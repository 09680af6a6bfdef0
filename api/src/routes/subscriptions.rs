//! `GET /graphql/ws`: subscriptions over WebSocket (graphql-transport-ws, and the older
//! graphql-ws). The bearer token travels in the `connection_init` payload as
//! `{"Authorization": "Bearer …"}`, since browsers cannot set headers on a WebSocket; a bad
//! one closes the connection before any subscription starts.

use std::sync::{Arc, OnceLock};

use async_graphql::{Data, ErrorExtensions, Executor, Request, Response};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{State, WebSocketUpgrade},
    response::Response as HttpResponse,
};
use chrono::Utc;
use domain::urgency::UrgencyRule;
use futures_util::stream::{self, BoxStream, StreamExt};

use crate::{
    graphql::{
        AppSchema,
        auth::{self, Viewer},
        clock::RequestClock,
        error::{code, ensure_codes},
        limits::{self, DocumentLimits},
        loaders,
        persisted::{DocumentError, Documents},
    },
    routes::graphql::reply::with_code,
    startup::AppState,
};

pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    // A message on the socket is bounded like a request body (MINSHENG_BODY_LIMIT_BYTES).
    let limit = state.settings.graph.body_limit_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let executor = SocketExecutor {
                schema: state.schema.clone(),
                limits: state.limits,
                documents: state.documents.clone(),
                viewer: Arc::new(OnceLock::new()),
            };
            let viewer = executor.viewer.clone();
            GraphQLWebSocket::new(socket, executor, protocol)
                .on_connection_init(move |payload| connection_data(state, viewer, payload))
                .serve()
        })
}

/// The schema as one socket sees it: behind the document limits and, for callers without the
/// administrator's token, the trusted documents, as on `POST /graphql`; errors carry codes as
/// there.
#[derive(Clone)]
struct SocketExecutor {
    schema: AppSchema,
    limits: DocumentLimits,
    documents: Arc<Documents>,
    /// Set once the socket's `connection_init` named its caller.
    viewer: Arc<OnceLock<Viewer>>,
}

impl SocketExecutor {
    fn refusal(&self, request: &mut Request) -> Option<Response> {
        let admin = self.viewer.get() == Some(&Viewer::Admin);
        if !admin && !self.documents.allows_text(&request.query) {
            return Some(Response::from_errors(vec![with_code(
                &DocumentError::Untrusted.to_string(),
                code::UNTRUSTED_DOCUMENT,
            )]));
        }
        let doc = request.parsed_query().ok()?;
        self.limits
            .violation(doc)
            .map(|message| limits::validation_error(&message))
    }
}

impl Executor for SocketExecutor {
    fn execute(&self, mut request: Request) -> impl Future<Output = Response> + Send {
        let schema = self.schema.clone();
        let refused = self.refusal(&mut request);
        async move {
            match refused {
                Some(refused) => refused,
                None => ensure_codes(schema.execute(request).await),
            }
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.refusal(&mut request) {
            Some(refused) => stream::once(async move { refused }).boxed(),
            None => Executor::execute_stream(&self.schema, request, session_data)
                .map(ensure_codes)
                .boxed(),
        }
    }
}

/// The viewer, clock and loaders of one WebSocket connection.
async fn connection_data(
    state: AppState,
    socket_viewer: Arc<OnceLock<Viewer>>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let header = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str());
    let refused = |message: &str, code: &'static str| {
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
    };
    let token = auth::bearer(header)
        .map_err(|_| refused("the bearer token is not valid", code::UNAUTHENTICATED))?;
    let viewer =
        match Viewer::from_token(token, state.settings.admin_token.as_ref(), &state.db).await {
            Ok(viewer) => viewer,
            Err(auth::AuthError::BadToken) => {
                return Err(refused(
                    "the bearer token is not valid",
                    code::UNAUTHENTICATED,
                ));
            }
            Err(auth::AuthError::Database(e)) => {
                tracing::error!(error = %e, cause = ?e, "department tokens could not be checked");
                return Err(refused("internal error", code::INTERNAL));
            }
        };
    let _ = socket_viewer.set(viewer);
    let mut data = Data::default();
    data.insert(viewer);
    // "Now" is the connection's start; fields that depend on today take `now:` for long-lived
    // subscriptions.
    data.insert(RequestClock {
        now: Utc::now(),
        timezone: state.settings.timezone,
        rule: UrgencyRule {
            due_soon_days: state.settings.graph.due_soon_days,
        },
    });
    // One loader for the connection's lifetime: with its cache on, a later event would see the
    // relations of an earlier one. Batching still works without it.
    let loaders = loaders::for_request(state.db.clone());
    loaders.enable_all_cache(false);
    data.insert(loaders);
    Ok(data)
}
