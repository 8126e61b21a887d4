//! Reading an OSCAL component definition (a vendor's or a cloud provider's statement
//! of how its product implements controls): its components and, for each, the
//! controls it implements with their descriptions. Any OSCAL 1.x component
//! definition reads; what isms does not use is ignored.
//!
//! The control ids are resolved against a framework of the library here; mapping
//! them to the organization's Annex A controls through the crosswalk is the app's.

use std::collections::BTreeMap;

use isms_domain::framework::Framework;
use serde::Deserialize;

use crate::OscalError;
use crate::export::tokens;

#[derive(Debug, Deserialize)]
struct Doc {
    #[serde(rename = "component-definition")]
    definition: RawDefinition,
}

#[derive(Debug, Deserialize)]
struct RawDefinition {
    #[expect(dead_code, reason = "required by OSCAL: its absence means the file is not a component definition")]
    uuid: String,
    metadata: RawMetadata,
    #[serde(default)]
    components: Vec<RawComponent>,
    #[serde(default, rename = "back-matter")]
    back_matter: Option<RawBackMatter>,
}

#[derive(Debug, Deserialize)]
struct RawBackMatter {
    #[serde(default)]
    resources: Vec<RawResource>,
}

#[derive(Debug, Deserialize)]
struct RawResource {
    uuid: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rlinks: Vec<RawLink>,
}

#[derive(Debug, Deserialize)]
struct RawLink {
    href: String,
}

#[derive(Debug, Deserialize)]
struct RawMetadata {
    title: String,
}

#[derive(Debug, Deserialize)]
struct RawComponent {
    uuid: String,
    #[serde(rename = "type")]
    kind: String,
    title: String,
    description: String,
    #[serde(default, rename = "control-implementations")]
    implementations: Vec<RawImplementation>,
}

#[derive(Debug, Deserialize)]
struct RawImplementation {
    source: String,
    description: String,
    #[serde(rename = "implemented-requirements")]
    requirements: Vec<RawRequirement>,
}

#[derive(Debug, Deserialize)]
struct RawRequirement {
    #[serde(rename = "control-id")]
    control_id: String,
    description: String,
    #[serde(default)]
    statements: Vec<RawStatement>,
}

#[derive(Debug, Deserialize)]
struct RawStatement {
    #[serde(rename = "statement-id")]
    statement_id: String,
    description: String,
}

/// A component definition as isms reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentDefinition {
    /// Its title.
    pub title: String,
    /// Its components.
    pub components: Vec<Component>,
}

/// A component: a product, service, software or policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Its UUID in the definition.
    pub uuid: String,
    /// Its type (`software`, `service`, `policy` …).
    pub kind: String,
    /// Its title.
    pub title: String,
    /// What it is.
    pub description: String,
    /// The controls it implements, per catalog or profile.
    pub implementations: Vec<Implementation>,
}

/// The controls of one catalog or profile a component implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Implementation {
    /// The catalog or profile (`source`), as written.
    pub source: String,
    /// Where it is in the file (`component-definition.components[0].control-implementations[1]`).
    pub path: String,
    /// Each control and how the component implements it.
    pub requirements: Vec<Requirement>,
}

/// One control a component implements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The control's OSCAL id (`ac-2.1`).
    pub control_id: String,
    /// How, in the vendor's words: the requirement's description and its statements'.
    pub description: String,
    /// Where it is in the file.
    pub path: String,
}

fn malformed(source_name: &str, path: &str, message: String, line: usize, column: usize) -> OscalError {
    OscalError::Malformed { source_name: source_name.to_owned(), path: path.to_owned(), message, line, column }
}

/// Reads a component definition. Not JSON, another OSCAL model, or a member missing
/// or of the wrong type is an error naming where.
pub fn read_component_definition(source_name: &str, json: &str) -> Result<ComponentDefinition, OscalError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
        malformed(source_name, "the document", format!("not JSON: {message}"), e.line(), e.column())
    })?;
    let root: Vec<&String> =
        value.as_object().map(|o| o.keys().filter(|k| *k != "$schema").collect()).unwrap_or_default();
    if root.len() != 1 || root[0] != "component-definition" {
        let found = match root.as_slice() {
            [] => "no OSCAL model".to_owned(),
            [one] => format!("an OSCAL {one}"),
            many => format!("{} top-level members", many.len()),
        };
        return Err(OscalError::WrongModel {
            source_name: source_name.to_owned(),
            found,
            expected: "component-definition",
        });
    }
    let doc: Doc = crate::parse(source_name, json)?;
    // A `source` of `#uuid` names a back-matter resource: read its title, description
    // and links instead, which name the catalog or profile.
    let resources = doc.definition.back_matter.map(|b| b.resources).unwrap_or_default();
    let source_of = |source: &str| -> String {
        let Some(uuid) = source.trim().strip_prefix('#') else { return source.trim().to_owned() };
        match resources.iter().find(|r| r.uuid == uuid) {
            Some(r) => {
                let mut words: Vec<&str> = r.rlinks.iter().map(|l| l.href.as_str()).collect();
                words.extend(r.title.as_deref());
                words.extend(r.description.as_deref());
                words.join(" ")
            }
            None => source.trim().to_owned(),
        }
    };
    let mut components = Vec::new();
    for (ci, c) in doc.definition.components.into_iter().enumerate() {
        let cpath = format!("component-definition.components[{ci}]");
        let mut implementations = Vec::new();
        for (ii, imp) in c.implementations.into_iter().enumerate() {
            let ipath = format!("{cpath}.control-implementations[{ii}]");
            let requirements = imp
                .requirements
                .into_iter()
                .enumerate()
                .map(|(ri, r)| {
                    let mut text = vec![r.description.trim().to_owned()];
                    text.extend(
                        r.statements
                            .iter()
                            .filter(|s| !s.description.trim().is_empty())
                            .map(|s| format!("{}: {}", s.statement_id.trim(), s.description.trim())),
                    );
                    text.retain(|t| !t.is_empty());
                    let mut description = text.join("\n\n");
                    if description.is_empty() {
                        description = imp.description.trim().to_owned();
                    }
                    Requirement {
                        control_id: r.control_id.trim().to_owned(),
                        description,
                        path: format!("{ipath}.implemented-requirements[{ri}]"),
                    }
                })
                .collect();
            implementations.push(Implementation { source: source_of(&imp.source), path: ipath, requirements });
        }
        components.push(Component {
            uuid: c.uuid,
            kind: c.kind,
            title: c.title.trim().to_owned(),
            description: c.description.trim().to_owned(),
            implementations,
        });
    }
    if components.iter().all(|c| c.implementations.iter().all(|i| i.requirements.is_empty())) {
        return Err(malformed(
            source_name,
            "component-definition.components",
            "no component implements any control: there is nothing to propose".to_owned(),
            0,
            0,
        ));
    }
    Ok(ComponentDefinition { title: doc.definition.metadata.title.trim().to_owned(), components })
}

/// An item of `fw` for an OSCAL control id: its token (as isms exports it), the OSCAL
/// id NIST gave it (kept when its catalog was imported), or its own id.
pub fn resolver(fw: &Framework) -> impl Fn(&str) -> Option<String> {
    let mut by: BTreeMap<String, String> = BTreeMap::new();
    for item in fw.items.iter().filter(|i| !i.kind.is_grouping()) {
        by.insert(item.id.to_lowercase(), item.id.clone());
        for oscal in item.attributes.get("oscal_id").into_iter().flatten() {
            by.insert(oscal.to_lowercase(), item.id.clone());
        }
    }
    for (item, token) in tokens(fw) {
        if fw.items.iter().any(|i| i.id == item && !i.kind.is_grouping()) {
            by.entry(token).or_insert(item);
        }
    }
    move |id: &str| by.get(&id.trim().to_lowercase()).cloned()
}

/// Which framework a `source` names, among `(id, name)`: the file isms exports a
/// catalog or profile under (`nist-800-53r5.oscal-catalog.json`), a framework's id, or
/// the NIST publication in a URL or file name (`NIST_SP-800-53_rev5_catalog.json`).
pub fn framework_of_source(source: &str, frameworks: &[(String, String)]) -> Option<String> {
    let s = source.to_lowercase();
    let file = s.rsplit(['/', '#']).next().unwrap_or(&s);
    let stem = file.split(".oscal").next().unwrap_or(file);
    if let Some((id, _)) = frameworks.iter().find(|(id, _)| stem == id.as_str()) {
        return Some(id.clone());
    }
    let squashed: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
    let known: [(&str, &[&str]); 4] = [
        ("800-53", &["80053"]),
        ("800-171", &["800171"]),
        ("27001", &["27001"]),
        ("csf", &["csf", "cybersecurityframework"]),
    ];
    for (family, marks) in known {
        if !marks.iter().any(|m| squashed.contains(m)) {
            continue;
        }
        let family_squashed: String = family.chars().filter(char::is_ascii_alphanumeric).collect();
        let mut candidates: Vec<&(String, String)> = frameworks
            .iter()
            .filter(|(id, _)| {
                id.chars().filter(char::is_ascii_alphanumeric).collect::<String>().contains(&family_squashed)
            })
            .collect();
        candidates.sort_by_key(|(id, _)| std::cmp::Reverse(id.clone()));
        if let Some((id, _)) = candidates.first() {
            return Some(id.clone());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frameworks() -> Vec<(String, String)> {
        ["iso27001-2022", "nist-800-53r5", "nist-800-171r2", "nist-csf-2.0"]
            .iter()
            .map(|id| ((*id).to_owned(), String::new()))
            .collect()
    }

    #[test]
    fn a_source_names_its_framework_by_isms_file_name_or_nist_publication() {
        let f = frameworks();
        let of = |s: &str| framework_of_source(s, &f);
        assert_eq!(of("nist-800-53r5.oscal-catalog.json").as_deref(), Some("nist-800-53r5"));
        assert_eq!(
            of("https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/json/NIST_SP-800-53_rev5_catalog.json")
                .as_deref(),
            Some("nist-800-53r5")
        );
        assert_eq!(of("../profiles/NIST_SP-800-171_rev2.json").as_deref(), Some("nist-800-171r2"));
        assert_eq!(of("iso27001-2022.oscal-catalog.json").as_deref(), Some("iso27001-2022"));
        assert_eq!(of("https://example.com/vendor-baseline.json"), None);
    }

    #[test]
    fn the_wrong_model_and_broken_json_are_named() {
        let e = read_component_definition("x.json", r#"{"catalog": {"uuid": "u"}}"#).unwrap_err();
        assert!(e.to_string().contains("x.json holds an OSCAL catalog, not a component-definition"), "{e}");
        let e = read_component_definition("x.json", "{\n  \"component-definition\": [").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
        let e = read_component_definition(
            "x.json",
            r#"{"component-definition": {"uuid": "u", "metadata": {"title": "t"}, "components": [{"uuid": "c", "type": "software", "title": "T", "description": "d", "control-implementations": [{"source": "s", "description": "d", "implemented-requirements": [{"description": "no id"}]}]}]}}"#,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("component-definition.components[0].control-implementations[0].implemented-requirements[0]"),
            "{e}"
        );
        assert!(e.to_string().contains("control-id"), "{e}");
    }
}
