//! `/graphql` over HTTP, as the GraphQL over HTTP specification lays it out:
//!
//! - `POST` with an `application/json` body (anything else is 415);
//! - `GET` with the parameters in the URL, for queries only (a mutation is 405, `Allow: POST`),
//!   so that a query can be cached; a browser opening the URL with no query gets GraphiQL;
//! - the response in the media type `Accept` asks for (406 when none is spoken), with the status
//!   codes of that type ([`reply`]);
//! - persisted documents (automatic persisted queries, trusted documents) resolved before the
//!   document is parsed, and the document limits checked once it is.
//!
//! One request runs with its viewer, clock and loaders, under a time limit.

pub mod accept;
pub mod params;
pub mod reply;

use async_graphql::{
    Request, Response, ServerError, Variables,
    parser::types::{ExecutableDocument, OperationType},
};
use axum::{
    body::Bytes,
    extract::State,
    http::{HeaderMap, Method, StatusCode, Uri, header},
    response::{IntoResponse, Response as HttpResponse},
};
use chrono::Utc;
use domain::urgency::UrgencyRule;

use self::{
    accept::MediaType,
    params::{ContentType, Params},
    reply::{Reply, with_code},
};
use crate::{
    graphql::{
        auth::Viewer,
        budget::Budget,
        clock::RequestClock,
        documents::DocumentError,
        error::{code, ensure_codes},
        introspection::DescriptionKeys,
        limits, loaders,
    },
    metrics::RequestRecord,
    routes::{graphiql, session},
    startup::AppState,
};

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser that sends none.
pub async fn get(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> HttpResponse {
    let accept = header_str(&headers, header::ACCEPT);
    let params = Params::from_query_string(uri.query().unwrap_or_default());
    if params.as_ref().is_ok_and(Params::is_empty)
        && state.settings.graph.graphiql
        && accept::wants_html(accept)
    {
        return graphiql::page().await.into_response();
    }
    let mut record = RequestRecord::start();
    let reply = match accept::negotiate(accept) {
        Err(_) => not_acceptable(),
        Ok(media) => match params {
            Ok(params) => run(&state, &headers, Method::GET, media, params, &mut record).await,
            Err(bad) => Reply::malformed(media, StatusCode::BAD_REQUEST, &bad.to_string()),
        },
    };
    answer(&state, &record, reply)
}

/// `POST /graphql` with an `application/json` body.
pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> HttpResponse {
    let mut record = RequestRecord::start();
    let media = match accept::negotiate(header_str(&headers, header::ACCEPT)) {
        Ok(media) => media,
        Err(_) => return answer(&state, &record, not_acceptable()),
    };
    let reply = match ContentType::of(header_str(&headers, header::CONTENT_TYPE)) {
        ContentType::Json => match Params::from_json(&body) {
            Ok(params) => run(&state, &headers, Method::POST, media, params, &mut record).await,
            Err(bad) => Reply::malformed(media, StatusCode::BAD_REQUEST, &bad.to_string()),
        },
        ContentType::Missing | ContentType::Unsupported => Reply::malformed(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as JSON with Content-Type: application/json",
        ),
    };
    answer(&state, &record, reply)
}

/// The reply as HTTP, counted in the metrics.
fn answer(state: &AppState, record: &RequestRecord, reply: Reply) -> HttpResponse {
    if let Some(metrics) = &state.metrics {
        metrics.observe(record, reply.code());
    }
    reply.into_response()
}

fn not_acceptable() -> Reply {
    Reply::malformed(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        "the api answers in application/graphql-response+json or application/json (UTF-8)",
    )
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    method: Method,
    media: MediaType,
    params: Params,
    record: &mut RequestRecord,
) -> Reply {
    let viewer = match resolve_viewer(state, headers).await {
        Ok(viewer) => viewer,
        Err(refused) => return Reply::refused(media, refused),
    };
    let query = match state.documents.resolve(
        params.query,
        params.extensions.as_ref(),
        !viewer.does_office_work(),
    ) {
        Ok(query) => query,
        Err(DocumentError::MissingQuery) => {
            return Reply::malformed(
                media,
                StatusCode::BAD_REQUEST,
                &DocumentError::MissingQuery.to_string(),
            );
        }
        Err(e) => return Reply::refused(media, document_refusal(&e)),
    };
    let operation_name = params.operation_name;
    let mut request = Request::new(query);
    request.operation_name.clone_from(&operation_name);
    if let Some(variables) = params.variables {
        request.variables = Variables::from_json(serde_json::Value::Object(variables));
    }
    // The schema runs the document set here, parsed once per distinct text.
    let parsed = state.parsed.parse(&request.query);
    let doc = match parsed
        .map(|doc| request.set_parsed_query(doc))
        .and_then(|()| request.parsed_query())
    {
        Ok(doc) => doc,
        Err(syntax) => {
            return Reply::refused(media, ensure_codes(Response::from_errors(vec![syntax])));
        }
    };
    record.operation = Some(declared_name(doc, operation_name.as_deref()));
    match operation_type(doc, operation_name.as_deref()) {
        Some(OperationType::Mutation) if method == Method::GET => {
            return Reply::malformed(
                media,
                StatusCode::METHOD_NOT_ALLOWED,
                "a mutation must be sent with POST",
            )
            .header(header::ALLOW, "POST");
        }
        Some(OperationType::Subscription) => {
            return Reply::refused(
                media,
                limits::validation_error("subscriptions run over WebSocket at /graphql/ws"),
            );
        }
        _ => {}
    }
    if let Some(message) = state.limits.violation(doc) {
        return Reply::refused(media, limits::validation_error(&message));
    }
    let description = DescriptionKeys::of(doc);
    let clock = RequestClock {
        now: Utc::now(),
        timezone: state.settings.timezone,
        rule: UrgencyRule {
            due_soon_days: state.settings.graph.due_soon_days,
        },
    };
    // Anonymous requests read through a pool of their own, under a statement budget; the
    // office's (imports run thousands of statements) under none.
    let db = match viewer {
        Viewer::Anonymous => state.anonymous_db.clone(),
        _ => state.db.clone(),
    };
    // The office's statements are counted, not bounded.
    let budget = if viewer.does_office_work() {
        Budget::unlimited()
    } else {
        Budget::new(state.settings.graph.request_statement_limit)
    };
    let request = request
        .data(viewer)
        .data(clock)
        .data(loaders::for_request(db.clone()))
        .data(db);
    let execution = state.schema.execute(request);
    let bounded = budget.clone().run(execution);
    let limit = state.settings.graph.request_timeout;
    let outcome = tokio::time::timeout(limit, bounded).await;
    record.statements = budget.spent();
    match outcome {
        Ok(Ok(mut response)) => {
            description.correct(&mut response);
            Reply::from_schema(media, ensure_codes(response))
        }
        Ok(Err(exceeded)) => {
            tracing::warn!(
                limit = exceeded.limit,
                "a GraphQL request ran past its statement budget and was stopped (MINSHENG_REQUEST_STATEMENT_LIMIT)"
            );
            Reply::refused(
                media,
                error_response(
                    code::TOO_EXPENSIVE,
                    &format!(
                        "the request needed more than {} database statements and was stopped; ask for less at once",
                        exceeded.limit
                    ),
                ),
            )
        }
        Err(_) => {
            tracing::warn!(
                limit_ms = limit.as_millis() as u64,
                "a GraphQL request ran out of time and was abandoned (MINSHENG_REQUEST_TIMEOUT_MS)"
            );
            Reply::refused(
                media,
                error_response(code::TIMEOUT, "the request took too long and was stopped"),
            )
        }
    }
}

/// The name of the operation `name` selects, as the document declares it: `None` for an
/// anonymous operation (and for a selection the schema will refuse).
fn declared_name(doc: &ExecutableDocument, name: Option<&str>) -> Option<String> {
    selected_operation(doc, name).and_then(|(n, _)| n.map(|n| n.to_string()))
}

/// The kind of operation `name` selects, when the document says (the schema reports an unknown
/// or ambiguous name itself).
fn operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    selected_operation(doc, name).map(|(_, op)| op.node.ty)
}

/// The operation `name` selects: the one so named, or without a name the only one there is.
fn selected_operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<(
    Option<&'d async_graphql::Name>,
    &'d async_graphql::Positioned<async_graphql::parser::types::OperationDefinition>,
)> {
    let mut operations = doc.operations.iter();
    match name {
        Some(name) => operations.find(|(n, _)| n.is_some_and(|n| n.as_str() == name)),
        None => operations
            .next()
            .filter(|_| doc.operations.iter().count() == 1),
    }
}

fn document_refusal(error: &DocumentError) -> Response {
    let message = error.to_string();
    let error = match error {
        DocumentError::NotFound => with_code(&message, code::PERSISTED_QUERY_NOT_FOUND),
        DocumentError::NotSupported => with_code(&message, code::PERSISTED_QUERY_NOT_SUPPORTED),
        DocumentError::Untrusted => with_code(&message, code::UNTRUSTED_DOCUMENT),
        DocumentError::HashMismatch => {
            field_error(&message, "extensions.persistedQuery.sha256Hash")
        }
        DocumentError::BadExtension(_) | DocumentError::MissingQuery => {
            field_error(&message, "extensions.persistedQuery")
        }
    };
    Response::from_errors(vec![error])
}

fn field_error(message: &str, field: &'static str) -> ServerError {
    let mut error = with_code(message, code::VALIDATION);
    if let Some(ext) = error.extensions.as_mut() {
        ext.set("field", field);
    }
    error
}

/// The caller of a request, or the response that refuses it. The credential itself is never
/// logged.
async fn resolve_viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    match session::viewer(state, headers).await {
        Ok(viewer) => Ok(viewer),
        Err(session::Refusal::BadToken) => Err(error_response(
            code::UNAUTHENTICATED,
            "the bearer token is not valid; send none to read the public list",
        )),
        Err(session::Refusal::Internal) => Err(error_response(code::INTERNAL, "internal error")),
    }
}

fn error_response(code: &'static str, message: &str) -> Response {
    Response::from_errors(vec![with_code(message, code)])
}
