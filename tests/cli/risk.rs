//! `isms risk ...` and `isms methodology ...` through the real binary.

use crate::support::Sandbox;

#[test]
fn risks_relevel_with_the_methodology_need_their_owners_acceptance_and_feed_the_soa() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        s.run(&all)
    };
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);
    let added = run(&[
        "risk",
        "add",
        "--org",
        "Acme",
        "--title",
        "Ransomware",
        "--owner",
        "ciso@acme.test",
        "--inherent",
        "4,5",
        "--residual",
        "3,3",
        "--control",
        "A.8.13",
    ]);
    assert_eq!(added.code, 0, "{added:?}");
    assert_eq!(added.stdout.trim(), "Added RSK-001 (critical → medium).");
    let soa: serde_json::Value =
        serde_json::from_str(&run(&["--json", "soa", "show", "--org", "Acme"]).stdout).unwrap();
    let a813 = soa["rows"].as_array().unwrap().iter().find(|r| r["control"] == "A.8.13").unwrap();
    assert_eq!(a813["reasons"], serde_json::json!(["risk_treatment"]));
    assert_eq!(a813["risks"], serde_json::json!(["RSK-001"]));

    let unaccepted = run(&["--json", "risk", "list", "--org", "Acme", "--only", "unaccepted"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&unaccepted.stdout).unwrap().as_array().unwrap().len(), 1);
    let stranger = run(&["risk", "accept", "RSK-001", "--org", "Acme", "--as", "cfo@acme.test"]);
    assert_eq!(stranger.code, 2);
    assert!(stranger.stderr.contains("only the risk owner (ciso@acme.test) can accept RSK-001"), "{}", stranger.stderr);
    assert_eq!(
        run(&["risk", "accept", "RSK-001", "--org", "Acme", "--as", "ciso@acme.test", "--comment", "Backups tested"])
            .code,
        0
    );
    let none: serde_json::Value =
        serde_json::from_str(&run(&["--json", "risk", "list", "--org", "Acme", "--only", "unaccepted"]).stdout)
            .unwrap();
    assert!(none.as_array().unwrap().is_empty());

    let edited = run(&["methodology", "edit", "--org", "Acme", "--cell", "3,3=high"]);
    assert_eq!(edited.stdout.trim(), "Saved methodology version 2; 1 risk(s) changed level.", "{edited:?}");
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["--json", "risk", "show", "RSK-001", "--org", "Acme"]).stdout).unwrap();
    assert_eq!(shown["residual_level"], "high");
    assert_eq!(shown["acceptance_state"]["state"], "unaccepted", "the medium-level acceptance lapsed");
    let history: Vec<(u64, &str)> = shown["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["methodology_version"].as_u64().unwrap(), h["residual"].as_str().unwrap()))
        .collect();
    assert_eq!(history, [(1, "medium"), (2, "high")]);
    let bad = run(&["methodology", "edit", "--org", "Acme", "--cell", "3,3=severe"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("row 3: \"severe\" is not a risk level"), "{}", bad.stderr);

    run(&["risk", "edit", "RSK-001", "--org", "Acme", "--control", "none"]);
    let soa: serde_json::Value =
        serde_json::from_str(&run(&["--json", "soa", "show", "--org", "Acme"]).stdout).unwrap();
    let a813 = soa["rows"].as_array().unwrap().iter().find(|r| r["control"] == "A.8.13").unwrap();
    assert_eq!(a813["reasons"], serde_json::json!([]), "unlinking removed the risk-treatment reason");

    let svg = run(&["risk", "heatmap", "--org", "Acme", "--which", "inherent"]).stdout;
    let cell = svg.split("<g class=\"cell\"").find(|c| c.contains("data-likelihood=\"4\" data-impact=\"5\"")).unwrap();
    assert!(cell.contains("data-count=\"1\""), "{cell}");
}
