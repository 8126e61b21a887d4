//! Audit sampling (issue 24): an auditor draws items from a population isms knows
//! (risks, corrective actions, evidence, documents, one run's check results, members
//! who joined or left in a period) for an
//! audit, by size or percentage, with a seed; the draw is recorded (`SMP-001`) with the
//! population's size and hash, so it can be repeated and shown to be fair
//! ([`isms_domain::sample`]).

use std::collections::HashMap;

use isms_domain::access::UseCase;
use isms_domain::audit::Audit;
use isms_domain::evidence::Evidence;
use isms_domain::sample::{Population, Sample, draw, population_sha256, sample_size};
use isms_domain::user::Membership;
use isms_domain::{OrgId, UserId};
use time::Date;

use crate::access::Actor;
use crate::{AppError, AppResult, Code, Cx, registers};

/// The most items an external auditor draws at once.
pub const EXTERNAL_MAX_SAMPLE: usize = 25;

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
    /// The period's first day, for members who joined or left (default: a year
    /// before the audit's last day).
    pub from: Option<Date>,
    /// Its last day (default: the audit's last day).
    pub to: Option<Date>,
}

/// The period a members population covers: the days given, else the year up to the
/// audit's last day.
fn period(audit: &Audit, new: &NewSample) -> AppResult<Option<(Date, Date)>> {
    if new.population != Population::Members {
        if new.from.is_some() || new.to.is_some() {
            return Err(AppError::invalid_field("from", "a period applies only to members who joined or left"));
        }
        return Ok(None);
    }
    let to = new.to.unwrap_or(audit.end);
    let from = new.from.unwrap_or_else(|| to - time::Duration::days(365));
    if from > to {
        return Err(AppError::invalid_field("from", format!("the period starts ({from}) after it ends ({to})")));
    }
    Ok(Some((from, to)))
}

/// The members who joined or left in a period, from the audit trail: one item per
/// `membership.granted` or `membership.removed` entry (`a@x.example joined 2026-03-04
/// (trail #41)`).
async fn joiners_and_leavers(cx: &Cx, org: OrgId, (from, to): (Date, Date)) -> AppResult<Vec<String>> {
    let mut tx = cx.read().await?;
    let since = from.midnight().assume_utc();
    let mut items = Vec::new();
    let mut after = 0;
    let mut emails: HashMap<UserId, String> = HashMap::new();
    loop {
        let page = tx.trail_since(org, since, after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for e in &page {
            let verb = match e.action.as_str() {
                "membership.granted" => "joined",
                "membership.removed" => "left",
                _ => continue,
            };
            if e.at.date() > to {
                continue;
            }
            let Some(m) =
                e.after.as_deref().or(e.before.as_deref()).and_then(|j| serde_json::from_str::<Membership>(j).ok())
            else {
                continue;
            };
            let email = match emails.get(&m.user) {
                Some(e) => e.clone(),
                None => {
                    let email =
                        tx.user(m.user).await.map(|u| u.email.to_string()).unwrap_or_else(|_| m.user.to_string());
                    emails.insert(m.user, email.clone());
                    email
                }
            };
            items.push(format!("{email} {verb} {} (trail #{})", e.at.date(), e.seq));
        }
    }
    Ok(items)
}

/// The ids of a population.
async fn population(cx: &Cx, actor: &Actor, new: &NewSample, period: Option<(Date, Date)>) -> AppResult<Vec<String>> {
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
        Population::Members => match period {
            Some(p) => joiners_and_leavers(cx, org, p).await?,
            None => Vec::new(),
        },
    })
}

/// Draws and records a sample for an audit: the auditor, the owner or the ISMS manager.
pub async fn draw_sample(cx: &Cx, actor: &Actor, new: NewSample) -> AppResult<Sample> {
    let scope = actor.audit_scope(cx).await?;
    match &scope {
        None => {
            actor.require(UseCase::RecordFindings)?;
        }
        // An external auditor draws for the audits open to them.
        Some(open) if !open.iter().any(|a| a.eq_ignore_ascii_case(new.audit.trim())) => {
            return Err(AppError::new(Code::NotFound, format!("there is no audit {}", new.audit.trim())));
        }
        Some(_) => {}
    }
    let org = actor.org();
    let audit = registers::get::<Audit>(cx, org, new.audit.trim()).await?;
    if new.population != Population::CheckResults && new.run.is_some() {
        return Err(AppError::invalid_field("run", "only check results are sampled from a run"));
    }
    let period = period(&audit, &new)?;
    let ids = population(cx, actor, &new, period).await?;
    if ids.is_empty() {
        return Err(AppError::invalid_field(
            "population",
            format!("there are no {} to sample", new.population.as_str().replace('_', " ")),
        ));
    }
    let size = sample_size(ids.len(), new.size, new.percent).map_err(|m| AppError::invalid_field("size", m))?;
    if scope.is_some() {
        // What an external auditor draws, they may open (the workspace's records): so a
        // draw of theirs is bounded — at most 25 items and a quarter of the population,
        // once per population of the audit; larger or further draws are the team's.
        let cap = EXTERNAL_MAX_SAMPLE.min(ids.len().div_ceil(4)).max(1);
        if size > cap {
            return Err(AppError::invalid_field(
                "size",
                format!("an external auditor draws at most {cap} of these {} items", ids.len()),
            ));
        }
        let me = actor.who(cx).await?;
        let drawn = registers::list::<Sample>(cx, org).await?;
        if drawn.iter().any(|s| s.audit == audit.id && s.population == new.population && s.drawn_by == me) {
            return Err(AppError::new(
                Code::WrongState,
                format!("you drew {} for {} already; ask the team for another draw", new.population.as_str(), audit.id),
            ));
        }
    }
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
        from: period.map(|p| p.0),
        to: period.map(|p| p.1),
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
    let scope = actor.audit_scope(cx).await?;
    if scope.is_none() {
        actor.require(UseCase::ReadIsms)?;
    }
    let mut all: Vec<Sample> = registers::list::<Sample>(cx, actor.org())
        .await?
        .into_iter()
        .filter(|s| audit.is_none_or(|a| s.audit.eq_ignore_ascii_case(a.trim())))
        .filter(|s| scope.as_ref().is_none_or(|open| open.contains(&s.audit)))
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
        from: s.from,
        to: s.to,
    };
    let ids = population(cx, actor, &new, s.from.zip(s.to)).await?;
    let unchanged = population_sha256(&ids) == s.population_sha256;
    if ids.is_empty() {
        return Err(AppError::new(Code::WrongState, "the population is empty now"));
    }
    let again = draw(&ids, &s.seed, s.items.len());
    Ok((s, unchanged, again))
}
