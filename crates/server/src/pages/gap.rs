//! The gap analysis and the roadmap to certification, for management.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use isms_app::gap::{GapAnalysis, GapRow};
use isms_domain::roadmap::{GapLevel, Severity};
use serde::Deserialize;

use super::{PageError, Shell, Viewer, encode};
use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/gap-analysis", get(page)).route("/gap-analysis/roadmap.svg", get(svg))
}

#[derive(Debug, Default, Deserialize)]
struct Form {
    target: Option<String>,
    min_operating_days: Option<String>,
    show: Option<String>,
}

impl Form {
    fn input(&self) -> Result<isms_app::gap::PlanInput, isms_app::AppError> {
        let days = match self.min_operating_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => Some(d.parse::<i64>().map_err(|_| {
                isms_app::AppError::invalid_field("min_operating_days", format!("{d:?} is not a number of days"))
            })?),
            None => None,
        };
        Ok(isms_app::gap::PlanInput {
            target: self
                .target
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| isms_domain::dates::parse_text(t).map_err(|m| isms_app::AppError::invalid_field("target", m)))
                .transpose()?,
            min_operating_days: days,
            milestones: Default::default(),
        })
    }

    /// The query string that asks for the same plan (for the SVG and the exports).
    fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some(t) = self.target.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            q.push(format!("target={}", encode(t)));
        }
        if let Some(d) = self.min_operating_days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            q.push(format!("min_operating_days={}", encode(d)));
        }
        q.join("&")
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "gap_analysis.html")]
struct GapPage {
    shell: Shell,
    g: GapAnalysis,
    rows: Vec<GapRow>,
    all: bool,
    target: String,
    min_operating_days: i64,
    query: String,
    blockers: Vec<String>,
    warnings: Vec<String>,
}

fn level_class(g: GapLevel) -> &'static str {
    match g {
        GapLevel::None => "ok",
        GapLevel::Evidence | GapLevel::Partial => "partial",
        GapLevel::Full => "gap",
    }
}

impl GapPage {
    fn class(&self, r: &GapRow) -> &'static str {
        level_class(r.gap)
    }

    fn days(&self, n: &f64) -> String {
        isms_app::gap::person_days(*n)
    }
}

async fn page(State(s): State<AppState>, viewer: Viewer, Query(f): Query<Form>) -> Result<GapPage, PageError> {
    let g = isms_app::gap::gap_analysis(&s.cx, &viewer.caller, &f.input()?).await?;
    let all = f.show.as_deref() == Some("all");
    let rows = g.rows.iter().filter(|r| all || r.gap != GapLevel::None).cloned().collect();
    let words = |sev: Severity| {
        g.roadmap.problems.iter().filter(|p| p.severity == sev).map(|p| p.message.clone()).collect::<Vec<_>>()
    };
    Ok(GapPage {
        blockers: words(Severity::Blocker),
        warnings: words(Severity::Warning),
        target: g.roadmap.target.map(|d| d.to_string()).unwrap_or_default(),
        min_operating_days: g.roadmap.min_operating_days,
        query: f.query(),
        shell: viewer.shell("certification"),
        rows,
        all,
        g,
    })
}

async fn svg(State(s): State<AppState>, viewer: Viewer, Query(f): Query<Form>) -> Result<Response, PageError> {
    let g = isms_app::gap::gap_analysis(&s.cx, &viewer.caller, &f.input()?).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"),
        ],
        isms_app::gap::roadmap_svg(&g),
    )
        .into_response())
}
