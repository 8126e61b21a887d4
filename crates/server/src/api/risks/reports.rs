//! The heat map, the treatment plan, and the register or the plan as a document.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("get", "/api/v1/risks/heatmap", "riskHeatMap", "risks", "Risks per likelihood × impact cell (query: kind=inherent|residual)")
                .answers::<HeatMap<'static>>(),
            get(heat_map),
        )
        .op(Op::new("get", "/api/v1/risks/plan", "treatmentPlan", "risks", "The risk treatment plan").answers::<Items<PlanStep>>(), get(plan))
        .op(
            Op::new(
                "get",
                "/api/v1/risks/export",
                "exportRisks",
                "risks",
                "The register or the treatment plan as a document (query: report=register|plan, format=xlsx|csv|md|json)",
            )
            .exports(&[XLSX, CSV, MARKDOWN, JSON]),
            get(export),
        )
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct HeatQuery {
    kind: Option<HeatMapKind>,
}

async fn heat_map(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<HeatQuery>,
) -> Result<Json<Value>, ApiError> {
    let kind = q.kind.unwrap_or(HeatMapKind::Residual);
    let (m, counts) = isms_app::risks::heat_map(&s.cx, &caller, kind).await?;
    let levels: Vec<Vec<&str>> = (1..=m.likelihood.len())
        .map(|l| (1..=m.impact.len()).map(|i| m.matrix[l - 1][i - 1].as_str()).collect())
        .collect();
    Ok(Json(json!(HeatMap {
        kind,
        likelihood: m.likelihood,
        impact: m.impact,
        levels: m.levels,
        cells: levels,
        counts,
        methodology_version: m.version,
    })))
}

/// Risks per likelihood × impact cell.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct HeatMap<'a> {
    /// Inherent or residual ratings.
    kind: HeatMapKind,
    /// The likelihood scale, lowest first.
    likelihood: Vec<ScaleLevel>,
    /// The impact scale, lowest first.
    impact: Vec<ScaleLevel>,
    /// The risk levels, lowest first.
    levels: Vec<RiskLevel>,
    /// The level id of each cell, by likelihood then impact.
    cells: Vec<Vec<&'a str>>,
    /// How many risks fall in each cell, by likelihood then impact.
    counts: Vec<Vec<usize>>,
    /// The methodology version the cells come from.
    methodology_version: u32,
}

async fn plan(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::risks::treatment_plan(&s.cx, &caller).await? })))
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    report: Option<String>,
    format: Option<String>,
}

async fn export(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    use isms_app::risks::RiskReport;
    let report = match q.report.as_deref().unwrap_or("register") {
        "register" => RiskReport::Register,
        "plan" => RiskReport::Plan,
        other => return Err(field("report", format!("{other:?} is not register or plan")).into()),
    };
    let format = isms_app::export::DocFormat::parse(q.format.as_deref().unwrap_or("xlsx"))?;
    let table = isms_app::risks::risk_table(&s.cx, &caller, report).await?;
    let bytes = isms_app::export::render_report(&s.cx, &caller, &table, format).await?;
    let stem = if report == RiskReport::Register { "risk-register" } else { "risk-treatment-plan" };
    Ok(download(&format!("{stem}.{}", format.extension()), format.media_type(), bytes))
}
