//! Risk work beyond the register's list: editing and deleting risks, FAIR estimates
//! and simulations, heat maps, the treatment plan, the methodology and the loss
//! appetite, and periodic reviews.

use super::doc::media::{CSV, JSON, MARKDOWN, XLSX};
use super::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get, patch, post, put};
use isms_app::reviews::DueReview;
use isms_app::risks::{PlanStep, RiskView};
use isms_domain::fair::{PertForm, SecondaryForm, Settings};
use isms_domain::review::{ReviewOutcome, ReviewStatus, Subject, SubjectKind};
use isms_domain::risk::{
    FairEstimates, HeatMapKind, LossAppetite, Methodology, Rating, Risk, RiskLevel, ScaleLevel, TreatmentAction,
    TreatmentOption,
};
use serde_json::{Value, json};

use super::doc::{Api, Op};
use super::{Body, Csv, Items, date, download, field};
use crate::auth::Member;
use crate::{ApiError, AppState};

/// The largest simulation the API runs inside one request.
pub const MAX_ITERATIONS: u32 = 1_000_000;

pub(crate) fn routes() -> Api {
    Api::default()
        .op(
            Op::new("patch", "/api/v1/risks/{id}", "updateRisk", "risks", "Change a risk (fields left out stay as they are)")
                .body_type::<RiskPatch>()
                .answers::<RiskView>(),
            patch(update_risk),
        )
        .op(Op::new("delete", "/api/v1/risks/{id}", "deleteRisk", "risks", "Delete a risk").ok(204), delete(delete_risk))
        .op(
            Op::new("put", "/api/v1/risks/{id}/fair", "setFairEstimates", "risks", "Set the risk's FAIR estimates")
                .body_type::<FairEstimates>()
                .body_description("FAIR estimates: loss event frequency (or threat event frequency and vulnerability) and loss magnitude as (low, most likely, high) ranges")
                .answers::<Risk>(),
            put(set_fair),
        )
        .op(
            Op::new("delete", "/api/v1/risks/{id}/fair", "clearFairEstimates", "risks", "Clear the risk's FAIR estimates")
                .ok(204),
            delete(clear_fair),
        )
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
        .op(
            Op::new(
                "post",
                "/api/v1/risks/import",
                "importRisks",
                "risks",
                "Import risks from CSV (Content-Type: text/csv; all rows or none unless ?skip_bad_rows=true)",
            ).answers::<isms_app::risks::RiskImport>()
            .csv()
            .ok(201),
            post(import),
        )
        .op(
            Op::new("post", "/api/v1/risks/simulation", "simulateRisks", "risks", "Run and store the Open FAIR simulation of one risk or of every risk with estimates").answers::<isms_app::fair::Simulation>()
                .body_type::<SimulationRequest>(),
            post(simulate),
        )
        .op(Op::new("get", "/api/v1/loss-appetite", "getLossAppetite", "risks", "The loss appetite curve").answers::<LossAppetite>(), get(appetite))
        .op(
            Op::new("put", "/api/v1/loss-appetite", "setLossAppetite", "risks", "Replace the loss appetite curve").answers::<LossAppetite>()
                .body_type::<AppetiteBody>(),
            put(set_appetite),
        )
        .op(
            Op::new("put", "/api/v1/methodology", "setMethodology", "risks", "Replace the methodology with a new version (risks are re-levelled)")
                .body_type::<Methodology>()
                .body_description("The methodology as GET answers it; version and dates are set by the server")
                .answers::<MethodologySaved>(),
            put(set_methodology),
        )
        .op(
            Op::new("get", "/api/v1/methodology/versions", "listMethodologyVersions", "risks", "Every version of the methodology, oldest first")
                .answers::<Items<Methodology>>(),
            get(methodology_versions),
        )
        .op(Op::new("get", "/api/v1/reviews/due", "dueReviews", "reviews", "Reviews due or overdue").answers::<Items<DueReview>>(), get(due_reviews))
        .op(
            Op::new("post", "/api/v1/reviews", "recordReview", "reviews", "Record a periodic review as yourself")
                .body_type::<ReviewBody>()
                .answers::<Reviewed>()
                .ok(201),
            post(record_review),
        )
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct RiskPatch {
    /// What could happen
    title: Option<String>,
    /// More detail
    description: Option<String>,
    /// The threat
    threat: Option<String>,
    /// The vulnerability
    vulnerability: Option<String>,
    /// The risk owner's e-mail (a member)
    owner: Option<String>,
    /// {likelihood, impact} before treatment
    inherent: Option<Rating>,
    /// {likelihood, impact} after treatment
    residual: Option<Rating>,
    /// modify, retain, avoid or share
    treatment: Option<TreatmentOption>,
    /// Controls already in place
    existing_controls: Option<String>,
    /// Treatment actions {title, owner, due, status}
    actions: Option<Vec<TreatmentAction>>,
    /// Asset ids
    assets: Option<Vec<String>>,
    /// Annex A control ids that treat it
    controls: Option<Vec<String>>,
    /// YYYY-MM-DD
    #[schemars(extend("format" = "date"))]
    next_review: Option<String>,
}

async fn update_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(p): Body<RiskPatch>,
) -> Result<Json<Value>, ApiError> {
    let next_review = p.next_review.map(|t| date("next_review", &t)).transpose()?;
    // The patch is applied to the stored risk inside the write transaction, so
    // concurrent patches of different fields both land.
    let change = move |risk: &mut Risk| {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = p.$f { risk.$f = v; })* };
        }
        set!(
            title,
            description,
            threat,
            vulnerability,
            owner,
            inherent,
            residual,
            treatment,
            existing_controls,
            actions,
            assets,
            controls
        );
        if let Some(d) = next_review {
            risk.next_review = d;
        }
        Ok(())
    };
    Ok(Json(json!(isms_app::risks::edit_risk(&s.cx, &caller, &id, change).await?)))
}

async fn delete_risk(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    isms_app::risks::delete_risk(&s.cx, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn set_fair(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
    Body(estimates): Body<FairEstimates>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::fair::set_estimates(&s.cx, &caller, &id, Some(estimates)).await?)))
}

async fn clear_fair(
    State(s): State<AppState>,
    Member(caller): Member,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    isms_app::fair::set_estimates(&s.cx, &caller, &id, None).await?;
    Ok(StatusCode::NO_CONTENT)
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

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct SimulationRequest {
    /// Only this risk (default: every risk with estimates, as a portfolio)
    risk: Option<String>,
    /// Simulated years, 1 to 1,000,000 (default 10,000)
    iterations: Option<u32>,
    /// Seed (default 1); the same seed gives the same results
    seed: Option<u64>,
    /// classic or vose (default)
    pert: Option<PertForm>,
    /// product (default) or bernoulli
    secondary: Option<SecondaryForm>,
    /// Count events per year as Poisson(LEF)
    #[serde(default)]
    poisson: bool,
}

async fn simulate(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(r): Body<SimulationRequest>,
) -> Result<Json<Value>, ApiError> {
    let defaults = Settings::default();
    let iterations = r.iterations.unwrap_or(defaults.iterations);
    if !(1..=MAX_ITERATIONS).contains(&iterations) {
        return Err(field(
            "iterations",
            format!("must be between 1 and {MAX_ITERATIONS} (run larger ones with `isms fair run`)"),
        )
        .into());
    }
    let settings = Settings {
        iterations,
        seed: r.seed.unwrap_or(defaults.seed),
        pert: r.pert.unwrap_or(defaults.pert),
        secondary: r.secondary.unwrap_or(defaults.secondary),
        poisson: r.poisson,
    };
    Ok(Json(json!(
        isms_app::fair::simulate_risks(&s.cx, &caller, r.risk.as_deref(), settings, Default::default()).await?
    )))
}

async fn appetite(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    let found = isms_app::fair::appetite(&s.cx, &caller).await?;
    found
        .map(|a| Json(json!(a)))
        .ok_or_else(|| ApiError(isms_app::AppError::new(isms_app::Code::NotFound, "no loss appetite is set yet")))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct AppetiteBody {
    /// [loss, probability of exceeding it] pairs
    points: Vec<(f64, f64)>,
}

async fn set_appetite(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(b): Body<AppetiteBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(isms_app::fair::set_appetite(&s.cx, &caller, b.points).await?)))
}

async fn set_methodology(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(m): Body<Methodology>,
) -> Result<Json<Value>, ApiError> {
    let (saved, relevelled) = isms_app::risks::edit_methodology(&s.cx, &caller, m).await?;
    Ok(Json(json!(MethodologySaved { methodology: saved, risks_relevelled: relevelled })))
}

/// The methodology saved as a new version, and how many risks changed level.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct MethodologySaved {
    /// The new version.
    methodology: Methodology,
    /// How many risks' levels changed.
    risks_relevelled: usize,
}

async fn methodology_versions(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::risks::methodology_versions(&s.cx, &caller).await? })))
}

async fn due_reviews(State(s): State<AppState>, Member(caller): Member) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!(Items { items: isms_app::reviews::due_in_organization(&s.cx, &caller).await? })))
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// soa, scope, objective, asset, ...
    subject: String,
    /// The subject's id (not for soa and scope)
    id: Option<String>,
    /// no_change, updated or changes_required
    outcome: String,
    /// What was looked at
    #[serde(default)]
    comment: String,
}

async fn record_review(
    State(s): State<AppState>,
    Member(caller): Member,
    Body(b): Body<ReviewBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let kind = SubjectKind::parse(&b.subject)
        .ok_or_else(|| field("subject", format!("{:?} is not something that is reviewed", b.subject)))?;
    let outcome = ReviewOutcome::parse(&b.outcome)
        .ok_or_else(|| field("outcome", format!("{:?} is not no_change, updated or changes_required", b.outcome)))?;
    let id = match (kind, b.id) {
        (SubjectKind::Soa, _) => "soa".to_owned(),
        (SubjectKind::Scope, _) => "SCOPE".to_owned(),
        (_, Some(id)) => id,
        (_, None) => return Err(field("id", format!("which {} was reviewed?", b.subject)).into()),
    };
    let subject = Subject { kind, id };
    let status = isms_app::reviews::record_review(&s.cx, &caller, &subject, outcome, &b.comment).await?;
    Ok((StatusCode::CREATED, Json(json!(Reviewed { subject, status }))))
}

/// A review recorded: its subject and where it now stands.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
struct Reviewed {
    /// What was reviewed.
    subject: Subject,
    /// Its review status now.
    status: ReviewStatus,
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
    let bytes = isms_app::export::render_table(&table, format)?;
    let stem = if report == RiskReport::Register { "risk-register" } else { "risk-treatment-plan" };
    Ok(download(&format!("{stem}.{}", format.extension()), format.media_type(), bytes))
}

/// `?skip_bad_rows=true` on an import.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportQuery {
    #[serde(default)]
    pub skip_bad_rows: bool,
}

/// 201 when rows were stored, 422 (with the report) when none were.
pub(crate) fn import_answer<T: serde::Serialize>(stored: bool, report: &T) -> (StatusCode, Json<Value>) {
    let status = if stored { StatusCode::CREATED } else { StatusCode::UNPROCESSABLE_ENTITY };
    (status, Json(json!(report)))
}

async fn import(
    State(s): State<AppState>,
    Member(caller): Member,
    Query(q): Query<ImportQuery>,
    Csv(text): Csv,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let report = isms_app::risks::import_risks_csv(&s.cx, &caller, &text, q.skip_bad_rows).await?;
    Ok(import_answer(report.stored, &report))
}
