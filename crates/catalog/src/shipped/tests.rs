//! The shipped library's contents, checked against the published structure of each
//! framework. These counts are facts about the frameworks, not about our code.

use std::collections::{BTreeMap, BTreeSet};

use isms_domain::framework::{ItemKind, Library};

use super::load_shipped;

fn library() -> Library {
    match load_shipped() {
        Ok(lib) => lib,
        Err(errors) => panic!(
            "the shipped library does not load:\n{}",
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
        ),
    }
}

fn children_count(lib: &Library, framework: &str, parent: &str, kind: ItemKind) -> usize {
    lib.children(framework, parent).iter().filter(|i| i.kind == kind).count()
}

#[test]
fn iso_27001_2022_has_93_annex_a_controls_in_four_themes() {
    let lib = library();
    let per_theme: Vec<usize> = ["A.5", "A.6", "A.7", "A.8"]
        .iter()
        .map(|t| children_count(&lib, "iso27001-2022", t, ItemKind::Control))
        .collect();
    assert_eq!(per_theme, [37, 8, 14, 34]);
    assert_eq!(lib.count_by_kind("iso27001-2022")[&ItemKind::Control], 93);
    assert_eq!(lib.count_by_kind("iso27001-2022")[&ItemKind::Theme], 4);
}

#[test]
fn iso_27001_2022_has_every_clause_and_sub_clause_of_4_to_10() {
    let lib = library();
    let clauses: Vec<String> = lib
        .framework("iso27001-2022")
        .unwrap()
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Clause)
        .map(|i| i.id.clone())
        .collect();
    let expected = [
        "4.1", "4.2", "4.3", "4.4", "5.1", "5.2", "5.3", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3", "7.1", "7.2",
        "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2", "9.2.1", "9.2.2", "9.3",
        "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2",
    ];
    assert_eq!(clauses, expected);
}

#[test]
fn every_annex_a_control_carries_all_five_27002_attributes_from_the_closed_sets() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::from([
        ("control_type", BTreeSet::from(["preventive", "detective", "corrective"])),
        ("security_properties", BTreeSet::from(["confidentiality", "integrity", "availability"])),
        ("cybersecurity_concepts", BTreeSet::from(["identify", "protect", "detect", "respond", "recover"])),
        (
            "operational_capabilities",
            BTreeSet::from([
                "governance",
                "asset_management",
                "information_protection",
                "human_resource_security",
                "physical_security",
                "system_and_network_security",
                "application_security",
                "secure_configuration",
                "identity_and_access_management",
                "threat_and_vulnerability_management",
                "continuity",
                "supplier_relationships_security",
                "legal_and_compliance",
                "information_security_event_management",
                "information_security_assurance",
            ]),
        ),
        ("security_domains", BTreeSet::from(["governance_and_ecosystem", "protection", "defence", "resilience"])),
    ]);
    let lib = library();
    for item in lib.framework("iso27001-2022").unwrap().items.iter().filter(|i| i.kind == ItemKind::Control) {
        assert!(item.guidance.is_some(), "{} has no guidance", item.id);
        for (attribute, values) in &allowed {
            let got = item.attribute(attribute);
            assert!(!got.is_empty(), "{} has no {attribute}", item.id);
            for v in got {
                assert!(values.contains(v.as_str()), "{}: {attribute} {v:?} is not a 27002 value", item.id);
            }
        }
    }
}

#[test]
fn iso_27001_2013_has_114_controls_in_14_domains() {
    let lib = library();
    let counts = lib.count_by_kind("iso27001-2013");
    assert_eq!(counts[&ItemKind::Control], 114);
    assert_eq!(counts[&ItemKind::Domain], 14);
    let domains: Vec<String> = lib
        .framework("iso27001-2013")
        .unwrap()
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Domain)
        .map(|i| i.id.clone())
        .collect();
    assert_eq!(domains, (5..=18).map(|n| format!("A.{n}")).collect::<Vec<_>>());
}

#[test]
fn every_2013_control_maps_to_2022_and_exactly_the_11_new_controls_have_no_2013_source() {
    let lib = library();
    let set = lib.mappings().iter().find(|m| m.id == "iso27001-2013_to_iso27001-2022").unwrap();
    let sources: BTreeSet<&str> = set.links.iter().map(|l| l.source.as_str()).collect();
    let targets: BTreeSet<&str> = set.links.iter().map(|l| l.target.as_str()).collect();
    for c in lib.framework("iso27001-2013").unwrap().items.iter().filter(|i| i.kind == ItemKind::Control) {
        assert!(sources.contains(c.id.as_str()), "2013 control {} maps to nothing", c.id);
    }
    let new: Vec<&str> = lib
        .framework("iso27001-2022")
        .unwrap()
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Control && !targets.contains(i.id.as_str()))
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(
        new,
        ["A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28"]
    );
}

#[test]
fn the_2022_to_2013_direction_answers_too() {
    let lib = library();
    let from = isms_domain::framework::ItemRef {
        framework: isms_domain::framework::FrameworkId::parse("iso27001-2022").unwrap(),
        item: "A.8.32".into(),
    };
    let to = isms_domain::framework::FrameworkId::parse("iso27001-2013").unwrap();
    let hits: Vec<String> = lib.crosswalk(&from, Some(&to)).unwrap().into_iter().map(|h| h.target.item).collect();
    assert_eq!(hits, ["A.12.1.2", "A.14.2.2", "A.14.2.3", "A.14.2.4"]);
}
