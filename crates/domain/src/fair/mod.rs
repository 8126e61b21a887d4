//! Quantitative risk: an Open FAIR Monte Carlo engine (pure computation, no I/O).
//!
//! Loss Event Frequency comes directly, from Threat Event Frequency × Vulnerability, or
//! from TEF × P(Threat Capability > Resistance Strength); Loss Magnitude is Primary
//! Loss plus Secondary Loss (product or Bernoulli form); with `poisson` the number of
//! loss events in a year is Poisson(LEF) and each event draws its own magnitude.
//! Results are reproducible: the same seed gives bit-identical numbers on every
//! platform and with any number of threads.

pub mod dist;
pub mod model;
pub mod rng;
pub mod stats;
pub mod workload;

pub use dist::{Estimate, PertForm};
pub use model::{
    CURVE_POINTS, Frequency, PortfolioResult, Scenario, ScenarioError, ScenarioResult, SecondaryForm, Settings,
    simulate, simulate_portfolio, simulate_portfolio_with_progress,
};
pub use stats::{Summary, exceedance_curve, summarize};

#[cfg(test)]
mod tests;
