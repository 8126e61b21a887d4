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
    let outsider = run(&["risk", "accept", "RSK-001", "--org", "Acme", "--as", "eve@elsewhere.test"]);
    assert_eq!(outsider.code, 2);
    assert!(outsider.stderr.contains("eve@elsewhere.test is not a member of this organization"), "{}", outsider.stderr);
    // --as acts as that member, with their role: an ISMS manager may accept risks, but
    // only the risk owner accepts this one.
    s.join(&d, "Acme", "cfo@acme.test", "isms_manager");
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

#[test]
fn risks_import_all_or_nothing_and_export_as_register_and_plan() {
    use calamine::{Data, Reader, Xlsx};
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        s.run(&all)
    };
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);
    let csv = s.path().join("risks.csv");
    std::fs::write(
        &csv,
        "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,controls,next_review\n\
         Phishing,ciso@acme.test,5,3,3,3,modify,A.6.3;A.8.5,2027-05-01\n\
         Lost laptop,ciso@acme.test,4,3,2,2,modify,A.8.1;A.8.24,\n\
         Bad row,nobody@acme.test,6,3,3,3,reduce,A.9.9,someday\n",
    )
    .unwrap();
    let refused = run(&["risk", "import", csv.to_str().unwrap(), "--org", "Acme"]);
    assert_eq!(refused.code, 2);
    let columns: Vec<&str> =
        refused.stdout.lines().map(|l| l.split(", ").nth(2).unwrap().split(':').next().unwrap()).collect();
    assert_eq!(columns, ["treatment", "next_review", "inherent", "owner", "controls"], "{}", refused.stdout);
    assert!(refused.stdout.lines().all(|l| l.contains("line 4")), "{}", refused.stdout);
    let none: serde_json::Value =
        serde_json::from_str(&run(&["--json", "risk", "list", "--org", "Acme"]).stdout).unwrap();
    assert!(none.as_array().unwrap().is_empty(), "nothing stored");
    assert_eq!(run(&["risk", "import", csv.to_str().unwrap(), "--org", "Acme", "--skip-bad-rows"]).code, 0);
    run(&[
        "risk",
        "edit",
        "RSK-002",
        "--org",
        "Acme",
        "--action",
        "Full-disk encryption everywhere|ciso@acme.test|2027-01-15",
        "--action",
        "MDM enrolment|ciso@acme.test|2026-12-01|in_progress",
    ]);

    let register = s.path().join("register.csv");
    assert_eq!(run(&["risk", "export", "--org", "Acme", "--format", "csv", "-o", register.to_str().unwrap()]).code, 0);
    let mut reader = csv::Reader::from_path(&register).unwrap();
    assert_eq!(&reader.headers().unwrap()[0], "ID");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!((&rows[0][0], &rows[0][7], &rows[0][11]), ("RSK-001", "high", "medium"));

    let plan = s.path().join("plan.xlsx");
    assert_eq!(
        run(&["risk", "export", "--org", "Acme", "--what", "plan", "--format", "xlsx", "-o", plan.to_str().unwrap()])
            .code,
        0
    );
    let mut book: Xlsx<_> = calamine::open_workbook(&plan).unwrap();
    let sheet = book.worksheet_range("Risk treatment plan").unwrap();
    let cell = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(cell(0, 0), "Risk treatment plan");
    assert_eq!(cell(3, 4), "Action");
    assert_eq!(
        (cell(4, 0), cell(4, 4), cell(4, 6)),
        ("2026-12-01".to_owned(), "MDM enrolment".to_owned(), "in_progress".to_owned())
    );
    assert_eq!(cell(5, 4), "Full-disk encryption everywhere");
}
