//! Reading the ISMS records and the audit trail.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use isms_app::access::guarded;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::list::page;
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/controls",
                "listControls",
                "controls",
                "The organization's Annex A control records",
            )
            .list(),
            get(controls),
        )
        .op(Op::new("get", "/api/v1/risks", "listRisks", "risks", "The risk register").list(), get(risks))
        .op(Op::new("get", "/api/v1/risks/{id}", "getRisk", "risks", "One risk"), get(risk))
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log",
                "listAuditLog",
                "audit-log",
                "The audit trail, oldest first, after a sequence number (query: after, limit)",
            ),
            get(audit_log),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audit-log/verify",
                "verifyAuditLog",
                "audit-log",
                "Re-compute the trail's hash chain",
            ),
            get(verify),
        )
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
