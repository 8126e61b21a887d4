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
fn carrying_2013_work_forward_never_claims_a_broader_2022_control_whole() {
    use isms_domain::framework::Relation;
    let lib = library();
    let set = lib.mappings().iter().find(|m| m.id == "iso27001-2013_to_iso27001-2022").unwrap();
    let relation = |a: &str, b: &str| set.links.iter().find(|l| l.source == a && l.target == b).unwrap().relation;
    for (old, new) in [
        ("A.9.2.1", "A.5.16"),
        ("A.9.4.2", "A.8.5"),
        ("A.14.2.1", "A.8.25"),
        ("A.17.2.1", "A.8.14"),
        ("A.16.1.1", "A.5.24"),
        ("A.6.2.2", "A.6.7"),
        ("A.15.1.1", "A.5.19"),
    ] {
        assert_eq!(relation(old, new), Relation::SubsetOf, "{old} -> {new}: the 2022 control is broader");
    }
    assert_eq!(relation("A.12.3.1", "A.8.13"), Relation::Equivalent, "backup is the same control");
    assert_eq!(
        lib.item("iso27001-2022", "A.5.21").unwrap().title,
        "Managing information security in the information and communication technology (ICT) supply chain"
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

fn ids_of_kind(lib: &Library, framework: &str, kind: ItemKind) -> Vec<String> {
    lib.framework(framework).unwrap().items.iter().filter(|i| i.kind == kind).map(|i| i.id.clone()).collect()
}

fn direct_sources(lib: &Library, source: &str, target: &str) -> BTreeSet<String> {
    lib.mappings()
        .iter()
        .filter(|m| m.source.as_str() == source && m.target.as_str() == target)
        .flat_map(|m| m.links.iter().map(|l| l.source.clone()))
        .collect()
}

#[test]
fn csf_2_0_has_6_functions_22_categories_and_106_subcategories() {
    let lib = library();
    let counts = lib.count_by_kind("nist-csf-2.0");
    assert_eq!(
        (counts[&ItemKind::Function], counts[&ItemKind::Category], counts[&ItemKind::Subcategory]),
        (6, 22, 106)
    );
    assert_eq!(ids_of_kind(&lib, "nist-csf-2.0", ItemKind::Function), ["GV", "ID", "PR", "DE", "RS", "RC"]);
}

#[test]
fn every_csf_subcategory_maps_to_an_iso_27001_2022_requirement_or_control() {
    let lib = library();
    let mapped = direct_sources(&lib, "nist-csf-2.0", "iso27001-2022");
    let unmapped: Vec<String> =
        ids_of_kind(&lib, "nist-csf-2.0", ItemKind::Subcategory).into_iter().filter(|s| !mapped.contains(s)).collect();
    assert!(unmapped.is_empty(), "CSF subcategories without an ISO mapping: {unmapped:?}");
}

#[test]
fn sp_800_53_rev5_has_20_families_and_1189_controls_and_enhancements_with_baselines() {
    let lib = library();
    let counts = lib.count_by_kind("nist-800-53r5");
    assert_eq!(counts[&ItemKind::Family], 20);
    assert_eq!(counts[&ItemKind::Control] + counts[&ItemKind::Enhancement], 1189);
    let fw = lib.framework("nist-800-53r5").unwrap();
    let in_baseline = |b: &str| fw.items.iter().filter(|i| i.attribute("baseline").iter().any(|v| v == b)).count();
    // SP 800-53B (5.1.1 profiles): LOW 149, MODERATE 287, HIGH 370, PRIVACY 96 controls and enhancements.
    assert_eq!(
        (in_baseline("low"), in_baseline("moderate"), in_baseline("high"), in_baseline("privacy")),
        (149, 287, 370, 96)
    );
    let ac2 = lib.item("nist-800-53r5", "AC-2").unwrap();
    assert_eq!(ac2.attribute("baseline"), ["low", "moderate", "high"]);
}

#[test]
fn sp_800_171_rev2_has_110_requirements_in_14_families() {
    let lib = library();
    let counts = lib.count_by_kind("nist-800-171r2");
    assert_eq!((counts[&ItemKind::Requirement], counts[&ItemKind::Family]), (110, 14));
    let fw = lib.framework("nist-800-171r2").unwrap();
    let basic = fw.items.iter().filter(|i| i.attribute("requirement_type") == ["basic"]).count();
    assert_eq!(basic, 31);
    let mapped = direct_sources(&lib, "nist-800-171r2", "iso27001-2022");
    assert_eq!(mapped.len(), 110, "every requirement maps to ISO/IEC 27001:2022");
}

#[test]
fn cmmc_level_1_is_17_practices_from_15_far_requirements_and_level_2_is_all_110() {
    let lib = library();
    let l1: Vec<String> = lib.children("cmmc-2.0", "L1").iter().map(|i| i.id.clone()).collect();
    assert_eq!(
        l1,
        [
            "AC.L1-3.1.1",
            "AC.L1-3.1.2",
            "AC.L1-3.1.20",
            "AC.L1-3.1.22",
            "IA.L1-3.5.1",
            "IA.L1-3.5.2",
            "MP.L1-3.8.3",
            "PE.L1-3.10.1",
            "PE.L1-3.10.3",
            "PE.L1-3.10.4",
            "PE.L1-3.10.5",
            "SC.L1-3.13.1",
            "SC.L1-3.13.5",
            "SI.L1-3.14.1",
            "SI.L1-3.14.2",
            "SI.L1-3.14.4",
            "SI.L1-3.14.5"
        ]
    );
    assert_eq!(lib.children("cmmc-2.0", "L2").len(), 93);
    assert_eq!(ids_of_kind(&lib, "far-52.204-21", ItemKind::Requirement).len(), 15);
    let far = lib.mappings().iter().find(|m| m.id == "far-52.204-21_to_cmmc-2.0").unwrap();
    let practices: BTreeSet<&str> = far.links.iter().map(|l| l.target.as_str()).collect();
    assert_eq!(
        practices,
        l1.iter().map(String::as_str).collect(),
        "the 15 FAR requirements are exactly the 17 L1 practices"
    );
    let practice_to_requirement = direct_sources(&lib, "cmmc-2.0", "nist-800-171r2");
    assert_eq!(practice_to_requirement.len(), 110);
}

#[test]
fn every_hipaa_implementation_specification_is_required_or_addressable() {
    let lib = library();
    let fw = lib.framework("hipaa-security").unwrap();
    let sections: Vec<String> = ids_of_kind(&lib, "hipaa-security", ItemKind::Section);
    assert_eq!(sections, ["164.308", "164.310", "164.312", "164.314", "164.316"]);
    let mut marks = BTreeMap::new();
    for spec in fw.items.iter().filter(|i| i.kind == ItemKind::ImplementationSpecification) {
        let mark = spec.attribute("implementation");
        assert!(mark == ["required"] || mark == ["addressable"], "{} is marked {mark:?}", spec.id);
        *marks.entry(mark[0].clone()).or_insert(0) += 1;
        let parent = lib.item("hipaa-security", spec.parent.as_deref().unwrap()).unwrap();
        assert_eq!(parent.kind, ItemKind::Standard, "{} belongs to a standard", spec.id);
    }
    assert_eq!(marks["required"] + marks["addressable"], 46);
    assert_eq!(lib.item("hipaa-security", "164.312(a)(2)(iv)").unwrap().attribute("implementation"), ["addressable"]);
    assert_eq!(lib.item("hipaa-security", "164.308(a)(1)(ii)(A)").unwrap().attribute("implementation"), ["required"]);
    // A standard without implementation specifications is itself required.
    for standard in fw.items.iter().filter(|i| i.kind == ItemKind::Standard) {
        let has_specs = lib
            .children("hipaa-security", &standard.id)
            .iter()
            .any(|c| c.kind == ItemKind::ImplementationSpecification);
        let mark = standard.attribute("implementation");
        if has_specs {
            assert!(mark.is_empty(), "{} has specifications, which carry the marks", standard.id);
        } else {
            assert_eq!(mark, ["required"], "{} has no specification, so it is required itself", standard.id);
        }
    }
    assert_eq!(
        lib.item("hipaa-security", "164.312(b)").unwrap().attribute("implementation"),
        ["required"],
        "audit controls"
    );
}

#[test]
fn glba_and_gdpr_have_every_paragraph_named_by_the_issue() {
    let lib = library();
    let glba = ids_of_kind(&lib, "glba-safeguards", ItemKind::Provision);
    // Each paragraph (a)–(j), then its sub-paragraphs, as 16 CFR 314.4 numbers them.
    let subs = |p: &str, n: usize| (1..=n).map(|i| format!("314.4({p})({i})")).collect::<Vec<_>>();
    let roman = |p: &str| vec![format!("314.4({p})(i)"), format!("314.4({p})(ii)")];
    let mut expected: Vec<String> = vec!["314.4(a)".into(), "314.4(b)".into()];
    expected.extend(subs("b", 2));
    expected.push("314.4(c)".into());
    for n in 1..=8 {
        expected.push(format!("314.4(c)({n})"));
        if n == 1 || n == 6 {
            expected.extend(roman(&format!("c)({n}")));
        }
    }
    for (p, n) in [("d", 2), ("e", 4), ("f", 3), ("g", 0), ("h", 7), ("i", 2), ("j", 0)] {
        expected.push(format!("314.4({p})"));
        expected.extend(subs(p, n));
    }
    assert_eq!(glba, expected);
    assert_eq!(expected.len(), 42, "10 paragraphs, 8 safeguards and 24 sub-paragraphs");
    let plan = lib.children("glba-safeguards", "314.4(h)");
    assert_eq!(plan.len(), 7, "the seven required contents of the incident response plan");
    let gdpr = ids_of_kind(&lib, "gdpr-art32", ItemKind::Provision);
    assert_eq!(gdpr, ["32(1)", "32(1)(a)", "32(1)(b)", "32(1)(c)", "32(1)(d)", "32(2)", "32(3)", "32(4)"]);
}

#[test]
fn every_framework_but_the_pivot_maps_to_it_directly() {
    let lib = library();
    for fw in lib.frameworks().iter().filter(|f| f.id.as_str() != "iso27001-2022") {
        let mapped = direct_sources(&lib, fw.id.as_str(), "iso27001-2022");
        assert!(!mapped.is_empty(), "{} has no mapping to ISO/IEC 27001:2022", fw.id);
        if ["nist-800-53r5", "iso27001-2013"].contains(&fw.id.as_str()) {
            continue; // OLIR 155 covers 220 SP 800-53 controls; 2013 is checked on its own
        }
        let unmapped: Vec<&str> = fw
            .items
            .iter()
            .filter(|i| !i.kind.is_grouping() && i.parent.is_some() && !mapped.contains(&i.id))
            .map(|i| i.id.as_str())
            .filter(|id| !lib.children(fw.id.as_str(), id).iter().any(|c| mapped.contains(&c.id)))
            .collect();
        assert!(unmapped.is_empty(), "{}: not mapped to ISO: {unmapped:?}", fw.id);
    }
}

#[test]
fn hipaa_to_csf_is_answered_through_iso_with_every_path() {
    let lib = library();
    let from = isms_domain::framework::ItemRef {
        framework: isms_domain::framework::FrameworkId::parse("hipaa-security").unwrap(),
        item: "164.308(a)(7)(ii)(A)".into(),
    };
    let to = isms_domain::framework::FrameworkId::parse("nist-csf-2.0").unwrap();
    let hits = lib.crosswalk(&from, Some(&to)).unwrap();
    let backup = hits.iter().find(|h| h.target.item == "PR.DS-11").expect("data backup plan reaches PR.DS-11");
    assert!(!backup.direct);
    assert!(
        backup.paths.iter().any(|p| p.steps[0].to.item == "A.8.13"),
        "the path through ISO A.8.13 is shown: {:?}",
        backup.paths
    );
    assert!(backup.paths.len() >= 2, "paths through SP 800-53 are kept too: {:?}", backup.paths);
}
