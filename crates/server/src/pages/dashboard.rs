//! The dashboard: where the ISMS stands (SoA progress per Annex A theme, the risk heat
//! maps), what is mine to do, and what is overdue.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use isms_app::status::Status;
use isms_domain::risk::HeatMapKind;

use super::risks::{HeatMap, heat_map};
use super::{PageError, Shell, Viewer};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(dashboard))
}

#[derive(Template, WebTemplate)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    /// Where the ISMS stands: the same use case as `GET /api/v1/status` and `isms status`.
    status: Status,
    maps: Vec<HeatMap>,
    milestones: Vec<super::certification::Milestone>,
    readiness_clauses: Vec<(String, usize)>,
    health: isms_app::monitoring::Health,
}

async fn dashboard(State(s): State<AppState>, viewer: Viewer) -> Result<axum::response::Response, PageError> {
    use axum::response::IntoResponse;
    if viewer.role() == isms_domain::Role::ExternalAuditor {
        // An external auditor lands in the workspace of their (first) open audit.
        let open = isms_app::auditors::my_audits(&s.cx, &viewer.caller).await?;
        let first = open.first().ok_or_else(|| {
            PageError(isms_app::AppError::new(
                isms_app::Code::Forbidden,
                "your access to this organization's audits has ended",
            ))
        })?;
        return Ok(super::see_other(&format!("/audits/{first}")));
    }
    Ok(dashboard_page(s, viewer).await?.into_response())
}

async fn dashboard_page(s: AppState, viewer: Viewer) -> Result<DashboardPage, PageError> {
    let caller = viewer.caller;
    let status = isms_app::status::status(&s.cx, &caller).await?;
    let annex_a = isms_app::frameworks::annex_a_themes(&s.cx).await?;
    Ok(DashboardPage {
        maps: vec![
            heat_map(&s.cx, &caller, HeatMapKind::Inherent).await?,
            heat_map(&s.cx, &caller, HeatMapKind::Residual).await?,
        ],
        milestones: status
            .certificate
            .as_ref()
            .map(|c| super::certification::milestones(&c.cycle, status.today))
            .unwrap_or_default(),
        readiness_clauses: super::certification::clause_percentages(&status.readiness, &annex_a),
        health: isms_app::monitoring::health(&s.cx, &caller).await?,
        status,
        shell: viewer.shell("dashboard"),
    })
}
