//! The items of a framework's tree (clauses, controls, requirements, groupings) and
//! their kinds.

use std::collections::BTreeMap;

use super::*;

/// The kind of an item in a framework's tree. Grouping kinds only organize; the
/// others are things an organization can be assessed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A top-level section (ISO clause 4, a CFR part).
    Section,
    /// An ISO/IEC 27001:2022 Annex A theme.
    Theme,
    /// An ISO/IEC 27001:2013 Annex A domain.
    Domain,
    /// An ISO/IEC 27001:2013 control objective.
    Objective,
    /// A NIST CSF function.
    Function,
    /// A NIST CSF category.
    Category,
    /// A control family (SP 800-53, SP 800-171).
    Family,
    /// A management-system clause (ISO 27001 4.1–10.2).
    Clause,
    /// A control.
    Control,
    /// A control enhancement (SP 800-53).
    Enhancement,
    /// A NIST CSF subcategory.
    Subcategory,
    /// A requirement (SP 800-171, a regulation's element).
    Requirement,
    /// A CMMC practice.
    Practice,
    /// A HIPAA standard.
    Standard,
    /// A HIPAA implementation specification.
    ImplementationSpecification,
    /// A paragraph of a law (GLBA, GDPR).
    Provision,
}

impl ItemKind {
    /// True for kinds that only group other items.
    pub fn is_grouping(self) -> bool {
        matches!(
            self,
            ItemKind::Section
                | ItemKind::Theme
                | ItemKind::Domain
                | ItemKind::Objective
                | ItemKind::Function
                | ItemKind::Category
                | ItemKind::Family
        )
    }

    /// Every kind, in declaration order.
    pub const ALL: [ItemKind; 16] = [
        ItemKind::Section,
        ItemKind::Theme,
        ItemKind::Domain,
        ItemKind::Objective,
        ItemKind::Function,
        ItemKind::Category,
        ItemKind::Family,
        ItemKind::Clause,
        ItemKind::Control,
        ItemKind::Enhancement,
        ItemKind::Subcategory,
        ItemKind::Requirement,
        ItemKind::Practice,
        ItemKind::Standard,
        ItemKind::ImplementationSpecification,
        ItemKind::Provision,
    ];

    /// The written name (`implementation_specification`).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Section => "section",
            ItemKind::Theme => "theme",
            ItemKind::Domain => "domain",
            ItemKind::Objective => "objective",
            ItemKind::Function => "function",
            ItemKind::Category => "category",
            ItemKind::Family => "family",
            ItemKind::Clause => "clause",
            ItemKind::Control => "control",
            ItemKind::Enhancement => "enhancement",
            ItemKind::Subcategory => "subcategory",
            ItemKind::Requirement => "requirement",
            ItemKind::Practice => "practice",
            ItemKind::Standard => "standard",
            ItemKind::ImplementationSpecification => "implementation_specification",
            ItemKind::Provision => "provision",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One item of a framework: a clause, control, requirement, or a grouping node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Item {
    /// Its identifier within the framework (`A.5.15`, `GV.OC-01`, `AC-2(1)`).
    pub id: String,
    /// The item it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// What kind of item it is.
    pub kind: ItemKind,
    /// Its short title.
    pub title: String,
    /// Official text, where it may be reproduced (US-government works).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Our own plain-language guidance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guidance: Option<String>,
    /// Tags: ISO/IEC 27002 attributes, baselines, required/addressable, ...
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, Vec<String>>,
}

impl Item {
    /// The values of one attribute (empty when absent).
    pub fn attribute(&self, name: &str) -> &[String] {
        self.attributes.get(name).map_or(&[], Vec::as_slice)
    }
}
