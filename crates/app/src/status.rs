//! Where the ISMS stands, as the dashboard shows it, the API answers it
//! (`GET /api/v1/status`) and `isms status` prints it: implementation progress per
//! Annex A theme, the state of each management-system clause, the risks awaiting
//! acceptance, the certificate, readiness for the next audit, what is overdue, and —
//! for a member — what is theirs to do.

use isms_domain::access::{Grant, UseCase};
use isms_domain::readiness::Readiness;
use isms_domain::register::{ContextIssue, InterestedParty, IsmsRole, Objective, Scope};
use isms_domain::request::RequestStatus;
use isms_domain::review::ReviewStatus;
use isms_domain::risk::ActionStatus;
use isms_domain::soa::ControlStatus;
use isms_domain::text::plural;
use serde::Serialize;
use time::Date;

use crate::access::Actor;
use crate::controls::ControlView;
use crate::documents::MandatoryItem;
use crate::{AppResult, Cx};

/// Implementation progress of one Annex A theme (applicable controls only, except
/// `excluded`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ThemeProgress {
    /// The theme's id (`A.5`).
    pub theme: String,
    /// Its name, as the catalog gives it.
    pub title: String,
    /// Applicable controls.
    pub applicable: usize,
    /// Of those, implemented.
    pub implemented: usize,
    /// Partially implemented.
    pub partial: usize,
    /// Planned.
    pub planned: usize,
    /// Not started.
    pub not_started: usize,
    /// Controls excluded from the SoA.
    pub excluded: usize,
    /// Implemented, in percent of the applicable.
    pub percent: usize,
}

/// Implementation progress per Annex A theme (as the catalog names them).
pub fn progress(themes: &[(String, String)], controls: &[ControlView]) -> Vec<ThemeProgress> {
    themes
        .iter()
        .map(|(theme, title)| {
            let mine: Vec<_> = controls.iter().filter(|c| c.theme == *theme).collect();
            let count = |s: ControlStatus| mine.iter().filter(|c| c.record.applicable && c.record.status == s).count();
            let applicable = mine.iter().filter(|c| c.record.applicable).count();
            let implemented = count(ControlStatus::Implemented);
            ThemeProgress {
                theme: theme.clone(),
                title: title.clone(),
                applicable,
                implemented,
                partial: count(ControlStatus::PartiallyImplemented),
                planned: count(ControlStatus::Planned),
                not_started: count(ControlStatus::NotStarted),
                excluded: mine.len() - applicable,
                percent: (implemented * 100).checked_div(applicable).unwrap_or(0),
            }
        })
        .collect()
}

/// What kind of thing a task is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// An applicable control not implemented yet.
    Control,
    /// A risk treatment action.
    RiskAction,
    /// A review past its date.
    Review,
    /// A document to read and acknowledge.
    Acknowledgement,
    /// A document version waiting for approval.
    Approval,
    /// A document whose review is due.
    DocumentReview,
    /// A nonconformity's corrective action.
    CorrectiveAction,
    /// An auditor's evidence request: to answer (the assignee) or to decide (the auditor).
    EvidenceRequest,
}

/// Something to do, or overdue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// What kind.
    pub kind: TaskKind,
    /// What to do, in words.
    pub what: String,
    /// Where in the web application to do it (a path).
    pub link: String,
    /// When it is due, if it has a date.
    #[serde(with = "isms_domain::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub due: Option<Date>,
    /// True when its date has passed.
    pub overdue: bool,
}

/// Where one management-system clause stands, from what is recorded in isms.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClauseState {
    /// The clause (`4.1`).
    pub clause: &'static str,
    /// Its subject, in our words.
    pub title: &'static str,
    /// True when what it needs is recorded.
    pub ok: bool,
    /// What is recorded, or what is missing.
    pub detail: String,
    /// Where to see it (a path).
    pub link: &'static str,
}

/// The certificate in force (or the latest), as of today.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct CertificateState {
    /// The certificate.
    pub certificate: isms_domain::certification::Certificate,
    /// Its dates.
    pub cycle: isms_domain::certification::Cycle,
    /// Its status today (an active certificate past its expiry is expired).
    pub status_today: isms_domain::certification::CertificateStatus,
}

/// Where the ISMS stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Status {
    /// Today, as isms counted it.
    #[serde(with = "isms_domain::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub today: Date,
    /// Applicable Annex A controls.
    pub applicable: usize,
    /// Of those, implemented.
    pub implemented: usize,
    /// Implemented, in percent of the applicable.
    pub percent: usize,
    /// Progress per Annex A theme.
    pub themes: Vec<ThemeProgress>,
    /// The latest approved SoA version, if any.
    pub soa_version: Option<i64>,
    /// Problems that block approving the SoA draft.
    pub soa_problems: usize,
    /// Risks in the register.
    pub risks: usize,
    /// Risks whose residual level needs an acceptance they do not have.
    pub risks_awaiting_acceptance: usize,
    /// The management-system clauses (4 to 10) and where each stands.
    pub clauses: Vec<ClauseState>,
    /// The acting member's tasks, overdue first then by date (empty for the operator).
    pub my_tasks: Vec<Task>,
    /// Everything overdue in the organization, oldest first.
    pub overdue: Vec<Task>,
    /// The certificate, if one is recorded.
    pub certificate: Option<CertificateState>,
    /// Readiness for the next audit.
    pub readiness: Readiness,
    /// How much of each other framework in use the ISMS covers through the crosswalk.
    pub coverage: Vec<crate::coverage::CrosswalkCoverage>,
}

/// Where the organization's ISMS stands, for the actor (any member may read it).
pub async fn status(cx: &Cx, actor: &Actor) -> AppResult<Status> {
    actor.require(UseCase::ReadIsms)?;
    let today = cx.clock.today();
    let me = match actor {
        Actor::Member(_) => Some(actor.email(cx).await?.to_string()),
        Actor::Operator { .. } => None,
    };
    let controls = crate::controls::list_controls(cx, actor).await?;
    let draft = crate::soa::soa_draft(cx, actor).await?;
    let risks = crate::risks::list_risks(cx, actor).await?;
    let themes = progress(&crate::frameworks::annex_a_themes(cx).await?, &controls);
    let applicable = themes.iter().map(|t| t.applicable).sum();
    let implemented = themes.iter().map(|t| t.implemented).sum();
    let awaiting = risks.iter().filter(|r| r.acceptance_state.awaits_acceptance()).count();
    let (my_tasks, overdue) = tasks(cx, actor, me, &controls).await?;
    let clauses = clauses(cx, actor, &draft, risks.len(), awaiting).await?;
    let certificate = crate::certification::current_certificate(cx, actor).await?.map(|c| CertificateState {
        cycle: c.cycle(),
        status_today: c.status_on(today),
        certificate: c,
    });
    Ok(Status {
        today,
        applicable,
        implemented,
        percent: (implemented * 100).checked_div(applicable).unwrap_or(0),
        themes,
        soa_version: draft.latest_version,
        soa_problems: draft.problems.len(),
        risks: risks.len(),
        risks_awaiting_acceptance: awaiting,
        clauses,
        my_tasks,
        overdue,
        certificate,
        readiness: crate::certification::readiness(cx, actor, None).await?,
        coverage: crate::coverage::crosswalk_coverage(cx, actor).await?,
    })
}

/// The member's own tasks (none for the operator) and everything overdue.
async fn tasks(
    cx: &Cx,
    actor: &Actor,
    me: Option<String>,
    controls: &[ControlView],
) -> AppResult<(Vec<Task>, Vec<Task>)> {
    let today = cx.clock.today();
    let (mut my_tasks, mut overdue) = (Vec::new(), Vec::new());
    // A task goes on the overdue list when late, and on the member's own list when theirs.
    let mut add = |task: Task, mine: bool| {
        if task.overdue {
            overdue.push(task.clone());
        }
        if mine {
            my_tasks.push(task);
        }
    };
    // A document's late review is on the overdue list already, as a review.
    let mut document_reviews = Vec::new();
    let is_me = |email: Option<&str>| me.is_some() && email.is_some_and(|e| Some(e.to_lowercase()) == me);
    for c in controls.iter().filter(|c| c.record.applicable && c.record.status != ControlStatus::Implemented) {
        let task = Task {
            kind: TaskKind::Control,
            what: format!("{} {} — {}", c.record.control, c.title, c.record.status.label()),
            link: format!("/controls/{}", c.record.control),
            due: c.record.target_date,
            overdue: c.record.target_date.is_some_and(|d| d < today),
        };
        add(task, is_me(c.owner_email.as_deref()));
    }
    for step in crate::risks::treatment_plan(cx, actor).await?.iter().filter(|s| s.action.status != ActionStatus::Done)
    {
        let task = Task {
            kind: TaskKind::RiskAction,
            what: format!("{}: {} ({})", step.risk, step.action.title, step.action.status.as_str().replace('_', " ")),
            link: format!("/risks/{}", step.risk),
            due: Some(step.action.due),
            overdue: step.overdue,
        };
        add(task, is_me(Some(&step.action.owner)));
    }
    for r in crate::reviews::due_in_organization(cx, actor).await? {
        if let ReviewStatus::Overdue { due, days } = r.status {
            let link = match r.subject.kind.as_str() {
                "soa" => "/soa".to_owned(),
                "risk" => format!("/risks/{}", r.subject.id),
                "document" => format!("/documents/{}", r.subject.id),
                "asset" => format!("/assets/{}", r.subject.id),
                "scope" | "objective" => "/context".to_owned(),
                _ => "/dashboard".to_owned(),
            };
            let what = format!("Review of {} {} ({days} days late)", r.subject.kind.as_str(), r.subject.id);
            add(Task { kind: TaskKind::Review, what, link, due: Some(due), overdue: true }, false);
        }
    }
    if me.is_some() {
        for d in crate::documents::my_acknowledgements(cx, actor).await? {
            let version = d.in_force().map_or(0, |v| v.number);
            let what = format!("Read and acknowledge {} {} (v{version})", d.id, d.title);
            let task = Task {
                kind: TaskKind::Acknowledgement,
                what,
                link: format!("/documents/{}", d.id),
                due: None,
                overdue: false,
            };
            add(task, true);
        }
    }
    let approves = matches!(actor.require(UseCase::ApproveDocuments), Ok(Grant::Any));
    for d in crate::documents::summaries(cx, actor).await? {
        let link = format!("/documents/{}", d.id);
        if d.open_state == Some("in review") && approves && me.is_some() {
            let what =
                format!("Approve {} {} (v{} waits for approval)", d.id, d.title, d.open_version.unwrap_or_default());
            add(Task { kind: TaskKind::Approval, what, link, due: None, overdue: false }, true);
        } else if matches!(d.review_status, "overdue" | "due soon") && is_me(Some(&d.owner)) {
            let what = format!("Review {} {} ({})", d.id, d.title, d.review_status);
            let overdue = d.review_status == "overdue";
            document_reviews.push(Task { kind: TaskKind::DocumentReview, what, link, due: d.review_due, overdue });
        }
    }
    for f in crate::certification::findings(cx, actor).await?.iter().filter(|f| f.is_open() && f.grade.nonconformity())
    {
        let task = Task {
            kind: TaskKind::CorrectiveAction,
            what: format!("{} {}: {} ({})", f.id, f.grade.label(), f.description, f.status.as_str()),
            link: format!("/findings/{}", f.id),
            due: f.due,
            overdue: f.overdue(today),
        };
        add(task, is_me(f.owner.as_deref()));
    }
    let audits = crate::certification::audits(cx, actor).await?;
    for r in crate::requests::requests(cx, actor, None).await? {
        let link = format!("/requests/{}", r.id);
        if r.status.with_team() {
            let task = Task {
                kind: TaskKind::EvidenceRequest,
                what: format!("Answer {} {} for {}: {} ({})", r.id, r.reference, r.audit, r.text, r.status.as_str()),
                link,
                due: r.due,
                overdue: r.overdue(today),
            };
            add(task, is_me(r.assignee.as_deref()));
        } else if r.status == RequestStatus::Submitted {
            // The auditor decides: the audit's lead auditor, or whoever asked.
            let lead = audits.iter().find(|a| a.id == r.audit).map(|a| a.auditor.as_str());
            if is_me(lead) || is_me(Some(&r.created_by)) {
                let what = format!("Accept or return {} {} for {}: {}", r.id, r.reference, r.audit, r.text);
                add(Task { kind: TaskKind::EvidenceRequest, what, link, due: None, overdue: false }, true);
            }
        }
    }
    my_tasks.extend(document_reviews);
    my_tasks.sort_by_key(|t| (!t.overdue, t.due.is_none(), t.due));
    overdue.sort_by_key(|t| t.due);
    Ok((my_tasks, overdue))
}

/// A clause whose state is the mandatory checklist's item for it.
fn recorded(checklist: &[MandatoryItem], clause: &'static str, title: &'static str, link: &'static str) -> ClauseState {
    let item = checklist.iter().find(|i| i.clause == clause);
    ClauseState {
        clause,
        title,
        ok: item.is_some_and(|i| i.satisfied),
        detail: item
            .map(|i| if i.satisfied { i.by.join(", ") } else { i.missing.clone().unwrap_or_default() })
            .unwrap_or_default(),
        link,
    }
}

/// Where each management-system clause stands.
async fn clauses(
    cx: &Cx,
    actor: &Actor,
    draft: &crate::soa::SoaDraft,
    risks: usize,
    awaiting: usize,
) -> AppResult<Vec<ClauseState>> {
    use crate::registers::{entries, entry};
    let scope = entry::<Scope>(cx, actor, "").await.is_ok();
    let issues = entries::<ContextIssue>(cx, actor).await?.len();
    let parties = entries::<InterestedParty>(cx, actor).await?;
    let roles = entries::<IsmsRole>(cx, actor).await?.len();
    let objectives = entries::<Objective>(cx, actor).await?.len();
    let methodology = crate::risks::methodology(cx, actor).await?;
    let requirements: usize = parties.iter().map(|p| p.requirements.len()).sum();
    let checklist = crate::documents::mandatory_checklist(cx, actor).await?;
    let missing_documents = checklist.iter().filter(|i| !i.satisfied).count();
    let policy = checklist.iter().find(|i| i.clause == "5.2");
    let state = |clause, title, ok, detail, link| ClauseState { clause, title, ok, detail, link };
    Ok(vec![
        state(
            "4.1",
            "Internal and external issues",
            issues > 0,
            plural(issues, "issue recorded", "issues recorded"),
            "/context#issues",
        ),
        state(
            "4.2",
            "Interested parties and their requirements",
            !parties.is_empty(),
            format!(
                "{}, {}",
                plural(parties.len(), "party", "parties"),
                plural(requirements, "requirement", "requirements")
            ),
            "/context#parties",
        ),
        state(
            "4.3",
            "Scope of the ISMS",
            scope,
            if scope { "defined".into() } else { "not defined yet".into() },
            "/context#scope",
        ),
        state(
            "5.2",
            "Information security policy",
            policy.is_some_and(|i| i.satisfied),
            policy
                .map(
                    |i| {
                        if i.satisfied { format!("in force: {}", i.by.join(", ")) } else { "no approved policy".into() }
                    },
                )
                .unwrap_or_default(),
            "/documents",
        ),
        state(
            "5.3",
            "Roles, responsibilities and authorities",
            roles > 0,
            plural(roles, "role", "roles"),
            "/context#roles",
        ),
        state(
            "6.1.2",
            "Risk assessment",
            risks > 0,
            format!("{} under methodology version {}", plural(risks, "risk", "risks"), methodology.version),
            "/risks",
        ),
        state(
            "6.1.3",
            "Risk treatment and the Statement of Applicability",
            draft.latest_version.is_some() && draft.problems.is_empty() && awaiting == 0,
            format!(
                "{}; {} in the draft; {} awaiting acceptance",
                draft.latest_version.map_or("no approved SoA".to_owned(), |v| format!("SoA v{v} approved")),
                plural(draft.problems.len(), "problem", "problems"),
                plural(awaiting, "risk", "risks"),
            ),
            "/soa",
        ),
        state(
            "6.2",
            "Information security objectives",
            objectives > 0,
            plural(objectives, "objective", "objectives"),
            "/context#objectives",
        ),
        state(
            "7.5",
            "Documented information",
            missing_documents == 0,
            format!("{} of {} mandatory items present", checklist.len() - missing_documents, checklist.len()),
            "/documents/checklist",
        ),
        recorded(&checklist, "9.2.2", "Internal audit", "/audits"),
        recorded(&checklist, "9.3.3", "Management review", "/management-reviews"),
        recorded(&checklist, "10.2", "Nonconformity and corrective action", "/findings"),
    ])
}
