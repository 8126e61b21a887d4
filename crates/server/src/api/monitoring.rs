//! Checks, their readings and control health over HTTP (docs/monitoring.md).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use isms_app::monitoring::{CheckView, Health, NewCheck};
use isms_domain::check::{Outcome, Reading};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, Path, Query, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/checks", "listChecks", "monitoring", "Every check, failing first, with its status and last reading")
                .answers::<Items<CheckView>>(),
            get(list),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/checks",
                "defineCheck",
                "monitoring",
                "Define a check: a named test of Annex A controls fed by a tool's ingested results, a collector, or a \
                 person's attestation, with an expected frequency in days",
            )
            .body_type::<NewCheck>()
            .answers::<CheckView>()
            .ok(201),
            post(define),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/checks/{id}",
                "getCheck",
                "monitoring",
                "One check with a page of its readings, newest first (query: before=SEQ, limit up to 500, default 100); \
                 `next` is the `before` of the next page",
            )
                .answers::<CheckDetail>(),
            get(one),
        )
        .op(
            Op::new(
                "put",
                "/api/v1/checks/{id}",
                "redefineCheck",
                "monitoring",
                "Change a check's definition; its readings and nonconformity stay",
            )
            .body_type::<NewCheck>()
            .answers::<CheckView>(),
            put(redefine),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/checks/{id}/attest",
                "attestCheck",
                "monitoring",
                "Attest a manual check's result (pass or fail, with what was looked at); a failure raises a \
                 nonconformity from monitoring, a pass after one marks its action implemented",
            )
            .body_type::<Attestation>()
            .answers::<CheckView>(),
            post(attest),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/checks/{id}/run",
                "runCheck",
                "monitoring",
                "Run a collector check's collector now and ingest what it finds",
            )
            .answers::<CheckView>(),
            post(run),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/control-health",
                "controlHealth",
                "monitoring",
                "Control health from the checks: per Annex A theme, per framework in use, and per control",
            )
            .answers::<Health>(),
            get(health),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/mappings",
                "listMappings",
                "monitoring",
                "The mapping files per tool in force (shipped, or the installation's own), with their provenance and SHA-256",
            )
            .answers::<Items<isms_app::mappings::MappingView>>(),
            get(mappings),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/collect",
                "collect",
                "monitoring",
                "Run every collector the checks name (query: collector=NAME for one kind), each output ingested as a run",
            )
            .answers::<Items<isms_app::collect::Collection>>(),
            post(collect),
        )
}

/// A check and a page of its readings.
#[derive(Debug, Serialize, JsonSchema)]
struct CheckDetail {
    check: CheckView,
    /// Newest first.
    readings: Vec<NumberedReading>,
    /// Ask with `before` = this for the next (older) page; absent on the last.
    next: Option<i64>,
}

/// A reading with its number in the check's history.
#[derive(Debug, Serialize, JsonSchema)]
struct NumberedReading {
    /// Its number (1 is the first reading).
    seq: i64,
    #[serde(flatten)]
    reading: Reading,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryQuery {
    before: Option<i64>,
    limit: Option<u32>,
}

/// A person's attestation of a manual check.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Attestation {
    /// `pass` or `fail`.
    outcome: String,
    /// What was looked at.
    note: String,
}

async fn list(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::monitoring::checks(&s.cx, &caller).await? })))
}

async fn define(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(new): JsonBody<NewCheck>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(json!(isms_app::monitoring::define(&s.cx, &caller, new).await?))))
}

async fn redefine(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(new): JsonBody<NewCheck>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::monitoring::redefine(&s.cx, &caller, &id, new).await?)))
}

async fn one(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<Json<Value>, ApiError> {
    let (check, page, next) =
        isms_app::monitoring::check(&s.cx, &caller, &id, q.before, q.limit.unwrap_or(100)).await?;
    let readings = page.into_iter().map(|(seq, reading)| NumberedReading { seq, reading }).collect();
    Ok(Json(json!(CheckDetail { check, readings, next })))
}

async fn attest(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(a): JsonBody<Attestation>,
) -> Result<Json<Value>, ApiError> {
    let Some(outcome @ (Outcome::Pass | Outcome::Fail)) = Outcome::parse(&a.outcome) else {
        return Err(field("outcome", format!("{:?} is not pass or fail", a.outcome)).into());
    };
    Ok(Json(json!(isms_app::monitoring::attest(&s.cx, &caller, &id, outcome, &a.note).await?)))
}

async fn run(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::collect::run_check(&s.cx, &caller, &id, &mut |_| {}).await?)))
}

async fn mappings(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::mappings::mappings(&s.cx, &caller).await? })))
}

async fn health(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::monitoring::health(&s.cx, &caller).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectQuery {
    collector: Option<String>,
}

async fn collect(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<CollectQuery>,
) -> Result<Json<Value>, ApiError> {
    let done = isms_app::collect::collect_all(&s.cx, &caller, q.collector.as_deref(), &mut |_| {}).await?;
    Ok(Json(json!(Items { items: done })))
}
