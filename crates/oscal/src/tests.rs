//! Importer tests on small catalogs written here and on the official SP 800-53 catalog.

use super::*;

const SMALL: &str = r#"{"catalog": {"uuid": "u", "metadata": {"title": "Tiny", "version": "1.0", "oscal-version": "1.0.0", "last-modified": "2024-01-01T00:00:00Z"},
 "groups": [{"id": "ac", "title": "Access Control", "controls": [
   {"id": "ac-1", "title": "Policy", "props": [{"name": "label", "value": "AC-1"}],
    "params": [{"id": "ac-1_prm_1", "label": "organization-defined roles"}, {"id": "ac-1_prm_2", "select": {"how-many": "one-or-more", "choice": ["daily", "weekly"]}}],
    "parts": [{"name": "statement", "parts": [
       {"name": "item", "props": [{"name": "label", "value": "a."}], "prose": "Tell {{ insert: param, ac-1_prm_1 }}; and"},
       {"name": "item", "props": [{"name": "label", "value": "b."}], "prose": "Review {{ insert: param, ac-1_prm_2 }}."}]}],
    "controls": [{"id": "ac-1.1", "title": "Enhanced", "props": [{"name": "label", "value": "AC-1(1)"}, {"name": "status", "value": "withdrawn"}]}]}
 ]}]}}"#;

#[test]
fn groups_controls_and_enhancements_become_a_tree_with_rendered_statements() {
    let fw = import_catalog("tiny.json", SMALL, "tiny").unwrap();
    let ids: Vec<(&str, ItemKind, Option<&str>)> =
        fw.items.iter().map(|i| (i.id.as_str(), i.kind, i.parent.as_deref())).collect();
    assert_eq!(
        ids,
        [
            ("ac", ItemKind::Family, None),
            ("AC-1", ItemKind::Control, Some("ac")),
            ("AC-1(1)", ItemKind::Enhancement, Some("AC-1"))
        ]
    );
    assert_eq!(
        fw.items[1].text.as_deref(),
        Some(
            "a. Tell [Assignment: organization-defined roles]; and\nb. Review [Selection (one or more): daily; weekly]."
        )
    );
    assert_eq!(fw.items[2].attribute("status"), ["withdrawn"]);
    assert_eq!(fw.name, "Tiny");
}

#[test]
fn bad_json_names_line_and_column() {
    let e = import_catalog("bad.json", "{\"catalog\": {\"uuid\": \"u\",\n  \"metadata\": }", "x").unwrap_err();
    let OscalError::Malformed { line, .. } = &e else { panic!("{e:?}") };
    assert_eq!(*line, 2, "{e}");
    assert!(e.to_string().starts_with("bad.json: "), "{e}");
}

#[test]
fn a_control_without_an_id_is_named_by_its_path() {
    let json = SMALL.replace(r#""id": "ac-1", "title""#, r#""title""#);
    let e = import_catalog("noid.json", &json, "x").unwrap_err();
    assert!(e.to_string().contains("catalog.groups[0].controls[0]"), "{e}");
    assert!(e.to_string().contains("missing field `id`"), "{e}");
}

#[test]
fn duplicate_ids_are_refused_naming_both_places() {
    let json = SMALL.replace(r#""id": "ac-1.1""#, r#""id": "ac-1""#);
    let e = import_catalog("dup.json", &json, "x").unwrap_err();
    assert_eq!(
        e.to_string(),
        "dup.json: id \"ac-1\" is used twice: at catalog.groups[0].controls[0] and at catalog.groups[0].controls[0].controls[0]"
    );
}

#[test]
fn a_document_that_is_not_a_catalog_is_refused() {
    let e = import_catalog("profile.json", r#"{"profile": {}}"#, "x").unwrap_err();
    assert!(e.to_string().contains("missing field `catalog`"), "{e}");
}

/// The official catalog, copied into `testdata/` (see its README).
pub(crate) const SP800_53: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/oscal/sp800-53-rev5/v5.0.1/NIST_SP-800-53_rev5_catalog.json");

#[test]
fn the_official_sp_800_53_rev5_catalog_imports_completely() {
    let json = std::fs::read_to_string(SP800_53).unwrap_or_else(|e| panic!("{SP800_53}: {e}"));
    let fw = import_catalog("NIST_SP-800-53_rev5_catalog.json", &json, "nist-800-53r5").unwrap();
    let count = |k: ItemKind| fw.items.iter().filter(|i| i.kind == k).count();
    assert_eq!(count(ItemKind::Family), 20);
    assert_eq!(count(ItemKind::Control) + count(ItemKind::Enhancement), 1189);
    let ac2 = fw.items.iter().find(|i| i.id == "AC-2").unwrap();
    assert_eq!(ac2.title, "Account Management");
    assert!(ac2.text.as_deref().unwrap().contains("[Assignment: organization-defined"), "{:?}", ac2.text);
}
