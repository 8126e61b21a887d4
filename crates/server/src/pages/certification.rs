//! Certification pages: the certificate with its cycle and readiness, the audit
//! programme, each audit with its checklist, findings and corrective actions,
//! management reviews, and what changed since the last audit.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use isms_app::certification::{Change, FindingStep, NewAudit, NewFinding, Programme};
use isms_domain::access::{Grant, UseCase};
use isms_domain::audit::{
    Audit, AuditKind, AuditStatus, CheckResult, Finding, Grade, ManagementReview, NextStep, REVIEW_INPUTS,
    ReviewAction, ReviewInput,
};
use isms_domain::certification::{Certificate, CertificateStatus, Cycle};
use isms_domain::readiness::{Readiness, Stage};
use serde::Deserialize;

use super::{CsrfForm, NoFields, PageError, Shell, Viewer, encode, notice, see_other};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/certification", get(certification))
        .route("/certification/certificate", post(add_certificate))
        .route("/certification/calendar", post(calendar_address))
        .route("/certification/certificate/{id}", post(certificate_status))
        .route("/audits", get(audits).post(plan))
        .route("/audits/settings", post(save_settings))
        .route("/audits/{id}", get(audit_page))
        .route("/audits/{id}/result", post(result))
        .route("/audits/{id}/finding", post(raise))
        .route("/audits/{id}/complete", post(complete))
        .route("/audits/{id}/copy", post(copy))
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding_page).post(finding_step))
        .route("/management-reviews", get(reviews).post(record_review))
        .route("/management-reviews/{id}/actions/{number}", post(review_action))
        .route("/changes", get(changes))
}

fn invalid(field: &str, message: impl std::fmt::Display) -> PageError {
    PageError(isms_app::AppError::invalid_field(field, message))
}

fn date(field: &str, text: &str) -> Result<time::Date, PageError> {
    Ok(crate::api::date(field, text.trim())?)
}

fn opt_date(field: &str, text: &str) -> Result<Option<time::Date>, PageError> {
    if text.trim().is_empty() { Ok(None) } else { date(field, text).map(Some) }
}

// ---- certification -----------------------------------------------------------------

/// A dated step of the certificate cycle: (what, date, days from today, done?).
pub(crate) struct Milestone {
    pub what: &'static str,
    pub date: String,
    pub days: i64,
    pub past: bool,
}

pub(crate) fn milestones(cycle: &Cycle, today: time::Date) -> Vec<Milestone> {
    [
        ("Certification decision", cycle.issued),
        ("Surveillance audit 1 due by", cycle.surveillance_1_due),
        ("Surveillance audit 2 due by", cycle.surveillance_2_due),
        ("Plan the recertification audit by", cycle.recertification_planned),
        ("Certificate expires", cycle.expiry),
    ]
    .into_iter()
    .map(|(what, d)| Milestone { what, date: d.to_string(), days: (d - today).whole_days(), past: d < today })
    .collect()
}

/// Readiness per clause and per Annex A theme as (label, percent).
pub(crate) fn clause_percentages(r: &Readiness, themes: &[(String, String)]) -> Vec<(String, usize)> {
    let pct = |passed: usize, total: usize| (passed * 100).checked_div(total).unwrap_or(100);
    r.clauses
        .iter()
        .map(|(c, passed, total)| (format!("Clause {c}"), pct(*passed, *total)))
        .chain(r.themes.iter().map(|(t, ready, total)| {
            let title = themes.iter().find(|(k, _)| k == t).map_or("", |(_, title)| title.as_str());
            (format!("{t} {title} ({ready} of {total} controls implemented and evidenced)"), pct(*ready, *total))
        }))
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "certification.html")]
struct CertificationPage {
    shell: Shell,
    certificate: Option<Certificate>,
    status: &'static str,
    milestones: Vec<Milestone>,
    readiness: Readiness,
    stage: &'static str,
    clauses: Vec<(String, usize)>,
    can_manage: bool,
    done: Option<String>,
    /// A calendar subscription address just made (shown once).
    calendar_url: Option<String>,
}

async fn certification(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<CertificationPage, PageError> {
    let stage = q.get("stage").and_then(|s| Stage::parse(s));
    certification_page(&s, &viewer, stage, notice(q.get("done").map(String::as_str)), None).await
}

async fn certification_page(
    s: &AppState,
    viewer: &Viewer,
    stage: Option<Stage>,
    done: Option<String>,
    calendar_url: Option<String>,
) -> Result<CertificationPage, PageError> {
    let caller = viewer.caller;
    let today = s.cx.clock.today();
    let all = isms_app::certification::certificates(&s.cx, &caller).await?;
    // The certificate valid today, or else the latest.
    let certificate = all.iter().find(|c| c.valid_on(today)).or(all.first()).cloned();
    let readiness = isms_app::certification::readiness(&s.cx, &caller, stage).await?;
    let shell = viewer.shell("certification");
    Ok(CertificationPage {
        status: certificate.as_ref().map_or("", |c| c.status_on(today).as_str()),
        milestones: certificate.as_ref().map(|c| milestones(&c.cycle(), today)).unwrap_or_default(),
        stage: match readiness.stage {
            Stage::Stage1 => "1",
            Stage::Stage2 => "2",
            Stage::Surveillance => "surveillance",
        },
        clauses: clause_percentages(&readiness, &isms_app::frameworks::annex_a_themes(&s.cx).await?),
        readiness,
        certificate,
        can_manage: shell.can.any(UseCase::ManageAudits),
        shell,
        done,
        calendar_url,
    })
}

/// Makes a calendar address: a calendar token of the signed-in person (it opens the
/// feed and nothing else), valid a year, in the feed's address, shown once.
async fn calendar_address(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    CsrfForm(viewer, _): CsrfForm<NoFields>,
) -> Result<Response, PageError> {
    let new = isms_app::tokens::NewToken::calendar(None);
    let (_, secret) = isms_app::tokens::create_token(&s.cx, &viewer.principal, new).await?;
    let url = crate::api::calendar_url(&s, &uri, &headers, &secret);
    let page = certification_page(&s, &viewer, None, None, Some(url)).await?;
    let mut response = page.into_response();
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
struct CertificateForm {
    number: String,
    certification_body: String,
    #[serde(default)]
    accreditation_body: String,
    issued: String,
    scope: String,
}

async fn add_certificate(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<CertificateForm>,
) -> Result<Response, PageError> {
    let c = Certificate {
        id: String::new(),
        number: f.number,
        certification_body: f.certification_body,
        accreditation_body: if f.accreditation_body.trim().is_empty() { "ANAB".into() } else { f.accreditation_body },
        issued: date("issued", &f.issued)?,
        scope: f.scope,
        status: CertificateStatus::Active,
        standard: "ISO/IEC 27001:2022".into(),
    };
    let c = isms_app::certification::add_certificate(&s.cx, &viewer.caller, c).await?;
    Ok(see_other(&format!("/certification?done={}", encode(&format!("Recorded certificate {}.", c.number)))))
}

#[derive(Debug, Deserialize)]
struct StatusForm {
    status: CertificateStatus,
}

async fn certificate_status(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<StatusForm>,
) -> Result<Response, PageError> {
    if f.status == CertificateStatus::Expired {
        return Err(invalid("status", "expiry follows from the dates"));
    }
    isms_app::certification::set_certificate_status(&s.cx, &viewer.caller, &id, f.status).await?;
    Ok(see_other(&format!("/certification?done={}", encode(&format!("The certificate is now {}.", f.status.as_str())))))
}

// ---- audits ------------------------------------------------------------------------

pub(crate) struct AuditRow {
    pub id: String,
    pub title: String,
    pub kind: &'static str,
    pub dates: String,
    pub status: &'static str,
    pub auditor: String,
    pub progress: String,
}

fn audit_row(a: &Audit) -> AuditRow {
    let decided = a.checklist.iter().filter(|l| l.result != CheckResult::Open).count();
    AuditRow {
        id: a.id.clone(),
        title: a.title.clone(),
        kind: a.kind.label(),
        dates: if a.start == a.end { a.start.to_string() } else { format!("{} – {}", a.start, a.end) },
        status: a.status.as_str(),
        auditor: a.auditor.clone(),
        progress: format!("{decided} of {}", a.checklist.len()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audits.html")]
struct AuditsPage {
    shell: Shell,
    rows: Vec<AuditRow>,
    programme: Programme,
    kinds: Vec<(&'static str, &'static str)>,
    members: Vec<(String, String)>,
    can_manage: bool,
    open_findings: usize,
    reviews: usize,
    settings: isms_domain::certification::AuditSettings,
    done: Option<String>,
}

async fn audits(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<AuditsPage, PageError> {
    let caller = viewer.caller;
    let programme = isms_app::certification::programme(&s.cx, &caller).await?;
    let all = isms_app::certification::audits(&s.cx, &caller).await?;
    let shell = viewer.shell("audits");
    Ok(AuditsPage {
        rows: all.iter().rev().map(audit_row).collect(),
        programme,
        kinds: AuditKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect(),
        members: isms_app::users::members(&s.cx, &caller)
            .await?
            .into_iter()
            .map(|m| (m.email.to_string(), format!("{} ({})", m.name, m.role.label())))
            .collect(),
        can_manage: shell.can.any(UseCase::ManageAudits),
        open_findings: isms_app::certification::findings(&s.cx, &caller).await?.iter().filter(|f| f.is_open()).count(),
        reviews: isms_app::certification::management_reviews(&s.cx, &caller).await?.len(),
        settings: isms_app::certification::settings(&s.cx, &caller).await?,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct PlanForm {
    kind: String,
    auditor: String,
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    certification_body: String,
    #[serde(default)]
    sample: String,
}

async fn plan(State(s): State<AppState>, CsrfForm(viewer, f): CsrfForm<PlanForm>) -> Result<Response, PageError> {
    let kind =
        AuditKind::parse(&f.kind).ok_or_else(|| invalid("kind", format!("{:?} is not an audit kind", f.kind)))?;
    let start = date("start", &f.start)?;
    let new = NewAudit {
        kind,
        title: f.title,
        scope: String::new(),
        criteria: String::new(),
        auditor: f.auditor,
        certification_body: Some(f.certification_body).filter(|b| !b.trim().is_empty()),
        start,
        end: opt_date("end", &f.end)?.unwrap_or(start),
        controls: vec![],
        sample: if f.sample.trim().is_empty() {
            None
        } else {
            Some(f.sample.trim().parse().map_err(|_| invalid("sample", "a number of controls"))?)
        },
    };
    let planned = isms_app::certification::plan_audit(&s.cx, &viewer.caller, new).await?;
    let mut message = format!("Planned {} with {} checklist lines.", planned.audit.id, planned.audit.checklist.len());
    if !planned.warnings.is_empty() {
        message.push_str(" Check the independence warnings.");
    }
    Ok(see_other(&format!("/audits/{}?done={}", planned.audit.id, encode(&message))))
}

#[derive(Debug, Deserialize)]
struct SettingsForm {
    major_due_days: u32,
    minor_due_days: u32,
    sample_controls: usize,
}

async fn save_settings(
    State(s): State<AppState>,
    CsrfForm(viewer, f): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    let settings = isms_domain::certification::AuditSettings {
        id: String::new(),
        major_due_days: f.major_due_days,
        minor_due_days: f.minor_due_days,
        sample_controls: f.sample_controls,
    };
    isms_app::certification::save_settings(&s.cx, &viewer.caller, settings).await?;
    Ok(see_other(&format!("/audits?done={}", encode("Saved the audit settings."))))
}

pub(crate) struct Line {
    pub reference: String,
    pub title: String,
    pub kind: &'static str,
    pub result: &'static str,
    pub notes: String,
}

fn result_word(r: CheckResult) -> &'static str {
    match r {
        CheckResult::Open => "open",
        CheckResult::Conforming => "conforming",
        CheckResult::Finding => "finding",
        CheckResult::NotAudited => "not_audited",
    }
}

pub(crate) struct FindingRow {
    pub id: String,
    pub audit: String,
    pub grade: &'static str,
    pub grade_key: &'static str,
    pub requirement: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
}

fn finding_row(f: &Finding, today: time::Date) -> FindingRow {
    FindingRow {
        id: f.id.clone(),
        audit: f.audit.clone(),
        grade: f.grade.label(),
        grade_key: match f.grade {
            Grade::Major => "major",
            Grade::Minor => "minor",
            Grade::Observation => "observation",
            Grade::Opportunity => "opportunity",
        },
        requirement: f.requirement.clone(),
        description: f.description.clone(),
        owner: f.owner.clone().unwrap_or_default(),
        due: f.due.map(|d| d.to_string()).unwrap_or_default(),
        status: f.status.as_str(),
        overdue: f.overdue(today),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit_detail.html")]
struct AuditPage {
    shell: Shell,
    audit: Audit,
    kind: &'static str,
    status: &'static str,
    lines: Vec<Line>,
    decided: usize,
    warnings: Vec<String>,
    findings: Vec<FindingRow>,
    /// Evidence attached to the audit.
    items: Vec<super::evidence::ItemRow>,
    can_record: bool,
    can_manage: bool,
    open: bool,
    next_start: String,
    done: Option<String>,
}

impl AuditPage {
    fn rows_or_findings(&self) -> &[FindingRow] {
        &self.findings
    }
}

async fn audit_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<AuditPage, PageError> {
    let caller = viewer.caller;
    let today = s.cx.clock.today();
    let planned = isms_app::certification::audit(&s.cx, &caller, &id).await?;
    let a = planned.audit;
    let findings = isms_app::certification::findings(&s.cx, &caller)
        .await?
        .iter()
        .filter(|f| f.audit == a.id)
        .map(|f| finding_row(f, today))
        .collect();
    let items = isms_app::evidence::list_evidence(&s.cx, &caller)
        .await?
        .iter()
        .filter(|e| e.attached_to(isms_domain::evidence::TargetKind::Audit, &a.id))
        .map(|e| super::evidence::item_row(e, today))
        .collect();
    let shell = viewer.shell("audits");
    Ok(AuditPage {
        items,
        kind: a.kind.label(),
        status: a.status.as_str(),
        lines: a
            .checklist
            .iter()
            .map(|l| Line {
                reference: l.reference.clone(),
                title: l.title.clone(),
                kind: if l.kind == isms_domain::audit::CheckKind::Clause { "clause" } else { "control" },
                result: result_word(l.result),
                notes: l.notes.clone(),
            })
            .collect(),
        decided: a.checklist.iter().filter(|l| l.result != CheckResult::Open).count(),
        warnings: planned.warnings,
        findings,
        can_record: shell.can.any(UseCase::RecordFindings),
        can_manage: shell.can.any(UseCase::ManageAudits),
        open: matches!(a.status, AuditStatus::Planned | AuditStatus::InProgress),
        next_start: time::Date::from_calendar_date(a.start.year() + 1, a.start.month(), a.start.day().min(28))
            .map(|d| d.to_string())
            .unwrap_or_default(),
        audit: a,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct ResultForm {
    reference: String,
    result: CheckResult,
    #[serde(default)]
    notes: String,
}

async fn result(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<ResultForm>,
) -> Result<Response, PageError> {
    isms_app::certification::record_result(&s.cx, &viewer.caller, &id, &f.reference, f.result, &f.notes).await?;
    let anchor = f.reference.replace('.', "-");
    Ok(see_other(&format!("/audits/{id}?done={}#line-{anchor}", encode(&format!("Recorded {}.", f.reference)))))
}

#[derive(Debug, Deserialize)]
struct RaiseForm {
    grade: Grade,
    requirement: String,
    description: String,
    #[serde(default)]
    evidence: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    owner: String,
}

async fn raise(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<RaiseForm>,
) -> Result<Response, PageError> {
    let new = NewFinding {
        audit: id.clone(),
        grade: f.grade,
        requirement: f.requirement,
        description: f.description,
        evidence: f.evidence,
        due: opt_date("due", &f.due)?,
        owner: Some(f.owner).filter(|o| !o.trim().is_empty()),
    };
    let saved = isms_app::certification::raise_finding(&s.cx, &viewer.caller, new).await?;
    Ok(see_other(&format!("/audits/{id}?done={}", encode(&format!("Raised {} ({}).", saved.id, saved.grade.label())))))
}

#[derive(Debug, Deserialize)]
struct CompleteForm {
    conclusion: String,
}

async fn complete(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<CompleteForm>,
) -> Result<Response, PageError> {
    isms_app::certification::complete_audit(&s.cx, &viewer.caller, &id, &f.conclusion).await?;
    Ok(see_other(&format!("/audits/{id}?done={}", encode("Completed: the report is ready."))))
}

#[derive(Debug, Deserialize)]
struct CopyForm {
    start: String,
    #[serde(default)]
    end: String,
}

async fn copy(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<CopyForm>,
) -> Result<Response, PageError> {
    let start = date("start", &f.start)?;
    let end = opt_date("end", &f.end)?.unwrap_or(start);
    let planned = isms_app::certification::copy_audit(&s.cx, &viewer.caller, &id, start, end).await?;
    Ok(see_other(&format!(
        "/audits/{}?done={}",
        planned.audit.id,
        encode(&format!("Planned from {id}: same plan and checklist, results reset."))
    )))
}

// ---- findings ----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "findings.html")]
struct FindingsPage {
    shell: Shell,
    rows: Vec<FindingRow>,
    total: usize,
    open: usize,
    overdue: usize,
    majors: usize,
    filter: String,
}

impl FindingsPage {
    fn rows_or_findings(&self) -> &[FindingRow] {
        &self.rows
    }
}

async fn findings(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<FindingsPage, PageError> {
    let today = s.cx.clock.today();
    let all = isms_app::certification::findings(&s.cx, &viewer.caller).await?;
    let filter = q.get("show").cloned().unwrap_or_default();
    let rows = all
        .iter()
        .filter(|f| match filter.as_str() {
            "open" => f.is_open(),
            "overdue" => f.overdue(today),
            "major" => f.grade == Grade::Major && f.is_open(),
            _ => true,
        })
        .map(|f| finding_row(f, today))
        .collect();
    Ok(FindingsPage {
        shell: viewer.shell("audits"),
        total: all.len(),
        open: all.iter().filter(|f| f.is_open()).count(),
        overdue: all.iter().filter(|f| f.overdue(today)).count(),
        majors: all.iter().filter(|f| f.grade == Grade::Major && f.is_open()).count(),
        rows,
        filter,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "finding.html")]
struct FindingPage {
    shell: Shell,
    f: Finding,
    row: FindingRow,
    /// The steps offered: the finding's next steps (a domain rule) that the viewer's
    /// role allows.
    can_plan: bool,
    can_mark_implemented: bool,
    can_verify: bool,
    members: Vec<(String, String)>,
    done: Option<String>,
}

async fn finding_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<FindingPage, PageError> {
    let caller = viewer.caller;
    let f = isms_app::certification::finding(&s.cx, &caller, &id).await?;
    let shell = viewer.shell("audits");
    let me = viewer.principal.user.email.to_string();
    let can_act = match shell.can.grant(UseCase::ActOnFindings) {
        Grant::Any => true,
        Grant::Assigned => f.owner.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&me)),
        Grant::Denied => false,
    };
    let next = f.next_steps();
    Ok(FindingPage {
        row: finding_row(&f, s.cx.clock.today()),
        can_plan: can_act && next.contains(&NextStep::Plan),
        can_mark_implemented: can_act && next.contains(&NextStep::MarkImplemented),
        can_verify: shell.can.any(UseCase::RecordFindings) && next.contains(&NextStep::Verify),
        members: isms_app::users::members(&s.cx, &caller)
            .await?
            .into_iter()
            .map(|m| (m.email.to_string(), m.name.to_string()))
            .collect(),
        f,
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

#[derive(Debug, Deserialize)]
struct StepForm {
    action: String,
    #[serde(default)]
    correction: String,
    #[serde(default)]
    root_cause: String,
    #[serde(default)]
    corrective_action: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    note: String,
}

async fn finding_step(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<StepForm>,
) -> Result<Response, PageError> {
    let (step, message) = match f.action.as_str() {
        "plan" => (
            FindingStep::Plan {
                correction: f.correction,
                root_cause: f.root_cause,
                action: f.corrective_action,
                owner: f.owner,
                due: opt_date("due", &f.due)?,
            },
            "Corrective action planned.",
        ),
        "implemented" => {
            (FindingStep::Implemented, "Marked implemented: waiting for verification of its effectiveness.")
        }
        "verify" => (FindingStep::Verify { note: f.note }, "Verified effective: the finding is closed."),
        other => return Err(invalid("action", format!("{other:?} is not a step"))),
    };
    isms_app::certification::change_finding(&s.cx, &viewer.caller, &id, step).await?;
    Ok(see_other(&format!("/findings/{id}?done={}", encode(message))))
}

// ---- management reviews ------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "management_reviews.html")]
struct ReviewsPage {
    shell: Shell,
    reviews: Vec<ManagementReview>,
    /// (key, title, briefing)
    inputs: Vec<(&'static str, &'static str, String)>,
    can_manage: bool,
    me: String,
    today: String,
    done: Option<String>,
}

impl ReviewsPage {
    fn input_title(&self, key: &str) -> &'static str {
        REVIEW_INPUTS.iter().find(|(k, _)| *k == key).map_or("", |(_, t)| *t)
    }
}

async fn reviews(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<ReviewsPage, PageError> {
    let caller = viewer.caller;
    let shell = viewer.shell("audits");
    let can_manage = shell.can.any(UseCase::ManageAudits);
    let briefing = if can_manage { isms_app::certification::review_briefing(&s.cx, &caller).await? } else { vec![] };
    Ok(ReviewsPage {
        reviews: isms_app::certification::management_reviews(&s.cx, &caller).await?,
        inputs: REVIEW_INPUTS
            .iter()
            .map(|(k, t)| {
                (*k, *t, briefing.iter().find(|b| b.topic == *k).map(|b| b.notes.clone()).unwrap_or_default())
            })
            .collect(),
        can_manage,
        me: viewer.principal.user.email.to_string(),
        today: s.cx.clock.today().to_string(),
        shell,
        done: notice(q.get("done").map(String::as_str)),
    })
}

async fn record_review(
    State(s): State<AppState>,
    CsrfForm(viewer, form): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let lines = |text: String| -> Vec<String> {
        text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect()
    };
    let mut actions = Vec::new();
    for l in lines(get("actions")) {
        let parts: Vec<&str> = l.split('|').map(str::trim).collect();
        let [title, owner, due] = parts.as_slice() else {
            return Err(invalid("actions", format!("{l:?}: write each action as title | owner | YYYY-MM-DD")));
        };
        actions.push(ReviewAction {
            title: (*title).to_owned(),
            owner: (*owner).to_owned(),
            due: date("actions", due)?,
            done: false,
        });
    }
    let review = ManagementReview {
        id: String::new(),
        held_on: date("held_on", &get("held_on"))?,
        attendees: lines(get("attendees").replace(',', "\n")),
        inputs: REVIEW_INPUTS
            .iter()
            .map(|(k, _)| ReviewInput { topic: (*k).to_owned(), notes: get(&format!("input_{k}")).trim().to_owned() })
            .filter(|i| !i.notes.is_empty())
            .collect(),
        decisions: lines(get("decisions")),
        actions,
    };
    let saved = isms_app::certification::record_management_review(&s.cx, &viewer.caller, review).await?;
    let missing = saved.missing_inputs().len();
    let message = if missing == 0 {
        format!("Recorded {}.", saved.id)
    } else {
        format!("Recorded {}; {missing} required input(s) were not covered.", saved.id)
    };
    Ok(see_other(&format!("/management-reviews?done={}", encode(&message))))
}

#[derive(Debug, Deserialize)]
struct DoneForm {
    done: bool,
}

async fn review_action(
    State(s): State<AppState>,
    Path((id, number)): Path<(String, usize)>,
    CsrfForm(viewer, f): CsrfForm<DoneForm>,
) -> Result<Response, PageError> {
    if number == 0 {
        return Err(invalid("number", "actions are numbered from 1"));
    }
    isms_app::certification::review_action_done(&s.cx, &viewer.caller, &id, number - 1, f.done).await?;
    let message = if f.done { "Marked done." } else { "Reopened." };
    Ok(see_other(&format!("/management-reviews?done={}#{id}", encode(message))))
}

// ---- changes -----------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "changes.html")]
struct ChangesPage {
    shell: Shell,
    since: String,
    /// (entity, rows)
    groups: Vec<(String, Vec<Change>)>,
    total: usize,
}

impl ChangesPage {
    fn href(&self, c: &Change) -> String {
        match c.entity.as_str() {
            "risk" => format!("/risks/{}", c.id),
            "control" => format!("/controls/{}", c.id),
            "document" => format!("/documents/{}", c.id),
            "asset" => format!("/assets/{}", c.id),
            "soa" => "/soa".into(),
            _ => "/context".into(),
        }
    }
}

async fn changes(
    State(s): State<AppState>,
    viewer: Viewer,
    Query(q): Query<BTreeMap<String, String>>,
) -> Result<ChangesPage, PageError> {
    let since = q.get("since").map(|d| date("since", d)).transpose()?;
    let (since, all) = isms_app::certification::changes_since(&s.cx, &viewer.caller, since).await?;
    let mut groups: BTreeMap<String, Vec<Change>> = BTreeMap::new();
    for c in all.iter().cloned() {
        groups.entry(c.entity.replace('_', " ")).or_default().push(c);
    }
    Ok(ChangesPage {
        shell: viewer.shell("audits"),
        since: since.to_string(),
        total: all.len(),
        groups: groups.into_iter().collect(),
    })
}
