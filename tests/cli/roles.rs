//! The role matrix over real HTTP: every role of one organization against every
//! endpoint, a member of another organization, and a consultant switching between
//! organizations. Another organization's records are 404, never 403.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{ApiClient as Client, Sandbox, shown_password};

/// Endpoints and, per role (owner, ISMS manager, control owner, contributor, auditor,
/// viewer), whether it answers 200 (`Y`) or 403 (`-`).
const MATRIX: [(&str, &str); 7] = [
    ("/api/v1/soa", "YYYYYY"),
    ("/api/v1/methodology", "YYYYYY"),
    ("/api/v1/controls", "YYYYYY"),
    ("/api/v1/risks", "YYYYYY"),
    ("/api/v1/risks/RSK-001", "YYYYYY"),
    ("/api/v1/audit-log", "YY--Y-"),
    ("/api/v1/audit-log/verify", "YY--Y-"),
];
const ROLES: [&str; 6] = ["owner", "isms_manager", "control_owner", "contributor", "auditor", "viewer"];

#[tokio::test]
async fn every_role_gets_exactly_its_grants_and_other_organizations_stay_invisible() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| {
        let r = s.isms(args);
        assert_eq!(r.code, 0, "{args:?}: {r:?}");
        r
    };
    let mut passwords =
        vec![shown_password(&run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]).stdout)];
    for role in &ROLES[1..] {
        let email = format!("{role}@acme.test");
        passwords.push(s.join(&d, "Acme", &email, role));
    }
    run(&["control", "set", "A.5.2", "--org", "Acme", "--owner", "control_owner@acme.test"]);
    run(&[
        "risk",
        "add",
        "--org",
        "Acme",
        "--title",
        "Acme laptop theft",
        "--owner",
        "owner@acme.test",
        "--inherent",
        "3,3",
    ]);
    let globex =
        run(&["org", "add", "--name", "Globex", "--owner-email", "carol@globex.test", "--owner-name", "Carol"]);
    let carol_password = "carol's own password".to_owned();
    assert_eq!(s.accept(&d, &globex.stdout, &carol_password).code, 0);
    let dup = s.isms(&["org", "add", "--name", "ACME", "--owner-email", "x@y.test"]);
    assert!(dup.code != 0 && dup.stderr.contains("already exists"), "{dup:?}");
    for title in ["Globex ransomware", "Globex insider"] {
        run(&["risk", "add", "--org", "Globex", "--title", title, "--owner", "carol@globex.test", "--inherent", "4,4"]);
    }

    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    for (i, role) in ROLES.iter().enumerate() {
        let email = if i == 0 { "owner@acme.test".to_owned() } else { format!("{role}@acme.test") };
        let c = Client::sign_in(base, &email, &passwords[i]).await;
        assert_eq!(c.session["role"], *role);
        for (path, row) in MATRIX {
            let want = if row.as_bytes()[i] == b'Y' { StatusCode::OK } else { StatusCode::FORBIDDEN };
            let (got, body) = c.get(path).await;
            assert_eq!(got, want, "{role} GET {path}: {body}");
            if got == StatusCode::FORBIDDEN {
                assert_eq!(body["code"], "forbidden", "{body}");
            }
        }
        // Writes: a control owner only on the controls assigned to them.
        let writes = [
            ("/api/v1/controls/A.5.1", json!({ "status": "planned" }), "YY-Y--"),
            ("/api/v1/controls/A.5.2", json!({ "implementation": format!("set by {role}") }), "YYYY--"),
        ];
        for (path, body, row) in writes {
            let want = if row.as_bytes()[i] == b'Y' { StatusCode::OK } else { StatusCode::FORBIDDEN };
            let (got, answer) = c.patch(path, body).await;
            assert_eq!(got, want, "{role} PATCH {path}: {answer}");
        }
        let unknown = c.patch("/api/v1/controls/A.9.99", json!({ "status": "planned" })).await.0;
        let want_unknown =
            if ["auditor", "viewer"].contains(role) { StatusCode::FORBIDDEN } else { StatusCode::NOT_FOUND };
        assert_eq!(unknown, want_unknown, "{role}");
        if *role == "control_owner" {
            let (got, answer) = c.patch("/api/v1/controls/A.5.2", json!({ "owner": "viewer@acme.test" })).await;
            assert_eq!(got, StatusCode::FORBIDDEN, "a control owner cannot hand a control on: {answer}");
        }
        // Globex's second risk does not exist for Acme: 404, the same as nonsense.
        assert_eq!(c.get("/api/v1/risks/RSK-002").await.0, StatusCode::NOT_FOUND, "{role}");
        assert_eq!(c.get("/api/v1/risks/RSK-999").await.0, StatusCode::NOT_FOUND, "{role}");
        let (_, risks) = c.get("/api/v1/risks").await;
        assert_eq!(risks["total"], 1, "{role}: {risks}");
        assert_eq!(risks["items"][0]["title"], "Acme laptop theft");
    }

    // Carol sees Globex only; the list pages, filters and sorts.
    let carol = Client::sign_in(base, "carol@globex.test", &carol_password).await;
    let (_, risks) = carol.get("/api/v1/risks?sort=-title&limit=1").await;
    assert_eq!((risks["total"].as_u64(), risks["items"][0]["title"].as_str()), (Some(2), Some("Globex ransomware")));
    let (status, bad) = carol.get("/api/v1/risks?sort=colour").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "sort");
    let (_, controls) = carol.get("/api/v1/controls?limit=500").await;
    assert_eq!(controls["total"], 93);
    let (_, planned) = carol.get("/api/v1/controls?status=planned").await;
    assert_eq!(planned["total"], 0, "Acme's edits are not Globex's: {planned}");
    let (status, bad) = carol.patch("/api/v1/controls/A.5.1", json!({ "status": "done-ish" })).await;
    assert_eq!((status, bad["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));

    // Carol as a consultant for Acme too: she must choose, and switching is explicit.
    let invited = run(&[
        "user",
        "invite",
        "--org",
        "Acme",
        "--email",
        "carol@globex.test",
        "--name",
        "Carol",
        "--role",
        "viewer",
    ]);
    let wrong = s.accept(&d, &invited.stdout, "not carol's password at all");
    assert_ne!(wrong.code, 0, "an existing account joins only with its own password: {wrong:?}");
    assert_eq!(s.accept(&d, &invited.stdout, &carol_password).code, 0);
    let carol = Client::sign_in(base, "carol@globex.test", &carol_password).await;
    assert!(carol.session["organization"].is_null());
    let (status, body) = carol.get("/api/v1/risks").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, mine) = carol.get("/api/v1/session/organizations").await;
    let mine = mine["items"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert!(mine.iter().all(|m| m["current"] == false));
    let acme = mine.iter().find(|m| m["organization"]["name"] == "Acme").unwrap();
    assert_eq!(acme["role"], "viewer");
    let acme_id = acme["organization"]["id"].as_str().unwrap().to_owned();
    let cli: Value = serde_json::from_str(&run(&["--json", "org", "list"]).stdout).unwrap();
    assert!(
        cli.as_array().unwrap().iter().any(|o| o["organization"]["id"] == acme_id.as_str()),
        "the CLI lists the same id"
    );
    let switched = carol
        .http
        .put(format!("{base}/api/v1/session/organization"))
        .header("cookie", &carol.cookie)
        .header("x-csrf-token", &carol.csrf)
        .json(&json!({ "organization": acme_id }))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), StatusCode::OK);
    assert_eq!(switched.json::<Value>().await.unwrap()["role"], "viewer");
    let (_, risks) = carol.get("/api/v1/risks").await;
    assert_eq!(risks["items"][0]["title"], "Acme laptop theft");
    assert_eq!(
        carol.get("/api/v1/audit-log").await.0,
        StatusCode::FORBIDDEN,
        "a viewer in Acme, whatever she is in Globex"
    );

    // The owner's verify endpoint agrees with the command line.
    let owner = Client::sign_in(base, "owner@acme.test", &passwords[0]).await;
    let (_, a52) = owner.get("/api/v1/controls?control=A.5.2").await;
    assert_eq!(a52["items"][0]["implementation"], "set by contributor", "{a52}");
    let (_, soa) = owner.get("/api/v1/soa").await;
    assert_eq!(soa["rows"].as_array().map(Vec::len), Some(93), "one SoA row per Annex A control");
    let (_, m) = owner.get("/api/v1/methodology").await;
    assert_eq!(m["version"], 1);
    assert_eq!(m["matrix"].as_array().map(Vec::len), m["likelihood"].as_array().map(Vec::len), "{m}");
    let (_, v) = owner.get("/api/v1/audit-log/verify").await;
    assert_eq!(v["intact"], true, "{v}");
    let (_, page) = owner.get("/api/v1/audit-log?limit=5").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 5);
    let next = page["next_after"].as_i64().unwrap();
    let (_, rest) = owner.get(&format!("/api/v1/audit-log?after={next}&limit=5")).await;
    assert_eq!(rest["items"][0]["seq"].as_i64(), Some(next + 1));

    // Adding and accepting risks, per role. Risks are added after the read checks above,
    // so the cross-organization ids stay meaningful there.
    for (i, role) in ROLES.iter().enumerate() {
        let email = if i == 0 { "owner@acme.test".to_owned() } else { format!("{role}@acme.test") };
        let c = Client::sign_in(base, &email, &passwords[i]).await;
        let add = json!({ "title": format!("added by {role}"), "owner": "owner@acme.test", "inherent": { "likelihood": 2, "impact": 2 } });
        let want = if "YY-Y--".as_bytes()[i] == b'Y' { StatusCode::CREATED } else { StatusCode::FORBIDDEN };
        let (got, body) = c.post("/api/v1/risks", add).await;
        assert_eq!(got, want, "{role} POST /api/v1/risks: {body}");
        if got == StatusCode::CREATED {
            assert!(body["id"].as_str().is_some_and(|id| id.starts_with("RSK-")), "{body}");
        }
        if *role == "control_owner" {
            let own = json!({ "title": "my own", "owner": email, "inherent": { "likelihood": 1, "impact": 2 } });
            assert_eq!(
                c.post("/api/v1/risks", own).await.0,
                StatusCode::CREATED,
                "a control owner adds risks they own"
            );
        }
        let (got, body) = c.post("/api/v1/risks/RSK-001/acceptance", json!({ "comment": "ok" })).await;
        if "YY----".as_bytes()[i] == b'Y' {
            assert_ne!(got, StatusCode::FORBIDDEN, "{role} may accept (the methodology decides the rest): {body}");
        } else {
            assert_eq!(got, StatusCode::FORBIDDEN, "{role} accepting: {body}");
        }
    }
    // Malformed and mis-shaped bodies are problem documents that say what is wrong.
    let (status, body) =
        owner.post("/api/v1/risks", json!({ "title": "x", "owner": "owner@acme.test", "inherent": "high" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "invalid_json");
    assert!(body["detail"].as_str().unwrap().contains("inherent"), "{body}");
    let (status, body) = owner
        .post(
            "/api/v1/risks",
            json!({ "title": "x", "owner": "nobody@else.test", "inherent": { "likelihood": 9, "impact": 1 } }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, all) = owner.get("/api/v1/risks?limit=500").await;
    assert_eq!(all["total"], 5, "1 from the CLI, owner, ISMS manager, contributor, and the control owner's own: {all}");
}
