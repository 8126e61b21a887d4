//! Implementation statements proposed from an OSCAL component definition: a vendor or
//! cloud provider says how its product implements controls; isms proposes that text
//! for the Annex A controls it reaches (directly or through the crosswalk), and the
//! control's owner accepts it into the control's implementation statement or
//! rejects it with a reason.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::register::Entry;

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// Waiting for the control's owner.
    Proposed,
    /// Taken into the control's implementation statement.
    Accepted,
    /// Turned down, with a reason.
    Rejected,
}

impl ProposalStatus {
    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Proposed => "proposed",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Rejected => "rejected",
        }
    }

    /// Parses the written name.
    pub fn parse(s: &str) -> Option<ProposalStatus> {
        [ProposalStatus::Proposed, ProposalStatus::Accepted, ProposalStatus::Rejected]
            .into_iter()
            .find(|p| p.as_str() == s.trim().to_ascii_lowercase())
    }
}

/// A requirement of the component definition a proposal comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ProposedFrom {
    /// The framework of the library its control is in.
    pub framework: String,
    /// The control (`AC-2`).
    pub item: String,
    /// `direct` when the component names the Annex A control itself, else the
    /// crosswalk relation to it (`intersects`, `equivalent` …).
    pub relation: String,
    /// The mapping sets followed, when through the crosswalk.
    #[serde(default)]
    pub mappings: Vec<String>,
}

/// A proposed implementation statement for one Annex A control.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Proposal {
    /// `IMP-001`.
    #[serde(default)]
    pub id: String,
    /// The Annex A control (`A.8.13`).
    pub control: String,
    /// The proposed text, in the vendor's words.
    pub statement: String,
    /// The component's title.
    pub component: String,
    /// Its type (`software`, `service` …).
    pub component_type: String,
    /// The component definition's title.
    pub source: String,
    /// The file it was imported from.
    pub file: String,
    /// The file's SHA-256.
    pub sha256: String,
    /// The controls of the definition it comes from.
    pub from: Vec<ProposedFrom>,
    /// Who imported it (e-mail).
    pub imported_by: String,
    /// When.
    #[serde(with = "crate::dates::date")]
    #[cfg_attr(feature = "schema", schemars(with = "String", extend("format" = "date")))]
    pub imported_on: Date,
    /// Where it stands.
    pub status: ProposalStatus,
    /// Who decided (e-mail).
    #[serde(default)]
    pub decided_by: Option<String>,
    /// When.
    #[serde(default, with = "crate::dates::option")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<String>", extend("format" = "date")))]
    pub decided_on: Option<Date>,
    /// Why it was rejected.
    #[serde(default)]
    pub reason: String,
}

/// Why a decision on a proposal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// Decided already.
    #[error("{0} was {1} already")]
    Decided(String, &'static str),
    /// A rejection needs a reason.
    #[error("say why the proposal is rejected (a reason is required)")]
    NoReason,
}

impl Proposal {
    fn decide(&mut self, status: ProposalStatus, by: &str, on: Date) -> Result<(), ProposalError> {
        if self.status != ProposalStatus::Proposed {
            return Err(ProposalError::Decided(self.id.clone(), self.status.as_str()));
        }
        self.status = status;
        self.decided_by = Some(by.to_owned());
        self.decided_on = Some(on);
        Ok(())
    }

    /// Accepts it.
    pub fn accept(&mut self, by: &str, on: Date) -> Result<(), ProposalError> {
        self.decide(ProposalStatus::Accepted, by, on)
    }

    /// Rejects it, saying why.
    pub fn reject(&mut self, by: &str, on: Date, reason: &str) -> Result<(), ProposalError> {
        if reason.trim().is_empty() {
            return Err(ProposalError::NoReason);
        }
        self.decide(ProposalStatus::Rejected, by, on)?;
        self.reason = reason.trim().to_owned();
        Ok(())
    }

    /// The control's implementation statement once this is accepted into it: the
    /// statement after what is there, with where it comes from.
    pub fn merged_into(&self, current: &str) -> String {
        let addition = format!("{}\n\n(From {} — {}.)", self.statement.trim(), self.component, self.source);
        if current.trim().is_empty() { addition } else { format!("{}\n\n{addition}", current.trim_end()) }
    }
}

impl Entry for Proposal {
    const KIND: &'static str = "implementation_proposal";
    const PREFIX: &'static str = "IMP";
    crate::entry_id!();

    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (field, value) in
            [("control", &self.control), ("statement", &self.statement), ("component", &self.component)]
        {
            if value.trim().is_empty() {
                out.push((field, "is required".to_owned()));
            }
        }
        if self.status == ProposalStatus::Rejected && self.reason.trim().is_empty() {
            out.push(("reason", "a rejection says why".to_owned()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proposal() -> Proposal {
        Proposal {
            id: "IMP-001".into(),
            control: "A.8.13".into(),
            statement: "Snapshots are taken hourly.".into(),
            component: "Acme Backup".into(),
            component_type: "service".into(),
            source: "Acme component definition".into(),
            file: "acme.json".into(),
            sha256: "00".into(),
            from: vec![],
            imported_by: "a@example.com".into(),
            imported_on: time::macros::date!(2026 - 12 - 01),
            status: ProposalStatus::Proposed,
            decided_by: None,
            decided_on: None,
            reason: String::new(),
        }
    }

    #[test]
    fn a_proposal_is_decided_once_and_a_rejection_says_why() {
        let day = time::macros::date!(2026 - 12 - 06);
        let mut p = proposal();
        assert_eq!(p.reject("o@example.com", day, " "), Err(ProposalError::NoReason));
        assert_eq!(p.status, ProposalStatus::Proposed);
        p.accept("o@example.com", day).unwrap();
        assert_eq!(p.status, ProposalStatus::Accepted);
        assert!(matches!(p.accept("o@example.com", day), Err(ProposalError::Decided(..))));
        assert_eq!(
            p.merged_into("We back up."),
            "We back up.\n\nSnapshots are taken hourly.\n\n(From Acme Backup — Acme component definition.)"
        );
        assert!(p.merged_into("").starts_with("Snapshots"));
    }
}
