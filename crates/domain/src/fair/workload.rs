//! Scenario files in the `isms-bench/fair-workload/1` format: a `single` scenario and a
//! `portfolio` of scenarios, each input a PERT(low, mode, high).

use serde::Deserialize;

use super::dist::Estimate;
use super::model::{Frequency, Scenario};

#[derive(Debug, Deserialize)]
struct Range {
    low: f64,
    mode: f64,
    high: f64,
}

impl From<&Range> for Estimate {
    fn from(r: &Range) -> Self {
        Estimate::Pert { low: r.low, mode: r.mode, high: r.high }
    }
}

#[derive(Debug, Deserialize)]
struct FileScenario {
    id: String,
    tef: Range,
    vuln: Range,
    pl: Range,
    slef: Range,
    slem: Range,
    analytic_mean_ale: Option<f64>,
}

impl FileScenario {
    fn scenario(&self) -> Scenario {
        Scenario {
            id: self.id.clone(),
            frequency: Frequency::Vulnerability { tef: (&self.tef).into(), vuln: (&self.vuln).into() },
            pl: (&self.pl).into(),
            slef: (&self.slef).into(),
            slem: (&self.slem).into(),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Single {
    iterations: u32,
    sim_seed: u64,
    scenario: FileScenario,
}

#[derive(Debug, Deserialize)]
struct Portfolio {
    iterations: u32,
    sim_seed: u64,
    #[serde(default)]
    named: Vec<String>,
    analytic_mean_aggregate_ale: Option<f64>,
    scenarios: Vec<FileScenario>,
}

#[derive(Debug, Deserialize)]
struct File {
    format: String,
    single: Option<Single>,
    portfolio: Option<Portfolio>,
}

/// One section of a scenario file, ready to run.
#[derive(Debug, Clone)]
pub struct Section {
    /// `single` or `portfolio`.
    pub name: &'static str,
    /// Iterations the file asks for.
    pub iterations: u32,
    /// The file's seed.
    pub seed: u64,
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
    /// The exact mean ALE of each scenario, when the file gives it.
    pub analytic_means: Vec<Option<f64>>,
    /// The exact mean of the aggregate, when given.
    pub analytic_aggregate: Option<f64>,
    /// Scenarios the file singles out.
    pub named: Vec<String>,
}

/// Reads a scenario file. Errors name the line and column (JSON) or the scenario and
/// field (bad estimates).
pub fn parse(text: &str) -> Result<Vec<Section>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if file.format != "isms-bench/fair-workload/1" {
        return Err(format!("format {:?} is not isms-bench/fair-workload/1", file.format));
    }
    let mut sections = Vec::new();
    if let Some(s) = file.single {
        sections.push(Section {
            name: "single",
            iterations: s.iterations,
            seed: s.sim_seed,
            analytic_means: vec![s.scenario.analytic_mean_ale],
            scenarios: vec![s.scenario.scenario()],
            analytic_aggregate: None,
            named: vec![],
        });
    }
    if let Some(p) = file.portfolio {
        sections.push(Section {
            name: "portfolio",
            iterations: p.iterations,
            seed: p.sim_seed,
            analytic_means: p.scenarios.iter().map(|s| s.analytic_mean_ale).collect(),
            scenarios: p.scenarios.iter().map(FileScenario::scenario).collect(),
            analytic_aggregate: p.analytic_mean_aggregate_ale,
            named: p.named,
        });
    }
    let problems: Vec<String> =
        sections.iter().flat_map(|s| s.scenarios.iter().flat_map(|x| x.problems())).map(|e| e.to_string()).collect();
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(sections)
}
