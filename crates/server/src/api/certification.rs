//! Audits, findings and corrective actions, management reviews, the certificate,
//! readiness, what changed since the last audit, and the iCalendar feed.

use super::doc::media::{CSV, ICALENDAR, JSON, MARKDOWN, XLSX};
use std::collections::BTreeMap;

use super::{Path, Query};
use axum::Json;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use isms_app::certification::{Change, FindingStep, NewAudit, NewFinding, Planned, Programme};
use isms_app::export::DocFormat;
use isms_domain::audit::{Audit, AuditKind, CheckResult, Finding, Grade, ManagementReview, ReviewAction, ReviewInput};
use isms_domain::certification::{AuditSettings, Certificate, CertificateStatus, Cycle};
use isms_domain::readiness::{Readiness, Stage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body as JsonBody, Items, date, download, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

const AUDITS: &str = "audits";

pub(crate) fn routes() -> Api {
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
        .op(Op::new("get", "/api/v1/findings", "listFindings", AUDITS, "Every finding, newest first").list().answers_page::<Finding>(), get(list_findings))
        .op(
            Op::new("post", "/api/v1/findings", "raiseFinding", AUDITS, "Raise a finding from an audit; nonconformities get a due date").answers::<Finding>()
                .body_type::<RaiseBody>()
                .ok(201),
            post(raise),
        )
        .op(
            Op::new("get", "/api/v1/findings/register", "findingRegister", AUDITS, "The nonconformity register; ?format=md, csv, xlsx (default) or json").exports(&[XLSX, MARKDOWN, CSV, JSON]),
            get(register),
        )
        .op(Op::new("get", "/api/v1/findings/{id}", "getFinding", AUDITS, "One finding").answers::<Finding>(), get(one_finding))
        .op(
            Op::new("post", "/api/v1/findings/{id}/plan", "planCorrectiveAction", AUDITS, "Record the correction, root cause, corrective action, owner and due date").answers::<Finding>()
                .body_type::<PlanAction>(),
            post(plan_action),
        )
        .op(
            Op::new("post", "/api/v1/findings/{id}/implemented", "correctiveActionDone", AUDITS, "Mark the corrective action done").answers::<Finding>(),
            post(implemented),
        )
        .op(
            Op::new("post", "/api/v1/findings/{id}/verification", "verifyFinding", AUDITS, "Verify the corrective action effective and close the finding").answers::<Finding>()
                .body_type::<VerifyBody>()
                .body_optional(),
            post(verify),
        )
        .op(
            Op::new("get", "/api/v1/management-reviews", "listManagementReviews", AUDITS, "Management reviews, newest first").list().answers_page::<ManagementReview>(),
            get(list_reviews),
        )
        .op(
            Op::new("post", "/api/v1/management-reviews", "recordManagementReview", AUDITS, "Record a management review (9.3)").answers::<ReviewRecorded>()
                .body_type::<ManagementReviewBody>()
                .ok(201),
            post(record_review),
        )
        .op(
            Op::new("get", "/api/v1/management-reviews/briefing", "managementReviewBriefing", AUDITS, "What isms knows for each management-review input").answers::<Items<BriefingItem>>(),
            get(briefing),
        )
        .op(
            Op::new("put", "/api/v1/management-reviews/{id}/actions/{number}", "setManagementReviewAction", AUDITS, "Mark a management review's action (1, 2, …) done or not done: the action's owner, an owner or an ISMS manager").answers::<ManagementReview>()
                .body_type::<DoneBody>(),
            put(review_action),
        )
        .op(Op::new("get", "/api/v1/certificates", "listCertificates", AUDITS, "Certificates with their cycles").answers::<Items<CertificateToday>>(), get(list_certificates))
        .op(
            Op::new("post", "/api/v1/certificates", "addCertificate", AUDITS, "Record a certificate (refused while a major nonconformity is open)").answers::<CertificateCycle>()
                .body_type::<CertificateBody>()
                .ok(201),
            post(add_certificate),
        )
        .op(
            Op::new("patch", "/api/v1/certificates/{id}", "setCertificateStatus", AUDITS, "Record a suspension, withdrawal or reinstatement").answers::<CertificateCycle>()
                .body_type::<StatusBody>(),
            patch(certificate_status),
        )
        .op(
            Op::new("get", "/api/v1/audit-settings", "getAuditSettings", AUDITS, "Default corrective-action deadlines and the control sample size").answers::<AuditSettings>(),
            get(get_settings),
        )
        .op(
            Op::new("put", "/api/v1/audit-settings", "saveAuditSettings", AUDITS, "Change the default corrective-action deadlines and the control sample size").answers::<AuditSettings>()
                .body_type::<SettingsBody>(),
            put(save_settings),
        )
        .op(
            Op::new("get", "/api/v1/readiness", "readiness", AUDITS, "Could we pass Stage 1, Stage 2 or the next surveillance audit today? ?stage=1|2|surveillance (default: the next)").answers::<Readiness>(),
            get(readiness),
        )
        .op(
            Op::new("get", "/api/v1/readiness/report", "readinessReport", AUDITS, "The readiness report; ?stage=…&format=xlsx (default) or md").exports(&[XLSX, MARKDOWN]),
            get(readiness_report),
        )
        .op(
            Op::new("get", "/api/v1/changes", "changesSince", AUDITS, "Records new, changed or removed since the last audit; ?since=YYYY-MM-DD").answers::<ChangesSince>(),
            get(changes),
        )
        .op(
            Op::new("get", "/api/v1/calendar.ics", "calendar", AUDITS, "Audit dates, certificate deadlines, corrective actions and reviews as an iCalendar feed; calendar applications pass a calendar token (POST /api/v1/calendar/tokens) as ?token=").exports(&[ICALENDAR]),
            get(calendar),
        )
}

type Params = Query<BTreeMap<String, String>>;

fn opt_date(name: &str, v: Option<&str>) -> Result<Option<time::Date>, ApiError> {
    Ok(v.filter(|s| !s.trim().is_empty()).map(|s| date(name, s)).transpose()?)
}

async fn list_audits(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::certification::audits(&s.cx, &caller).await?, &q)?))
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

fn format_of(q: &BTreeMap<String, String>, default: DocFormat) -> Result<DocFormat, ApiError> {
    Ok(q.get("format").map(|f| DocFormat::parse(f)).transpose()?.unwrap_or(default))
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

async fn list_findings(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::certification::findings(&s.cx, &caller).await?, &q)?))
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
    let note = super::optional_json::<VerifyBody>(&body)?.note;
    Ok(Json(json!(isms_app::certification::change_finding(&s.cx, &caller, &id, FindingStep::Verify { note }).await?)))
}

async fn list_reviews(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(super::list::page(&isms_app::certification::management_reviews(&s.cx, &caller).await?, &q)?))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    /// What
    title: String,
    /// Who (e-mail)
    owner: String,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    due: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ManagementReviewBody {
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    held_on: String,
    /// Who attended
    attendees: Vec<String>,
    /// [{topic, notes}] (topics: see the briefing)
    #[serde(default)]
    inputs: Vec<ReviewInput>,
    /// Decisions
    #[serde(default)]
    decisions: Vec<String>,
    /// [{title, owner, due}]
    #[serde(default)]
    actions: Vec<ActionBody>,
}

async fn record_review(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<ManagementReviewBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let mut actions = Vec::new();
    for a in b.actions {
        actions.push(ReviewAction { due: date("actions.due", &a.due)?, title: a.title, owner: a.owner, done: false });
    }
    let review = ManagementReview {
        id: String::new(),
        held_on: date("held_on", &b.held_on)?,
        attendees: b.attendees,
        inputs: b.inputs,
        decisions: b.decisions,
        actions,
    };
    let saved = isms_app::certification::record_management_review(&s.cx, &caller, review).await?;
    let missing = saved.missing_inputs();
    Ok((StatusCode::CREATED, Json(json!(ReviewRecorded { review: saved, inputs_not_covered: missing }))))
}

/// A management review recorded, and the inputs (9.3.2) it did not cover.
#[derive(Debug, Serialize, JsonSchema)]
struct ReviewRecorded {
    /// The review.
    review: ManagementReview,
    /// Keys of the required inputs it did not cover.
    inputs_not_covered: Vec<&'static str>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct DoneBody {
    /// true when done
    done: bool,
}

async fn review_action(
    State(s): State<AppState>,
    Member(caller): Member,
    Path((id, number)): Path<(String, usize)>,
    JsonBody(b): JsonBody<DoneBody>,
) -> Result<Json<Value>, ApiError> {
    if number == 0 {
        return Err(field("number", "actions are numbered from 1".into()).into());
    }
    Ok(Json(json!(isms_app::certification::review_action_done(&s.cx, &caller, &id, number - 1, b.done).await?)))
}

async fn briefing(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let inputs = isms_app::certification::review_briefing(&s.cx, &caller).await?;
    let items: Vec<BriefingItem> = inputs
        .iter()
        .map(|i| {
            let title = isms_domain::audit::REVIEW_INPUTS.iter().find(|(k, _)| *k == i.topic).map_or("", |(_, t)| *t);
            BriefingItem { topic: i.topic.clone(), title, notes: i.notes.clone() }
        })
        .collect();
    Ok(Json(json!(Items { items })))
}

/// One input of a management review (9.3.2), with what the ISMS says about it.
#[derive(Debug, Serialize, JsonSchema)]
struct BriefingItem {
    /// The input's key.
    topic: String,
    /// The input as the standard words it.
    title: &'static str,
    /// What the ISMS says about it.
    notes: String,
}

async fn list_certificates(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let today = s.cx.clock.today();
    let items: Vec<CertificateToday> = isms_app::certification::certificates(&s.cx, &caller)
        .await?
        .into_iter()
        .map(|c| CertificateToday { cycle: c.cycle(), status_today: c.status_on(today), certificate: c })
        .collect();
    Ok(Json(json!(Items { items })))
}

/// A certificate, its audit cycle and its status today.
#[derive(Debug, Serialize, JsonSchema)]
struct CertificateToday {
    /// The certificate.
    certificate: Certificate,
    /// Its three-year cycle of audits.
    cycle: Cycle,
    /// Its status today (expired once past its end).
    status_today: CertificateStatus,
}

/// A certificate and its audit cycle.
#[derive(Debug, Serialize, JsonSchema)]
struct CertificateCycle {
    /// The certificate.
    certificate: Certificate,
    /// Its three-year cycle of audits.
    cycle: Cycle,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CertificateBody {
    /// The certificate number
    number: String,
    /// Who certified
    certification_body: String,
    /// Default ANAB
    accreditation_body: Option<String>,
    /// The certification decision date
    #[schemars(extend("format" = "date"))]
    issued: String,
    /// The scope statement on the certificate
    scope: String,
}

async fn add_certificate(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<CertificateBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let c = Certificate {
        id: String::new(),
        number: b.number,
        certification_body: b.certification_body,
        accreditation_body: b.accreditation_body.unwrap_or_else(|| "ANAB".into()),
        issued: date("issued", &b.issued)?,
        scope: b.scope,
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
    };
    let c = isms_app::certification::add_certificate(&s.cx, &caller, c).await?;
    Ok((StatusCode::CREATED, Json(json!(CertificateCycle { cycle: c.cycle(), certificate: c }))))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StatusBody {
    /// active, suspended or withdrawn
    status: CertificateStatus,
}

async fn certificate_status(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    if b.status == CertificateStatus::Expired {
        return Err(
            field("status", "expiry follows from the dates; record active, suspended or withdrawn".into()).into()
        );
    }
    let c = isms_app::certification::set_certificate_status(&s.cx, &caller, &id, b.status).await?;
    Ok(Json(json!(CertificateCycle { cycle: c.cycle(), certificate: c })))
}

async fn get_settings(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::settings(&s.cx, &caller).await?)))
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SettingsBody {
    /// Days to correct a major nonconformity (default 30)
    major_due_days: Option<u32>,
    /// Days to correct a minor nonconformity (default 90)
    minor_due_days: Option<u32>,
    /// Controls an internal audit samples (default 12)
    sample_controls: Option<usize>,
}

async fn save_settings(
    State(s): State<AppState>,
    Member(caller): Member,
    JsonBody(b): JsonBody<SettingsBody>,
) -> Result<Json<Value>, ApiError> {
    let now = isms_app::certification::settings(&s.cx, &caller).await?;
    let next = AuditSettings {
        id: now.id,
        major_due_days: b.major_due_days.unwrap_or(now.major_due_days),
        minor_due_days: b.minor_due_days.unwrap_or(now.minor_due_days),
        sample_controls: b.sample_controls.unwrap_or(now.sample_controls),
    };
    Ok(Json(json!(isms_app::certification::save_settings(&s.cx, &caller, next).await?)))
}

fn stage_of(q: &BTreeMap<String, String>) -> Result<Option<Stage>, ApiError> {
    q.get("stage")
        .map(|s| Stage::parse(s).ok_or_else(|| field("stage", format!("{s:?} is not 1, 2 or surveillance")).into()))
        .transpose()
}

async fn readiness(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::certification::readiness(&s.cx, &caller, stage_of(&q)?).await?)))
}

async fn readiness_report(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Params,
) -> Result<Response, ApiError> {
    let format = format_of(&q, DocFormat::Xlsx)?;
    let r = isms_app::certification::readiness(&s.cx, &caller, stage_of(&q)?).await?;
    let bytes = isms_app::certification_reports::readiness_report(&r, format)?;
    Ok(download(&format!("readiness.{}", format.extension()), format.media_type(), bytes))
}

async fn changes(State(s): State<AppState>, Member(caller): Member, Query(q): Params) -> Result<Json<Value>, ApiError> {
    let since = opt_date("since", q.get("since").map(String::as_str))?;
    let (since, items) = isms_app::certification::changes_since(&s.cx, &caller, since).await?;
    Ok(Json(json!(ChangesSince { since: since.to_string(), items })))
}

/// What changed since a date.
#[derive(Debug, Serialize, JsonSchema)]
struct ChangesSince {
    /// The date (YYYY-MM-DD).
    #[schemars(extend("format" = "date"))]
    since: String,
    /// The changes.
    items: Vec<Change>,
}

/// The feed answers a session, an API token as `Authorization: Bearer`, or a calendar
/// token as `?token=` (calendar applications cannot send headers; an address gets
/// copied and shared, so only a calendar token — which opens nothing else — may
/// travel in one).
async fn calendar(State(s): State<AppState>, Query(q): Params, request: Request) -> Result<Response, ApiError> {
    let (mut parts, _) = request.into_parts();
    let caller = match q.get("token") {
        Some(t) => isms_app::tokens::authenticate_calendar(&s.cx, t.trim()).await?,
        None => Member::from_request_parts(&mut parts, &s).await?.0,
    };
    let base = crate::auth::base_url(&parts.uri, &parts.headers);
    let ics = isms_app::certification_reports::calendar(&s.cx, &caller, &base).await?;
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], ics)
        .into_response())
}
