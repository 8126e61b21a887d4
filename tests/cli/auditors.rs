//! External auditors: invited to one audit, they see its workspace and nothing else
//! (every other operation of the API refuses them), decide its requests, draw samples
//! and open what was sampled; their views and downloads are in the trail; when the
//! window after the audit ends, their session, their sign-in and `--as` end with it.

use reqwest::Method;
use serde_json::{Value, json};

use super::ingest::{ORG, OWNER, json as cli};
use crate::support::{ApiClient, Sandbox, http};

const EXTERNAL: &str = "lead.auditor@certbody.example";
const PASSPHRASE: &str = "the external auditor's passphrase";

/// Accepts an invitation link over the API with a new password.
async fn accept(base: &str, link: &str) {
    let token = link.rsplit("/invite/").next().unwrap();
    let r = http()
        .post(format!("{base}/api/v1/invitations/accept"))
        .json(&json!({ "token": token, "password": PASSPHRASE }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn an_external_auditor_sees_only_their_audit_and_is_shut_out_when_the_window_ends() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let base = server.url("").trim_end_matches('/').to_owned();
    let owner = ApiClient::sign_in(&base, OWNER, "isms-demo").await;

    // Two requests answered with a file, waiting for the auditor.
    let evidence = owner.must(Method::GET, "/api/v1/evidence?limit=500", None, 200).await;
    let file = evidence["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["content"]["sha256"].is_string())
        .unwrap_or_else(|| panic!("a file item: {evidence}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for reference in ["PBC-1", "PBC-2"] {
        let body = json!({ "audit": "AUD-003", "reference": reference, "text": format!("Show {reference}") });
        let r = owner.must(Method::POST, "/api/v1/requests", Some(body), 201).await;
        let id = r["id"].as_str().unwrap().to_owned();
        owner
            .must(Method::POST, &format!("/api/v1/requests/{id}/attach"), Some(json!({ "evidence": [file] })), 200)
            .await;
        owner.must(Method::POST, &format!("/api/v1/requests/{id}/submit"), Some(json!({})), 200).await;
        ids.push(id);
    }

    // The owner invites the auditor to AUD-003 (ended months ago) for a year after it.
    let invite = json!({ "email": EXTERNAL, "name": "Lee Auditor", "days_after": 365 });
    let invited = owner.must(Method::POST, "/api/v1/audits/AUD-003/auditors", Some(invite.clone()), 201).await;
    assert_eq!(invited["access"]["open"], true, "{invited}");
    let link = invited["invited"]["link"].as_str().unwrap().to_owned();
    // A member of the organization is not made an external auditor.
    let (code, body) =
        owner.post("/api/v1/audits/AUD-003/auditors", json!({ "email": "priya.raman@cedarridge.example" })).await;
    assert_eq!(code.as_u16(), 409, "{body}");
    // Only the owner and the ISMS manager invite.
    let viewer = ApiClient::sign_in(&base, "priya.raman@cedarridge.example", "isms-demo").await;
    let (code, _) = viewer.post("/api/v1/audits/AUD-003/auditors", json!({ "email": "x@cb.example" })).await;
    assert_eq!(code.as_u16(), 403);
    accept(&base, &link).await;
    let ext = ApiClient::sign_in(&base, EXTERNAL, PASSPHRASE).await;
    assert_eq!(ext.session["role"], "external_auditor", "{}", ext.session);

    // The workspace: the audit, the SoA under audit, sampled controls, linked items.
    let w = ext.must(Method::GET, "/api/v1/audits/AUD-003/workspace", None, 200).await;
    assert_eq!(w["audit"]["id"], "AUD-003");
    assert!(w["soa_version"].as_i64().is_some(), "{w}");
    assert!(!w["controls"].as_array().unwrap().is_empty());
    assert!(w["items"].as_array().unwrap().iter().any(|i| i["id"] == file.as_str()), "the answer is linked");
    assert_eq!(w["requests"].as_array().unwrap().len(), 2);
    let got = ext
        .http
        .get(format!("{base}/api/v1/audits/AUD-003/workspace/files/{file}"))
        .header("cookie", &ext.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    let soa = ext
        .http
        .get(format!("{base}/api/v1/audits/AUD-003/workspace/soa?format=pdf"))
        .header("cookie", &ext.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(soa.status().as_u16(), 200);
    assert!(soa.bytes().await.unwrap().starts_with(b"%PDF"));

    // Nothing else: every other audit is not found, every ISMS read refused.
    for path in ["/api/v1/audits/AUD-001/workspace", "/api/v1/audits/AUD-001", "/api/v1/requests?audit=AUD-001"] {
        let (code, _) = ext.get(path).await;
        assert!(matches!(code.as_u16(), 403 | 404), "{path}: {code}");
    }
    let doc: Value = ext.must(Method::GET, "/api/v1/openapi.json", None, 200).await;
    let allowed = [
        "/api/v1/openapi.json",
        "/api/v1/session",
        "/api/v1/session/organizations",
        "/api/v1/tokens",
        "/api/v1/calendar/tokens",
        "/api/v1/requests",
        "/api/v1/samples",
    ];
    let mut refused = 0;
    let mut answered = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() || path.contains('{') || allowed.contains(&path.as_str()) {
            continue;
        }
        let (code, _) = ext.get(path).await;
        if code.as_u16() == 403 {
            refused += 1;
        } else {
            answered.push(format!("{path} {code}"));
        }
    }
    // The framework library and the starter templates are shipped reference content,
    // not the organization's.
    let library = ["/api/v1/frameworks ", "/api/v1/crosswalk ", "/api/v1/search ", "/api/v1/documents/starters "];
    answered.retain(|a| !library.iter().any(|l| a.starts_with(l)));
    assert!(answered.is_empty(), "GET operations that did not refuse an external auditor: {answered:?}");
    assert!(refused > 40, "{refused}");
    for path in
        ["/api/v1/risks/RSK-001", "/api/v1/evidence/EVD-001", "/api/v1/documents/DOC-001", "/api/v1/findings/FND-001"]
    {
        let (code, _) = ext.get(path).await;
        assert_eq!(code.as_u16(), 403, "{path}");
    }
    let (code, _) = ext
        .post("/api/v1/risks", json!({ "title": "x", "owner": OWNER, "inherent": { "likelihood": 1, "impact": 1 } }))
        .await;
    assert_eq!(code.as_u16(), 403);
    let (code, _) = ext.post("/api/v1/audits/AUD-003/auditors", json!({ "email": "friend@cb.example" })).await;
    assert_eq!(code.as_u16(), 403, "an external auditor invites nobody");
    // Another organization: not found.
    let orgs: Value = serde_json::from_str(&s.isms(&["--json", "org", "list"]).stdout).unwrap();
    let bluefin = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["organization"]["name"] == "Bluefin Payments LLC")
        .unwrap()["organization"]["id"]
        .clone();
    let (code, _) =
        ext.send(Method::PUT, "/api/v1/session/organization", Some(&json!({ "organization": bluefin }))).await;
    assert_eq!(code.as_u16(), 404);

    // They decide the requests: accept one, return the other with a comment.
    let (a, b) = (&ids[0], &ids[1]);
    ext.must(Method::POST, &format!("/api/v1/requests/{a}/accept"), Some(json!({})), 200).await;
    let (code, _) = ext.post(&format!("/api/v1/requests/{b}/return"), json!({ "comment": "" })).await;
    assert_eq!(code.as_u16(), 422, "returning says why");
    let returned = ext
        .must(Method::POST, &format!("/api/v1/requests/{b}/return"), Some(json!({ "comment": "Q3 is missing" })), 200)
        .await;
    assert_eq!(returned["status"], "returned");
    let (code, _) = ext.post(&format!("/api/v1/requests/{b}/submit"), json!({})).await;
    assert_eq!(code.as_u16(), 403, "answering is the team's");
    // They draw a sample of risks and open what it holds, and only that.
    let drawn = ext
        .must(
            Method::POST,
            "/api/v1/samples",
            Some(json!({ "audit": "AUD-003", "population": "risks", "size": 2, "seed": "cb-2026" })),
            201,
        )
        .await;
    let picked: Vec<String> =
        drawn["items"].as_array().unwrap().iter().map(|i| i.as_str().unwrap().to_owned()).collect();
    let record =
        ext.must(Method::GET, &format!("/api/v1/audits/AUD-003/workspace/records/{}", picked[0]), None, 200).await;
    assert_eq!(record["id"], picked[0].as_str());
    let outside = (1..=60).map(|n| format!("RSK-{n:03}")).find(|r| !picked.contains(r)).unwrap();
    let (code, _) = ext.get(&format!("/api/v1/audits/AUD-003/workspace/records/{outside}")).await;
    assert_eq!(code.as_u16(), 404, "a risk outside the sample");
    let (code, _) = ext.post("/api/v1/samples", json!({ "audit": "AUD-001", "population": "risks", "size": 1 })).await;
    assert_eq!(code.as_u16(), 404, "not their audit");

    // What they draw is bounded: once per population, at most a quarter (and 25).
    let (code, body) = ext
        .post("/api/v1/samples", json!({ "audit": "AUD-003", "population": "risks", "size": 2, "seed": "again" }))
        .await;
    assert_eq!(code.as_u16(), 409, "one draw per population: {body}");
    let (code, body) =
        ext.post("/api/v1/samples", json!({ "audit": "AUD-003", "population": "evidence", "percent": 100.0 })).await;
    assert_eq!(code.as_u16(), 422, "not the whole population: {body}");
    // They raise findings in their audit (the organization names who acts), not elsewhere.
    let finding =
        json!({ "audit": "AUD-003", "grade": "minor", "requirement": "A.8.13", "description": "Restore tests lapsed" });
    let raised = ext.must(Method::POST, "/api/v1/findings", Some(finding.clone()), 201).await;
    assert_eq!(raised["audit"], "AUD-003");
    let mut elsewhere = finding.clone();
    elsewhere["audit"] = json!("AUD-001");
    let (code, _) = ext.post("/api/v1/findings", elsewhere).await;
    assert_eq!(code.as_u16(), 404);
    let mut owned = finding.clone();
    owned["owner"] = json!(OWNER);
    let (code, _) = ext.post("/api/v1/findings", owned).await;
    assert_eq!(code.as_u16(), 422);
    let w = ext.must(Method::GET, "/api/v1/audits/AUD-003/workspace", None, 200).await;
    assert!(w["findings"].as_array().unwrap().iter().any(|f| f["id"] == raised["id"]));
    // They write requests, but the organization names who answers (no membership oracle).
    let ask = json!({ "audit": "AUD-003", "reference": "CB-1", "text": "Firewall rules", "assignee": OWNER });
    let (code, _) = ext.post("/api/v1/requests", ask).await;
    assert_eq!(code.as_u16(), 422);
    ext.must(
        Method::POST,
        "/api/v1/requests",
        Some(json!({ "audit": "AUD-003", "reference": "CB-1", "text": "Firewall rules" })),
        201,
    )
    .await;

    // Their views and downloads are in the trail.
    let trail = owner.must(Method::GET, "/api/v1/audit-log?limit=500", None, 200).await;
    let actions: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"audit_workspace.viewed") && actions.contains(&"audit_workspace.downloaded"),
        "{actions:?}"
    );

    // The owner sees the auditor and ends the window (0 days after an audit long over).
    let listed = owner.must(Method::GET, "/api/v1/audits/AUD-003/auditors", None, 200).await;
    assert_eq!(listed["items"][0]["email"], EXTERNAL);
    let ended = owner
        .must(
            Method::PATCH,
            &format!("/api/v1/audits/AUD-003/auditors/{EXTERNAL}"),
            Some(json!({ "days_after": 0 })),
            200,
        )
        .await;
    assert_eq!(ended["open"], false);
    let (code, _) = ext.get("/api/v1/audits/AUD-003/workspace").await;
    assert!(matches!(code.as_u16(), 401 | 409), "their session opens nothing now: {code}");
    let r = http()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": EXTERNAL, "password": PASSPHRASE }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let said = r.text().await.unwrap();
    assert!(said.contains("your access as external auditor ended on"), "{said}");
    drop(server);
    let run = s.isms(&["request", "comment", a, "-m", "late", "--as", EXTERNAL, "--org", ORG]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("access as external auditor has ended"), "{}", run.stderr);
    // Extending it opens the audit again (the same account, no new invitation).
    let again = cli(&s, &["audit", "auditor-access", "AUD-003", "--email", EXTERNAL, "--days", "365", "--as", OWNER]);
    assert_eq!(again["open"], true);
    let listed = cli(&s, &["audit", "auditors", "AUD-003"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(cli(&s, &["request", "comment", a, "-m", "thanks", "--as", EXTERNAL])["status"], "accepted");
}
