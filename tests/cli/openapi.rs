//! The OpenAPI document: printed by `isms openapi`, served at /api/v1/openapi.json,
//! and every operation it lists is a route the server answers (not the fallback 404,
//! not 405). CI also validates it against the OpenAPI 3.1 schema (.ci/run).

use reqwest::Method;
use serde_json::Value;

use crate::support::{Sandbox, http};

async fn is_fallback(r: reqwest::Response) -> bool {
    if r.status() == reqwest::StatusCode::METHOD_NOT_ALLOWED {
        return true;
    }
    r.status() == reqwest::StatusCode::NOT_FOUND
        && r.json::<Value>()
            .await
            .is_ok_and(|b| b["detail"].as_str().is_some_and(|d| d.starts_with("there is nothing at")))
}

#[tokio::test]
async fn the_document_is_served_printed_and_lists_only_real_routes() {
    let s = Sandbox::new();
    let printed = s.run(&["openapi"]);
    assert_eq!(printed.code, 0, "{printed:?}");
    let doc: Value = serde_json::from_str(&printed.stdout).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");

    let d = s.data_dir().to_str().unwrap().to_owned();
    assert_eq!(s.run(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]).code, 0);
    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let served: Value = client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(served, doc, "the server serves what the CLI prints");

    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(op["operationId"].is_string() && op["summary"].is_string(), "{method} {path}");
            let concrete: String =
                path.split('/').map(|seg| if seg.starts_with('{') { "x" } else { seg }).collect::<Vec<_>>().join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = client
                .request(m, server.url(&concrete))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            assert!(!is_fallback(r).await, "{method} {path} is documented but not routed");
        }
    }
    assert!(operations >= 70, "{operations}");
    for expected in [
        "/api/v1/session",
        "/api/v1/risks/{id}",
        "/api/v1/tokens",
        "/api/v1/audit-log/verify",
        "/api/v1/openapi.json",
        "/api/v1/assets/{id}",
        "/api/v1/scope",
        "/api/v1/soa/export",
        "/api/v1/members/{email}",
        "/api/v1/crosswalk",
    ] {
        assert!(paths.contains_key(expected), "{expected} missing");
    }
    // docs/api.md lists every operation of the document.
    let api_md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md")).unwrap();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let row = format!("| {} | `{path}` |", method.to_uppercase());
            assert!(api_md.contains(&row), "docs/api.md does not list {row}");
        }
    }
    // The check can fail: an unrouted path is the fallback.
    let missing = client.get(server.url("/api/v1/nope")).send().await.unwrap();
    assert!(is_fallback(missing).await);
}

/// Every operation with a path parameter answers a malformed one (bad percent-encoding)
/// with a problem document, never plain text; timestamps are RFC 3339 strings.
#[tokio::test]
async fn bad_path_parameters_are_problem_documents_and_times_are_rfc3339() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let init = s.run(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]);
    assert_eq!(init.code, 0, "{init:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let session =
        crate::support::sign_in(&client, &server.url(""), "a@acme.test", &crate::support::shown_password(&init.stdout))
            .await;
    let doc: Value = client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let bad: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "%FF%FE" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = client
                .request(m, server.url(&bad))
                .header("cookie", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let status = r.status();
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert!(status.is_client_error(), "{method} {bad}: {status}");
            assert_eq!(kind, "application/problem+json", "{method} {bad}: {status} answered {kind}");
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked}");
    let token = client
        .post(server.url("/api/v1/tokens"))
        .header("cookie", &session.cookie)
        .header("x-csrf-token", &session.csrf)
        .json(&serde_json::json!({ "name": "ci", "role": "viewer", "expires_in_days": 30 }))
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 201);
    let token: Value = token.json().await.unwrap();
    let token = if token.get("token").is_some_and(Value::is_object) { token["token"].clone() } else { token };
    for key in ["created_at", "expires_at"] {
        let text = token[key].as_str().unwrap_or_else(|| panic!("{key} is not a string: {token}"));
        assert!(
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok(),
            "{key}: {text}"
        );
    }
}
