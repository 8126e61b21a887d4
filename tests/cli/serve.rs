//! `isms serve`: start-up checks, probes, graceful shutdown, replicas on PostgreSQL.

use std::time::{Duration, Instant};

use isms_testkit::{create_postgres_database, drop_postgres_database};
use sqlx::{Connection, Executor};

use crate::support::{Sandbox, http};

#[tokio::test]
async fn serve_answers_its_probes_and_stops_cleanly_on_sigterm() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    let mut server = s.serve(&["--data-dir", dir.to_str().unwrap()], &[]);
    let client = http();
    let health = client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let ready = client.get(server.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!((body["status"].as_str(), body["engine"].as_str()), (Some("ready"), Some("sqlite")));
    assert!(ready_request_id_present(&client, &server.url("/healthz")).await);
    let missing = client.get(server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/problem+json");
    let home = client.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("Not initialized"), "{home}");
    security_headers_are_on_every_response(&client, &server).await;
    server.terminate();
    let (code, stderr) = server.wait_exit(Duration::from_secs(30));
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
}

async fn ready_request_id_present(client: &reqwest::Client, url: &str) -> bool {
    let r = client.get(url).send().await.unwrap();
    r.headers().get("x-request-id").is_some_and(|v| !v.is_empty())
}

#[test]
fn a_port_in_use_is_one_line_naming_the_address() {
    let s = Sandbox::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = s.data_dir();
    let run = s.run(&["--data-dir", dir.to_str().unwrap(), "serve", "--listen", &addr]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(run.stderr.trim(), format!("error: cannot listen on {addr} (flag --listen): address already in use"));
}

#[test]
fn a_failing_migration_stops_the_start_names_the_migration_and_leaves_no_half_schema() {
    let s = Sandbox::new();
    let dir = s.data_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("isms.db");
    // A table the first migration also creates: the migration fails part-way.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let url = format!("sqlite://{}?mode=rwc", db.display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        conn.execute("CREATE TABLE trail_entries (x INTEGER)").await.unwrap();
        conn.close().await.unwrap();
    });
    let run = s.run(&["--data-dir", dir.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 2, "{run:?}");
    let last = run.stderr.lines().last().unwrap();
    assert!(
        last.starts_with("error: isms serve did not start: migration 0001_foundation failed and was rolled back: table trail_entries already exists"),
        "{}",
        run.stderr
    );
    let tables: Vec<String> = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    });
    assert_eq!(tables, ["trail_entries"], "the failed migration left tables behind");
    let check = s.run(&["--data-dir", dir.to_str().unwrap(), "migrate", "--check"]);
    assert_eq!(check.code, 1, "the migration is still pending: {check:?}");
}

/// A request that is in flight when SIGTERM arrives completes, then the process
/// exits 0. The request is made slow for real: the test holds a PostgreSQL lock that
/// the readiness query has to wait for.
#[tokio::test]
#[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
async fn sigterm_during_a_slow_request_lets_it_finish_and_exits_0() {
    let (name, url) = create_postgres_database().await;
    let s = Sandbox::new();
    let mut server = s.serve(&[], &[("ISMS_DATABASE_URL", &url)]);

    let mut locker = sqlx::PgConnection::connect(&url).await.unwrap();
    locker.execute("BEGIN").await.unwrap();
    locker.execute("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE").await.unwrap();

    let slow = tokio::spawn({
        let url = server.url("/readyz");
        async move {
            let r = http().get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    });
    // Wait (bounded) until the server's query is blocked on our lock.
    let mut watcher = sqlx::PgConnection::connect(&url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut watcher)
        .await
        .unwrap();
        if waiting > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the readiness request never reached the lock");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(server.running(), "the server exited while a request was in flight");
    assert!(!slow.is_finished());

    locker.execute("COMMIT").await.unwrap();
    let (status, body) = slow.await.unwrap();
    assert_eq!(status, 200, "{body}");
    let (code, stderr) = server.wait_exit(Duration::from_secs(30));
    assert_eq!(code, 0, "{stderr}");
    drop(locker);
    drop(watcher);
    drop(server);
    drop_postgres_database(&name).await;
}

/// Two replicas started at the same moment on one fresh PostgreSQL database: both
/// migrate safely (each migration applied once) and both report ready.
#[tokio::test]
#[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
async fn two_replicas_on_one_postgres_database_both_start_and_are_ready() {
    let (name, url) = create_postgres_database().await;
    let (a, b) = (Sandbox::new(), Sandbox::new());
    let env = [("ISMS_DATABASE_URL", url.as_str())];
    let (first, second) = std::thread::scope(|scope| {
        let one = scope.spawn(|| a.serve(&[], &env));
        let two = scope.spawn(|| b.serve(&[], &env));
        (one.join().unwrap(), two.join().unwrap())
    });
    for server in [&first, &second] {
        let r = http().get(server.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let doc: serde_json::Value = r.json().await.unwrap();
        assert_eq!(doc["engine"], "postgres");
    }
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|(_, n)| *n == 1), "{rows:?}");
    drop(conn);
    drop((first, second));
    drop_postgres_database(&name).await;
}

/// Every response — page, probe, problem, asset — carries the hardening headers, the
/// CSP allows no inline script or style, and the page needs none.
async fn security_headers_are_on_every_response(client: &reqwest::Client, server: &crate::support::Server) {
    for path in ["/", "/healthz", "/no/such/page", "/assets/app.css"] {
        let r = client.get(server.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h.get("content-security-policy").unwrap_or_else(|| panic!("{path}: no CSP")).to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "{path}: no HSTS over plain HTTP");
    }
    let css = client.get(server.url("/assets/app.css")).send().await.unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("--accent"));
    let home = client.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(
        !home.contains("<style") && !home.contains("<script") && !home.contains("style="),
        "inline code would be blocked by the CSP"
    );
    let proxied = client.get(server.url("/healthz")).header("x-forwarded-proto", "https").send().await.unwrap();
    assert!(proxied.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
}

/// A page that fails, or an address that does not exist, answers a page with the
/// navigation and a way back (the API keeps its JSON problems); the favicon is served.
#[tokio::test]
async fn error_pages_keep_the_navigation_and_a_way_back() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let password = s.init_org("Acme", "ciso@acme.test");
    let server = s.serve(&["--data-dir", &d], &[]);
    let api =
        crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), "ciso@acme.test", &password).await;
    for (path, status, says) in
        [("/risks/RSK-999", 404, "there is no risk RSK-999"), ("/audit-log?since=yesterday", 422, "is not a date")]
    {
        let (got, body) = api.get(path).await;
        assert_eq!(got, status, "{path}");
        let html = body.as_str().unwrap_or_else(|| panic!("{path} answers a page: {body}"));
        assert!(html.contains(says), "{path}: {html}");
        assert!(html.contains(r#"<nav class="sections""#) && html.contains(r#"id="go-back""#), "{path}: {html}");
    }
    // An unknown address: a page for a browser, a problem for everything else.
    let asked = |accept: &'static str| {
        http().get(server.url("/no-such-page")).header("cookie", &api.cookie).header("accept", accept).send()
    };
    let page = asked("text/html,application/xhtml+xml,*/*;q=0.8").await.unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("there is nothing at /no-such-page") && html.contains(r#"id="go-back""#), "{html}");
    let machine = asked("application/json").await.unwrap();
    assert_eq!(machine.headers()["content-type"], "application/problem+json");
    let (got, body) = api.get("/api/v1/no-such-thing").await;
    assert_eq!(got, 404);
    assert_eq!(body["code"], "not_found", "{body}");
    let icon = http().get(server.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
}
