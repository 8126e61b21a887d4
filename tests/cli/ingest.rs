//! `isms ingest`: scanner and test results land as evidence with their results and the
//! Annex A controls they reach; malformed files are refused naming the element with
//! nothing stored; the API streams the same.

use serde_json::Value;

use crate::support::Sandbox;

pub(super) const ORG: &str = "Cedar Ridge Health Cloud, Inc.";
pub(super) const OWNER: &str = "dana.whitfield@cedarridge.example";

fn testdata(name: &str) -> String {
    format!("{}/../../testdata/ingest/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub(super) fn json(s: &Sandbox, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--org", ORG]);
    let run = s.isms(&all);
    assert_eq!(run.code, 0, "{args:?}: {run:?}");
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", run.stdout))
}

fn counts(s: &Sandbox) -> (usize, usize) {
    let evidence = json(s, &["evidence", "list"]).as_array().unwrap().len();
    let runs = json(s, &["check", "runs"]).as_array().unwrap().len();
    (evidence, runs)
}

fn sha256(path: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(std::fs::read(path).unwrap()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The Annex A controls an SP 800-53 control reaches through the crosswalk.
fn reached(s: &Sandbox, item: &str) -> Vec<String> {
    let run = s.isms(&["--json", "crosswalk", &format!("nist-800-53r5:{item}"), "--to", "iso27001-2022"]);
    assert_eq!(run.code, 0, "{run:?}");
    let hits: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut out: Vec<String> = hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["target"]["item"].as_str())
        .filter(|i| i.starts_with("A."))
        .map(ToOwned::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

#[tokio::test]
async fn results_land_as_evidence_with_their_results_and_the_controls_they_reach() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let before = counts(&s);

    // CodeQL's SARIF: the CWE tags make it evidence for secure development.
    let sarif = testdata("codeql.sarif");
    let done = json(&s, &["ingest", &sarif, "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(run["format"], "sarif");
    assert_eq!(run["tool"], "CodeQL");
    assert_eq!(run["counts"]["pass"], 1);
    assert_eq!(run["counts"]["fail"], 2);
    assert_eq!(run["sha256"], sha256(&sarif).as_str());
    let evidence = &done["evidence"];
    assert_eq!(evidence["content"]["sha256"], run["sha256"]);
    assert_eq!(run["evidence"], evidence["id"]);
    let targets: Vec<&str> =
        evidence["targets"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(targets, ["A.8.25", "A.8.28", "A.8.29"]);
    let id = run["id"].as_str().unwrap().to_owned();
    let failing = json(&s, &["check", "results", &id, "--outcome", "fail"]);
    let failing = failing.as_array().unwrap();
    assert_eq!(failing.len(), 2);
    assert_eq!(failing[0]["rule"], "py/sql-injection");
    assert_eq!(failing[0]["target"], "app/db.py:42");
    assert_eq!(failing[0]["severity"], "high");
    assert_eq!(failing[0]["references"][0]["id"], "CWE-89");
    // The file is kept: the evidence verifies against the blob store.
    let verify = s.isms(&["evidence", "verify", "--org", ORG]);
    assert_eq!(verify.code, 0, "{verify:?}");

    // Prowler's OCSF: the SP 800-53 requirements reach Annex A controls through the
    // crosswalk; an enhancement no mapping names is read as its control; a muted
    // finding is not applicable.
    let ocsf = testdata("prowler.ocsf.json");
    let done = json(&s, &["ingest", &ocsf, "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(run["format"], "ocsf");
    assert_eq!((run["counts"]["pass"].as_u64(), run["counts"]["fail"].as_u64()), (Some(1), Some(1)));
    assert_eq!(run["counts"]["not_applicable"], 1);
    let mut want: Vec<String> = ["IA-2", "AU-2", "AU-12"].iter().flat_map(|c| reached(&s, c)).collect();
    want.sort();
    want.dedup();
    let mut got: Vec<String> = run["controls"].as_object().unwrap().keys().cloned().collect();
    got.sort();
    assert_eq!(got, want);
    let ia2 = reached(&s, "IA-2");
    assert!(!ia2.is_empty());
    assert_eq!(run["controls"][&ia2[0]]["fail"], 1, "the root account without MFA fails {}", ia2[0]);

    // JUnit, with the controls named by the tests themselves.
    let junit = testdata("control-tests.junit.xml");
    let done = json(&s, &["ingest", &junit, "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(run["tool"], "Backup control tests");
    assert_eq!(run["controls"]["A.8.13"]["pass"], 1);
    assert_eq!(run["controls"]["A.8.13"]["fail"], 1);
    assert_eq!(run["controls"]["A.8.24"]["fail"], 1);
    assert_eq!(run["unmapped"], 1, "the skipped test names no control");
    let after_good = counts(&s);
    assert_eq!(after_good, (before.0 + 3, before.1 + 3));

    // Refusals name the file and the element, and store nothing.
    let dir = s.path().join("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let text = std::fs::read_to_string(&sarif).unwrap();
    let cases = [
        ("cut.sarif", text[..text.len() * 2 / 3].to_owned(), "cut.sarif: runs[0].results"),
        ("cut.sarif", text[..text.len() * 2 / 3].to_owned(), "cut short"),
        ("notes.txt", "just some notes\n".to_owned(), "notes.txt: neither XML, JSON nor CSV"),
        (
            "old.sarif",
            text.replace("\"version\": \"2.1.0\"", "\"version\": \"2.0.0\""),
            "old.sarif: version: SARIF \"2.0.0\"",
        ),
        (
            "bad.csv",
            "rule,target,result,references\nmfa,okta,pass,A.5.17\nbackup,db,maybe,A.8.13\n".to_owned(),
            "bad.csv: line 3, column result: \"maybe\" is not a result",
        ),
        (
            "unmapped.csv",
            "rule,target,result\nmfa,okta,pass\n".to_owned(),
            "say which controls the results are evidence for",
        ),
        ("cut.xml", std::fs::read_to_string(&junit).unwrap()[..300].to_owned(), "cut.xml: testsuites/testsuite"),
    ];
    for (name, body, expected) in &cases {
        let path = dir.join(name);
        std::fs::write(&path, body).unwrap();
        let run = s.isms(&["ingest", path.to_str().unwrap(), "--as", OWNER, "--org", ORG]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    assert_eq!(counts(&s), after_good, "nothing stored from a refused file");
    let bad_format = s.isms(&["ingest", &sarif, "--format", "pdf", "--as", OWNER, "--org", ORG]);
    assert_eq!(bad_format.code, 2);
    assert!(bad_format.stderr.contains("\"pdf\" is not a format"), "{}", bad_format.stderr);
    // Our CSV with a control named for every result.
    let csv = dir.join("checks.csv");
    std::fs::write(&csv, "rule,target,result\nmfa,okta,pass\nmfa,github,fail\n").unwrap();
    let done =
        json(&s, &["ingest", csv.to_str().unwrap(), "--control", "A.5.17", "--tool", "our script", "--as", OWNER]);
    assert_eq!(done["run"]["tool"], "our script");
    assert_eq!(done["run"]["controls"]["A.5.17"]["fail"], 1);

    // The API: the upload streams in, results page by page; another organization
    // sees nothing; a control owner may not ingest.
    let data = s.data_dir();
    let server = s.serve(&["--data-dir", data.to_str().unwrap()], &[]);
    let api = crate::support::ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let res = api
        .http
        .post(server.url("/api/v1/ingest?filename=prowler.ocsf.json&title=Prowler%20scan"))
        .header("cookie", &api.cookie)
        .header("x-csrf-token", &api.csrf)
        .body(std::fs::read(&ocsf).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["evidence"]["title"], "Prowler scan");
    let run_id = created["run"]["id"].as_str().unwrap().to_owned();
    let page = api.must(reqwest::Method::GET, &format!("/api/v1/check-runs/{run_id}/results?limit=2"), None, 200).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["next"].as_i64().unwrap();
    let rest =
        api.must(reqwest::Method::GET, &format!("/api/v1/check-runs/{run_id}/results?after={next}"), None, 200).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(rest["next"].is_null());
    let res = api
        .http
        .post(server.url("/api/v1/ingest?filename=cut.sarif"))
        .header("cookie", &api.cookie)
        .header("x-csrf-token", &api.csrf)
        .body(text[..text.len() / 2].to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("cut short"), "{body}");
    let runs = api.must(reqwest::Method::GET, "/api/v1/check-runs", None, 200).await;
    assert_eq!(runs["items"].as_array().unwrap().len(), after_good.1 - before.1 + 2);
    let bluefin = crate::support::ApiClient::sign_in(&server.url(""), "ana.souza@bluefin.example", "isms-demo").await;
    let (code, _) = bluefin.get(&format!("/api/v1/check-runs/{run_id}")).await;
    assert_eq!(code.as_u16(), 404);
    let theirs = bluefin.must(reqwest::Method::GET, "/api/v1/check-runs", None, 200).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
    let priya =
        crate::support::ApiClient::sign_in(&server.url(""), "priya.raman@cedarridge.example", "isms-demo").await;
    let res = priya
        .http
        .post(server.url("/api/v1/ingest?filename=prowler.ocsf.json"))
        .header("cookie", &priya.cookie)
        .header("x-csrf-token", &priya.csrf)
        .body(std::fs::read(&ocsf).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}
