//! Findings and their corrective actions: raised from an audit, listed, and taken
//! through their steps.

use super::*;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/audits/{id}/finding", post(raise))
        .route("/findings", get(findings))
        .route("/findings/{id}", get(finding_page).post(finding_step))
}

pub(crate) struct FindingRow {
    pub id: String,
    pub source: String,
    pub source_href: String,
    pub grade: &'static str,
    pub grade_key: &'static str,
    pub requirement: String,
    pub description: String,
    pub owner: String,
    pub due: String,
    pub status: &'static str,
    pub overdue: bool,
}

pub(super) fn finding_row(f: &Finding, today: time::Date, names: &crate::pages::Names) -> FindingRow {
    FindingRow {
        id: f.id.clone(),
        source: f.source(),
        source_href: match &f.check {
            Some(c) if f.audit.is_empty() => format!("/checks/{c}"),
            _ => format!("/audits/{}", f.audit),
        },
        grade: f.grade.label(),
        grade_key: match f.grade {
            Grade::Major => "major",
            Grade::Minor => "minor",
            Grade::Observation => "observation",
            Grade::Opportunity => "opportunity",
        },
        requirement: f.requirement.clone(),
        description: f.description.clone(),
        owner: f.owner.as_deref().map(|o| names.of(o)).unwrap_or_default(),
        due: f.due.map(|d| d.to_string()).unwrap_or_default(),
        status: f.status.as_str(),
        overdue: f.overdue(today),
    }
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
    let names = crate::pages::Names::load(&s.cx, &viewer.caller).await?;
    let filter = q.get("show").cloned().unwrap_or_default();
    let rows = all
        .iter()
        .filter(|f| match filter.as_str() {
            "open" => f.is_open(),
            "overdue" => f.overdue(today),
            "major" => f.grade == Grade::Major && f.is_open(),
            _ => true,
        })
        .map(|f| finding_row(f, today, &names))
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
    names: crate::pages::Names,
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
    let names = crate::pages::Names::load(&s.cx, &caller).await?;
    Ok(FindingPage {
        row: finding_row(&f, s.cx.clock.today(), &names),
        members: names.owners(),
        names,
        can_plan: can_act && next.contains(&NextStep::Plan),
        can_mark_implemented: can_act && next.contains(&NextStep::MarkImplemented),
        can_verify: shell.can.any(UseCase::RecordFindings) && next.contains(&NextStep::Verify),
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
