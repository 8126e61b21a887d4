//! isms-oscal: OSCAL catalogs and profiles to isms frameworks.
//!
//! [`import_catalog`] reads any OSCAL catalog (JSON) into a [`Framework`]: groups
//! become families, top-level controls controls, nested controls enhancements. Each
//! item's id is its `label` property when present (`AC-2(1)`), else its OSCAL id.
//! The statement is rendered as text with parameters shown as
//! `[Assignment: ...]`/`[Selection: ...]`, the way NIST prints them. Withdrawn
//! controls are kept and marked (`status = withdrawn`). [`baseline_ids`] reads a
//! profile's selected control ids so baselines can be attached as attributes.

pub mod assessment;
pub mod component;
pub mod export;
pub mod mapping;
mod model;
pub mod poam;
pub mod ssp;

use std::collections::{BTreeMap, HashMap};

use isms_domain::framework::{Framework, FrameworkId, FrameworkKind, Item, ItemKind};

use crate::model::{Catalog, CatalogDoc, Control, Group, Param, Part, ProfileDoc, Prop};

/// Why an OSCAL document could not be imported. Nothing is imported then.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OscalError {
    /// Not JSON, or not shaped like an OSCAL catalog/profile.
    #[error("{source_name}: {path}: {message} (line {line}, column {column})")]
    Malformed {
        /// The file.
        source_name: String,
        /// Where in the document (`catalog.groups[3].controls[5]`).
        path: String,
        /// What is wrong.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Two controls or groups share an id.
    #[error("{source_name}: id {id:?} is used twice: at {first} and at {second}")]
    DuplicateId {
        /// The file.
        source_name: String,
        /// The id.
        id: String,
        /// Where it is first used.
        first: String,
        /// Where it is used again.
        second: String,
    },
    /// An id is empty.
    #[error("{source_name}: {path} has an empty id")]
    EmptyId {
        /// The file.
        source_name: String,
        /// Where.
        path: String,
    },
    /// The framework id asked for is not valid.
    #[error("{0}")]
    BadFrameworkId(String),
    /// The document is another OSCAL model than the one expected.
    #[error("{source_name} holds {found}, not a {expected}")]
    WrongModel {
        /// The file.
        source_name: String,
        /// What it holds (`an OSCAL catalog`).
        found: String,
        /// The model expected.
        expected: &'static str,
    },
    /// Control ids that are not in the framework they claim to be of.
    #[error("{source_name}: {} control id(s) are not in {framework}: {}", unknown.len(), unknown.iter().take(10).map(|(p, id)| format!("{p}.control-id {id:?}")).collect::<Vec<_>>().join("; "))]
    UnknownControls {
        /// The file.
        source_name: String,
        /// The framework's name.
        framework: String,
        /// Where each is (path) and the id.
        unknown: Vec<(String, String)>,
    },
    /// A catalog or profile a component implements that isms cannot tell.
    #[error(
        "{source_name}: {path}.source {source_href:?} names no framework of the library; say which with --framework ID"
    )]
    UnknownSource {
        /// The file.
        source_name: String,
        /// Where.
        path: String,
        /// The source as written.
        source_href: String,
    },
}

pub(crate) fn parse<T: serde::de::DeserializeOwned>(source_name: &str, json: &str) -> Result<T, OscalError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        OscalError::Malformed {
            source_name: source_name.to_owned(),
            path: if path == "." { "the document".to_owned() } else { path },
            message,
            line: inner.line(),
            column: inner.column(),
        }
    })
}

fn prop<'a>(props: &'a [Prop], name: &str) -> Option<&'a str> {
    props.iter().find(|p| p.name == name).map(|p| p.value.as_str())
}

/// Renders a parameter the way NIST prints it in statements.
fn render_param(p: &Param) -> String {
    if let Some(select) = &p.select {
        let how = match select.how_many.as_deref() {
            Some("one-or-more") => " (one or more)",
            _ => "",
        };
        return format!("[Selection{how}: {}]", select.choice.join("; "));
    }
    match &p.label {
        Some(label) => format!("[Assignment: {label}]"),
        None => format!("[Assignment: {}]", p.id),
    }
}

/// Replaces `{{ insert: param, id }}` markers with their rendering.
fn render_prose(prose: &str, params: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = rest[start + 2..start + end].trim();
        let id = inner.strip_prefix("insert:").and_then(|s| s.split(',').nth(1)).map(str::trim);
        match id.and_then(|id| params.get(id)) {
            Some(text) => out.push_str(text),
            None => out.push_str(&rest[start..start + end + 2]),
        }
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

fn render_part(part: &Part, params: &HashMap<String, String>, depth: usize, out: &mut Vec<String>) {
    let label = prop(&part.props, "label");
    let prose = part.prose.as_deref().map(|p| render_prose(p.trim(), params)).unwrap_or_default();
    let line = match label {
        Some(l) => format!("{}{l} {prose}", "  ".repeat(depth.saturating_sub(1))),
        None => prose,
    };
    if !line.trim().is_empty() {
        out.push(line.trim_end().to_owned());
    }
    for child in &part.parts {
        render_part(child, params, depth + 1, out);
    }
}

struct Importer<'a> {
    source_name: &'a str,
    items: Vec<Item>,
    seen: HashMap<String, String>,
    params: HashMap<String, String>,
}

impl Importer<'_> {
    fn claim(&mut self, id: &str, path: &str) -> Result<(), OscalError> {
        if id.trim().is_empty() {
            return Err(OscalError::EmptyId { source_name: self.source_name.to_owned(), path: path.to_owned() });
        }
        if let Some(first) = self.seen.insert(id.to_owned(), path.to_owned()) {
            return Err(OscalError::DuplicateId {
                source_name: self.source_name.to_owned(),
                id: id.to_owned(),
                first,
                second: path.to_owned(),
            });
        }
        Ok(())
    }

    fn group(&mut self, g: &Group, parent: Option<&str>, path: &str) -> Result<(), OscalError> {
        let id = g.id.clone().unwrap_or_else(|| g.title.clone());
        self.claim(&id, path)?;
        let item_id = prop(&g.props, "label").map_or_else(|| id.clone(), ToOwned::to_owned);
        self.items.push(Item {
            id: item_id.clone(),
            parent: parent.map(ToOwned::to_owned),
            kind: ItemKind::Family,
            title: g.title.trim().to_owned(),
            text: None,
            guidance: None,
            attributes: BTreeMap::new(),
        });
        for (i, sub) in g.groups.iter().enumerate() {
            self.group(sub, Some(&item_id), &format!("{path}.groups[{i}]"))?;
        }
        for (i, c) in g.controls.iter().enumerate() {
            self.control(c, Some(&item_id), ItemKind::Control, &format!("{path}.controls[{i}]"))?;
        }
        Ok(())
    }

    fn control(&mut self, c: &Control, parent: Option<&str>, kind: ItemKind, path: &str) -> Result<(), OscalError> {
        self.claim(&c.id, path)?;
        for p in &c.params {
            self.params.insert(p.id.clone(), render_param(p));
        }
        let item_id = prop(&c.props, "label").map_or_else(|| c.id.clone(), ToOwned::to_owned);
        let mut lines = Vec::new();
        for part in c.parts.iter().filter(|p| p.name == "statement") {
            render_part(part, &self.params, 0, &mut lines);
        }
        let mut attributes = BTreeMap::new();
        attributes.insert("oscal_id".to_owned(), vec![c.id.clone()]);
        if let Some(status) = prop(&c.props, "status") {
            attributes.insert("status".to_owned(), vec![status.to_owned()]);
        }
        if let Some(class) = &c.class {
            attributes.insert("class".to_owned(), vec![class.clone()]);
        }
        self.items.push(Item {
            id: item_id.clone(),
            parent: parent.map(ToOwned::to_owned),
            kind,
            title: c.title.trim().to_owned(),
            text: Some(lines.join("\n")).filter(|t| !t.is_empty()),
            guidance: None,
            attributes,
        });
        for (i, sub) in c.controls.iter().enumerate() {
            self.control(sub, Some(&item_id), ItemKind::Enhancement, &format!("{path}.controls[{i}]"))?;
        }
        Ok(())
    }
}

/// Reads an OSCAL catalog into a framework with the given id. `source_name` names the
/// file in messages.
pub fn import_catalog(source_name: &str, json: &str, id: &str) -> Result<Framework, OscalError> {
    let id = FrameworkId::parse(id).map_err(OscalError::BadFrameworkId)?;
    let doc: CatalogDoc = parse(source_name, json)?;
    let Catalog { metadata, groups, controls, .. } = doc.catalog;
    let mut importer = Importer { source_name, items: Vec::new(), seen: HashMap::new(), params: HashMap::new() };
    for (i, g) in groups.iter().enumerate() {
        importer.group(g, None, &format!("catalog.groups[{i}]"))?;
    }
    for (i, c) in controls.iter().enumerate() {
        importer.control(c, None, ItemKind::Control, &format!("catalog.controls[{i}]"))?;
    }
    Ok(Framework {
        id,
        name: metadata.title.trim().to_owned(),
        version: metadata.version.trim().to_owned(),
        publisher: metadata.publisher().unwrap_or_else(|| "OSCAL catalog".to_owned()),
        kind: FrameworkKind::Custom,
        certifiable: false,
        description: format!("Imported from the OSCAL catalog {source_name}."),
        provenance: format!(
            "Imported by isms from the OSCAL catalog {source_name} (OSCAL {}, last modified {}).",
            metadata.oscal_version, metadata.last_modified
        ),
        items: importer.items,
    })
}

/// The OSCAL control ids (`ac-2.1`) a profile selects with `include-controls`.
pub fn baseline_ids(source_name: &str, json: &str) -> Result<Vec<String>, OscalError> {
    let doc: ProfileDoc = parse(source_name, json)?;
    Ok(doc.profile.imports.into_iter().flat_map(|i| i.include_controls).flat_map(|c| c.with_ids).collect())
}

/// Marks the items of `framework` whose OSCAL id is in `ids` with `attribute = value`
/// (e.g. `baseline = moderate`). Returns ids that matched no item.
pub fn tag_items(framework: &mut Framework, attribute: &str, value: &str, ids: &[String]) -> Vec<String> {
    let mut by_oscal: HashMap<&str, usize> = HashMap::new();
    for (i, item) in framework.items.iter().enumerate() {
        if let Some(oscal) = item.attribute("oscal_id").first() {
            by_oscal.insert(oscal.as_str(), i);
        }
    }
    let mut hits = Vec::new();
    let mut missing = Vec::new();
    for id in ids {
        match by_oscal.get(id.as_str()) {
            Some(&i) => hits.push(i),
            None => missing.push(id.clone()),
        }
    }
    for i in hits {
        let values = framework.items[i].attributes.entry(attribute.to_owned()).or_default();
        if !values.iter().any(|v| v == value) {
            values.push(value.to_owned());
        }
    }
    missing
}

#[cfg(test)]
mod tests;
