//! Findings and their corrective actions, and the nonconformity register.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/findings", "listFindings", AUDITS, "Every finding, newest first")
                .list()
                .answers_page::<Finding>(),
            get(list_findings),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/findings",
                "raiseFinding",
                AUDITS,
                "Raise a finding from an audit; nonconformities get a due date",
            )
            .answers::<Finding>()
            .body_type::<RaiseBody>()
            .ok(201),
            post(raise),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/findings/register",
                "findingRegister",
                AUDITS,
                "The nonconformity register; ?format=md, csv, xlsx (default) or json",
            )
            .exports(&[XLSX, MARKDOWN, CSV, JSON]),
            get(register),
        )
        .op(
            Op::new("get", "/api/v1/findings/{id}", "getFinding", AUDITS, "One finding").answers::<Finding>(),
            get(one_finding),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/findings/{id}/plan",
                "planCorrectiveAction",
                AUDITS,
                "Record the correction, root cause, corrective action, owner and due date",
            )
            .answers::<Finding>()
            .body_type::<PlanAction>(),
            post(plan_action),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/findings/{id}/implemented",
                "correctiveActionDone",
                AUDITS,
                "Mark the corrective action done",
            )
            .answers::<Finding>(),
            post(implemented),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/findings/{id}/verification",
                "verifyFinding",
                AUDITS,
                "Verify the corrective action effective and close the finding",
            )
            .answers::<Finding>()
            .body_type::<VerifyBody>()
            .body_optional(),
            post(verify),
        )
}

async fn list_findings(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(list::page(&isms_app::certification::findings(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RaiseBody {
    /// The audit
    audit: String,
    /// major, minor, observation, opportunity
    grade: Grade,
    /// Clause or control
    requirement: String,
    /// What was found
    description: String,
    /// What the auditor saw
    #[serde(default)]
    evidence: String,
    /// The certification body's deadline (default: the organization's setting)
    #[schemars(extend("format" = "date"))]
    due: Option<String>,
    /// Who must act
    owner: Option<String>,
}

async fn raise(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<RaiseBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let new = NewFinding {
        audit: b.audit,
        grade: b.grade,
        requirement: b.requirement,
        description: b.description,
        evidence: b.evidence,
        due: opt_date("due", b.due.as_deref())?,
        owner: b.owner,
    };
    Ok((StatusCode::CREATED, Json(json!(isms_app::certification::raise_finding(&s.cx, &caller, new).await?))))
}

async fn register(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Response, ApiError> {
    let format = format_of(&q, DocFormat::Xlsx)?;
    let bytes = isms_app::certification_reports::finding_register(&s.cx, &caller, format).await?;
    Ok(download(&format!("nonconformity-register.{}", format.extension()), format.media_type(), bytes))
}

async fn one_finding(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::finding(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlanAction {
    /// The immediate fix
    correction: String,
    /// Why it happened
    root_cause: String,
    /// What stops it recurring
    action: String,
    /// Who acts
    owner: String,
    /// YYYY-MM-DD (default: the finding's due date)
    #[schemars(extend("format" = "date"))]
    due: Option<String>,
}

async fn plan_action(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PlanAction>,
) -> Result<Json<Value>, ApiError> {
    let step = FindingStep::Plan {
        correction: b.correction,
        root_cause: b.root_cause,
        action: b.action,
        owner: b.owner,
        due: opt_date("due", b.due.as_deref())?,
    };
    Ok(Json(json!(isms_app::certification::change_finding(&s.cx, &caller, &id, step).await?)))
}

async fn implemented(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::change_finding(&s.cx, &caller, &id, FindingStep::Implemented).await?)))
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    /// What showed it effective (required for nonconformities)
    #[serde(default)]
    note: String,
}

async fn verify(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let note = optional_json::<VerifyBody>(&body)?.note;
    Ok(Json(json!(isms_app::certification::change_finding(&s.cx, &caller, &id, FindingStep::Verify { note }).await?)))
}
