//! The organization's risk methodology (6.1.2): likelihood and impact scales, the
//! matrix of risk levels, and who may accept a residual risk at each level.

use super::*;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
