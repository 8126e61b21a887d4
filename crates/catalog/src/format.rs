//! The file format of frameworks and mapping sets, and its parser.
//!
//! `framework.toml`: `id`, `name`, `version`, `publisher`, `kind`
//! (standard/regulation/guideline/custom), `certifiable`, `description`, `provenance`.
//!
//! `items.csv`: header row, then one item per row in document order (parents before
//! children). Columns `id`, `parent`, `kind`, `title` are required; `text` (official
//! text, where it may be reproduced) and `guidance` (our own words) are optional;
//! every other column is an attribute whose values are separated by `;`.
//!
//! Mapping `.toml`: `source`, `target` (framework ids), `provenance`
//! (official/own_analysis/derived), `title`, `description`. Mapping `.csv`:
//! `source_id`, `target_id`, `relation` (equivalent/subset_of/superset_of/intersects).

use std::collections::BTreeMap;
use std::fmt;

use isms_domain::framework::{
    Framework, FrameworkId, FrameworkKind, Item, ItemKind, Link, MappingProvenance, MappingSet, Relation,
};
use serde::Deserialize;

/// A problem in a framework or mapping file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    /// The file.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// The column or key, when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

fn err(file: &str, line: Option<u64>, field: Option<&str>, message: impl Into<String>) -> CatalogError {
    CatalogError { file: file.to_owned(), line, field: field.map(ToOwned::to_owned), message: message.into() }
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> CatalogError {
    let line = e.span().map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
    err(file, line, None, e.message().trim())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrameworkHeader {
    id: String,
    name: String,
    version: String,
    publisher: String,
    kind: FrameworkKind,
    #[serde(default)]
    certifiable: bool,
    #[serde(default)]
    description: String,
    #[serde(default)]
    provenance: String,
}

const REQUIRED: [&str; 4] = ["id", "parent", "kind", "title"];

/// Parses a framework from its two files. `dir` names them in messages.
pub fn parse_framework(dir: &str, header: &str, items_csv: &str) -> Result<Framework, CatalogError> {
    let toml_file = format!("{dir}/framework.toml");
    let csv_file = format!("{dir}/items.csv");
    let h: FrameworkHeader = toml::from_str(header).map_err(|e| toml_error(&toml_file, header, &e))?;
    let id = FrameworkId::parse(&h.id).map_err(|m| err(&toml_file, None, Some("id"), m))?;

    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(items_csv.as_bytes());
    let headers = reader.headers().map_err(|e| err(&csv_file, Some(1), None, e.to_string()))?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name);
    for name in REQUIRED {
        if column(name).is_none() {
            return Err(err(&csv_file, Some(1), None, format!("the header has no {name} column")));
        }
    }
    let (c_id, c_parent, c_kind, c_title) = (column("id"), column("parent"), column("kind"), column("title"));
    let (c_text, c_guidance) = (column("text"), column("guidance"));
    let attribute_columns: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !REQUIRED.contains(h) && *h != "text" && *h != "guidance")
        .map(|(i, h)| (i, h.to_owned()))
        .collect();

    let mut items = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(csv::Position::line);
            err(&csv_file, line, None, e.to_string())
        })?;
        let line = record.position().map(csv::Position::line);
        let get =
            |c: Option<usize>| isms_domain::cells::restore(c.and_then(|c| record.get(c)).unwrap_or_default().trim());
        let item_id = get(c_id);
        if item_id.is_empty() {
            return Err(err(&csv_file, line, Some("id"), "every item needs an id"));
        }
        let kind_text = get(c_kind);
        let kind = ItemKind::parse(kind_text).ok_or_else(|| {
            let known: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
            err(
                &csv_file,
                line,
                Some("kind"),
                format!("{kind_text:?} is not an item kind (one of {})", known.join(", ")),
            )
        })?;
        let title = get(c_title);
        if title.is_empty() {
            return Err(err(&csv_file, line, Some("title"), format!("item {item_id} has no title")));
        }
        let optional = |c: Option<usize>| Some(get(c)).filter(|v| !v.is_empty()).map(ToOwned::to_owned);
        let mut attributes = BTreeMap::new();
        for (c, name) in &attribute_columns {
            let values: Vec<String> =
                get(Some(*c)).split(';').map(str::trim).filter(|v| !v.is_empty()).map(ToOwned::to_owned).collect();
            if !values.is_empty() {
                attributes.insert(name.clone(), values);
            }
        }
        items.push(Item {
            id: item_id.to_owned(),
            parent: optional(c_parent),
            kind,
            title: title.to_owned(),
            text: optional(c_text),
            guidance: optional(c_guidance),
            attributes,
        });
    }
    Ok(Framework {
        id,
        name: h.name,
        version: h.version,
        publisher: h.publisher,
        kind: h.kind,
        certifiable: h.certifiable,
        description: h.description.trim().to_owned(),
        provenance: h.provenance.trim().to_owned(),
        items,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingHeader {
    source: String,
    target: String,
    provenance: MappingProvenance,
    title: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct LinkRow {
    source_id: String,
    target_id: String,
    relation: String,
}

/// Parses a mapping set from its two files; `name` is the file stem.
pub fn parse_mapping_set(name: &str, header: &str, links_csv: &str) -> Result<MappingSet, CatalogError> {
    let toml_file = format!("frameworks/mappings/{name}.toml");
    let csv_file = format!("frameworks/mappings/{name}.csv");
    let h: MappingHeader = toml::from_str(header).map_err(|e| toml_error(&toml_file, header, &e))?;
    let source = FrameworkId::parse(&h.source).map_err(|m| err(&toml_file, None, Some("source"), m))?;
    let target = FrameworkId::parse(&h.target).map_err(|m| err(&toml_file, None, Some("target"), m))?;
    let mut reader = csv::Reader::from_reader(links_csv.as_bytes());
    let mut links = Vec::new();
    for row in reader.deserialize::<LinkRow>() {
        let row = row.map_err(|e| err(&csv_file, e.position().map(csv::Position::line), None, e.to_string()))?;
        let line = Some(links.len() as u64 + 2);
        let relation = Relation::parse(&row.relation).ok_or_else(|| {
            err(
                &csv_file,
                line,
                Some("relation"),
                format!("{:?} is not a relation (equivalent, subset_of, superset_of, intersects)", row.relation),
            )
        })?;
        links.push(Link { source: row.source_id.trim().to_owned(), target: row.target_id.trim().to_owned(), relation });
    }
    Ok(MappingSet {
        id: name.to_owned(),
        source,
        target,
        provenance: h.provenance,
        title: h.title,
        description: h.description.trim().to_owned(),
        links,
    })
}

/// Writes a framework's items in the `items.csv` format (used by exports and by the
/// generator of shipped files from OSCAL).
pub fn write_items_csv(framework: &Framework, out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut attribute_names: Vec<&String> = framework.items.iter().flat_map(|i| i.attributes.keys()).collect();
    attribute_names.sort();
    attribute_names.dedup();
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(out);
    let mut header = vec!["id", "parent", "kind", "title", "text", "guidance"];
    header.extend(attribute_names.iter().map(|s| s.as_str()));
    w.write_record(&header)?;
    for item in &framework.items {
        let mut row = vec![
            item.id.clone(),
            item.parent.clone().unwrap_or_default(),
            item.kind.as_str().to_owned(),
            item.title.clone(),
            item.text.clone().unwrap_or_default(),
            item.guidance.clone().unwrap_or_default(),
        ];
        row.extend(attribute_names.iter().map(|n| item.attribute(n).join(";")));
        w.write_record(row.iter().map(|cell| isms_domain::cells::inert(cell).into_owned()))?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id = \"demo\"\nname = \"Demo\"\nversion = \"1\"\npublisher = \"us\"\nkind = \"custom\"\n";

    #[test]
    fn items_parse_with_attributes_split_on_semicolons() {
        let fw = parse_framework(
            "demo",
            HEADER,
            "id,parent,kind,title,guidance,tags\nS,,section,Top,,\nS.1,S,control,First,Do it.,a; b\n",
        )
        .unwrap();
        assert_eq!(fw.items.len(), 2);
        assert_eq!(fw.items[1].parent.as_deref(), Some("S"));
        assert_eq!(fw.items[1].attribute("tags"), ["a", "b"]);
        assert_eq!(fw.items[1].guidance.as_deref(), Some("Do it."));
        assert!(fw.items[0].attributes.is_empty());
    }

    #[test]
    fn a_bad_kind_names_file_line_and_column() {
        let e =
            parse_framework("demo", HEADER, "id,parent,kind,title\nS,,section,Top\nS.1,S,contrl,First\n").unwrap_err();
        assert_eq!(e.file, "demo/items.csv");
        assert_eq!(e.line, Some(3));
        assert_eq!(e.field.as_deref(), Some("kind"));
        assert!(e.to_string().starts_with("demo/items.csv, line 3, kind: \"contrl\" is not an item kind"), "{e}");
    }

    #[test]
    fn a_header_with_an_unknown_key_is_refused_with_its_line() {
        let e = parse_framework("demo", &format!("{HEADER}colour = \"red\"\n"), "id,parent,kind,title\n").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("demo/framework.toml", Some(6)));
        assert!(e.message.contains("unknown field `colour`"), "{e}");
    }

    #[test]
    fn missing_columns_and_ragged_rows_are_refused() {
        let e = parse_framework("demo", HEADER, "id,kind,title\n").unwrap_err();
        assert_eq!(e.message, "the header has no parent column");
        let e = parse_framework("demo", HEADER, "id,parent,kind,title\nS,,section\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn csv_export_round_trips() {
        let fw = parse_framework(
            "demo",
            HEADER,
            "id,parent,kind,title,text,guidance,tags\nS,,section,Top,,,\nS.1,S,control,\"First, with comma\",\"Line 1\nLine 2\",Do it.,a;b\n",
        )
        .unwrap();
        let mut out = Vec::new();
        write_items_csv(&fw, &mut out).unwrap();
        let again = parse_framework("demo", HEADER, std::str::from_utf8(&out).unwrap()).unwrap();
        assert_eq!(again, fw);
    }

    #[test]
    fn mapping_relations_are_checked() {
        let h = "source = \"a\"\ntarget = \"b\"\nprovenance = \"own_analysis\"\ntitle = \"t\"\n";
        let set = parse_mapping_set("a_to_b", h, "source_id,target_id,relation\nX,Y,subset-of\n").unwrap();
        assert_eq!(set.links[0].relation, Relation::SubsetOf);
        let e = parse_mapping_set("a_to_b", h, "source_id,target_id,relation\nX,Y,same\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "frameworks/mappings/a_to_b.csv, line 2, relation: \"same\" is not a relation (equivalent, subset_of, superset_of, intersects)"
        );
    }
}
