//! The library: every loaded framework and mapping set, validated and indexed for
//! lookup, search and the crosswalk.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use super::*;

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
