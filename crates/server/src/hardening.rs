//! Hardening of every response: security headers (a CSP that allows no inline script,
//! no framing, no MIME sniffing, no referrer leaks) and the static assets the pages
//! use, served from the binary so the CSP can stay `'self'`-only.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_app::Code;

use crate::AppState;

/// The Content-Security-Policy of every response: only our own origin, no inline
/// scripts, no plugins, never inside a frame, forms only to ourselves.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CSP),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "no-referrer"),
    (HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
];

/// Middleware adding the security headers to every response, and HSTS when the
/// server is reached over TLS (directly or through a proxy that says so).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let tls = crate::auth::is_tls(request.uri(), request.headers());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in HEADERS {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if tls {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

const APP_CSS: &str = include_str!("../assets/app.css");

async fn app_css() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], APP_CSS)
}

const APP_JS: &str = include_str!("../assets/app.js");

async fn app_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        APP_JS,
    )
}

const FAVICON: &str = include_str!("../assets/favicon.svg");

async fn favicon() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/assets/app.css", get(app_css))
        .route("/assets/app.js", get(app_js))
        .route("/assets/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
}

/// How long one request may take before the client gets a 503 problem instead of a
/// hung connection.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a file upload or download may take.
pub const STREAMING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3600);

/// The largest request body accepted (larger gets 413).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// File uploads and downloads, which stream for as long as the bytes take: the API's
/// `…/files` and `…/file` routes, the ingestion of results, and the pages' upload forms.
fn is_streaming(path: &str) -> bool {
    (path.starts_with("/api/v1/") && (path.ends_with("/file") || path.ends_with("/files")))
        || path == "/api/v1/ingest"
        || path == "/evidence"
        || (path.starts_with("/documents/") && path.ends_with("/upload"))
}

/// Middleware giving each read-only request (GET, HEAD) one read transaction for all
/// its reads, authentication included ([`isms_app::reads`]).
pub async fn one_read_per_request(request: Request, next: Next) -> Response {
    if matches!(*request.method(), axum::http::Method::GET | axum::http::Method::HEAD) {
        isms_app::reads::one_read_per_request(next.run(request)).await
    } else {
        next.run(request).await
    }
}

/// Middleware bounding each request by [`REQUEST_TIMEOUT`].
pub async fn deadline(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    // File uploads and downloads stream for as long as the bytes take.
    let streaming = is_streaming(&path);
    let limit = if streaming { STREAMING_TIMEOUT } else { REQUEST_TIMEOUT };
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(path, "request timed out");
            crate::error::problem(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                Code::Timeout,
                &format!("the request did not finish within {} seconds", limit.as_secs()),
                &[],
            )
        }
    }
}
