//! Continuous control monitoring: checks fed by ingested results, collectors and
//! attestations; drift raising one nonconformity from monitoring and marking its
//! action implemented when the check passes again; readiness, evidence freshness and
//! control health following the checks; the API, the pages, roles and organizations.

use serde_json::{Value, json};

use super::ingest::{OWNER, json as cli};
use crate::support::{ApiClient, Sandbox};

fn write(s: &Sandbox, name: &str, text: &str) -> String {
    let path = s.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

fn finding(s: &Sandbox, id: &str) -> Value {
    cli(s, &["finding", "show", id])
}

fn finding_count(s: &Sandbox) -> usize {
    cli(s, &["finding", "list"]).as_array().unwrap().len()
}

fn check(s: &Sandbox, id: &str) -> Value {
    cli(s, &["check", "show", id])
}

fn failing_check_warning(s: &Sandbox, id: &str) -> bool {
    let run = s.isms(&["--json", "readiness", "--org", super::ingest::ORG]);
    assert!(run.code <= 1, "{run:?}");
    let r: Value = serde_json::from_str(&run.stdout).unwrap();
    r["warnings"].as_array().unwrap().iter().any(|w| {
        w["rule"] == "checks_passing"
            && w["message"].as_str().unwrap().contains("failing")
            && w["items"].as_array().unwrap().iter().any(|i| i["id"] == id)
    })
}

#[tokio::test]
async fn a_check_that_fails_raises_one_nonconformity_and_passing_again_marks_its_action_implemented() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let defined = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "Nightly restore test",
            "--control",
            "A.8.13",
            "--tool",
            "restore-probe",
            "--every",
            "1",
            "--response",
            "Repair the backup job and restore again",
            "--as",
            OWNER,
        ],
    );
    let id = defined["id"].as_str().unwrap().to_owned();
    assert_eq!(defined["status"], "stale", "no reading yet");
    let pass = write(&s, "pass.csv", "rule,target,result\nrestore.db,db-prod,pass\nrestore.files,fs-prod,pass\n");
    let fail = write(&s, "fail.csv", "rule,target,result\nrestore.db,db-prod,fail\nrestore.files,fs-prod,pass\n");
    let ingest =
        |file: &str| cli(&s, &["ingest", file, "--tool", "restore-probe", "--control", "A.8.13", "--as", OWNER]);

    // Passing: no nonconformity; the control's evidence is current through the check.
    let first = ingest(&pass);
    assert_eq!(first["run"]["checks"], json!([id]));
    assert_eq!(check(&s, &id)["status"], "passing");
    let before = finding_count(&s);
    let fresh = cli(&s, &["evidence", "freshness", "--all"]);
    let a813 = fresh.as_array().unwrap().iter().find(|c| c["control"] == "A.8.13").unwrap();
    assert_eq!((a813["coverage"].as_str(), a813["passing_checks"].as_u64()), (Some("current"), Some(1)));

    // Failing: one nonconformity from monitoring, with the response as its action.
    ingest(&fail);
    let failing = check(&s, &id);
    assert_eq!(failing["status"], "failing");
    let nc = failing["nonconformity"].as_str().expect("a nonconformity is raised").to_owned();
    assert_eq!(finding_count(&s), before + 1);
    let f = finding(&s, &nc);
    assert_eq!((f["check"].as_str(), f["audit"].as_str()), (Some(id.as_str()), Some("")));
    assert_eq!(f["grade"], "minor");
    assert_eq!(f["requirement"], "A.8.13");
    assert_eq!(f["status"], "action_planned");
    assert_eq!(f["corrective_action"], "Repair the backup job and restore again");
    assert!(f["owner"].as_str().is_some_and(|o| o.contains('@')), "{f}");
    assert!(f["due"].as_str().is_some(), "{f}");
    assert!(f["description"].as_str().unwrap().contains("restore.db on db-prod"), "{f}");
    assert!(failing_check_warning(&s, &id), "readiness shows the failing check");

    // Failing again: still the one nonconformity.
    ingest(&fail);
    assert_eq!(finding_count(&s), before + 1, "raised once");
    assert_eq!(check(&s, &id)["nonconformity"], nc.as_str());

    // Passing again: the action is implemented and waits for verification.
    ingest(&pass);
    assert_eq!(check(&s, &id)["status"], "passing");
    let f = finding(&s, &nc);
    assert_eq!(f["status"], "implemented");
    assert!(!failing_check_warning(&s, &id), "readiness no longer shows it");
    assert_eq!(finding_count(&s), before + 1);

    // The history keeps every reading, newest first, with what each one did.
    let history = cli(&s, &["check", "history", &id]);
    let outcomes: Vec<&str> = history.as_array().unwrap().iter().map(|r| r["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["pass", "fail", "fail", "pass"]);
    assert_eq!(history[0]["implemented"], nc.as_str());
    assert_eq!(history[2]["raised"], nc.as_str());
    assert!(history[1].get("raised").is_none(), "the second failure raised nothing");

    // Every step is in the trail.
    let trail = s.isms(&["--json", "audit-log", "show", "--org", super::ingest::ORG]);
    assert_eq!(trail.code, 0, "{trail:?}");
    let entries: Value = serde_json::from_str(&trail.stdout).unwrap();
    let about = |action: &str, entity: &str| {
        entries.as_array().unwrap().iter().filter(|e| e["action"] == action && e["entity_id"] == entity).count()
    };
    assert_eq!(about("finding.created", &nc), 1);
    assert_eq!(about("finding.updated", &nc), 1, "implemented");
    assert_eq!(about("check.created", &id), 1);
    assert_eq!(about("check.updated", &id), 4, "one per reading");

    // A run of another tool feeds nothing; a file with no results for the check's rule
    // leaves it as it was.
    let other = cli(&s, &["ingest", &fail, "--tool", "another-tool", "--control", "A.8.13", "--as", OWNER]);
    assert_eq!(other["run"]["checks"], json!([]));
    assert_eq!(check(&s, &id)["readings"], 4);
    let narrow = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "Files only",
            "--control",
            "A.8.13",
            "--tool",
            "restore-probe",
            "--rule",
            "restore.files",
            "--every",
            "7",
            "--as",
            OWNER,
        ],
    );
    let narrow_id = narrow["id"].as_str().unwrap();
    ingest(&fail);
    assert_eq!(check(&s, narrow_id)["status"], "passing", "only its own rule counts");

    // Bad definitions are refused naming the field; nothing is stored.
    let count = cli(&s, &["check", "list"]).as_array().unwrap().len();
    for (args, field) in [
        (vec!["--control", "A.99.1", "--tool", "x", "--every", "1"], "A.99.1"),
        (vec!["--control", "A.8.13", "--tool", "x", "--every", "0"], "frequency_days"),
        (vec!["--control", "A.8.13", "--collector", "ftp", "--target", "h", "--every", "1"], "not a collector"),
        (vec!["--control", "A.8.13", "--tool", "x", "--every", "1", "--owner", "nobody@x.example"], "not a member"),
    ] {
        let mut all = vec!["check", "define", "--name", "Bad", "--as", OWNER, "--org", super::ingest::ORG];
        all.extend(args);
        let run = s.isms(&all);
        assert_eq!(run.code, 2, "{run:?}");
        assert!(run.stderr.contains(field), "{field}: {}", run.stderr);
    }
    assert_eq!(cli(&s, &["check", "list"]).as_array().unwrap().len(), count);
    // A check fed by a tool has nothing to run.
    let run = s.isms(&["check", "run", &id, "--as", OWNER, "--org", super::ingest::ORG]);
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("isms ingest"), "{}", run.stderr);

    // The last file failed again: the implemented action cannot be verified effective
    // while its check fails; once it passes, it can.
    assert_eq!(check(&s, &id)["status"], "failing");
    let verify = |s: &Sandbox| {
        s.isms(&["finding", "verify", &nc, "--note", "Restores ran clean", "--as", OWNER, "--org", super::ingest::ORG])
    };
    let early = verify(&s);
    assert_ne!(early.code, 0, "{early:?}");
    assert!(early.stderr.contains("failing again"), "{}", early.stderr);
    assert_eq!(finding(&s, &nc)["status"], "implemented");
    ingest(&pass);
    let verified = verify(&s);
    assert_eq!(verified.code, 0, "{verified:?}");
    assert_eq!(finding(&s, &nc)["status"], "closed");
}

#[tokio::test]
async fn attested_checks_drift_over_the_api_and_the_pages_show_health_to_members_of_the_organization_only() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let base = server.url("");
    let owner = ApiClient::sign_in(&base, OWNER, "isms-demo").await;
    let body = json!({
        "name": "Quarterly access review signed off",
        "controls": ["A.5.18", "a.5.15"],
        "source": {"kind": "manual"},
        "frequency_days": 90,
        "response": "Finish the review and remove stale access"
    });
    let created = owner.must(reqwest::Method::POST, "/api/v1/checks", Some(body.clone()), 201).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["controls"], json!(["A.5.18", "A.5.15"]));
    // An attestation needs what was looked at.
    let (code, _) = owner.post(&format!("/api/v1/checks/{id}/attest"), json!({"outcome": "fail", "note": " "})).await;
    assert_eq!(code.as_u16(), 422);
    let (code, _) = owner.post(&format!("/api/v1/checks/{id}/attest"), json!({"outcome": "maybe", "note": "x"})).await;
    assert_eq!(code.as_u16(), 422);
    let failed = owner
        .must(
            reqwest::Method::POST,
            &format!("/api/v1/checks/{id}/attest"),
            Some(json!({"outcome": "fail", "note": "Three leavers still have VPN access"})),
            200,
        )
        .await;
    assert_eq!(failed["status"], "failing");
    let nc = failed["nonconformity"].as_str().unwrap().to_owned();
    let f = owner.must(reqwest::Method::GET, &format!("/api/v1/findings/{nc}"), None, 200).await;
    assert_eq!(f["check"], id.as_str());
    assert_eq!(f["status"], "action_planned");
    // Running a manual check means attesting it.
    let (code, _) = owner.post(&format!("/api/v1/checks/{id}/run"), json!({})).await;
    assert_eq!(code.as_u16(), 409);

    // Health: the failing check reaches both controls' theme and the frameworks.
    let health = owner.must(reqwest::Method::GET, "/api/v1/control-health", None, 200).await;
    assert_eq!(health["checks"]["failing"], 1);
    let org_theme = health["themes"].as_array().unwrap().iter().find(|t| t["failing"] == 2);
    assert!(org_theme.is_some(), "both controls are failing in their theme: {health}");
    let a518 = health["controls"].as_array().unwrap().iter().find(|c| c["control"] == "A.5.18").unwrap();
    assert_eq!(a518["status"], "failing");
    assert_eq!(a518["checks"], json!([id]));

    // The pages: the list, the check with its history, the control, the dashboard.
    let page = |path: &str| {
        let (client, base) = (owner.http.clone(), base.clone());
        let cookie = owner.cookie.clone();
        let path = path.to_owned();
        async move {
            let r = client.get(format!("{base}{path}")).header("cookie", cookie).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (code, list) = page("/checks").await;
    assert_eq!(code, 200);
    assert!(list.contains(&format!("/checks/{id}")) && list.contains("check-failing"), "{list}");
    let (code, one) = page(&format!("/checks/{id}")).await;
    assert_eq!(code, 200);
    assert!(one.contains("Three leavers still have VPN access") && one.contains(&format!("/findings/{nc}")));
    let (_, control) = page("/controls/A.5.18").await;
    assert!(control.contains(&format!("/checks/{id}")), "the control page lists its checks");
    let (_, dashboard) = page("/dashboard").await;
    assert!(dashboard.contains("id=\"control-health\""), "the dashboard shows control health");
    let (_, finding_page) = page(&format!("/findings/{nc}")).await;
    assert!(finding_page.contains("monitoring (9.1)"), "{finding_page}");
    // User text is escaped.
    let hostile = json!({"name": "<script>alert(1)</script>", "controls": ["A.5.18"], "source": {"kind": "manual"}, "frequency_days": 1});
    let h = owner.must(reqwest::Method::POST, "/api/v1/checks", Some(hostile), 201).await;
    let (_, shown) = page(&format!("/checks/{}", h["id"].as_str().unwrap())).await;
    assert!(!shown.contains("<script>alert(1)</script>") && shown.contains("&#60;script&#62;"), "{shown}");

    // Passing again marks the action implemented.
    let passed = owner
        .must(
            reqwest::Method::POST,
            &format!("/api/v1/checks/{id}/attest"),
            Some(json!({"outcome": "pass", "note": "Access removed; review signed by the CISO"})),
            200,
        )
        .await;
    assert_eq!(passed["status"], "passing");
    let f = owner.must(reqwest::Method::GET, &format!("/api/v1/findings/{nc}"), None, 200).await;
    assert_eq!(f["status"], "implemented");
    // The history pages newest first.
    let first = owner.must(reqwest::Method::GET, &format!("/api/v1/checks/{id}?limit=1"), None, 200).await;
    assert_eq!((first["check"]["readings"].as_u64(), first["readings"][0]["seq"].as_i64()), (Some(2), Some(2)));
    assert_eq!(first["readings"][0]["outcome"], "pass");
    assert_eq!(first["next"], 2);
    let second = owner.must(reqwest::Method::GET, &format!("/api/v1/checks/{id}?limit=1&before=2"), None, 200).await;
    assert_eq!(second["readings"][0]["raised"], nc.as_str());
    assert!(second["next"].is_null(), "{second}");

    // The auditor reads but does not define or attest; another organization sees nothing.
    let auditor = ApiClient::sign_in(&base, "sam.okafor@certbody.example", "isms-demo").await;
    let (code, _) = auditor.post("/api/v1/checks", body.clone()).await;
    assert_eq!(code.as_u16(), 403);
    let (code, _) = auditor.post(&format!("/api/v1/checks/{id}/attest"), json!({"outcome": "pass", "note": "x"})).await;
    assert_eq!(code.as_u16(), 403);
    let (code, _) = auditor.get(&format!("/api/v1/checks/{id}")).await;
    assert_eq!(code.as_u16(), 200);
    let other = ApiClient::sign_in(&base, "ana.souza@bluefin.example", "isms-demo").await;
    let (code, _) = other.get(&format!("/api/v1/checks/{id}")).await;
    assert_eq!(code.as_u16(), 404);
    let (code, _) = other.post(&format!("/api/v1/checks/{id}/attest"), json!({"outcome": "fail", "note": "x"})).await;
    assert_eq!(code.as_u16(), 404);
    let listed = other.must(reqwest::Method::GET, "/api/v1/checks", None, 200).await;
    assert_eq!(listed["items"], json!([]));
    let (code, _) = page("/checks/CHK-999").await;
    assert_eq!(code, 404);
}

/// A TLS server on 127.0.0.1 serving a certificate for `localhost` that expired ten
/// days ago (servers do not check their own certificate); its port.
async fn expired_tls_server() -> u16 {
    use std::sync::Arc;

    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use tokio::io::AsyncReadExt;
    // The server runs on the real clock, as `isms` does: the certificate's dates are
    // judged against it.
    #[allow(clippy::disallowed_methods)]
    let now = time::OffsetDateTime::now_utc();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.not_before = now - time::Duration::days(400);
    params.not_after = now - time::Duration::days(10);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], der)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 1024];
                    let _ = tls.read(&mut buf).await;
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collectors_find_an_expired_certificate_and_run_external_collectors_by_the_plug_in_protocol() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let port = expired_tls_server().await;
    let target = format!("localhost:{port}");
    let define = |args: &[&str]| {
        let mut all = vec!["check", "define", "--as", OWNER];
        all.extend_from_slice(args);
        cli(&s, &all)["id"].as_str().unwrap().to_owned()
    };
    // The operator lists what collectors may reach; anything else is refused.
    super::role_matrix::allow_targets(&s.data_dir(), "# loopback only\ntls localhost:*\ntls 127.0.0.1:*\n");
    let refused = s.isms(&[
        "check",
        "define",
        "--name",
        "Elsewhere",
        "--control",
        "A.8.24",
        "--collector",
        "tls",
        "--target",
        "169.254.169.254:80",
        "--every",
        "1",
        "--as",
        OWNER,
        "--org",
        super::ingest::ORG,
    ]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("may not reach 169.254.169.254:80") && refused.stderr.contains("allowed-targets"),
        "{}",
        refused.stderr
    );
    let tls = define(&[
        "--name",
        "Portal TLS",
        "--control",
        "A.8.24",
        "--collector",
        "tls",
        "--target",
        &target,
        "--every",
        "1",
    ]);
    let collected = tokio::task::block_in_place(|| cli(&s, &["collect", "tls", "--as", OWNER]));
    let items = collected.as_array().unwrap();
    assert_eq!(items.len(), 1, "{collected}");
    assert_eq!((items[0]["collector"].as_str(), items[0]["target"].as_str()), (Some("tls"), Some(target.as_str())));
    let run = items[0]["run"]["id"].as_str().unwrap().to_owned();
    assert_eq!(items[0]["run"]["checks"], json!([tls]));
    assert!(items[0]["run"]["controls"].get("A.8.24").is_some(), "{collected}");
    let failing = cli(&s, &["check", "results", &run, "--outcome", "fail"]);
    let expiry =
        failing.as_array().unwrap().iter().find(|r| r["rule"] == "tls.certificate.expiry").expect("expiry fails");
    assert!(expiry["message"].as_str().unwrap().contains("expired"), "{expiry}");
    assert_eq!(expiry["severity"], "high");
    let passing = cli(&s, &["check", "results", &run, "--outcome", "pass"]);
    let passed: Vec<&str> = passing.as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    for rule in ["tls.protocol.modern", "tls.protocol.tls1_0", "tls.cipher.weak", "tls.certificate.hostname"] {
        assert!(passed.contains(&rule), "{rule} passes: {passed:?}");
    }
    // The check fails and raises its nonconformity; the file is evidence for the control.
    let c = check(&s, &tls);
    assert_eq!(c["status"], "failing");
    assert!(c["nonconformity"].as_str().is_some());
    let all = cli(&s, &["evidence", "list"]);
    let evidence = all.as_array().unwrap().iter().find(|e| e["id"] == items[0]["run"]["evidence"]).unwrap();
    assert!(evidence["targets"].to_string().contains("A.8.24"), "{evidence}");

    // An unreachable endpoint is reported and the others are still collected; exit 1.
    define(&[
        "--name",
        "Closed port",
        "--control",
        "A.8.24",
        "--collector",
        "tls",
        "--target",
        "127.0.0.1:1",
        "--every",
        "1",
    ]);
    let run = tokio::task::block_in_place(|| {
        s.isms(&["--json", "collect", "tls", "--as", OWNER, "--org", super::ingest::ORG])
    });
    assert_eq!(run.code, 1, "{run:?}");
    let items: Value = serde_json::from_str(&run.stdout).unwrap();
    let closed = items.as_array().unwrap().iter().find(|i| i["target"] == "127.0.0.1:1").unwrap();
    assert!(closed["error"].as_str().unwrap().contains("tls 127.0.0.1:1"), "{closed}");
    assert!(items.as_array().unwrap().iter().any(|i| i["target"] == target.as_str() && i["run"].is_object()));

    // An external collector in the collectors directory, by the plug-in protocol.
    super::role_matrix::install_probe(&s.data_dir());
    let probe =
        define(&["--name", "Probe", "--control", "A.8.16", "--collector", "exec", "--target", "probe", "--every", "1"]);
    let ran = tokio::task::block_in_place(|| cli(&s, &["check", "run", &probe, "--as", OWNER]));
    assert_eq!(ran["status"], "passing", "{ran}");
    // A path, or a program outside the collectors directory, is not run.
    for target in ["/bin/sh", "../probe", "nosuch"] {
        let bad = s.isms(&[
            "check",
            "define",
            "--name",
            "Bad",
            "--control",
            "A.8.16",
            "--collector",
            "exec",
            "--target",
            target,
            "--every",
            "1",
            "--as",
            OWNER,
            "--org",
            super::ingest::ORG,
        ]);
        let id =
            serde_json::from_str::<Value>(&s.isms(&["--json", "check", "list", "--org", super::ingest::ORG]).stdout)
                .unwrap()
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["name"] == "Bad")
                .filter_map(|c| c["id"].as_str().map(str::to_owned))
                .next_back();
        if let Some(id) = id {
            let r = s.isms(&["check", "run", &id, "--as", OWNER, "--org", super::ingest::ORG]);
            assert_ne!(r.code, 0, "{target}: {r:?}");
            assert!(
                r.stderr.contains("collectors directory") || r.stderr.contains("no collector"),
                "{target}: {}",
                r.stderr
            );
        } else {
            assert_ne!(bad.code, 0);
        }
    }
}

#[tokio::test]
async fn the_server_runs_due_collectors_on_its_schedule() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    super::role_matrix::install_probe(&s.data_dir());
    let probe = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "Probe",
            "--control",
            "A.8.16",
            "--collector",
            "exec",
            "--target",
            "probe",
            "--every",
            "1",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[("ISMS_COLLECT_EVERY_SECONDS", "1")]);
    let owner = ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let mut status = Value::Null;
    for _ in 0..300 {
        let got = owner.must(reqwest::Method::GET, &format!("/api/v1/checks/{probe}"), None, 200).await;
        status = got["check"]["status"].clone();
        if status == "passing" {
            let reading = &got["readings"][0];
            assert!(reading["by"].as_str().unwrap().contains("scheduled collection"), "{reading}");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the scheduled collection did not run within 30 s: {status}");
}

#[tokio::test]
async fn a_watched_directory_ingests_what_is_put_there_and_files_away_what_it_refuses() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let id = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "Restores",
            "--control",
            "A.8.13",
            "--tool",
            "restore-probe",
            "--every",
            "1",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = s.path().join("inbox");
    std::fs::create_dir_all(dir.join("restore-probe")).unwrap();
    std::fs::write(dir.join("restore-probe/night.csv"), "rule,target,result\nrestore.db,db-prod,fail\n").unwrap();
    std::fs::write(dir.join("broken.sarif"), "{\"version\": \"2.1.0\", \"runs\": [").unwrap();
    std::fs::write(dir.join("copying.part"), "rule,target,result\n").unwrap();
    let inbox = dir.to_str().unwrap();
    let run = s.isms(&["watch", inbox, "--once", "--control", "A.8.13", "--as", OWNER, "--org", super::ingest::ORG]);
    assert_eq!(run.code, 1, "a file was refused: {run:?}");
    assert!(run.stdout.contains("night.csv: RUN-"), "{}", run.stdout);
    // The tool came from the sub-directory, and the check read the run.
    assert_eq!(check(&s, &id)["status"], "failing");
    let ingested: Vec<String> = std::fs::read_dir(dir.join("ingested"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        ingested.len() == 1 && ingested[0].starts_with("RUN-") && ingested[0].ends_with("-night.csv"),
        "{ingested:?}"
    );
    assert!(!dir.join("restore-probe/night.csv").exists());
    let reason = std::fs::read_to_string(dir.join("failed/broken.sarif.error.txt")).unwrap();
    assert!(reason.contains("broken.sarif"), "{reason}");
    assert!(dir.join("failed/broken.sarif").exists() && !dir.join("broken.sarif").exists());
    assert!(dir.join("copying.part").exists(), "a file still being copied is left alone");
    // Links are never followed: a link to a file elsewhere stays, and so does the file.
    let outside = s.path().join("outside.csv");
    std::fs::write(&outside, "rule,target,result\nrestore.db,db-prod,pass\n").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("linked.csv")).unwrap();
    let again = s.isms(&["watch", inbox, "--once", "--as", OWNER, "--org", super::ingest::ORG]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(!again.stdout.contains("linked.csv"), "{}", again.stdout);
    assert!(outside.exists() && dir.join("linked.csv").symlink_metadata().is_ok());

    // Watching: a file is taken once it holds still, while the command runs.
    let data = s.data_dir();
    let mut watcher = s
        .command(&[
            "--data-dir",
            data.to_str().unwrap(),
            "watch",
            inbox,
            "--interval",
            "1",
            "--control",
            "A.8.13",
            "--as",
            OWNER,
            "--org",
            super::ingest::ORG,
        ])
        .stdout(std::fs::File::create(s.path().join("watch.out")).unwrap())
        .stderr(std::fs::File::create(s.path().join("watch.err")).unwrap())
        .spawn()
        .unwrap();
    std::fs::write(dir.join("restore-probe/later.csv"), "rule,target,result\nrestore.db,db-prod,pass\n").unwrap();
    let mut passed = false;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        if !dir.join("restore-probe/later.csv").exists() && check(&s, &id)["status"] == "passing" {
            passed = true;
            break;
        }
    }
    let _ = watcher.kill();
    let _ = watcher.wait();
    let said = |f: &str| std::fs::read_to_string(s.path().join(f)).unwrap_or_default();
    assert!(passed, "the watcher ingested the new file within 10 s: {} {}", said("watch.out"), said("watch.err"));
}

#[tokio::test]
async fn checkov_reports_map_through_the_shipped_mapping_file_or_the_installations_own() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let file = format!("{}/../../testdata/ingest/checkov.json", env!("CARGO_MANIFEST_DIR"));
    let ssh = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "No SSH from the internet",
            "--control",
            "A.8.20",
            "--tool",
            "checkov*",
            "--rule",
            "CKV_AWS_24",
            "--every",
            "1",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = cli(&s, &["ingest", &file, "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(
        (run["format"].as_str(), run["tool"].as_str(), run["version"].as_str()),
        (Some("checkov"), Some("Checkov"), Some("3.2.300"))
    );
    assert_eq!(run["counts"], json!({"pass": 2, "fail": 3, "error": 0, "not_applicable": 1}));
    let controls = &run["controls"];
    assert_eq!(controls["A.8.24"]["pass"], 1, "{controls}");
    assert_eq!(controls["A.8.13"]["pass"], 1);
    assert_eq!(controls["A.8.20"]["fail"], 1);
    assert_eq!(controls["A.8.9"]["fail"], 2, "CKV_AWS_999 and CKV_DOCKER_2 through their families");
    assert_eq!(controls["A.8.15"]["not_applicable"], 1, "the skipped check");
    assert_eq!(run["unmapped"], 0);
    assert!(run["mapping"].as_str().unwrap().starts_with("checkov (shipped, sha256 "), "{run}");
    assert_eq!(check(&s, &ssh)["status"], "failing");

    // The installation's own file replaces the shipped one, and the run says so.
    let shipped = s.isms(&["check", "mapping", "checkov", "--org", super::ingest::ORG]);
    assert_eq!(shipped.code, 0, "{shipped:?}");
    assert!(shipped.stdout.contains("[provenance]"), "{}", shipped.stdout);
    let mine = shipped.stdout.replace(
        "[[rules]]\nrule = \"CKV_AWS_24\"",
        "[[rules]]\nrule = \"CKV_AWS_999\"\ncontrols = [\"A.8.21\"]\nwhy = \"ours\"\n\n[[rules]]\nrule = \"CKV_AWS_24\"",
    );
    let mappings = s.data_dir().join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("checkov.toml"), &mine).unwrap();
    let again = cli(&s, &["ingest", &file, "--as", OWNER]);
    assert_eq!(again["run"]["controls"]["A.8.21"]["fail"], 1, "{again}");
    assert!(again["run"]["mapping"].as_str().unwrap().starts_with("checkov (local, sha256 "));
    let listed = cli(&s, &["check", "mappings"]);
    let origins: Vec<(&str, bool)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["origin"].as_str().unwrap(), m["replaced"].as_bool().unwrap()))
        .collect();
    assert_eq!(origins, [("local", false), ("shipped", true)]);
    assert_eq!(listed[0]["provenance"]["author"], "isms maintainers");

    // A broken file is refused naming it and the line; nothing is stored.
    let runs = cli(&s, &["check", "runs"]).as_array().unwrap().len();
    std::fs::write(
        mappings.join("checkov.toml"),
        mine.replacen("controls = [\"A.8.21\"]", "controls = [\"A.99.1\"]", 1),
    )
    .unwrap();
    let refused = s.isms(&["ingest", &file, "--as", OWNER, "--org", super::ingest::ORG]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(
        refused.stderr.contains("mapping file checkov.toml") && refused.stderr.contains("A.99.1"),
        "{}",
        refused.stderr
    );
    std::fs::write(mappings.join("checkov.toml"), "tool = \"checkov\"\ntitle = \"t\"\nrules = 3\n").unwrap();
    let refused = s.isms(&["ingest", &file, "--as", OWNER, "--org", super::ingest::ORG]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("checkov.toml, line 3"), "{}", refused.stderr);
    assert_eq!(cli(&s, &["check", "runs"]).as_array().unwrap().len(), runs);
}

#[tokio::test]
async fn the_git_collector_finds_a_committed_key_and_a_codeowners_file_in_a_real_repository() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let repo = s.path().join("service");
    std::fs::create_dir_all(repo.join(".github")).unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=Dev", "-c", "user.email=dev@acme.test", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join(".github/CODEOWNERS"), "* @acme/platform\n").unwrap();
    std::fs::write(repo.join("deploy.env"), "REGION=us-east-1\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n").unwrap();
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "first"]);
    let target = repo.to_str().unwrap();
    let canonical = std::fs::canonicalize(&repo).unwrap();
    super::role_matrix::allow_targets(&s.data_dir(), &format!("git {}\n", canonical.display()));
    let id = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "No secrets in the service",
            "--control",
            "A.8.4",
            "--collector",
            "git",
            "--target",
            target,
            "--rule",
            "git.secrets",
            "--every",
            "1",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ran = cli(&s, &["check", "run", &id, "--as", OWNER]);
    assert_eq!(ran["status"], "failing", "{ran}");
    let note = ran["last"]["note"].as_str().unwrap();
    assert!(note.contains("deploy.env:2"), "{note}");
    assert!(!note.contains("AKIAIOSFODNN7EXAMPLE"), "the key itself is never shown: {note}");
    let run = ran["last"]["run"].as_str().unwrap().to_owned();
    let passed = cli(&s, &["check", "results", &run, "--outcome", "pass"]);
    assert!(passed.as_array().unwrap().iter().any(|r| r["rule"] == "git.codeowners"), "{passed}");
    let stored = s.isms(&["--json", "check", "results", &run, "--org", super::ingest::ORG]);
    assert!(!stored.stdout.contains("AKIAIOSFODNN7EXAMPLE"), "nor is it stored");
}

#[tokio::test]
#[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
async fn the_postgres_collector_reads_a_real_servers_settings() {
    let url =
        std::env::var("ISMS_TEST_POSTGRES_URL").expect("ISMS_TEST_POSTGRES_URL names the PostgreSQL to test against");
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    super::role_matrix::allow_targets(&s.data_dir(), "postgres 127.0.0.1:5432/*\npostgres localhost:5432/*\n");
    // A password in the target would be stored with the check: refused.
    let with_password = s.isms(&[
        "check",
        "define",
        "--name",
        "Leaky",
        "--control",
        "A.8.5",
        "--collector",
        "postgres",
        "--target",
        "postgres://postgres:secret@127.0.0.1:5432/postgres",
        "--every",
        "7",
        "--as",
        OWNER,
        "--org",
        super::ingest::ORG,
    ]);
    assert_eq!(with_password.code, 2, "{with_password:?}");
    assert!(
        with_password.stderr.contains("holds a password") && !with_password.stderr.contains("secret"),
        "{}",
        with_password.stderr
    );
    let id = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "Database hardening",
            "--control",
            "A.8.5",
            "--collector",
            "postgres",
            "--target",
            &url,
            "--every",
            "7",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ran = cli(&s, &["check", "run", &id, "--as", OWNER]);
    let run = ran["last"]["run"].as_str().unwrap().to_owned();
    let results = cli(&s, &["check", "results", &run]);
    let rules: Vec<&str> = results.as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    for rule in ["postgres.ssl", "postgres.password_encryption", "postgres.log_connections"] {
        assert!(rules.contains(&rule), "{rule}: {rules:?}");
    }
    assert!(ran["status"] == "failing" || ran["status"] == "passing" || ran["status"] == "error", "{ran}");
}

#[tokio::test]
async fn collect_now_in_the_page_runs_as_a_job_whose_progress_the_page_follows() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    super::role_matrix::install_probe(&s.data_dir());
    for target in ["probe", "probe --again"] {
        cli(
            &s,
            &[
                "check",
                "define",
                "--name",
                target,
                "--control",
                "A.8.16",
                "--collector",
                "exec",
                "--target",
                target,
                "--every",
                "1",
                "--as",
                OWNER,
            ],
        );
    }
    let dir = s.data_dir();
    let server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[("ISMS_COLLECT_EVERY_SECONDS", "0")]);
    let api = ApiClient::sign_in(&server.url(""), OWNER, "isms-demo").await;
    let client = crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |path: String| {
        let (client, cookie) = (client.clone(), api.cookie.clone());
        async move { client.get(path).header("cookie", cookie).send().await.unwrap().text().await.unwrap() }
    };
    let page = get(server.url("/checks")).await;
    assert!(page.contains("Collect now (2 collector run(s))"), "{page}");
    let res = client
        .post(server.url("/checks/collect"))
        .header("cookie", &api.cookie)
        .form(&[("csrf", api.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.starts_with("/checks?job="), "{to}");
    let mut last = String::new();
    for _ in 0..300 {
        last = get(server.url(&to)).await;
        if last.contains("id=\"done\"") {
            assert!(last.contains("Collected 2 run(s)"), "{last}");
            let checks = api.must(reqwest::Method::GET, "/api/v1/checks", None, 200).await;
            assert!(checks["items"].as_array().unwrap().iter().all(|c| c["status"] == "passing"), "{checks}");
            return;
        }
        assert!(!last.contains("id=\"failed\""), "{last}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the collection did not finish within 30 s: {last}");
}

#[tokio::test]
#[ignore = "needs MariaDB: .ci/run runs it (ISMS_TEST_MARIADB_URL, ISMS_TEST_MARIADB_PASSWORD)"]
async fn the_mariadb_collector_reads_a_real_servers_settings_with_the_password_from_the_environment() {
    let url = std::env::var("ISMS_TEST_MARIADB_URL").expect("ISMS_TEST_MARIADB_URL names the MariaDB to test against");
    let password = std::env::var("ISMS_TEST_MARIADB_PASSWORD").unwrap_or_default();
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    super::role_matrix::allow_targets(&s.data_dir(), "mariadb 127.0.0.1:3306/*\n");
    let id = cli(
        &s,
        &[
            "check",
            "define",
            "--name",
            "MariaDB hardening",
            "--control",
            "A.8.5",
            "--collector",
            "mariadb",
            "--target",
            &url,
            "--every",
            "7",
            "--as",
            OWNER,
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = s.data_dir();
    let ran = s.run_with(
        &[
            "--data-dir",
            data.to_str().unwrap(),
            "--json",
            "check",
            "run",
            &id,
            "--as",
            OWNER,
            "--org",
            super::ingest::ORG,
        ],
        &[("MYSQL_PWD", password.as_str())],
    );
    assert_eq!(ran.code, 0, "{ran:?}");
    let ran: Value = serde_json::from_str(&ran.stdout).unwrap();
    let run = ran["last"]["run"].as_str().unwrap().to_owned();
    let results = cli(&s, &["check", "results", &run]);
    let rules: Vec<&str> = results.as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(
        rules,
        [
            "mariadb.tls",
            "mariadb.require_secure_transport",
            "mariadb.tls_version",
            "mariadb.weak_accounts",
            "mariadb.local_infile",
            "mariadb.audit_logging"
        ]
    );
    let weak = results.as_array().unwrap().iter().find(|r| r["rule"] == "mariadb.weak_accounts").unwrap();
    assert_ne!(weak["outcome"], "error", "the accounts were read: {weak}");
    assert!(!results.to_string().contains(&password) || password.is_empty(), "the password is never stored");
    // Without the password the server refuses the login: an error naming the server, no run.
    let refused = s.isms(&["check", "run", &id, "--as", OWNER, "--org", super::ingest::ORG]);
    if !password.is_empty() {
        assert_ne!(refused.code, 0, "{refused:?}");
        assert!(refused.stderr.contains("mariadb "), "{}", refused.stderr);
    }
}
