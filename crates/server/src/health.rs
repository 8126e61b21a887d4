//! Liveness and readiness for load balancers and orchestrators.
//!
//! `/healthz` answers while the process runs. `/readyz` answers 200 only when the
//! database is reachable and its schema is exactly what this binary expects, so a
//! load balancer never routes to a replica that would serve errors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use isms_app::Code;
use serde_json::json;

use crate::AppState;
use crate::error::problem;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let r = isms_app::schema::readiness(&state.cx).await;
    match &r.problem {
        None => (
            StatusCode::OK,
            Json(json!({
                "status": "ready",
                "engine": r.engine,
                "schema_version": r.schema_version,
            })),
        )
            .into_response(),
        Some(problem_text) => problem(StatusCode::SERVICE_UNAVAILABLE, Code::NotReady, problem_text, &[]),
    }
}
