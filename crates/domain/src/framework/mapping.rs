//! Mapping links between items of two frameworks: how they relate and who says so.

use super::*;

/// How the source item of a link relates to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Both say the same thing.
    Equivalent,
    /// The source is wholly contained in the target.
    SubsetOf,
    /// The source wholly contains the target.
    SupersetOf,
    /// They overlap in part.
    Intersects,
}

impl Relation {
    /// The relation read from the target's side.
    pub fn inverse(self) -> Relation {
        match self {
            Relation::SubsetOf => Relation::SupersetOf,
            Relation::SupersetOf => Relation::SubsetOf,
            r => r,
        }
    }

    /// The relation of a path of two links: exact only when both are equivalent or
    /// both point the same way; otherwise all that is known is an overlap.
    pub fn then(self, next: Relation) -> Relation {
        match (self, next) {
            (Relation::Equivalent, r) | (r, Relation::Equivalent) => r,
            (Relation::SubsetOf, Relation::SubsetOf) => Relation::SubsetOf,
            (Relation::SupersetOf, Relation::SupersetOf) => Relation::SupersetOf,
            _ => Relation::Intersects,
        }
    }

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Equivalent => "equivalent",
            Relation::SubsetOf => "subset_of",
            Relation::SupersetOf => "superset_of",
            Relation::Intersects => "intersects",
        }
    }

    /// Parses a written name (`subset_of`, also `subset-of`).
    pub fn parse(s: &str) -> Option<Relation> {
        match s.trim().replace('-', "_").as_str() {
            "equivalent" => Some(Relation::Equivalent),
            "subset_of" => Some(Relation::SubsetOf),
            "superset_of" => Some(Relation::SupersetOf),
            "intersects" => Some(Relation::Intersects),
            _ => None,
        }
    }
}

/// Who says a link holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MappingProvenance {
    /// Published by the framework's author (NIST OLIR, SP 800-66, SP 800-171 App. D).
    Official,
    /// The isms project's own analysis.
    OwnAnalysis,
    /// Computed by composing published mappings; the description says how.
    Derived,
}

impl MappingProvenance {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            MappingProvenance::Official => "official",
            MappingProvenance::OwnAnalysis => "own_analysis",
            MappingProvenance::Derived => "derived",
        }
    }
}

/// One link from an item of the source framework to an item of the target framework.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The source item's id.
    pub source: String,
    /// The target item's id.
    pub target: String,
    /// How they relate.
    pub relation: Relation,
}

/// A published or authored set of links between two frameworks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingSet {
    /// Its identifier (the file name without extension).
    pub id: String,
    /// The framework the links start from.
    pub source: FrameworkId,
    /// The framework the links point to.
    pub target: FrameworkId,
    /// Who says the links hold.
    pub provenance: MappingProvenance,
    /// Its title.
    pub title: String,
    /// What it is and how it was made.
    pub description: String,
    /// The links.
    pub links: Vec<Link>,
}
