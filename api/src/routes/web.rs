//! `GET /`: the board and the item pages, a front end on the public graph, from assets compiled
//! into the binary (no Node to build or run it, no internet to load it).

use axum::{
    extract::Path,
    http::{HeaderName, StatusCode, header},
    response::{IntoResponse, Response},
};

const PAGE: &str = include_str!("../../assets/web/index.html");

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("../../assets/web/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/app.css"),
    ),
    ("documents.json", "application/json", DOCUMENTS),
];

/// Every GraphQL document the pages send, by operation name, in the trusted documents format:
/// where `MINSHENG_TRUSTED_DOCUMENTS` restricts callers, these are trusted too while the pages
/// are served, so the board works for anonymous callers and departments.
pub const DOCUMENTS: &str = include_str!("../../assets/web/documents.json");

/// The pages load only from the api's own origin: a script injected through data could not
/// send anything elsewhere either. `'self'` covers the same origin's WebSocket.
const POLICY: &str = "default-src 'self'; connect-src 'self'; img-src 'self' data:; \
                      style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; \
                      frame-ancestors 'none'; form-action 'self'";

fn headers(content_type: &'static str) -> [(HeaderName, &'static str); 4] {
    [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ]
}

pub async fn page() -> Response {
    (
        headers("text/html; charset=utf-8"),
        [(header::CACHE_CONTROL, "no-cache")],
        PAGE,
    )
        .into_response()
}

pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        // Revalidated on each load: a new binary's assets replace the old at once.
        Some((_, content_type, body)) => (
            headers(content_type),
            [(header::CACHE_CONTROL, "no-cache")],
            *body,
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
