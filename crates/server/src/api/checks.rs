//! Ingested results over HTTP (docs/evidence-ingest.md): the upload streams to disk,
//! never held whole in memory, and is read result by result.

use super::{Path, Query};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::TryStreamExt;
use isms_app::checks::{IngestRequest, Ingested};
use isms_app::evidence::NewEvidence;
use isms_domain::check::{CheckResult, CheckRun, Outcome};
use isms_domain::evidence::{Target, TargetKind};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_util::io::StreamReader;

use super::doc::{Api, Op};
use super::{Items, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "post",
                "/api/v1/ingest",
                "ingestResults",
                "evidence",
                "Ingest a scanner's or test suite's results as evidence; the body is the file (SARIF 2.1.0, XCCDF or \
                 ARF, OCSF, JUnit XML, our CSV or JSON), streamed. Query: filename, format (when the content does not \
                 say), tool, title, control (repeatable: controls every result is evidence for), valid_for_days. A \
                 malformed or cut-short file is refused naming the element (422) and nothing is stored",
            )
            .answers::<Ingested>()
            .file_body()
            .ok(201),
            post(ingest),
        )
        .op(
            Op::new("get", "/api/v1/check-runs", "listCheckRuns", "evidence", "The ingested runs of results, newest first")
                .answers::<Items<CheckRun>>(),
            get(runs),
        )
        .op(
            Op::new("get", "/api/v1/check-runs/{id}", "getCheckRun", "evidence", "One ingested run")
                .answers::<CheckRun>(),
            get(one),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/check-runs/{id}/results",
                "listCheckResults",
                "evidence",
                "A run's results in order (query: outcome=pass|fail|error|not_applicable, after=SEQ, limit up to 1000); \
                 `next` is the `after` of the next page",
            )
            .answers::<ResultPage>(),
            get(results),
        )
}

/// A numbered result.
#[derive(Debug, Serialize, JsonSchema)]
struct Numbered {
    /// Its number in the run.
    seq: i64,
    #[serde(flatten)]
    result: CheckResult,
}

/// A page of results.
#[derive(Debug, Serialize, JsonSchema)]
struct ResultPage {
    items: Vec<Numbered>,
    /// Ask with `after` = this for the next page; absent on the last.
    next: Option<i64>,
}

fn request_of(query: &str) -> Result<IngestRequest, ApiError> {
    let mut r = IngestRequest { file: "results".to_owned(), ..IngestRequest::default() };
    let mut evidence = NewEvidence::default();
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "filename" => r.file = v,
            "format" => r.format = Some(v),
            "tool" => r.tool = Some(v),
            "title" => evidence.title = v,
            "control" => evidence.targets.push(Target { kind: TargetKind::Control, id: v }),
            "valid_for_days" => {
                evidence.valid_for_days =
                    Some(v.parse().map_err(|_| field("valid_for_days", format!("{v:?} is not a number of days")))?);
            }
            other => return Err(field(other, "unknown parameter".into()).into()),
        }
    }
    r.evidence = evidence;
    Ok(r)
}

async fn ingest(State(s): State<AppState>, Member(caller): Member, request: Request) -> Result<Response, ApiError> {
    let ingest = request_of(request.uri().query().unwrap_or_default())?;
    let stream = request.into_body().into_data_stream().map_err(std::io::Error::other);
    let mut reader = StreamReader::new(stream);
    let done = isms_app::checks::ingest(&s.cx, &caller, ingest, &mut reader).await?;
    Ok((StatusCode::CREATED, Json(json!(done))).into_response())
}

async fn runs(State(s): State<AppState>, Member(caller): Member) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::checks::runs(&s.cx, &caller).await? })))
}

async fn one(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(json!(isms_app::checks::run(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResultQuery {
    outcome: Option<String>,
    after: Option<i64>,
    limit: Option<u32>,
}

async fn results(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Query<ResultQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let outcome = q
        .outcome
        .as_deref()
        .map(|o| {
            Outcome::parse(o)
                .ok_or_else(|| field("outcome", format!("{o:?} is not pass, fail, error or not_applicable")))
        })
        .transpose()?;
    let (page, next) =
        isms_app::checks::results(&s.cx, &caller, &id, outcome, q.after.unwrap_or(0), q.limit.unwrap_or(100)).await?;
    let items = page.into_iter().map(|(seq, result)| Numbered { seq, result }).collect();
    Ok(Json(json!(ResultPage { items, next })))
}
