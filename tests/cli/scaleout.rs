//! Scale-out for real: two `isms serve` replicas on one PostgreSQL database, their files
//! in an S3-compatible bucket (moto's server, started by the test), behind HAProxy
//! (Debian's, installed by .ci/run when missing). A user signs in through the balancer
//! and works across both replicas; a file uploaded through one is downloaded and
//! verified through the other; a simulation started on one runs once and the other
//! follows its progress; one replica is killed with SIGKILL under a steady write
//! load — every acknowledged write is there afterwards, the other replica keeps
//! serving through the balancer, and the trail and the evidence verify.

use std::collections::BTreeSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use isms_testkit::{
    S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3Server, create_postgres_database, drop_postgres_database,
};
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::support::{ApiClient, Sandbox, http, shown_password};

const OWNER: &str = "owner@acme.test";

/// HAProxy in front of the replicas; ended when dropped.
struct Balancer {
    child: Child,
    base: String,
}

impl Balancer {
    /// Round robin over `backends`, checking `/readyz` every 200 ms, retrying a request
    /// that found a backend gone on the other one, and naming the replica that answered
    /// in `x-served-by`. Only a connection that failed is retried (the request never
    /// reached a replica): a write that reached the dead one is not sent twice.
    fn start(dir: &std::path::Path, backends: &[std::net::SocketAddr]) -> Balancer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let servers: String = backends
            .iter()
            .enumerate()
            .map(|(i, a)| format!("    server replica{i} {a} check inter 200ms fall 1 rise 2\n"))
            .collect();
        let config = format!(
            "global\n    maxconn 256\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    retries 3\n    option redispatch\n\
             frontend isms\n    bind 127.0.0.1:{port}\n    default_backend replicas\n\
             backend replicas\n    balance roundrobin\n    option httpchk GET /readyz\n    retry-on conn-failure\n    http-response set-header x-served-by %s\n{servers}"
        );
        let file = dir.join("haproxy.cfg");
        std::fs::write(&file, config).unwrap();
        let child = Command::new("haproxy")
            .args(["-db", "-f", file.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("the scale-out test needs HAProxy (apt-get install haproxy): {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "HAProxy did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Balancer { child, base }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL, HAProxy and moto's S3 server: .ci/run installs and runs them"]
async fn two_replicas_behind_a_load_balancer_share_postgres_and_an_object_store_and_survive_a_sigkill() {
    let s3 = S3Server::start();
    let (db_name, db_url) = create_postgres_database().await;
    let sandbox = Sandbox::new();
    let dir = sandbox.data_dir().to_str().unwrap().to_owned();
    let address = s3.address();
    let env = [
        ("ISMS_DATABASE_URL", db_url.as_str()),
        ("ISMS_BLOB_STORE", address.as_str()),
        ("ISMS_S3_ACCESS_KEY_ID", S3_ACCESS_KEY_ID),
        ("ISMS_S3_SECRET_ACCESS_KEY", S3_SECRET_ACCESS_KEY),
    ];
    let init = sandbox.run_with(&["--data-dir", &dir, "init", "--org", "Acme", "--admin-email", OWNER], &env);
    assert_eq!(init.code, 0, "{init:?}");
    let password = shown_password(&init.stdout);
    let config = sandbox.run_with(&["--data-dir", &dir, "config", "show"], &env);
    assert!(config.stdout.contains(&format!("s3://{}/", s3.bucket)), "isms config shows the bucket: {config:?}");
    assert!(!config.stdout.contains(S3_SECRET_ACCESS_KEY), "and never the secret");

    let mut a = sandbox.serve(&["--data-dir", &dir], &env);
    let b = sandbox.serve(&["--data-dir", &dir], &env);
    let balancer = Balancer::start(sandbox.path(), &[a.addr, b.addr]);

    // Signed in through the balancer, the session works on both replicas.
    let user = ApiClient::sign_in(&balancer.base, OWNER, &password).await;
    let mut served_by = BTreeSet::new();
    for n in 0..6 {
        let r = user
            .http
            .post(format!("{}/api/v1/risks", balancer.base))
            .header("cookie", &user.cookie)
            .header("x-csrf-token", &user.csrf)
            .json(&json!({ "title": format!("Balanced {n}"), "owner": OWNER, "inherent": { "likelihood": 2, "impact": 2 } }))
            .send()
            .await
            .unwrap();
        served_by.insert(r.headers()["x-served-by"].to_str().unwrap().to_owned());
        assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    }
    assert_eq!(served_by.len(), 2, "both replicas answered: {served_by:?}");
    let (_, list) = user.get("/api/v1/risks?limit=100").await;
    assert_eq!(list["total"], 6, "every replica sees every write: {list}");

    // A file uploaded through one replica is downloaded and verified through the other.
    let content: Vec<u8> = (0..6 * 1024 * 1024 + 7).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let on_a = ApiClient { base: a.url(""), ..user.clone() };
    let on_b = ApiClient { base: b.url(""), ..user.clone() };
    let r = on_a
        .http
        .post(on_a.base.clone() + "/api/v1/evidence/files?control=A.8.13&title=Backup+export&filename=backup.bin")
        .header("cookie", &on_a.cookie)
        .header("x-csrf-token", &on_a.csrf)
        .header("content-type", "application/octet-stream")
        .body(content.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    let saved: serde_json::Value = r.json().await.unwrap();
    assert_eq!(saved["content"]["sha256"], hex::encode(Sha256::digest(&content)));
    let id = saved["id"].as_str().unwrap().to_owned();
    let back = on_b.http.get(format!("{}/api/v1/evidence/{id}/file", on_b.base)).header("cookie", &on_b.cookie);
    let back = back.send().await.unwrap();
    assert_eq!(back.status().as_u16(), 200);
    assert!(back.bytes().await.unwrap().as_ref() == content.as_slice(), "the same bytes through the other replica");
    let verify = sandbox.run_with(&["--data-dir", &dir, "evidence", "verify"], &env);
    assert_eq!(verify.code, 0, "the object store's copy verifies: {verify:?}");

    // A portfolio simulation started on replica A runs once, and replica B follows it.
    for id in ["RSK-001", "RSK-002"] {
        let est = sandbox.run_with(
            &["--data-dir", &dir, "risk", "estimate", id, "--lef", "0.5,2,6", "--pl", "1000,8000,90000"],
            &env,
        );
        assert_eq!(est.code, 0, "{est:?}");
    }
    let no_redirects = crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut runs = BTreeSet::new();
    for replica in [&on_a, &on_b] {
        let fields = [("csrf", user.csrf.as_str()), ("action", "simulate"), ("iterations", "1000000"), ("seed", "7")];
        let r = no_redirects
            .post(format!("{}/risks/quantitative", replica.base))
            .header("cookie", &user.cookie)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{}", r.text().await.unwrap());
        runs.insert(r.headers()["location"].to_str().unwrap().to_owned());
    }
    assert_eq!(runs.len(), 1, "the second replica joined the running simulation: {runs:?}");
    let follow = runs.into_iter().next().unwrap();
    let started = Instant::now();
    loop {
        let (status, page) = on_b.get(&follow).await;
        assert_eq!(status.as_u16(), 200);
        let page = page.as_str().unwrap_or_default().to_owned();
        if page.contains("the result is stored") {
            break;
        }
        assert!(page.contains("<h2>Simulating</h2>"), "B shows A's run, running or done: {page}");
        assert!(started.elapsed() < Duration::from_secs(60), "the simulation did not finish");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A steady write load through the balancer; replica A is killed in the middle.
    let stop = Instant::now() + Duration::from_millis(3000);
    let mut writers = Vec::new();
    for k in 0..4 {
        let c = user.clone();
        writers.push(tokio::spawn(async move {
            let (mut acknowledged, mut refused) = (Vec::new(), 0);
            let mut n = 0;
            while Instant::now() < stop {
                n += 1;
                let body = json!({ "title": format!("Load {k}-{n}"), "owner": OWNER, "inherent": { "likelihood": 1, "impact": 2 } });
                let (status, answer) = c.send(Method::POST, "/api/v1/risks", Some(&body)).await;
                if status.as_u16() == 201 {
                    acknowledged.push(answer["id"].as_str().or(answer["risk"]["id"].as_str()).unwrap().to_owned());
                } else {
                    refused += 1;
                }
            }
            (acknowledged, refused)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    a.child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    a.child.wait().unwrap();
    let killed_at = Instant::now();
    let (mut acknowledged, mut refused) = (Vec::new(), 0);
    for w in writers {
        let (ids, r) = w.await.unwrap();
        acknowledged.extend(ids);
        refused += r;
    }
    eprintln!("scale-out: {} writes acknowledged, {refused} refused around the SIGKILL", acknowledged.len());
    assert!(acknowledged.len() >= 20, "the load wrote too little to test: {}", acknowledged.len());
    // The balancer retries a request that found the dead replica on the live one; at most
    // the few requests in flight inside A when it died go unanswered.
    assert!(refused <= 8, "{refused} writes were refused after the kill");

    // The other replica keeps serving through the balancer.
    let after = http();
    for _ in 0..10 {
        let r = after
            .get(format!("{}/api/v1/risks?limit=1", balancer.base))
            .header("cookie", &user.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["x-served-by"], "replica1", "only B is left");
    }
    assert!(killed_at.elapsed() < Duration::from_secs(30));
    for id in &acknowledged {
        user.must(Method::GET, &format!("/api/v1/risks/{id}"), None, 200).await;
    }
    let (_, verified) = user.get("/api/v1/audit-log/verify").await;
    assert!(verified["problem"].is_null() && verified["entries"].as_i64() > Some(20), "the trail verifies: {verified}");
    drop(balancer);
    drop(b);
    let trail = sandbox.run_with(&["--data-dir", &dir, "audit-log", "verify"], &env);
    assert_eq!(trail.code, 0, "{trail:?}");
    let evidence = sandbox.run_with(&["--data-dir", &dir, "evidence", "verify"], &env);
    assert_eq!(evidence.code, 0, "{evidence:?}");
    drop_postgres_database(&db_name).await;
}
