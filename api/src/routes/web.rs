//! `GET /`: the board and the item pages, a front end on the public graph, from assets compiled
//! into the binary (no Node to build or run it, no internet to load it).

use std::sync::LazyLock;

use axum::{
    extract::Path,
    http::{HeaderMap, HeaderName, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

const PAGE: &str = include_str!("../../assets/web/index.html");

/// A page module, compiled in.
macro_rules! js {
    ($file:literal) => {
        (
            $file,
            "text/javascript; charset=utf-8",
            include_str!(concat!("../../assets/web/", $file)),
        )
    };
}

/// The pages' files: ES modules (one per page, the graph client, the DOM helpers; no build
/// step), the style sheet and the documents.
const ASSETS: &[(&str, &str, &str)] = &[
    js!("app.js"),
    js!("graph.js"),
    js!("dom.js"),
    js!("labels.js"),
    js!("state.js"),
    js!("board.js"),
    js!("items.js"),
    js!("item.js"),
    js!("departments.js"),
    js!("desk.js"),
    js!("office.js"),
    js!("auth.js"),
    js!("accounts.js"),
    js!("format.js"),
    js!("ledger.js"),
    js!("scores.js"),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../assets/web/app.css"),
    ),
    ("documents.json", "application/json", DOCUMENTS),
];

/// Each asset's entity tag: a digest of its bytes, so a browser revalidating (`no-cache`) gets
/// `304 Not Modified` without the body until a new binary changes the file.
static ETAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(_, _, body)| {
            format!(
                "\"{}\"",
                &hex::encode(Sha256::digest(body.as_bytes()))[..20]
            )
        })
        .collect()
});

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

pub async fn asset(Path(file): Path<String>, request: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (_, content_type, body) = ASSETS[index];
    let etag = ETAGS[index].as_str();
    let unchanged = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    // Revalidated on each load (`no-cache`): a new binary's assets replace the old at once, and
    // an unchanged one costs a 304.
    let caching = [
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::ETAG, etag.to_owned()),
    ];
    if unchanged {
        return (StatusCode::NOT_MODIFIED, headers(content_type), caching).into_response();
    }
    (headers(content_type), caching, body).into_response()
}

/// The office's guide (`docs/使用指南.md`), compiled in and rendered once.
const GUIDE: &str = include_str!("../../../docs/使用指南.md");

static GUIDE_PAGE: LazyLock<String> = LazyLock::new(|| {
    let mut body = String::new();
    pulldown_cmark::html::push_html(
        &mut body,
        pulldown_cmark::Parser::new_ext(GUIDE, pulldown_cmark::Options::ENABLE_TABLES),
    );
    format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>使用指南 · 民生实事督办</title>\n\
         <link rel=\"stylesheet\" href=\"/web/app.css\">\n</head>\n<body>\n\
         <header class=\"top\"><a class=\"brand\" href=\"/#/\">民生实事督办</a></header>\n\
         <main class=\"guide\">\n{body}</main>\n</body>\n</html>\n"
    )
});

/// `GET /guide`: the 使用指南 as a page, linked from every page's footer.
pub async fn guide() -> Response {
    (
        headers("text/html; charset=utf-8"),
        [(header::CACHE_CONTROL, "no-cache")],
        GUIDE_PAGE.as_str(),
    )
        .into_response()
}
