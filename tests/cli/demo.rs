//! `isms demo` and `isms serve --demo`.

use std::time::Duration;

use crate::support::{Sandbox, http};

#[test]
fn demo_without_configuration_uses_its_own_directory_and_refuses_to_run_twice() {
    let s = Sandbox::new();
    let run = s.run(&["demo"]);
    assert_eq!(run.code, 0, "{run:?}");
    let demo_db = s.path().join(".local/share/isms-demo/isms.db");
    assert!(demo_db.is_file(), "{run:?}");
    assert!(!s.path().join(".local/share/isms").exists(), "the real data directory is never touched");
    assert!(run.stdout.contains("marcus.chen@cedarridge.example"), "{}", run.stdout);
    assert!(run.stdout.contains("password for all: isms-demo"), "{}", run.stdout);
    let again = s.run(&["demo"]);
    assert_eq!(again.code, 2);
    assert!(again.stderr.contains("already holds an isms demo workspace"), "{}", again.stderr);
}

#[test]
fn demo_refuses_a_configured_directory_that_holds_a_real_workspace() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]).code, 0);
    let run = s.run(&["--data-dir", d, "demo"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("already holds an isms standard workspace"), "{}", run.stderr);
}

#[tokio::test]
async fn serve_demo_creates_then_reuses_the_demo_and_never_serves_a_real_workspace_as_demo() {
    let s = Sandbox::new();
    let mut first = s.serve(&["--demo"], &[]);
    assert!(first.stdout_lines.iter().any(|l| l.starts_with("Created the demo workspace")), "{:?}", first.stdout_lines);
    let ready = http().get(first.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let home = http().get(first.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Demo workspace"), "{home}");
    // The demo's approved SoA version reads back with an RFC 3339 approval time.
    let owner =
        crate::support::ApiClient::sign_in(&first.url(""), "dana.whitfield@cedarridge.example", "isms-demo").await;
    let latest = owner.must(reqwest::Method::GET, "/api/v1/soa/versions/latest", None, 200).await;
    let at =
        latest["version"]["approved_at"].as_str().unwrap_or_else(|| panic!("approved_at is not a string: {latest}"));
    assert!(time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_ok(), "{at}");
    first.terminate();
    assert_eq!(first.wait_exit(Duration::from_secs(30)).0, 0);

    let mut second = s.serve(&["--demo"], &[]);
    assert!(
        second.stdout_lines.iter().any(|l| l.starts_with("Serving the existing demo workspace")),
        "{:?}",
        second.stdout_lines
    );
    second.terminate();
    assert_eq!(second.wait_exit(Duration::from_secs(30)).0, 0);

    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "init", "--org", "Acme", "--admin-email", "a@acme.test"]).code, 0);
    let refused = s.run(&["--data-dir", d, "serve", "--demo", "--listen", "127.0.0.1:0"]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("not a demo"), "{}", refused.stderr);
}

#[test]
fn the_large_demo_is_a_large_organization_made_through_the_product_s_own_paths() {
    let s = Sandbox::new();
    let dir = s.path().join("large");
    let d = dir.to_str().unwrap();
    let run = s.run(&["--data-dir", d, "demo", "--size", "large"]);
    assert_eq!(run.code, 0, "{run:?}");
    let org = "Cedar Ridge Health Cloud, Inc.";
    let count = |what: &str| {
        let listed = s.run(&["--data-dir", d, "--json", what, "list", "--org", org]);
        assert_eq!(listed.code, 0, "{what}: {listed:?}");
        serde_json::from_str::<serde_json::Value>(&listed.stdout).unwrap().as_array().map_or(0, Vec::len)
    };
    // The ordinary demo's records, and the large organization's on top.
    assert_eq!(count("risk"), 60 + 5_000);
    assert_eq!(count("asset"), 40 + 1_000);
    assert!(count("evidence") >= 20_000);
    assert!(count("document") >= 300);
    assert!(count("audit") >= 50);
    assert!(count("finding") >= 50);
    // Every generated risk is linked to its controls on both sides, and every change is
    // in a trail that verifies.
    let control = s.run(&["--data-dir", d, "--json", "control", "show", "A.5.1", "--org", org]);
    let control: serde_json::Value = serde_json::from_str(&control.stdout).unwrap();
    let linked = control["control"]["links"].as_array().unwrap().iter().filter(|l| l["kind"] == "risk").count();
    assert!(linked >= 50, "A.5.1 links {linked} risks");
    let verify = s.run(&["--data-dir", d, "audit-log", "verify"]);
    assert_eq!(verify.code, 0, "{verify:?}");
}
