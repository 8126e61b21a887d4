//! Frameworks: standards, regulations and guidelines as trees of items, and the
//! mapping links between items of different frameworks.
//!
//! A [`Framework`] is data (loaded by `isms-catalog` from files, or imported from
//! OSCAL); a [`Library`] is every loaded framework and mapping set, validated and
//! indexed for fast lookup. The crosswalk queries over a library live in
//! [`crate::crosswalk`].

use serde::{Deserialize, Serialize};

/// The framework every other framework maps to: ISO/IEC 27001:2022.
pub const PIVOT: &str = "iso27001-2022";

/// A framework identifier: lower-case letters, digits, `.`, `-` (e.g. `nist-csf-2.0`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FrameworkId(String);

impl FrameworkId {
    /// Parses an identifier.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && raw.starts_with(|c: char| c.is_ascii_lowercase());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "{raw:?} is not a framework id: use 1 to 64 lower-case letters, digits, '-' or '.', starting with a letter"
            ))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

crate::text::text_newtype!(FrameworkId, String);

/// What sort of document a framework is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FrameworkKind {
    /// A published standard (ISO, NIST special publications).
    Standard,
    /// A law or regulation (HIPAA, GLBA, GDPR).
    Regulation,
    /// A voluntary framework or guideline (NIST CSF).
    Guideline,
    /// Defined by the organization or imported by a user.
    Custom,
}

/// A framework with its items in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Framework {
    /// Its identifier.
    pub id: FrameworkId,
    /// Its full name.
    pub name: String,
    /// Edition or revision.
    pub version: String,
    /// Who publishes it.
    pub publisher: String,
    /// Standard, regulation, guideline or custom.
    pub kind: FrameworkKind,
    /// True when an organization can be certified against it.
    pub certifiable: bool,
    /// What it is, in a paragraph.
    pub description: String,
    /// Where the data came from and under which terms.
    pub provenance: String,
    /// The items, parents before children.
    pub items: Vec<Item>,
}

mod item;
mod library;
mod mapping;

pub use item::*;
pub use library::*;
pub use mapping::*;
