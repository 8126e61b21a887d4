//! The starter documents: templates written for isms in our own words (never the
//! standard's text) that an organization adopts as the first draft of its own
//! document and then edits. `{{organization}}` becomes the organization's name;
//! `[bracketed guidance]` is left for the editor.

use isms_domain::access::UseCase;
use isms_domain::document::{Audience, Body, Document, DocumentType};
use serde::Serialize;

use crate::access::Actor;
use crate::documents::{NewDocument, create_document};
use crate::{AppError, AppResult, Code, Cx};

/// One starter template.
#[derive(Debug, Clone, Copy, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Starter {
    /// Its key (`access-control-policy`).
    pub key: &'static str,
    /// The document title it starts.
    pub title: &'static str,
    /// The document type.
    #[serde(rename = "type")]
    pub kind: DocumentType,
    /// Clauses it is written to satisfy.
    pub clauses: &'static [&'static str],
    /// Annex A controls it supports.
    pub controls: &'static [&'static str],
    /// Whether everyone is asked to acknowledge it once approved.
    pub everyone_acknowledges: bool,
    /// The Markdown.
    #[serde(skip)]
    pub text: &'static str,
}

/// Every starter, in the order a new ISMS usually writes them.
pub const STARTERS: [Starter; 8] = [
    Starter {
        key: "information-security-policy",
        title: "Information security policy",
        kind: DocumentType::Policy,
        clauses: &["5.2"],
        controls: &["A.5.1"],
        everyone_acknowledges: true,
        text: include_str!("../templates/information-security-policy.md"),
    },
    Starter {
        key: "risk-assessment-methodology",
        title: "Risk assessment and treatment methodology",
        kind: DocumentType::Procedure,
        clauses: &["6.1.2", "6.1.3"],
        controls: &[],
        everyone_acknowledges: false,
        text: include_str!("../templates/risk-assessment-methodology.md"),
    },
    Starter {
        key: "operational-planning-procedure",
        title: "Operational planning and document control procedure",
        kind: DocumentType::Procedure,
        clauses: &["8.1", "7.5"],
        controls: &["A.8.32"],
        everyone_acknowledges: false,
        text: include_str!("../templates/operational-planning-procedure.md"),
    },
    Starter {
        key: "access-control-policy",
        title: "Access control policy",
        kind: DocumentType::Policy,
        clauses: &[],
        controls: &["A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.3", "A.8.5"],
        everyone_acknowledges: false,
        text: include_str!("../templates/access-control-policy.md"),
    },
    Starter {
        key: "acceptable-use-policy",
        title: "Acceptable use policy",
        kind: DocumentType::Policy,
        clauses: &[],
        controls: &["A.5.10", "A.6.2", "A.6.7", "A.8.1"],
        everyone_acknowledges: true,
        text: include_str!("../templates/acceptable-use-policy.md"),
    },
    Starter {
        key: "incident-response-procedure",
        title: "Incident response procedure",
        kind: DocumentType::Procedure,
        clauses: &[],
        controls: &["A.5.24", "A.5.25", "A.5.26", "A.5.27", "A.5.28", "A.6.8"],
        everyone_acknowledges: false,
        text: include_str!("../templates/incident-response-procedure.md"),
    },
    Starter {
        key: "supplier-security-policy",
        title: "Supplier security policy",
        kind: DocumentType::Policy,
        clauses: &[],
        controls: &["A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23"],
        everyone_acknowledges: false,
        text: include_str!("../templates/supplier-security-policy.md"),
    },
    Starter {
        key: "business-continuity-plan",
        title: "Business continuity plan",
        kind: DocumentType::Plan,
        clauses: &[],
        controls: &["A.5.29", "A.5.30", "A.8.13", "A.8.14"],
        everyone_acknowledges: false,
        text: include_str!("../templates/business-continuity-plan.md"),
    },
];

/// The starter with this key.
pub fn starter(key: &str) -> AppResult<&'static Starter> {
    STARTERS.iter().find(|s| s.key == key).ok_or_else(|| {
        let keys: Vec<&str> = STARTERS.iter().map(|s| s.key).collect();
        AppError::new(Code::NotFound, format!("there is no starter template {key:?}; there are: {}", keys.join(", ")))
    })
}

/// The starter's text for one organization.
pub fn text_for(starter: &Starter, organization: &str) -> String {
    starter.text.replace("{{organization}}", organization)
}

/// Adopts a starter: a new document owned by `owner` (the acting member when `None`)
/// whose first draft is the template with the organization's name filled in. A
/// control owner adopts templates only as documents they own themselves.
pub async fn adopt(cx: &Cx, actor: &Actor, key: &str, owner: Option<&str>) -> AppResult<Document> {
    actor.require(UseCase::EditDocuments)?;
    let s = starter(key)?;
    let owner = match owner.map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => o.to_owned(),
        None => actor.email(cx).await?.to_string(),
    };
    let name = cx.read().await?.organization(actor.org()).await?.name;
    let new = NewDocument {
        title: s.title.to_owned(),
        kind: s.kind,
        owner,
        classification: "Internal".to_owned(),
        clauses: s.clauses.iter().map(|c| (*c).to_owned()).collect(),
        controls: s.controls.iter().map(|c| (*c).to_owned()).collect(),
        review_months: 12,
        acknowledged_by: s.everyone_acknowledges.then_some(Audience::Everyone),
        body: Body::Markdown { text: text_for(s, name.as_str()) },
    };
    create_document(cx, actor, new).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_starter_is_substantial_and_free_of_raw_html() {
        for s in STARTERS {
            assert!(s.text.lines().count() >= 60, "{} is too short", s.key);
            assert!(s.text.starts_with("# "), "{} starts with its title", s.key);
            assert!(!s.text.contains("<script") && !s.text.contains("<div"), "{} has raw HTML", s.key);
            assert!(text_for(&s, "Acme").contains("Acme"), "{} names the organization", s.key);
        }
        let keys: std::collections::BTreeSet<_> = STARTERS.iter().map(|s| s.key).collect();
        assert_eq!(keys.len(), STARTERS.len(), "keys are unique");
    }

    #[test]
    fn an_unknown_starter_lists_the_known_ones() {
        let e = starter("nope").unwrap_err();
        assert!(e.to_string().contains("access-control-policy"), "{e}");
    }
}
