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
        .route("/audits/{id}/auditors", post(invite_auditor))
        .route("/audits/{id}/auditors/access", post(change_auditor))
        .route("/audits/{id}/records/{record}", get(record_page))
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
    /// Its external auditors.
    auditors: Vec<isms_app::auditors::AuditorView>,
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
) -> Result<Response, PageError> {
    if viewer.role() == isms_domain::Role::ExternalAuditor {
        return Ok(workspace_page(&s, viewer, &id, &q).await?.into_response());
    }
    Ok(internal_audit_page(s, viewer, id, q).await?.into_response())
}

/// What an external auditor sees of an audit: its workspace.
#[derive(Template, WebTemplate)]
#[template(path = "audit_workspace.html")]
struct WorkspacePage {
    shell: Shell,
    w: isms_app::auditors::Workspace,
    requests: Vec<requests::RequestRow>,
    kind: &'static str,
    done: Option<String>,
}

async fn workspace_page(
    s: &AppState,
    viewer: Viewer,
    id: &str,
    q: &BTreeMap<String, String>,
) -> Result<WorkspacePage, PageError> {
    let w = isms_app::auditors::workspace(&s.cx, &viewer.caller, id).await?;
    let today = s.cx.clock.today();
    Ok(WorkspacePage {
        requests: w.requests.iter().map(|r| requests::request_row(r, today)).collect(),
        kind: w.audit.kind.label(),
        w,
        shell: viewer.shell("audits"),
        done: notice(q.get("done").map(String::as_str)),
    })
}

/// A record drawn in one of the audit's samples.
#[derive(Template, WebTemplate)]
#[template(path = "workspace_record.html")]
struct RecordPage {
    shell: Shell,
    audit: String,
    record: String,
    /// (field, value) of its top-level fields.
    fields: Vec<(String, String)>,
}

async fn record_page(
    State(s): State<AppState>,
    viewer: Viewer,
    Path((id, record)): Path<(String, String)>,
) -> Result<RecordPage, PageError> {
    let value = isms_app::auditors::workspace_record(&s.cx, &viewer.caller, &id, &record).await?;
    let fields = value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let shown = match v {
                        serde_json::Value::String(t) => t.clone(),
                        serde_json::Value::Null => "—".to_owned(),
                        other => other.to_string(),
                    };
                    (k.replace('_', " "), shown)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(RecordPage {
        shell: viewer.shell("audits"),
        audit: id.to_ascii_uppercase(),
        record: record.to_ascii_uppercase(),
        fields,
    })
}

#[derive(Debug, Deserialize)]
struct InviteForm {
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    days_after: String,
}

async fn invite_auditor(
    State(s): State<AppState>,
    Path(id): Path<String>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    CsrfForm(viewer, f): CsrfForm<InviteForm>,
) -> Result<Response, PageError> {
    let email = isms_domain::Email::parse(&f.email).map_err(|e| invalid("email", e))?;
    let name_text = if f.name.trim().is_empty() {
        email.as_str().split('@').next().unwrap_or_default().to_owned()
    } else {
        f.name.clone()
    };
    let name = isms_domain::DisplayName::parse(&name_text).map_err(|e| invalid("name", e))?;
    let days = if f.days_after.trim().is_empty() {
        30
    } else {
        f.days_after.trim().parse().map_err(|_| invalid("days_after", "a number of days"))?
    };
    let base = crate::auth::public_base(&s, &uri, &headers);
    let done = isms_app::auditors::invite_auditor(&s.cx, &viewer.caller, &id, email, name, days, &base).await?;
    match done.invited {
        // The link is shown once, on this page, never in an address.
        Some(i) => Ok(AuditorInvitedPage {
            shell: viewer.shell("audits"),
            audit: done.access.access.audit.clone(),
            email: done.access.access.email.clone(),
            until: done.access.until.to_string(),
            link: i.link,
        }
        .into_response()),
        None => {
            let said = format!("{} may open {id} until {}.", done.access.access.email, done.access.until);
            Ok(see_other(&format!("/audits/{id}?done={}#auditors", encode(&said))))
        }
    }
}

/// The invitation link of an external auditor, shown once.
#[derive(Template, WebTemplate)]
#[template(path = "auditor_invited.html")]
struct AuditorInvitedPage {
    shell: Shell,
    audit: String,
    email: String,
    until: String,
    link: String,
}

#[derive(Debug, Deserialize)]
struct AccessForm {
    email: String,
    #[serde(default)]
    days_after: String,
    #[serde(default)]
    revoke: String,
}

async fn change_auditor(
    State(s): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(viewer, f): CsrfForm<AccessForm>,
) -> Result<Response, PageError> {
    let days = if f.days_after.trim().is_empty() {
        None
    } else {
        Some(f.days_after.trim().parse().map_err(|_| invalid("days_after", "a number of days"))?)
    };
    let v =
        isms_app::auditors::change_auditor(&s.cx, &viewer.caller, &id, &f.email, days, !f.revoke.is_empty()).await?;
    let said = if v.open {
        format!("{} may open {id} until {}.", v.access.email, v.until)
    } else {
        format!("{}'s access to {id} has ended.", v.access.email)
    };
    Ok(see_other(&format!("/audits/{id}?done={}#auditors", encode(&said))))
}

async fn internal_audit_page(
    s: AppState,
    viewer: Viewer,
    id: String,
    q: BTreeMap<String, String>,
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
    let auditors = isms_app::auditors::auditors(&s.cx, &caller, &a.id).await?;
    Ok(AuditPage {
        auditors,
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
