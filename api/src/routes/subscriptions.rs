//! `GET /graphql/ws`: subscriptions over WebSocket (graphql-transport-ws, and the older
//! graphql-ws). The bearer token travels in the `connection_init` payload as
//! `{"Authorization": "Bearer …"}`, since browsers cannot set headers on a WebSocket; a bad
//! one closes the connection before any subscription starts.

use async_graphql::{Data, ErrorExtensions};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::{
    extract::{State, WebSocketUpgrade},
    response::Response,
};
use chrono::Utc;
use domain::urgency::UrgencyRule;

use crate::{
    graphql::{
        auth::{self, Viewer},
        clock::RequestClock,
        error::code,
        expansion, loaders,
    },
    startup::AppState,
};

pub async fn upgrade(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A message on the socket is bounded like a request body (MINSHENG_BODY_LIMIT_BYTES).
    let limit = state.settings.graph.body_limit_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| {
            let schema = expansion::Guarded(state.schema.clone());
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| connection_data(state, payload))
                .serve()
        })
}

/// The viewer, clock and loaders of one WebSocket connection.
async fn connection_data(
    state: AppState,
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
