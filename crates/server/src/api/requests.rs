//! Evidence requests over HTTP: the auditor's list for an audit (written or imported
//! from CSV/XLSX), the team's answers, the auditor's decisions, the thread.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use isms_app::requests::{NewRequest, RequestImport, RequestPlan, Step};
use isms_domain::request::{EvidenceRequest, RequestStatus};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, Path, Query, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

pub(crate) fn routes() -> Api {
    let step = |path: &'static str, id: &'static str, what: &'static str| {
        Op::new("post", path, id, "audits", what).body_type::<StepBody>().answers::<EvidenceRequest>()
    };
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/requests",
                "listRequests",
                "audits",
                "Evidence requests, by id (query: audit, status=open|submitted|accepted|returned)",
            )
            .answers::<Items<EvidenceRequest>>(),
            get(list),
        )
        .op(
            Op::new("post", "/api/v1/requests", "writeRequest", "audits", "Write an evidence request for an audit")
                .body_type::<NewBody>()
                .answers::<EvidenceRequest>()
                .ok(201),
            post(write),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/audits/{id}/requests/import",
                "importRequests",
                "audits",
                "Import an audit's request list; the body is a CSV file or an XLSX workbook (columns reference, \
                 request, and optionally references, due, assignee). Every row is checked first: any bad row is \
                 answered 422 with its line and column, and nothing is stored",
            )
            .file_body()
            .answers::<RequestImport>()
            .ok(201),
            post(import),
        )
        .op(
            Op::new("get", "/api/v1/requests/{id}", "getRequest", "audits", "One evidence request with its thread")
                .answers::<EvidenceRequest>(),
            get(one),
        )
        .op(
            Op::new(
                "patch",
                "/api/v1/requests/{id}",
                "planRequest",
                "audits",
                "Change who answers a request and by when",
            )
            .body_type::<PlanBody>()
            .answers::<EvidenceRequest>(),
            axum::routing::patch(plan),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/requests/{id}/attach",
                "attachToRequest",
                "audits",
                "Attach evidence items and documents (the version in force, or DOC-002@3) to a request's answer",
            )
            .body_type::<AttachBody>()
            .answers::<EvidenceRequest>(),
            post(attach),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/requests/{id}/detach",
                "detachFromRequest",
                "audits",
                "Take evidence items and documents (DOC-002: every version of it) off a request's answer while it is \
                 with the team",
            )
            .body_type::<AttachBody>()
            .answers::<EvidenceRequest>(),
            post(detach),
        )
        .op(
            step(
                "/api/v1/requests/{id}/submit",
                "submitRequest",
                "The team hands its answer to the auditor (needs an attached evidence item or document)",
            ),
            post(submit),
        )
        .op(
            step("/api/v1/requests/{id}/accept", "acceptRequest", "The auditor accepts a submitted answer"),
            post(accept),
        )
        .op(
            step(
                "/api/v1/requests/{id}/return",
                "returnRequest",
                "The auditor returns a submitted answer, saying why (comment required)",
            ),
            post(send_back),
        )
        .op(
            step("/api/v1/requests/{id}/comments", "commentRequest", "A message on the request's thread"),
            post(comment),
        )
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    audit: Option<String>,
    status: Option<String>,
}

async fn list(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let status = match q.status.as_deref() {
        None => None,
        Some(t) => Some(
            RequestStatus::parse(t)
                .ok_or_else(|| field("status", format!("{t:?} is not open, submitted, accepted or returned")))?,
        ),
    };
    let items: Vec<EvidenceRequest> = isms_app::requests::requests(&s.cx, &caller, q.audit.as_deref())
        .await?
        .into_iter()
        .filter(|r| status.is_none_or(|s| r.status == s))
        .collect();
    Ok(Json(json!(Items { items })))
}

/// A request written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct NewBody {
    /// The audit (`AUD-003`).
    audit: String,
    /// The auditor's reference (`PBC-12`), unique within the audit.
    reference: String,
    /// What is asked for.
    text: String,
    /// Clauses, controls and requirements (`9.2`, `A.5.15`).
    #[serde(default)]
    references: Vec<String>,
    /// When the answer is due.
    #[serde(default, with = "isms_domain::dates::option")]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    due: Option<time::Date>,
    /// Who answers (a member's e-mail).
    #[serde(default)]
    assignee: Option<String>,
}

async fn write(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<NewBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = NewRequest {
        audit: b.audit,
        reference: b.reference,
        text: b.text,
        references: b.references,
        due: b.due,
        assignee: b.assignee,
    };
    Ok((StatusCode::CREATED, Json(json!(isms_app::requests::write_request(&s.cx, &caller, new).await?))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportQuery {
    /// The file's name, for messages.
    name: Option<String>,
}

async fn import(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let name = q.name.unwrap_or_else(|| "the request list".to_owned());
    let report = isms_app::requests::import_requests(&s.cx, &caller, &id, &name, &body).await?;
    Ok(super::risks::import_answer(report.stored, &report))
}

async fn one(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::requests::request(&s.cx, &caller, &id).await?)))
}

/// Who answers and by when.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    /// A member's e-mail ("" leaves it unassigned).
    #[serde(default)]
    assignee: Option<String>,
    /// The due date.
    #[serde(default, with = "isms_domain::dates::option")]
    #[schemars(with = "Option<String>", extend("format" = "date"))]
    due: Option<time::Date>,
}

async fn plan(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PlanBody>,
) -> Result<Json<Value>, ApiError> {
    let plan = RequestPlan { assignee: b.assignee, due: b.due };
    Ok(Json(json!(isms_app::requests::plan_request(&s.cx, &caller, &id, plan).await?)))
}

/// What to attach.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AttachBody {
    /// Evidence items (`EVD-004`).
    #[serde(default)]
    evidence: Vec<String>,
    /// Documents (`DOC-002` for the version in force, `DOC-002@3` for a version).
    #[serde(default)]
    documents: Vec<String>,
}

async fn attach(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AttachBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::requests::attach(&s.cx, &caller, &id, &b.evidence, &b.documents).await?)))
}

async fn detach(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AttachBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::requests::detach(&s.cx, &caller, &id, &b.evidence, &b.documents).await?)))
}

/// A step's comment.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StepBody {
    /// What the person says with the step (required to return a request, and for a
    /// message on the thread).
    #[serde(default)]
    comment: String,
}

async fn take(
    s: &AppState,
    caller: &isms_app::access::Actor,
    id: &str,
    step: Step,
    b: StepBody,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::requests::step(&s.cx, caller, id, step, &b.comment).await?)))
}

async fn submit(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<Value>, ApiError> {
    take(&s, &caller, &id, Step::Submit, b).await
}

async fn accept(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<Value>, ApiError> {
    take(&s, &caller, &id, Step::Accept, b).await
}

async fn send_back(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<Value>, ApiError> {
    take(&s, &caller, &id, Step::Return, b).await
}

async fn comment(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepBody>,
) -> Result<Json<Value>, ApiError> {
    take(&s, &caller, &id, Step::Comment, b).await
}
