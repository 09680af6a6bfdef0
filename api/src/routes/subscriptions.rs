//! `GET /graphql/ws`: subscriptions (and queries and mutations) over WebSocket
//! (graphql-transport-ws, and the older graphql-ws). The bearer token travels in the
//! `connection_init` payload as `{"Authorization": "Bearer …"}`, since browsers cannot set
//! headers on a WebSocket; a bad one closes the connection before any subscription starts.
//!
//! A socket outlives the token it was opened with: a department token can be revoked while the
//! socket is open. So every operation checks the token again (and runs as whom it names now),
//! and the socket closes with code 4403 as soon as its token is revoked, on every replica
//! (the revocation travels like item changes, [`events::Revocations`]); the subscriptions it
//! opened end with it. A revocation notice can be missed while a replica's listening connection
//! is away: when it is lost or comes back, every socket checks its token again.
//!
//! A socket that has not sent `connection_init` within `MINSHENG_WS_INIT_TIMEOUT_MS` closes with
//! 4408, as graphql-ws does: sockets that never initialise would otherwise hold their places
//! under the socket caps for good.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{
        Arc, Mutex, OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use async_graphql::{
    Data, Executor, Request, Response,
    http::{WebSocket as GraphQLSocket, WebSocketProtocols, WsMessage},
    parser::types::OperationType,
};
use axum::{
    extract::{
        ConnectInfo, State, WebSocketUpgrade,
        ws::{CloseFrame, Message, WebSocket},
    },
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response as HttpResponse},
};
use chrono::Utc;
use domain::{config::ServerSettings, urgency::UrgencyRule};
use futures_util::{
    SinkExt,
    stream::{self, BoxStream, StreamExt},
};
use tokio::sync::{Notify, broadcast::error::RecvError};

use crate::{
    graphql::{
        auth::{self, Viewer},
        clock::RequestClock,
        documents::DocumentError,
        error::{code, ensure_codes},
        events::{Heard, Revocations, Revoked},
        limits, loaders,
    },
    metrics::OpenSubscription,
    routes::{
        graphql::reply::with_code,
        session::{self, Credential},
    },
    startup::AppState,
};

/// The close code of a socket whose token was revoked (graphql-transport-ws: Forbidden).
pub const CLOSE_REVOKED: u16 = 4403;

/// The close code of a socket that did not initialise in time (graphql-transport-ws).
pub const CLOSE_INIT_TIMEOUT: u16 = 4408;

/// WebSockets open now: in all, and per client address (`MINSHENG_WS_MAX_SOCKETS`,
/// `MINSHENG_WS_MAX_SOCKETS_PER_CLIENT`).
#[derive(Default)]
pub struct SocketCounts {
    per_client: Mutex<HashMap<IpAddr, usize>>,
    total: AtomicUsize,
}

/// One socket's place in [`SocketCounts`], given back when the socket ends.
struct SocketSlot {
    counts: Arc<SocketCounts>,
    client: IpAddr,
}

/// Why a socket was not opened.
enum SocketRefusal {
    TooMany,
    TooManyFromClient,
}

impl SocketCounts {
    fn take(
        self: &Arc<Self>,
        client: IpAddr,
        limits: &ServerSettings,
    ) -> Result<SocketSlot, SocketRefusal> {
        let mut per_client = self
            .per_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.total.load(Ordering::SeqCst) >= limits.ws_max_sockets {
            return Err(SocketRefusal::TooMany);
        }
        let mine = per_client.entry(client).or_default();
        if *mine >= limits.ws_max_sockets_per_client {
            return Err(SocketRefusal::TooManyFromClient);
        }
        *mine += 1;
        self.total.fetch_add(1, Ordering::SeqCst);
        Ok(SocketSlot {
            counts: self.clone(),
            client,
        })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut per_client = self
            .counts
            .per_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(mine) = per_client.get_mut(&self.client) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                per_client.remove(&self.client);
            }
        }
        self.counts.total.fetch_sub(1, Ordering::SeqCst);
    }
}

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let slot = match state.sockets.take(client.ip(), &state.settings.server) {
        Ok(slot) => slot,
        Err(refusal) => {
            // Warned about once a minute per kind at most (the log's own limit).
            let (status, message) = match refusal {
                SocketRefusal::TooMany => (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "too many WebSockets are open (MINSHENG_WS_MAX_SOCKETS); try again later",
                ),
                SocketRefusal::TooManyFromClient => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "too many WebSockets are open from this address (MINSHENG_WS_MAX_SOCKETS_PER_CLIENT)",
                ),
            };
            tracing::warn!(%status, "a WebSocket was refused: {message}");
            return (status, message).into_response();
        }
    };
    // The subprotocol the client offers first among those spoken here.
    let Some(protocol) = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|value| value.to_str().ok())
        .and_then(|offered| {
            offered
                .split(',')
                .find_map(|p| p.trim().parse::<WebSocketProtocols>().ok())
        })
    else {
        return (
            StatusCode::BAD_REQUEST,
            "offer the graphql-transport-ws (or graphql-ws) subprotocol",
        )
            .into_response();
    };
    // The session cookie counts only on an upgrade from the api's own pages.
    let cookie = match session::credential(&headers) {
        Ok(Some(Credential::Session(secret))) => Some(secret),
        _ => None,
    };
    // A message on the socket is bounded like a request body (MINSHENG_BODY_LIMIT_BYTES).
    let limit = state.settings.graph.body_limit_bytes;
    upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            serve(socket, state, protocol, cookie).await;
            drop(slot);
        })
}

/// Who a socket speaks for, as `connection_init` named it, and whether it must close.
#[derive(Default)]
struct SocketCaller {
    caller: OnceLock<Caller>,
    /// Fired when an operation finds the token revoked.
    revoked: Notify,
    /// Subscriptions running now (`MINSHENG_WS_MAX_SUBSCRIPTIONS_PER_SOCKET`).
    subscriptions: Arc<AtomicUsize>,
}

/// A running subscription's place on its socket, given back when its stream ends; it is
/// counted as open in the metrics meanwhile.
struct SubscriptionSlot {
    running: Arc<AtomicUsize>,
    /// Held for its drop.
    _open: Option<OpenSubscription>,
}

impl Drop for SubscriptionSlot {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Caller {
    viewer: Viewer,
    /// What to check again before each operation: a department token or a session (the
    /// break-glass token, set in the environment, is not revoked while the process runs).
    credential: Option<Credential>,
    /// The department token's id.
    token_id: Option<i64>,
}

impl SocketCaller {
    /// Whether `event` ends the credential this socket was opened with.
    fn ended_by(&self, event: Revoked) -> bool {
        let Some(caller) = self.caller.get() else {
            return false;
        };
        match (event, &caller.viewer) {
            (Revoked::Token { token_id }, _) => caller.token_id == Some(token_id),
            (Revoked::Account { account_id }, Viewer::Person(p)) => p.account_id == account_id,
            (Revoked::Session { session_id }, Viewer::Person(p)) => p.session_id == session_id,
            _ => false,
        }
    }
}

/// Runs the protocol over `socket` until the client leaves or its token is revoked.
async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: WebSocketProtocols,
    cookie: Option<String>,
) {
    let caller = Arc::new(SocketCaller::default());
    let executor = SocketExecutor {
        state: state.clone(),
        caller: caller.clone(),
    };
    let checker = executor.clone();
    let init_deadline = tokio::time::sleep(state.settings.server.ws_init_timeout);
    tokio::pin!(init_deadline);
    let (mut sink, stream) = socket.split();
    let input = stream
        .take_while(|message| futures_util::future::ready(message.is_ok()))
        .filter_map(|message| {
            futures_util::future::ready(match message {
                Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
                Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                _ => None,
            })
        });
    let init_caller = caller.clone();
    let init_state = state.clone();
    let outgoing =
        GraphQLSocket::new(executor, input, protocol).on_connection_init(move |payload| {
            connection_data(init_state, init_caller, cookie, payload)
        });
    futures_util::pin_mut!(outgoing);
    let mut revocations = state
        .schema
        .data::<Revocations>()
        .map(Revocations::subscribe);
    loop {
        let revoked = async {
            match revocations.as_mut() {
                Some(receiver) => receiver.recv().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            message = outgoing.next() => {
                let Some(message) = message else { break };
                let message = match message {
                    WsMessage::Text(text) => Message::Text(text.into()),
                    WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
                };
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            () = caller.revoked.notified() => {
                close_revoked(&mut sink).await;
                break;
            }
            () = &mut init_deadline, if caller.caller.get().is_none() => {
                tracing::info!("closed a WebSocket that did not initialise in time");
                let _ = sink
                    .send(Message::Close(Some(CloseFrame {
                        code: CLOSE_INIT_TIMEOUT,
                        reason: "Connection initialisation timeout".into(),
                    })))
                    .await;
                break;
            }
            event = revoked => match event {
                Ok(Heard::Event(event)) if caller.ended_by(event) => {
                    close_revoked(&mut sink).await;
                    break;
                }
                Ok(Heard::Event(_)) => {}
                // Notices may have been missed: the token is checked against the database now
                // (a revoked one fires `caller.revoked`, and the socket closes with 4403).
                Ok(Heard::Gap) | Err(RecvError::Lagged(_)) => {
                    let _ = checker.current_viewer().await;
                }
                Err(RecvError::Closed) => revocations = None,
            },
        }
    }
}

async fn close_revoked(sink: &mut futures_util::stream::SplitSink<WebSocket, Message>) {
    tracing::info!("closed a WebSocket whose token or session was revoked");
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CLOSE_REVOKED,
            reason: "the token was revoked".into(),
        })))
        .await;
}

/// The schema as one socket sees it: behind the document limits and, for callers without the
/// administrator's token, the trusted documents, as on `POST /graphql`; each operation runs as
/// whom the socket's token names at that moment. Errors carry codes as over HTTP.
#[derive(Clone)]
struct SocketExecutor {
    state: AppState,
    caller: Arc<SocketCaller>,
}

impl SocketExecutor {
    fn refusal(&self, request: &mut Request) -> Option<Response> {
        let office = self
            .caller
            .caller
            .get()
            .is_some_and(|c| c.viewer.does_office_work());
        if !office && !self.state.documents.allows_text(&request.query) {
            return Some(Response::from_errors(vec![with_code(
                &DocumentError::Untrusted.to_string(),
                code::UNTRUSTED_DOCUMENT,
            )]));
        }
        let doc = request.parsed_query().ok()?;
        self.state
            .limits
            .violation(doc)
            .map(|message| limits::validation_error(&message))
    }

    /// The viewer the socket's token names now; a refusal when it no longer names anyone (the
    /// socket then closes).
    async fn current_viewer(&self) -> Result<Option<Viewer>, Response> {
        let Some(caller) = self.caller.caller.get() else {
            return Ok(None);
        };
        let credential = match &caller.credential {
            Some(Credential::Token(_)) if caller.token_id.is_none() => return Ok(None),
            None => return Ok(None),
            Some(credential) => credential,
        };
        let ended = || {
            self.caller.revoked.notify_one();
            Response::from_errors(vec![with_code(
                "the token or session of this connection was revoked",
                code::UNAUTHENTICATED,
            )])
        };
        match session::viewer_of(&self.state, Some(credential)).await {
            // A session that ended reads as anonymous over HTTP; a socket opened with it closes.
            Ok((Viewer::Anonymous, _)) => Err(ended()),
            Ok((viewer, _)) => Ok(Some(viewer)),
            Err(session::Refusal::BadToken) => Err(ended()),
            Err(session::Refusal::Internal) => Err(Response::from_errors(vec![with_code(
                "internal error",
                code::INTERNAL,
            )])),
        }
    }

    /// A place for `request` among the socket's running subscriptions (queries and mutations
    /// need none), or the response refusing it when the socket runs as many as it may.
    fn subscription_slot(
        &self,
        request: &mut Request,
    ) -> Result<Option<SubscriptionSlot>, Box<Response>> {
        let is_subscription = request.parsed_query().is_ok_and(|doc| {
            doc.operations
                .iter()
                .any(|(_, op)| op.node.ty == OperationType::Subscription)
        });
        if !is_subscription {
            return Ok(None);
        }
        let max = self.state.settings.server.ws_max_subscriptions_per_socket;
        let running = &self.caller.subscriptions;
        if running.fetch_add(1, Ordering::SeqCst) >= max {
            running.fetch_sub(1, Ordering::SeqCst);
            return Err(Box::new(Response::from_errors(vec![with_code(
                &format!(
                    "this connection runs {max} subscriptions already (MINSHENG_WS_MAX_SUBSCRIPTIONS_PER_SOCKET); end one first"
                ),
                code::TOO_MANY_SUBSCRIPTIONS,
            )])));
        }
        let open = self
            .state
            .metrics
            .as_ref()
            .map(|metrics| metrics.subscription_opened());
        Ok(Some(SubscriptionSlot {
            running: running.clone(),
            _open: open,
        }))
    }

    /// `request` checked and given the socket's current viewer, or the response refusing it.
    async fn prepare(&self, mut request: Request) -> Result<Request, Response> {
        if let Some(refused) = self.refusal(&mut request) {
            return Err(refused);
        }
        Ok(match self.current_viewer().await? {
            Some(viewer) => request.data(viewer),
            None => request,
        })
    }
}

impl Executor for SocketExecutor {
    fn execute(&self, request: Request) -> impl Future<Output = Response> + Send {
        let this = self.clone();
        async move {
            match this.prepare(request).await {
                Ok(request) => ensure_codes(this.state.schema.execute(request).await),
                Err(refused) => refused,
            }
        }
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let slot = match self.subscription_slot(&mut request) {
            Ok(slot) => slot,
            Err(refused) => return stream::once(async move { *refused }).boxed(),
        };
        let this = self.clone();
        stream::once(async move {
            match this.prepare(request).await {
                Ok(request) => Executor::execute_stream(&this.state.schema, request, session_data)
                    .map(move |response| {
                        // The subscription holds its place for as long as its stream runs.
                        let _held = &slot;
                        ensure_codes(response)
                    })
                    .boxed(),
                Err(refused) => stream::once(async move { refused }).boxed(),
            }
        })
        .flatten()
        .boxed()
    }
}

/// The viewer, clock and loaders of one WebSocket connection.
async fn connection_data(
    state: AppState,
    caller: Arc<SocketCaller>,
    cookie: Option<String>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let header = payload
        .get("Authorization")
        .or_else(|| payload.get("authorization"))
        .and_then(|v| v.as_str());
    let refused = |message: &str, code: &'static str| {
        use async_graphql::ErrorExtensions;
        async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
    };
    let token = auth::bearer(header)
        .map_err(|_| refused("the bearer token is not valid", code::UNAUTHENTICATED))?;
    // A token in `connection_init` wins; without one, the session cookie of the upgrade.
    let credential = match token {
        Some(token) => Some(Credential::Token(token.to_owned())),
        None => cookie.map(Credential::Session),
    };
    let (viewer, token_id) = match session::viewer_of(&state, credential.as_ref()).await {
        Ok(found) => found,
        Err(session::Refusal::BadToken) => {
            return Err(refused(
                "the bearer token is not valid",
                code::UNAUTHENTICATED,
            ));
        }
        Err(session::Refusal::Internal) => return Err(refused("internal error", code::INTERNAL)),
    };
    // Anonymous sockets read through the anonymous pool, as anonymous requests do.
    let db = match viewer {
        Viewer::Anonymous => state.anonymous_db.clone(),
        _ => state.db.clone(),
    };
    let _ = caller.caller.set(Caller {
        viewer: viewer.clone(),
        credential: if viewer == Viewer::Anonymous {
            None
        } else {
            credential
        },
        token_id,
    });
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
    let loaders = loaders::for_request(db.clone());
    loaders.enable_all_cache(false);
    data.insert(loaders);
    data.insert(db);
    Ok(data)
}
