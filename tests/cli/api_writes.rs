//! The role matrix for every state-changing API endpoint beyond controls and risk
//! creation (those are in `roles.rs`), and the reads they come with: each role of one
//! organization against each operation, over real HTTP on a real server. Another
//! organization's ids are 404 for everyone, never 403.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{ApiClient as Client, Sandbox, shown_password};

const ROLES: [&str; 6] = ["owner", "isms_manager", "control_owner", "contributor", "auditor", "viewer"];

fn fair() -> Value {
    let pert = |low: f64, mode: f64, high: f64| json!({ "type": "pert", "low": low, "mode": mode, "high": high });
    json!({
        "frequency": { "method": "vulnerability", "tef": pert(0.1, 0.4, 1.6), "vuln": pert(0.05, 0.25, 0.6) },
        "pl": pert(8000.0, 60000.0, 600000.0),
        "slef": pert(0.05, 0.2, 0.5),
        "slem": pert(20000.0, 160000.0, 2400000.0),
    })
}

fn asset(name: &str, owner: &str) -> Value {
    json!({ "name": name, "type": "system", "owner": owner, "classification": "internal",
            "confidentiality": 3, "integrity": 3, "availability": 2, "lifecycle": "in_use" })
}

/// Targets the owner creates afresh before each role's turn, so that every role meets
/// the same state.
struct Targets {
    issue: String,
    asset: String,
    risk: String,
    spare: String,
}

async fn targets(owner: &Client, role: &str) -> Targets {
    let issue = owner
        .must(
            Method::POST,
            "/api/v1/context-issues",
            Some(json!({ "origin": "external", "title": format!("issue for {role}") })),
            201,
        )
        .await;
    let asset = owner
        .must(Method::POST, "/api/v1/assets", Some(asset(&format!("asset for {role}"), "owner@acme.test")), 201)
        .await;
    let risk = owner
        .must(
            Method::POST,
            "/api/v1/risks",
            Some(json!({ "title": format!("risk for {role}"), "owner": "owner@acme.test", "inherent": { "likelihood": 3, "impact": 3 } })),
            201,
        )
        .await;
    let spare = format!("spare-{role}@acme.test");
    let invited = owner
        .must(Method::POST, "/api/v1/invitations", Some(json!({ "email": spare, "name": "Spare", "role": "viewer" })), 201)
        .await;
    let secret = invited["link"].as_str().unwrap().rsplit("/invite/").next().unwrap().to_owned();
    let accepted = owner
        .http
        .post(format!("{}/api/v1/invitations/accept", owner.base))
        .json(&json!({ "token": secret, "password": "spare person's password" }))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::CREATED);
    Targets {
        issue: issue["id"].as_str().unwrap().to_owned(),
        asset: asset["id"].as_str().unwrap().to_owned(),
        risk: risk["id"].as_str().unwrap().to_owned(),
        spare,
    }
}

#[tokio::test]
async fn every_write_endpoint_follows_the_role_table() {
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
    let globex =
        run(&["org", "add", "--name", "Globex", "--owner-email", "carol@globex.test", "--owner-name", "Carol"]);
    let carol_password = "carol's own password".to_owned();
    assert_eq!(s.accept(&d, &globex.stdout, &carol_password).code, 0);
    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/');

    // Globex's records exist before Acme has any: their ids are 404 to Acme, whatever
    // the role, for reads and writes alike.
    let carol = Client::sign_in(base, "carol@globex.test", &carol_password).await;
    let g_asset = carol.must(Method::POST, "/api/v1/assets", Some(asset("Globex ERP", "carol@globex.test")), 201).await;
    let g_issue = carol
        .must(Method::POST, "/api/v1/context-issues", Some(json!({ "origin": "internal", "title": "Globex" })), 201)
        .await;
    let g_asset = g_asset["id"].as_str().unwrap().to_owned();
    let g_issue = g_issue["id"].as_str().unwrap().to_owned();
    let owner = Client::sign_in(base, "owner@acme.test", &passwords[0]).await;
    for (method, path, body) in [
        (Method::GET, format!("/api/v1/assets/{g_asset}"), None),
        (Method::PUT, format!("/api/v1/assets/{g_asset}"), Some(asset("taken over", "owner@acme.test"))),
        (Method::DELETE, format!("/api/v1/assets/{g_asset}"), None),
        (Method::DELETE, format!("/api/v1/context-issues/{g_issue}"), None),
        (Method::PATCH, "/api/v1/members/carol@globex.test".to_owned(), Some(json!({ "role": "viewer" }))),
        (Method::DELETE, "/api/v1/members/carol@globex.test".to_owned(), None),
        (
            Method::POST,
            "/api/v1/reviews".to_owned(),
            Some(json!({ "subject": "asset", "id": g_asset, "outcome": "no_change" })),
        ),
    ] {
        owner.must(method, &path, body, 404).await;
    }
    let (_, g) = carol.get(&format!("/api/v1/assets/{g_asset}")).await;
    assert_eq!(g["name"], "Globex ERP", "Globex's asset is untouched: {g}");

    owner.must(Method::PUT, "/api/v1/scope", Some(json!({ "statement": "Acme's SaaS platform" })), 200).await;
    let methodology = owner.get("/api/v1/methodology").await.1;
    // A risk with FAIR estimates to simulate.
    let fair_risk = owner
        .must(
            Method::POST,
            "/api/v1/risks",
            Some(json!({ "title": "quantified", "owner": "owner@acme.test", "inherent": { "likelihood": 2, "impact": 4 } })),
            201,
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    owner.must(Method::PUT, &format!("/api/v1/risks/{fair_risk}/fair"), Some(fair()), 200).await;

    // Reads every member may make.
    let reads = [
        "/api/v1/scope",
        "/api/v1/context-issues",
        "/api/v1/interested-parties",
        "/api/v1/isms-roles",
        "/api/v1/objectives",
        "/api/v1/assets",
        "/api/v1/classification-scheme",
        "/api/v1/controls/A.5.15",
        "/api/v1/risks/heatmap?kind=inherent",
        "/api/v1/risks/plan",
        "/api/v1/methodology/versions",
        "/api/v1/reviews/due",
        "/api/v1/soa/versions",
        "/api/v1/soa/versions/draft",
        "/api/v1/soa/diff?from=draft&to=draft",
        "/api/v1/soa/export?format=csv&version=draft",
        "/api/v1/frameworks",
        "/api/v1/frameworks/gdpr-art32",
        "/api/v1/search?q=backup&limit=3",
        "/api/v1/crosswalk?item=iso27001-2022:A.8.13&to=nist-csf-2.0",
        "/api/v1/organization/frameworks",
        "/api/v1/members",
    ];

    for (i, role) in ROLES.iter().enumerate() {
        let email = format!("{role}@acme.test");
        let c = Client::sign_in(base, &email, &passwords[i]).await;
        for path in reads {
            let (got, body) = c.get(path).await;
            assert_eq!(got, StatusCode::OK, "{role} GET {path}: {body}");
        }
        let t = targets(&owner, role).await;
        // (method, path, body, per-role row, the status when allowed; 0 = any but 403
        // because the domain decides: an SoA with problems, an unchanged methodology).
        let ops: Vec<(Method, String, Option<Value>, &str, u16)> = vec![
            (
                Method::PUT,
                "/api/v1/scope".into(),
                Some(json!({ "statement": format!("scope by {role}") })),
                "YY-Y--",
                200,
            ),
            (
                Method::POST,
                "/api/v1/context-issues".into(),
                Some(json!({ "origin": "internal", "title": format!("by {role}") })),
                "YY-Y--",
                201,
            ),
            (
                Method::PUT,
                format!("/api/v1/context-issues/{}", t.issue),
                Some(json!({ "origin": "internal", "title": "edited" })),
                "YY-Y--",
                200,
            ),
            (Method::DELETE, format!("/api/v1/context-issues/{}", t.issue), None, "YY-Y--", 204),
            (
                Method::POST,
                "/api/v1/interested-parties".into(),
                Some(
                    json!({ "name": format!("Customers of {role}"), "requirements": [{ "kind": "contractual", "text": "SOC 2 or ISO", "addressed": false }] }),
                ),
                "YY-Y--",
                201,
            ),
            (
                Method::POST,
                "/api/v1/isms-roles".into(),
                Some(
                    json!({ "name": "ISMS lead", "responsibilities": "Runs the ISMS", "assigned": ["owner@acme.test"] }),
                ),
                "YY-Y--",
                201,
            ),
            (
                Method::POST,
                "/api/v1/objectives".into(),
                Some(
                    json!({ "title": "Patch fast", "measure": "days to patch", "target": "< 14", "owner": "owner@acme.test", "due": "2027-06-30", "status": "planned" }),
                ),
                "YY-Y--",
                201,
            ),
            (
                Method::POST,
                "/api/v1/assets".into(),
                Some(asset(&format!("by {role}"), "owner@acme.test")),
                "YY-Y--",
                201,
            ),
            (
                Method::PUT,
                format!("/api/v1/assets/{}", t.asset),
                Some(asset("renamed", "owner@acme.test")),
                "YY-Y--",
                200,
            ),
            (
                Method::PUT,
                "/api/v1/classification-scheme".into(),
                Some(json!({ "levels": ["Public", "Internal", "Confidential", "Restricted"] })),
                "YY-Y--",
                200,
            ),
            (
                Method::POST,
                "/api/v1/reviews".into(),
                Some(json!({ "subject": "asset", "id": t.asset, "outcome": "no_change" })),
                "YY----",
                201,
            ),
            (Method::DELETE, format!("/api/v1/assets/{}", t.asset), None, "YY-Y--", 204),
            (Method::PATCH, format!("/api/v1/risks/{}", t.risk), Some(json!({ "title": "sharper" })), "YY-Y--", 200),
            (Method::PUT, format!("/api/v1/risks/{}/fair", t.risk), Some(fair()), "YY-Y--", 200),
            (Method::DELETE, format!("/api/v1/risks/{}", t.risk), None, "YY-Y--", 204),
            (
                Method::POST,
                "/api/v1/risks/simulation".into(),
                Some(json!({ "risk": fair_risk, "iterations": 2000 })),
                "YY----",
                200,
            ),
            (
                Method::PUT,
                "/api/v1/loss-appetite".into(),
                Some(json!({ "points": [[1e6, 0.5], [1e7, 0.05]] })),
                "YY----",
                200,
            ),
            (Method::PUT, "/api/v1/methodology".into(), Some(methodology.clone()), "YY----", 0),
            (Method::POST, "/api/v1/soa/versions".into(), Some(json!({ "comment": "first" })), "YY----", 0),
            (Method::POST, "/api/v1/soa/reviews".into(), Some(json!({ "outcome": "no_change" })), "YY----", 201),
            (
                Method::POST,
                "/api/v1/organization/frameworks".into(),
                Some(json!({ "framework": "gdpr-art32" })),
                "YY----",
                0,
            ),
            (
                Method::POST,
                "/api/v1/invitations".into(),
                Some(json!({ "email": format!("new-by-{role}@acme.test"), "role": "viewer" })),
                "Y-----",
                201,
            ),
            (Method::PATCH, format!("/api/v1/members/{}", t.spare), Some(json!({ "role": "auditor" })), "Y-----", 200),
            (Method::DELETE, format!("/api/v1/members/{}", t.spare), None, "Y-----", 204),
        ];
        for (method, path, body, row, ok) in ops {
            let (got, answer) = c.send(method.clone(), &path, body.as_ref()).await;
            if row.as_bytes()[i] == b'Y' {
                if ok == 0 {
                    assert!(
                        got != StatusCode::FORBIDDEN && !got.is_server_error(),
                        "{role} {method} {path}: {got} {answer}"
                    );
                } else {
                    assert_eq!(got.as_u16(), ok, "{role} {method} {path}: {answer}");
                }
            } else {
                assert_eq!(got, StatusCode::FORBIDDEN, "{role} {method} {path}: {answer}");
                assert_eq!(answer["code"], "forbidden", "{answer}");
            }
        }
    }

    // CSV imports, per role: all rows or none; a bad row is named by line and column.
    for (i, role) in ROLES.iter().enumerate() {
        let c = Client::sign_in(base, &format!("{role}@acme.test"), &passwords[i]).await;
        let assets = format!(
            "name,type,owner,classification,confidentiality,integrity,availability,lifecycle\n\
             Imported by {role},service,owner@acme.test,Internal,2,2,2,in_use\n"
        );
        let risks = format!(
            "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat\n\
             Imported by {role},owner@acme.test,3,4,2,2,modify,phishing\n"
        );
        for (path, csv, row) in [("/api/v1/assets/import", assets, "YY-Y--"), ("/api/v1/risks/import", risks, "YY-Y--")]
        {
            let r = c
                .http
                .post(format!("{base}{path}"))
                .header("cookie", &c.cookie)
                .header("x-csrf-token", &c.csrf)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .unwrap();
            let want = if row.as_bytes()[i] == b'Y' { StatusCode::CREATED } else { StatusCode::FORBIDDEN };
            let status = r.status();
            assert_eq!(status, want, "{role} POST {path}: {}", r.text().await.unwrap());
        }
    }
    let bad = owner
        .http
        .post(format!("{base}/api/v1/assets/import"))
        .header("cookie", &owner.cookie)
        .header("x-csrf-token", &owner.csrf)
        .header("content-type", "text/csv")
        .body("name,type,owner,classification,confidentiality,integrity,availability,lifecycle\nGood,system,owner@acme.test,Internal,1,1,1,in_use\nBad,spaceship,owner@acme.test,Internal,1,1,1,in_use\n")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: Value = bad.json().await.unwrap();
    assert_eq!((report["stored"].as_bool(), report["errors"][0]["line"].as_u64()), (Some(false), Some(3)), "{report}");
    assert_eq!(report["errors"][0]["column"], "type", "{report}");
    let (_, good) = owner.get("/api/v1/assets?name=Good").await;
    assert_eq!(good["total"], 0, "nothing stored from a file with a bad row: {good}");
    let (status, body) = owner.send(Method::POST, "/api/v1/assets/import", Some(&json!({ "rows": [] }))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));

    // A control owner works on what is theirs: their own risk and asset.
    let co = Client::sign_in(base, "control_owner@acme.test", &passwords[2]).await;
    let mine =
        owner.must(Method::POST, "/api/v1/assets", Some(asset("CO laptop", "control_owner@acme.test")), 201).await;
    co.must(
        Method::POST,
        "/api/v1/reviews",
        Some(json!({ "subject": "asset", "id": mine["id"], "outcome": "updated", "comment": "checked" })),
        201,
    )
    .await;
    let own = co
        .must(
            Method::POST,
            "/api/v1/risks",
            Some(json!({ "title": "mine", "owner": "control_owner@acme.test", "inherent": { "likelihood": 2, "impact": 2 } })),
            201,
        )
        .await;
    let own_path = format!("/api/v1/risks/{}", own["id"].as_str().unwrap());
    co.must(Method::PATCH, &own_path, Some(json!({ "residual": { "likelihood": 1, "impact": 2 } })), 200).await;
    co.must(Method::PATCH, &own_path, Some(json!({ "owner": "owner@acme.test" })), 403).await;
    co.must(Method::DELETE, &own_path, None, 204).await;

    // What the writes left behind is what the reads show, and every change is in the
    // trail, attributed.
    let (_, scope) = owner.get("/api/v1/scope").await;
    assert_eq!(scope["statement"], "scope by contributor", "the last allowed writer: {scope}");
    let (_, members) = owner.get("/api/v1/members?role=viewer&sort=email").await;
    let emails: Vec<&str> = members["items"].as_array().unwrap().iter().map(|m| m["email"].as_str().unwrap()).collect();
    assert_eq!(
        emails,
        [
            "spare-auditor@acme.test",
            "spare-contributor@acme.test",
            "spare-control_owner@acme.test",
            "spare-isms_manager@acme.test",
            "spare-viewer@acme.test",
            "viewer@acme.test"
        ],
        "the owner's spare was promoted and removed; the others could not touch theirs: {members}"
    );
    let (_, invitations) = owner.get("/api/v1/invitations?state=pending").await;
    let invited: Vec<&str> =
        invitations["items"].as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    assert_eq!(invited, ["new-by-owner@acme.test"], "only the owner's invitation was made: {invitations}");
    let (_, appetite) = owner.get("/api/v1/loss-appetite").await;
    assert_eq!(appetite["points"][1][1], 0.05);
    let (_, versions) = owner.get("/api/v1/soa/versions").await;
    assert!(versions["items"].as_array().unwrap().len() <= 1, "{versions}");
    let (_, fw) = owner.get("/api/v1/organization/frameworks").await;
    assert!(fw["items"].as_array().unwrap().iter().any(|f| f == "gdpr-art32"), "{fw}");
    let (_, verify) = owner.get("/api/v1/audit-log/verify").await;
    assert_eq!(verify["intact"], true, "{verify}");
    let mut after = 0;
    let mut actions = Vec::new();
    loop {
        let (_, page) = owner.get(&format!("/api/v1/audit-log?after={after}&limit=1000")).await;
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        after = items.last().unwrap()["seq"].as_i64().unwrap();
        actions.extend(items.into_iter().map(|e| e["action"].as_str().unwrap().to_owned()));
    }
    for action in [
        "scope.updated",
        "context_issue.deleted",
        "asset.deleted",
        "risk.deleted",
        "membership.changed",
        "membership.removed",
        "loss_appetite.updated",
        "soa.reviewed",
        "asset.reviewed",
    ] {
        assert!(actions.iter().any(|a| a == action), "no {action} in the trail: {actions:?}");
    }

    // Exports: the risk register names every imported risk; the audit log reads as CSV.
    let r = owner
        .http
        .get(format!("{base}/api/v1/risks/export?report=register&format=csv"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let register = r.text().await.unwrap();
    for role in ["owner", "isms_manager", "contributor"] {
        assert!(register.contains(&format!("Imported by {role}")), "{register}");
    }
    let r = owner
        .http
        .get(format!("{base}/api/v1/audit-log/export?format=csv"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    let trail = r.text().await.unwrap();
    assert!(trail.starts_with("seq,at,actor,action"), "{}", &trail[..80.min(trail.len())]);
    assert_eq!(trail.lines().filter(|l| l.contains("membership.removed")).count(), 1, "the owner's spare only");
    let (status, _) = owner.get("/api/v1/audit-log/export?format=xlsx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The export is a real workbook, named by version.
    let r = owner
        .http
        .get(format!("{base}/api/v1/soa/export?format=xlsx&version=draft"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("soa-draft.xlsx"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"), "an XLSX is a zip");

    // The last owner can neither be demoted nor removed.
    let (status, body) = owner.send(Method::DELETE, "/api/v1/members/owner@acme.test", None).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("last_owner")), "{body}");
    // A removed member's session loses the organization at once; an account left in
    // no organization, with no invitation pending, opens nothing at all
    // (isms_app::sessions::authenticate).
    let viewer = Client::sign_in(base, "viewer@acme.test", &passwords[5]).await;
    owner.must(Method::DELETE, "/api/v1/members/viewer@acme.test", None, 204).await;
    let (status, body) = viewer.get("/api/v1/risks").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("not_signed_in")), "{body}");
}
