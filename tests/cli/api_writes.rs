//! Writes beyond the role matrix (`role_matrix.rs`, where every role meets every
//! operation): another organization's ids are 404 for everyone, never 403; a CSV
//! import with a bad row stores nothing; a control owner works on what is theirs and
//! cannot hand it on; exports; the last owner; a removed member.

use isms_domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::role_matrix::{Acme, asset};
use crate::support::ApiClient as Client;

#[tokio::test]
async fn other_organizations_imports_exports_and_the_last_owner() {
    let acme = Acme::new();
    let globex =
        acme.run(&["org", "add", "--name", "Globex", "--owner-email", "carol@globex.test", "--owner-name", "Carol"]);
    let carol_password = "carol's own password".to_owned();
    assert_eq!(acme.sandbox.accept(&acme.data_dir, &globex.stdout, &carol_password).code, 0);
    let (_server, base) = acme.serve();
    let base = base.as_str();

    // Globex's records exist before Acme has any: their ids are 404 to Acme, whatever
    // the role, for reads and writes alike.
    let carol = Client::sign_in(base, "carol@globex.test", &carol_password).await;
    let g_asset = carol.must(Method::POST, "/api/v1/assets", Some(asset("Globex ERP", "carol@globex.test")), 201).await;
    let g_issue = carol
        .must(Method::POST, "/api/v1/context-issues", Some(json!({ "origin": "internal", "title": "Globex" })), 201)
        .await;
    let g_asset = g_asset["id"].as_str().unwrap().to_owned();
    let g_issue = g_issue["id"].as_str().unwrap().to_owned();
    let owner = acme.sign_in(base, Role::Owner).await;
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

    // CSV imports: all rows or none; a bad row is named by line and column.
    let risks = "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat\n\
                 Imported by the owner,owner@acme.test,3,4,2,2,modify,phishing\n";
    let r = owner
        .http
        .post(format!("{base}/api/v1/risks/import"))
        .header("cookie", &owner.cookie)
        .header("x-csrf-token", &owner.csrf)
        .header("content-type", "text/csv")
        .body(risks)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
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
    let co = acme.sign_in(base, Role::ControlOwner).await;
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

    // Exports: the risk register names the imported risk.
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
    assert!(register.contains("Imported by the owner"), "{register}");
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
    let viewer = acme.sign_in(base, Role::Viewer).await;
    owner.must(Method::DELETE, "/api/v1/members/viewer@acme.test", None, 204).await;
    let (status, body) = viewer.get("/api/v1/risks").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("not_signed_in")), "{body}");
    // The trail reads as CSV; an XLSX of it is refused.
    let r = owner
        .http
        .get(format!("{base}/api/v1/audit-log/export?format=csv"))
        .header("cookie", &owner.cookie)
        .send()
        .await
        .unwrap();
    let trail = r.text().await.unwrap();
    assert!(trail.starts_with("seq,at,actor,action"), "{}", &trail[..80.min(trail.len())]);
    assert_eq!(trail.lines().filter(|l| l.contains("membership.removed")).count(), 1, "the viewer's removal");
    let (status, _) = owner.get("/api/v1/audit-log/export?format=xlsx").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
