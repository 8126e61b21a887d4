//! The Open FAIR model and the simulation of scenarios and portfolios.

use serde::{Deserialize, Serialize};

use super::dist::{Estimate, PertForm, Sampler};
use super::rng::Stream;
use super::stats::{Summary, exceedance_curve, summarize};

/// How the Loss Event Frequency is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Frequency {
    /// LEF estimated directly (events per year).
    Direct {
        /// Loss events per year.
        lef: Estimate,
    },
    /// LEF = TEF × Vulnerability.
    Vulnerability {
        /// Threat events per year.
        tef: Estimate,
        /// Probability a threat event becomes a loss event (0–1).
        vuln: Estimate,
    },
    /// LEF = TEF × P(Threat Capability > Resistance Strength), both on a 0–100 scale.
    Capability {
        /// Threat events per year.
        tef: Estimate,
        /// Threat capability (0–100).
        tcap: Estimate,
        /// Resistance strength (0–100).
        rs: Estimate,
    },
}

/// One scenario: how often loss events happen and how much each costs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Its id (a risk id or a workload id).
    pub id: String,
    /// Loss event frequency.
    pub frequency: Frequency,
    /// Primary loss per event.
    pub pl: Estimate,
    /// Probability that a loss event has secondary effects (0–1).
    pub slef: Estimate,
    /// Secondary loss magnitude per secondary event.
    pub slem: Estimate,
}

/// How secondary loss is combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SecondaryForm {
    /// SL = SLEF × SLEM (the Open FAIR product form, as pyfair computes it).
    #[default]
    Product,
    /// SL = SLEM with probability SLEF, else 0 (as pycrq computes it).
    Bernoulli,
}

/// How a simulation runs. Recorded with every result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Settings {
    /// Iterations (simulated years) per scenario.
    pub iterations: u32,
    /// The seed; the same seed gives bit-identical results on any machine and thread count.
    pub seed: u64,
    /// PERT parameterisation.
    pub pert: PertForm,
    /// Secondary loss form.
    pub secondary: SecondaryForm,
    /// Count loss events per year as Poisson(LEF) and add one loss magnitude per event,
    /// instead of multiplying LEF by one loss magnitude.
    pub poisson: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self { iterations: 10_000, seed: 1, pert: PertForm::Vose, secondary: SecondaryForm::Product, poisson: false }
    }
}

/// A problem with a scenario, naming it and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("scenario {scenario}, {field}: {message}")]
pub struct ScenarioError {
    /// The scenario.
    pub scenario: String,
    /// The field (`tef`, `vuln`, `pl`, …).
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl Scenario {
    /// Every problem of the scenario's estimates.
    pub fn problems(&self) -> Vec<ScenarioError> {
        let mut fields: Vec<(&'static str, &Estimate, bool)> = Vec::new();
        match &self.frequency {
            Frequency::Direct { lef } => fields.push(("lef", lef, false)),
            Frequency::Vulnerability { tef, vuln } => {
                fields.push(("tef", tef, false));
                fields.push(("vuln", vuln, true));
            }
            Frequency::Capability { tef, tcap, rs } => {
                fields.push(("tef", tef, false));
                fields.push(("tcap", tcap, false));
                fields.push(("rs", rs, false));
            }
        }
        fields.push(("pl", &self.pl, false));
        fields.push(("slef", &self.slef, true));
        fields.push(("slem", &self.slem, false));
        fields
            .into_iter()
            .filter_map(|(field, e, p)| {
                e.problem(p).map(|message| ScenarioError { scenario: self.id.clone(), field, message })
            })
            .collect()
    }

    /// The exact expected annual loss: E[LEF]·(E[PL] + E[SLEF]·E[SLEM]) — the same in
    /// every form (for the capability method, only when TCap and RS are constants).
    pub fn analytic_mean(&self) -> Option<f64> {
        let lef = match &self.frequency {
            Frequency::Direct { lef } => lef.mean(),
            Frequency::Vulnerability { tef, vuln } => tef.mean() * vuln.mean(),
            Frequency::Capability { .. } => return None,
        };
        Some(lef * (self.pl.mean() + self.slef.mean() * self.slem.mean()))
    }
}

/// A scenario compiled for sampling.
#[derive(Debug, Clone)]
pub struct Compiled {
    freq: [Sampler; 3],
    method: u8,
    pl: Sampler,
    slef: Sampler,
    slem: Sampler,
    secondary: SecondaryForm,
    poisson: bool,
}

impl Compiled {
    /// Compiles a scenario under the settings.
    pub fn new(s: &Scenario, settings: &Settings) -> Self {
        let sam = |e: &Estimate| e.sampler(settings.pert);
        let zero = || Sampler::Constant(0.0);
        let (freq, method) = match &s.frequency {
            Frequency::Direct { lef } => ([sam(lef), zero(), zero()], 0),
            Frequency::Vulnerability { tef, vuln } => ([sam(tef), sam(vuln), zero()], 1),
            Frequency::Capability { tef, tcap, rs } => ([sam(tef), sam(tcap), sam(rs)], 2),
        };
        Self {
            freq,
            method,
            pl: sam(&s.pl),
            slef: sam(&s.slef),
            slem: sam(&s.slem),
            secondary: settings.secondary,
            poisson: settings.poisson,
        }
    }

    #[inline]
    fn lef(&self, rng: &mut Stream) -> f64 {
        match self.method {
            0 => self.freq[0].sample(rng),
            1 => self.freq[0].sample(rng) * self.freq[1].sample(rng),
            _ => {
                let tef = self.freq[0].sample(rng);
                let vulnerable = self.freq[1].sample(rng) > self.freq[2].sample(rng);
                if vulnerable { tef } else { 0.0 }
            }
        }
    }

    #[inline]
    fn magnitude(&self, rng: &mut Stream) -> f64 {
        let pl = self.pl.sample(rng);
        let sl = match self.secondary {
            SecondaryForm::Product => self.slef.sample(rng) * self.slem.sample(rng),
            SecondaryForm::Bernoulli => {
                let p = self.slef.sample(rng);
                if rng.open01() < p { self.slem.sample(rng) } else { 0.0 }
            }
        };
        pl + sl
    }

    /// One simulated year's loss.
    #[inline]
    pub fn year(&self, rng: &mut Stream) -> f64 {
        let lef = self.lef(rng);
        if self.poisson {
            let n = poisson(lef, rng);
            (0..n).map(|_| self.magnitude(rng)).sum()
        } else {
            lef * self.magnitude(rng)
        }
    }
}

/// Iterations per random stream: a scenario's years are cut into blocks of this size,
/// each with its own stream, so a long scenario can run on several threads and still
/// give the same numbers.
pub const BLOCK: u32 = 65_536;

/// Fills `out` with the annual losses of one scenario (position `index` in its set).
pub fn simulate_into(c: &Compiled, settings: &Settings, index: u64, out: &mut [f64]) {
    for (b, chunk) in out.chunks_mut(BLOCK as usize).enumerate() {
        let mut rng = Stream::new(settings.seed, index, b as u64);
        for slot in chunk {
            *slot = c.year(&mut rng);
        }
    }
}

/// The result for one scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    /// The scenario's id.
    pub id: String,
    /// Statistics of the annual loss.
    #[serde(flatten)]
    pub summary: Summary,
    /// The loss exceedance curve at [`CURVE_POINTS`] points.
    #[serde(skip)]
    pub curve: Vec<(f64, f64)>,
}

/// Points of each loss exceedance curve a simulation draws.
pub const CURVE_POINTS: usize = 60;

/// Simulates one scenario and summarises it. Long runs use every core, block by block.
pub fn simulate(s: &Scenario, settings: &Settings, index: u64) -> (ScenarioResult, Vec<f64>) {
    use rayon::prelude::*;
    let c = Compiled::new(s, settings);
    let mut samples = vec![0.0; settings.iterations as usize];
    samples.par_chunks_mut(BLOCK as usize).enumerate().for_each(|(b, chunk)| {
        let mut rng = Stream::new(settings.seed, index, b as u64);
        for slot in chunk {
            *slot = c.year(&mut rng);
        }
    });
    let summary = summarize(&mut samples.clone());
    let curve = exceedance_curve(&samples, CURVE_POINTS);
    (ScenarioResult { id: s.id.clone(), summary, curve }, samples)
}

/// The result of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioResult {
    /// Each scenario's statistics, in input order.
    pub scenarios: Vec<ScenarioResult>,
    /// Statistics of the per-year sum over all scenarios.
    pub aggregate: Summary,
    /// Each scenario's share of the aggregate mean (0–1), in input order.
    pub contributions: Vec<f64>,
    /// The aggregate's annual losses (one per iteration), for curves and exports.
    #[serde(skip)]
    pub aggregate_samples: Vec<f64>,
}

/// Scenarios per block of the portfolio: each block's per-year sums are formed in a
/// fixed order, and blocks are added in a fixed order, so the aggregate is bit-identical
/// whatever the number of threads. Memory stays at one sample vector per block in flight
/// plus the block sums, never a scenario × iteration matrix.
const SCENARIO_BLOCK: usize = 16;

/// Simulates a portfolio in parallel over scenarios: the statistics of each scenario
/// and of the aggregate, without each scenario's exceedance curve (see
/// [`simulate_portfolio_with_progress`] for those).
pub fn simulate_portfolio(scenarios: &[Scenario], settings: &Settings) -> PortfolioResult {
    simulate_portfolio_with_progress(scenarios, settings, &std::sync::atomic::AtomicUsize::new(0), false)
}

/// [`simulate_portfolio`], counting finished scenarios in `done` so a caller can show
/// progress from another thread, and with each scenario's exceedance curve when
/// `curves` (what a stored result shows; they cost about a third more time).
pub fn simulate_portfolio_with_progress(
    scenarios: &[Scenario],
    settings: &Settings,
    done: &std::sync::atomic::AtomicUsize,
    curves: bool,
) -> PortfolioResult {
    use rayon::prelude::*;
    let n = settings.iterations as usize;
    if let [only] = scenarios {
        // One scenario: parallel over its blocks of iterations instead (same numbers).
        let (result, samples) = simulate(only, settings, 0);
        return PortfolioResult {
            aggregate: result.summary.clone(),
            scenarios: vec![result],
            contributions: vec![1.0],
            aggregate_samples: samples,
        };
    }
    let blocks: Vec<(Vec<ScenarioResult>, Vec<f64>)> = scenarios
        .par_chunks(SCENARIO_BLOCK)
        .enumerate()
        .map(|(b, chunk)| {
            let mut sums = vec![0.0; n];
            let mut samples = vec![0.0; n];
            let mut results = Vec::with_capacity(chunk.len());
            for (k, s) in chunk.iter().enumerate() {
                let index = (b * SCENARIO_BLOCK + k) as u64;
                let c = Compiled::new(s, settings);
                simulate_into(&c, settings, index, &mut samples);
                for (sum, x) in sums.iter_mut().zip(&samples) {
                    *sum += x;
                }
                let curve = if curves { exceedance_curve(&samples, CURVE_POINTS) } else { Vec::new() };
                results.push(ScenarioResult { id: s.id.clone(), summary: summarize(&mut samples), curve });
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            (results, sums)
        })
        .collect();
    let mut aggregate = vec![0.0; n];
    let mut results = Vec::with_capacity(scenarios.len());
    for (r, sums) in blocks {
        for (a, s) in aggregate.iter_mut().zip(&sums) {
            *a += s;
        }
        results.extend(r);
    }
    let total: f64 = results.iter().map(|r| r.summary.mean).sum();
    let contributions = results.iter().map(|r| if total > 0.0 { r.summary.mean / total } else { 0.0 }).collect();
    let summary = summarize(&mut aggregate.clone());
    PortfolioResult { scenarios: results, aggregate: summary, contributions, aggregate_samples: aggregate }
}

/// A Poisson(lambda) count: multiplication method for small lambda, PTRS (Hörmann's
/// transformed rejection) for large.
pub fn poisson(lambda: f64, rng: &mut Stream) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda < 30.0 {
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = rng.open01();
        while p > limit {
            k += 1;
            p *= rng.open01();
        }
        return k;
    }
    let slam = lambda.sqrt();
    let loglam = lambda.ln();
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = rng.open01() - 0.5;
        let v = rng.open01();
        let us = 0.5 - u.abs();
        let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
        if us >= 0.07 && v <= vr {
            return k as u32;
        }
        if k < 0.0 || (us < 0.013 && v > us) {
            continue;
        }
        if v.ln() + invalpha.ln() - (a / (us * us) + b).ln() <= -lambda + k * loglam - ln_factorial(k) {
            return k as u32;
        }
    }
}

/// ln(k!) by Stirling's series (exact enough above 10; a table below).
fn ln_factorial(k: f64) -> f64 {
    if k < 10.0 {
        const T: [f64; 10] = [
            0.0,
            0.0,
            std::f64::consts::LN_2,
            1.791_759_469_228_055,
            3.178_053_830_347_945_6,
            4.787_491_742_782_046,
            6.579_251_212_010_101,
            8.525_161_361_065_415,
            10.604_602_902_745_25,
            12.801_827_480_081_469,
        ];
        return T[k as usize];
    }
    let x = k + 1.0;
    (x - 0.5) * x.ln() - x + 0.918_938_533_204_672_8 + 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x * x)
}
