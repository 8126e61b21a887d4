//! What the HTTP benchmarks share: the release binary as a server, sign-in, and a
//! driver that keeps a number of requests in flight and records each latency.

#![allow(dead_code, reason = "each benchmark uses a part")]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const BIN: &str = env!("CARGO_BIN_EXE_isms");

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Serves `data` with the release binary on a free port and waits until it is ready;
/// answers the server (ended when dropped) and its base address.
pub async fn serve(data: &str, home: &std::path::Path, http: &reqwest::Client) -> (Server, String) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Server(
        Command::new(BIN)
            .args(["--data-dir", data, "serve", "--listen", &format!("127.0.0.1:{port}"), "--log-level", "warn"])
            .env("HOME", home)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    for _ in 0..3000 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    (server, base)
}

/// A fresh workspace in `dir` (organization "Bench", owner owner@bench.test) made by
/// the release binary; answers its data directory and the owner's password.
pub fn init(dir: &std::path::Path) -> (String, String) {
    let data = dir.join("data").to_str().unwrap().to_owned();
    let init = Command::new(BIN)
        .args(["--data-dir", &data, "init", "--org", "Bench", "--admin-email", "owner@bench.test"])
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let stdout = String::from_utf8_lossy(&init.stdout).into_owned();
    let password = stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("password").map(|p| p.trim().to_owned()))
        .expect("init prints the owner's password");
    (data, password)
}

/// A client for the benchmarks (TLS through rustls with ring, chosen once).
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().pool_max_idle_per_host(64).build().unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub struct Figures {
    pub what: String,
    pub requests: usize,
    pub concurrency: usize,
    pub elapsed: Duration,
    pub latencies: Vec<Duration>,
}

impl Figures {
    pub fn row(&mut self) -> String {
        self.latencies.sort();
        format!(
            "| {} | {} × {} | {:.0} req/s | {:.1} ms | {:.1} ms |",
            self.what,
            self.requests,
            self.concurrency,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            percentile(&self.latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&self.latencies, 0.99).as_secs_f64() * 1e3,
        )
    }
}

#[derive(Clone)]
pub struct Session {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

pub async fn sign_in(http: &reqwest::Client, base: &str, email: &str, password: &str) -> Session {
    let r = http
        .post(format!("{base}/api/v1/session"))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "sign-in: {}", r.status());
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: Value = r.json().await.unwrap();
    Session { http: http.clone(), base: base.to_owned(), cookie, csrf: body["csrf_token"].as_str().unwrap().to_owned() }
}

/// Runs `requests` calls of `call` with `concurrency` in flight.
pub async fn drive<F, Fut>(what: &str, requests: usize, concurrency: usize, call: F) -> Figures
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let call = Arc::new(call);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let call = call.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    break;
                }
                let t = Instant::now();
                call(i).await;
                mine.push(t.elapsed());
            }
            mine
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.unwrap());
    }
    Figures { what: what.to_owned(), requests, concurrency, elapsed: start.elapsed(), latencies }
}

pub async fn ok(r: reqwest::RequestBuilder) {
    let r = r.send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let _ = r.bytes().await.unwrap();
}

/// `requests` GETs of `path` as `session`, `in_flight` at a time.
pub async fn get_many(what: &str, session: &Session, path: &str, requests: usize, in_flight: usize) -> Figures {
    let s = session.clone();
    let url = format!("{}{path}", s.base);
    drive(what, requests, in_flight, move |_| {
        let r = s.http.get(&url).header("cookie", &s.cookie);
        async move { ok(r).await }
    })
    .await
}

/// Prints the rows as the Markdown table docs/performance.md takes.
pub fn print_table(rows: &[String]) {
    println!("| operation | requests × in flight | throughput | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for r in rows {
        println!("{r}");
    }
}
