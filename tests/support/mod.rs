//! Running the real binary: commands with a clean environment, and `isms serve`
//! processes that tests talk to over HTTP and stop with signals.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test.
pub const ISMS: &str = env!("CARGO_BIN_EXE_isms");

/// A sandbox: its own HOME, and no ISMS_* variables inherited from the caller.
pub struct Sandbox {
    pub home: tempfile::TempDir,
}

/// What a finished command left.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    pub fn new() -> Self {
        Self { home: tempfile::tempdir().unwrap() }
    }

    pub fn path(&self) -> &Path {
        self.home.path()
    }

    /// The data directory tests pass with --data-dir.
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// A command with a clean environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(ISMS);
        cmd.args(args).env_clear().env("HOME", self.home.path()).env("PATH", std::env::var("PATH").unwrap_or_default());
        cmd
    }

    /// Runs to completion.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// Runs `isms --data-dir <the sandbox's data dir> args...` to completion.
    pub fn isms(&self, args: &[&str]) -> Run {
        let dir = self.data_dir();
        let mut all = vec!["--data-dir", dir.to_str().unwrap()];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Runs to completion with extra environment variables.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        cmd.envs(env.iter().copied());
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Starts `isms serve` on a free loopback port and waits for it to say where it
    /// listens; panics with its output when it exits instead.
    pub fn serve(&self, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut full = vec!["serve", "--listen", "127.0.0.1:0"];
        full.extend_from_slice(args);
        let mut cmd = self.command(&full);
        cmd.envs(env.iter().copied()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let stderr_text = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = stderr_text.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("serving http://").nth(1) {
                    let addr: SocketAddr = rest.split_whitespace().next().unwrap().parse().unwrap();
                    let _ = tx.send(Ok((addr, lines.clone())));
                }
                lines.push(line);
            }
            let _ = tx.send(Err(lines));
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok((addr, stdout_lines))) => Server { child, addr, stdout_lines, stderr: stderr_text },
            other => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(50));
                panic!("isms serve did not start ({other:?}); stderr:\n{}", stderr_text.lock().unwrap());
            }
        }
    }
}

/// A running `isms serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// What it printed before "serving".
    pub stdout_lines: Vec<String>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits (bounded) for the process to exit; returns its exit code and stderr.
    pub fn wait_exit(&mut self, limit: Duration) -> (i32, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(50));
                return (status.code().unwrap_or(-1), self.stderr.lock().unwrap().clone());
            }
            assert!(Instant::now() < deadline, "isms serve did not exit within {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// True while the process runs.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client builder without proxies. TLS goes through rustls with ring, as in isms
/// itself (the S3 client's reqwest has no provider of its own), chosen here once.
pub fn client() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy()
}

/// An HTTP client without proxies or keep-alive surprises.
pub fn http() -> reqwest::Client {
    client().timeout(Duration::from_secs(30)).build().unwrap()
}

/// Every row of every table of a SQLite database, as text, for "nothing changed"
/// checks (the file's bytes change when SQLite checkpoints its WAL).
pub fn dump_sqlite(path: &Path) -> String {
    use sqlx::Connection;
    // On its own thread and runtime, so async tests can call it too.
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Runtime::new().unwrap().block_on(async {
                    let mut conn =
                        sqlx::SqliteConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await.unwrap();
                    let tables: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    let mut out = String::new();
                    for table in tables {
                        let columns: Vec<String> =
                            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                                .bind(&table)
                                .fetch_all(&mut conn)
                                .await
                                .unwrap();
                        let row =
                            columns.iter().map(|c| format!("quote(\"{c}\")")).collect::<Vec<_>>().join(" || ',' || ");
                        let rows: Vec<String> =
                            sqlx::query_scalar(&format!("SELECT {row} FROM \"{table}\" ORDER BY rowid"))
                                .fetch_all(&mut conn)
                                .await
                                .unwrap();
                        out.push_str(&format!("{table}: {}\n", rows.join("\n  ")));
                    }
                    out
                })
            })
            .join()
            .unwrap()
    })
}

/// The password a command showed once: `isms init` prints `password <p>`, account
/// commands `... (shown only this once): <p>`.
pub fn shown_password(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split("(shown only this once): ").nth(1).or_else(|| l.trim().strip_prefix("password")))
        .unwrap_or_else(|| panic!("no password shown in {stdout}"))
        .trim()
        .to_owned()
}

/// The invitation link a command showed once (`... (shown only this once; ...): <link>`).
pub fn shown_link(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.split("(shown only this once; hand it to them yourself): ").nth(1))
        .unwrap_or_else(|| panic!("no invitation link shown in {stdout}"))
        .trim()
        .to_owned()
}

impl Sandbox {
    /// Accepts, from the terminal and as the invitee, the invitation that
    /// `invite_stdout` showed, with `password` on standard input.
    pub fn accept(&self, data_dir: &str, invite_stdout: &str, password: &str) -> Run {
        use std::io::Write;
        let link = shown_link(invite_stdout);
        let mut cmd = self.command(&["--data-dir", data_dir, "user", "accept", &link]);
        let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// `isms init` of `org` with `admin` as its owner; answers the owner's password.
    pub fn init_org(&self, org: &str, admin: &str) -> String {
        let init = self.isms(&["init", "--org", org, "--admin-email", admin]);
        assert_eq!(init.code, 0, "{init:?}");
        shown_password(&init.stdout)
    }

    /// Invites `email` to `org` with `role` (`isms user invite`) and accepts as that
    /// person with a password of their own, which it answers.
    pub fn join(&self, data_dir: &str, org: &str, email: &str, role: &str) -> String {
        let invited =
            self.run(&["--data-dir", data_dir, "user", "invite", "--org", org, "--email", email, "--role", role]);
        assert_eq!(invited.code, 0, "inviting {email}: {invited:?}");
        let password = format!("{email} chose this");
        let accepted = self.accept(data_dir, &invited.stdout, &password);
        assert_eq!(accepted.code, 0, "{email} accepting: {accepted:?}");
        password
    }
}

/// A signed-in API session: the cookie to send, the CSRF token, the sign-in answer.
pub struct ApiSession {
    pub cookie: String,
    pub csrf: String,
    pub body: serde_json::Value,
}

/// Signs in over HTTP (`base` without a trailing slash) and asserts it worked.
pub async fn sign_in(client: &reqwest::Client, base: &str, email: &str, password: &str) -> ApiSession {
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED, "signing in {email}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    ApiSession { cookie, csrf, body }
}

/// A signed-in API client: its cookie and CSRF token go with every request.
#[derive(Clone)]
pub struct ApiClient {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    /// What signing in answered (the user, the organization chosen, the role).
    pub session: serde_json::Value,
}

impl ApiClient {
    /// Signs in over HTTP (`base` without a trailing slash).
    pub async fn sign_in(base: &str, email: &str, password: &str) -> ApiClient {
        let http = http();
        let ApiSession { cookie, csrf, body } = sign_in(&http, base, email, password).await;
        ApiClient { http, base: base.to_owned(), cookie, csrf, session: body }
    }

    /// Chooses the organization named `name` for the session (for members of several).
    pub async fn choose_org(&self, name: &str) {
        let orgs = self.must(reqwest::Method::GET, "/api/v1/session/organizations", None, 200).await;
        let id = orgs["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["organization"]["name"] == name)
            .unwrap_or_else(|| panic!("not a member of {name}: {orgs}"))["organization"]["id"]
            .clone();
        let body = serde_json::json!({ "organization": id });
        self.must(reqwest::Method::PUT, "/api/v1/session/organization", Some(body), 200).await;
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::POST, path, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: serde_json::Value) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::PATCH, path, Some(&body)).await
    }

    /// Sends; answers the status and the body (JSON, or the text as a string). A
    /// request that gets no answer at all (the server is gone) is a 503 here.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            r = r.json(b);
        }
        match r.send().await {
            Ok(r) => {
                let status = r.status();
                let text = r.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
            }
            Err(e) => (reqwest::StatusCode::SERVICE_UNAVAILABLE, serde_json::Value::String(format!("no answer: {e}"))),
        }
    }

    pub async fn get(&self, path: &str) -> (reqwest::StatusCode, serde_json::Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    /// Sends and asserts the status; answers the body.
    pub async fn must(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
        want: u16,
    ) -> serde_json::Value {
        let (got, answer) = self.send(method.clone(), path, body.as_ref()).await;
        assert_eq!(got.as_u16(), want, "{method} {path}: {answer}");
        answer
    }
}

/// A multipart form body (fields in order, then a small text file `a.txt` when
/// `file`): (content type, body).
pub fn multipart(parts: &[(&str, &[u8])], file: bool) -> (String, Vec<u8>) {
    let boundary = "----isms-test-boundary";
    let mut body = Vec::new();
    for (name, value) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    if file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Plans a certification body's audit of `kind` (`stage1`, `stage2`,
/// `recertification`, …) through the API, records every checklist line still open as
/// conforming and completes it; answers its id. Certificates need their Stage 1 and
/// Stage 2 (or recertification) audits held first.
pub async fn held_audit(api: &ApiClient, kind: &str, start: &str, end: &str) -> String {
    use reqwest::Method;
    let plan = serde_json::json!({ "kind": kind, "auditor": "lead@registrar.example", "certification_body": "Registrar",
                                   "start": start, "end": end, "controls": ["A.5.1"] });
    let planned = api.must(Method::POST, "/api/v1/audits", Some(plan), 201).await;
    let id = planned["audit"]["id"].as_str().unwrap().to_owned();
    let audit = api.must(Method::GET, &format!("/api/v1/audits/{id}"), None, 200).await;
    for line in audit["audit"]["checklist"].as_array().unwrap() {
        if line["result"] == "open" {
            let path = format!("/api/v1/audits/{id}/checklist/{}", line["reference"].as_str().unwrap());
            api.must(Method::PUT, &path, Some(serde_json::json!({ "result": "conforming" })), 200).await;
        }
    }
    let done = serde_json::json!({ "conclusion": "Recommended for certification." });
    api.must(Method::POST, &format!("/api/v1/audits/{id}/completion"), Some(done), 200).await;
    id
}

/// [`held_audit`] on the command line: `run` runs `isms` with the workspace and
/// organization chosen.
pub fn held_audit_cli(run: &dyn Fn(&[&str]) -> Run, kind: &str, start: &str, end: &str) -> String {
    let planned = run(&[
        "--json",
        "audit",
        "plan",
        "--kind",
        kind,
        "--auditor",
        "lead@registrar.example",
        "--body",
        "Registrar",
        "--start",
        start,
        "--end",
        end,
        "--control",
        "A.5.1",
    ]);
    assert_eq!(planned.code, 0, "{planned:?}");
    let audit: serde_json::Value = serde_json::from_str(&planned.stdout).unwrap();
    let audit = if audit["audit"].is_object() { audit["audit"].clone() } else { audit };
    let id = audit["id"].as_str().unwrap().to_owned();
    for line in audit["checklist"].as_array().unwrap() {
        if line["result"] == "open" {
            let r = run(&["audit", "result", &id, line["reference"].as_str().unwrap(), "conforming"]);
            assert_eq!(r.code, 0, "{r:?}");
        }
    }
    let done = run(&["audit", "complete", &id, "--conclusion", "Recommended for certification."]);
    assert_eq!(done.code, 0, "{done:?}");
    id
}
