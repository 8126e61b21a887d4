//! `isms audit-log`: the trail written by real commands (real clock) verifies, and
//! tampering with a row directly in the database is detected and named.

use sqlx::{Connection, Executor};

use crate::support::Sandbox;

#[tokio::test]
async fn the_trail_of_real_commands_verifies_and_a_tampered_row_is_named() {
    let s = Sandbox::new();
    let run = |args: &[&str]| s.isms(args);
    assert_eq!(run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]).code, 0);
    assert_eq!(run(&["control", "set", "A.5.1", "A.5.2", "--org", "Acme", "--status", "planned"]).code, 0);
    assert_eq!(
        run(&["risk", "add", "--org", "Acme", "--title", "Phishing", "--owner", "ciso@acme.test", "--inherent", "4,3"])
            .code,
        0
    );
    let ok = run(&["audit-log", "verify"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("intact"), "{}", ok.stdout);
    let csv = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    assert!(
        csv.stdout.starts_with("seq,at,actor,action,entity,entity_id,before,after,prev_hash,hash"),
        "{}",
        csv.stdout
    );
    let entries = csv.stdout.lines().count() - 1;
    assert!(entries >= 6, "{entries}");

    let db = s.data_dir().join("isms.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    conn.execute("UPDATE trail_entries SET after_state = replace(after_state, 'planned', 'implemented') WHERE seq = 5")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let broken = run(&["audit-log", "verify", "--org", "Acme"]);
    assert_eq!(broken.code, 1, "a check that says no exits 1: {broken:?}");
    assert!(broken.stdout.contains("BROKEN — audit trail entry 5 was altered"), "{}", broken.stdout);
}

/// The trail is filtered by who acted, the kind of record (and which one) and the day,
/// the same in the API and on the page; each entry links to its record and shows what
/// changed.
#[tokio::test]
async fn the_trail_is_filtered_by_who_what_and_when_in_the_api_and_the_page() {
    use reqwest::Method;
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let ciso = s.init_org("Acme", "ciso@acme.test");
    let cli = s.isms(&[
        "risk",
        "add",
        "--org",
        "Acme",
        "--title",
        "Phishing",
        "--owner",
        "ciso@acme.test",
        "--inherent",
        "4,3",
    ]);
    assert_eq!(cli.code, 0, "{cli:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let api = crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), "ciso@acme.test", &ciso).await;
    let body = serde_json::json!({ "threat": "Credential phishing" });
    api.must(Method::PATCH, "/api/v1/risks/RSK-001", Some(body), 200).await;
    let me = api.session["user"]["id"].as_str().unwrap().to_owned();

    let items = |v: &serde_json::Value| v["items"].as_array().unwrap().clone();
    let mine = api.must(Method::GET, &format!("/api/v1/audit-log?actor=user:{me}"), None, 200).await;
    assert!(!items(&mine).is_empty());
    assert!(items(&mine).iter().all(|e| e["actor"]["id"] == me.as_str()), "{mine}");
    let system = api.must(Method::GET, "/api/v1/audit-log?actor=system&entity=risk", None, 200).await;
    assert_eq!(items(&system).len(), 1, "{system}");
    assert_eq!(items(&system)[0]["action"], "risk.created");
    let risk = api.must(Method::GET, "/api/v1/audit-log?entity=risk&entity_id=RSK-001", None, 200).await;
    assert_eq!(items(&risk).len(), 2, "the risk's history: created, then changed: {risk}");
    let none = api.must(Method::GET, "/api/v1/audit-log?since=2199-01-01", None, 200).await;
    assert!(items(&none).is_empty());
    let today = api.must(Method::GET, "/api/v1/audit-log?until=2199-01-01&limit=2", None, 200).await;
    assert_eq!(items(&today).len(), 2, "the limit holds with a filter");
    let (status, bad) = api.get("/api/v1/audit-log?since=yesterday").await;
    assert_eq!(status, 422);
    assert!(bad.to_string().contains("since"), "{bad}");
    assert_eq!(api.get("/api/v1/audit-log?actor=somebody").await.0, 422);
    let html = |v: (reqwest::StatusCode, serde_json::Value)| {
        assert_eq!(v.0, 200);
        v.1.as_str().unwrap().to_owned()
    };

    // The page: the same filter, the record linked, the changed field before and after.
    let page = html(api.get("/audit-log?kind=risk&record=RSK-001").await);
    assert!(page.contains("<strong>2</strong> entries of"), "{page}");
    assert!(page.contains(r#"<a href="/risks/RSK-001">RSK-001</a>"#), "{page}");
    assert!(page.contains("<strong>threat</strong>: <del>—</del> → <ins>Credential phishing</ins>"), "{page}");
    let by_cli = html(api.get("/audit-log?who=system&kind=risk").await);
    assert!(by_cli.contains("<strong>1</strong> entry of"), "{by_cli}");
    assert!(by_cli.contains("isms risk add (command line)"), "{by_cli}");
    let empty = html(api.get("/audit-log?since=2199-01-01").await);
    assert!(empty.contains("id=\"no-entries\""), "{empty}");
}
