//! Ingesting results at size, end to end: the release binary serving a fresh SQLite
//! workspace, a SARIF file of 10,000 and then 100,000 results (about 5 MB and 50 MB)
//! posted to `/api/v1/ingest`, the time until the run is stored, and the server's peak
//! resident memory (VmHWM) after each: it stays flat because the upload streams to disk
//! and the file is read one result at a time.
//!
//! Run: `cargo bench -p isms --bench ingest` (prints a Markdown table for
//! docs/performance.md).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark reports on the terminal"
)]

mod http;

use std::fmt::Write as _;
use std::time::Instant;

use http::{serve, sign_in};

/// A SARIF log of `n` failing results over 50 rules tagged with CWEs, each message
/// padded so the file is about 500 bytes per result.
fn sarif(n: usize) -> String {
    let mut rules = String::new();
    for r in 0..50 {
        if r > 0 {
            rules.push(',');
        }
        write!(
            rules,
            r#"{{"id": "rule-{r}", "shortDescription": {{"text": "Rule {r}"}}, "defaultConfiguration": {{"level": "warning"}}, "properties": {{"tags": ["security", "CWE-{}: a weakness"]}}}}"#,
            20 + r
        )
        .unwrap();
    }
    let mut out = format!(
        r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "Bench scanner", "version": "1.0", "rules": [{rules}]}}}}, "results": ["#
    );
    let pad = "x".repeat(300);
    for i in 0..n {
        if i > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"ruleId": "rule-{}", "message": {{"text": "finding {i} {pad}"}}, "locations": [{{"physicalLocation": {{"artifactLocation": {{"uri": "src/module_{}.py"}}, "region": {{"startLine": {}}}}}}}]}}"#,
            i % 50,
            i % 400,
            1 + i % 900
        )
        .unwrap();
    }
    out.push_str("]}]}");
    out
}

/// The process's peak resident memory (VmHWM) and current (VmRSS), in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmHWM:"), field("VmRSS:"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (data, password) = http::init(dir.path());
    let data = data.as_str();
    let client = http::client();
    let (server, base) = serve(data, dir.path(), &client).await;
    let pid = server.0.id();
    let owner = sign_in(&client, &base, "owner@bench.test", &password).await;
    let (peak, rss) = memory(pid);
    println!("server after start: peak {peak:.1} MiB, resident {rss:.1} MiB");
    println!();
    println!("| file | results | bytes | ingest (wall) | results/s | server peak RSS after |");
    println!("|---|---|---|---|---|---|");
    for n in [10_000usize, 100_000] {
        let body = sarif(n);
        let bytes = body.len();
        let started = Instant::now();
        let r = client
            .post(format!("{base}/api/v1/ingest?filename=bench-{n}.sarif"))
            .header("cookie", &owner.cookie)
            .header("x-csrf-token", &owner.csrf)
            .body(body)
            .send()
            .await
            .unwrap();
        let took = started.elapsed();
        let status = r.status().as_u16();
        let answer: serde_json::Value = r.json().await.unwrap();
        assert_eq!(status, 201, "{answer}");
        assert_eq!(answer["run"]["counts"]["fail"].as_u64(), Some(n as u64), "{answer}");
        let (peak, _) = memory(pid);
        println!(
            "| SARIF 2.1.0, 50 rules with CWE tags | {n} | {:.1} MB | {:.2} s | {:.0} | {peak:.1} MiB |",
            bytes as f64 / 1e6,
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
    }
}
