//! isms records as OSCAL 1.1.3 documents: a framework as a catalog, the organization's
//! selection as a profile. Pure functions from isms values to JSON; the app layer
//! gathers the values and the time.
//!
//! Identifiers are stable: every UUID is a version-5 UUID of the object's own name
//! ([`uuid_for`]), so exporting the same state twice gives the same document apart from
//! `last-modified`. Control ids become OSCAL tokens ([`token`]); the id people read
//! (`A.5.1`, `AC-2(1)`) is kept as the `label` prop.

use std::collections::{BTreeMap, HashSet};

use isms_domain::framework::{Framework, Item};
use serde_json::{Map, Value, json};

/// The OSCAL version the documents follow.
pub const OSCAL_VERSION: &str = "1.1.3";

/// The namespace of isms's own props (27002 attributes, inclusion reasons).
pub const NS: &str = "https://isms.invalid/ns/oscal";

/// A stable UUID (version 5) for `object` within `scope` (a framework id, or an
/// organization's id).
pub fn uuid_for(scope: &str, object: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("urn:isms:{scope}:{object}").as_bytes()).to_string()
}

/// An item id as an OSCAL token: lower case, `(1)` as `.1`, anything else that a token
/// cannot hold as `_`, and a letter first (`4.1` → `c4.1`, `AC-2(1)` → `ac-2.1`,
/// `164.308(a)(1)` → `c164.308.a.1`).
pub fn token(id: &str) -> String {
    let mut out = String::new();
    for c in id.trim().chars() {
        match c {
            '(' => out.push('.'),
            ')' => {}
            c if c.is_alphanumeric() || c == '.' || c == '-' || c == '_' => out.extend(c.to_lowercase()),
            _ => out.push('_'),
        }
    }
    let out = out.trim_end_matches(['.', '-']).to_owned();
    if out.starts_with(|c: char| c.is_alphabetic() || c == '_') { out } else { format!("c{out}") }
}

/// A prop value OSCAL accepts (no surrounding space, not empty); `None` for nothing.
fn prop_value(v: &str) -> Option<String> {
    let v = v.split_whitespace().collect::<Vec<_>>().join(" ");
    (!v.is_empty()).then_some(v)
}

/// Tokens for every item of a framework, made unique in document order.
pub fn tokens(fw: &Framework) -> BTreeMap<String, String> {
    let mut used = HashSet::new();
    let mut out = BTreeMap::new();
    for item in &fw.items {
        let base = token(&item.id);
        let mut t = base.clone();
        let mut n = 2;
        while !used.insert(t.clone()) {
            t = format!("{base}-{n}");
            n += 1;
        }
        out.insert(item.id.clone(), t);
    }
    out
}

fn control(fw: &Framework, item: &Item, ids: &BTreeMap<String, String>) -> Value {
    let mut props = vec![json!({ "name": "label", "value": item.id })];
    for (name, values) in &item.attributes {
        for v in values.iter().filter_map(|v| prop_value(v)) {
            props.push(json!({ "name": token(name), "ns": NS, "value": v }));
        }
    }
    let mut c = Map::new();
    c.insert("id".into(), json!(ids[&item.id]));
    c.insert("class".into(), json!(token(item.kind.as_str())));
    c.insert("title".into(), json!(item.title));
    c.insert("props".into(), json!(props));
    let mut parts = Vec::new();
    if let Some(text) = item.text.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(json!({ "id": format!("{}_smt", ids[&item.id]), "name": "statement", "prose": text.trim() }));
    }
    if let Some(text) = item.guidance.as_deref().filter(|t| !t.trim().is_empty()) {
        parts.push(json!({ "id": format!("{}_gdn", ids[&item.id]), "name": "guidance", "prose": text.trim() }));
    }
    if !parts.is_empty() {
        c.insert("parts".into(), json!(parts));
    }
    let nested: Vec<Value> = fw
        .items
        .iter()
        .filter(|i| i.parent.as_deref() == Some(item.id.as_str()) && !i.kind.is_grouping())
        .map(|i| control(fw, i, ids))
        .collect();
    if !nested.is_empty() {
        c.insert("controls".into(), json!(nested));
    }
    Value::Object(c)
}

fn group(fw: &Framework, item: &Item, ids: &BTreeMap<String, String>) -> Value {
    let mut g = Map::new();
    g.insert("id".into(), json!(ids[&item.id]));
    g.insert("class".into(), json!(token(item.kind.as_str())));
    g.insert("title".into(), json!(item.title));
    g.insert("props".into(), json!([{ "name": "label", "value": item.id }]));
    let children: Vec<&Item> = fw.items.iter().filter(|i| i.parent.as_deref() == Some(item.id.as_str())).collect();
    let groups: Vec<Value> = children.iter().filter(|i| i.kind.is_grouping()).map(|i| group(fw, i, ids)).collect();
    let controls: Vec<Value> = children.iter().filter(|i| !i.kind.is_grouping()).map(|i| control(fw, i, ids)).collect();
    if !groups.is_empty() {
        g.insert("groups".into(), json!(groups));
    }
    if !controls.is_empty() {
        g.insert("controls".into(), json!(controls));
    }
    Value::Object(g)
}

/// The document's metadata.
pub fn metadata(title: &str, version: &str, last_modified: &str, remarks: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("title".into(), json!(title));
    m.insert("last-modified".into(), json!(last_modified));
    m.insert("version".into(), json!(prop_value(version).unwrap_or_else(|| "1".to_owned())));
    m.insert("oscal-version".into(), json!(OSCAL_VERSION));
    if let Some(r) = remarks.filter(|r| !r.trim().is_empty()) {
        m.insert("remarks".into(), json!(r.trim()));
    }
    Value::Object(m)
}

/// A framework as an OSCAL catalog: groupings as groups, the rest as controls (nested
/// where an item belongs to another), each with its `label`, its attributes as props in
/// the isms namespace, the official text where it may be reproduced (`statement`) and
/// our own guidance (`guidance`). For ISO/IEC 27001 that is identifiers, short titles,
/// attributes and guidance only: never ISO's text.
pub fn catalog(fw: &Framework, last_modified: &str) -> Value {
    let ids = tokens(fw);
    let top: Vec<&Item> = fw.items.iter().filter(|i| i.parent.is_none()).collect();
    let mut c = Map::new();
    c.insert("uuid".into(), json!(uuid_for(fw.id.as_str(), &format!("catalog:{}", fw.version))));
    c.insert(
        "metadata".into(),
        metadata(&fw.name, &fw.version, last_modified, Some(&format!("{} Source: {}", fw.description, fw.provenance))),
    );
    let groups: Vec<Value> = top.iter().filter(|i| i.kind.is_grouping()).map(|i| group(fw, i, &ids)).collect();
    let controls: Vec<Value> = top.iter().filter(|i| !i.kind.is_grouping()).map(|i| control(fw, i, &ids)).collect();
    if !groups.is_empty() {
        c.insert("groups".into(), json!(groups));
    }
    if !controls.is_empty() {
        c.insert("controls".into(), json!(controls));
    }
    json!({ "catalog": c })
}

/// What a profile selects, and from where.
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    /// The organization's id: the scope of the profile's UUIDs.
    pub org_scope: &'a str,
    /// The profile's title.
    pub title: String,
    /// Its version (the SoA version it comes from).
    pub version: String,
    /// The item ids selected.
    pub selected: Vec<String>,
    /// Where the catalog is (a file name or URL).
    pub catalog_href: String,
    /// What the selection is, in words.
    pub remarks: String,
}

/// The organization's selection over a framework's catalog as an OSCAL profile: the
/// controls selected, imported from the catalog named in the back matter.
pub fn profile(fw: &Framework, s: &Selection<'_>, last_modified: &str) -> Value {
    let ids = tokens(fw);
    let with: Vec<&String> = s.selected.iter().filter_map(|id| ids.get(id)).collect();
    let (org_scope, catalog_href) = (s.org_scope, s.catalog_href.as_str());
    let resource = uuid_for(org_scope, &format!("catalog-resource:{}", fw.id));
    json!({ "profile": {
        "uuid": uuid_for(org_scope, &format!("profile:{}:{}", fw.id, s.version)),
        "metadata": metadata(&s.title, &s.version, last_modified, Some(&s.remarks)),
        "imports": [{ "href": format!("#{resource}"), "include-controls": [{ "with-ids": with }] }],
        "merge": { "as-is": true },
        "back-matter": { "resources": [{
            "uuid": resource,
            "title": format!("{} catalog", fw.name),
            "rlinks": [{ "href": catalog_href, "media-type": "application/oscal.catalog+json" }],
        }] },
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_become_tokens_with_a_letter_first_and_uuids_are_stable_version_5() {
        assert_eq!(token("A.5.1"), "a.5.1");
        assert_eq!(token("4.1"), "c4.1");
        assert_eq!(token("AC-2(1)"), "ac-2.1");
        assert_eq!(token("164.308(a)(1)(ii)(A)"), "c164.308.a.1.ii.a");
        assert_eq!(token("GV.OC-01"), "gv.oc-01");
        let u = uuid_for("iso27001-2022", "catalog:2022");
        assert_eq!(u, uuid_for("iso27001-2022", "catalog:2022"));
        assert_ne!(u, uuid_for("iso27001-2022", "catalog:2013"));
        assert_eq!(u.as_bytes()[14], b'5', "{u}");
    }
}
