//! Reading the ISMS records and the audit trail.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use isms_app::access::guarded;
use serde_json::{Value, json};

use super::list::page;
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/controls", get(controls))
        .route("/api/v1/risks", get(risks))
        .route("/api/v1/risks/{id}", get(risk))
        .route("/api/v1/audit-log", get(audit_log))
        .route("/api/v1/audit-log/verify", get(verify))
}

type Params = Query<BTreeMap<String, String>>;

async fn controls(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&guarded::controls(&s.cx, &caller).await?, &q)?))
}

async fn risks(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    Ok(Json(page(&guarded::risks(&s.cx, &caller).await?, &q)?))
}

async fn risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(guarded::risk(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, serde::Deserialize)]
struct TrailQuery {
    #[serde(default)]
    after: i64,
    #[serde(default = "default_limit")]
    limit: u32,
}

fn default_limit() -> u32 {
    100
}

async fn audit_log(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<TrailQuery>,
) -> Result<Json<Value>, ApiError> {
    let entries = guarded::trail(&s.cx, &caller, q.after, q.limit.clamp(1, 1000)).await?;
    let next = entries.last().map(|e| e.seq);
    Ok(Json(json!({ "items": entries, "next_after": next })))
}

async fn verify(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let v = guarded::verify_trail(&s.cx, &caller).await?;
    Ok(Json(
        json!({ "intact": v.intact(), "entries": v.entries, "problem": v.problem, "organization": v.organization }),
    ))
}
