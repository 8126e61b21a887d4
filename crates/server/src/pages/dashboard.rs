//! The dashboard: where the ISMS stands (SoA progress per Annex A theme, the risk heat
//! maps), what is mine to do, and what is overdue.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use isms_domain::access::UseCase;
use isms_domain::register::{ContextIssue, InterestedParty, IsmsRole, Objective, Scope};
use isms_domain::review::ReviewStatus;
use isms_domain::risk::{ActionStatus, HeatMapKind};
use isms_domain::soa::ControlStatus;

use super::risks::{HeatMap, heat_map};
use super::soa::{ThemeProgress, progress};
use super::{PageError, Shell, Viewer};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

/// Where one management-system clause stands, from what is recorded in isms.
pub(crate) struct ClauseState {
    pub clause: &'static str,
    pub title: &'static str,
    pub ok: bool,
    pub detail: String,
    pub href: &'static str,
}

/// A clause whose state is the mandatory checklist's item for it.
fn recorded(
    checklist: &[isms_app::documents::MandatoryItem],
    clause: &'static str,
    title: &'static str,
    href: &'static str,
) -> ClauseState {
    let item = checklist.iter().find(|i| i.clause == clause);
    ClauseState {
        clause,
        title,
        ok: item.is_some_and(|i| i.satisfied),
        detail: item
            .map(|i| if i.satisfied { i.by.join(", ") } else { i.missing.clone().unwrap_or_default() })
            .unwrap_or_default(),
        href,
    }
}

/// Something to do or overdue: what, where to do it, and when it is due.
pub(crate) struct Task {
    pub what: String,
    pub href: String,
    pub due: String,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    themes: Vec<ThemeProgress>,
    applicable: usize,
    implemented: usize,
    percent: usize,
    soa_problems: usize,
    soa_version: Option<i64>,
    maps: Vec<HeatMap>,
    risks: usize,
    unaccepted: usize,
    mine: Vec<Task>,
    overdue: Vec<Task>,
    clauses: Vec<ClauseState>,
    /// (number, status today) of the certificate.
    certificate: Option<(String, &'static str)>,
    milestones: Vec<super::certification::Milestone>,
    readiness: isms_domain::readiness::Readiness,
    readiness_clauses: Vec<(String, usize)>,
}

async fn dashboard(State(s): State<AppState>, viewer: Viewer) -> Result<DashboardPage, PageError> {
    let caller = viewer.caller;
    let me = viewer.principal.user.email.to_string();
    let today = s.cx.clock.today();
    let controls = isms_app::controls::list_controls(&s.cx, &caller).await?;
    let draft = isms_app::soa::soa_draft(&s.cx, &caller).await?;
    let risks = isms_app::risks::list_risks(&s.cx, &caller).await?;
    let plan = isms_app::risks::treatment_plan(&s.cx, &caller).await?;
    let reviews = isms_app::reviews::due_in_organization(&s.cx, &caller).await?;

    let mut mine = Vec::new();
    let mut overdue = Vec::new();
    for c in &controls {
        let open = c.record.applicable && c.record.status != ControlStatus::Implemented;
        let late = open && c.record.target_date.is_some_and(|d| d < today);
        let task = || Task {
            what: format!("{} {} — {}", c.record.control, c.title, c.record.status.label()),
            href: format!("/controls/{}", c.record.control),
            due: c.record.target_date.map(|d| d.to_string()).unwrap_or_default(),
            overdue: late,
        };
        if open && c.owner_email.as_deref() == Some(me.as_str()) {
            mine.push(task());
        }
        if late {
            overdue.push(task());
        }
    }
    for step in &plan {
        if step.action.status == ActionStatus::Done {
            continue;
        }
        let task = || Task {
            what: format!("{}: {} ({})", step.risk, step.action.title, step.action.status.as_str().replace('_', " ")),
            href: format!("/risks/{}", step.risk),
            due: step.action.due.to_string(),
            overdue: step.overdue,
        };
        if step.action.owner.eq_ignore_ascii_case(&me) {
            mine.push(task());
        }
        if step.overdue {
            overdue.push(task());
        }
    }
    for r in &reviews {
        if let ReviewStatus::Overdue { due, days } = r.status {
            let href = match r.subject.kind.as_str() {
                "soa" => "/soa".to_owned(),
                "risk" => format!("/risks/{}", r.subject.id),
                "document" => format!("/documents/{}", r.subject.id),
                "asset" => format!("/assets/{}", r.subject.id),
                "scope" | "objective" => "/context".to_owned(),
                _ => "/dashboard".to_owned(),
            };
            overdue.push(Task {
                what: format!("Review of {} {} ({days} days late)", r.subject.kind.as_str(), r.subject.id),
                href,
                due: due.to_string(),
                overdue: true,
            });
        }
    }
    for d in isms_app::documents::my_acknowledgements(&s.cx, &caller).await? {
        let version = d.in_force().map_or(0, |v| v.number);
        mine.push(Task {
            what: format!("Read and acknowledge {} {} (v{version})", d.id, d.title),
            href: format!("/documents/{}", d.id),
            due: String::new(),
            overdue: false,
        });
    }
    for d in isms_app::documents::summaries(&s.cx, &caller).await? {
        let waiting = d.open_state == Some("in review") && viewer.shell("dashboard").can.any(UseCase::ApproveDocuments);
        let review = matches!(d.review_status, "overdue" | "due soon") && d.owner.eq_ignore_ascii_case(&me);
        if waiting || review {
            mine.push(Task {
                what: if waiting {
                    format!("Approve {} {} (v{} waits for approval)", d.id, d.title, d.open_version.unwrap_or_default())
                } else {
                    format!("Review {} {} ({})", d.id, d.title, d.review_status)
                },
                href: format!("/documents/{}", d.id),
                due: if waiting { String::new() } else { d.review_due.map(|d| d.to_string()).unwrap_or_default() },
                overdue: !waiting && d.review_status == "overdue",
            });
        }
    }
    for f in isms_app::certification::findings(&s.cx, &caller)
        .await?
        .iter()
        .filter(|f| f.is_open() && f.grade.nonconformity())
    {
        let late = f.overdue(today);
        let task = || Task {
            what: format!("{} {}: {} ({})", f.id, f.grade.label(), f.description, f.status.as_str()),
            href: format!("/findings/{}", f.id),
            due: f.due.map(|d| d.to_string()).unwrap_or_default(),
            overdue: late,
        };
        if f.owner.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(&me)) {
            mine.push(task());
        }
        if late {
            overdue.push(task());
        }
    }
    mine.sort_by(|a, b| (!a.overdue, a.due.is_empty(), &a.due).cmp(&(!b.overdue, b.due.is_empty(), &b.due)));
    overdue.sort_by(|a, b| a.due.cmp(&b.due));
    let scope = isms_app::registers::entry::<Scope>(&s.cx, &caller, "").await.ok();
    let issues = isms_app::registers::entries::<ContextIssue>(&s.cx, &caller).await?.len();
    let parties = isms_app::registers::entries::<InterestedParty>(&s.cx, &caller).await?;
    let roles = isms_app::registers::entries::<IsmsRole>(&s.cx, &caller).await?.len();
    let objectives = isms_app::registers::entries::<Objective>(&s.cx, &caller).await?.len();
    let methodology = isms_app::risks::methodology(&s.cx, &caller).await?;
    let unaccepted_count = risks.iter().filter(|r| r.acceptance_state.awaits_acceptance()).count();
    let requirements: usize = parties.iter().map(|p| p.requirements.len()).sum();
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("1 {one}") } else { format!("{n} {many}") };
    let checklist = isms_app::documents::mandatory_checklist(&s.cx, &caller).await?;
    let missing_documents = checklist.iter().filter(|i| !i.satisfied).count();
    let clauses = vec![
        ClauseState {
            clause: "4.1",
            title: "Internal and external issues",
            ok: issues > 0,
            detail: plural(issues, "issue recorded", "issues recorded"),
            href: "/context#issues",
        },
        ClauseState {
            clause: "4.2",
            title: "Interested parties and their requirements",
            ok: !parties.is_empty(),
            detail: format!(
                "{}, {}",
                plural(parties.len(), "party", "parties"),
                plural(requirements, "requirement", "requirements")
            ),
            href: "/context#parties",
        },
        ClauseState {
            clause: "4.3",
            title: "Scope of the ISMS",
            ok: scope.is_some(),
            detail: if scope.is_some() { "defined".into() } else { "not defined yet".into() },
            href: "/context#scope",
        },
        ClauseState {
            clause: "5.2",
            title: "Information security policy",
            ok: checklist.iter().any(|i| i.clause == "5.2" && i.satisfied),
            detail: checklist
                .iter()
                .find(|i| i.clause == "5.2")
                .map(
                    |i| {
                        if i.satisfied { format!("in force: {}", i.by.join(", ")) } else { "no approved policy".into() }
                    },
                )
                .unwrap_or_default(),
            href: "/documents",
        },
        ClauseState {
            clause: "5.3",
            title: "Roles, responsibilities and authorities",
            ok: roles > 0,
            detail: plural(roles, "role", "roles"),
            href: "/context#roles",
        },
        ClauseState {
            clause: "6.1.2",
            title: "Risk assessment",
            ok: !risks.is_empty(),
            detail: format!(
                "{} under methodology version {}",
                plural(risks.len(), "risk", "risks"),
                methodology.version
            ),
            href: "/risks",
        },
        ClauseState {
            clause: "6.1.3",
            title: "Risk treatment and the Statement of Applicability",
            ok: draft.latest_version.is_some() && draft.problems.is_empty() && unaccepted_count == 0,
            detail: format!(
                "{}; {} in the draft; {} awaiting acceptance",
                draft.latest_version.map_or("no approved SoA".to_owned(), |v| format!("SoA v{v} approved")),
                plural(draft.problems.len(), "problem", "problems"),
                plural(unaccepted_count, "risk", "risks"),
            ),
            href: "/soa",
        },
        ClauseState {
            clause: "6.2",
            title: "Information security objectives",
            ok: objectives > 0,
            detail: plural(objectives, "objective", "objectives"),
            href: "/context#objectives",
        },
        ClauseState {
            clause: "7.5",
            title: "Documented information",
            ok: missing_documents == 0,
            detail: format!("{} of {} mandatory items present", checklist.len() - missing_documents, checklist.len()),
            href: "/documents/checklist",
        },
        recorded(&checklist, "9.2", "Internal audit", "/audits"),
        recorded(&checklist, "9.3", "Management review", "/management-reviews"),
        recorded(&checklist, "10.2", "Nonconformity and corrective action", "/findings"),
    ];
    let certificate = isms_app::certification::certificates(&s.cx, &caller).await?.into_iter().next();
    let readiness = isms_app::certification::readiness(&s.cx, &caller, None).await?;
    let annex_a = isms_app::frameworks::annex_a_themes(&s.cx).await?;
    let themes = progress(&annex_a, &controls);
    let applicable = themes.iter().map(|t| t.applicable).sum();
    let implemented = themes.iter().map(|t| t.implemented).sum();
    Ok(DashboardPage {
        applicable,
        implemented,
        percent: (implemented * 100).checked_div(applicable).unwrap_or(0),
        themes,
        soa_problems: draft.problems.len(),
        soa_version: draft.latest_version,
        maps: vec![
            heat_map(&s.cx, &caller, HeatMapKind::Inherent).await?,
            heat_map(&s.cx, &caller, HeatMapKind::Residual).await?,
        ],
        risks: risks.len(),
        unaccepted: risks.iter().filter(|r| r.acceptance_state.awaits_acceptance()).count(),
        mine,
        overdue,
        clauses,
        milestones: certificate
            .as_ref()
            .map(|c| super::certification::milestones(&c.cycle(), today))
            .unwrap_or_default(),
        certificate: certificate.map(|c| (c.number.clone(), c.status_on(today).as_str())),
        readiness_clauses: super::certification::clause_percentages(&readiness, &annex_a),
        readiness,
        shell: viewer.shell("dashboard"),
    })
}
