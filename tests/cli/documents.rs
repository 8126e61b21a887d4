//! Documents through the command line: a version moves draft → in review → approved →
//! superseded, an approved version cannot be changed, acknowledgements count for the
//! version in force, and the mandatory checklist says what satisfies each clause.

use serde_json::Value;

use crate::support::Sandbox;

#[test]
fn an_approved_version_never_changes_and_the_checklist_follows_approvals() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).code, 0);
    let dir = s.data_dir().parent().unwrap().to_owned();
    let v1 = dir.join("policy-v1.md");
    std::fs::write(&v1, "# Information security policy\n\nWe protect our customers' data.\n").unwrap();
    let v2 = dir.join("policy-v2.md");
    std::fs::write(&v2, "# Information security policy\n\nWe protect customer and employee data.\n").unwrap();
    let (v1, v2) = (v1.to_str().unwrap(), v2.to_str().unwrap());
    let add = run(&[
        "document",
        "add",
        "--org",
        "Acme",
        "--title",
        "Information security policy",
        "--type",
        "policy",
        "--owner",
        "owner@acme.test",
        "--file",
        v1,
        "--clause",
        "5.2",
        "--control",
        "5.1",
        "--acknowledge",
        "everyone",
        "--as",
        "owner@acme.test",
    ]);
    assert_eq!(add.code, 0, "{add:?}");
    let early = run(&["document", "approve", "DOC-001", "--org", "Acme"]);
    assert_eq!(early.code, 2, "a draft is submitted before it is approved: {early:?}");
    assert!(early.stderr.contains("submit it for review first"), "{}", early.stderr);
    assert_eq!(run(&["document", "submit", "DOC-001", "--org", "Acme"]).code, 0);
    let approved = run(&[
        "document",
        "approve",
        "DOC-001",
        "--org",
        "Acme",
        "--as",
        "owner@acme.test",
        "--comment",
        "Board approval",
    ]);
    assert_eq!(approved.code, 0, "{approved:?}");

    // The approved text cannot be changed; a new version is needed.
    let edit = run(&["document", "edit", "DOC-001", "--org", "Acme", "--version", "1", "--file", v2]);
    assert_eq!(edit.code, 2, "{edit:?}");
    assert!(edit.stderr.contains("approved versions never change"), "{}", edit.stderr);
    let shown: Value =
        serde_json::from_str(&run(&["--json", "document", "show", "DOC-001", "--org", "Acme"]).stdout).unwrap();
    assert!(shown["versions"][0]["body"]["text"].as_str().unwrap().contains("customers' data"), "unchanged: {shown}");

    assert_eq!(
        run(&["document", "version", "DOC-001", "--org", "Acme", "--file", v2, "--note", "employees too"]).code,
        0
    );
    let twice = run(&["document", "version", "DOC-001", "--org", "Acme", "--file", v2]);
    assert_eq!(twice.code, 2, "one open version at a time: {twice:?}");
    assert_eq!(run(&["document", "edit", "DOC-001", "--org", "Acme", "--version", "2", "--file", v2]).code, 0);
    assert_eq!(run(&["document", "submit", "DOC-001", "--org", "Acme"]).code, 0);
    assert_eq!(run(&["document", "approve", "DOC-001", "--org", "Acme", "--as", "owner@acme.test"]).code, 0);
    let shown: Value =
        serde_json::from_str(&run(&["--json", "document", "show", "DOC-001", "--org", "Acme"]).stdout).unwrap();
    let states: Vec<&str> =
        shown["versions"].as_array().unwrap().iter().map(|v| v["state"].as_str().unwrap()).collect();
    assert_eq!(states, ["superseded", "approved"]);
    let old = run(&["document", "edit", "DOC-001", "--org", "Acme", "--version", "1", "--file", v2]);
    assert!(old.code == 2 && old.stderr.contains("superseded"), "{old:?}");

    let ack = run(&["document", "ack", "DOC-001", "--org", "Acme", "--as", "owner@acme.test"]);
    assert_eq!(ack.code, 0, "{ack:?}");
    let shown: Value =
        serde_json::from_str(&run(&["--json", "document", "show", "DOC-001", "--org", "Acme"]).stdout).unwrap();
    assert_eq!(shown["acknowledgements"][0]["version"], 2, "acknowledged the version in force");

    // The checklist: the policy satisfies 5.2; the scope (4.3) is still missing.
    let list = run(&["--json", "document", "checklist", "--org", "Acme"]);
    assert_eq!(list.code, 1, "missing items make it fail: {list:?}");
    let items: Value = serde_json::from_str(&list.stdout).unwrap();
    let item = |c: &str| items.as_array().unwrap().iter().find(|i| i["clause"] == c).unwrap().clone();
    assert_eq!(item("5.2")["satisfied"], true);
    assert_eq!(item("5.2")["by"][0], "DOC-001 v2");
    assert_eq!(item("4.3")["satisfied"], false);
    assert!(item("4.3")["missing"].as_str().unwrap().contains("scope"));

    let trail = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    assert!(trail.stdout.matches("document.updated").count() >= 6, "every step is in the trail");
}
