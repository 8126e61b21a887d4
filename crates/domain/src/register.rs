//! The ISMS registers an auditor reads first: context issues (4.1), interested
//! parties and their requirements (4.2), the scope (4.3), ISMS roles (5.3),
//! objectives (6.2) and the asset inventory (A.5.9).
//!
//! Each register entry is a typed value with a stable, human-readable id (`AST-007`);
//! the store keeps them in one table keyed by kind, so every register shares the same
//! storage, audit trail and review mechanism.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::Date;

/// A register entry: its kind, id prefix and validation.
pub trait Entry: Serialize + DeserializeOwned + Clone + fmt::Debug + Send + Sync {
    /// The stored kind (`asset`).
    const KIND: &'static str;
    /// The id prefix (`AST`); ids are `PREFIX-NNN`.
    const PREFIX: &'static str;
    /// Its id.
    fn id(&self) -> &str;
    /// Sets its id (when created).
    fn set_id(&mut self, id: String);
    /// What is wrong with it, field by field (empty when valid).
    fn problems(&self) -> Vec<(&'static str, String)>;
}

/// The `id` and `set_id` of an [`Entry`] whose id is its `id` field.
#[macro_export]
macro_rules! entry_id {
    () => {
        fn id(&self) -> &str {
            &self.id
        }
        fn set_id(&mut self, id: String) {
            self.id = id;
        }
    };
}

/// The number after the highest of the given ids with this prefix (`AST-010` → 11).
pub fn next_number(prefix: &str, existing: impl IntoIterator<Item = String>) -> i64 {
    let max = existing
        .into_iter()
        .filter_map(|id| id.strip_prefix(prefix).and_then(|r| r.strip_prefix('-')).and_then(|n| n.parse::<i64>().ok()))
        .max()
        .unwrap_or(0);
    max + 1
}

/// The readable id of a number: `AST-001`, `AST-012`, `AST-1000`.
pub fn format_id(prefix: &str, number: i64) -> String {
    format!("{prefix}-{number:03}")
}

fn required(field: &'static str, value: &str, out: &mut Vec<(&'static str, String)>) {
    if value.trim().is_empty() {
        out.push((field, "is required".to_owned()));
    }
}

/// Whether an issue comes from inside or outside the organization (4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum IssueOrigin {
    /// Culture, structure, capabilities, systems.
    Internal,
    /// Market, law, technology, threats, suppliers.
    External,
}

/// An internal or external issue that affects the ISMS (4.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ContextIssue {
    /// `ISS-001`.
    #[serde(default)]
    pub id: String,
    /// Internal or external.
    pub origin: IssueOrigin,
    /// What the issue is.
    pub title: String,
    /// How it affects information security.
    #[serde(default)]
    pub description: String,
}

impl Entry for ContextIssue {
    const KIND: &'static str = "context_issue";
    const PREFIX: &'static str = "ISS";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        required("title", &self.title, &mut p);
        p
    }
}

/// What kind of requirement an interested party has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    /// A law or regulation.
    Legal,
    /// A regulator's rule or guidance.
    Regulatory,
    /// A contract or agreement.
    Contractual,
    /// An expectation without legal force.
    Expectation,
}

/// One requirement of an interested party, and whether the ISMS addresses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PartyRequirement {
    /// Legal, regulatory, contractual or an expectation.
    pub kind: RequirementKind,
    /// What is required.
    pub text: String,
    /// True when the ISMS addresses it (4.2 c).
    pub addressed: bool,
}

impl PartyRequirement {
    /// A requirement as someone first records it: addressed by the ISMS unless they
    /// say otherwise (4.2 c asks which requirements the ISMS addresses; most are).
    pub fn new(kind: RequirementKind, text: &str) -> Self {
        Self { kind, text: text.trim().to_owned(), addressed: true }
    }

    /// One the organization decided the ISMS does not address.
    pub fn not_addressed(self) -> Self {
        Self { addressed: false, ..self }
    }
}

/// A party with a stake in information security (4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct InterestedParty {
    /// `IP-001`.
    #[serde(default)]
    pub id: String,
    /// Who (customers, a regulator, employees…).
    pub name: String,
    /// Their requirements.
    #[serde(default)]
    pub requirements: Vec<PartyRequirement>,
}

impl Entry for InterestedParty {
    const KIND: &'static str = "interested_party";
    const PREFIX: &'static str = "IP";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        required("name", &self.name, &mut p);
        for r in &self.requirements {
            required("requirements", &r.text, &mut p);
        }
        p
    }
}

/// Something left out of the scope, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ScopeExclusion {
    /// What is excluded.
    pub what: String,
    /// Why that is justified.
    pub justification: String,
}

/// The ISMS scope (4.3): one per organization, id `SCOPE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Scope {
    /// Always `SCOPE`.
    #[serde(default)]
    pub id: String,
    /// The scope statement, as it will appear on the certificate.
    pub statement: String,
    /// Organizational and physical boundaries.
    #[serde(default)]
    pub boundaries: Vec<String>,
    /// Interfaces and dependencies with what is outside the scope.
    #[serde(default)]
    pub interfaces: Vec<String>,
    /// Locations covered.
    #[serde(default)]
    pub locations: Vec<String>,
    /// Exclusions, each justified.
    #[serde(default)]
    pub exclusions: Vec<ScopeExclusion>,
}

impl Entry for Scope {
    const KIND: &'static str = "scope";
    const PREFIX: &'static str = "SCOPE";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "SCOPE".to_owned();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        required("statement", &self.statement, &mut p);
        for e in &self.exclusions {
            if e.justification.trim().is_empty() {
                p.push(("exclusions", format!("the exclusion {:?} needs a justification", e.what)));
            }
        }
        p
    }
}

/// An ISMS role with its responsibilities and the people in it (5.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct IsmsRole {
    /// `ROLE-001`.
    #[serde(default)]
    pub id: String,
    /// The role (ISMS manager, Information security officer…).
    pub name: String,
    /// What the role is responsible and accountable for.
    pub responsibilities: String,
    /// The people assigned (e-mails of members, or names of people without an account).
    #[serde(default)]
    pub assigned: Vec<String>,
}

impl Entry for IsmsRole {
    const KIND: &'static str = "isms_role";
    const PREFIX: &'static str = "ROLE";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        required("name", &self.name, &mut p);
        required("responsibilities", &self.responsibilities, &mut p);
        p
    }
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveStatus {
    /// Agreed, not yet under way.
    Planned,
    /// Being worked on and measured.
    OnTrack,
    /// Behind its target.
    AtRisk,
    /// Met.
    Achieved,
    /// Not met by its due date.
    Missed,
}

/// A measurable information security objective (6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Objective {
    /// `OBJ-001`.
    #[serde(default)]
    pub id: String,
    /// What is to be achieved.
    pub title: String,
    /// How it is measured (the metric).
    pub measure: String,
    /// The target value of the measure.
    pub target: String,
    /// Who owns it (e-mail of a member).
    pub owner: String,
    /// By when.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub due: Date,
    /// Where it stands.
    pub status: ObjectiveStatus,
}

impl Entry for Objective {
    const KIND: &'static str = "objective";
    const PREFIX: &'static str = "OBJ";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        required("title", &self.title, &mut p);
        required("measure", &self.measure, &mut p);
        required("target", &self.target, &mut p);
        required("owner", &self.owner, &mut p);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_continue_after_the_highest() {
        assert_eq!(format_id("AST", next_number("AST", Vec::new())), "AST-001");
        let existing = ["AST-002".to_owned(), "AST-010".to_owned(), "OBJ-099".to_owned()];
        assert_eq!(format_id("AST", next_number("AST", existing)), "AST-011");
        assert_eq!(format_id("AST", 1000), "AST-1000");
    }

    #[test]
    fn a_scope_exclusion_needs_a_justification() {
        let scope = Scope {
            id: "SCOPE".into(),
            statement: "The SaaS platform".into(),
            boundaries: vec![],
            interfaces: vec![],
            locations: vec![],
            exclusions: vec![ScopeExclusion { what: "Sales office".into(), justification: " ".into() }],
        };
        assert_eq!(
            scope.problems(),
            [("exclusions", "the exclusion \"Sales office\" needs a justification".to_owned())]
        );
    }
}

/// How the organization's deliverables look: the logo on its PDF reports (a blob in
/// the file store, PNG, JPEG or SVG). One per organization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Branding {
    /// Always empty: there is one.
    #[serde(default)]
    pub id: String,
    /// The logo's SHA-256 (its address in the file store), if one is set.
    #[serde(default)]
    pub logo_sha256: Option<String>,
    /// Its media type (`image/png`, `image/jpeg`, `image/svg+xml`).
    #[serde(default)]
    pub logo_media_type: Option<String>,
    /// Its size in bytes.
    #[serde(default)]
    pub logo_bytes: Option<u64>,
}

impl Entry for Branding {
    const KIND: &'static str = "branding";
    const PREFIX: &'static str = "BRD";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}
