//! Speed at scale, end to end with the release binary (issue 20's figures):
//! - `isms risk import` of 5,000 generated risks, each linked to two Annex A controls
//!   and one asset, into a fresh SQLite workspace (whole process);
//! - `isms demo --size large` (5,000 risks, 1,000 assets, 20,000 evidence items, 300
//!   documents, 50 audits with findings on top of the demo);
//! - on that large organization, over real HTTP, one request at a time: the dashboard
//!   page, `GET /api/v1/status`, readiness, a sorted page of 50 risks and the risk
//!   register page;
//! - on the ordinary demo, `GET /api/v1/soa` with 8 in flight.
//!
//! Run: `cargo bench -p isms --bench scale` (prints a Markdown table for
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
use std::process::Command;
use std::time::Instant;

use http::{BIN, get_many, print_table, serve, sign_in};

/// Runs the release binary on `data`; panics with its stderr when it fails.
fn isms(home: &std::path::Path, data: &str, args: &[&str]) -> String {
    let out = Command::new(BIN).args(["--data-dir", data]).args(args).env("HOME", home).output().unwrap();
    assert!(out.status.success(), "isms {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// 5,000 risks over 93 controls and 200 assets, as `isms risk import` takes them.
fn generated_risks(rows: usize) -> String {
    let controls: Vec<String> = [(5, 37), (6, 8), (7, 14), (8, 34)]
        .iter()
        .flat_map(|(t, n)| (1..=*n).map(move |i| format!("A.{t}.{i}")))
        .collect();
    let mut csv = String::from(
        "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat,vulnerability,controls,assets\n",
    );
    for i in 0..rows {
        let (a, b) = (&controls[i % 93], &controls[(i * 7 + 3) % 93]);
        let _ = writeln!(
            csv,
            "Risk {i}: exposure through system {},owner@bench.test,{},{},{},{},modify,Credential theft,Weak MFA coverage,{a};{b},AST-{:03}",
            i % 200 + 1,
            1 + i % 5,
            1 + (i / 5) % 5,
            1 + i % 3,
            1 + (i / 3) % 3,
            i % 200 + 1
        );
    }
    csv
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path();
    let mut rows = Vec::new();

    // The import, whole process.
    let data = home.join("import").to_str().unwrap().to_owned();
    isms(home, &data, &["init", "--org", "Bench", "--admin-email", "owner@bench.test"]);
    let mut assets = String::from("name,type,owner,classification,confidentiality,integrity,availability,lifecycle\n");
    for i in 0..200 {
        let _ = writeln!(assets, "System {i},system,owner@bench.test,Internal,2,2,2,in_use");
    }
    std::fs::write(home.join("assets.csv"), assets).unwrap();
    std::fs::write(home.join("risks.csv"), generated_risks(5_000)).unwrap();
    isms(home, &data, &["asset", "import", home.join("assets.csv").to_str().unwrap()]);
    let t = Instant::now();
    isms(home, &data, &["risk", "import", home.join("risks.csv").to_str().unwrap()]);
    rows.push(format!(
        "| `isms risk import` of 5,000 risks (2 control links and 1 asset each), whole process | 1 | {:.2} s | | |",
        t.elapsed().as_secs_f64()
    ));

    // The large demo.
    let large = home.join("large").to_str().unwrap().to_owned();
    let t = Instant::now();
    isms(home, &large, &["demo", "--size", "large"]);
    rows.push(format!("| `isms demo --size large`, whole process | 1 | {:.2} s | | |", t.elapsed().as_secs_f64()));

    let http = http::client();
    {
        let (_server, base) = serve(&large, home, &http).await;
        let owner = sign_in(&http, &base, "dana.whitfield@cedarridge.example", "isms-demo").await;
        for (what, path) in [
            ("dashboard page `GET /dashboard`", "/dashboard"),
            ("`GET /api/v1/status` (the dashboard's use case)", "/api/v1/status"),
            ("`GET /api/v1/readiness?stage=2`", "/api/v1/readiness?stage=2"),
            ("`GET /api/v1/risks?limit=50&sort=-residual_level`", "/api/v1/risks?limit=50&sort=-residual_level"),
            ("risk register page `GET /risks`", "/risks"),
            ("`GET /api/v1/soa`", "/api/v1/soa"),
        ] {
            let mut f = get_many(&format!("large: {what}"), &owner, path, 60, 1).await;
            rows.push(f.row());
        }
    }

    // The ordinary demo: the SoA under load.
    let demo = home.join("demo").to_str().unwrap().to_owned();
    isms(home, &demo, &["demo"]);
    let (_server, base) = serve(&demo, home, &http).await;
    let owner = sign_in(&http, &base, "dana.whitfield@cedarridge.example", "isms-demo").await;
    let mut f = get_many("demo: `GET /api/v1/soa`", &owner, "/api/v1/soa", 4000, 8).await;
    rows.push(f.row());

    print_table(&rows);
}
