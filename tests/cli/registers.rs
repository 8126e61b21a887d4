//! The ISMS registers from the command line: scope, context, assets with CSV import,
//! objectives, reviews.

use crate::support::{Sandbox, dump_sqlite};

fn setup() -> (Sandbox, String) {
    let s = Sandbox::new();
    let dir = s.data_dir().to_str().unwrap().to_owned();
    let init = s.run(&["--data-dir", &dir, "init", "--org", "Acme Cloud", "--admin-email", "ciso@acme.test"]);
    assert_eq!(init.code, 0, "{init:?}");
    (s, dir)
}

#[test]
fn an_asset_csv_with_a_bad_row_is_refused_whole_with_line_and_column_unless_bad_rows_are_skipped() {
    let (s, d) = setup();
    let csv = s.path().join("assets.csv");
    std::fs::write(
        &csv,
        "name,type,owner,classification,confidentiality,integrity,availability,lifecycle,description\n\
         Customer database,information,ciso@acme.test,Restricted,4,4,3,in_use,Postgres\n\
         Office Wi-Fi,sytem,ciso@acme.test,Internal,2,2,2,in_use,\n\
         Payroll,service,ciso@acme.test,Top secret,3,3,9,in_use,\n",
    )
    .unwrap();
    let db = s.data_dir().join("isms.db");
    let before = dump_sqlite(&db);
    let run = s.run(&["--data-dir", &d, "asset", "import", csv.to_str().unwrap(), "--org", "Acme Cloud"]);
    assert_eq!(run.code, 2, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].ends_with("line 3, type: \"sytem\" is not an asset type (one of information, system, service, person, location, supplier)"), "{}", lines[0]);
    assert!(lines[1].contains("line 4, availability: 9 is outside 1 (low) to 4 (very high)"), "{}", lines[1]);
    assert!(
        lines[2].contains("line 4, classification: \"Top secret\" is not a level of the classification scheme"),
        "{}",
        lines[2]
    );
    assert!(run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert!(dump_sqlite(&db) == before, "a refused import stored something");

    let run =
        s.run(&["--data-dir", &d, "asset", "import", csv.to_str().unwrap(), "--org", "Acme Cloud", "--skip-bad-rows"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("Imported 1 asset, skipped 3 bad rows."), "{}", run.stdout);
    let list: serde_json::Value =
        serde_json::from_str(&s.run(&["--data-dir", &d, "--json", "asset", "list", "--org", "Acme Cloud"]).stdout)
            .unwrap();
    assert_eq!(list[0]["id"], "AST-001");
    assert_eq!(list[0]["name"], "Customer database");
}

#[test]
fn scope_context_objectives_and_reviews_work_end_to_end() {
    let (s, d) = setup();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        let r = s.run(&all);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        r.stdout
    };
    let refused = s.run(&[
        "--data-dir",
        &d,
        "scope",
        "set",
        "--org",
        "Acme Cloud",
        "--statement",
        "Platform",
        "--exclude",
        "Offices=",
    ]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("exclusions: the exclusion \"Offices\" needs a justification"),
        "{}",
        refused.stderr
    );
    run(&[
        "scope",
        "set",
        "--org",
        "Acme Cloud",
        "--statement",
        "The Acme Cloud SaaS platform and its support",
        "--location",
        "Austin, TX",
        "--exclude",
        "Retail kiosks=Operated by a franchise partner under its own ISMS",
    ]);
    assert!(
        run(&["scope", "show", "--org", "Acme Cloud"])
            .contains("Excluded: Retail kiosks — Operated by a franchise partner")
    );
    run(&[
        "context",
        "add-party",
        "--org",
        "Acme Cloud",
        "--name",
        "Enterprise customers",
        "--requirement",
        "contractual:ISO 27001 certificate",
        "--requirement",
        "!legal:State breach laws",
    ]);
    let ctx: serde_json::Value =
        serde_json::from_str(&run(&["--json", "context", "show", "--org", "Acme Cloud"])).unwrap();
    assert_eq!(ctx["interested_parties"][0]["requirements"][1]["addressed"], false);
    run(&[
        "objective",
        "add",
        "--org",
        "Acme Cloud",
        "--title",
        "MFA everywhere",
        "--measure",
        "share of accounts with MFA",
        "--target",
        "100%",
        "--owner",
        "ciso@acme.test",
        "--due",
        "2027-06-30",
    ]);
    run(&["objective", "set-status", "OBJ-001", "on-track", "--org", "Acme Cloud"]);
    assert!(run(&["objective", "list", "--org", "Acme Cloud"]).contains("OBJ-001 [on_track] MFA everywhere"));
    assert_eq!(run(&["review", "due", "--org", "Acme Cloud"]).trim(), "Nothing is due for review.");
    assert!(
        run(&["review", "record", "objective", "OBJ-001", "--org", "Acme Cloud", "--as", "ciso@acme.test"])
            .contains("next review due")
    );
    let missing = s.run(&[
        "--data-dir",
        &d,
        "review",
        "record",
        "asset",
        "AST-404",
        "--org",
        "Acme Cloud",
        "--as",
        "ciso@acme.test",
    ]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("there is no asset AST-404"), "{}", missing.stderr);
}

#[test]
fn the_classification_scheme_is_the_organizations_own_and_assets_follow_it() {
    let (s, d) = setup();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", d.as_str()];
        all.extend_from_slice(args);
        s.run(&all)
    };
    assert!(
        run(&["asset", "classification", "--org", "Acme Cloud"])
            .stdout
            .contains("Public, Internal, Confidential, Restricted")
    );
    assert_eq!(run(&["asset", "classification", "--org", "Acme Cloud", "--levels", "Open,Sensitive,Secret"]).code, 0);
    let refused = run(&[
        "asset",
        "add",
        "--org",
        "Acme Cloud",
        "--name",
        "CRM",
        "--type",
        "system",
        "--owner",
        "ciso@acme.test",
        "--classification",
        "Confidential",
        "--cia",
        "3,3,2",
    ]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("not a level of the classification scheme (Open, Sensitive, Secret)"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        run(&[
            "asset",
            "add",
            "--org",
            "Acme Cloud",
            "--name",
            "CRM",
            "--type",
            "system",
            "--owner",
            "ciso@acme.test",
            "--classification",
            "secret",
            "--cia",
            "3,3,2"
        ])
        .code,
        0
    );
    assert_eq!(
        run(&["asset", "set", "AST-001", "--org", "Acme Cloud", "--cia", "4,4,4", "--lifecycle", "retiring"]).code,
        0
    );
    let shown: serde_json::Value =
        serde_json::from_str(&run(&["--json", "asset", "show", "AST-001", "--org", "Acme Cloud"]).stdout).unwrap();
    assert_eq!(shown["asset"]["classification"], "Secret");
    assert_eq!(
        (shown["asset"]["availability"].as_u64(), shown["asset"]["lifecycle"].as_str()),
        (Some(4), Some("retiring"))
    );
}

/// `--org` is needed only to choose among several organizations: with one, commands
/// use it; with two, they ask, naming both; ISMS_ORG chooses without the flag.
#[test]
fn the_only_organization_is_the_default_and_isms_org_chooses_among_several() {
    let (s, dir) = setup();
    let list = s.run(&["--data-dir", &dir, "--json", "context", "show"]);
    assert_eq!(list.code, 0, "{list:?}");
    let add = s.run(&["--data-dir", &dir, "org", "add", "--name", "Globex", "--owner-email", "carol@globex.test"]);
    assert_eq!(add.code, 0, "{add:?}");
    let ask = s.run(&["--data-dir", &dir, "context", "show"]);
    assert_eq!(ask.code, 2, "{ask:?}");
    assert!(
        ask.stderr.contains("2 organizations (Acme Cloud, Globex): choose one with --org or ISMS_ORG"),
        "{}",
        ask.stderr
    );
    let chosen = s.run_with(&["--data-dir", &dir, "--json", "context", "show"], &[("ISMS_ORG", "globex")]);
    assert_eq!(chosen.code, 0, "{chosen:?}");
    let flag = s.run_with(&["--data-dir", &dir, "context", "show", "--org", "Nope"], &[("ISMS_ORG", "globex")]);
    assert_eq!(flag.code, 2, "the flag wins over ISMS_ORG: {flag:?}");
    assert!(flag.stderr.contains("there is no organization \"Nope\""), "{}", flag.stderr);
}
