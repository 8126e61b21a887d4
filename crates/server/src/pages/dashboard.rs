//! The dashboard: where the ISMS stands (SoA progress per Annex A theme, the risk heat
//! maps), what is mine to do, and what is overdue.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use isms_app::access::guarded;
use isms_domain::review::ReviewStatus;
use isms_domain::risk::{AcceptanceState, ActionStatus, HeatMapKind};
use isms_domain::soa::ControlStatus;

use super::risks::{HeatMap, heat_map};
use super::soa::{ThemeProgress, progress};
use super::{PageError, Shell, Viewer};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
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
}

async fn dashboard(State(s): State<AppState>, viewer: Viewer) -> Result<DashboardPage, PageError> {
    let caller = viewer.caller;
    let me = viewer.principal.user.email.to_string();
    let today = s.cx.clock.today();
    let controls = guarded::controls(&s.cx, &caller).await?;
    let draft = guarded::soa(&s.cx, &caller).await?;
    let risks = guarded::risks(&s.cx, &caller).await?;
    let plan = guarded::treatment_plan(&s.cx, &caller).await?;
    let reviews = guarded::due_reviews(&s.cx, &caller).await?;

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
    mine.sort_by(|a, b| (!a.overdue, a.due.is_empty(), &a.due).cmp(&(!b.overdue, b.due.is_empty(), &b.due)));
    overdue.sort_by(|a, b| a.due.cmp(&b.due));
    let themes = progress(&controls);
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
        unaccepted: risks
            .iter()
            .filter(|r| {
                matches!(r.acceptance_state, AcceptanceState::Unaccepted { .. } | AcceptanceState::NotAcceptable)
            })
            .count(),
        mine,
        overdue,
        shell: viewer.shell("dashboard"),
    })
}
