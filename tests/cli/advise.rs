//! `isms advise`: the questionnaire's answers recorded, the advice with its reasons,
//! and what changed when a fact changes.

use crate::support::Sandbox;

#[test]
fn the_advisor_names_the_binding_regimes_with_their_rules_and_shows_what_a_changed_fact_changes() {
    let s = Sandbox::new();
    s.init_org("Acme Health", "ciso@acme.test");
    let file = s.path().join("answers.toml");
    std::fs::write(
        &file,
        "sector = \"health-tech SaaS\"\nhandles_phi = true\ncertificate_demanded = true\nemployees = 200\nmaturity = \"defined\"\n",
    )
    .unwrap();
    let first = s.isms(&["advise", "--answers", file.to_str().unwrap()]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stdout.contains("Advice from answers ADV-001"), "{}", first.stdout);
    assert!(first.stdout.contains("mandatory  HIPAA Security Rule"), "{}", first.stdout);
    assert!(first.stdout.contains("because handles_phi = true"), "{}", first.stdout);
    assert!(first.stdout.contains("45 CFR Part 160 and Part 164"), "{}", first.stdout);
    assert!(first.stdout.contains("advised    ISO/IEC 27001 certification"), "{}", first.stdout);
    assert!(first.stdout.contains("Operative framework: iso27001-2022"), "{}", first.stdout);

    // The company starts serving EU patients and no customer demands a certificate any more.
    std::fs::write(
        &file,
        "sector = \"health-tech SaaS\"\nhandles_phi = true\neu_personal_data = true\nemployees = 200\nmaturity = \"defined\"\n",
    )
    .unwrap();
    let second = s.isms(&["advise", "--answers", file.to_str().unwrap()]);
    assert_eq!(second.code, 0, "{second:?}");
    assert!(second.stdout.contains("Advice from answers ADV-002"), "{}", second.stdout);
    assert!(second.stdout.contains("Changed since ADV-001: certificate_demanded true → false"), "{}", second.stdout);
    assert!(second.stdout.contains("Changed since ADV-001: eu_personal_data false → true"), "{}", second.stdout);
    assert!(second.stdout.contains("Advice changed: now binding: GDPR Article 32"), "{}", second.stdout);
    assert!(
        second.stdout.contains("Advice changed: ISO/IEC 27001 certification: advised → optional"),
        "{}",
        second.stdout
    );
    // Without a file: the latest answers' advice, as JSON for scripts.
    let json = s.isms(&["--json", "advise"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["record"]["id"], "ADV-002");
    assert_eq!(report["previous"], "ADV-001");
    // Accepting adopts the frameworks and records the parties and issues, once.
    let accept = s.isms(&["advise", "--accept"]);
    assert_eq!(accept.code, 0, "{accept:?}");
    assert!(
        accept.stdout.contains("frameworks adopted: hipaa-security, gdpr-art32, nist-csf-2.0"),
        "{}",
        accept.stdout
    );
    assert!(accept.stdout.contains("HHS Office for Civil Rights"), "{}", accept.stdout);
    assert!(accept.stdout.contains("EU data protection supervisory authorities"), "{}", accept.stdout);
    assert!(accept.stdout.contains("HIPAA Security Rule applies"), "{}", accept.stdout);
    let again = s.isms(&["advise", "--accept"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("frameworks adopted: none new"), "{}", again.stdout);
    assert!(again.stdout.contains("interested parties added (4.2): none new"), "{}", again.stdout);
    assert!(again.stdout.contains("external issues added (4.1): none new"), "{}", again.stdout);
    let parties = s.isms(&["--json", "context", "show"]);
    assert!(
        parties.stdout.contains("45 CFR Part 160"),
        "the regulator's requirement cites its source: {}",
        parties.stdout
    );
    // Every submission is in the trail.
    let trail = s.isms(&["--json", "audit-log", "show"]);
    assert!(trail.stdout.contains("advisor_answers"), "{}", trail.stdout);

    // A bad file is refused with its line, and nothing is recorded.
    std::fs::write(&file, "sector = \"x\"\nhandles_phi = \"yes\"\n").unwrap();
    let bad = s.isms(&["advise", "--answers", file.to_str().unwrap()]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("answers.toml, line 2"), "{}", bad.stderr);
    std::fs::write(&file, "sector = \"\"\n").unwrap();
    let empty = s.isms(&["advise", "--answers", file.to_str().unwrap()]);
    assert_eq!(empty.code, 2, "{empty:?}");
    assert!(empty.stderr.contains("sector"), "{}", empty.stderr);
    let json = s.isms(&["--json", "advise"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["record"]["id"], "ADV-002", "the refused answers were not recorded");
}
