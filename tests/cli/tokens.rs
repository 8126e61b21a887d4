//! API tokens: created from a session with a role ceiling within the creator's role,
//! shown once, stored hashed, used as `Authorization: Bearer`, revocable, audited.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{ApiSession, Sandbox, dump_sqlite, http, shown_password, sign_in};

#[tokio::test]
async fn tokens_are_ceilinged_shown_once_hashed_revocable_and_audited() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.isms(args);
    let init = run(&["init", "--org", "Acme", "--admin-email", "owner@acme.test"]);
    let owner_pw = shown_password(&init.stdout);
    let dana_pw = s.join(&d, "Acme", "dana@acme.test", "auditor");
    assert_eq!(
        run(&[
            "risk",
            "add",
            "--org",
            "Acme",
            "--title",
            "Phishing",
            "--owner",
            "owner@acme.test",
            "--inherent",
            "4,3"
        ])
        .code,
        0
    );

    let server = s.serve(&["--data-dir", &d], &[]);
    let base = server.url("");
    let base = base.trim_end_matches('/');
    let client = http();
    let owner = sign_in(&client, base, "owner@acme.test", &owner_pw).await;
    let create = |who: &ApiSession, body: Value, csrf: bool| {
        let mut r = client.post(format!("{base}/api/v1/tokens")).header("cookie", &who.cookie).json(&body);
        if csrf {
            r = r.header("x-csrf-token", &who.csrf);
        }
        r.send()
    };
    let bearer = |secret: &str, path: &str| {
        client.get(format!("{base}{path}")).header("authorization", format!("Bearer {secret}")).send()
    };

    assert_eq!(
        create(&owner, json!({ "name": "ci", "role": "viewer" }), false).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let made = create(&owner, json!({ "name": "ci", "role": "viewer" }), true).await.unwrap();
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.unwrap();
    let viewer_secret = made["secret"].as_str().unwrap().to_owned();
    let viewer_id = made["token"]["id"].as_str().unwrap().to_owned();
    assert!(viewer_secret.starts_with("isms_"), "{viewer_secret}");
    assert!(made["token"].get("token_hash").is_none());
    assert!(!dump_sqlite(&s.data_dir().join("isms.db")).contains(&viewer_secret), "only the hash is stored");

    // The ceiling narrows the owner's role; no CSRF token is needed with a bearer token.
    let risks: Value = bearer(&viewer_secret, "/api/v1/risks").await.unwrap().json().await.unwrap();
    assert_eq!(risks["items"][0]["title"], "Phishing");
    let denied = bearer(&viewer_secret, "/api/v1/audit-log").await.unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    assert!(denied.text().await.unwrap().contains("ceiling"));
    let auditor =
        create(&owner, json!({ "name": "evidence", "role": "auditor", "expires_in_days": 30 }), true).await.unwrap();
    let auditor_secret = auditor.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    assert_eq!(bearer(&auditor_secret, "/api/v1/audit-log/verify").await.unwrap().status(), StatusCode::OK);

    // A token cannot mint tokens; bad input names its field.
    let minted = client
        .post(format!("{base}/api/v1/tokens"))
        .header("authorization", format!("Bearer {auditor_secret}"))
        .json(&json!({ "name": "x", "role": "viewer" }))
        .send()
        .await
        .unwrap();
    assert_eq!(minted.status(), StatusCode::UNAUTHORIZED);
    for (body, field) in [
        (json!({ "name": "x", "role": "viewer", "expires_in_days": 0 }), "expires_in_days"),
        (json!({ "name": " ", "role": "viewer" }), "name"),
        (json!({ "name": "x", "role": "root" }), "role"),
    ] {
        let r = create(&owner, body, true).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.unwrap()["errors"][0]["field"], field);
    }

    // An auditor's token stays within the auditor role.
    let dana = sign_in(&client, base, "dana@acme.test", &dana_pw).await;
    for role in ["contributor", "owner"] {
        let r = create(&dana, json!({ "name": "x", "role": role }), true).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{role}");
    }
    assert_eq!(
        create(&dana, json!({ "name": "ro", "role": "viewer" }), true).await.unwrap().status(),
        StatusCode::CREATED
    );
    // ... and sees and revokes only her own tokens.
    let dana_list: Value = client
        .get(format!("{base}/api/v1/tokens"))
        .header("cookie", &dana.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dana_list["items"].as_array().unwrap().len(), 1);
    let revoke = |who: &ApiSession, id: &str| {
        client
            .delete(format!("{base}/api/v1/tokens/{id}"))
            .header("cookie", &who.cookie)
            .header("x-csrf-token", &who.csrf)
            .send()
    };
    assert_eq!(revoke(&dana, &viewer_id).await.unwrap().status(), StatusCode::NOT_FOUND);
    assert_eq!(revoke(&owner, &viewer_id).await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(revoke(&owner, &viewer_id).await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(bearer(&viewer_secret, "/api/v1/risks").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(bearer("isms_nonsense", "/api/v1/risks").await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let log = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]).stdout;
    assert!(log.contains("api_token.created") && log.contains("api_token.revoked"), "{log}");
    assert!(!log.contains(&viewer_secret) && !log.contains(&auditor_secret));
    assert_eq!(run(&["audit-log", "verify"]).code, 0);
}
