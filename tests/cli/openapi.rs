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

/// A schema with its `$ref` (to `components/schemas`) followed, and of an optional
/// field (`anyOf` with null) the non-null alternative.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r} is not a component"));
        let target = &doc["components"]["schemas"][name];
        assert!(target.is_object(), "{r} is not in the document");
        return resolve(doc, target);
    }
    if let Some(any) = schema["anyOf"].as_array() {
        let not_null: Vec<&Value> = any.iter().filter(|s| s["type"] != "null").collect();
        if let [one] = not_null[..] {
            return resolve(doc, one);
        }
    }
    schema
}

fn has_type(schema: &Value, kind: &str) -> bool {
    schema["type"] == kind || schema["type"].as_array().is_some_and(|t| t.iter().any(|k| k == kind))
}

/// The JSON request bodies of the document come from the types the handlers read:
/// every one has its fields, types that refuse unknown fields say so (and really do
/// refuse them), and a few are checked field by field.
#[tokio::test]
async fn request_bodies_are_the_schemas_of_what_the_handlers_read() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let init = s.run(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]);
    assert_eq!(init.code, 0, "{init:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let doc: Value = client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    let session =
        crate::support::sign_in(&client, &server.url(""), "a@acme.test", &crate::support::shown_password(&init.stdout))
            .await;

    // Bodies that are domain records as GET answers them: those types take unknown
    // fields (older clients, the answer's extra fields) and the document says nothing else.
    let open = [
        "addContextIssue",
        "replaceContextIssue",
        "addInterestedParty",
        "replaceInterestedParty",
        "addIsmsRole",
        "replaceIsmsRole",
        "addObjective",
        "replaceObjective",
        "addAsset",
        "replaceAsset",
        "setScope",
        "setClassificationScheme",
        "setFairEstimates",
        "setMethodology",
    ];
    let mut bodies = 0;
    let mut closed = 0;
    let mut seen_open = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let Some(schema) = op["requestBody"]["content"].get("application/json").map(|c| &c["schema"]) else {
                continue;
            };
            bodies += 1;
            let schema = resolve(&doc, schema);
            assert_eq!(schema["type"], "object", "{id}: {schema}");
            let properties = schema["properties"].as_object().unwrap_or_else(|| panic!("{id} has no properties"));
            assert!(!properties.is_empty(), "{id}");
            for (name, field) in properties {
                let field = resolve(&doc, field);
                assert!(field.get("type").is_some() || field.get("oneOf").is_some(), "{id}.{name}: {field}");
            }
            if let Some(required) = schema["required"].as_array() {
                for r in required {
                    assert!(properties.contains_key(r.as_str().unwrap()), "{id}: required {r} is not a property");
                }
            }
            if open.contains(&id) {
                assert!(schema.get("additionalProperties").is_none(), "{id}");
                seen_open.push(id);
                continue;
            }
            assert_eq!(schema["additionalProperties"], false, "{id} refuses unknown fields; the document must say so");
            closed += 1;
            // And it does refuse them.
            let concrete: String =
                path.split('/').map(|seg| if seg.starts_with('{') { "1" } else { seg }).collect::<Vec<_>>().join("/");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = client
                .request(m, server.url(&concrete))
                .header("cookie", &session.cookie)
                .header("x-csrf-token", &session.csrf)
                .json(&serde_json::json!({ "no_such_field": 1 }))
                .send()
                .await
                .unwrap();
            let status = r.status();
            let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            assert!(status == 400 || status == 422, "{method} {concrete} with an unknown field: {status}");
            assert_eq!(kind, "application/problem+json", "{method} {concrete}");
        }
    }
    assert_eq!(seen_open.len(), open.len(), "{seen_open:?}");
    assert!(bodies >= 50 && closed >= 35, "{bodies} bodies, {closed} closed");

    let body = |path: &str, method: &str| -> &Value {
        let schema = &doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"];
        resolve(&doc, schema)
    };
    // PATCH a risk: every field optional, title a string, treatment one of the options.
    let patch = body("/api/v1/risks/{id}", "patch");
    assert!(patch["required"].as_array().is_none_or(Vec::is_empty), "{patch}");
    assert!(has_type(&patch["properties"]["title"], "string"), "{patch}");
    let treatment = resolve(&doc, &patch["properties"]["treatment"]);
    assert_eq!(treatment["enum"], serde_json::json!(["modify", "retain", "avoid", "share"]), "{treatment}");
    let actions = &patch["properties"]["actions"];
    assert!(has_type(actions, "array"), "{actions}");
    let action = resolve(&doc, &actions["items"]);
    assert_eq!(action["properties"]["due"]["format"], "date", "{action}");
    assert_eq!(
        resolve(&doc, &action["properties"]["status"])["enum"],
        serde_json::json!(["open", "in_progress", "done"])
    );
    // A new risk: title, owner and the inherent rating are required; a rating is two integers.
    let new_risk = body("/api/v1/risks", "post");
    let mut required: Vec<&str> =
        new_risk["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    required.sort_unstable();
    assert_eq!(required, ["inherent", "owner", "title"]);
    let rating = resolve(&doc, &new_risk["properties"]["inherent"]);
    assert_eq!(rating["properties"]["likelihood"]["type"], "integer", "{rating}");
    assert_eq!(new_risk["properties"]["next_review"]["format"], "date");
    // A token: name and role required, the lifetime optional with its default.
    let token = body("/api/v1/tokens", "post");
    let mut required: Vec<&str> = token["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    required.sort_unstable();
    assert_eq!(required, ["name", "role"]);
    assert_eq!(token["properties"]["expires_in_days"]["default"], 90);
    assert_eq!(token["properties"]["name"]["description"], "A name to recognize it by");
    // Enums of the domain: a checklist result, a finding's grade.
    let result = resolve(&doc, &body("/api/v1/audits/{id}/checklist/{reference}", "put")["properties"]["result"]);
    assert_eq!(result["enum"], serde_json::json!(["open", "conforming", "finding", "not_audited"]));
    let grade = resolve(&doc, &body("/api/v1/findings", "post")["properties"]["grade"]);
    assert_eq!(grade["enum"], serde_json::json!(["major", "minor", "observation", "opportunity"]));
    // FAIR estimates: the frequency is one of the estimation methods.
    let fair = body("/api/v1/risks/{id}/fair", "put");
    let frequency = resolve(&doc, &fair["properties"]["frequency"]);
    assert_eq!(frequency["oneOf"].as_array().map(Vec::len), Some(3), "{frequency}");
    // An optional body (the handler reads an empty one as the default).
    let verify = &doc["paths"]["/api/v1/findings/{id}/verification"]["post"]["requestBody"];
    assert_eq!(verify["required"], false, "{verify}");
    assert_eq!(doc["paths"]["/api/v1/findings"]["post"]["requestBody"]["required"], true);
}
