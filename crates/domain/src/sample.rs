//! Audit sampling (ISO 19011 6.3.4): the auditor draws items from a population isms
//! knows, by size or percentage, with a seed. The draw ranks every item by the SHA-256
//! of the seed and its id and takes the first ones, so anyone holding the seed and the
//! population can repeat it and see that nobody chose the items.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::register::Entry;

/// What is sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Population {
    /// The risk register.
    Risks,
    /// Nonconformities with a corrective action.
    CorrectiveActions,
    /// Evidence items.
    Evidence,
    /// Documents.
    Documents,
    /// The results of one ingested run (`RUN-001`).
    CheckResults,
    /// Members who joined or left the organization in the period (from the audit
    /// trail's `membership.granted` and `membership.removed` entries).
    Members,
}

impl Population {
    /// Every population.
    pub const ALL: [Population; 6] = [
        Population::Risks,
        Population::CorrectiveActions,
        Population::Evidence,
        Population::Documents,
        Population::CheckResults,
        Population::Members,
    ];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Population::Risks => "risks",
            Population::CorrectiveActions => "corrective_actions",
            Population::Evidence => "evidence",
            Population::Documents => "documents",
            Population::CheckResults => "check_results",
            Population::Members => "members",
        }
    }

    /// Parses a written name (`corrective-actions` too).
    pub fn parse(s: &str) -> Option<Population> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Population::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// How many items a sample of `size` items, or `percent` of a population of
/// `population` items (rounded up), holds.
pub fn sample_size(population: usize, size: Option<usize>, percent: Option<f64>) -> Result<usize, String> {
    match (size, percent) {
        (Some(_), Some(_)) => Err("give a size or a percentage, not both".to_owned()),
        (None, None) => Err("give a size or a percentage".to_owned()),
        (Some(0), _) => Err("a sample holds at least one item".to_owned()),
        (Some(n), None) => Ok(n.min(population)),
        (None, Some(p)) if !(p > 0.0 && p <= 100.0) => Err(format!("{p} is not a percentage above 0 and up to 100")),
        (None, Some(p)) => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
            let n = (population as f64 * p / 100.0).ceil() as usize;
            Ok(n.clamp(1, population.max(1)).min(population))
        }
    }
}

/// The rank of `id` in a draw with `seed`: the SHA-256 of the seed, a newline and the id.
fn rank(seed: &str, id: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b"\n");
    h.update(id.as_bytes());
    h.finalize().into()
}

/// Draws `size` of `ids` with `seed`: the ids of the lowest ranks, lowest first. The
/// same seed and population give the same sample whatever order the ids come in.
pub fn draw(ids: &[String], seed: &str, size: usize) -> Vec<String> {
    let mut ranked: Vec<([u8; 32], &String)> = ids.iter().map(|id| (rank(seed, id), id)).collect();
    ranked.sort();
    ranked.dedup_by(|a, b| a.1 == b.1);
    ranked.into_iter().take(size).map(|(_, id)| id.clone()).collect()
}

/// The SHA-256 of a population: of its ids, sorted, one a line.
pub fn population_sha256(ids: &[String]) -> String {
    let mut sorted: Vec<&String> = ids.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut h = Sha256::new();
    for id in sorted {
        h.update(id.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A recorded draw (`SMP-001`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Sample {
    /// `SMP-001`.
    #[serde(default)]
    pub id: String,
    /// The audit it is drawn for.
    pub audit: String,
    /// What was sampled.
    pub population: Population,
    /// The run, for check results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// The first day of the period, for members who joined or left.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub from: Option<time::Date>,
    /// The last day of the period.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub to: Option<time::Date>,
    /// How many items the population held.
    pub population_size: usize,
    /// The SHA-256 of the population's ids, sorted, one a line.
    pub population_sha256: String,
    /// The seed.
    pub seed: String,
    /// The percentage asked for, when the size came from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<f64>,
    /// The items drawn, in the order drawn.
    pub items: Vec<String>,
    /// Who drew it.
    pub drawn_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date-time")))]
    pub drawn_at: time::OffsetDateTime,
}

impl Entry for Sample {
    const KIND: &'static str = "sample";
    const PREFIX: &'static str = "SMP";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.seed.trim().is_empty() {
            p.push(("seed", "is required".to_owned()));
        }
        if self.items.is_empty() {
            p.push(("items", "a sample holds at least one item".to_owned()));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("RSK-{i:03}")).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_sample_whatever_the_order_and_another_seed_another() {
        let all = ids(40);
        let a = draw(&all, "2026-audit-7", 5);
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(draw(&reversed, "2026-audit-7", 5), a);
        assert_eq!(a.len(), 5);
        assert_ne!(draw(&all, "another seed", 5), a);
        assert_eq!(draw(&all, "x", 100).len(), 40, "never more than the population");
        let mut twice = all.clone();
        twice.extend(all.clone());
        assert_eq!(draw(&twice, "x", 40).len(), 40, "an id counts once");
        assert_eq!(population_sha256(&all), population_sha256(&reversed));
    }

    #[test]
    fn sizes_come_from_a_count_or_a_percentage_rounded_up() {
        assert_eq!(sample_size(40, Some(5), None), Ok(5));
        assert_eq!(sample_size(3, Some(5), None), Ok(3));
        assert_eq!(sample_size(40, None, Some(10.0)), Ok(4));
        assert_eq!(sample_size(41, None, Some(10.0)), Ok(5));
        assert_eq!(sample_size(3, None, Some(1.0)), Ok(1));
        assert!(sample_size(40, None, Some(0.0)).is_err());
        assert!(sample_size(40, None, Some(101.0)).is_err());
        assert!(sample_size(40, Some(1), Some(1.0)).is_err());
        assert!(sample_size(40, Some(0), None).is_err());
        assert!(sample_size(40, None, None).is_err());
    }
}
