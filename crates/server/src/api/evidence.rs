//! Evidence over HTTP. Uploads stream: the request body goes through the blob store's
//! hasher to disk in fixed-size chunks, never held whole in memory; the configured
//! upload limit applies (413 beyond it), not the 2 MiB limit of JSON bodies. Downloads
//! stream the same way.

use super::{Path, Query};
use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures_util::TryStreamExt;
use isms_app::evidence::{BrokenFile, ControlEvidence, NewEvidence};
use isms_domain::evidence::{Content, Evidence, Target, TargetKind};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::io::{ReaderStream, StreamReader};

use super::doc::{Api, Op};
use super::{Body as JsonBody, date, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "post",
                "/api/v1/evidence/files",
                "uploadEvidence",
                "evidence",
                "Upload a file as evidence; the body is the file itself (any type), streamed. Query: title, control, requirement, risk, audit (repeatable, at least one), valid_for_days, period_start, period_end, filename, note",
            ).answers::<Evidence>()
            .file_body()
            .ok(201),
            post(upload),
        )
        .op(
            Op::new("post", "/api/v1/evidence/links", "addEvidenceLink", "evidence", "Add a link as evidence").answers::<Evidence>()
                .body_type::<NewLink>()
                .ok(201),
            post(add_link),
        )
        .op(Op::new("get", "/api/v1/evidence", "listEvidence", "evidence", "Evidence, newest first").list().answers_page::<Evidence>(), get(list))
        .op(
            Op::new(
                "get",
                "/api/v1/evidence/freshness",
                "evidenceFreshness",
                "evidence",
                "Applicable controls with current, stale or missing evidence",
            )
            .list()
            .answers_page::<ControlEvidence>(),
            get(freshness),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/evidence/verify",
                "verifyEvidence",
                "evidence",
                "Re-hash every stored file (evidence and uploaded document versions) against its recorded SHA-256",
            ).answers::<FilesChecked>(),
            get(verify),
        )
        .op(Op::new("get", "/api/v1/evidence/{id}", "getEvidence", "evidence", "One evidence item").answers::<Evidence>(), get(item))
        .op(
            Op::new("get", "/api/v1/evidence/{id}/file", "downloadEvidence", "evidence", "An evidence file, streamed")
                .file(),
            get(download),
        )
}

/// The query of an upload (targets may repeat, so the raw pairs are read).
fn upload_meta(query: &str) -> Result<(NewEvidence, String), ApiError> {
    let mut new = NewEvidence::default();
    let mut filename = String::from("upload");
    let mut title = None;
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        let v = v.into_owned();
        match k.as_ref() {
            "title" => title = Some(v),
            "control" => new.targets.push(Target { kind: TargetKind::Control, id: v }),
            "requirement" => new.targets.push(Target { kind: TargetKind::Requirement, id: v }),
            "risk" => new.targets.push(Target { kind: TargetKind::Risk, id: v }),
            "audit" => new.targets.push(Target { kind: TargetKind::Audit, id: v }),
            "valid_for_days" => {
                new.valid_for_days =
                    Some(v.parse().map_err(|_| field("valid_for_days", format!("{v:?} is not a number of days")))?);
            }
            "period_start" => new.period_start = Some(date("period_start", &v)?),
            "period_end" => new.period_end = Some(date("period_end", &v)?),
            "filename" => filename = v,
            "note" => new.note = v,
            other => return Err(field(other, "unknown parameter".into()).into()),
        }
    }
    new.title = title.unwrap_or_else(|| filename.clone());
    Ok((new, filename))
}

async fn upload(State(s): State<AppState>, Member(caller): Member, request: Request) -> Result<Response, ApiError> {
    let (new, filename) = upload_meta(request.uri().query().unwrap_or_default())?;
    let media_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let stream = request.into_body().into_data_stream().map_err(std::io::Error::other);
    let mut reader = StreamReader::new(stream);
    let saved = isms_app::evidence::add_file(&s.cx, &caller, new, &filename, &media_type, &mut reader).await?;
    Ok((StatusCode::CREATED, Json(json!(saved))).into_response())
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewLink {
    /// http(s) link to the evidence
    url: String,
    /// What it shows
    title: String,
    /// Annex A control ids
    #[serde(default)]
    controls: Vec<String>,
    /// framework:item ids
    #[serde(default)]
    requirements: Vec<String>,
    /// Risk ids
    #[serde(default)]
    risks: Vec<String>,
    /// Audit ids
    #[serde(default)]
    audits: Vec<String>,
    /// Days it stays current
    valid_for_days: Option<i64>,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    period_start: Option<String>,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    period_end: Option<String>,
    /// Notes
    #[serde(default)]
    note: String,
}

async fn add_link(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(l): JsonBody<NewLink>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut targets: Vec<Target> = l.controls.into_iter().map(|id| Target { kind: TargetKind::Control, id }).collect();
    targets.extend(l.requirements.into_iter().map(|id| Target { kind: TargetKind::Requirement, id }));
    targets.extend(l.risks.into_iter().map(|id| Target { kind: TargetKind::Risk, id }));
    targets.extend(l.audits.into_iter().map(|id| Target { kind: TargetKind::Audit, id }));
    let new = NewEvidence {
        title: l.title,
        targets,
        period_start: l.period_start.map(|d| date("period_start", &d)).transpose()?,
        period_end: l.period_end.map(|d| date("period_end", &d)).transpose()?,
        valid_for_days: l.valid_for_days,
        note: l.note,
    };
    let saved = isms_app::evidence::add_link(&s.cx, &caller, new, &l.url).await?;
    Ok((StatusCode::CREATED, Json(json!(saved))))
}

type Params = Query<std::collections::BTreeMap<String, String>>;

async fn list(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::evidence::list_evidence(&s.cx, &caller).await?, &q)?))
}

async fn freshness(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::evidence::freshness(&s.cx, &caller).await?, &q)?))
}

async fn verify(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let check = isms_app::evidence::verify_files(&s.cx, &caller).await?;
    Ok(Json(json!(FilesChecked { intact: check.broken.is_empty(), checked: check.checked, broken: check.broken })))
}

/// What re-hashing the stored files found.
#[derive(Debug, serde::Serialize, JsonSchema)]
struct FilesChecked {
    /// Whether every file matches what was recorded.
    intact: bool,
    /// Files checked.
    checked: usize,
    /// Those that changed or went missing.
    broken: Vec<BrokenFile>,
}

async fn item(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::evidence::evidence(&s.cx, &caller, &id).await?)))
}

async fn download(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (e, reader, size) = isms_app::evidence::open_file(&s.cx, &caller, &id).await?;
    let (filename, media_type) = match &e.content {
        Content::File { filename, media_type, .. } => (filename.clone(), media_type.clone()),
        Content::Link { .. } => (String::from("file"), String::from("application/octet-stream")),
    };
    let body = Body::from_stream(ReaderStream::with_capacity(reader, 256 * 1024));
    Ok((super::download_headers(&filename, &media_type, size), body).into_response())
}
