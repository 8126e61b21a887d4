//! Audit sampling (issue 24): an auditor draws items from a population isms knows
//! (risks, corrective actions, evidence, documents, one run's check results) for an
//! audit, by size or percentage, with a seed; the draw is recorded (`SMP-001`) with the
//! population's size and hash, so it can be repeated and shown to be fair
//! ([`isms_domain::sample`]).

use isms_domain::access::UseCase;
use isms_domain::audit::Audit;
use isms_domain::evidence::Evidence;
use isms_domain::sample::{Population, Sample, draw, population_sha256, sample_size};

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx, registers};

/// A draw asked for.
#[derive(Debug, Clone)]
pub struct NewSample {
    /// The audit (`AUD-003`).
    pub audit: String,
    /// What to sample.
    pub population: Population,
    /// The run, for check results.
    pub run: Option<String>,
    /// How many items.
    pub size: Option<usize>,
    /// Or what percentage (rounded up).
    pub percent: Option<f64>,
    /// The seed (default: sixteen random hex digits, recorded).
    pub seed: Option<String>,
}

/// The ids of a population.
async fn population(cx: &Cx, actor: &Actor, new: &NewSample) -> AppResult<Vec<String>> {
    let org = actor.org();
    Ok(match new.population {
        Population::Risks => crate::risks::risks_of(cx, org).await?.into_iter().map(|r| r.risk.id).collect(),
        Population::CorrectiveActions => crate::certification::findings_of(cx, org)
            .await?
            .into_iter()
            .filter(|f| f.grade.nonconformity() && !f.corrective_action.trim().is_empty())
            .map(|f| f.id)
            .collect(),
        Population::Evidence => registers::list::<Evidence>(cx, org).await?.into_iter().map(|e| e.id).collect(),
        Population::Documents => crate::documents::documents_of(cx, org).await?.into_iter().map(|d| d.id).collect(),
        Population::CheckResults => {
            let run =
                new.run.as_deref().map(str::trim).filter(|r| !r.is_empty()).ok_or_else(|| {
                    AppError::invalid_field("run", "name the run whose results are sampled (RUN-001)")
                })?;
            let run = crate::checks::run(cx, actor, run).await?;
            let mut ids = Vec::new();
            let mut after = 0;
            let mut tx = cx.read().await?;
            loop {
                let page = tx.check_results(org, &run.id, after, 1_000).await?;
                let Some((last, _)) = page.last() else { break };
                after = *last;
                ids.extend(page.into_iter().map(|(seq, _)| format!("{}#{seq}", run.id)));
            }
            ids
        }
    })
}

/// Draws and records a sample for an audit: the auditor, the owner or the ISMS manager.
pub async fn draw_sample(cx: &Cx, actor: &Actor, new: NewSample) -> AppResult<Sample> {
    actor.require(UseCase::RecordFindings)?;
    let org = actor.org();
    let audit = registers::get::<Audit>(cx, org, new.audit.trim()).await?;
    if new.population != Population::CheckResults && new.run.is_some() {
        return Err(AppError::invalid_field("run", "only check results are sampled from a run"));
    }
    let ids = population(cx, actor, &new).await?;
    if ids.is_empty() {
        return Err(AppError::invalid_field(
            "population",
            format!("there are no {} to sample", new.population.as_str().replace('_', " ")),
        ));
    }
    let size = sample_size(ids.len(), new.size, new.percent).map_err(|m| AppError::invalid_field("size", m))?;
    let seed = match new.seed.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 200 => return Err(AppError::invalid_field("seed", "at most 200 characters")),
        Some(s) => s.to_owned(),
        None => cx.random_id_bytes()[..8].iter().map(|b| format!("{b:02x}")).collect(),
    };
    let sample = Sample {
        id: String::new(),
        audit: audit.id,
        population: new.population,
        run: new.run.map(|r| r.trim().to_ascii_uppercase()),
        population_size: ids.len(),
        population_sha256: population_sha256(&ids),
        items: draw(&ids, &seed, size),
        seed,
        percent: new.percent,
        drawn_by: actor.who(cx).await?,
        drawn_at: cx.clock.now(),
    };
    registers::create(cx, &actor.trail(), org, sample).await
}

/// The samples drawn (for one audit when given), newest first.
pub async fn samples(cx: &Cx, actor: &Actor, audit: Option<&str>) -> AppResult<Vec<Sample>> {
    actor.require(UseCase::ReadIsms)?;
    let mut all: Vec<Sample> = registers::list::<Sample>(cx, actor.org())
        .await?
        .into_iter()
        .filter(|s| audit.is_none_or(|a| s.audit.eq_ignore_ascii_case(a.trim())))
        .collect();
    all.sort_by(|a, b| b.drawn_at.cmp(&a.drawn_at).then(b.id.len().cmp(&a.id.len())).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// Draws a recorded sample again from today's population: the same items when the
/// population is unchanged (its hash says), which shows the draw was the seed's.
pub async fn redraw(cx: &Cx, actor: &Actor, id: &str) -> AppResult<(Sample, bool, Vec<String>)> {
    actor.require(UseCase::ReadIsms)?;
    let s = registers::get::<Sample>(cx, actor.org(), &id.trim().to_ascii_uppercase()).await?;
    let new = NewSample {
        audit: s.audit.clone(),
        population: s.population,
        run: s.run.clone(),
        size: Some(s.items.len()),
        percent: None,
        seed: Some(s.seed.clone()),
    };
    let ids = population(cx, actor, &new).await?;
    let unchanged = population_sha256(&ids) == s.population_sha256;
    if ids.is_empty() {
        return Err(AppError::new(Code::WrongState, "the population is empty now"));
    }
    let again = draw(&ids, &s.seed, s.items.len());
    Ok((s, unchanged, again))
}
