//! `isms framework ...` and `isms crosswalk` on the shipped library and on imports.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, dump_sqlite};

fn testdata(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata").join(path)
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

const OSCAL: &str = "oscal/sp800-53-rev5";

fn json(run: &crate::support::Run) -> serde_json::Value {
    assert_eq!(run.code, 0, "{run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn framework_list_shows_every_shipped_framework_with_its_counts() {
    let s = Sandbox::new();
    let doc = json(&s.run(&["--json", "framework", "list"]));
    let ids: Vec<&str> = doc.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "iso27001-2022",
            "iso27001-2013",
            "nist-csf-2.0",
            "nist-800-53r5",
            "nist-800-171r2",
            "cmmc-2.0",
            "far-52.204-21",
            "hipaa-security",
            "glba-safeguards",
            "gdpr-art32"
        ]
    );
    assert_eq!(doc[2]["counts"]["subcategory"], 106);
    assert_eq!(doc[0]["counts"]["control"], 93);
    let text = s.run(&["framework", "list"]);
    assert!(text.stdout.contains("nist-csf-2.0     NIST Cybersecurity Framework 2.0"), "{}", text.stdout);
}

#[test]
fn importing_the_official_sp_800_53_catalog_reproduces_the_shipped_framework() {
    let s = Sandbox::new();
    let out = s.path().join("export");
    let baseline = |name: &str, file: &str| format!("{name}={}", testdata(&format!("{OSCAL}/v5.1.1/{file}")).display());
    let run = s.run(&[
        "framework",
        "import",
        testdata(&format!("{OSCAL}/v5.0.1/NIST_SP-800-53_rev5_catalog.json")).to_str().unwrap(),
        "--id",
        "nist-800-53r5",
        "--baseline",
        &baseline("low", "NIST_SP-800-53_rev5_LOW-baseline_profile.json"),
        "--baseline",
        &baseline("moderate", "NIST_SP-800-53_rev5_MODERATE-baseline_profile.json"),
        "--baseline",
        &baseline("high", "NIST_SP-800-53_rev5_HIGH-baseline_profile.json"),
        "--baseline",
        &baseline("privacy", "NIST_SP-800-53_rev5_PRIVACY-baseline_profile.json"),
        "--export",
        out.to_str().unwrap(),
        "--dry-run",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let exported = std::fs::read_to_string(out.join("items.csv")).unwrap();
    let shipped = std::fs::read_to_string(repo("frameworks/nist-800-53r5/items.csv")).unwrap();
    assert!(exported == shipped, "the shipped SP 800-53 differs from a fresh import of the official catalog");
}

#[test]
fn an_imported_catalog_is_stored_listed_and_browsable_and_cannot_be_imported_twice() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "migrate"]).code, 0);
    let catalog = testdata(&format!("{OSCAL}/v5.0.1/NIST_SP-800-53_rev5_catalog.json"));
    let run = s.run(&["--data-dir", d, "framework", "import", catalog.to_str().unwrap(), "--id", "agency-800-53"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.starts_with("Imported agency-800-53 — NIST Special Publication 800-53 Revision 5"),
        "{}",
        run.stdout
    );
    let list = json(&s.run(&["--data-dir", d, "--json", "framework", "list"]));
    let imported = list.as_array().unwrap().iter().find(|f| f["id"] == "agency-800-53").unwrap();
    assert_eq!(imported["imported"], true);
    assert_eq!(imported["counts"]["family"], 20);
    let show = s.run(&["--data-dir", d, "framework", "show", "agency-800-53", "--family", "ac"]);
    assert!(show.stdout.contains("AC-2(1)"), "{}", show.stdout);
    let again = s.run(&["--data-dir", d, "framework", "import", catalog.to_str().unwrap(), "--id", "agency-800-53"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("a framework with id agency-800-53 already exists"), "{}", again.stderr);
    let shipped_clash =
        s.run(&["--data-dir", d, "framework", "import", catalog.to_str().unwrap(), "--id", "nist-800-53r5"]);
    assert_eq!(shipped_clash.code, 2, "a shipped id cannot be taken");
}

#[test]
fn malformed_catalogs_are_refused_naming_the_offending_element_and_nothing_is_stored() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "migrate"]).code, 0);
    let db = dir.join("isms.db");
    let before = dump_sqlite(&db);
    let good = std::fs::read_to_string(testdata(&format!("{OSCAL}/v5.0.1/NIST_SP-800-53_rev5_catalog.json"))).unwrap();
    let cases = [
        ("bad-json.json", good.replacen("\"groups\"", "\"groups\" ::", 1), "expected value"),
        (
            "missing-id.json",
            good.replacen("\"id\": \"ac-1\",", "", 1),
            "catalog.groups[0].controls[0]: missing field `id`",
        ),
        (
            "duplicate-id.json",
            good.replacen("\"id\": \"ac-2\",", "\"id\": \"ac-1\",", 1),
            "id \"ac-1\" is used twice: at catalog.groups[0].controls[0] and at catalog.groups[0].controls[1]",
        ),
    ];
    for (name, text, expected) in cases {
        let file = s.path().join(name);
        std::fs::write(&file, text).unwrap();
        let run = s.run(&["--data-dir", d, "framework", "import", file.to_str().unwrap(), "--id", "broken"]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
        assert!(run.stderr.contains(name), "{name}: the file is named: {}", run.stderr);
    }
    assert!(dump_sqlite(&db) == before, "a refused import stored something");
}

#[test]
fn a_framework_folder_imports_and_a_bad_row_is_named_by_file_and_line() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    let fw = s.path().join("acme");
    std::fs::create_dir_all(&fw).unwrap();
    std::fs::write(
        fw.join("framework.toml"),
        "id = \"acme-rules\"\nname = \"Acme rules\"\nversion = \"1\"\npublisher = \"Acme\"\nkind = \"custom\"\n",
    )
    .unwrap();
    std::fs::write(
        fw.join("items.csv"),
        "id,parent,kind,title\nR,,section,Rules\nR.1,R,requirement,Encrypt laptops\nR.2,X,requirement,Orphan\n",
    )
    .unwrap();
    assert_eq!(s.run(&["--data-dir", d, "migrate"]).code, 0);
    let bad = s.run(&["--data-dir", d, "framework", "import", fw.to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("item R.2 names parent X, which is not defined before it"), "{}", bad.stderr);
    std::fs::write(fw.join("items.csv"), "id,parent,kind,title\nR,,section,Rules\nR.1,R,requirment,Encrypt laptops\n")
        .unwrap();
    let bad = s.run(&["--data-dir", d, "framework", "import", fw.to_str().unwrap()]);
    assert!(bad.stderr.contains("items.csv, line 3, kind: \"requirment\" is not an item kind"), "{}", bad.stderr);
    std::fs::write(fw.join("items.csv"), "id,parent,kind,title\nR,,section,Rules\nR.1,R,requirement,Encrypt laptops\n")
        .unwrap();
    let ok = s.run(&["--data-dir", d, "framework", "import", fw.to_str().unwrap()]);
    assert_eq!(ok.code, 0, "{ok:?}");
    let found = s.run(&["--data-dir", d, "framework", "search", "encrypt", "laptops"]);
    assert!(found.stdout.contains("acme-rules:R.1"), "{}", found.stdout);
}

#[test]
fn crosswalk_shows_direct_links_both_ways_and_transitive_paths() {
    let s = Sandbox::new();
    let back = json(&s.run(&["--json", "crosswalk", "iso27001-2022:A.5.17", "--to", "iso27001-2013"]));
    let items: Vec<&str> =
        back["hits"].as_array().unwrap().iter().map(|h| h["target"]["item"].as_str().unwrap()).collect();
    assert_eq!(items, ["A.9.2.4", "A.9.3.1", "A.9.4.3"]);
    assert_eq!(back["hits"][0]["relation"], "superset_of");
    let text = s.run(&["crosswalk", "glba-safeguards:314.4(c)(5)", "--to", "nist-csf-2.0"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(text.stdout.contains("nist-csf-2.0:PR.AA-03"), "{}", text.stdout);
    assert!(text.stdout.contains("via iso27001-2022:A.8.5"), "{}", text.stdout);
    let bad = s.run(&["crosswalk", "iso27001-2022:A.9.9"]);
    assert_eq!(bad.code, 2);
    assert_eq!(bad.stderr.trim(), "error: framework iso27001-2022 has no item A.9.9");
}

#[test]
fn search_ranks_id_matches_first_and_can_stay_in_one_framework() {
    let s = Sandbox::new();
    let doc = json(&s.run(&["--json", "framework", "search", "AC-2"]));
    assert_eq!(doc[0]["item"]["item"], "AC-2");
    let only = json(&s.run(&["--json", "framework", "search", "multi-factor", "--framework", "glba-safeguards"]));
    let ids: Vec<&str> = only.as_array().unwrap().iter().map(|h| h["item"]["item"].as_str().unwrap()).collect();
    assert_eq!(ids, ["314.4(c)(5)"]);
}

#[test]
fn frameworks_in_use_are_per_organization_and_adoption_is_audited() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "init", "--org", "Acme Health", "--admin-email", "a@acme.test"]).code, 0);
    let run = s.run(&["--data-dir", d, "framework", "adopt", "hipaa-security", "--org", "acme health"]);
    assert_eq!(run.code, 0, "{run:?}");
    let in_use = json(&s.run(&["--data-dir", d, "--json", "framework", "in-use", "--org", "Acme Health"]));
    assert_eq!(in_use, serde_json::json!(["iso27001-2022", "hipaa-security"]));
    let again = s.run(&["--data-dir", d, "framework", "adopt", "hipaa-security", "--org", "Acme Health"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("hipaa-security is already in use"), "{}", again.stderr);
    let unknown = s.run(&["--data-dir", d, "framework", "adopt", "sox", "--org", "Acme Health"]);
    assert!(unknown.stderr.contains("there is no framework \"sox\""), "{}", unknown.stderr);
    assert!(dump_sqlite(&dir.join("isms.db")).contains("framework.adopted"), "the adoption is in the audit trail");
}

#[test]
fn the_glba_safeguards_rule_is_shown_with_its_sub_paragraphs() {
    let s = Sandbox::new();
    let shown = s.run(&["framework", "show", "glba-safeguards"]);
    assert_eq!(shown.code, 0, "{shown:?}");
    for id in
        ["314.4(b)(2)", "314.4(c)(1)(ii)", "314.4(c)(6)(i)", "314.4(d)(2)", "314.4(e)(4)", "314.4(f)(3)", "314.4(i)(2)"]
    {
        assert!(shown.stdout.contains(id), "{id} is listed:\n{}", shown.stdout);
    }
    let plan: Vec<&str> = shown.stdout.lines().filter(|l| l.trim_start().starts_with("314.4(h)(")).collect();
    assert_eq!(plan.len(), 7, "the incident response plan's seven required contents: {plan:?}");
    let mapped = s.run(&["crosswalk", "glba-safeguards:314.4(h)(5)", "--to", "iso27001-2022"]);
    assert_eq!(mapped.code, 0, "{mapped:?}");
    assert!(mapped.stdout.contains("A.5.27") && mapped.stdout.contains("10.2"), "{}", mapped.stdout);
}
