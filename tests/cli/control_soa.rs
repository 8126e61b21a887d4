//! `isms control ...` and `isms soa ...`: from a new organization to approved versions
//! and the exports an auditor receives.

use calamine::{Data, Reader, Xlsx};

use crate::support::Sandbox;

struct Org {
    s: Sandbox,
    dir: String,
}

impl Org {
    fn new() -> Self {
        let s = Sandbox::new();
        let dir = s.data_dir().to_str().unwrap().to_owned();
        let init = s.run(&[
            "--data-dir",
            &dir,
            "init",
            "--org",
            "Acme Cloud",
            "--admin-email",
            "ciso@acme.test",
            "--admin-name",
            "Casey Ciso",
        ]);
        assert_eq!(init.code, 0, "{init:?}");
        Self { s, dir }
    }

    fn run(&self, args: &[&str]) -> crate::support::Run {
        let mut all = vec!["--data-dir", &self.dir];
        all.extend_from_slice(args);
        self.s.run(&all)
    }

    fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "{args:?}: {run:?}");
        run.stdout
    }
}

#[test]
fn a_new_organization_has_93_controls_not_started_and_the_soa_cannot_be_approved_yet() {
    let org = Org::new();
    let list: serde_json::Value =
        serde_json::from_str(&org.ok(&["--json", "control", "list", "--org", "Acme Cloud"])).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 93);
    assert!(list.iter().all(|c| c["status"] == "not_started"));
    let validate = org.run(&["soa", "validate", "--org", "Acme Cloud"]);
    assert_eq!(validate.code, 1, "a check that says no exits 1: {validate:?}");
    assert_eq!(validate.stdout.lines().count(), 93);
    assert!(
        validate.stdout.starts_with("control A.5.1: an applicable control needs at least one reason for inclusion")
    );
    let approve = org.run(&["soa", "approve", "--org", "Acme Cloud", "--as", "ciso@acme.test"]);
    assert_eq!(approve.code, 2);
    assert!(approve.stderr.contains("the SoA cannot be approved: 93 problems"), "{}", approve.stderr);
    assert_eq!(
        org.ok(&["soa", "versions", "--org", "Acme Cloud"]).trim(),
        "No approved version yet: `isms soa validate`, then `isms soa approve`."
    );
}

#[test]
fn approving_editing_and_approving_again_gives_two_versions_whose_diff_is_the_edits() {
    let org = Org::new();
    org.ok(&["control", "set", "--all", "--org", "Acme Cloud", "--reasons", "business_practice"]);
    org.ok(&[
        "control",
        "set",
        "A.7.1",
        "A.7.2",
        "--org",
        "Acme Cloud",
        "--applicable",
        "no",
        "--justification",
        "Fully remote; no offices.",
    ]);
    assert!(org.ok(&["soa", "validate", "--org", "Acme Cloud"]).contains("nothing blocks it"));
    org.ok(&["soa", "approve", "--org", "Acme Cloud", "--as", "ciso@acme.test", "--comment", "Initial"]);
    let v1_csv = org.s.path().join("v1.csv");
    org.ok(&[
        "soa",
        "export",
        "--org",
        "Acme Cloud",
        "--version",
        "1",
        "--format",
        "csv",
        "-o",
        v1_csv.to_str().unwrap(),
    ]);
    let v1_before = std::fs::read(&v1_csv).unwrap();

    org.ok(&[
        "control",
        "set",
        "A.8.5",
        "--org",
        "Acme Cloud",
        "--status",
        "implemented",
        "--owner",
        "ciso@acme.test",
        "--as",
        "ciso@acme.test",
    ]);
    org.ok(&["control", "set", "A.5.7", "--org", "Acme Cloud", "--link", "risk:R-4"]);
    let approved = org.ok(&["soa", "approve", "--org", "Acme Cloud", "--as", "ciso@acme.test", "--comment", "Second"]);
    assert!(approved.starts_with("Approved SoA version 2"), "{approved}");

    let diff: serde_json::Value =
        serde_json::from_str(&org.ok(&["--json", "soa", "diff", "1", "2", "--org", "Acme Cloud"])).unwrap();
    let got: Vec<(String, String, String, String)> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let f = |k: &str| c[k].as_str().unwrap().to_owned();
            (f("control"), f("field"), f("before"), f("after"))
        })
        .collect();
    let want = [
        ("A.5.7", "reasons", "business_practice", "risk_treatment, business_practice"),
        ("A.5.7", "risks", "", "R-4"),
        ("A.8.5", "status", "not_started", "implemented"),
        ("A.8.5", "owner", "", "Casey Ciso"),
    ];
    assert_eq!(got, want.map(|(a, b, c, d)| (a.to_owned(), b.to_owned(), c.to_owned(), d.to_owned())));

    org.ok(&[
        "soa",
        "export",
        "--org",
        "Acme Cloud",
        "--version",
        "1",
        "--format",
        "csv",
        "-o",
        v1_csv.to_str().unwrap(),
    ]);
    assert!(std::fs::read(&v1_csv).unwrap() == v1_before, "version 1's export changed after later edits");
    let unchanged = org.run(&["soa", "approve", "--org", "Acme Cloud", "--as", "ciso@acme.test"]);
    assert_eq!(unchanged.code, 2);
    assert!(unchanged.stderr.contains("nothing changed since version 2"), "{}", unchanged.stderr);
}

#[test]
fn the_xlsx_export_opens_with_a_real_reader_and_the_csv_round_trips() {
    let org = Org::new();
    org.ok(&["control", "set", "--all", "--org", "Acme Cloud", "--reasons", "legal,contractual"]);
    org.ok(&[
        "control",
        "set",
        "7.4",
        "--org",
        "Acme Cloud",
        "--applicable",
        "no",
        "--justification",
        "Coworking space; the operator monitors the building.",
    ]);
    org.ok(&["soa", "approve", "--org", "Acme Cloud", "--as", "ciso@acme.test", "--comment", "For Stage 1"]);
    let xlsx = org.s.path().join("soa.xlsx");
    let said = org.ok(&["soa", "export", "--org", "Acme Cloud", "--format", "xlsx", "-o", xlsx.to_str().unwrap()]);
    assert!(said.contains("Version 1, approved by Casey Ciso"), "{said}");
    let mut book: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range("Statement of Applicability").unwrap();
    let cell = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(cell(0, 0), "Statement of Applicability — Acme Cloud");
    assert!(cell(1, 0).starts_with("Version 1, approved by Casey Ciso on "), "{}", cell(1, 0));
    let header: Vec<String> = (0..9).map(|c| cell(4, c)).collect();
    assert_eq!(
        header,
        [
            "Theme",
            "Control",
            "Title",
            "Applicable",
            "Reasons for inclusion",
            "Justification for exclusion",
            "Status",
            "Owner",
            "Linked risks"
        ]
    );
    assert_eq!(cell(4, 9), "Implementation", "the implementation statement is a column of the export");
    let data_rows = sheet.height() as u32 - 5;
    assert_eq!(data_rows, 93);
    let a74 = (5..5 + data_rows).find(|r| cell(*r, 1) == "A.7.4").unwrap();
    assert_eq!(cell(a74, 3), "No");
    assert_eq!(cell(a74, 5), "Coworking space; the operator monitors the building.");
    assert_eq!(cell(5, 4), "Legal/regulatory; Contractual");

    let csv = org.s.path().join("soa.csv");
    org.ok(&["soa", "export", "--org", "Acme Cloud", "--format", "csv", "-o", csv.to_str().unwrap()]);
    let rows = isms_reports_rows(&csv);
    let json: serde_json::Value =
        serde_json::from_str(&org.ok(&["--json", "soa", "show", "--org", "Acme Cloud", "--version", "1"])).unwrap();
    assert_eq!(serde_json::to_value(&rows).unwrap(), json["rows"], "the CSV reads back to exactly the approved rows");

    let md = org.ok(&["soa", "export", "--org", "Acme Cloud", "--format", "md", "-o", "-"]);
    assert!(md.starts_with("# Statement of Applicability — Acme Cloud\n"), "{md}");
    assert!(md.contains("93 controls, 92 applicable, 1 excluded"), "{md}");
}

fn isms_reports_rows(path: &std::path::Path) -> Vec<serde_json::Value> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().next_back(), Some("implementation"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            let list =
                |s: &str| s.split(';').filter(|x| !x.is_empty()).map(|x| serde_json::json!(x)).collect::<Vec<_>>();
            serde_json::json!({
                "theme": &r[0], "control": &r[1], "title": &r[2], "applicable": &r[3] == "yes",
                "reasons": list(&r[4]),
                "justification": if r[5].is_empty() { serde_json::Value::Null } else { serde_json::json!(&r[5]) },
                "status": &r[6],
                "owner": if r[7].is_empty() { serde_json::Value::Null } else { serde_json::json!(&r[7]) },
                "risks": list(&r[8]),
                "implementation": &r[12],
            })
        })
        .collect()
}

#[test]
fn controls_of_one_organization_are_invisible_to_another() {
    let org = Org::new();
    let other = org.run(&["control", "list", "--org", "Globex"]);
    assert_eq!(other.code, 2);
    assert!(other.stderr.contains("there is no organization \"Globex\""), "{}", other.stderr);
    let bad = org.run(&["control", "set", "A.9.1", "--org", "Acme Cloud", "--status", "planned"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("\"A.9.1\" is not an ISO/IEC 27001:2022 Annex A control"), "{}", bad.stderr);
    let viewer = org.run(&["soa", "approve", "--org", "Acme Cloud", "--as", "nobody@acme.test"]);
    assert!(viewer.stderr.contains("nobody@acme.test is not a member of this organization"), "{}", viewer.stderr);
}
