//! PDF reports: every deliverable's text, read back with `pdftotext`, holds the rows it
//! must (all 93 controls of the SoA, every risk of the treatment plan, the audit's
//! checklist, the nonconformities, the review's actions, the readiness lines); pages
//! are rendered with `pdftoppm` into target/pdf-pages/product/ for people to look at;
//! the organization's logo goes on them; the same state gives the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::ingest::{ORG, OWNER, json as cli};
use crate::support::Sandbox;

fn tool(name: &str) -> Command {
    let found = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().unwrap();
    assert!(found.status.success(), "{name} is missing: install poppler-utils (apt-get install poppler-utils)");
    Command::new(name)
}

/// The text of a PDF, laid out as on the page.
fn text(pdf: &Path) -> String {
    let out = tool("pdftotext").arg("-layout").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext {}: {}", pdf.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Renders every page to PNG under target/pdf-pages/product/NAME; answers how many.
fn pages(pdf: &Path, name: &str) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/pdf-pages/product").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = tool("pdftoppm").args(["-r", "50", "-png"]).arg(pdf).arg(dir.join("page")).output().unwrap();
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
    std::fs::read_dir(&dir).unwrap().count()
}

#[test]
fn every_report_is_a_pdf_whose_text_holds_its_rows() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let out = s.path().join("pdf");
    std::fs::create_dir_all(&out).unwrap();
    let file = |name: &str| out.join(name).to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--org", ORG]);
        let r = s.isms(&all);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
    };

    // The SoA: all 93 controls, the version and who approved it, page numbers.
    run(&["soa", "export", "--format", "pdf", "-o", &file("soa.pdf")]);
    let soa = text(Path::new(&file("soa.pdf")));
    let rows = cli(&s, &["soa", "export", "--format", "json", "-o", "-"]);
    let controls: Vec<&str> = rows["rows"].as_array().unwrap().iter().map(|c| c["control"].as_str().unwrap()).collect();
    assert_eq!(controls.len(), 93);
    for c in &controls {
        assert!(soa.contains(c), "the SoA PDF lacks {c}");
    }
    assert!(soa.contains("Statement of Applicability") && soa.contains(ORG));
    assert!(soa.contains("Approved by"), "the approval block");
    let n = pages(Path::new(&file("soa.pdf")), "soa");
    assert!(n > 3, "{n} pages");
    assert!(soa.contains(&format!("Page {n} of {n}")), "page numbers");
    for page in 3..n {
        let out = tool("pdftotext")
            .args(["-layout", "-f", &page.to_string(), "-l", &page.to_string()])
            .arg(file("soa.pdf"))
            .arg("-")
            .output()
            .unwrap();
        let t = String::from_utf8(out.stdout).unwrap();
        assert!(t.contains("Title") && t.contains("Implementation"), "page {page} repeats the table's header: {t}");
    }

    // The risk treatment plan: every risk with an action.
    run(&["risk", "export", "--what", "plan", "--format", "pdf", "-o", &file("plan.pdf")]);
    let plan = text(Path::new(&file("plan.pdf")));
    let csv = s.isms(&["risk", "export", "--what", "plan", "--format", "csv", "-o", "-", "--org", ORG]).stdout;
    let mut with_actions = 0;
    for id in csv.lines().filter_map(|l| l.split(',').nth(1)).filter(|id| id.starts_with("RSK-")) {
        with_actions += 1;
        assert!(plan.contains(id), "the plan lacks {id}");
    }
    assert!(with_actions > 0, "the demo plans treatment actions");
    pages(Path::new(&file("plan.pdf")), "risk-treatment-plan");

    // The audit report: its checklist lines and its findings.
    run(&["audit", "report", "AUD-003", "--format", "pdf", "-o", &file("audit.pdf")]);
    let report = text(Path::new(&file("audit.pdf")));
    let audit = cli(&s, &["audit", "show", "AUD-003"]);
    for line in audit["audit"]["checklist"].as_array().unwrap_or_else(|| audit["checklist"].as_array().unwrap()) {
        let r = line["reference"].as_str().unwrap();
        assert!(report.contains(r), "the audit report lacks {r}");
    }
    pages(Path::new(&file("audit.pdf")), "audit-report");

    // The nonconformity register: every finding.
    run(&["finding", "register", "--format", "pdf", "-o", &file("register.pdf")]);
    let register = text(Path::new(&file("register.pdf")));
    let findings = cli(&s, &["finding", "list"]);
    for f in findings.as_array().unwrap() {
        let id = f["id"].as_str().or_else(|| f["finding"]["id"].as_str()).unwrap();
        assert!(register.contains(id), "the register lacks {id}");
    }
    pages(Path::new(&file("register.pdf")), "nonconformity-register");

    // Management review minutes: the attendees, the decisions and every action.
    let reviews = cli(&s, &["management-review", "list"]);
    let review = &reviews.as_array().unwrap()[0];
    let id = review["id"].as_str().unwrap();
    run(&["management-review", "minutes", id, "-o", &file("minutes.pdf")]);
    let minutes = text(Path::new(&file("minutes.pdf")));
    for a in review["actions"].as_array().unwrap() {
        let title: String = a["title"].as_str().unwrap().chars().take(20).collect();
        assert!(minutes.contains(&title), "the minutes lack {title}");
    }
    assert!(minutes.contains("Management review minutes"));
    pages(Path::new(&file("minutes.pdf")), "management-review-minutes");

    // The readiness report: its clause lines.
    let r = s.isms(&["readiness", "-o", &file("readiness.pdf"), "--org", ORG]);
    assert!(r.code == 0 || r.code == 1, "{r:?}");
    let readiness = text(Path::new(&file("readiness.pdf")));
    for clause in ["Clause 4", "Clause 10"] {
        assert!(readiness.contains(clause), "the readiness report lacks {clause}");
    }
    pages(Path::new(&file("readiness.pdf")), "readiness");

    // The same state, the same bytes.
    run(&["soa", "export", "--format", "pdf", "-o", &file("soa-again.pdf")]);
    assert!(std::fs::read(file("soa.pdf")).unwrap() == std::fs::read(file("soa-again.pdf")).unwrap());

    // The organization's logo goes on its deliverables; what is not an image is refused.
    let logo = out.join("logo.svg");
    std::fs::write(&logo, super::role_matrix::LOGO).unwrap();
    let set = cli(&s, &["org", "logo", logo.to_str().unwrap(), "--as", OWNER]);
    assert_eq!(set["logo_media_type"], "image/svg+xml");
    run(&["soa", "export", "--format", "pdf", "-o", &file("soa-logo.pdf")]);
    assert!(std::fs::read(file("soa.pdf")).unwrap() != std::fs::read(file("soa-logo.pdf")).unwrap());
    pages(Path::new(&file("soa-logo.pdf")), "soa-with-logo");
    let bad = out.join("logo.txt");
    std::fs::write(&bad, "not an image").unwrap();
    let refused = s.isms(&["org", "logo", bad.to_str().unwrap(), "--as", OWNER, "--org", ORG]);
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("not a PNG, JPEG or SVG image"), "{}", refused.stderr);
    let refused =
        s.isms(&["org", "logo", logo.to_str().unwrap(), "--as", "priya.raman@cedarridge.example", "--org", ORG]);
    assert_ne!(refused.code, 0, "a control owner does not brand the organization's reports");
    let _: Option<Value> = None;
}
