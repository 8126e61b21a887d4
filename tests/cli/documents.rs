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
    // 7.5.1 b: the register holds an approved document linked to controls; the audit
    // programme (9.2.2) and management review results (9.3.3) are named by their
    // sub-clauses.
    assert_eq!(item("7.5.1 b")["satisfied"], true, "{}", item("7.5.1 b"));
    assert!(item("7.5.1 b")["by"][0].as_str().unwrap().contains("document register"));
    assert!(item("9.2.2")["missing"].as_str().unwrap().contains("internal audit"), "{}", item("9.2.2"));
    assert_eq!(item("9.3.3")["satisfied"], false);
    // 7.2: competence records are evidence linked to 7.2, not only an approved document.
    assert_eq!(item("7.2")["satisfied"], false);
    let cert = dir.join("training-records.csv");
    std::fs::write(&cert, "name,course,date\nA. Admin,ISO 27001 Lead Implementer,2026-05-10\n").unwrap();
    let added = run(&[
        "evidence",
        "add",
        cert.to_str().unwrap(),
        "--org",
        "Acme",
        "--requirement",
        "iso27001-2022:7.2",
        "--title",
        "Training records",
    ]);
    assert_eq!(added.code, 0, "{added:?}");
    let items: Value =
        serde_json::from_str(&run(&["--json", "document", "checklist", "--org", "Acme"]).stdout).unwrap();
    let competence = items.as_array().unwrap().iter().find(|i| i["clause"] == "7.2").unwrap().clone();
    assert_eq!(competence["satisfied"], true, "{competence}");
    assert!(competence["by"][0].as_str().unwrap().contains("competence records"), "{competence}");

    let trail = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    assert!(trail.stdout.matches("document.updated").count() >= 6, "every step is in the trail");

    // A version that is an uploaded file is stored by its hash and verified with the
    // evidence: one changed byte is reported naming the document version.
    let pdf = dir.join("policy-v3.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 signed policy").unwrap();
    let up = run(&["document", "version", "DOC-001", "--org", "Acme", "--file", pdf.to_str().unwrap(), "--upload"]);
    assert_eq!(up.code, 0, "{up:?}");
    assert_eq!(run(&["evidence", "verify"]).code, 0);
    let blob = std::fs::read_dir(s.data_dir().join("blobs").join("sha256"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .next()
        .expect("one stored file");
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&blob, bytes).unwrap();
    let verify = run(&["evidence", "verify"]);
    assert_eq!(verify.code, 1, "{verify:?}");
    assert!(verify.stdout.contains("DOC-001 v3") && verify.stdout.contains("changed"), "{}", verify.stdout);
}

/// The API and the pages: the version workflow per role, an approved version refused
/// through every interface that changes text, file versions streamed both ways,
/// acknowledgements, starters, and Markdown rendered without running anything.
#[tokio::test]
async fn documents_through_the_api_and_the_pages() {
    use reqwest::StatusCode;
    use serde_json::json;

    use crate::support::{ApiSession, http, shown_password, sign_in};

    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.run(&[&["--data-dir", d.as_str()], args].concat());
    let owner_pw = shown_password(&run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout);
    let mut pw = std::collections::HashMap::new();
    for role in ["control_owner", "viewer", "contributor"] {
        let email = format!("{role}@acme.test");
        pw.insert(role, s.join(&d, "Acme", &email, role));
    }
    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/').to_owned();
    let client = http();
    let owner = sign_in(&client, &base, "owner@acme.test", &owner_pw).await;
    let viewer = sign_in(&client, &base, "viewer@acme.test", &pw["viewer"]).await;
    let contributor = sign_in(&client, &base, "contributor@acme.test", &pw["contributor"]).await;
    let co = sign_in(&client, &base, "control_owner@acme.test", &pw["control_owner"]).await;

    let send = |who: &ApiSession, method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = client
            .request(method, format!("{base}{path}"))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    use reqwest::Method as M;

    // Create, edit the draft, submit: a version in review no longer changes.
    let text = "# Access control\n\nLeast privilege. <script>alert(1)</script> [bad](javascript:alert(2))\n";
    let r = send(
        &owner,
        M::POST,
        "/api/v1/documents",
        Some(json!({ "title": "Access control policy", "type": "policy", "clauses": ["5.2"], "controls": ["5.15"], "acknowledged_by": "everyone", "text": "draft" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let doc: Value = r.json().await.unwrap();
    let id = doc["id"].as_str().unwrap().to_owned();
    assert_eq!((doc["owner"].as_str(), doc["controls"][0].as_str()), (Some("owner@acme.test"), Some("A.5.15")));
    let r = send(&owner, M::PATCH, &format!("/api/v1/documents/{id}/versions/1"), Some(json!({ "text": text })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        send(&owner, M::POST, &format!("/api/v1/documents/{id}/submission"), None).await.unwrap().status(),
        StatusCode::OK
    );
    let r = send(&owner, M::PATCH, &format!("/api/v1/documents/{id}/versions/1"), Some(json!({ "text": "sneaky" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    // Only owners and ISMS managers approve.
    for who in [&contributor, &viewer, &co] {
        let r = send(who, M::POST, &format!("/api/v1/documents/{id}/approval"), None).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    let r = send(&owner, M::POST, &format!("/api/v1/documents/{id}/approval"), Some(json!({ "comment": "Board" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let approved: Value = r.json().await.unwrap();
    assert_eq!(approved["versions"][0]["state"], "approved");
    assert_eq!(approved["versions"][0]["approval"]["by"], "owner@acme.test");

    // An approved version cannot be changed through the API, the page form or the CLI.
    let r = send(&owner, M::PATCH, &format!("/api/v1/documents/{id}/versions/1"), Some(json!({ "text": "rewrite" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["code"], "version_immutable", "{problem}");
    let form = client
        .post(format!("{base}/documents/{id}/draft"))
        .header("cookie", &owner.cookie)
        .form(&[("csrf", owner.csrf.as_str()), ("number", "1"), ("text", "rewrite")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::CONFLICT);
    let md = s.data_dir().parent().unwrap().join("rewrite.md");
    std::fs::write(&md, "rewrite").unwrap();
    let cli = run(&["document", "edit", &id, "--org", "Acme", "--version", "1", "--file", md.to_str().unwrap()]);
    assert_eq!(cli.code, 2, "{cli:?}");
    let now: Value =
        send(&viewer, M::GET, &format!("/api/v1/documents/{id}"), None).await.unwrap().json().await.unwrap();
    assert_eq!(now["versions"][0]["body"]["text"], text, "version 1 is unchanged");

    // The page renders the Markdown and shows the raw HTML as text; no script target.
    let page = client.get(format!("{base}/documents/{id}")).header("cookie", &viewer.cookie).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("<h1>Access control</h1>"), "rendered Markdown");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>alert"), "escaped");
    assert!(!html.contains("javascript:"), "no script link");
    assert!(html.contains("id=\"acknowledge\""), "the viewer is asked to acknowledge");
    let owner_page = client.get(format!("{base}/documents/{id}")).header("cookie", &owner.cookie).send().await.unwrap();
    let owner_html = owner_page.text().await.unwrap();
    assert!(owner_html.contains("<option value=\"everyone\" selected>"), "the form keeps who acknowledges");
    assert!(!html.contains("id=\"start-version\""), "a viewer cannot start versions");

    // Acknowledgements: everyone must; the viewer does it, the others are pending.
    assert_eq!(
        send(&viewer, M::POST, &format!("/api/v1/documents/{id}/acknowledgement"), None).await.unwrap().status(),
        StatusCode::OK
    );
    let acks: Value = send(&owner, M::GET, &format!("/api/v1/documents/{id}/acknowledgements"), None)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(acks["done"][0]["by"], "viewer@acme.test", "{acks}");
    assert_eq!(acks["pending"].as_array().unwrap().len(), 3, "owner, control owner, contributor: {acks}");
    let mine: Value =
        send(&viewer, M::GET, "/api/v1/documents/acknowledgements/mine", None).await.unwrap().json().await.unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 0);

    // A new version from a file (3 MiB: beyond the JSON limit, so it streams), read back.
    let content: Vec<u8> = (0..3 * 1024 * 1024).map(|i: u32| (i % 253) as u8).collect();
    let r = client
        .post(format!("{base}/api/v1/documents/{id}/versions/file?filename=policy-v2.pdf&note=Signed+PDF"))
        .header("cookie", &contributor.cookie)
        .header("x-csrf-token", &contributor.csrf)
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let back = client
        .get(format!("{base}/api/v1/documents/{id}/versions/2/file"))
        .header("cookie", &viewer.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), StatusCode::OK);
    assert!(back.headers()["content-disposition"].to_str().unwrap().contains("policy-v2.pdf"));
    assert_eq!(back.bytes().await.unwrap().as_ref(), content.as_slice());
    // Another open version is refused; approval supersedes version 1; the viewer's
    // acknowledgement was for version 1, so they are asked again.
    let r = send(&owner, M::POST, &format!("/api/v1/documents/{id}/versions"), Some(json!({ "text": "v3" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    send(&owner, M::POST, &format!("/api/v1/documents/{id}/submission"), None).await.unwrap();
    let v2: Value =
        send(&owner, M::POST, &format!("/api/v1/documents/{id}/approval"), None).await.unwrap().json().await.unwrap();
    assert_eq!(
        (v2["versions"][0]["state"].as_str(), v2["versions"][1]["state"].as_str()),
        (Some("superseded"), Some("approved"))
    );
    let mine: Value =
        send(&viewer, M::GET, "/api/v1/documents/acknowledgements/mine", None).await.unwrap().json().await.unwrap();
    assert_eq!(mine["items"][0]["id"], id.as_str());

    // The generic review endpoint records a document's review that keeps the version.
    let r = send(
        &owner,
        M::POST,
        "/api/v1/reviews",
        Some(json!({ "subject": "document", "id": id, "outcome": "updated" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a changed document is a new version");
    let r = send(
        &owner,
        M::POST,
        "/api/v1/reviews",
        Some(json!({ "subject": "document", "id": id, "outcome": "no_change" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let reviewed: Value = r.json().await.unwrap();
    assert_eq!(reviewed["status"]["state"], "current", "{reviewed}");

    // Control owners: only documents they own; they cannot approve or hand them on.
    let r = send(
        &co,
        M::POST,
        "/api/v1/documents",
        Some(json!({ "title": "x", "type": "standard", "owner": "owner@acme.test", "text": "x" })),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(&co, M::POST, &format!("/api/v1/documents/{id}/review"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let r = send(&co, M::POST, "/api/v1/documents/starters/access-control-policy", None).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let adopted: Value = r.json().await.unwrap();
    let mine_id = adopted["id"].as_str().unwrap().to_owned();
    assert_eq!(adopted["owner"], "control_owner@acme.test");
    assert!(
        adopted["versions"][0]["body"]["text"].as_str().unwrap().contains("Acme"),
        "the organization's name is filled in"
    );
    let r = send(&co, M::PATCH, &format!("/api/v1/documents/{mine_id}"), Some(json!({ "review_months": 6 })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = send(&co, M::PATCH, &format!("/api/v1/documents/{mine_id}"), Some(json!({ "owner": "viewer@acme.test" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        send(&co, M::POST, &format!("/api/v1/documents/{mine_id}/submission"), None).await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        send(&co, M::POST, &format!("/api/v1/documents/{mine_id}/approval"), None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // Viewers write nothing.
    let r = send(&viewer, M::POST, "/api/v1/documents", Some(json!({ "title": "x", "type": "policy", "text": "x" })))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The register, the starters and the checklist.
    let list: Value = send(&viewer, M::GET, "/api/v1/documents", None).await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 2, "{list}");
    let starters: Value =
        send(&viewer, M::GET, "/api/v1/documents/starters", None).await.unwrap().json().await.unwrap();
    assert_eq!(starters["items"].as_array().unwrap().len(), 8);
    let checklist: Value =
        send(&viewer, M::GET, "/api/v1/documents/checklist", None).await.unwrap().json().await.unwrap();
    let policy = checklist["items"].as_array().unwrap().iter().find(|i| i["clause"] == "5.2").unwrap();
    assert_eq!(policy["satisfied"], true, "{policy}");
    assert_eq!(checklist["complete"], false);
    for path in ["/documents", "/documents/checklist", &format!("/documents/{id}/versions/1")] {
        let r = client.get(format!("{base}{path}")).header("cookie", &viewer.cookie).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    // Every change is in the trail.
    let trail = run(&["audit-log", "export", "--org", "Acme", "--format", "json"]);
    let updates = trail.stdout.matches("\"document.updated\"").count();
    assert!(updates >= 8, "{updates} document updates in the trail");
    // An acknowledgement is an entry of its own: it does not rewrite the document.
    assert_eq!(trail.stdout.matches("\"document_acknowledgement.created\"").count(), 1, "one acknowledgement");
}
