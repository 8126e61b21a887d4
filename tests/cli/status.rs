//! Where the ISMS stands is one use case: the dashboard page renders it, `GET
//! /api/v1/status` answers it and `isms status` prints it, and all three agree.

use std::time::Duration;

use crate::support::{ApiClient, Sandbox};

const ORG: &str = "Cedar Ridge Health Cloud, Inc.";
const PRIYA: &str = "priya.raman@cedarridge.example";

#[tokio::test]
async fn the_dashboard_the_api_and_the_command_line_show_the_same_status() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "demo"]).code, 0);

    // The command line as the operator: no tasks of its own, the organization's overdue.
    let cli = s.run(&["--json", "--data-dir", d, "status", "--org", ORG]);
    assert_eq!(cli.code, 0, "{cli:?}");
    let operator: serde_json::Value = serde_json::from_str(&cli.stdout).unwrap();
    assert_eq!(operator["my_tasks"], serde_json::json!([]), "the operator has no tasks of its own");
    let overdue = operator["overdue"].as_array().unwrap();
    assert!(!overdue.is_empty(), "the demo has overdue work: {operator}");
    assert!(overdue.iter().all(|t| t["overdue"] == true && t["due"].is_string()), "{overdue:?}");
    let applicable = operator["applicable"].as_u64().unwrap();
    let themes = operator["themes"].as_array().unwrap();
    assert_eq!(themes.len(), 4, "the four Annex A themes");
    assert_eq!(themes.iter().map(|t| t["applicable"].as_u64().unwrap()).sum::<u64>(), applicable);
    assert_eq!(operator["clauses"].as_array().unwrap().len(), 12);

    // The same member over the API and on the command line with --as.
    let mut server = s.serve(&["--data-dir", d], &[]);
    let priya = ApiClient::sign_in(server.url("").trim_end_matches('/'), PRIYA, "isms-demo").await;
    let api = priya.must(reqwest::Method::GET, "/api/v1/status", None, 200).await;
    let as_priya = s.run(&["--json", "--data-dir", d, "status", "--org", ORG, "--as", PRIYA]);
    assert_eq!(as_priya.code, 0, "{as_priya:?}");
    let cli: serde_json::Value = serde_json::from_str(&as_priya.stdout).unwrap();
    assert_eq!(api, cli, "one use case answers both");
    let mine = api["my_tasks"].as_array().unwrap();
    assert!(!mine.is_empty(), "a control owner has controls and actions to do: {api}");
    let controls = priya.must(reqwest::Method::GET, "/api/v1/controls?limit=500", None, 200).await;
    let hers: Vec<&str> = controls["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["owner_email"] == PRIYA && c["applicable"] == true && c["status"] != "implemented")
        .map(|c| c["control"].as_str().unwrap())
        .collect();
    for control in &hers {
        let link = format!("/controls/{control}");
        assert!(
            mine.iter().any(|t| t["kind"] == "control" && t["link"] == link.as_str()),
            "{control} missing: {mine:?}"
        );
    }
    assert_eq!(mine.iter().filter(|t| t["kind"] == "control").count(), hers.len(), "only her own controls");

    // The page shows the same figures and the same tasks.
    let page = priya
        .http
        .get(server.url("/dashboard"))
        .header("cookie", &priya.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("{}%", api["percent"])), "the page shows the same progress");
    assert!(page.contains(&format!("My tasks <span class=\"count\">{}</span>", mine.len())), "{page}");
    let late = api["overdue"].as_array().unwrap().len();
    assert!(page.contains(&format!("Overdue <span class=\"count\">{late}</span>")));
    for t in mine {
        let what = t["what"].as_str().unwrap().replace('&', "&amp;").replace('\'', "&#x27;");
        assert!(page.contains(&what) || page.contains(t["link"].as_str().unwrap()), "{t} not on the page");
    }
    server.terminate();
    assert_eq!(server.wait_exit(Duration::from_secs(30)).0, 0);
}

#[test]
fn status_needs_a_member_of_the_organization_for_as() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let d = dir.to_str().unwrap();
    assert_eq!(s.run(&["--data-dir", d, "demo"]).code, 0);
    let outsider = s.run(&["--data-dir", d, "status", "--org", ORG, "--as", "ana.souza@bluefin.example"]);
    assert_eq!(outsider.code, 2);
    assert!(
        outsider.stderr.contains("ana.souza@bluefin.example is not a member of this organization"),
        "{}",
        outsider.stderr
    );
}
