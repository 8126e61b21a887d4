//! Open FAIR: a risk's estimates, simulations, and the loss appetite.

use super::*;

pub(super) fn routes() -> Api {
    Api::default()
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
    let iterations = isms_app::fair::request_iterations(r.iterations.unwrap_or(defaults.iterations))?;
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
