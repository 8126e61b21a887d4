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

/// A risk's estimates as analysts type them, one text per factor (the CLI's flags and
/// the risk page's fields; see [`crate::fair::Estimate::parse`]). The frequency is
/// `lef` alone, `tef` with `vuln`, or `tef` with `tcap` and `rs`; empty secondary
/// factors mean none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct FairText {
    /// Loss event frequency per year.
    #[serde(default)]
    pub lef: String,
    /// Threat event frequency per year.
    #[serde(default)]
    pub tef: String,
    /// Vulnerability (0–1).
    #[serde(default)]
    pub vuln: String,
    /// Threat capability (0–100).
    #[serde(default)]
    pub tcap: String,
    /// Resistance strength (0–100).
    #[serde(default)]
    pub rs: String,
    /// Primary loss per event.
    #[serde(default)]
    pub pl: String,
    /// Probability of secondary effects (0–1).
    #[serde(default)]
    pub slef: String,
    /// Secondary loss magnitude.
    #[serde(default)]
    pub slem: String,
}

impl FairText {
    /// The text of stored estimates.
    pub fn of(e: &FairEstimates) -> Self {
        use crate::fair::Frequency;
        let mut t =
            FairText { pl: e.pl.to_string(), slef: e.slef.to_string(), slem: e.slem.to_string(), ..Self::default() };
        match e.frequency {
            Frequency::Direct { lef } => t.lef = lef.to_string(),
            Frequency::Vulnerability { tef, vuln } => {
                t.tef = tef.to_string();
                t.vuln = vuln.to_string();
            }
            Frequency::Capability { tef, tcap, rs } => {
                t.tef = tef.to_string();
                t.tcap = tcap.to_string();
                t.rs = rs.to_string();
            }
        }
        t
    }

    /// The estimates, or the first field that is wrong and why. Ranges (a probability
    /// above 1, low above high) are checked by [`crate::fair::Scenario::problems`].
    pub fn estimates(&self) -> Result<FairEstimates, (&'static str, String)> {
        use crate::fair::{Estimate, Frequency};
        let read = |field: &'static str, text: &str| Estimate::parse(text).map_err(|m| (field, m));
        let given = |t: &str| !t.trim().is_empty();
        let frequency = match (
            given(&self.lef),
            given(&self.tef),
            given(&self.vuln),
            given(&self.tcap),
            given(&self.rs),
        ) {
            (true, false, false, false, false) => Frequency::Direct { lef: read("lef", &self.lef)? },
            (false, true, true, false, false) => {
                Frequency::Vulnerability { tef: read("tef", &self.tef)?, vuln: read("vuln", &self.vuln)? }
            }
            (false, true, false, true, true) => Frequency::Capability {
                tef: read("tef", &self.tef)?,
                tcap: read("tcap", &self.tcap)?,
                rs: read("rs", &self.rs)?,
            },
            _ => {
                return Err((
                    "lef",
                    "give the loss event frequency, or the threat event frequency with the vulnerability (or with threat capability and resistance strength)".into(),
                ));
            }
        };
        if !given(&self.pl) {
            return Err(("pl", "the primary loss per event is required".into()));
        }
        let or_zero = |t: &str| if given(t) { t.to_owned() } else { "0".to_owned() };
        Ok(FairEstimates {
            frequency,
            pl: read("pl", &self.pl)?,
            slef: read("slef", &or_zero(&self.slef))?,
            slem: read("slem", &or_zero(&self.slem))?,
        })
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

/// Reads one appetite point as people write it: a loss and the highest acceptable
/// probability of exceeding it in a year, apart by `:` or spaces — `5000000:0.05`,
/// `$2,000,000 50%`. The reason says what was wrong.
pub fn appetite_point(text: &str) -> Result<(f64, f64), String> {
    let cleaned = text.replace(':', " ");
    let mut parts = cleaned.split_whitespace();
    let (Some(loss), Some(p), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("write a loss and a probability, e.g. 2,000,000 50% or 2000000:0.5".into());
    };
    let loss: f64 = loss
        .chars()
        .filter(|c| !matches!(c, '$' | ',' | '_'))
        .collect::<String>()
        .parse()
        .map_err(|_| format!("the loss {loss:?} is not a number"))?;
    let p: f64 = match p.strip_suffix('%') {
        Some(pct) => pct.parse::<f64>().map(|v| v / 100.0),
        None => p.parse(),
    }
    .map_err(|_| format!("the probability {p:?} is not a number (0–1, or a percentage)"))?;
    Ok((loss, p))
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

    #[test]
    fn typed_estimates_read_back_as_they_were_written() {
        let text = FairText {
            tef: "1,4,12".into(),
            vuln: "tri:0.1,0.2,0.5".into(),
            pl: "lognormal:10_000,250 000".into(),
            slef: "uniform:0,0.3".into(),
            ..FairText::default()
        };
        let e = text.estimates().unwrap();
        assert_eq!(e.pl, crate::fair::Estimate::Lognormal { low: 10_000.0, high: 250_000.0 });
        assert_eq!(e.slem, crate::fair::Estimate::Constant { value: 0.0 });
        assert_eq!(FairText::of(&e).estimates().unwrap(), e);
        assert_eq!(FairText::of(&e).pl, "lognormal:10000,250000");
        let wrong = FairText { lef: "2".into(), tef: "3".into(), pl: "1".into(), ..FairText::default() };
        assert_eq!(wrong.estimates().unwrap_err().0, "lef");
        let no_loss = FairText { lef: "2".into(), ..FairText::default() };
        assert_eq!(no_loss.estimates().unwrap_err().0, "pl");
        let bad = FairText { lef: "2".into(), pl: "beta:1,2".into(), ..FairText::default() };
        assert!(bad.estimates().unwrap_err().1.contains("use L,M,H"));
        let nan = FairText { lef: "two".into(), pl: "1".into(), ..FairText::default() };
        assert_eq!(nan.estimates().unwrap_err(), ("lef", "\"two\": \"two\" is not a number".to_owned()));
    }
}
