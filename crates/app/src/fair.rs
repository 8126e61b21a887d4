//! Quantitative risk use cases: FAIR estimates on risks, simulations whose results are
//! stored with the settings used, and the organization's loss appetite.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use isms_domain::Email;
use isms_domain::access::UseCase;
use isms_domain::fair::{CURVE_POINTS, Settings, exceedance_curve, simulate, simulate_portfolio_with_progress};
use isms_domain::risk::{FairEstimates, FairResult, LossAppetite, Risk};
use isms_domain::trail::TrailDraft;

use crate::access::Actor;
use crate::registers;
use crate::trail::record;
use crate::{AppError, AppResult, Code, Cx, ErrorKind, FieldError};

/// The largest simulation run inside one request (the API's and the pages'); larger
/// ones run from the command line (`isms risk simulate`).
pub const MAX_REQUEST_ITERATIONS: u32 = 1_000_000;

/// The iterations a request (API or page) may ask for: 1 to [`MAX_REQUEST_ITERATIONS`].
pub fn request_iterations(n: u32) -> AppResult<u32> {
    if (1..=MAX_REQUEST_ITERATIONS).contains(&n) {
        Ok(n)
    } else {
        Err(AppError::invalid_field(
            "iterations",
            format!("must be between 1 and {MAX_REQUEST_ITERATIONS} (run larger ones with `isms risk simulate`)"),
        ))
    }
}

/// Sets (or clears, with `None`) a risk's FAIR estimates. Bad estimates are refused with
/// the risk and field named; nothing is stored then. A control owner estimates only
/// risks they own.
pub async fn set_estimates(cx: &Cx, actor: &Actor, id: &str, estimates: Option<FairEstimates>) -> AppResult<Risk> {
    let me = actor.narrowed(cx, UseCase::EditRisks).await?;
    let only_owner = me.as_ref().map(Email::as_str);
    let org = actor.org();
    if let Some(e) = &estimates {
        let problems = e.scenario(id).problems();
        if !problems.is_empty() {
            return Err(AppError::invalid(
                problems.iter().map(|p| FieldError { field: p.field.into(), message: p.to_string() }).collect(),
            ));
        }
    }
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    let before = tx
        .entry(org, "risk", id)
        .await?
        .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?;
    let mut risk: Risk = serde_json::from_str(&before).map_err(|e| AppError::new(Code::CorruptData, e.to_string()))?;
    crate::risks::owned_by(&risk, only_owner, "estimates")?;
    risk.fair = estimates;
    let after = serde_json::to_string(&risk).unwrap_or_default();
    let now = cx.clock.now();
    tx.replace_entry(org, "risk", id, &after, now).await?;
    let draft = TrailDraft {
        actor: actor.trail(),
        action: "risk.estimated".into(),
        entity: "risk".into(),
        entity_id: id.into(),
        before: Some(before),
        after: Some(after),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(risk)
}

/// What a simulation produced.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Simulation {
    /// One result per simulated risk.
    pub risks: Vec<FairResult>,
    /// The portfolio (when more than one risk was simulated).
    pub portfolio: Option<FairResult>,
    /// Risks skipped because they have no estimates.
    pub without_estimates: Vec<String>,
    /// The aggregate annual losses (for exports), one per iteration.
    #[serde(skip)]
    pub samples: Vec<f64>,
}

/// Simulates one risk, or every risk with estimates as a portfolio (even when only one
/// has them), and stores the results with the settings used (replacing earlier results). `done` counts finished
/// risks for progress display.
pub async fn simulate_risks(
    cx: &Cx,
    actor: &Actor,
    only: Option<&str>,
    settings: Settings,
    done: Arc<AtomicUsize>,
) -> AppResult<Simulation> {
    actor.require(UseCase::RunSimulations)?;
    let org = actor.org();
    let risks = registers::list::<Risk>(cx, org).await?;
    let chosen: Vec<&Risk> = match only {
        Some(id) => vec![
            risks
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| AppError::new(Code::NotFound, format!("there is no risk {id}")))?,
        ],
        None => risks.iter().collect(),
    };
    let without_estimates: Vec<String> = chosen.iter().filter(|r| r.fair.is_none()).map(|r| r.id.clone()).collect();
    let scenarios: Vec<_> = chosen.iter().filter_map(|r| r.fair.as_ref().map(|f| f.scenario(&r.id))).collect();
    if scenarios.is_empty() {
        return Err(AppError::new(
            Code::NoEstimates,
            "no chosen risk has FAIR estimates: add them with `isms risk estimate`",
        ));
    }
    if settings.iterations == 0 || settings.iterations > 10_000_000 {
        return Err(AppError::invalid_field("iterations", "use 1 to 10,000,000 iterations"));
    }
    for s in &scenarios {
        if let Some(p) = s.problems().first() {
            return Err(AppError::invalid_field(p.field, p));
        }
    }
    let now = cx.clock.now();
    let single = only.is_some();
    let (risk_results, portfolio, samples) = tokio::task::spawn_blocking(move || {
        if let (true, [only]) = (single, &scenarios[..]) {
            let (r, samples) = simulate(only, &settings, 0);
            done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            (
                vec![FairResult {
                    id: r.id,
                    at: now,
                    settings,
                    summary: r.summary,
                    curve: r.curve,
                    contributions: vec![],
                }],
                None,
                samples,
            )
        } else {
            let p = simulate_portfolio_with_progress(&scenarios, &settings, &done, true);
            let risks = p
                .scenarios
                .iter()
                .map(|r| FairResult {
                    id: r.id.clone(),
                    at: now,
                    settings,
                    summary: r.summary.clone(),
                    curve: r.curve.clone(),
                    contributions: vec![],
                })
                .collect();
            let contributions = p.scenarios.iter().zip(&p.contributions).map(|(r, c)| (r.id.clone(), *c)).collect();
            let curve = exceedance_curve(&p.aggregate_samples, CURVE_POINTS);
            let portfolio =
                FairResult { id: "PORTFOLIO".into(), at: now, settings, summary: p.aggregate, curve, contributions };
            (risks, Some(portfolio), p.aggregate_samples)
        }
    })
    .await
    .map_err(|e| AppError::new(Code::SimulationFailed, format!("the simulation stopped: {e}")))?;
    let mut tx = cx.write().await?;
    tx.lock_organization(org).await?;
    for r in risk_results.iter().chain(portfolio.iter()) {
        tx.put_entry(org, "fair_result", &r.id, &serde_json::to_string(r).unwrap_or_default(), now).await?;
    }
    let draft = TrailDraft {
        actor: actor.trail(),
        action: "risk.simulated".into(),
        entity: "fair_result".into(),
        entity_id: only.unwrap_or("PORTFOLIO").into(),
        before: None,
        after: serde_json::to_string(&serde_json::json!({ "settings": settings, "risks": risk_results.len() })).ok(),
    };
    record(&mut *tx, org, now, draft).await?;
    tx.commit().await?;
    Ok(Simulation { risks: risk_results, portfolio, without_estimates, samples })
}

/// The stored result of a risk (or `PORTFOLIO`), if simulated.
pub async fn stored_result(cx: &Cx, actor: &Actor, id: &str) -> AppResult<Option<FairResult>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    tx.entry(org, "fair_result", id)
        .await?
        .map(|j| serde_json::from_str(&j).map_err(|e| AppError::new(Code::CorruptData, e.to_string())))
        .transpose()
}

/// Every stored result: each simulated risk's and the portfolio's.
pub async fn stored_results(cx: &Cx, actor: &Actor) -> AppResult<Vec<FairResult>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    let mut tx = cx.read().await?;
    tx.organization(org).await?;
    tx.entries(org, "fair_result")
        .await?
        .iter()
        .map(|(_, j)| serde_json::from_str(j).map_err(|e| AppError::new(Code::CorruptData, e.to_string())))
        .collect()
}

/// The organization's loss appetite, if set.
pub async fn appetite(cx: &Cx, actor: &Actor) -> AppResult<Option<LossAppetite>> {
    actor.require(UseCase::ReadIsms)?;
    let org = actor.org();
    match registers::get::<LossAppetite>(cx, org, "APPETITE").await {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Sets the organization's loss appetite.
pub async fn set_appetite(cx: &Cx, actor: &Actor, mut points: Vec<(f64, f64)>) -> AppResult<LossAppetite> {
    actor.require(UseCase::EditMethodology)?;
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    registers::put_singleton(cx, &actor.trail(), actor.org(), LossAppetite { id: String::new(), points }).await
}
