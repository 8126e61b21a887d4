//! The JSON API under load, end to end: the release binary serving a fresh SQLite
//! workspace (500 risks, 120 assets imported through the API), driven over real HTTP by
//! a client on the same 2 cores. Measures sign-in (one argon2id verify each), the main
//! reads, a write (each one appends to the hash-chained trail), and exports.
//!
//! Run: `cargo bench -p isms --bench api` (prints a Markdown table for
//! docs/performance.md).

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark reports on the terminal"
)]

mod http;

use http::{drive, get_many, ok, print_table, serve, sign_in};
use serde_json::json;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let (data, password) = http::init(dir.path());
    let data = data.as_str();
    let http = http::client();
    let (_server, base) = serve(data, dir.path(), &http).await;
    let owner = sign_in(&http, &base, "owner@bench.test", &password).await;

    // The frameworks whose coverage is measured.
    for framework in ["hipaa-security", "nist-csf-2.0", "nist-800-53r5"] {
        let r = http
            .post(format!("{base}/api/v1/organization/frameworks"))
            .header("cookie", &owner.cookie)
            .header("x-csrf-token", &owner.csrf)
            .json(&json!({ "framework": framework }));
        ok(r).await;
    }

    // Data: 500 risks and 120 assets, imported through the API.
    let mut risks = String::from(
        "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat,controls\n",
    );
    for i in 0..500 {
        risks.push_str(&format!(
            "Risk {i},owner@bench.test,{},{},{},{},modify,threat {i},A.8.{}\n",
            1 + i % 5,
            1 + (i / 5) % 5,
            1 + i % 3,
            1 + (i / 3) % 3,
            1 + i % 30
        ));
    }
    let mut assets = String::from("name,type,owner,classification,confidentiality,integrity,availability,lifecycle\n");
    for i in 0..120 {
        assets.push_str(&format!("Asset {i},system,owner@bench.test,Internal,{},3,2,in_use\n", 1 + i % 4));
    }
    for (path, body) in [("/api/v1/risks/import", risks), ("/api/v1/assets/import", assets)] {
        let r = http
            .post(format!("{base}{path}"))
            .header("cookie", &owner.cookie)
            .header("x-csrf-token", &owner.csrf)
            .header("content-type", "text/csv")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 201, "{path}: {}", r.text().await.unwrap());
    }

    let mut rows = Vec::new();
    for concurrency in [1, 4] {
        let (h, b, p) = (http.clone(), base.clone(), password.clone());
        let mut f =
            drive("`POST /api/v1/session` (sign-in: argon2id verify + session insert)", 40, concurrency, move |_| {
                let (h, b, p) = (h.clone(), b.clone(), p.clone());
                async move {
                    sign_in(&h, &b, "owner@bench.test", &p).await;
                }
            })
            .await;
        rows.push(f.row());
    }
    let reads = [
        ("`GET /api/v1/controls?limit=100` (93 controls)", "/api/v1/controls?limit=100"),
        (
            "`GET /api/v1/risks?limit=50&sort=-residual_level` (500 risks)",
            "/api/v1/risks?limit=50&sort=-residual_level",
        ),
        ("`GET /api/v1/risks/RSK-250`", "/api/v1/risks/RSK-250"),
        ("`GET /api/v1/soa` (93 rows + validation)", "/api/v1/soa"),
        ("`GET /api/v1/risks/heatmap`", "/api/v1/risks/heatmap"),
    ];
    for (what, path) in reads {
        let mut f = get_many(what, &owner, path, 2000, 8).await;
        rows.push(f.row());
    }
    let s = owner.clone();
    let mut f = drive("`PATCH /api/v1/controls/{id}` (write + status history + trail entry)", 1000, 8, move |i| {
        let status = if i % 2 == 0 { "planned" } else { "implemented" };
        let r = s
            .http
            .patch(format!("{}/api/v1/controls/A.5.{}", s.base, 1 + i % 37))
            .header("cookie", &s.cookie)
            .header("x-csrf-token", &s.csrf)
            .json(&json!({ "status": status }));
        async move { ok(r).await }
    })
    .await;
    rows.push(f.row());
    for (what, path) in [
        ("`GET /api/v1/soa/export?format=xlsx&version=draft`", "/api/v1/soa/export?format=xlsx&version=draft"),
        ("`GET /api/v1/risks/export?format=xlsx` (500 rows)", "/api/v1/risks/export?format=xlsx"),
        ("`GET /api/v1/audit-log/verify` (whole chain)", "/api/v1/audit-log/verify"),
        (
            "`GET /api/v1/readiness?stage=2` (every rule: 500 risks, 93 controls, documents, audits)",
            "/api/v1/readiness?stage=2",
        ),
        ("`GET /api/v1/calendar.ics`", "/api/v1/calendar.ics"),
        ("`GET /api/v1/documents` (register with acknowledgements)", "/api/v1/documents"),
        (
            "`GET /api/v1/status` (the dashboard's use case: tasks, overdue, clauses, themes, readiness)",
            "/api/v1/status",
        ),
        (
            "`GET /api/v1/coverage` (HIPAA, CSF 2.0 and SP 800-53: 1,363 requirements with their paths)",
            "/api/v1/coverage",
        ),
        ("`GET /api/v1/gap-analysis` (127 rows and the roadmap)", "/api/v1/gap-analysis?target=2027-12-01"),
        ("`GET /api/v1/gap-analysis/export?format=svg` (the timeline)", "/api/v1/gap-analysis/export?format=svg"),
        (
            "`GET /api/v1/coverage/export?format=xlsx` (every requirement, every path)",
            "/api/v1/coverage/export?format=xlsx",
        ),
        (
            "`GET /api/v1/oscal/catalog?framework=nist-800-53r5` (1,189 controls and enhancements)",
            "/api/v1/oscal/catalog?framework=nist-800-53r5",
        ),
        ("`GET /api/v1/oscal/ssp` (93 implemented requirements)", "/api/v1/oscal/ssp"),
        (
            "`GET /api/v1/oscal/ssp?framework=nist-800-53r5` (1,189 requirements through the crosswalk)",
            "/api/v1/oscal/ssp?framework=nist-800-53r5",
        ),
    ] {
        let mut f = get_many(what, &owner, path, 100, 2).await;
        rows.push(f.row());
    }
    // The first read after a write recomputes what the organization's data version kept:
    // a control's status changes, then the dashboard's use case (with the coverage of the
    // three frameworks) and the coverage itself are read once each, 30 times.
    for (what, path) in [
        ("`GET /api/v1/status` right after a control changed (recomputed, coverage included)", "/api/v1/status"),
        ("`GET /api/v1/coverage` right after a control changed (recomputed)", "/api/v1/coverage"),
    ] {
        let mut latencies = Vec::new();
        let start = std::time::Instant::now();
        for i in 0..30 {
            let status = if i % 2 == 0 { "planned" } else { "implemented" };
            let r = http
                .patch(format!("{base}/api/v1/controls/A.8.{}", 1 + i % 34))
                .header("cookie", &owner.cookie)
                .header("x-csrf-token", &owner.csrf)
                .json(&json!({ "status": status }));
            ok(r).await;
            let t = std::time::Instant::now();
            ok(http.get(format!("{base}{path}")).header("cookie", &owner.cookie)).await;
            latencies.push(t.elapsed());
        }
        let mut f =
            http::Figures { what: what.to_owned(), requests: 30, concurrency: 1, elapsed: start.elapsed(), latencies };
        rows.push(f.row());
    }
    print_table(&rows);
}
