//! A crosswalk between two frameworks as an OSCAL 1.2 mapping collection: one
//! `mapping` per mapping set of the library that links them (read in the direction
//! asked, relations turned around where the set runs the other way), each link a `map`
//! with its relationship (NIST IR 8477's words), and the set's provenance.

use isms_domain::framework::{Framework, MappingProvenance, MappingSet, Relation};
use serde_json::{Value, json};

use crate::export::{NS, metadata, tokens, uuid_for};

/// The OSCAL version the mapping model needs.
pub const MAPPING_OSCAL_VERSION: &str = "1.2.2";

/// A relation in the words of the OSCAL mapping model (NIST IR 8477).
pub fn relationship(r: Relation) -> &'static str {
    match r {
        Relation::Equivalent => "equivalent-to",
        Relation::SubsetOf => "subset-of",
        Relation::SupersetOf => "superset-of",
        Relation::Intersects => "intersects-with",
    }
}

/// The mapping collection from `source` to `target` over `sets` (each with whether it
/// runs from target to source and is read turned around). `catalog_href` names the
/// file a framework's catalog export is saved under.
pub fn mapping_collection(
    source: &Framework,
    target: &Framework,
    sets: &[(&MappingSet, bool)],
    catalog_href: impl Fn(&str) -> String,
    last_modified: &str,
) -> Value {
    let (from_ids, to_ids) = (tokens(source), tokens(target));
    let scope = format!("{}>{}", source.id, target.id);
    let mappings: Vec<Value> = sets
        .iter()
        .map(|(set, inverted)| {
            let maps: Vec<Value> = set
                .links
                .iter()
                .filter_map(|l| {
                    let (from, to, relation) = if *inverted {
                        (&l.target, &l.source, l.relation.inverse())
                    } else {
                        (&l.source, &l.target, l.relation)
                    };
                    let (Some(f), Some(t)) = (from_ids.get(from), to_ids.get(to)) else { return None };
                    Some(json!({
                        "uuid": uuid_for(&scope, &format!("map:{}:{from}>{to}", set.id)),
                        "relationship": relationship(relation),
                        "sources": [{ "type": "control", "id-ref": f, "props": [{ "name": "label", "value": from }] }],
                        "targets": [{ "type": "control", "id-ref": t, "props": [{ "name": "label", "value": to }] }],
                    }))
                })
                .collect();
            let mut m = json!({
                "uuid": uuid_for(&scope, &format!("mapping:{}", set.id)),
                "source-resource": { "type": "catalog", "href": catalog_href(source.id.as_str()) },
                "target-resource": { "type": "catalog", "href": catalog_href(target.id.as_str()) },
                "props": [
                    { "name": "mapping-set", "ns": NS, "value": set.id },
                    { "name": "provenance", "ns": NS, "value": set.provenance.as_str() },
                    { "name": "direction", "ns": NS, "value": if *inverted { "read-inverted" } else { "as-published" } },
                ],
                "mapping-description": format!("{}: {}", set.title, set.description.trim()),
                "maps": maps,
            });
            if *inverted {
                m["remarks"] = json!(format!(
                    "The set links {} to {}; it is read the other way here, each relation turned around (subset-of becomes superset-of).",
                    set.source, set.target
                ));
            }
            m
        })
        .collect();
    let official = sets.iter().all(|(s, _)| s.provenance == MappingProvenance::Official);
    let derived = sets.iter().any(|(s, _)| s.provenance == MappingProvenance::Derived);
    let mut meta = metadata(
        &format!("{} to {}: crosswalk", source.name, target.name),
        "1",
        last_modified,
        Some("The crosswalk isms uses between the two frameworks, with each mapping set's provenance."),
    );
    meta["oscal-version"] = json!(MAPPING_OSCAL_VERSION);
    let provenance_words = sets
        .iter()
        .map(|(s, _)| format!("{} ({})", s.title, s.provenance.as_str().replace('_', " ")))
        .collect::<Vec<_>>()
        .join("; ");
    json!({ "mapping-collection": {
        "uuid": uuid_for(&scope, "mapping-collection"),
        "metadata": meta,
        "provenance": {
            "method": if derived { "automation" } else { "human" },
            "matching-rationale": "semantic",
            "status": if derived { "not-complete" } else { "complete" },
            "mapping-description": format!(
                "{} to {}, from the mapping sets: {provenance_words}.{}",
                source.name,
                target.name,
                if official { " Every set is published by the framework's author." } else { "" }
            ),
        },
        "mappings": mappings,
    }})
}
