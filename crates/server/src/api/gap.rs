//! The gap analysis and the roadmap to certification.

use super::Query;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use isms_app::gap::{GapAnalysis, PlanInput};
use serde_json::{Value, json};

use super::doc::media::{CSV, JSON, MARKDOWN, XLSX};
use super::doc::{Api, Op};
use super::{Body, date, download};
use crate::auth::Member;
use crate::{ApiError, AppState};

/// The SVG media type.
pub(crate) const SVG: &str = "image/svg+xml";

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new(
                "get",
                "/api/v1/gap-analysis",
                "gapAnalysis",
                "certification",
                "Per clause and Annex A control: the current state from the records, the target, the gap, the owner \
                 and an effort estimate; and the roadmap from today to a target Stage 2 with what makes it fail \
                 (query: target=YYYY-MM-DD, min_operating_days=N)",
            )
            .answers::<GapAnalysis>(),
            get(analysis),
        )
        .op(
            Op::new(
                "post",
                "/api/v1/gap-analysis/plan",
                "planRoadmap",
                "certification",
                "The gap analysis for a plan with dates set per milestone (nothing is stored): target, \
                 min_operating_days, milestones {name: {start, end}}",
            )
            .body_type::<PlanInput>()
            .answers::<GapAnalysis>(),
            post(plan),
        )
        .op(
            Op::new(
                "get",
                "/api/v1/gap-analysis/export",
                "exportGapAnalysis",
                "certification",
                "The gap analysis for management (query: format=xlsx|csv|md|json|svg, target, min_operating_days); \
                 svg is the roadmap's timeline",
            )
            .exports(&[XLSX, CSV, MARKDOWN, JSON, SVG]),
            get(export),
        )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct GapQuery {
    pub target: Option<String>,
    pub min_operating_days: Option<i64>,
    pub format: Option<String>,
}

impl GapQuery {
    pub(crate) fn plan(&self) -> Result<PlanInput, isms_app::AppError> {
        Ok(PlanInput {
            target: self.target.as_deref().filter(|t| !t.trim().is_empty()).map(|t| date("target", t)).transpose()?,
            min_operating_days: self.min_operating_days,
            milestones: Default::default(),
        })
    }
}

async fn analysis(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<GapQuery>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::gap::gap_analysis(&s.cx, &caller, &q.plan()?).await?)))
}

async fn plan(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(input): Body<PlanInput>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::gap::gap_analysis(&s.cx, &caller, &input).await?)))
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<GapQuery>,
) -> Result<Response, ApiError> {
    let g = isms_app::gap::gap_analysis(&s.cx, &caller, &q.plan()?).await?;
    if q.format.as_deref() == Some("svg") {
        return Ok(download("roadmap.svg", SVG, isms_app::gap::roadmap_svg(&g).into_bytes()));
    }
    let format = isms_app::export::DocFormat::parse(q.format.as_deref().unwrap_or("xlsx"))
        .map_err(|_| super::field("format", "use xlsx, csv, md, json or svg".to_owned()))?;
    let bytes = isms_app::gap::gap_report(&g, format)?;
    Ok(download(&format!("gap-analysis.{}", format.extension()), format.media_type(), bytes))
}
