//! Crosswalk queries: from one item, which items of other frameworks does the same
//! work cover, by which links, and how sure is that?
//!
//! Direct links come from mapping sets. Transitive answers go through one
//! intermediate item (usually an ISO/IEC 27001:2022 control, the pivot) and say so:
//! every path is kept. A target reached from several intermediates lists every path,
//! so many-to-many mappings are never cut down to their first link.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::framework::{FrameworkId, ItemRef, Library, MappingProvenance, Relation};

/// One link followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Step {
    /// Where the step starts.
    pub from: ItemRef,
    /// Where it ends.
    pub to: ItemRef,
    /// The relation read in the direction walked.
    pub relation: Relation,
    /// The mapping set the link belongs to.
    pub mapping: String,
    /// Who says the link holds.
    pub provenance: MappingProvenance,
}

/// A way from the queried item to a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Path {
    /// The links followed, in order.
    pub steps: Vec<Step>,
    /// The relation of the whole path (see [`Relation::then`]).
    pub relation: Relation,
}

/// An item the queried item maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Hit {
    /// The item reached.
    pub target: ItemRef,
    /// Its title.
    pub title: String,
    /// True when a mapping set links the two directly.
    pub direct: bool,
    /// The strongest relation over all paths.
    pub relation: Relation,
    /// Every path that reaches it, direct ones first.
    pub paths: Vec<Path>,
}

/// Why a crosswalk query could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrosswalkError {
    /// The framework is not loaded.
    #[error("there is no framework {0}; `isms framework list` shows the loaded ones")]
    UnknownFramework(String),
    /// The item does not exist in the framework.
    #[error("framework {framework} has no item {item}")]
    UnknownItem {
        /// The framework.
        framework: String,
        /// The item asked for.
        item: String,
    },
}

fn strength(r: Relation) -> u8 {
    match r {
        Relation::Equivalent => 3,
        Relation::SubsetOf | Relation::SupersetOf => 2,
        Relation::Intersects => 1,
    }
}

impl Library {
    /// Maps one item to other frameworks: to `to` only, or to every framework when
    /// `None`. Direct hits come first, then transitive ones; within each, by framework
    /// and document order.
    pub fn crosswalk(&self, from: &ItemRef, to: Option<&FrameworkId>) -> Result<Vec<Hit>, CrosswalkError> {
        if self.framework(from.framework.as_str()).is_none() {
            return Err(CrosswalkError::UnknownFramework(from.framework.to_string()));
        }
        if let Some(to) = to
            && self.framework(to.as_str()).is_none()
        {
            return Err(CrosswalkError::UnknownFramework(to.to_string()));
        }
        if self.item(from.framework.as_str(), &from.item).is_none() {
            return Err(CrosswalkError::UnknownItem { framework: from.framework.to_string(), item: from.item.clone() });
        }
        let Some(start) = self.ref_of(from) else { return Ok(Vec::new()) };
        let wanted = |r: &ItemRef| r.framework != from.framework && to.is_none_or(|t| &r.framework == t);
        let mut found: BTreeMap<usize, Vec<Path>> = BTreeMap::new();
        for first in &self.edges[start] {
            let mid = &self.refs[first.other];
            let step1 = self.step(start, first);
            if wanted(mid) {
                found
                    .entry(first.other)
                    .or_default()
                    .push(Path { relation: first.relation, steps: vec![step1.clone()] });
            }
            if mid.framework == from.framework {
                continue;
            }
            for second in &self.edges[first.other] {
                let end = &self.refs[second.other];
                if second.other == start || end.framework == mid.framework || !wanted(end) {
                    continue;
                }
                found.entry(second.other).or_default().push(Path {
                    relation: first.relation.then(second.relation),
                    steps: vec![step1.clone(), self.step(first.other, second)],
                });
            }
        }
        let mut hits: Vec<Hit> = found
            .into_iter()
            .map(|(r, mut paths)| {
                paths.sort_by_key(|p| p.steps.len());
                let target = self.refs[r].clone();
                let title =
                    self.item(target.framework.as_str(), &target.item).map(|i| i.title.clone()).unwrap_or_default();
                let direct = paths.iter().any(|p| p.steps.len() == 1);
                let relation = paths
                    .iter()
                    .filter(|p| !direct || p.steps.len() == 1)
                    .map(|p| p.relation)
                    .max_by_key(|r| strength(*r))
                    .unwrap_or(Relation::Intersects);
                Hit { target, title, direct, relation, paths }
            })
            .collect();
        let order = |h: &Hit| {
            let fw = self.frameworks().iter().position(|f| f.id == h.target.framework).unwrap_or(usize::MAX);
            let pos = self.position(h.target.framework.as_str(), &h.target.item).unwrap_or(usize::MAX);
            (!h.direct, fw, pos)
        };
        hits.sort_by_key(order);
        Ok(hits)
    }

    fn step(&self, from: usize, edge: &crate::framework::Edge) -> Step {
        let set = self.mapping(edge.mapping);
        Step {
            from: self.refs[from].clone(),
            to: self.refs[edge.other].clone(),
            relation: edge.relation,
            mapping: set.id.clone(),
            provenance: set.provenance,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Framework, FrameworkKind, Item, ItemKind, Link, MappingSet};

    fn fw(id: &str, items: &[&str]) -> Framework {
        Framework {
            id: FrameworkId::parse(id).unwrap(),
            name: id.to_uppercase(),
            version: "1".into(),
            publisher: "test".into(),
            kind: FrameworkKind::Custom,
            certifiable: false,
            description: String::new(),
            provenance: String::new(),
            items: items
                .iter()
                .map(|i| Item {
                    id: (*i).into(),
                    parent: None,
                    kind: ItemKind::Control,
                    title: format!("title {i}"),
                    text: None,
                    guidance: None,
                    attributes: Default::default(),
                })
                .collect(),
        }
    }

    fn set(id: &str, source: &str, target: &str, links: &[(&str, &str, Relation)]) -> MappingSet {
        MappingSet {
            id: id.into(),
            source: FrameworkId::parse(source).unwrap(),
            target: FrameworkId::parse(target).unwrap(),
            provenance: MappingProvenance::OwnAnalysis,
            title: id.into(),
            description: String::new(),
            links: links
                .iter()
                .map(|(s, t, r)| Link { source: (*s).into(), target: (*t).into(), relation: *r })
                .collect(),
        }
    }

    fn r(f: &str, i: &str) -> ItemRef {
        ItemRef { framework: FrameworkId::parse(f).unwrap(), item: i.into() }
    }

    /// hipaa H1 → iso I1, I2; csf C1 → iso I1, csf C2 → iso I2, csf C3 → iso I3.
    fn library() -> Library {
        use Relation::*;
        Library::build(
            vec![fw("iso", &["I1", "I2", "I3"]), fw("hipaa", &["H1", "H2"]), fw("csf", &["C1", "C2", "C3"])],
            vec![
                set("hipaa-iso", "hipaa", "iso", &[("H1", "I1", SubsetOf), ("H1", "I2", Intersects)]),
                set(
                    "csf-iso",
                    "csf",
                    "iso",
                    &[("C1", "I1", Equivalent), ("C2", "I2", Equivalent), ("C3", "I3", Equivalent)],
                ),
                set("csf-hipaa", "csf", "hipaa", &[("C1", "H1", Intersects)]),
            ],
        )
        .unwrap()
    }

    #[test]
    fn direct_links_are_found_both_ways_with_the_relation_inverted() {
        let lib = library();
        let hits = lib.crosswalk(&r("iso", "I1"), Some(&FrameworkId::parse("hipaa").unwrap())).unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (hits[0].target.item.as_str(), hits[0].direct, hits[0].relation),
            ("H1", true, Relation::SupersetOf)
        );
    }

    #[test]
    fn transitive_hits_keep_every_path_and_say_they_are_transitive() {
        let lib = library();
        let hits = lib.crosswalk(&r("hipaa", "H1"), Some(&FrameworkId::parse("csf").unwrap())).unwrap();
        let items: Vec<_> = hits.iter().map(|h| (h.target.item.as_str(), h.direct)).collect();
        assert_eq!(items, [("C1", true), ("C2", false)]);
        let c1 = &hits[0];
        assert_eq!(c1.paths.len(), 2, "direct link and the path via iso:I1 are both kept");
        assert_eq!(c1.paths[1].steps[0].to, r("iso", "I1"));
        let c2 = &hits[1];
        assert_eq!(c2.paths.len(), 1);
        assert_eq!(c2.paths[0].steps.len(), 2);
        assert_eq!(c2.relation, Relation::Intersects);
    }

    #[test]
    fn a_target_reached_from_several_sources_lists_them_all() {
        let lib = library();
        let hits = lib.crosswalk(&r("hipaa", "H1"), None).unwrap();
        let iso: Vec<_> =
            hits.iter().filter(|h| h.target.framework.as_str() == "iso").map(|h| h.target.item.as_str()).collect();
        assert_eq!(iso, ["I1", "I2"]);
        assert!(!hits.iter().any(|h| h.target.framework.as_str() == "hipaa"), "never maps to its own framework");
    }

    #[test]
    fn relations_compose_conservatively() {
        use Relation::*;
        assert_eq!(Equivalent.then(SubsetOf), SubsetOf);
        assert_eq!(SubsetOf.then(SubsetOf), SubsetOf);
        assert_eq!(SubsetOf.then(SupersetOf), Intersects);
        assert_eq!(Intersects.then(Equivalent), Intersects);
    }

    #[test]
    fn unknown_items_and_frameworks_are_named() {
        let lib = library();
        assert_eq!(lib.crosswalk(&r("iso", "I9"), None).unwrap_err().to_string(), "framework iso has no item I9");
        assert!(matches!(lib.crosswalk(&r("nope", "I1"), None), Err(CrosswalkError::UnknownFramework(_))));
    }

    #[test]
    fn validation_reports_every_problem() {
        let mut bad = fw("iso", &["I1", "I1"]);
        bad.items[1].parent = Some("I0".into());
        let errors = Library::build(
            vec![bad, fw("csf", &["C1"])],
            vec![set("m", "csf", "iso", &[("C1", "I7", Relation::Equivalent)]), set("n", "csf", "gone", &[])],
        )
        .unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "framework iso: item I1 names parent I0, which is not defined before it",
                "framework iso: item I1 is defined twice",
                "mapping m: link 1 names iso:I7, which does not exist",
                "mapping n: framework gone is not loaded",
            ]
        );
    }
}
