//! The risks of the register: their ratings, treatment (6.1.3) and acceptance by the
//! risk owner, the history of their levels, and heat-map counts.

use super::*;

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
