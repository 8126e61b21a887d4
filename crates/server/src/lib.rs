//! isms-server: thin HTTP over the use cases.
//!
//! Handlers extract input, call one function of `isms-app`, and render HTML or JSON.
//! No rule lives here. [`serve`] runs the router on a listener the caller bound (tests
//! bind 127.0.0.1:0), with request logging and graceful shutdown.

mod api;
mod auth;
mod error;
mod hardening;
mod health;
mod jobs;
mod options;
mod pages;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, Request};
use isms_app::Cx;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use api::{OPENAPI_PATH, openapi_document};
pub use error::ApiError;
pub use hardening::{CSP, STREAMING_TIMEOUT};
pub use options::{ServerOptions, TrustedProxies};

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use-case context.
    pub cx: Cx,
    /// What the operator configured.
    pub options: Arc<ServerOptions>,
    /// Work pages started that outlives their requests.
    jobs: Arc<jobs::Jobs>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Request ids: a per-process random prefix and a counter, so ids from several
/// replicas do not collide in aggregated logs.
#[derive(Debug, Clone)]
struct RequestIds {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n:06}", self.prefix).parse().ok().map(RequestId::new)
    }
}

/// The whole application router.
pub fn router(cx: Cx, options: ServerOptions) -> Router {
    let mut prefix = [0u8; 4];
    cx.entropy.fill(&mut prefix);
    let ids = RequestIds { prefix: hex(&prefix).into(), next: Arc::new(AtomicU64::new(1)) };
    let mut instance = [0u8; 8];
    cx.entropy.fill(&mut instance);
    let jobs = Arc::new(jobs::Jobs::new(hex(&instance)));
    let state = AppState { cx, options: Arc::new(options), jobs };
    Router::new()
        .merge(health::routes())
        .merge(pages::routes())
        .merge(hardening::routes())
        .merge(api::routes())
        .fallback(pages::fallback)
        .with_state(state)
        .layer(axum::extract::DefaultBodyLimit::max(hardening::BODY_LIMIT))
        .layer(axum::middleware::from_fn(hardening::one_read_per_request))
        .layer(axum::middleware::from_fn(hardening::deadline))
        .layer(axum::middleware::from_fn(hardening::security_headers))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<_>| {
                    let id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), id = %id)
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, ids))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Serves until `shutdown` resolves, then stops accepting connections and lets
/// in-flight requests finish — for at most `grace` — before returning.
pub async fn serve<F>(
    listener: TcpListener,
    cx: Cx,
    options: ServerOptions,
    shutdown: F,
    grace: Duration,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let signalled = Arc::new(tokio::sync::Notify::new());
    let notify = signalled.clone();
    let graceful = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing in-flight requests");
        notify.notify_one();
    };
    let app = router(cx, options).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let server = axum::serve(listener, app).with_graceful_shutdown(graceful);
    tokio::select! {
        result = server => result,
        () = async { signalled.notified().await; tokio::time::sleep(grace).await; } => {
            tracing::warn!(grace_seconds = grace.as_secs(), "in-flight requests did not finish within the grace period; stopping anyway");
            Ok(())
        }
    }
}
