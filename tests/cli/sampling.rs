//! Audit sampling: a draw by size or percentage with a seed is recorded, repeats with
//! the same seed, and is refused for bad input; the API and another organization.

use serde_json::{Value, json};

use super::ingest::{OWNER, json as cli};
use crate::support::{ApiClient, Sandbox};

const AUDITOR: &str = "sam.okafor@certbody.example";

#[tokio::test]
async fn a_seeded_draw_is_recorded_and_the_same_seed_draws_the_same_sample() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let risks = cli(&s, &["risk", "list"]).as_array().unwrap().len();
    assert!(risks > 10, "the demo has a risk register");
    let draw = |seed: &str| {
        cli(
            &s,
            &[
                "sample",
                "draw",
                "--audit",
                "AUD-003",
                "--population",
                "risks",
                "--size",
                "5",
                "--seed",
                seed,
                "--as",
                AUDITOR,
            ],
        )
    };
    let a = draw("stage-2-2026");
    assert_eq!(a["items"].as_array().unwrap().len(), 5);
    assert_eq!(a["population_size"], risks);
    assert_eq!(a["seed"], "stage-2-2026");
    assert_eq!(a["drawn_by"], AUDITOR);
    let b = draw("stage-2-2026");
    assert_eq!(a["items"], b["items"], "the same seed draws the same sample");
    assert_ne!(a["id"], b["id"], "each draw is recorded");
    assert_ne!(draw("another")["items"], a["items"]);
    // The recorded draw repeats from today's population.
    let id = a["id"].as_str().unwrap();
    let again = cli(&s, &["sample", "redraw", id]);
    assert_eq!((again["same"].as_bool(), again["population_unchanged"].as_bool()), (Some(true), Some(true)));
    // By percentage, rounded up, with a seed chosen and recorded when none is given.
    let pct = cli(
        &s,
        &["sample", "draw", "--audit", "AUD-003", "--population", "evidence", "--percent", "10", "--as", AUDITOR],
    );
    let evidence = pct["population_size"].as_u64().unwrap();
    assert_eq!(pct["items"].as_array().unwrap().len() as u64, evidence.div_ceil(10));
    assert_eq!(pct["seed"].as_str().unwrap().len(), 16);
    // Listed per audit; every draw is in the trail.
    assert_eq!(cli(&s, &["sample", "list", "--audit", "AUD-003"]).as_array().unwrap().len(), 4);
    let trail = s.isms(&["--json", "audit-log", "show", "--org", super::ingest::ORG]);
    let entries: Value = serde_json::from_str(&trail.stdout).unwrap();
    assert_eq!(entries.as_array().unwrap().iter().filter(|e| e["action"] == "sample.created").count(), 4);
    // Refusals name what is wrong; nothing is recorded.
    for (args, said) in [
        (vec!["--population", "risks", "--size", "5", "--audit", "AUD-999"], "AUD-999"),
        (vec!["--population", "people", "--size", "5", "--audit", "AUD-003"], "not a population"),
        (vec!["--population", "risks", "--percent", "0", "--audit", "AUD-003"], "percentage"),
        (vec!["--population", "check-results", "--size", "5", "--audit", "AUD-003"], "run"),
    ] {
        let mut all = vec!["sample", "draw", "--as", AUDITOR, "--org", super::ingest::ORG];
        all.extend(args);
        let run = s.isms(&all);
        assert_ne!(run.code, 0, "{run:?}");
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert_eq!(cli(&s, &["sample", "list"]).as_array().unwrap().len(), 4);
    // A control owner does not draw samples.
    let refused = s.isms(&[
        "sample",
        "draw",
        "--audit",
        "AUD-003",
        "--population",
        "risks",
        "--size",
        "1",
        "--as",
        "priya.raman@cedarridge.example",
        "--org",
        super::ingest::ORG,
    ]);
    assert_ne!(refused.code, 0);

    // The API: the same draw; another organization neither sees nor draws for it.
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let auditor = ApiClient::sign_in(&server.url(""), AUDITOR, "isms-demo").await;
    let body = json!({ "audit": "AUD-003", "population": "risks", "size": 5, "seed": "stage-2-2026" });
    let c = auditor.must(reqwest::Method::POST, "/api/v1/samples", Some(body.clone()), 201).await;
    assert_eq!(c["items"], a["items"]);
    let listed = auditor.must(reqwest::Method::GET, "/api/v1/samples?audit=AUD-003", None, 200).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 5);
    let other = ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let (code, _) = other.post("/api/v1/samples", body).await;
    assert_eq!(code.as_u16(), 404, "AUD-003 is not Bluefin's");
    let theirs = other.must(reqwest::Method::GET, "/api/v1/samples", None, 200).await;
    assert_eq!(theirs["items"], json!([]));
    let (code, _) = auditor.post("/api/v1/samples", json!({ "audit": "AUD-003", "population": "risks" })).await;
    assert_eq!(code.as_u16(), 422, "a size or a percentage");
    let _ = OWNER;
}

/// Joiners and leavers come from the audit trail, within the period, in one
/// organization only; a period is refused for any other population.
#[tokio::test]
async fn members_who_joined_or_left_in_the_period_are_sampled_from_the_trail() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let owner = ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let (code, _) = owner.send(reqwest::Method::DELETE, "/api/v1/members/sam.okafor@certbody.example", None).await;
    assert_eq!(code.as_u16(), 204, "the owner removes the auditor");
    #[allow(clippy::disallowed_methods, reason = "the server runs on the system clock; the test names its day")]
    let now = time::OffsetDateTime::now_utc().date();
    // From yesterday, so that a test run across midnight still finds the demo's members.
    let (yesterday, today) = (now.previous_day().unwrap().to_string(), now.to_string());
    let all = owner
        .must(
            reqwest::Method::POST,
            "/api/v1/samples",
            Some(json!({ "audit": "AUD-003", "population": "members", "percent": 100.0, "seed": "hr",
                         "from": yesterday, "to": today })),
            201,
        )
        .await;
    let items: Vec<&str> = all["items"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    assert!(items.iter().any(|i| i.starts_with(&format!("{OWNER} joined ")) && i.contains(" (trail #")), "{items:?}");
    assert!(items.iter().any(|i| i.starts_with(&format!("{AUDITOR} left {today}"))), "{items:?}");
    assert!(items.iter().all(|i| !i.contains("bluefin")), "another organization's members: {items:?}");
    assert_eq!((all["from"].as_str(), all["to"].as_str()), (Some(yesterday.as_str()), Some(today.as_str())));
    // Before the demo existed, nobody joined: an empty population is refused.
    let (code, body) = owner
        .post(
            "/api/v1/samples",
            json!({ "audit": "AUD-003", "population": "members", "size": 1, "from": "2020-01-01", "to": "2020-12-31" }),
        )
        .await;
    assert_eq!(code.as_u16(), 422, "{body}");
    let (code, body) = owner
        .post("/api/v1/samples", json!({ "audit": "AUD-003", "population": "risks", "size": 1, "from": today }))
        .await;
    assert_eq!(code.as_u16(), 422, "{body}");
    assert!(body.to_string().contains("period"), "{body}");
    // The recorded draw repeats with its period.
    let id = all["id"].as_str().unwrap();
    drop(server);
    let again = cli(&s, &["sample", "redraw", id]);
    assert_eq!(again["same"], true, "{again}");
}
