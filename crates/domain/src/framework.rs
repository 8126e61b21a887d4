//! Frameworks: standards, regulations and guidelines as trees of items, and the
//! mapping links between items of different frameworks.
//!
//! A [`Framework`] is data (loaded by `isms-catalog` from files, or imported from
//! OSCAL); a [`Library`] is every loaded framework and mapping set, validated and
//! indexed for fast lookup. The crosswalk queries over a library live in
//! [`crate::crosswalk`].

use std::collections::{BTreeMap, HashMap};
use std::fmt;

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

/// A problem found while validating frameworks and mappings together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LibraryError {
    /// Two frameworks share an id.
    #[error("framework {0} is defined twice")]
    DuplicateFramework(FrameworkId),
    /// Two items of one framework share an id.
    #[error("framework {framework}: item {item} is defined twice")]
    DuplicateItem {
        /// The framework.
        framework: FrameworkId,
        /// The item id.
        item: String,
    },
    /// An item names a parent that does not exist (or comes after it).
    #[error("framework {framework}: item {item} names parent {parent}, which is not defined before it")]
    MissingParent {
        /// The framework.
        framework: FrameworkId,
        /// The item.
        item: String,
        /// The parent it names.
        parent: String,
    },
    /// A mapping set names a framework that is not loaded.
    #[error("mapping {mapping}: framework {framework} is not loaded")]
    UnknownFramework {
        /// The mapping set.
        mapping: String,
        /// The framework it names.
        framework: FrameworkId,
    },
    /// A link names an item that does not exist.
    #[error("mapping {mapping}: link {index} names {framework}:{item}, which does not exist")]
    UnknownItem {
        /// The mapping set.
        mapping: String,
        /// 1-based position of the link in the set.
        index: usize,
        /// The framework.
        framework: FrameworkId,
        /// The missing item.
        item: String,
    },
}

/// An item addressed across frameworks: `iso27001-2022:A.5.15`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ItemRef {
    /// The framework.
    pub framework: FrameworkId,
    /// The item within it.
    pub item: String,
}

impl fmt::Display for ItemRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.framework, self.item)
    }
}

/// A link as seen from one of its ends, pointing at the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edge {
    /// Index of the other end in [`Library::refs`].
    pub other: usize,
    /// Relation read from this end towards the other.
    pub relation: Relation,
    /// Index of the mapping set.
    pub mapping: usize,
}

/// Every loaded framework and mapping set, validated and indexed.
#[derive(Debug, Clone)]
pub struct Library {
    frameworks: Vec<Framework>,
    by_id: HashMap<FrameworkId, usize>,
    /// (framework index, item id) → item index.
    items: HashMap<(usize, String), usize>,
    /// framework index → item ids → child item indexes.
    children: Vec<HashMap<String, Vec<usize>>>,
    mappings: Vec<MappingSet>,
    /// Every item that takes part in a link, numbered.
    pub(crate) refs: Vec<ItemRef>,
    ref_index: HashMap<ItemRef, usize>,
    /// Adjacency: ref index → edges.
    pub(crate) edges: Vec<Vec<Edge>>,
}

impl Library {
    /// Validates and indexes frameworks and mapping sets. Reports every problem found,
    /// not just the first.
    pub fn build(frameworks: Vec<Framework>, mappings: Vec<MappingSet>) -> Result<Library, Vec<LibraryError>> {
        let mut errors = Vec::new();
        let mut by_id = HashMap::new();
        let mut items = HashMap::new();
        let mut children = Vec::with_capacity(frameworks.len());
        for (fi, fw) in frameworks.iter().enumerate() {
            if by_id.insert(fw.id.clone(), fi).is_some() {
                errors.push(LibraryError::DuplicateFramework(fw.id.clone()));
            }
            let mut kids: HashMap<String, Vec<usize>> = HashMap::new();
            for (ii, item) in fw.items.iter().enumerate() {
                if let Some(parent) = &item.parent {
                    if items.contains_key(&(fi, parent.clone())) {
                        kids.entry(parent.clone()).or_default().push(ii);
                    } else {
                        errors.push(LibraryError::MissingParent {
                            framework: fw.id.clone(),
                            item: item.id.clone(),
                            parent: parent.clone(),
                        });
                    }
                }
                if items.insert((fi, item.id.clone()), ii).is_some() {
                    errors.push(LibraryError::DuplicateItem { framework: fw.id.clone(), item: item.id.clone() });
                }
            }
            children.push(kids);
        }
        let mut lib = Library {
            frameworks,
            by_id,
            items,
            children,
            mappings: Vec::new(),
            refs: Vec::new(),
            ref_index: HashMap::new(),
            edges: Vec::new(),
        };
        for (mi, set) in mappings.iter().enumerate() {
            let ends = [&set.source, &set.target].map(|f| lib.by_id.get(f).copied());
            for (fw, found) in [(&set.source, ends[0]), (&set.target, ends[1])] {
                if found.is_none() {
                    errors.push(LibraryError::UnknownFramework { mapping: set.id.clone(), framework: fw.clone() });
                }
            }
            let [Some(sf), Some(tf)] = ends else { continue };
            for (li, link) in set.links.iter().enumerate() {
                let mut ok = true;
                for (fi, item) in [(sf, &link.source), (tf, &link.target)] {
                    if !lib.items.contains_key(&(fi, item.clone())) {
                        ok = false;
                        errors.push(LibraryError::UnknownItem {
                            mapping: set.id.clone(),
                            index: li + 1,
                            framework: lib.frameworks[fi].id.clone(),
                            item: item.clone(),
                        });
                    }
                }
                if ok {
                    let s = lib.intern(ItemRef { framework: set.source.clone(), item: link.source.clone() });
                    let t = lib.intern(ItemRef { framework: set.target.clone(), item: link.target.clone() });
                    lib.edges[s].push(Edge { other: t, relation: link.relation, mapping: mi });
                    lib.edges[t].push(Edge { other: s, relation: link.relation.inverse(), mapping: mi });
                }
            }
        }
        lib.mappings = mappings;
        if errors.is_empty() { Ok(lib) } else { Err(errors) }
    }

    fn intern(&mut self, r: ItemRef) -> usize {
        if let Some(&i) = self.ref_index.get(&r) {
            return i;
        }
        self.refs.push(r.clone());
        self.edges.push(Vec::new());
        self.ref_index.insert(r, self.refs.len() - 1);
        self.refs.len() - 1
    }

    /// Every framework, in load order.
    pub fn frameworks(&self) -> &[Framework] {
        &self.frameworks
    }

    /// One framework.
    pub fn framework(&self, id: &str) -> Option<&Framework> {
        self.frameworks.iter().find(|f| f.id.as_str() == id)
    }

    /// One item.
    pub fn item(&self, framework: &str, id: &str) -> Option<&Item> {
        let fi = *self.by_id.get(&FrameworkId::parse(framework).ok()?)?;
        self.items.get(&(fi, id.to_owned())).map(|&ii| &self.frameworks[fi].items[ii])
    }

    /// The direct children of an item, in document order.
    pub fn children(&self, framework: &str, id: &str) -> Vec<&Item> {
        let Some(fi) = FrameworkId::parse(framework).ok().and_then(|f| self.by_id.get(&f).copied()) else {
            return Vec::new();
        };
        self.children[fi]
            .get(id)
            .map_or_else(Vec::new, |kids| kids.iter().map(|&i| &self.frameworks[fi].items[i]).collect())
    }

    /// Every mapping set.
    pub fn mappings(&self) -> &[MappingSet] {
        &self.mappings
    }

    pub(crate) fn ref_of(&self, r: &ItemRef) -> Option<usize> {
        self.ref_index.get(r).copied()
    }

    pub(crate) fn mapping(&self, index: usize) -> &MappingSet {
        &self.mappings[index]
    }

    /// An item's position in its framework's document order.
    pub fn position(&self, framework: &str, id: &str) -> Option<usize> {
        let fi = *self.by_id.get(&FrameworkId::parse(framework).ok()?)?;
        self.items.get(&(fi, id.to_owned())).copied()
    }

    /// Full-text search over ids, titles, guidance and text, optionally in one
    /// framework. Every word must appear; id matches rank first, then titles.
    pub fn search(&self, query: &str, framework: Option<&str>, limit: usize) -> Vec<(ItemRef, &Item)> {
        let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(u32, usize, usize)> = Vec::new();
        for (fi, fw) in self.frameworks.iter().enumerate() {
            if framework.is_some_and(|f| f != fw.id.as_str()) {
                continue;
            }
            for (ii, item) in fw.items.iter().enumerate() {
                let id = item.id.to_lowercase();
                let title = item.title.to_lowercase();
                let body = format!(
                    "{} {}",
                    item.guidance.as_deref().unwrap_or_default(),
                    item.text.as_deref().unwrap_or_default()
                )
                .to_lowercase();
                let mut score = 0u32;
                let mut all = true;
                for w in &words {
                    score += if id == *w {
                        1000
                    } else if id.starts_with(w.as_str()) {
                        200
                    } else if title.contains(w.as_str()) {
                        20
                    } else if body.contains(w.as_str()) {
                        1
                    } else {
                        all = false;
                        break;
                    };
                }
                if all {
                    scored.push((score, fi, ii));
                }
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        scored
            .into_iter()
            .take(limit)
            .map(|(_, fi, ii)| {
                let fw = &self.frameworks[fi];
                (ItemRef { framework: fw.id.clone(), item: fw.items[ii].id.clone() }, &fw.items[ii])
            })
            .collect()
    }

    /// Counts items per kind in one framework.
    pub fn count_by_kind(&self, framework: &str) -> BTreeMap<ItemKind, usize> {
        let mut counts = BTreeMap::new();
        if let Some(fw) = self.framework(framework) {
            for item in &fw.items {
                *counts.entry(item.kind).or_insert(0) += 1;
            }
        }
        counts
    }
}
