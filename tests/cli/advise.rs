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

/// The payments demo organization is taken through the advisor: two versioned answer
/// sets, the second after it began serving EU merchants, each accepted; the API answers
/// the same and refuses a malformed questionnaire without storing it.
#[tokio::test]
async fn the_payments_demo_was_taken_through_the_advisor_and_the_api_answers_the_same() {
    const BLUEFIN: &str = "Bluefin Payments LLC";
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let advice = s.isms(&["advise", "--org", BLUEFIN]);
    assert_eq!(advice.code, 0, "{advice:?}");
    assert!(advice.stdout.contains("Advice from answers ADV-002 (marcus.chen@cedarridge.example"), "{}", advice.stdout);
    assert!(advice.stdout.contains("mandatory  GLBA Safeguards Rule"), "{}", advice.stdout);
    assert!(advice.stdout.contains("Changed since ADV-001: eu_personal_data false → true"), "{}", advice.stdout);
    assert!(
        advice.stdout.contains("Advice changed: ISO/IEC 27001 certification: not yet → advised"),
        "{}",
        advice.stdout
    );
    let in_use = s.isms(&["framework", "in-use", "--org", BLUEFIN]);
    assert_eq!(
        in_use.stdout.lines().collect::<Vec<_>>(),
        ["iso27001-2022", "gdpr-art32", "glba-safeguards", "nist-csf-2.0"]
    );
    let context = s.isms(&["context", "show", "--org", BLUEFIN]);
    assert!(context.stdout.contains("Federal Trade Commission"), "{}", context.stdout);
    assert!(context.stdout.contains("GDPR Article 32 security of processing applies"), "{}", context.stdout);

    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    // Ana owns Bluefin only: her session is there.
    let api = crate::support::ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let got = api.must(reqwest::Method::GET, "/api/v1/advisor", None, 200).await;
    assert_eq!(got["record"]["id"], "ADV-002");
    assert_eq!(got["advice"]["certification"]["verdict"], "advised");
    let (code, body) = api.post("/api/v1/advisor/answers", serde_json::json!({ "handles_phi": "maybe" })).await;
    assert_eq!(code.as_u16(), 422, "{body}");
    let (code, body) = api.post("/api/v1/advisor/answers", serde_json::json!({ "handles_pii": true })).await;
    assert_eq!(code.as_u16(), 422, "an unknown question is refused, not ignored: {body}");
    let still = api.must(reqwest::Method::GET, "/api/v1/advisor", None, 200).await;
    assert_eq!(still["record"]["id"], "ADV-002", "nothing stored");
    let third = api
        .must(
            reqwest::Method::POST,
            "/api/v1/advisor/answers",
            Some(
                serde_json::json!({ "sector": "payments", "ftc_financial_institution": true, "eu_personal_data": true,
                                     "certificate_demanded": true, "international": true, "handles_phi": true,
                                     "employees": 60, "maturity": "defined" }),
            ),
            201,
        )
        .await;
    assert_eq!(third["record"]["id"], "ADV-003");
    assert!(
        third["changed_advice"].as_array().unwrap().iter().any(|l| l == "now binding: HIPAA Security Rule"),
        "{third}"
    );
    let accepted = api.must(reqwest::Method::POST, "/api/v1/advisor/accept", None, 200).await;
    assert_eq!(accepted["adopted"], serde_json::json!(["hipaa-security"]));
    let again = api.must(reqwest::Method::POST, "/api/v1/advisor/accept", None, 200).await;
    assert_eq!(again["adopted"], serde_json::json!([]), "never twice");
    // The page shows the advice with its reasons.
    let html =
        api.http.get(server.url("/advisor")).header("cookie", &api.cookie).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("from answers ADV-003"), "{html}");
    assert!(html.contains("because handles_phi = true"), "{html}");
}
