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

/// A fresh workspace served on 127.0.0.1, its owner (`a@acme.test`) signed in, and
/// the OpenAPI document it serves. The sandbox and server live as long as the value.
struct Served {
    _sandbox: Sandbox,
    server: crate::support::Server,
    client: reqwest::Client,
    session: crate::support::ApiSession,
    doc: Value,
}

async fn served() -> Served {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let init = s.run(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]);
    assert_eq!(init.code, 0, "{init:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let password = crate::support::shown_password(&init.stdout);
    let session = crate::support::sign_in(&client, &server.url(""), "a@acme.test", &password).await;
    let doc: Value = client.get(server.url("/api/v1/openapi.json")).send().await.unwrap().json().await.unwrap();
    Served { _sandbox: s, server, client, session, doc }
}

/// Every operation with a path parameter answers a malformed one (bad percent-encoding)
/// with a problem document, never plain text; timestamps are RFC 3339 strings.
#[tokio::test]
async fn bad_path_parameters_are_problem_documents_and_times_are_rfc3339() {
    let Served { _sandbox, server, client, session, doc } = served().await;
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
    let Served { _sandbox, server, client, session, doc } = served().await;

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

/// Checks answers against the document's response schemas: each schema is validated
/// with the document's `components` at its root, so its `$ref`s resolve.
struct Answers {
    doc: Value,
    client: reqwest::Client,
    base: String,
    session: crate::support::ApiSession,
    checked: Vec<String>,
}

impl Answers {
    /// Sends `method path` (the concrete `url`, `path` as documented) and checks the
    /// answer against the documented schema of its success status; answers it.
    async fn check(&mut self, method: &str, path: &str, url: &str, body: Option<Value>) -> Value {
        let op = &self.doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is not documented");
        let (status, response) = op["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(k, _)| k.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {path} documents no success"));
        let schema = &response["content"]["application/json"]["schema"];
        assert!(schema.is_object(), "{method} {path} answers no JSON");
        assert_ne!(*schema, serde_json::json!({ "type": "object" }), "{method} {path} has no real schema");
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self
            .client
            .request(m, format!("{}{url}", self.base))
            .header("cookie", &self.session.cookie)
            .header("x-csrf-token", &self.session.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let r = request.send().await.unwrap();
        let got = r.status().as_u16().to_string();
        let answer: Value = r.json().await.unwrap();
        assert_eq!(&got, status, "{method} {url}: {answer}");
        let mut root = schema.clone();
        root["$schema"] = serde_json::json!("https://json-schema.org/draft/2020-12/schema");
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{method} {path}: the schema does not compile: {e}"));
        let errors: Vec<String> =
            validator.iter_errors(&answer).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{method} {url} answered what its schema refuses: {errors:#?}\n{answer:#}");
        self.checked.push(format!("{method} {path}"));
        answer
    }

    async fn get(&mut self, path: &str, url: &str) -> Value {
        self.check("get", path, url, None).await
    }
}

#[tokio::test]
async fn answers_match_their_documented_schemas() {
    let Served { _sandbox, server, client, session, doc } = served().await;
    let mut a = Answers { doc, client, base: server.url(""), session, checked: Vec::new() };
    let json = |v: Value| Some(v);

    // A little data, through the API; the answers are checked too.
    let risk = a
        .check(
            "post",
            "/api/v1/risks",
            "/api/v1/risks",
            json(serde_json::json!({ "title": "Backups fail", "owner": "a@acme.test", "inherent": { "likelihood": 3, "impact": 4 } })),
        )
        .await;
    let risk = risk["id"].as_str().unwrap().to_owned();
    let asset = a
        .check(
            "post",
            "/api/v1/assets",
            "/api/v1/assets",
            json(serde_json::json!({ "name": "Billing DB", "type": "system", "owner": "a@acme.test", "classification": "internal",
                "confidentiality": 3, "integrity": 3, "availability": 2, "lifecycle": "in_use" })),
        )
        .await;
    let asset = asset["id"].as_str().unwrap().to_owned();
    a.check(
        "post",
        "/api/v1/context-issues",
        "/api/v1/context-issues",
        json(serde_json::json!({ "origin": "internal", "title": "Small team" })),
    )
    .await;
    let document = a
        .check(
            "post",
            "/api/v1/documents",
            "/api/v1/documents",
            json(serde_json::json!({ "title": "Access control policy", "type": "policy", "clauses": ["5.2"], "controls": ["5.15"], "acknowledged_by": "everyone", "text": "draft" })),
        )
        .await;
    let document = document["id"].as_str().unwrap().to_owned();
    let evidence = a
        .check(
            "post",
            "/api/v1/evidence/links",
            "/api/v1/evidence/links",
            json(serde_json::json!({ "url": "https://tickets.example/OPS-12", "title": "Access review ticket", "controls": ["A.5.18"] })),
        )
        .await;
    let evidence = evidence["id"].as_str().unwrap().to_owned();
    let planned = a
        .check(
            "post",
            "/api/v1/audits",
            "/api/v1/audits",
            json(serde_json::json!({ "kind": "internal", "auditor": "a@acme.test", "start": "2026-10-01", "end": "2026-10-02", "controls": ["A.8.13"] })),
        )
        .await;
    let audit = planned["audit"]["id"].as_str().unwrap().to_owned();
    // A certificate follows a held Stage 1 and Stage 2.
    let api = crate::support::ApiClient {
        http: a.client.clone(),
        base: a.base.trim_end_matches('/').to_owned(),
        cookie: a.session.cookie.clone(),
        csrf: a.session.csrf.clone(),
        session: a.session.body.clone(),
    };
    crate::support::held_audit(&api, "stage1", "2026-01-12", "2026-01-13").await;
    crate::support::held_audit(&api, "stage2", "2026-03-02", "2026-03-05").await;
    let certificate = a
        .check(
        "post",
        "/api/v1/certificates",
        "/api/v1/certificates",
        json(serde_json::json!({ "number": "IS 1", "certification_body": "Registrar", "issued": "2026-03-15", "scope": "All of Acme" })),
    )
    .await;
    let review = a
        .check(
        "post",
        "/api/v1/management-reviews",
        "/api/v1/management-reviews",
        json(serde_json::json!({ "held_on": "2026-10-10", "attendees": ["a@acme.test"], "inputs": [{ "topic": "audits", "notes": "None yet." }],
            "decisions": ["Hire"], "actions": [{ "title": "Hire", "owner": "a@acme.test", "due": "2027-01-31" }] })),
    )
    .await;
    a.check(
        "patch",
        "/api/v1/risks/{id}",
        &format!("/api/v1/risks/{risk}"),
        json(serde_json::json!({ "title": "Backups fail silently" })),
    )
    .await;
    a.check("post", "/api/v1/tokens", "/api/v1/tokens", json(serde_json::json!({ "name": "ci", "role": "viewer" })))
        .await;
    let pert =
        |low: f64, mode: f64, high: f64| serde_json::json!({ "type": "pert", "low": low, "mode": mode, "high": high });
    a.check(
        "put",
        "/api/v1/risks/{id}/fair",
        &format!("/api/v1/risks/{risk}/fair"),
        json(serde_json::json!({
            "frequency": { "method": "vulnerability", "tef": pert(0.1, 0.4, 1.6), "vuln": pert(0.05, 0.25, 0.6) },
            "pl": pert(8000.0, 60000.0, 600000.0),
            "slef": pert(0.05, 0.2, 0.5),
            "slem": pert(20000.0, 160000.0, 2400000.0),
        })),
    )
    .await;
    a.check(
        "post",
        "/api/v1/risks/simulation",
        "/api/v1/risks/simulation",
        json(serde_json::json!({ "iterations": 200 })),
    )
    .await;

    let certificate = certificate["certificate"]["id"].as_str().unwrap().to_owned();
    let review = review["review"]["id"].as_str().unwrap().to_owned();
    let more: Vec<(&str, &str, String, Value)> = vec![
        (
            "patch",
            "/api/v1/certificates/{id}",
            format!("/api/v1/certificates/{certificate}"),
            serde_json::json!({ "status": "suspended" }),
        ),
        (
            "put",
            "/api/v1/management-reviews/{id}/actions/{number}",
            format!("/api/v1/management-reviews/{review}/actions/1"),
            serde_json::json!({ "done": true }),
        ),
        (
            "put",
            "/api/v1/audit-settings",
            "/api/v1/audit-settings".to_owned(),
            serde_json::json!({ "minor_due_days": 60 }),
        ),
        (
            "put",
            "/api/v1/audits/{id}/checklist/{reference}",
            format!("/api/v1/audits/{audit}/checklist/9.2.1"),
            serde_json::json!({ "result": "conforming" }),
        ),
        (
            "post",
            "/api/v1/findings",
            "/api/v1/findings".to_owned(),
            serde_json::json!({ "audit": audit, "grade": "major", "requirement": "A.8.13", "description": "No backups", "owner": "a@acme.test" }),
        ),
        ("post", "/api/v1/documents/{id}/submission", format!("/api/v1/documents/{document}/submission"), Value::Null),
        (
            "post",
            "/api/v1/documents/{id}/approval",
            format!("/api/v1/documents/{document}/approval"),
            serde_json::json!({ "comment": "ok" }),
        ),
        (
            "post",
            "/api/v1/documents/{id}/acknowledgement",
            format!("/api/v1/documents/{document}/acknowledgement"),
            Value::Null,
        ),
        (
            "put",
            "/api/v1/loss-appetite",
            "/api/v1/loss-appetite".to_owned(),
            serde_json::json!({ "points": [[10000.0, 0.5], [1000000.0, 0.01]] }),
        ),
        (
            "post",
            "/api/v1/reviews",
            "/api/v1/reviews".to_owned(),
            serde_json::json!({ "subject": "asset", "id": asset, "outcome": "no_change" }),
        ),
        (
            "post",
            "/api/v1/invitations",
            "/api/v1/invitations".to_owned(),
            serde_json::json!({ "email": "b@acme.test", "role": "viewer" }),
        ),
        (
            "patch",
            "/api/v1/members/{email}",
            "/api/v1/members/b@acme.test".to_owned(),
            serde_json::json!({ "role": "auditor" }),
        ),
    ];
    let mut finding = String::new();
    for (method, path, url, body) in more {
        let answer = a.check(method, path, &url, if body.is_null() { None } else { Some(body) }).await;
        if path == "/api/v1/findings" {
            finding = answer["id"].as_str().unwrap().to_owned();
        }
        if path == "/api/v1/invitations" {
            let token = answer["link"].as_str().unwrap().rsplit("/invite/").next().unwrap().to_owned();
            let acceptance = serde_json::json!({ "token": token, "password": "b's very own password" });
            a.check("post", "/api/v1/invitations/accept", "/api/v1/invitations/accept", Some(acceptance)).await;
        }
    }
    a.get("/api/v1/invitations", "/api/v1/invitations").await;
    a.get("/api/v1/calendar/tokens", "/api/v1/calendar/tokens").await;
    a.get("/api/v1/findings/{id}", &format!("/api/v1/findings/{finding}")).await;
    a.get("/api/v1/loss-appetite", "/api/v1/loss-appetite").await;

    for path in [
        "/api/v1/session",
        "/api/v1/session/organizations",
        "/api/v1/tokens",
        "/api/v1/members",
        "/api/v1/risks",
        "/api/v1/risks/heatmap",
        "/api/v1/risks/plan",
        "/api/v1/methodology",
        "/api/v1/methodology/versions",
        "/api/v1/reviews/due",
        "/api/v1/controls",
        "/api/v1/soa",
        "/api/v1/soa/versions",
        "/api/v1/assets",
        "/api/v1/context-issues",
        "/api/v1/interested-parties",
        "/api/v1/isms-roles",
        "/api/v1/objectives",
        "/api/v1/classification-scheme",
        "/api/v1/documents",
        "/api/v1/documents/checklist",
        "/api/v1/documents/starters",
        "/api/v1/documents/acknowledgements/mine",
        "/api/v1/evidence",
        "/api/v1/evidence/freshness",
        "/api/v1/evidence/verify",
        "/api/v1/audits",
        "/api/v1/audits/programme",
        "/api/v1/findings",
        "/api/v1/management-reviews",
        "/api/v1/management-reviews/briefing",
        "/api/v1/certificates",
        "/api/v1/audit-settings",
        "/api/v1/readiness",
        "/api/v1/status",
        "/api/v1/changes",
        "/api/v1/frameworks",
        "/api/v1/organization/frameworks",
        "/api/v1/audit-log",
        "/api/v1/audit-log/verify",
    ] {
        a.get(path, path).await;
    }
    for (path, url) in [
        ("/api/v1/risks/{id}", format!("/api/v1/risks/{risk}")),
        ("/api/v1/assets/{id}", format!("/api/v1/assets/{asset}")),
        ("/api/v1/controls/{id}", "/api/v1/controls/A.5.15".to_owned()),
        ("/api/v1/soa/versions/{version}", "/api/v1/soa/versions/draft".to_owned()),
        ("/api/v1/soa/diff", "/api/v1/soa/diff?from=draft&to=draft".to_owned()),
        ("/api/v1/documents/{id}", format!("/api/v1/documents/{document}")),
        ("/api/v1/documents/{id}/acknowledgements", format!("/api/v1/documents/{document}/acknowledgements")),
        ("/api/v1/evidence/{id}", format!("/api/v1/evidence/{evidence}")),
        ("/api/v1/audits/{id}", format!("/api/v1/audits/{audit}")),
        ("/api/v1/frameworks/{id}", "/api/v1/frameworks/gdpr-art32".to_owned()),
        ("/api/v1/search", "/api/v1/search?q=backup&limit=3".to_owned()),
        ("/api/v1/crosswalk", "/api/v1/crosswalk?item=iso27001-2022:A.8.13&to=nist-csf-2.0".to_owned()),
        ("/api/v1/readiness", "/api/v1/readiness?stage=2".to_owned()),
    ] {
        a.get(path, &url).await;
    }
    assert!(a.checked.len() >= 60, "{:?}", a.checked);

    // The check can fail: an answer that is not what the schema says is refused.
    let mut wrong =
        a.doc["paths"]["/api/v1/risks/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
            .clone();
    wrong["$schema"] = serde_json::json!("https://json-schema.org/draft/2020-12/schema");
    wrong["components"] = a.doc["components"].clone();
    let validator = jsonschema::validator_for(&wrong).unwrap();
    let mut answer: Value = a
        .client
        .get(format!("{}/api/v1/risks/{risk}", a.base))
        .header("cookie", &a.session.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(validator.is_valid(&answer));
    answer["acceptance_state"] = serde_json::json!({ "state": "maybe" });
    assert!(!validator.is_valid(&answer), "a wrong tag passes");
    answer.as_object_mut().unwrap().remove("residual_level");
    answer["acceptance_state"] = serde_json::json!({ "state": "accepted" });
    assert!(!validator.is_valid(&answer), "a missing field passes");
}
