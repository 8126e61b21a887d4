//! The audit programme and each audit: plan, checklist results, completion, copy,
//! and the audit settings.

use super::findings::{FindingRow, finding_row};
use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audits", get(audits).post(plan))
        .route("/audits/settings", post(save_settings))
        .route("/audits/{id}", get(audit_page))
        .route("/audits/{id}/result", post(result))
        .route("/audits/{id}/complete", post(complete))
        .route("/audits/{id}/copy", post(copy))
}

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
    items: Vec<crate::pages::evidence::ItemRow>,
    can_record: bool,
    can_manage: bool,
    /// May upload evidence for the audit.
    can_upload: bool,
    /// (id, title) of the Annex A controls, for the picker.
    controls: Vec<(String, String)>,
    open: bool,
    next_start: String,
    done: Option<String>,
    /// The audit's evidence requests and how they stand.
    requests: Vec<requests::RequestRow>,
    progress: isms_app::requests::RequestProgress,
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
    let names = crate::pages::Names::load(&s.cx, &caller).await?;
    let findings = isms_app::certification::findings(&s.cx, &caller)
        .await?
        .iter()
        .filter(|f| f.audit == a.id)
        .map(|f| finding_row(f, today, &names))
        .collect();
    let items = isms_app::evidence::list_evidence(&s.cx, &caller)
        .await?
        .iter()
        .filter(|e| e.attached_to(isms_domain::evidence::TargetKind::Audit, &a.id))
        .map(|e| crate::pages::evidence::item_row(e, today, &names))
        .collect();
    let (requests, progress) = requests::of_audit(&s, &caller, &a.id).await?;
    let shell = viewer.shell("audits");
    let can_upload = shell.can.any(UseCase::EditControls);
    let controls = if can_upload {
        isms_app::controls::list_controls(&s.cx, &caller)
            .await?
            .into_iter()
            .map(|c| (c.record.control, c.title))
            .collect()
    } else {
        Vec::new()
    };
    Ok(AuditPage {
        requests,
        progress,
        items,
        can_upload,
        controls,
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
