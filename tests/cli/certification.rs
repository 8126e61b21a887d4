//! Audits and the certification lifecycle end to end: an open major nonconformity
//! blocks Stage 2 readiness and the certification decision until its corrective
//! action is verified; the roles of every audit endpoint; the iCalendar feed parsed by
//! a real parser and following a change of dates; the CLI's audit, finding,
//! management-review, certificate, readiness, calendar and changes commands.

use std::io::BufReader;

use reqwest::{Method as M, StatusCode};
use serde_json::{Value, json};

use crate::support::{ApiClient as Client, Sandbox, http, shown_password};

/// Where the server is, and a plain client for requests without a session.
struct Api {
    client: reqwest::Client,
    base: String,
}

fn blocker_rules(readiness: &Value) -> Vec<String> {
    readiness["blockers"].as_array().unwrap().iter().map(|b| b["rule"].as_str().unwrap().to_owned()).collect()
}

fn events(ics: &str) -> Vec<(String, String, String)> {
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_bytes()));
    let calendar = parser.next().expect("one calendar").expect("the feed parses");
    assert!(parser.next().is_none());
    calendar
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties.iter().find(|p| p.name == name).and_then(|p| p.value.clone()).unwrap_or_default()
            };
            (prop("UID"), prop("DTSTART"), prop("SUMMARY"))
        })
        .collect()
}

#[tokio::test]
async fn an_internal_audits_major_is_a_warning_acted_on_and_verified_before_the_certificate() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    let owner_pw = shown_password(&run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout);
    let mut pw = std::collections::HashMap::new();
    for role in ["isms_manager", "control_owner", "contributor", "auditor", "viewer"] {
        let email = format!("{role}@acme.test");
        pw.insert(role, s.join(&d, "Acme", &email, role));
    }
    assert_eq!(run(&["control", "set", "A.8.13", "--org", "Acme", "--owner", "control_owner@acme.test"]).code, 0);
    let server = s.serve(&["--data-dir", &d], &[]);
    let api = Api { client: http(), base: server.url("").trim_end_matches('/').to_owned() };
    let owner = Client::sign_in(&api.base, "owner@acme.test", &owner_pw).await;
    let mut who = std::collections::HashMap::new();
    for (role, p) in &pw {
        who.insert(*role, Client::sign_in(&api.base, &format!("{role}@acme.test"), p).await);
    }

    // Only owners and ISMS managers plan audits; the answer warns about independence.
    let plan = json!({ "kind": "internal", "auditor": "control_owner@acme.test", "start": "2026-10-01", "end": "2026-10-02", "controls": ["A.8.13", "5.15"] });
    for role in ["control_owner", "contributor", "auditor", "viewer"] {
        who[role].must(M::POST, "/api/v1/audits", Some(plan.clone()), 403).await;
    }
    let mut far = plan.clone();
    far["start"] = json!("9999-12-31");
    let problem = who["isms_manager"].must(M::POST, "/api/v1/audits", Some(far), 422).await;
    assert!(problem.to_string().contains("between 1900 and 2200"), "{problem}");
    let planned = who["isms_manager"].must(M::POST, "/api/v1/audits", Some(plan), 201).await;
    let audit = planned["audit"]["id"].as_str().unwrap().to_owned();
    let lines = planned["audit"]["checklist"].as_array().unwrap();
    assert!(lines.iter().any(|l| l["reference"] == "9.2.1") && lines.iter().any(|l| l["reference"] == "A.5.15"));
    assert!(!lines.iter().any(|l| l["reference"] == "6.1"), "parents of sub-clauses are not lines of their own");
    let warnings = planned["warnings"].as_array().unwrap();
    assert!(warnings.iter().any(|w| w.as_str().unwrap().contains("A.8.13")), "the auditor owns A.8.13: {warnings:?}");

    // Auditors record results and raise findings; viewers and contributors do not.
    let line = format!("/api/v1/audits/{audit}/checklist/9.2.1");
    who["viewer"].must(M::PUT, &line, Some(json!({ "result": "conforming" })), 403).await;
    who["contributor"].must(M::PUT, &line, Some(json!({ "result": "conforming" })), 403).await;
    let a = who["auditor"]
        .must(M::PUT, &line, Some(json!({ "result": "conforming", "notes": "programme seen" })), 200)
        .await;
    assert_eq!(a["status"], "in_progress");
    let major = json!({ "audit": audit, "grade": "major", "requirement": "a.8.13", "description": "No backups of the billing database", "owner": "control_owner@acme.test" });
    who["contributor"].must(M::POST, "/api/v1/findings", Some(major.clone()), 403).await;
    let finding = who["auditor"].must(M::POST, "/api/v1/findings", Some(major), 201).await;
    let fid = finding["id"].as_str().unwrap().to_owned();
    assert_eq!(finding["requirement"], "A.8.13");
    assert!(finding["due"].is_string(), "a major nonconformity gets the default deadline: {finding}");
    let a = owner.must(M::GET, &format!("/api/v1/audits/{audit}"), None, 200).await;
    let backup =
        a["audit"]["checklist"].as_array().unwrap().iter().find(|l| l["reference"] == "A.8.13").unwrap().clone();
    assert_eq!(backup["result"], "finding", "raising the finding marks its line");
    // Completing needs every line decided.
    let (status, problem) = who["auditor"]
        .send(M::POST, &format!("/api/v1/audits/{audit}/completion"), Some(&json!({ "conclusion": "done" })))
        .await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("checklist_open")), "{problem}");

    // An internal audit's open major is a readiness warning to act on; it is the
    // certification body's majors that block (tests below).
    let r = who["viewer"].must(M::GET, "/api/v1/readiness?stage=2", None, 200).await;
    assert!(!blocker_rules(&r).contains(&"no_open_majors".to_owned()), "{r}");
    let warned = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["rule"] == "no_open_majors" && w["message"].as_str().unwrap().contains("from internal audits"));
    assert!(warned, "{r}");
    assert_eq!(r["ready"], false);
    let cert =
        json!({ "number": "IS 1", "certification_body": "Registrar", "issued": "2026-03-15", "scope": "All of Acme" });
    let cli = run(&["--json", "readiness", "--org", "Acme", "--stage", "2"]);
    assert_eq!(cli.code, 1, "blocked readiness exits 1: {cli:?}");
    assert!(cli.stdout.contains("no_open_majors"), "{}", cli.stdout);

    // Corrective action: the owner of the action plans and implements; an auditor verifies.
    let ca = json!({ "correction": "Backed up now", "root_cause": "No owner", "action": "Nightly backup job with alerting", "owner": "control_owner@acme.test" });
    who["viewer"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(ca.clone()), 403).await;
    let handed_on = json!({ "correction": "x", "root_cause": "x", "action": "x", "owner": "viewer@acme.test" });
    who["control_owner"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(handed_on), 403).await;
    who["control_owner"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(ca.clone()), 200).await;
    // The people doing the work cannot push the deadline out; the ISMS manager can.
    let mut later = ca.clone();
    later["due"] = json!("2030-01-01");
    who["control_owner"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(later.clone()), 403).await;
    let moved = who["isms_manager"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(later), 200).await;
    assert_eq!(moved["due"], "2030-01-01");
    let mut early = ca.clone();
    early["due"] = json!("2000-01-01");
    who["isms_manager"].must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(early), 422).await;
    who["control_owner"]
        .must(M::POST, &format!("/api/v1/findings/{fid}/verification"), Some(json!({ "note": "mine" })), 403)
        .await;
    let (status, _) = who["auditor"]
        .send(M::POST, &format!("/api/v1/findings/{fid}/verification"), Some(&json!({ "note": "too early" })))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "verification waits for the action");
    who["control_owner"].must(M::POST, &format!("/api/v1/findings/{fid}/implemented"), None, 200).await;
    let closed = who["auditor"]
        .must(
            M::POST,
            &format!("/api/v1/findings/{fid}/verification"),
            Some(json!({ "note": "Restore test passed" })),
            200,
        )
        .await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["verification"]["by"], "auditor@acme.test");

    let r = owner.must(M::GET, "/api/v1/readiness?stage=2", None, 200).await;
    assert!(!r.to_string().contains("from internal audits"), "the warning is cleared: {r}");
    who["contributor"].must(M::POST, "/api/v1/certificates", Some(cert.clone()), 403).await;
    // The decision follows a held Stage 1 and Stage 2.
    let refused = owner.must(M::POST, "/api/v1/certificates", Some(cert.clone()), 409).await;
    assert_eq!(refused["code"], "certification_audit_missing", "{refused}");
    crate::support::held_audit(&owner, "stage1", "2026-01-12", "2026-01-13").await;
    crate::support::held_audit(&owner, "stage2", "2026-03-02", "2026-03-05").await;
    let c = owner.must(M::POST, "/api/v1/certificates", Some(cert), 201).await;
    assert_eq!(c["cycle"]["surveillance_1_due"], "2027-03-15");
    assert_eq!(c["cycle"]["surveillance_2_due"], "2028-03-15");
    assert_eq!(c["cycle"]["expiry"], "2029-03-14");
    let cid = c["certificate"]["id"].as_str().unwrap().to_owned();
    let suspended =
        owner.must(M::PATCH, &format!("/api/v1/certificates/{cid}"), Some(json!({ "status": "suspended" })), 200).await;
    assert_eq!(suspended["certificate"]["status"], "suspended");
    let r = owner.must(M::GET, "/api/v1/readiness?stage=surveillance", None, 200).await;
    assert!(blocker_rules(&r).contains(&"certificate_valid".to_owned()), "{r}");

    // Management reviews: owners and ISMS managers record them; missing inputs are named.
    let review = json!({ "held_on": "2026-10-10", "attendees": ["ceo@acme.test"], "inputs": [{ "topic": "audits", "notes": "One major, closed." }], "decisions": ["Hire a backup engineer"], "actions": [{ "title": "Hire", "owner": "owner@acme.test", "due": "2027-01-31" }] });
    who["auditor"].must(M::POST, "/api/v1/management-reviews", Some(review.clone()), 403).await;
    let saved = who["isms_manager"].must(M::POST, "/api/v1/management-reviews", Some(review), 201).await;
    assert_eq!(saved["inputs_not_covered"].as_array().unwrap().len(), 9, "{saved}");
    let mrv = saved["review"]["id"].as_str().unwrap().to_owned();
    who["viewer"]
        .must(M::PUT, &format!("/api/v1/management-reviews/{mrv}/actions/1"), Some(json!({ "done": true })), 403)
        .await;
    let r = owner
        .must(M::PUT, &format!("/api/v1/management-reviews/{mrv}/actions/1"), Some(json!({ "done": true })), 200)
        .await;
    assert_eq!(r["actions"][0]["done"], true);
    owner
        .must(M::PUT, &format!("/api/v1/management-reviews/{mrv}/actions/2"), Some(json!({ "done": true })), 404)
        .await;
    let briefing = who["viewer"].must(M::GET, "/api/v1/management-reviews/briefing", None, 200).await;
    assert_eq!(briefing["items"].as_array().unwrap().len(), 10);

    // Complete the audit, copy it to next year, read the report and the register.
    for l in a["audit"]["checklist"].as_array().unwrap() {
        let reference = l["reference"].as_str().unwrap();
        if l["result"] == "open" && reference != "9.2.1" {
            who["auditor"]
                .must(
                    M::PUT,
                    &format!("/api/v1/audits/{audit}/checklist/{reference}"),
                    Some(json!({ "result": "conforming" })),
                    200,
                )
                .await;
        }
    }
    let done = who["auditor"]
        .must(
            M::POST,
            &format!("/api/v1/audits/{audit}/completion"),
            Some(json!({ "conclusion": "One major nonconformity, now closed." })),
            200,
        )
        .await;
    assert_eq!(done["status"], "completed");
    who["auditor"].must(M::PUT, &line, Some(json!({ "result": "finding" })), 409).await;
    let next =
        owner.must(M::POST, &format!("/api/v1/audits/{audit}/copy"), Some(json!({ "start": "2027-10-01" })), 201).await;
    assert_eq!(next["audit"]["copied_from"], audit.as_str());
    assert!(next["audit"]["checklist"].as_array().unwrap().iter().all(|l| l["result"] == "open"));
    let report = api
        .client
        .get(format!("{}/api/v1/audits/{audit}/report?format=md", api.base))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    let text = report.text().await.unwrap();
    assert!(text.contains("One major nonconformity, now closed.") && text.contains(&fid), "{text}");
    let register = api
        .client
        .get(format!("{}/api/v1/findings/register?format=xlsx", api.base))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    assert!(register.bytes().await.unwrap().starts_with(b"PK"));
    let programme = who["viewer"].must(M::GET, "/api/v1/audits/programme", None, 200).await;
    assert!(programme["uncovered_controls"].as_array().unwrap().iter().all(|c| c != "A.8.13"));

    // Moving, copying, settings and certificate status: owners and ISMS managers only.
    let next_id = next["audit"]["id"].as_str().unwrap().to_owned();
    for role in ["control_owner", "contributor", "auditor", "viewer"] {
        let w = &who[role];
        w.must(M::PATCH, &format!("/api/v1/audits/{next_id}"), Some(json!({ "start": "2027-10-05" })), 403).await;
        w.must(M::POST, &format!("/api/v1/audits/{audit}/copy"), Some(json!({ "start": "2028-10-01" })), 403).await;
        w.must(M::PUT, "/api/v1/audit-settings", Some(json!({ "minor_due_days": 60 })), 403).await;
        w.must(M::PATCH, &format!("/api/v1/certificates/{cid}"), Some(json!({ "status": "active" })), 403).await;
    }
    let moved = who["isms_manager"]
        .must(
            M::PATCH,
            &format!("/api/v1/audits/{next_id}"),
            Some(json!({ "start": "2027-10-05", "end": "2027-10-06" })),
            200,
        )
        .await;
    assert_eq!(moved["start"], "2027-10-05");
    let settings =
        who["isms_manager"].must(M::PUT, "/api/v1/audit-settings", Some(json!({ "minor_due_days": 60 })), 200).await;
    assert_eq!((settings["minor_due_days"].as_u64(), settings["major_due_days"].as_u64()), (Some(60), Some(30)));
    owner.must(M::PUT, "/api/v1/audit-settings", Some(json!({ "minor_due_days": 0 })), 422).await;

    // Another organization sees none of it.
    let other = run(&["org", "add", "--name", "Other", "--owner-email", "owner@acme.test"]);
    assert_eq!(other.code, 0, "a second organization");
    assert_eq!(s.accept(&d, &other.stdout, &owner_pw).code, 0, "the owner joins it with their own password");
    let orgs = owner.must(M::GET, "/api/v1/session/organizations", None, 200).await;
    let other = orgs["items"].as_array().unwrap().iter().find(|o| o["organization"]["name"] == "Other").unwrap()["organization"]["id"].as_str().unwrap().to_owned();
    owner.must(M::PUT, "/api/v1/session/organization", Some(json!({ "organization": other })), 200).await;
    owner.must(M::GET, &format!("/api/v1/audits/{audit}"), None, 404).await;
    owner.must(M::GET, &format!("/api/v1/findings/{fid}"), None, 404).await;

    // Every change is in the trail, and it verifies.
    let trail = run(&["audit-log", "verify"]);
    assert_eq!(trail.code, 0, "{trail:?}");
}

/// The certification body's rules through the API: a major's deadline runs from the
/// audit's last day and is capped at six months; its open major keeps a certificate
/// from being recorded — or made active again after a suspension; a recertification
/// decided early keeps the previous cycle's dates, and a restoration shows the days
/// without certification.
#[tokio::test]
async fn certification_rules_hold_through_the_api_and_cannot_be_bypassed() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let password = s.init_org("Acme", "owner@acme.test");
    let server = s.serve(&["--data-dir", &d], &[]);
    let owner = Client::sign_in(server.url("").trim_end_matches('/'), "owner@acme.test", &password).await;
    let stage2 = json!({ "kind": "stage2", "auditor": "lead@registrar.example", "certification_body": "Registrar", "start": "2026-03-02", "end": "2026-03-05", "controls": ["A.8.13"] });
    let audit =
        owner.must(M::POST, "/api/v1/audits", Some(stage2), 201).await["audit"]["id"].as_str().unwrap().to_owned();
    let major = |due: Option<&str>| {
        let mut f =
            json!({ "audit": audit, "grade": "major", "requirement": "A.8.13", "description": "No restore tests" });
        if let Some(d) = due {
            f["due"] = json!(d);
        }
        f
    };
    // The certification body may give up to six months from the audit's last day.
    let problem = owner.must(M::POST, "/api/v1/findings", Some(major(Some("2026-09-06"))), 422).await;
    assert!(problem.to_string().contains("by 2026-09-05"), "{problem}");
    let f = owner.must(M::POST, "/api/v1/findings", Some(major(None)), 201).await;
    assert_eq!(f["due"], "2026-04-04", "30 days (the default) from the audit's last day, not from today: {f}");
    let fid = f["id"].as_str().unwrap().to_owned();
    let moved =
        json!({ "correction": "x", "root_cause": "x", "action": "x", "owner": "owner@acme.test", "due": "2026-12-01" });
    owner.must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(moved), 422).await;

    // An open major from the certification body: no certificate.
    let cert = |issued: &str| json!({ "number": "IS 7", "certification_body": "Registrar", "issued": issued, "scope": "All of Acme" });
    let refused = owner.must(M::POST, "/api/v1/certificates", Some(cert("2026-03-15")), 409).await;
    assert_eq!(refused["code"], "open_major_nonconformity", "{refused}");
    let close = |fid: String| {
        let owner = &owner;
        async move {
            let plan = json!({ "correction": "Restored", "root_cause": "No schedule", "action": "Quarterly restore test", "owner": "owner@acme.test" });
            owner.must(M::POST, &format!("/api/v1/findings/{fid}/plan"), Some(plan), 200).await;
            owner.must(M::POST, &format!("/api/v1/findings/{fid}/implemented"), None, 200).await;
            owner
                .must(M::POST, &format!("/api/v1/findings/{fid}/verification"), Some(json!({ "note": "seen" })), 200)
                .await;
        }
    };
    close(fid).await;
    // A minor one needs an action plan before the decision.
    let minor =
        json!({ "audit": audit, "grade": "minor", "requirement": "A.5.15", "description": "Two stale accounts" });
    let minor = owner.must(M::POST, "/api/v1/findings", Some(minor), 201).await["id"].as_str().unwrap().to_owned();
    let refused = owner.must(M::POST, "/api/v1/certificates", Some(cert("2026-03-15")), 409).await;
    assert_eq!(refused["code"], "minor_without_action_plan", "{refused}");
    let r = owner.must(M::GET, "/api/v1/readiness?stage=2", None, 200).await;
    assert!(r["blockers"].to_string().contains("without an action plan"), "{r}");
    let plan = json!({ "correction": "Disabled", "root_cause": "No leaver check", "action": "Monthly access review", "owner": "owner@acme.test" });
    owner.must(M::POST, &format!("/api/v1/findings/{minor}/plan"), Some(plan), 200).await;
    // Stage 2 is not completed yet, and cannot be without a Stage 1 before it.
    let refused = owner.must(M::POST, "/api/v1/certificates", Some(cert("2026-03-15")), 409).await;
    assert_eq!(refused["code"], "certification_audit_missing", "{refused}");
    assert!(refused["detail"].as_str().unwrap().contains("needs a completed Stage 2"), "{refused}");
    let a = owner.must(M::GET, &format!("/api/v1/audits/{audit}"), None, 200).await;
    for line in a["audit"]["checklist"].as_array().unwrap().iter().filter(|l| l["result"] == "open") {
        let path = format!("/api/v1/audits/{audit}/checklist/{}", line["reference"].as_str().unwrap());
        owner.must(M::PUT, &path, Some(json!({ "result": "conforming" })), 200).await;
    }
    let done = json!({ "conclusion": "Recommended after the majors are closed" });
    let refused = owner.must(M::POST, &format!("/api/v1/audits/{audit}/completion"), Some(done.clone()), 409).await;
    assert!(refused["detail"].as_str().unwrap().contains("needs a completed Stage 1"), "{refused}");
    crate::support::held_audit(&owner, "stage1", "2026-01-12", "2026-01-13").await;
    owner.must(M::POST, &format!("/api/v1/audits/{audit}/completion"), Some(done), 200).await;
    let c = owner.must(M::POST, "/api/v1/certificates", Some(cert("2026-03-15")), 201).await;
    assert_eq!(c["cycle"]["expiry"], "2029-03-14");
    assert!(c["certificate"]["continues"].is_null() && c["without_certification"].is_null());
    let cid = c["certificate"]["id"].as_str().unwrap().to_owned();

    // Suspended over a new major, it cannot be made active again until that is closed.
    let surveillance = json!({ "kind": "surveillance1", "auditor": "lead@registrar.example", "certification_body": "Registrar", "start": "2027-02-01", "end": "2027-02-02", "controls": ["A.8.13"] });
    let s1 = owner.must(M::POST, "/api/v1/audits", Some(surveillance), 201).await["audit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let again =
        json!({ "audit": s1, "grade": "major", "requirement": "A.8.13", "description": "Restore tests stopped" });
    let f2 = owner.must(M::POST, "/api/v1/findings", Some(again), 201).await["id"].as_str().unwrap().to_owned();
    owner.must(M::PATCH, &format!("/api/v1/certificates/{cid}"), Some(json!({ "status": "suspended" })), 200).await;
    let bypass =
        owner.must(M::PATCH, &format!("/api/v1/certificates/{cid}"), Some(json!({ "status": "active" })), 409).await;
    assert_eq!(bypass["code"], "open_major_nonconformity", "{bypass}");
    close(f2).await;
    owner.must(M::PATCH, &format!("/api/v1/certificates/{cid}"), Some(json!({ "status": "active" })), 200).await;

    // Recertified early: the new certificate runs three years from the old expiry —
    // once the recertification audit is held.
    let refused = owner.must(M::POST, "/api/v1/certificates", Some(cert("2029-01-20")), 409).await;
    assert!(refused["detail"].as_str().unwrap().contains("recertification audit"), "{refused}");
    crate::support::held_audit(&owner, "recertification", "2028-12-01", "2028-12-03").await;
    let renewed = owner.must(M::POST, "/api/v1/certificates", Some(cert("2029-01-20")), 201).await;
    assert_eq!(renewed["certificate"]["continues"], "2029-03-14", "{renewed}");
    assert_eq!(renewed["cycle"]["expiry"], "2032-03-14", "{renewed}");
    assert!(renewed["without_certification"].is_null());
    // Restored three months after that expiry: the cycle it continues, and the gap.
    crate::support::held_audit(&owner, "recertification", "2032-05-10", "2032-05-12").await;
    let restored = owner.must(M::POST, "/api/v1/certificates", Some(cert("2032-06-10")), 201).await;
    assert_eq!(restored["cycle"]["expiry"], "2035-03-14", "{restored}");
    assert_eq!(restored["without_certification"], json!({ "from": "2032-03-15", "to": "2032-06-09" }));
    let (_, page) = owner.get("/certification").await;
    let page = page.as_str().unwrap().to_owned();
    assert!(page.contains("continues the cycle of the certificate that expired on 2032-03-14"), "{page}");
    assert!(page.contains(r#"<strong id="cert-gap">Without certification from 2032-03-15 to 2032-06-09.</strong>"#));
    let (_, ics) = owner.get("/api/v1/calendar.ics").await;
    assert!(ics.as_str().unwrap().contains("20350314"), "the calendar follows the continued cycle's expiry");
    // Two years later: a certification of its own, after a new Stage 1 and Stage 2.
    crate::support::held_audit(&owner, "stage1", "2037-04-01", "2037-04-02").await;
    crate::support::held_audit(&owner, "stage2", "2037-05-10", "2037-05-12").await;
    let fresh = owner.must(M::POST, "/api/v1/certificates", Some(cert("2037-06-10")), 201).await;
    assert!(fresh["certificate"]["continues"].is_null(), "{fresh}");
    assert_eq!(fresh["cycle"]["expiry"], "2040-06-09");
    let trail = owner.must(M::GET, "/api/v1/audit-log?entity=certificate", None, 200).await;
    assert!(
        trail["items"].as_array().unwrap().len() >= 6,
        "every recording and status change is in the trail: {trail}"
    );
}

#[tokio::test]
async fn the_calendar_feed_parses_and_follows_changed_dates() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    let owner_pw = shown_password(&run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout);
    let planned = run(&[
        "--json",
        "audit",
        "plan",
        "--org",
        "Acme",
        "--auditor",
        "auditor@external.example",
        "--start",
        "2027-02-01",
        "--end",
        "2027-02-03",
        "--sample",
        "3",
    ]);
    assert_eq!(planned.code, 0, "{planned:?}");
    let in_acme = |args: &[&str]| run(&[args, &["--org", "Acme"]].concat());
    crate::support::held_audit_cli(&in_acme, "stage1", "2028-01-10", "2028-01-11");
    crate::support::held_audit_cli(&in_acme, "stage2", "2028-02-14", "2028-02-16");
    assert_eq!(
        run(&[
            "certificate",
            "add",
            "--org",
            "Acme",
            "--number",
            "IS 9",
            "--body",
            "Registrar",
            "--issued",
            "2028-02-29",
            "--scope",
            "All"
        ])
        .code,
        0
    );
    let server = s.serve(&["--data-dir", &d], &[]);
    let api = Api { client: http(), base: server.url("").trim_end_matches('/').to_owned() };
    let owner = Client::sign_in(&api.base, "owner@acme.test", &owner_pw).await;
    let token = owner.must(M::POST, "/api/v1/calendar/tokens", Some(json!({ "name": "my calendar" })), 201).await;
    let url = token["url"].as_str().unwrap().to_owned();
    let secret = url.rsplit("token=").next().unwrap().to_owned();
    assert!(url.ends_with(&format!("/api/v1/calendar.ics?token={secret}")), "{url}");

    // A calendar application subscribes with the token in the address (no cookie).
    let fetch = || async {
        let r = api.client.get(format!("{}/api/v1/calendar.ics?token={secret}", api.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        r.text().await.unwrap()
    };
    let before = events(&fetch().await);
    let audit = before.iter().find(|e| e.0.contains("audit-AUD-001")).expect("the audit is in the feed").clone();
    assert_eq!(audit.1, "20270201");
    let find = |list: &[(String, String, String)], what: &str| {
        list.iter().find(|e| e.2.starts_with(what)).map(|e| e.1.clone())
    };
    assert_eq!(find(&before, "Surveillance audit 1 due").as_deref(), Some("20290228"), "a leap-day certificate");
    assert_eq!(find(&before, "Certificate expires").as_deref(), Some("20310227"));

    owner
        .must(M::PATCH, "/api/v1/audits/AUD-001", Some(json!({ "start": "2027-03-08", "end": "2027-03-09" })), 200)
        .await;
    let after = events(&fetch().await);
    let moved = after.iter().find(|e| e.0 == audit.0).expect("the same event, by its UID");
    assert_eq!(moved.1, "20270308", "the feed follows the new dates");
    assert_eq!(after.len(), before.len());

    // An API token — even a read-only one — is refused in an address.
    let full = owner
        .must(
            M::POST,
            "/api/v1/tokens",
            Some(json!({ "name": "too strong", "role": "owner", "expires_in_days": 1 })),
            201,
        )
        .await;
    let r = api
        .client
        .get(format!("{}/api/v1/calendar.ics?token={}", api.base, full["secret"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // Without credentials, or with a bad token, nothing.
    let r = api.client.get(format!("{}/api/v1/calendar.ics", api.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = api.client.get(format!("{}/api/v1/calendar.ics?token=isms_nope", api.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    // The CLI writes the same feed.
    let file = s.data_dir().parent().unwrap().join("isms.ics");
    assert_eq!(run(&["calendar", "--org", "Acme", "-o", file.to_str().unwrap()]).code, 0);
    let written = events(&std::fs::read_to_string(&file).unwrap());
    assert_eq!(written.len(), after.len());
}

#[test]
fn the_command_line_runs_an_audit_cycle() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).code, 0);
    let plan = run(&[
        "audit",
        "plan",
        "--org",
        "Acme",
        "--auditor",
        "ia@acme.test",
        "--start",
        "2026-09-01",
        "--control",
        "A.8.13",
    ]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let bad = run(&["audit", "result", "AUD-001", "--org", "Acme", "9.2", "excellent"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("conforming, finding"), "{}", bad.stderr);
    let early = run(&["audit", "complete", "AUD-001", "--org", "Acme", "--conclusion", "fine"]);
    assert_ne!(early.code, 0, "open lines: {early:?}");
    assert!(early.stderr.contains("still open"), "{}", early.stderr);
    let minor = run(&[
        "finding",
        "add",
        "--org",
        "Acme",
        "--audit",
        "AUD-001",
        "--grade",
        "minor",
        "--requirement",
        "8.13",
        "--description",
        "No restore test",
        "--due",
        "2026-10-01",
    ]);
    assert_eq!(minor.code, 0, "{minor:?}");
    let report = s.data_dir().parent().unwrap().join("register.xlsx");
    assert_eq!(
        run(&["finding", "register", "--org", "Acme", "--format", "xlsx", "-o", report.to_str().unwrap()]).code,
        0
    );
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&report).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "FND-001") && cells.iter().any(|c| c.contains("overdue")), "{cells:?}");
    let review = run(&[
        "management-review",
        "add",
        "--org",
        "Acme",
        "--held-on",
        "2026-09-10",
        "--attendee",
        "ceo@acme.test",
        "--briefing",
        "--decision",
        "Keep going",
        "--action",
        "Restore test|owner@acme.test|2026-12-01",
    ]);
    assert_eq!(review.code, 0, "{review:?}");
    assert!(!review.stdout.contains("warning"), "the briefing fills every input: {}", review.stdout);
    let bad_action = run(&[
        "management-review",
        "add",
        "--org",
        "Acme",
        "--held-on",
        "2026-09-10",
        "--attendee",
        "ceo@acme.test",
        "--action",
        "no due date",
    ]);
    assert_eq!(bad_action.code, 2);
    assert!(bad_action.stderr.contains("--action"), "{}", bad_action.stderr);
    let programme = run(&["audit", "programme", "--org", "Acme"]);
    assert_eq!(programme.code, 1, "most controls are not audited: {programme:?}");
    let ready = run(&["readiness", "--org", "Acme", "--stage", "1"]);
    assert_eq!(ready.code, 1);
    assert!(ready.stdout.contains("BLOCKER") && ready.stdout.contains("5.2"), "{}", ready.stdout);
    let md = s.data_dir().parent().unwrap().join("readiness.md");
    run(&["readiness", "--org", "Acme", "--stage", "2", "-o", md.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&md).unwrap().contains("Readiness for Stage 2"));
    assert_eq!(run(&["control", "set", "A.8.13", "--org", "Acme", "--owner", "owner@acme.test"]).code, 0);
    let changes = run(&["changes", "--org", "Acme", "--since", "2000-01-01"]);
    assert_eq!(changes.code, 0);
    assert!(changes.stdout.contains("control") && changes.stdout.contains("A.8.13"), "{}", changes.stdout);
}
