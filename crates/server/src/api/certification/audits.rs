//! Audits: plan, list, show, reschedule, checklist results, completion, copy, the
//! programme and the report.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(Op::new("get", "/api/v1/audits", "listAudits", AUDITS, "Every audit, by start date").list().answers_page::<Audit>(), get(list_audits))
        .op(
            Op::new("post", "/api/v1/audits", "planAudit", AUDITS, "Plan an audit: its checklist is every clause plus chosen or sampled applicable controls; the answer carries independence warnings").answers::<Planned>()
                .body_type::<PlanBody>()
                .ok(201),
            post(plan_audit),
        )
        .op(
            Op::new("get", "/api/v1/audits/programme", "auditProgramme", AUDITS, "The internal audit programme over the certification cycle and what it does not cover yet").answers::<Programme>(),
            get(programme),
        )
        .op(Op::new("get", "/api/v1/audits/{id}", "getAudit", AUDITS, "One audit with its checklist and independence warnings").answers::<Planned>(), get(one_audit))
        .op(
            Op::new("patch", "/api/v1/audits/{id}", "rescheduleAudit", AUDITS, "Move, reassign or cancel an audit").answers::<Audit>()
                .body_type::<Reschedule>(),
            patch(reschedule),
        )
        .op(
            Op::new("put", "/api/v1/audits/{id}/checklist/{reference}", "recordAuditResult", AUDITS, "Record the result of one checklist line").answers::<Audit>()
                .body_type::<ResultBody>(),
            put(record_result),
        )
        .op(
            Op::new("post", "/api/v1/audits/{id}/completion", "completeAudit", AUDITS, "Complete the audit with its conclusion (every line decided)").answers::<Audit>()
                .body_type::<Conclusion>(),
            post(complete),
        )
        .op(
            Op::new("post", "/api/v1/audits/{id}/copy", "copyAudit", AUDITS, "Plan next cycle's audit from this one: plan and checklist copied, results reset").answers::<Planned>()
                .body_type::<CopyBody>()
                .ok(201),
            post(copy),
        )
        .op(
            Op::new("get", "/api/v1/audits/{id}/report", "auditReport", AUDITS, "The audit report; ?format=md (default), xlsx, csv or json").exports(&[MARKDOWN, XLSX, CSV, JSON]),
            get(report),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/audits/{id}/package",
                "auditPackage",
                AUDITS,
                "The audit package: one ZIP with the SoA version under audit, the risk treatment plan, the audit \
                 report, the nonconformity register, the requests and samples, the linked evidence and document \
                 versions, and manifest.json (each file's SHA-256, the SoA version, the audit trail's head); the \
                 same state gives the same bytes",
            )
            .exports(&["application/zip"]),
            get(package),
        )
}

async fn package(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let (manifest, zip) = isms_app::package::build_package(&s.cx, &caller, &id).await?;
    Ok(download(&format!("audit-package-{}.zip", manifest.audit), "application/zip", zip))
}

async fn list_audits(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(list::page(&isms_app::certification::audits(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    /// internal, stage1, stage2, surveillance1, surveillance2, recertification, special
    kind: String,
    /// The (lead) auditor
    auditor: String,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    start: String,
    /// YYYY-MM-DD (default: start)
    #[schemars(extend("format" = "date"))]
    end: Option<String>,
    /// Default from the kind and year
    #[serde(default)]
    title: String,
    /// Default: the ISMS scope
    #[serde(default)]
    scope: String,
    /// Default: ISO/IEC 27001:2022 and the ISMS documentation
    #[serde(default)]
    criteria: String,
    /// For external audits (default: the certificate's)
    certification_body: Option<String>,
    /// Controls to audit (default: a sample)
    #[serde(default)]
    controls: Vec<String>,
    /// How many applicable controls to sample
    sample: Option<usize>,
}

async fn plan_audit(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<PlanBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = AuditKind::parse(&b.kind).ok_or_else(|| field("kind", format!("{:?} is not an audit kind", b.kind)))?;
    let start = date("start", &b.start)?;
    let end = opt_date("end", b.end.as_deref())?.unwrap_or(start);
    let new = NewAudit {
        kind,
        title: b.title,
        scope: b.scope,
        criteria: b.criteria,
        auditor: b.auditor,
        certification_body: b.certification_body,
        start,
        end,
        controls: b.controls,
        sample: b.sample,
    };
    Ok((StatusCode::CREATED, Json(json!(isms_app::certification::plan_audit(&s.cx, &caller, new).await?))))
}

async fn programme(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::programme(&s.cx, &caller).await?)))
}

async fn one_audit(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::audit(&s.cx, &caller, &id).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Reschedule {
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    start: Option<String>,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    end: Option<String>,
    /// The auditor
    auditor: Option<String>,
    /// true to cancel
    #[serde(default)]
    cancelled: bool,
}

async fn reschedule(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Reschedule>,
) -> Result<Json<Value>, ApiError> {
    let start = opt_date("start", b.start.as_deref())?;
    let end = opt_date("end", b.end.as_deref())?;
    let change = isms_app::certification::Reschedule { start, end, auditor: b.auditor, cancel: b.cancelled };
    Ok(Json(json!(isms_app::certification::reschedule(&s.cx, &caller, &id, change).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ResultBody {
    /// conforming, finding, not_audited or open
    result: CheckResult,
    /// What was seen
    #[serde(default)]
    notes: String,
}

async fn record_result(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, reference)): Path<(String, String)>,
    JsonBody(b): JsonBody<ResultBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::record_result(&s.cx, &caller, &id, &reference, b.result, &b.notes).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct Conclusion {
    /// The report's conclusion
    conclusion: String,
}

async fn complete(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Conclusion>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::complete_audit(&s.cx, &caller, &id, &b.conclusion).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CopyBody {
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    start: String,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    end: Option<String>,
}

async fn copy(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CopyBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let start = date("start", &b.start)?;
    let end = opt_date("end", b.end.as_deref())?.unwrap_or(start);
    Ok((StatusCode::CREATED, Json(json!(isms_app::certification::copy_audit(&s.cx, &caller, &id, start, end).await?))))
}

async fn report(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let format = format_of(&q, DocFormat::Md)?;
    let bytes = isms_app::certification_reports::audit_report(&s.cx, &caller, &id, format).await?;
    Ok(download(&format!("audit-report-{id}.{}", format.extension()), format.media_type(), bytes))
}
