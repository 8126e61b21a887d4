//! The asset inventory (ISO/IEC 27001:2022 A.5.9): information, systems, services,
//! people, locations and suppliers, each with an owner, a classification from the
//! organization's scheme, CIA values and a lifecycle state.

use serde::{Deserialize, Serialize};

use crate::register::Entry;

/// What sort of asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssetType {
    /// Data and records.
    Information,
    /// Applications, hosts, networks, devices.
    System,
    /// Services provided or consumed.
    Service,
    /// People and their knowledge.
    Person,
    /// Offices, data centres.
    Location,
    /// Suppliers and their services.
    Supplier,
}

impl AssetType {
    /// Every type.
    pub const ALL: [AssetType; 6] = [
        AssetType::Information,
        AssetType::System,
        AssetType::Service,
        AssetType::Person,
        AssetType::Location,
        AssetType::Supplier,
    ];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetType::Information => "information",
            AssetType::System => "system",
            AssetType::Service => "service",
            AssetType::Person => "person",
            AssetType::Location => "location",
            AssetType::Supplier => "supplier",
        }
    }

    /// Parses a written name.
    pub fn parse(s: &str) -> Option<Self> {
        AssetType::ALL.into_iter().find(|t| t.as_str() == s.trim().to_lowercase())
    }
}

/// Where an asset is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    /// Being acquired or built.
    Planned,
    /// In use.
    InUse,
    /// Being phased out.
    Retiring,
    /// No longer in use (kept for the record).
    Retired,
}

impl Lifecycle {
    /// Every state.
    pub const ALL: [Lifecycle; 4] = [Lifecycle::Planned, Lifecycle::InUse, Lifecycle::Retiring, Lifecycle::Retired];

    /// The written name.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Planned => "planned",
            Lifecycle::InUse => "in_use",
            Lifecycle::Retiring => "retiring",
            Lifecycle::Retired => "retired",
        }
    }

    /// Parses a written name (`in use` too).
    pub fn parse(s: &str) -> Option<Self> {
        let wanted = s.trim().to_lowercase().replace([' ', '-'], "_");
        Lifecycle::ALL.into_iter().find(|l| l.as_str() == wanted)
    }
}

/// The organization's classification levels, lowest first. One per organization, id
/// `CLASSIFICATION`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ClassificationScheme {
    /// Always `CLASSIFICATION`.
    #[serde(default)]
    pub id: String,
    /// Level names, lowest first.
    pub levels: Vec<String>,
}

impl Default for ClassificationScheme {
    /// Public, Internal, Confidential, Restricted.
    fn default() -> Self {
        Self {
            id: "CLASSIFICATION".into(),
            levels: ["Public", "Internal", "Confidential", "Restricted"].map(String::from).to_vec(),
        }
    }
}

impl ClassificationScheme {
    /// The level's name as the scheme spells it, matched without regard to case.
    pub fn level(&self, name: &str) -> Option<&str> {
        self.levels.iter().find(|l| l.eq_ignore_ascii_case(name.trim())).map(String::as_str)
    }
}

impl Entry for ClassificationScheme {
    const KIND: &'static str = "classification_scheme";
    const PREFIX: &'static str = "CLASSIFICATION";
    fn id(&self) -> &str {
        &self.id
    }
    fn set_id(&mut self, _id: String) {
        self.id = "CLASSIFICATION".to_owned();
    }
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if !(2..=10).contains(&self.levels.len()) {
            p.push(("levels", "a classification scheme has 2 to 10 levels".to_owned()));
        }
        if self.levels.iter().any(|l| l.trim().is_empty()) {
            p.push(("levels", "a level needs a name".to_owned()));
        }
        p
    }
}

/// The lowest and highest CIA value (1 low … 4 very high).
pub const CIA_RANGE: std::ops::RangeInclusive<u8> = 1..=4;

/// An asset of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Asset {
    /// `AST-001`.
    #[serde(default)]
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: AssetType,
    /// Its owner (e-mail of a member).
    pub owner: String,
    /// Its classification (a level of the organization's scheme).
    pub classification: String,
    /// Confidentiality value, 1–4.
    pub confidentiality: u8,
    /// Integrity value, 1–4.
    pub integrity: u8,
    /// Availability value, 1–4.
    pub availability: u8,
    /// Lifecycle state.
    pub lifecycle: Lifecycle,
    /// What it is.
    #[serde(default)]
    pub description: String,
}

impl Entry for Asset {
    const KIND: &'static str = "asset";
    const PREFIX: &'static str = "AST";
    crate::entry_id!();
    fn problems(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if self.name.trim().is_empty() {
            p.push(("name", "is required".to_owned()));
        }
        if self.owner.trim().is_empty() {
            p.push(("owner", "is required".to_owned()));
        }
        for (field, v) in [
            ("confidentiality", self.confidentiality),
            ("integrity", self.integrity),
            ("availability", self.availability),
        ] {
            if !CIA_RANGE.contains(&v) {
                p.push((field, format!("{v} is outside 1 (low) to 4 (very high)")));
            }
        }
        p
    }
}
