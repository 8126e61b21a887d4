//! Quantitative risk kept with the register: a risk's Open FAIR estimates, stored
//! simulation results, and the organization's appetite for annual loss.

use super::*;

/// A risk's Open FAIR estimates (the scenario without its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FairEstimates {
    /// Loss event frequency.
    pub frequency: crate::fair::Frequency,
    /// Primary loss per event.
    pub pl: crate::fair::Estimate,
    /// Probability of secondary effects per loss event.
    pub slef: crate::fair::Estimate,
    /// Secondary loss magnitude.
    pub slem: crate::fair::Estimate,
}

impl Eq for FairEstimates {}

impl FairEstimates {
    /// The scenario of a risk with these estimates.
    pub fn scenario(&self, risk_id: &str) -> crate::fair::Scenario {
        crate::fair::Scenario {
            id: risk_id.to_owned(),
            frequency: self.frequency,
            pl: self.pl,
            slef: self.slef,
            slem: self.slem,
        }
    }
}

/// A stored simulation result: the settings used, the statistics and the loss
/// exceedance curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FairResult {
    /// `RSK-001`, or `PORTFOLIO`.
    pub id: String,
    /// When it was run.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
    /// Seed, iterations and forms used.
    pub settings: crate::fair::Settings,
    /// Statistics of the annual loss.
    pub summary: crate::fair::Summary,
    /// Loss exceedance curve: (loss, probability of exceeding it in a year).
    pub curve: Vec<(f64, f64)>,
    /// For a portfolio: each risk's share of the mean.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contributions: Vec<(String, f64)>,
}

/// The organization's appetite for annual loss: points (loss, highest acceptable
/// probability of exceeding it in a year), drawn against the portfolio's curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LossAppetite {
    /// Always `APPETITE`.
    #[serde(default)]
    pub id: String,
    /// (loss, probability) points, by loss.
    pub points: Vec<(f64, f64)>,
}

impl Entry for LossAppetite {
    const KIND: &'static str = "loss_appetite";
    const PREFIX: &'static str = "APPETITE";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "APPETITE".into();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.points.is_empty() {
            p.push(("points", "give at least one (loss, probability) point".into()));
        }
        for (loss, prob) in &self.points {
            if !(loss.is_finite() && *loss > 0.0 && (0.0..=1.0).contains(prob)) {
                p.push(("points", format!("({loss}, {prob}) needs a positive loss and a probability in 0–1")));
            }
        }
        p
    }
}

impl LossAppetite {
    /// Points of the curve that exceed the appetite: (loss, curve probability, appetite
    /// probability). The appetite is a step function: at a loss, the probability of the
    /// highest appetite point at or below that loss applies.
    pub fn breaches(&self, curve: &[(f64, f64)]) -> Vec<(f64, f64, f64)> {
        let mut points = self.points.clone();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        curve
            .iter()
            .filter_map(|&(loss, p)| {
                let limit = points.iter().rev().find(|(l, _)| *l <= loss).map(|(_, q)| *q)?;
                (p > limit).then_some((loss, p, limit))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appetite_breaches_are_the_curve_points_above_the_step_line() {
        let appetite = LossAppetite { id: "APPETITE".into(), points: vec![(1_000_000.0, 0.2), (5_000_000.0, 0.05)] };
        let curve =
            [(500_000.0, 0.9), (1_000_000.0, 0.15), (2_000_000.0, 0.25), (5_000_000.0, 0.04), (9_000_000.0, 0.06)];
        assert_eq!(appetite.breaches(&curve), [(2_000_000.0, 0.25, 0.2), (9_000_000.0, 0.06, 0.05)]);
        assert!(LossAppetite { id: String::new(), points: vec![(-1.0, 0.5)] }.problems().len() == 1);
    }
}
