//! Information security risk (ISO/IEC 27001:2022 6.1.2, 6.1.3, 8.2, 8.3): the
//! organization's methodology (scales, matrix, acceptance criteria), the risks
//! assessed with it, their treatment and their acceptance by the risk owner.
//!
//! Levels are never stored as the truth: they are read from the current methodology's
//! matrix, so changing the matrix re-levels every risk; each risk keeps the history of
//! the levels it had under earlier versions.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::register::Entry;

/// One step of a likelihood or impact scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScaleLevel {
    /// 1 (lowest) to the scale's size.
    pub value: u8,
    /// Its name (Rare, Unlikely…).
    pub label: String,
    /// When to choose it, so different assessors rate alike.
    pub criterion: String,
}

/// Who may accept a risk whose residual level is this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AcceptanceRule {
    /// Within appetite: no acceptance needed.
    Automatic,
    /// The risk owner accepts it.
    RiskOwner,
    /// Top management (a member with the owner role) accepts it.
    Executive,
    /// It may not be accepted: it must be treated further.
    NotAcceptable,
}

/// A risk level of the matrix (low, medium, high, critical…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskLevel {
    /// Its id (`high`).
    pub id: String,
    /// Its name (High).
    pub label: String,
    /// Its colour in heat maps (`#d97706`).
    pub color: String,
    /// Who may accept a residual risk at this level.
    pub acceptance: AcceptanceRule,
}

/// A likelihood and an impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rating {
    /// 1 to the likelihood scale's size.
    pub likelihood: u8,
    /// 1 to the impact scale's size.
    pub impact: u8,
}

/// An organization's risk methodology. One per organization, id `METHODOLOGY`; every
/// change makes a new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Methodology {
    /// Always `METHODOLOGY`.
    #[serde(default)]
    pub id: String,
    /// 1, 2, 3…
    pub version: u32,
    /// Likelihood scale, lowest first.
    pub likelihood: Vec<ScaleLevel>,
    /// Impact scale, lowest first.
    pub impact: Vec<ScaleLevel>,
    /// Risk levels, lowest first.
    pub levels: Vec<RiskLevel>,
    /// `matrix[likelihood - 1][impact - 1]` is a level id.
    pub matrix: Vec<Vec<String>>,
}

fn scale(items: &[(&str, &str)]) -> Vec<ScaleLevel> {
    items
        .iter()
        .enumerate()
        .map(|(i, (label, criterion))| ScaleLevel {
            value: i as u8 + 1,
            label: (*label).into(),
            criterion: (*criterion).into(),
        })
        .collect()
}

impl Default for Methodology {
    /// A 5×5 method: low and medium within appetite or accepted by the owner, high
    /// accepted by top management, critical never accepted.
    fn default() -> Self {
        let likelihood = scale(&[
            ("Rare", "Not expected in the next 5 years; no history here or among peers."),
            ("Unlikely", "Could happen once in 2–5 years; has happened to peers."),
            ("Possible", "About once a year; has happened here before."),
            ("Likely", "Several times a year; controls are known to be weak."),
            ("Almost certain", "Expected monthly or is happening now."),
        ]);
        let impact = scale(&[
            ("Negligible", "No customer effect; under $10k; no notification."),
            ("Minor", "Few customers briefly affected; $10k–$100k; internal notice only."),
            ("Moderate", "Customer-visible outage or limited data exposure; $100k–$1M; contractual notice."),
            ("Major", "Breach of regulated data (e.g. ePHI); $1M–$10M; regulator notification."),
            ("Severe", "Large breach or prolonged outage threatening the business; over $10M."),
        ]);
        let level = |id: &str, label: &str, color: &str, acceptance| RiskLevel {
            id: id.into(),
            label: label.into(),
            color: color.into(),
            acceptance,
        };
        let levels = vec![
            level("low", "Low", "#16a34a", AcceptanceRule::Automatic),
            level("medium", "Medium", "#ca8a04", AcceptanceRule::RiskOwner),
            level("high", "High", "#ea580c", AcceptanceRule::Executive),
            level("critical", "Critical", "#dc2626", AcceptanceRule::NotAcceptable),
        ];
        let grid = [
            ["low", "low", "low", "medium", "medium"],
            ["low", "low", "medium", "medium", "high"],
            ["low", "medium", "medium", "high", "high"],
            ["medium", "medium", "high", "high", "critical"],
            ["medium", "high", "high", "critical", "critical"],
        ];
        let matrix = grid.iter().map(|row| row.iter().map(|c| (*c).to_owned()).collect()).collect();
        Self { id: "METHODOLOGY".into(), version: 1, likelihood, impact, levels, matrix }
    }
}

impl Methodology {
    /// The level of a rating. Ratings outside the scales get the highest level, so
    /// bad data never looks better than it is.
    pub fn level_of(&self, rating: Rating) -> &RiskLevel {
        let id = self
            .matrix
            .get(usize::from(rating.likelihood).wrapping_sub(1))
            .and_then(|row| row.get(usize::from(rating.impact).wrapping_sub(1)));
        id.and_then(|id| self.levels.iter().find(|l| &l.id == id)).or_else(|| self.levels.last()).unwrap_or(&FALLBACK)
    }

    /// The rank of a level (0 = lowest).
    pub fn rank(&self, level_id: &str) -> usize {
        self.levels.iter().position(|l| l.id == level_id).unwrap_or(usize::MAX)
    }

    /// Checks a rating against the scales.
    pub fn rating_problem(&self, field: &str, rating: Rating) -> Option<String> {
        let (l, i) = (self.likelihood.len() as u8, self.impact.len() as u8);
        if !(1..=l).contains(&rating.likelihood) {
            return Some(format!("{field} likelihood {} is outside 1–{l}", rating.likelihood));
        }
        if !(1..=i).contains(&rating.impact) {
            return Some(format!("{field} impact {} is outside 1–{i}", rating.impact));
        }
        None
    }
}

static FALLBACK: std::sync::LazyLock<RiskLevel> = std::sync::LazyLock::new(|| RiskLevel {
    id: "unknown".into(),
    label: "Unknown".into(),
    color: "#6b7280".into(),
    acceptance: AcceptanceRule::NotAcceptable,
});

impl Entry for Methodology {
    const KIND: &'static str = "methodology";
    const PREFIX: &'static str = "METHODOLOGY";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "METHODOLOGY".into();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        for (field, scale) in [("likelihood", &self.likelihood), ("impact", &self.impact)] {
            if !(3..=5).contains(&scale.len()) {
                p.push((field, format!("a scale has 3 to 5 levels (this one has {})", scale.len())));
            }
            for (i, level) in scale.iter().enumerate() {
                if usize::from(level.value) != i + 1 {
                    p.push((field, format!("level {} should have value {}", level.label, i + 1)));
                }
                if level.label.trim().is_empty() || level.criterion.trim().is_empty() {
                    p.push((field, format!("level {} needs a label and a criterion", i + 1)));
                }
            }
        }
        if self.levels.len() < 2 {
            p.push(("levels", "a matrix needs at least two risk levels".into()));
        }
        if self.matrix.len() != self.likelihood.len() {
            p.push((
                "matrix",
                format!(
                    "the matrix has {} rows; the likelihood scale has {} levels",
                    self.matrix.len(),
                    self.likelihood.len()
                ),
            ));
        }
        for (r, row) in self.matrix.iter().enumerate() {
            if row.len() != self.impact.len() {
                p.push((
                    "matrix",
                    format!("row {} has {} cells; the impact scale has {} levels", r + 1, row.len(), self.impact.len()),
                ));
            }
            for cell in row {
                if !self.levels.iter().any(|l| &l.id == cell) {
                    p.push(("matrix", format!("row {}: {cell:?} is not a risk level", r + 1)));
                }
            }
        }
        p
    }
}

/// How a risk is treated (6.1.3 a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TreatmentOption {
    /// Reduce it with controls.
    Modify,
    /// Keep it as it is.
    Retain,
    /// Stop the activity that causes it.
    Avoid,
    /// Transfer part of it (insurance, a supplier).
    Share,
}

/// Where a treatment action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Not started.
    Open,
    /// Under way.
    InProgress,
    /// Done.
    Done,
}

impl ActionStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
        }
    }
}

/// One step of a risk treatment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TreatmentAction {
    /// What will be done.
    pub title: String,
    /// Who does it (e-mail).
    pub owner: String,
    /// By when.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub due: Date,
    /// Where it stands.
    pub status: ActionStatus,
}

/// A risk owner's acceptance of a residual risk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RiskAcceptance {
    /// Who accepted (e-mail).
    pub by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
    /// Why.
    pub comment: String,
    /// The residual level accepted; a higher level later needs a new acceptance.
    pub level: String,
}

/// The levels a risk had under one methodology version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LevelRecord {
    /// The methodology version.
    pub methodology_version: u32,
    /// Inherent level then.
    pub inherent: String,
    /// Residual level then.
    pub residual: String,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub at: OffsetDateTime,
}

/// A risk of the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Risk {
    /// `RSK-001`.
    #[serde(default)]
    pub id: String,
    /// Short name.
    pub title: String,
    /// What could happen.
    #[serde(default)]
    pub description: String,
    /// Affected assets (ids).
    #[serde(default)]
    pub assets: Vec<String>,
    /// The threat.
    #[serde(default)]
    pub threat: String,
    /// The vulnerability it exploits.
    #[serde(default)]
    pub vulnerability: String,
    /// The risk owner (e-mail of a member).
    pub owner: String,
    /// Before treatment.
    pub inherent: Rating,
    /// Controls already in place.
    #[serde(default)]
    pub existing_controls: String,
    /// The treatment option.
    pub treatment: TreatmentOption,
    /// The treatment plan.
    #[serde(default)]
    pub actions: Vec<TreatmentAction>,
    /// Annex A controls chosen to treat it.
    #[serde(default)]
    pub controls: Vec<String>,
    /// After treatment.
    pub residual: Rating,
    /// The owner's acceptance of the residual risk, if given.
    #[serde(default)]
    pub acceptance: Option<RiskAcceptance>,
    /// When it is to be reviewed next.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub next_review: Date,
    /// Levels under earlier methodology versions, oldest first.
    #[serde(default)]
    pub history: Vec<LevelRecord>,
    /// Open FAIR estimates for quantitative analysis, if the risk has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fair: Option<FairEstimates>,
}

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

impl Entry for Risk {
    const KIND: &'static str = "risk";
    const PREFIX: &'static str = "RSK";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.title.trim().is_empty() {
            p.push(("title", "is required".into()));
        }
        if self.owner.trim().is_empty() {
            p.push(("owner", "every risk needs an owner".into()));
        }
        for a in &self.actions {
            if a.title.trim().is_empty() || a.owner.trim().is_empty() {
                p.push(("actions", "every action needs a title and an owner".into()));
            }
        }
        p
    }
}

/// Whether a risk's residual level is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AcceptanceState {
    /// Within appetite.
    NotNeeded,
    /// Accepted at its current level.
    Accepted,
    /// Above appetite and not (or no longer) accepted.
    Unaccepted {
        /// Who may accept it.
        by: AcceptanceRule,
    },
    /// Above what may be accepted: it must be treated further.
    NotAcceptable,
}

impl AcceptanceState {
    /// In words, for tables and reports.
    pub fn label(self) -> &'static str {
        match self {
            AcceptanceState::NotNeeded => "within appetite",
            AcceptanceState::Accepted => "accepted",
            AcceptanceState::Unaccepted { .. } => "NOT ACCEPTED",
            AcceptanceState::NotAcceptable => "must be treated",
        }
    }

    /// Whether the risk still needs something before it is settled: an acceptance by
    /// whom the methodology names, or (above what may be accepted) further treatment.
    /// The dashboard, the register, readiness and the CLI all ask this one question.
    pub fn awaits_acceptance(self) -> bool {
        matches!(self, AcceptanceState::Unaccepted { .. } | AcceptanceState::NotAcceptable)
    }
}

impl Risk {
    /// Inherent and residual levels under a methodology.
    pub fn levels<'m>(&self, m: &'m Methodology) -> (&'m RiskLevel, &'m RiskLevel) {
        (m.level_of(self.inherent), m.level_of(self.residual))
    }

    /// The acceptance state under a methodology. An acceptance of a lower level than
    /// the current residual level no longer counts.
    pub fn acceptance_state(&self, m: &Methodology) -> AcceptanceState {
        let residual = m.level_of(self.residual);
        match residual.acceptance {
            AcceptanceRule::Automatic => AcceptanceState::NotNeeded,
            AcceptanceRule::NotAcceptable => AcceptanceState::NotAcceptable,
            rule => match &self.acceptance {
                Some(a) if m.rank(&a.level) >= m.rank(&residual.id) => AcceptanceState::Accepted,
                _ => AcceptanceState::Unaccepted { by: rule },
            },
        }
    }

    /// Records the levels under a methodology in the history, when they differ from
    /// the last record (or there is none).
    pub fn record_levels(&mut self, m: &Methodology, at: OffsetDateTime) -> bool {
        let (inherent, residual) = self.levels(m);
        let record = LevelRecord {
            methodology_version: m.version,
            inherent: inherent.id.clone(),
            residual: residual.id.clone(),
            at,
        };
        let changed = self.history.last().is_none_or(|last| {
            last.inherent != record.inherent
                || last.residual != record.residual
                || last.methodology_version != record.methodology_version
        });
        if changed {
            self.history.push(record);
        }
        changed
    }
}

/// Which rating a heat map shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HeatMapKind {
    /// Before treatment.
    Inherent,
    /// After treatment.
    Residual,
}

/// Counts of risks per cell: `counts[likelihood - 1][impact - 1]`.
pub fn heat_counts(risks: &[Risk], m: &Methodology, kind: HeatMapKind) -> Vec<Vec<usize>> {
    let mut counts = vec![vec![0; m.impact.len()]; m.likelihood.len()];
    for r in risks {
        let rating = match kind {
            HeatMapKind::Inherent => r.inherent,
            HeatMapKind::Residual => r.residual,
        };
        if let Some(cell) = counts
            .get_mut(usize::from(rating.likelihood).wrapping_sub(1))
            .and_then(|row| row.get_mut(usize::from(rating.impact).wrapping_sub(1)))
        {
            *cell += 1;
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    #[test]
    fn a_risk_awaits_acceptance_until_accepted_or_within_appetite() {
        assert!(!AcceptanceState::NotNeeded.awaits_acceptance());
        assert!(!AcceptanceState::Accepted.awaits_acceptance());
        assert!(AcceptanceState::NotAcceptable.awaits_acceptance());
    }

    fn risk(inherent: (u8, u8), residual: (u8, u8)) -> Risk {
        Risk {
            id: "RSK-001".into(),
            title: "Ransomware on production".into(),
            description: String::new(),
            assets: vec![],
            threat: String::new(),
            vulnerability: String::new(),
            owner: "it@acme.test".into(),
            inherent: Rating { likelihood: inherent.0, impact: inherent.1 },
            existing_controls: String::new(),
            treatment: TreatmentOption::Modify,
            actions: vec![],
            controls: vec![],
            residual: Rating { likelihood: residual.0, impact: residual.1 },
            acceptance: None,
            next_review: date!(2027 - 01 - 01),
            history: vec![],
            fair: None,
        }
    }

    #[test]
    fn the_default_method_is_a_valid_5x5_with_four_levels() {
        let m = Methodology::default();
        assert!(m.problems().is_empty(), "{:?}", m.problems());
        assert_eq!(m.level_of(Rating { likelihood: 1, impact: 1 }).id, "low");
        assert_eq!(m.level_of(Rating { likelihood: 5, impact: 5 }).id, "critical");
        assert_eq!(m.level_of(Rating { likelihood: 3, impact: 4 }).id, "high");
        assert_eq!(m.level_of(Rating { likelihood: 9, impact: 1 }).id, "critical", "out of range is never better");
    }

    #[test]
    fn acceptance_depends_on_the_residual_level_and_lapses_when_it_rises() {
        let m = Methodology::default();
        assert_eq!(risk((5, 5), (1, 2)).acceptance_state(&m), AcceptanceState::NotNeeded);
        let mut r = risk((5, 5), (2, 3));
        assert_eq!(r.acceptance_state(&m), AcceptanceState::Unaccepted { by: AcceptanceRule::RiskOwner });
        r.acceptance = Some(RiskAcceptance {
            by: "it@acme.test".into(),
            at: datetime!(2026-11-25 0:00 UTC),
            comment: "ok".into(),
            level: "medium".into(),
        });
        assert_eq!(r.acceptance_state(&m), AcceptanceState::Accepted);
        r.residual = Rating { likelihood: 3, impact: 4 };
        assert_eq!(r.acceptance_state(&m), AcceptanceState::Unaccepted { by: AcceptanceRule::Executive });
        r.residual = Rating { likelihood: 5, impact: 5 };
        assert_eq!(r.acceptance_state(&m), AcceptanceState::NotAcceptable);
    }

    #[test]
    fn a_bad_matrix_is_named_cell_by_cell() {
        let mut m = Methodology::default();
        m.matrix[1][2] = "severe".into();
        m.matrix.pop();
        let problems: Vec<String> = m.problems().into_iter().map(|(_, msg)| msg).collect();
        assert_eq!(
            problems,
            ["the matrix has 4 rows; the likelihood scale has 5 levels", "row 2: \"severe\" is not a risk level"]
        );
    }

    #[test]
    fn heat_counts_count_each_risk_in_its_cell() {
        let m = Methodology::default();
        let risks = [risk((5, 5), (1, 2)), risk((5, 5), (2, 2)), risk((4, 3), (1, 2))];
        let inherent = heat_counts(&risks, &m, HeatMapKind::Inherent);
        assert_eq!((inherent[4][4], inherent[3][2]), (2, 1));
        let residual = heat_counts(&risks, &m, HeatMapKind::Residual);
        assert_eq!((residual[0][1], residual[1][1]), (2, 1));
        assert_eq!(residual.iter().flatten().sum::<usize>(), 3);
    }

    #[test]
    fn appetite_breaches_are_the_curve_points_above_the_step_line() {
        let appetite = LossAppetite { id: "APPETITE".into(), points: vec![(1_000_000.0, 0.2), (5_000_000.0, 0.05)] };
        let curve =
            [(500_000.0, 0.9), (1_000_000.0, 0.15), (2_000_000.0, 0.25), (5_000_000.0, 0.04), (9_000_000.0, 0.06)];
        assert_eq!(appetite.breaches(&curve), [(2_000_000.0, 0.25, 0.2), (9_000_000.0, 0.06, 0.05)]);
        assert!(LossAppetite { id: String::new(), points: vec![(-1.0, 0.5)] }.problems().len() == 1);
    }

    #[test]
    fn level_history_grows_only_when_levels_change() {
        let mut m = Methodology::default();
        let mut r = risk((3, 3), (2, 2));
        assert!(r.record_levels(&m, datetime!(2026-01-01 0:00 UTC)));
        assert!(!r.record_levels(&m, datetime!(2026-02-01 0:00 UTC)));
        m.version = 2;
        m.matrix[2][2] = "high".into();
        assert!(r.record_levels(&m, datetime!(2026-03-01 0:00 UTC)));
        let levels: Vec<(u32, &str)> = r.history.iter().map(|h| (h.methodology_version, h.inherent.as_str())).collect();
        assert_eq!(levels, [(1, "medium"), (2, "high")]);
    }
}
