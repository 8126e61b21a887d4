//! The web UI in a real browser: headless Debian Chromium driven through ChromeDriver
//! (WebDriver), against `isms serve --demo` on the embedded SQLite default. Each flow
//! saves screenshots under target/screenshots/ for people to look at.
//!
//! Ignored in a plain `cargo test` (they need Chromium and ChromeDriver, which `.ci/run`
//! installs); run them with `cargo test --test product -- --include-ignored browser`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::support::{Sandbox, Server, http};

const PASSWORD: &str = "isms-demo";
const OWNER: &str = "dana.whitfield@cedarridge.example";

struct Browser {
    driver: Child,
    client: Client,
    base: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// Ends ChromeDriver and the Chromium it started: they run in a process group of
    /// their own, and the whole group goes (killing ChromeDriver alone leaves Chromium
    /// running, and a suite's worth of them fills the machine's memory).
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Browser {
    async fn start(server: &Server) -> Browser {
        Browser::start_args(server, &[]).await
    }

    /// A browser with `extra` command-line switches for Chromium.
    async fn start_args(server: &Server, extra: &[&str]) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver (Debian: apt-get install chromium chromium-driver)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while http().get(format!("{url}/status")).send().await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1440,1000",
        ]
        .iter()
        .chain(extra)
        .map(|a| (*a).to_owned())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), json!({ "binary": "/usr/bin/chromium", "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&url).await.expect("a Chromium session");
        let base = server.url("").trim_end_matches('/').to_owned();
        Browser { driver, client, base, _profile: profile }
    }

    async fn goto(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.unwrap();
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    async fn text(&self, css: &str) -> String {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
    }

    async fn has(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    /// Waits until `condition` (a JavaScript expression) is true.
    async fn wait_for(&self, condition: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let v = self.client.execute(&format!("return !!({condition});"), vec![]).await.unwrap();
            if v == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {condition} on {}", self.path().await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
    }

    async fn sign_in(&self, email: &str) {
        self.sign_in_with(email, PASSWORD).await;
    }

    async fn sign_in_with(&self, email: &str, password: &str) {
        self.goto("/login").await;
        self.client.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
        self.client.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
        self.client.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        self.wait_for("document.querySelector('nav.sections') || document.querySelector('.choices')").await;
    }

    /// Invites `email` from the Members page; answers the link shown once.
    async fn invite(&self, email: &str) -> String {
        self.goto("/members").await;
        self.client.find(Locator::Id("m-email")).await.unwrap().send_keys(email).await.unwrap();
        self.client
            .find(Locator::Css("form[action='/members'] button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        self.wait_for("document.querySelector('#invitation-url')").await;
        self.text("#invitation-url").await
    }

    /// Opens an invitation link and submits `password` twice.
    async fn accept(&self, link: &str, password: &str) {
        self.client.goto(link).await.unwrap();
        for id in ["password", "confirm"] {
            self.client.find(Locator::Id(id)).await.unwrap().send_keys(password).await.unwrap();
        }
        self.client.find(Locator::Id("accept")).await.unwrap().click().await.unwrap();
    }

    /// The session cookie, as the browser holds it (WebDriver sees HttpOnly cookies;
    /// page scripts do not).
    async fn session_cookie(&self) -> String {
        let c = self.client.get_named_cookie("isms_session").await.unwrap();
        format!("isms_session={}", c.value())
    }

    /// Runs `fetch` inside the page with the page's CSRF token: what a user forcing a
    /// request from the browser would do. Answers the status.
    async fn forced(&self, method: &str, path: &str, body: &Value) -> u16 {
        let script = "const [m, p, b, done] = arguments; \
            const t = document.querySelector('meta[name=csrf-token]').content; \
            fetch(p, { method: m, headers: { 'content-type': 'application/json', 'x-csrf-token': t }, body: JSON.stringify(b) }) \
              .then(r => done(r.status), () => done(0));";
        let v = self.client.execute_async(script, vec![json!(method), json!(path), body.clone()]).await.unwrap();
        u16::try_from(v.as_u64().unwrap()).unwrap()
    }
}

fn demo(s: &Sandbox) -> Server {
    s.serve(&["--demo"], &[])
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn a_compliance_lead_signs_in_filters_edits_adds_a_risk_exports_and_signs_out() {
    let s = Sandbox::new();
    let server = demo(&s);
    let b = Browser::start(&server).await;

    // Signed out, a page sends you to sign in and back.
    b.goto("/soa").await;
    assert_eq!(b.path().await, "/login?next=/soa");
    b.shot("01-login").await;
    b.sign_in(OWNER).await;
    b.goto("/dashboard").await;
    assert_eq!(b.text("h1").await, "Dashboard");
    assert!(b.text("header.top").await.contains("Dana Whitfield"));
    assert!(b.has("table.heat").await, "heat maps on the dashboard");
    let clauses = b.text("ul.clauses").await;
    assert!(clauses.contains("4.3 Scope of the ISMS") && clauses.contains("6.1.3"), "{clauses}");
    b.shot("02-dashboard").await;

    // The SoA: filter by theme without a reload, then by status.
    b.goto("/soa").await;
    assert!(b.text(".count-line").await.starts_with("93 of 93"), "{}", b.text(".count-line").await);
    b.client.execute("window.__same_page = true;", vec![]).await.unwrap();
    let theme = b.client.find(Locator::Css("form.filters select[name=theme]")).await.unwrap();
    theme.select_by_value("A.8").await.unwrap();
    b.wait_for("document.querySelector('.count-line').textContent.startsWith('34 of 93')").await;
    assert_eq!(
        b.client.execute("return window.__same_page === true;", vec![]).await.unwrap(),
        json!(true),
        "no reload"
    );
    assert!(b.path().await.contains("theme=A.8"), "the URL follows the filter: {}", b.path().await);
    b.shot("03-soa-filtered").await;

    // Change a control's status in place; it is saved through the API.
    let select = "select[aria-label='Status of A.8.16']";
    let before =
        b.client.execute(&format!("return document.querySelector(\"{select}\").value;"), vec![]).await.unwrap();
    let wanted = if before == json!("implemented") { "planned" } else { "implemented" };
    b.client.find(Locator::Css(select)).await.unwrap().select_by_value(wanted).await.unwrap();
    // Nothing is saved until the change is confirmed.
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.16 .save-edit')").await;
    assert!(!b.has("#row-A\\.8\\.16 .saved-note").await, "a changed select alone saves nothing");
    b.client.find(Locator::Css("#row-A\\.8\\.16 .save-edit")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.16 .saved-note') && document.querySelector('#row-A\\\\.8\\\\.16 .saved-note').textContent === 'Saved'").await;
    b.shot("04-soa-inline-edit").await;

    // Arrow keys on a closed select change it but never save; excluding a control
    // needs its justification in the same step.
    let api = crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), OWNER, PASSWORD).await;
    let stored = |v: Value| (v["control"]["applicable"].clone(), v["control"]["status"].clone());
    let before = stored(api.must(reqwest::Method::GET, "/api/v1/controls/A.8.15", None, 200).await);
    let status = b.client.find(Locator::Css("select[aria-label='Status of A.8.15']")).await.unwrap();
    status.send_keys(fantoccini::key::Key::Down.to_string().as_str()).await.unwrap();
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.15 .save-edit')").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after = stored(api.must(reqwest::Method::GET, "/api/v1/controls/A.8.15", None, 200).await);
    assert!(before.1.is_string(), "{before:?}");
    assert_eq!(before, after, "an arrow key saved nothing");
    b.client.find(Locator::Css("#row-A\\.8\\.15 .cancel-edit")).await.unwrap().click().await.unwrap();
    let applicability = "select[aria-label='Applicability of A.8.15']";
    b.client.find(Locator::Css(applicability)).await.unwrap().select_by_value("false").await.unwrap();
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.15 .justification')").await;
    b.client.find(Locator::Css("#row-A\\.8\\.15 .save-edit")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.15 .saved-note') && document.querySelector('#row-A\\\\.8\\\\.15 .saved-note').textContent.startsWith('Say why')").await;
    let still = api.must(reqwest::Method::GET, "/api/v1/controls/A.8.15", None, 200).await;
    assert_eq!(still["control"]["applicable"], json!(true), "not excluded without a reason");
    b.client
        .find(Locator::Css("#row-A\\.8\\.15 .justification"))
        .await
        .unwrap()
        .send_keys("Logging is run by the MSSP under contract C-17")
        .await
        .unwrap();
    b.client.find(Locator::Css("#row-A\\.8\\.15 .save-edit")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#row-A\\\\.8\\\\.15 .saved-note') && document.querySelector('#row-A\\\\.8\\\\.15 .saved-note').textContent === 'Saved'").await;
    let excluded = api.must(reqwest::Method::GET, "/api/v1/controls/A.8.15", None, 200).await;
    assert_eq!(excluded["control"]["applicable"], json!(false));
    assert_eq!(excluded["control"]["justification"], json!("Logging is run by the MSSP under contract C-17"));
    // The extra columns show reasons, the justification and the implementation.
    b.goto("/soa?q=A.8.1&more=yes").await;
    let table = b.text("#soa-table").await;
    let head = table.to_lowercase();
    assert!(head.contains("justification for exclusion") && head.contains("implementation"), "{table}");
    assert!(table.contains("Logging is run by the MSSP under contract C-17"), "{table}");
    b.goto("/soa?q=A.8.15").await;
    assert!(!b.text("#soa-table").await.contains("MSSP"), "the columns are optional");
    b.goto("/controls/A.8.16").await;
    assert!(b.text(".title-row .badge").await.to_lowercase().contains(wanted), "the control page shows the new status");
    assert!(b.text("table.data.compact").await.contains("Dana Whitfield"), "the change is in the status history");
    b.shot("05-control").await;

    // Add evidence for the control with the page's form (multipart, streamed).
    let file = std::env::temp_dir().join(format!("isms-siem-export-{}.csv", std::process::id()));
    std::fs::write(&file, "time,alert\n2026-11-20T10:00Z,none\n").unwrap();
    b.goto("/evidence?control=A.8.16").await;
    b.client.find(Locator::Id("e-title")).await.unwrap().send_keys("SIEM alert review, November").await.unwrap();
    b.client.find(Locator::Id("e-file")).await.unwrap().send_keys(file.to_str().unwrap()).await.unwrap();
    b.client.find(Locator::Css("form[action='/evidence'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait_for(
        "document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('Added EVD-')",
    )
    .await;
    b.shot("05b-evidence").await;
    b.goto("/controls/A.8.16").await;
    let listed = b.text("section[aria-labelledby=evidence-h]").await;
    assert!(listed.contains("SIEM alert review, November") && listed.contains(".csv"), "{listed}");
    let _ = std::fs::remove_file(&file);

    // Add a risk and see it on the heat map.
    b.goto("/risks").await;
    let cell = "table.heat[data-kind=inherent] a[href='/risks?inherent=5x5']";
    let count_before: u32 = if b.has(cell).await { b.text(cell).await.parse().unwrap() } else { 0 };
    b.client.find(Locator::Id("add-risk")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#new-risk')").await;
    b.client
        .find(Locator::Id("title"))
        .await
        .unwrap()
        .send_keys("Browser-test ransomware on the build farm")
        .await
        .unwrap();
    b.client.find(Locator::Id("likelihood")).await.unwrap().select_by_value("5").await.unwrap();
    b.client.find(Locator::Id("impact")).await.unwrap().select_by_value("5").await.unwrap();
    b.shot("06-risk-new").await;
    b.client.find(Locator::Css("#new-risk button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait_for("location.pathname.startsWith('/risks/RSK-')").await;
    assert!(b.text("h1").await.contains("Browser-test ransomware"));
    b.shot("07-risk").await;
    b.goto("/risks").await;
    assert_eq!(b.text(cell).await.parse::<u32>().unwrap(), count_before + 1, "one more in the 5×5 cell");
    b.shot("08-risks-heatmap").await;
    // 61 risks: two pages of 50.
    b.client.find(Locator::Id("next-page")).await.unwrap().click().await.unwrap();
    b.wait_for("location.search.includes('page=2')").await;
    assert!(b.text(".count-line").await.contains("page 2 of 2"), "{}", b.text(".count-line").await);
    assert_eq!(b.client.find_all(Locator::Css("#risk-table tbody tr")).await.unwrap().len(), 11);
    b.client.find(Locator::Css(cell)).await.unwrap().click().await.unwrap();
    b.wait_for("location.search.includes('inherent=5x5')").await;
    assert!(b.text("#risk-table").await.contains("Browser-test ransomware"), "the cell lists its risks");

    // Export the SoA: the button's link answers an XLSX workbook with this session.
    b.goto("/soa").await;
    let href = b.client.find(Locator::Id("export-xlsx")).await.unwrap().attr("href").await.unwrap().unwrap();
    let r = http().get(format!("{}{href}", b.base)).header("cookie", b.session_cookie().await).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    // Scripts cannot read the session cookie.
    let visible = b.client.execute("return document.cookie;", vec![]).await.unwrap();
    assert!(!visible.as_str().unwrap_or_default().contains("isms_session"), "{visible}");

    // Sign out: the session ends and pages send you to sign in again.
    b.client.find(Locator::Id("sign-out")).await.unwrap().click().await.unwrap();
    b.wait_for("location.pathname === '/login'").await;
    b.goto("/dashboard").await;
    assert!(b.path().await.starts_with("/login"), "{}", b.path().await);
    b.shot("09-signed-out").await;
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn every_role_is_offered_only_what_it_may_do_and_refused_if_it_forces_it() {
    let s = Sandbox::new();
    let server = demo(&s);
    // (e-mail, role, may edit every SoA row, may add risks, may approve the SoA)
    let people = [
        ("dana.whitfield@cedarridge.example", "owner", true, true, true),
        ("marcus.chen@cedarridge.example", "isms-manager", true, true, true),
        ("jordan.ellis@cedarridge.example", "contributor", true, true, false),
        ("priya.raman@cedarridge.example", "control-owner", false, true, false),
        ("sam.okafor@certbody.example", "auditor", false, false, false),
        ("lee.park@cedarridge.example", "viewer", false, false, false),
    ];
    for (email, role, edit_all, add_risks, approve) in people {
        let b = Browser::start(&server).await;
        b.sign_in(email).await;
        if b.path().await == "/organizations" {
            // A consultant in two organizations chooses explicitly.
            b.shot("10-choose-organization").await;
            b.client.find(Locator::XPath("//button[contains(., 'Cedar Ridge')]")).await.unwrap().click().await.unwrap();
            b.wait_for("location.pathname === '/dashboard'").await;
            assert!(b.has("#org-switch").await, "the switcher lists the other organization");
        }
        b.goto("/soa").await;
        let editable: usize = b.client.find_all(Locator::Css("select[data-field=status]")).await.unwrap().len();
        if edit_all {
            assert_eq!(editable, 93, "{role} edits every row");
        } else if role == "control-owner" {
            assert!(editable > 0 && editable < 93, "{role} edits only their own rows: {editable}");
        } else {
            assert_eq!(editable, 0, "{role} is offered no edits");
        }
        assert_eq!(b.has("form[action='/soa/approve']").await, approve, "{role}: approval offered?");
        b.shot(&format!("10-soa-{role}")).await;
        // Forcing an edit from the page is refused by the server, whatever the page
        // offered: the first row the page did not offer to edit (A.5.1 for those who
        // may edit everything).
        let target = b
            .client
            .execute(
                "const r = [...document.querySelectorAll('tr[data-control]')].find(r => !r.querySelector('select')); \
                 return r ? r.dataset.control : 'A.5.1';",
                vec![],
            )
            .await
            .unwrap();
        let target = target.as_str().unwrap().to_owned();
        let forced =
            b.forced("PATCH", &format!("/api/v1/controls/{target}"), &json!({ "status": "implemented" })).await;
        if edit_all {
            assert_eq!(forced, 200, "{role}");
        } else {
            assert_eq!(forced, 403, "{role} forcing an edit of {target} (not theirs)");
        }
        b.goto("/risks").await;
        assert_eq!(b.has("#add-risk").await, add_risks, "{role}: 'Add a risk' offered?");
        if !add_risks {
            let status = b
                .forced(
                    "POST",
                    "/api/v1/risks",
                    &json!({ "title": "forced", "owner": email, "inherent": { "likelihood": 1, "impact": 1 } }),
                )
                .await;
            assert_eq!(status, 403, "{role} forcing a new risk");
            // The HTML form route refuses too.
            b.goto("/risks/new").await;
            let csrf = b
                .client
                .execute("return document.querySelector('meta[name=csrf-token]').content;", vec![])
                .await
                .unwrap();
            let r = http()
                .post(format!("{}/risks", b.base))
                .header("cookie", b.session_cookie().await)
                .form(&[
                    ("csrf", csrf.as_str().unwrap()),
                    ("title", "forced"),
                    ("owner", email),
                    ("likelihood", "1"),
                    ("impact", "1"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{role} posting the form anyway");
        }
        let nav = b.text("nav.sections").await;
        assert_eq!(nav.contains("Audit trail"), ["owner", "isms-manager", "auditor"].contains(&role), "{role}: {nav}");
    }
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn text_people_enter_is_shown_as_text_and_never_runs() {
    let s = Sandbox::new();
    let server = demo(&s);
    let b = Browser::start(&server).await;
    b.sign_in(OWNER).await;
    let evil = |n: u32| format!("<script>window.__xss={n}</script>\"><img src=x onerror=\"window.__xss={n}\">'");
    let c = b.session_cookie().await;
    let csrf: Value =
        b.client.execute("return document.querySelector('meta[name=csrf-token]').content;", vec![]).await.unwrap();
    let csrf = csrf.as_str().unwrap().to_owned();
    let api = |method: reqwest::Method, path: &str, body: Value| {
        http()
            .request(method, format!("{}{path}", b.base))
            .header("cookie", &c)
            .header("x-csrf-token", &csrf)
            .json(&body)
            .send()
    };
    let risk: Value = api(
        reqwest::Method::POST,
        "/api/v1/risks",
        json!({ "title": evil(1), "owner": OWNER, "description": evil(2), "threat": evil(3), "vulnerability": evil(4),
                "inherent": { "likelihood": 2, "impact": 2 } }),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = risk["id"].as_str().unwrap_or_else(|| panic!("{risk}")).to_owned();
    let r = api(
        reqwest::Method::PATCH,
        "/api/v1/controls/A.5.1",
        json!({ "implementation": evil(5), "justification": evil(6) }),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    for page in ["/dashboard", "/risks", &format!("/risks/{id}"), "/controls/A.5.1", "/soa?q=%3Cscript"] {
        b.goto(page).await;
        let ran = b.client.execute("return window.__xss === undefined;", vec![]).await.unwrap();
        assert_eq!(ran, json!(true), "script ran on {page}");
        let imgs = b.client.find_all(Locator::Css("img[src=x]")).await.unwrap();
        assert!(imgs.is_empty(), "markup was injected on {page}");
    }
    b.goto(&format!("/risks/{id}")).await;
    assert!(b.text("h1").await.contains("<script>window.__xss=1</script>"), "shown as text");
    b.shot("11-escaped").await;
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn every_page_renders_for_an_owner_and_a_viewer_with_what_each_may_do() {
    let s = Sandbox::new();
    let server = demo(&s);
    // (path, the page's heading, a selector only editors see)
    let pages = [
        ("/dashboard", "Dashboard", None),
        ("/soa", "Statement of Applicability", Some("select[data-field=status]")),
        ("/controls/A.5.15", "Access control", Some("form[action='/controls/A.5.15']")),
        ("/risks", "Risk register", Some("#add-risk")),
        ("/risks/RSK-001", "RSK-001", None),
        ("/methodology", "Risk methodology", Some("select[name^=cell_]")),
        ("/context", "Context and scope", Some("form[action='/context/issues']")),
        ("/assets", "Asset inventory", Some("form[action='/assets'][method=post]")),
        ("/assets/AST-001", "AST-001", Some("form[action='/assets/AST-001']")),
        ("/frameworks", "Frameworks", None),
        ("/frameworks/nist-csf-2.0", "NIST", None),
        ("/frameworks?q=multi-factor", "Frameworks", None),
        ("/crosswalk?item=hipaa-security:164.308(a)(7)(ii)(A)&to=nist-csf-2.0", "Crosswalk explorer", None),
        ("/audit-log", "Audit trail", None),
        ("/documents", "Documents", Some("form[action='/documents'][method=post]")),
        ("/documents/DOC-001", "Information security policy", Some("#record-review")),
        ("/documents/DOC-008", "Business continuity plan", Some("#save-draft")),
        ("/documents/checklist", "Mandatory documented information", None),
        ("/certification", "Certification", Some("form[action='/certification/certificate']")),
        ("/certification?stage=2", "Certification", None),
        ("/audits", "Audits", Some("#plan-audit")),
        ("/audits/AUD-004", "AUD-004", Some("#checklist select[name=result]")),
        ("/audits/AUD-003", "AUD-003", None),
        ("/findings", "Findings and corrective actions", None),
        ("/findings/FND-002", "FND-002", Some("#plan-action")),
        ("/management-reviews", "Management reviews", Some("#record-review")),
        ("/changes", "What changed since", None),
        ("/members", "Members and roles", Some("form[action='/members'][method=post]")),
        ("/tokens", "Your API tokens", None),
    ];
    for (who, editor) in [(OWNER, true), ("lee.park@cedarridge.example", false)] {
        let b = Browser::start(&server).await;
        b.sign_in(who).await;
        for (path, heading, editor_only) in pages {
            b.goto(path).await;
            let h1 = b.text("h1").await;
            if (path == "/audit-log" || path == "/changes") && !editor {
                assert_eq!(h1, "Not allowed", "a viewer does not read the trail");
                continue;
            }
            assert!(h1.contains(heading), "{who} {path}: the heading is {h1:?}");
            if let Some(css) = editor_only {
                assert_eq!(b.has(css).await, editor, "{who} {path}: {css} offered?");
            }
            let name = path.trim_start_matches('/').replace(['/', '?', '=', '&', ':', '(', ')'], "-");
            b.shot(&format!("20-{}-{name}", if editor { "owner" } else { "viewer" })).await;
        }
    }

    // The crosswalk explorer shows the path through the pivot.
    let b = Browser::start(&server).await;
    b.sign_in(OWNER).await;
    b.goto("/crosswalk?item=hipaa-security:164.308(a)(7)(ii)(A)&to=nist-csf-2.0").await;
    let table = b.text("#chosen").await;
    assert!(table.contains("ISO/IEC 27001"), "the path goes through ISO/IEC 27001, by name: {table}");
    assert!(!table.contains("iso27001-2022"), "framework names, not slugs: {table}");
    // A bare id is enough; an Annex A control leads to the organization's own record;
    // direct and indirect mappings are apart; each framework in use shows its coverage.
    b.goto("/crosswalk?item=A.5.15").await;
    assert!(b.text("#chosen h2").await.contains("A.5.15"));
    assert_eq!(
        b.client.find(Locator::Id("control-record")).await.unwrap().attr("href").await.unwrap().as_deref(),
        Some("/controls/A.5.15")
    );
    assert!(b.has("#chosen table.crosswalk-rows").await);
    let coverage = b.text("#coverage").await;
    assert!(coverage.contains('%') && coverage.contains("HIPAA"), "{coverage}");
    b.goto("/crosswalk?item=AC-2").await;
    assert!(b.has("#chosen").await || b.has("#choices").await);
    b.goto("/crosswalk?item=backup").await;
    assert!(b.text("#choices").await.contains("A.8.13"), "words offer the items they may mean");
    // Suggestions appear as an item is typed, and one can be chosen.
    b.goto("/crosswalk").await;
    b.client.find(Locator::Id("crosswalk-item")).await.unwrap().send_keys("PR.AA-0").await.unwrap();
    b.wait_for("document.querySelectorAll('#item-suggestions option').length > 0").await;
    let first =
        b.client.execute("return document.querySelector('#item-suggestions option').value", vec![]).await.unwrap();
    assert!(first.as_str().unwrap().starts_with("nist-csf-2.0:PR.AA-0"), "{first}");
    b.client.execute("document.getElementById('crosswalk-item').value = arguments[0]", vec![first]).await.unwrap();
    b.client.find(Locator::Css("form[action='/crosswalk'] button")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#chosen')").await;
    b.shot("36-crosswalk").await;

    // An API token made on the page is shown once and works as a bearer token.
    b.goto("/tokens").await;
    b.client.find(Locator::Id("t-name")).await.unwrap().send_keys("browser test").await.unwrap();
    b.client.find(Locator::Css("form[action='/tokens'] button[type=submit]")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#token-secret')").await;
    let secret = b.text("#token-secret").await;
    assert!(secret.starts_with("isms_"), "{secret}");
    let r = http().get(format!("{}/api/v1/controls?limit=1", b.base)).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(r.status(), 200);
    b.goto("/tokens").await;
    assert!(!b.has("#token-secret").await, "shown only once");
    b.shot("21-tokens").await;

    // A draft is edited, submitted and approved on its page; then a viewer acknowledges.
    b.goto("/documents/DOC-008").await;
    let draft = b.client.find(Locator::Id("draft-text")).await.unwrap();
    draft.clear().await.unwrap();
    draft.send_keys("# Business continuity plan\n\nRecovery time objective: **4 hours**.").await.unwrap();
    b.client.find(Locator::Id("save-draft")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('Saved the draft')").await;
    b.client.find(Locator::Id("submit-version")).await.unwrap().click().await.unwrap();
    b.wait_for(
        "document.querySelector('#open-state') && document.querySelector('#open-state').textContent === 'in review'",
    )
    .await;
    b.client.find(Locator::Css("#open input[name=comment]")).await.unwrap().send_keys("Tabletop done").await.unwrap();
    b.client.find(Locator::Id("approve-version")).await.unwrap().click().await.unwrap();
    b.wait_for(
        "document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('now in force')",
    )
    .await;
    let in_force = b.text("section[aria-labelledby=inforce-h]").await;
    assert!(in_force.contains("Recovery time objective: 4 hours") && in_force.contains("Tabletop done"), "{in_force}");
    assert!(b.has("#start-version").await, "a change now starts a new version");
    b.shot("22-document-approved").await;
    b.goto("/documents/DOC-001/versions/1").await;
    assert!(b.text(".badge").await.contains("superseded"));

    let v = Browser::start(&server).await;
    v.sign_in("lee.park@cedarridge.example").await;
    v.goto("/documents").await;
    assert!(v.text("section[aria-labelledby=ack-h]").await.contains("Information security policy"));
    v.goto("/documents/DOC-001").await;
    v.client.find(Locator::Id("acknowledge")).await.unwrap().click().await.unwrap();
    v.wait_for("document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('acknowledgement is recorded')").await;
    assert!(!v.has("#acknowledge").await);
    assert!(v.text("#ack-done").await.contains("Lee Park"), "by name");
    v.shot("23-document-acknowledged").await;

    // The certification cycle: the demo is certified, its next audit is surveillance.
    b.goto("/dashboard").await;
    let cert = b.text("section[aria-labelledby=dash-cert-h]").await;
    assert!(cert.contains("KCS-ISMS-2026-0417") && cert.contains("Surveillance audit 1 due by"), "{cert}");
    b.goto("/certification").await;
    assert!(b.text("#ready-h").await.contains("surveillance"), "{}", b.text("#ready-h").await);
    assert!(b.text("#cycle").await.contains("Certificate expires"));
    b.shot("24-certification").await;
    // A calendar address made on the page answers the feed without a session.
    b.client.find(Locator::Id("subscribe-calendar")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#calendar-url')").await;
    let address = b.text("#calendar-url").await;
    assert!(address.contains("/api/v1/calendar.ics?token=isms_"), "{address}");
    let feed = http().get(&address).send().await.unwrap();
    assert_eq!(feed.status(), 200);
    assert!(feed.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    b.shot("24b-calendar-address").await;
    // The auditor records a result on the planned internal audit.
    let a = Browser::start(&server).await;
    a.sign_in("sam.okafor@certbody.example").await;
    a.goto("/audits/AUD-004").await;
    a.client
        .find(Locator::Css("#checklist tbody tr:first-child select[name=result]"))
        .await
        .unwrap()
        .select_by_value("conforming")
        .await
        .unwrap();
    a.client
        .find(Locator::Css("#checklist tbody tr:first-child button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    a.wait_for(
        "document.querySelector('.notice') && document.querySelector('.notice').textContent.startsWith('Recorded')",
    )
    .await;
    assert_eq!(a.text("#audit-status").await, "in progress");
    assert!(!a.has("#plan-audit").await);
    a.shot("25-audit-result").await;
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn an_invited_person_sets_their_own_password_and_another_organization_cannot_sign_in_as_them() {
    let s = Sandbox::new();
    let server = demo(&s);
    let owner = Browser::start(&server).await;
    owner.sign_in(OWNER).await;
    owner.goto("/members").await;
    owner.client.find(Locator::Id("m-email")).await.unwrap().send_keys("new.person@cedarridge.example").await.unwrap();
    owner.client.find(Locator::Id("m-name")).await.unwrap().send_keys("New Person").await.unwrap();
    owner.client.find(Locator::Id("m-role")).await.unwrap().select_by_value("contributor").await.unwrap();
    owner
        .client
        .find(Locator::Css("form[action='/members'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    owner.wait_for("document.querySelector('#invitation-url')").await;
    let link = owner.text("#invitation-url").await;
    assert!(link.starts_with(&format!("{}/invite/", owner.base)), "{link}");
    assert!(
        !owner.text("main").await.to_lowercase().contains("password, shown"),
        "no password is shown to the inviter"
    );
    assert!(owner.text("#invitations").await.contains("pending"));
    owner.shot("30-invitation-link").await;

    // The invitee opens the link, chooses a password, and is in.
    let invitee = Browser::start(&server).await;
    invitee.client.goto(&link).await.unwrap();
    assert!(invitee.text("h1").await.contains("Join Cedar Ridge"), "{}", invitee.text("h1").await);
    invitee.shot("31-invitation-page").await;
    invitee.accept(&link, "my own long passphrase").await;
    invitee.wait_for("document.querySelector('nav.sections')").await;
    assert_eq!(invitee.path().await, "/dashboard");
    invitee.shot("32-invitee-signed-in").await;
    // The link worked once.
    let again = Browser::start(&server).await;
    again.client.goto(&link).await.unwrap();
    assert!(again.text("h1").await.contains("does not work"));
    // The invitee signs in again later with the password only they know.
    let later = Browser::start(&server).await;
    later.sign_in_with("new.person@cedarridge.example", "my own long passphrase").await;
    assert!(later.has("nav.sections").await);

    // A second organization invites the same address and opens its own link: the
    // account exists, so only its own password joins — the other owner cannot.
    let dir = s.path().join(".local/share/isms-demo").to_str().unwrap().to_owned();
    let other = s.run(&["--data-dir", &dir, "org", "add", "--name", "Other Co", "--owner-email", "boss@other.example"]);
    assert_eq!(other.code, 0, "{other:?}");
    assert_eq!(s.accept(&dir, &other.stdout, "the other boss's password").code, 0);
    let boss = Browser::start(&server).await;
    boss.sign_in_with("boss@other.example", "the other boss's password").await;
    let other_link = boss.invite("new.person@cedarridge.example").await;
    let taker = Browser::start(&server).await;
    taker.accept(&other_link, "boss sets a password").await;
    taker.wait_for("document.querySelector('.alert')").await;
    assert!(taker.text(".alert").await.contains("not its password"), "{}", taker.text(".alert").await);
    let status = http()
        .post(format!("{}/api/v1/session", owner.base))
        .json(&json!({ "email": "new.person@cedarridge.example", "password": "boss sets a password" }))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "the other organization cannot sign in as them");

    // Withdrawing an invitation; the trail has invitation, acceptance and withdrawal.
    owner.goto("/members").await;
    owner.client.find(Locator::Id("m-email")).await.unwrap().send_keys("temp@cedarridge.example").await.unwrap();
    owner
        .client
        .find(Locator::Css("form[action='/members'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    owner.wait_for("document.querySelector('#invitation-url')").await;
    owner.goto("/members").await;
    owner.client.execute("window.confirm = () => true;", vec![]).await.unwrap();
    owner
        .client
        .find(Locator::Css("form[action='/members/invitations/revoke'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    owner
        .wait_for(
            "document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('Withdrew')",
        )
        .await;
    owner.goto("/audit-log").await;
    let trail = owner.text("main").await;
    for action in ["invitation.created", "invitation.accepted", "invitation.revoked"] {
        assert!(trail.contains(action), "{action} missing from the trail page");
    }
}

/// Runs `fetch(path)` (a GET) inside the page; answers the status.
async fn fetched(b: &Browser, path: &str) -> u16 {
    let script = "const [p, done] = arguments; fetch(p).then(r => done(r.status), () => done(0));";
    let v = b.client.execute_async(script, vec![json!(path)]).await.unwrap();
    u16::try_from(v.as_u64().unwrap()).unwrap()
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn an_external_auditor_works_in_their_audit_only_and_is_shut_out_after_the_window() {
    let s = Sandbox::new();
    let server = demo(&s);
    // Two requests of the Stage 2 audit (AUD-003), answered and waiting for the auditor.
    let api = crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), OWNER, PASSWORD).await;
    let evidence = api.must(reqwest::Method::GET, "/api/v1/evidence?limit=500", None, 200).await;
    let file = evidence["items"].as_array().unwrap().iter().find(|e| e["content"]["sha256"].is_string()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut ids = Vec::new();
    for (reference, text) in [("PBC-1", "Backup restore records"), ("PBC-2", "Access review for Q3")] {
        let body = json!({ "audit": "AUD-003", "reference": reference, "text": text });
        let r = api.must(reqwest::Method::POST, "/api/v1/requests", Some(body), 201).await;
        let id = r["id"].as_str().unwrap().to_owned();
        let attach = json!({ "evidence": [file] });
        api.must(reqwest::Method::POST, &format!("/api/v1/requests/{id}/attach"), Some(attach), 200).await;
        api.must(reqwest::Method::POST, &format!("/api/v1/requests/{id}/submit"), Some(json!({})), 200).await;
        ids.push(id);
    }
    let audit = api.must(reqwest::Method::GET, "/api/v1/audits/AUD-003", None, 200).await;
    let end = audit["audit"]["end"].as_str().unwrap().to_owned();

    // The owner invites the certification body's auditor from the audit's page.
    let owner = Browser::start(&server).await;
    owner.sign_in(OWNER).await;
    owner.goto("/audits/AUD-003").await;
    owner.client.find(Locator::Id("ia-email")).await.unwrap().send_keys("lee@certbody.example").await.unwrap();
    owner.client.find(Locator::Id("ia-name")).await.unwrap().send_keys("Lee Auditor").await.unwrap();
    let days = owner.client.find(Locator::Id("ia-days")).await.unwrap();
    days.clear().await.unwrap();
    days.send_keys("365").await.unwrap();
    owner.client.find(Locator::Id("invite-auditor-button")).await.unwrap().click().await.unwrap();
    owner.wait_for("document.querySelector('#invitation-url')").await;
    let link = owner.text("#invitation-url").await;
    assert!(!owner.path().await.contains("invite/"), "the link is never in an address");
    owner.shot("70-external-auditor-invited").await;
    owner.goto("/audits/AUD-003").await;
    assert!(owner.text("#auditor-list").await.contains("lee@certbody.example"));

    // The auditor sets a password and lands in the audit's workspace, nothing else.
    let auditor = Browser::start(&server).await;
    auditor.client.goto(&link).await.unwrap();
    assert!(auditor.has("#password").await, "{link}: {}", auditor.text("main").await);
    auditor.accept(&link, "lee's own passphrase").await;
    auditor.wait_for("document.querySelector('#workspace-note')").await;
    assert_eq!(auditor.path().await, "/audits/AUD-003");
    assert_eq!(auditor.text("nav.sections").await.trim(), "Audit workspace");
    assert!(auditor.text("#workspace-scope").await.len() > 3);
    assert!(auditor.text("#workspace-items").await.contains(&file));
    assert!(auditor.text("#request-list").await.contains("PBC-2"));
    auditor.shot("71-external-auditor-workspace").await;
    // Forced addresses: another audit, a risk, the register, another organization.
    auditor.goto("/audits/AUD-001").await;
    assert!(auditor.text("main").await.to_lowercase().contains("no audit aud-001"), "{}", auditor.text("main").await);
    assert_eq!(fetched(&auditor, "/audits/AUD-001").await, 404);
    assert_eq!(fetched(&auditor, "/risks/RSK-001").await, 403);
    assert_eq!(fetched(&auditor, "/api/v1/risks").await, 403);
    assert_eq!(fetched(&auditor, "/api/v1/audits/AUD-003/workspace/records/RSK-001").await, 404, "not sampled");
    assert_eq!(fetched(&auditor, "/dashboard").await, 200, "the start page leads to the workspace");
    let orgs: Value = serde_json::from_str(
        &s.run(&["--data-dir", s.path().join(".local/share/isms-demo").to_str().unwrap(), "--json", "org", "list"])
            .stdout,
    )
    .unwrap();
    let bluefin = orgs
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["organization"]["name"] == "Bluefin Payments LLC")
        .unwrap()["organization"]["id"]
        .clone();
    auditor.goto("/audits/AUD-003").await;
    assert_eq!(auditor.forced("PUT", "/api/v1/session/organization", &json!({ "organization": bluefin })).await, 404);

    // They accept one request and return the other with a comment, in the page.
    auditor.goto(&format!("/requests/{}", ids[0])).await;
    auditor.client.find(Locator::Id("accept-request")).await.unwrap().click().await.unwrap();
    auditor.wait_for("document.querySelector('#request-status') && document.querySelector('#request-status').textContent.includes('accepted')").await;
    auditor.goto(&format!("/requests/{}", ids[1])).await;
    auditor.client.find(Locator::Id("dec-c")).await.unwrap().send_keys("September's review is missing").await.unwrap();
    auditor.client.find(Locator::Id("return-request")).await.unwrap().click().await.unwrap();
    auditor.wait_for("document.querySelector('#request-status') && document.querySelector('#request-status').textContent.includes('returned')").await;
    assert!(auditor.text("#thread").await.contains("September's review is missing"));
    auditor.shot("72-external-auditor-returned-a-request").await;

    // The owner sees it on the audit page; the auditor's views are in the trail.
    owner.goto("/audits/AUD-003").await;
    assert!(owner.text("#request-progress").await.contains("1 of 2 accepted"));
    owner.goto("/audit-log").await;
    assert!(owner.text("main").await.contains("audit_workspace.viewed"));

    // The window ends (0 days after an audit long over): the auditor is out.
    assert!(end.as_str() < "2026-12-01", "AUD-003 ended before today: {end}");
    owner.goto("/audits/AUD-003").await;
    let field = owner.client.find(Locator::Css("#auditor-list input[name=days_after]")).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys("0").await.unwrap();
    owner.client.find(Locator::Css("#auditor-list button[type=submit]")).await.unwrap().click().await.unwrap();
    owner
        .wait_for(
            "document.querySelector('.notice') && document.querySelector('.notice').textContent.includes('has ended')",
        )
        .await;
    auditor.goto("/audits/AUD-003").await;
    assert!(auditor.path().await.starts_with("/login"), "{}", auditor.path().await);
    auditor.goto("/login").await;
    auditor.client.find(Locator::Id("email")).await.unwrap().send_keys("lee@certbody.example").await.unwrap();
    auditor.client.find(Locator::Id("password")).await.unwrap().send_keys("lee's own passphrase").await.unwrap();
    auditor.client.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    auditor.wait_for("document.querySelector('.alert')").await;
    assert!(
        auditor.text(".alert").await.contains("access as external auditor ended on"),
        "{}",
        auditor.text(".alert").await
    );
    auditor.shot("73-external-auditor-window-ended").await;
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn signing_in_never_leaves_the_site_whatever_the_next_address_says() {
    let s = Sandbox::new();
    let server = demo(&s);
    for next in ["/%09/evil.example/", "//evil.example/", "/%5Cevil.example/", "https:%2F%2Fevil.example"] {
        let b = Browser::start(&server).await;
        b.goto(&format!("/login?next={next}")).await;
        b.client.find(Locator::Id("email")).await.unwrap().send_keys(OWNER).await.unwrap();
        b.client.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        b.client.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        b.wait_for("document.querySelector('nav.sections')").await;
        let url = b.client.current_url().await.unwrap();
        assert_eq!(url.host_str(), Some("127.0.0.1"), "{next}: the browser left for {url}");
        assert_eq!(url.path(), "/dashboard", "{next}");
    }
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn a_risk_is_worked_in_the_page_and_its_acceptance_clears_the_readiness_blocker() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let ciso = s.init_org("Acme", "ciso@acme.test");
    let viewer = s.join(&d, "Acme", "viewer@acme.test", "viewer");
    // Residual above appetite, so it awaits its owner's acceptance.
    let added = s.isms(
        &["risk", "add", "--org", "Acme", "--title", "Ransomware", "--owner", "ciso@acme.test", "--inherent", "4,4"]
            .into_iter()
            .chain(["--residual", "3,3"])
            .collect::<Vec<_>>(),
    );
    assert_eq!(added.code, 0, "{added:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let blocked = |readiness: &Value| {
        readiness["blockers"]
            .as_array()
            .unwrap()
            .iter()
            .chain(readiness["warnings"].as_array().unwrap())
            .any(|p| p["rule"] == "risks_accepted")
    };
    let api = crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), "ciso@acme.test", &ciso).await;
    let before = api.must(reqwest::Method::GET, "/api/v1/readiness?stage=2", None, 200).await;
    assert!(blocked(&before), "the unaccepted risk blocks Stage 2: {before}");

    // A viewer sees the risk but is offered nothing, and a forced form is refused.
    let b = Browser::start(&server).await;
    b.sign_in_with("viewer@acme.test", &viewer).await;
    b.goto("/risks/RSK-001").await;
    for form in ["#edit-form", "#link-control", "#action-form", "#accept-form"] {
        assert!(!b.has(form).await, "a viewer is offered {form}");
    }
    assert!(b.text("#accept-note").await.contains("risk owner (Administrator)"), "{}", b.text("#accept-note").await);
    let forced = "const [done] = arguments; \
        const body = new URLSearchParams({ csrf: document.querySelector('meta[name=csrf-token]').content, action: 'accept', comment: 'mine now' }); \
        fetch('/risks/RSK-001', { method: 'POST', body }).then(r => done(r.status), () => done(0));";
    assert_eq!(b.client.execute_async(forced, vec![]).await.unwrap(), json!(403), "a viewer forcing acceptance");
    b.shot("30-risk-viewer").await;
    drop(b);

    // The owner edits, treats, links and accepts it in the page.
    let b = Browser::start(&server).await;
    b.sign_in_with("ciso@acme.test", &ciso).await;
    b.goto("/risks/RSK-001").await;
    b.client.find(Locator::Css("#edit-risk summary")).await.unwrap().click().await.unwrap();
    let threat = b.client.find(Locator::Id("threat")).await.unwrap();
    threat.clear().await.unwrap();
    threat.send_keys("Criminal ransomware crews").await.unwrap();
    b.client.find(Locator::Css("#treatment-option option[value=retain]")).await.unwrap().click().await.unwrap();
    b.client.find(Locator::Id("save-risk")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('.notice')").await;
    assert_eq!(b.text(".notice").await, "Saved");
    assert!(b.text("dl").await.contains("Criminal ransomware crews"));
    assert_eq!(b.text("#treatment").await, "Retain");

    // A refused edit keeps what was typed and names the field.
    b.client.find(Locator::Css("#edit-risk summary")).await.unwrap().click().await.unwrap();
    let title = b.client.find(Locator::Id("title")).await.unwrap();
    title.clear().await.unwrap();
    b.client.execute("document.getElementById('title').removeAttribute('required');", vec![]).await.unwrap();
    let review = b.client.find(Locator::Id("next_review")).await.unwrap();
    b.client.execute("arguments[0].value = '1850-01-01';", vec![serde_json::to_value(&review).unwrap()]).await.unwrap();
    b.client.find(Locator::Id("save-risk")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#risk-problems')").await;
    let problems = b.text("#risk-problems").await;
    assert!(problems.contains("next review") && problems.contains("between 1900 and 2200"), "{problems}");
    let marked = "return document.getElementById('next_review').getAttribute('aria-invalid') === 'true' \
        && document.activeElement.getAttribute('aria-invalid') === 'true'";
    assert_eq!(
        b.client.execute(marked, vec![]).await.unwrap(),
        json!(true),
        "the refused field is marked and has the cursor"
    );
    assert!(b.text("dl").await.contains("Criminal ransomware crews"), "nothing was stored");

    // Link a control through the picker, plan an action and finish it.
    b.goto("/risks/RSK-001").await;
    b.client.find(Locator::Id("control-pick")).await.unwrap().send_keys("A.8.13").await.unwrap();
    b.client.find(Locator::Css("#link-control button")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#linked-controls')").await;
    assert!(b.text("#linked-controls").await.contains("A.8.13"));
    b.client.find(Locator::Css("#add-action summary")).await.unwrap().click().await.unwrap();
    b.client.find(Locator::Id("action_title")).await.unwrap().send_keys("Offline backups").await.unwrap();
    let due = b.client.find(Locator::Id("action_due")).await.unwrap();
    b.client.execute("arguments[0].value = '2027-03-31';", vec![serde_json::to_value(&due).unwrap()]).await.unwrap();
    b.client.find(Locator::Css("#action-form button")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#actions')").await;
    assert!(b.text("#actions").await.contains("Offline backups"));
    b.client.find(Locator::Css("#status-0 option[value=done]")).await.unwrap().click().await.unwrap();
    b.client.find(Locator::Css("#actions form button")).await.unwrap().click().await.unwrap();
    b.wait_for(
        "document.querySelector('.notice') && document.querySelector('.notice').textContent === 'Saved the action'",
    )
    .await;
    let stored = api.must(reqwest::Method::GET, "/api/v1/risks/RSK-001", None, 200).await;
    assert_eq!(stored["controls"], json!(["A.8.13"]));
    assert_eq!(stored["actions"][0]["status"], "done");
    assert_eq!(stored["treatment"], "retain");

    // The readiness blocker names the risk, on the dashboard and the certification
    // page, and leads to it.
    b.goto("/dashboard").await;
    assert!(b.has("#dash-problems li[data-rule=risks_accepted]").await, "the dashboard lists the blocker");
    b.goto("/certification?stage=2").await;
    b.client.find(Locator::Css("li[data-rule=risks_accepted] details summary")).await.unwrap().click().await.unwrap();
    assert!(b.text("li[data-rule=risks_accepted] details").await.contains("RSK-001 Ransomware"));
    b.shot("32-readiness-blocker").await;
    b.client.find(Locator::Css("li[data-rule=risks_accepted] a.fix")).await.unwrap().click().await.unwrap();
    b.wait_for("location.pathname === '/risks/RSK-001'").await;

    // Accept it: the acceptance is recorded and the readiness problem is gone.
    b.client.find(Locator::Id("comment")).await.unwrap().send_keys("Backups tested; the board agrees").await.unwrap();
    b.client.find(Locator::Id("accept")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('.notice') && document.querySelector('.notice').textContent === 'Accepted'")
        .await;
    assert!(b.text("#acceptance-state").await.contains("by Administrator"), "{}", b.text("#acceptance-state").await);
    assert!(!b.has("#accept-form").await);
    b.shot("31-risk-accepted").await;
    let after = api.must(reqwest::Method::GET, "/api/v1/readiness?stage=2", None, 200).await;
    assert!(!blocked(&after), "accepting cleared it: {after}");
    b.goto("/certification?stage=2").await;
    assert!(!b.has("li[data-rule=risks_accepted]").await, "the page no longer shows it");
    let trail = api.must(reqwest::Method::GET, "/api/v1/audit-log?limit=200", None, 200).await;
    assert!(trail.to_string().contains("risk.accepted"), "the acceptance is in the trail");

    // Global search from the top bar: records and framework requirements, linked.
    b.goto("/dashboard").await;
    b.client.find(Locator::Id("global-q")).await.unwrap().send_keys("backup\n").await.unwrap();
    b.wait_for("location.pathname === '/search'").await;
    let controls = b.text("section[data-kind=Controls]").await;
    assert!(controls.contains("A.8.13"), "{controls}");
    assert!(b.has("section[data-kind='Requirements of the frameworks'] a[href^='/crosswalk?item=']").await);
    b.shot("33-search").await;
    b.goto("/search?q=ransomware%20criminal").await;
    b.client.find(Locator::Css("section[data-kind=Risks] a")).await.unwrap().click().await.unwrap();
    b.wait_for("location.pathname === '/risks/RSK-001'").await;
    b.goto("/search?q=zzzz-nothing").await;
    assert!(b.has("#no-results").await);
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn fair_estimates_are_entered_simulated_and_drawn_against_the_appetite_in_the_page() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let ciso = s.init_org("Acme", "ciso@acme.test");
    let viewer = s.join(&d, "Acme", "viewer@acme.test", "viewer");
    for title in ["Ransomware", "Lost laptop"] {
        let added = s.isms(&[
            "risk",
            "add",
            "--org",
            "Acme",
            "--title",
            title,
            "--owner",
            "ciso@acme.test",
            "--inherent",
            "3,3",
            "--residual",
            "2,2",
        ]);
        assert_eq!(added.code, 0, "{added:?}");
    }
    let estimated =
        s.isms(&["risk", "estimate", "RSK-002", "--org", "Acme", "--lef", "0.5", "--pl", "1000,5000,20000"]);
    assert_eq!(estimated.code, 0, "{estimated:?}");
    let server = s.serve(&["--data-dir", &d], &[]);
    let api = crate::support::ApiClient::sign_in(server.url("").trim_end_matches('/'), "ciso@acme.test", &ciso).await;

    let b = Browser::start(&server).await;
    b.sign_in_with("ciso@acme.test", &ciso).await;
    b.goto("/risks/RSK-001").await;
    assert!(b.has("#fair-none").await, "no estimates yet");
    b.client.find(Locator::Css("#fair-estimates summary")).await.unwrap().click().await.unwrap();
    let typed = [
        ("tef", "2,6,20"),
        ("vuln", "0.5,2,3"),
        ("pl", "20000,80000,400000"),
        ("slef", "0.2"),
        ("slem", "lognormal:50000,1000000"),
    ];
    for (id, text) in typed {
        b.client.find(Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
    }
    // A vulnerability above 1 is refused, naming the factor, and what was typed stays.
    b.client.find(Locator::Id("save-fair")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#risk-problems')").await;
    let problems = b.text("#risk-problems").await;
    assert!(problems.contains("vuln") && problems.contains("above 1"), "{problems}");
    let kept = b.client.find(Locator::Id("pl")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("20000,80000,400000"), "the typed estimates are kept");
    let unsaved = api.must(reqwest::Method::GET, "/api/v1/risks/RSK-001", None, 200).await;
    assert!(unsaved["fair"].is_null(), "nothing was stored: {unsaved}");
    let vuln = b.client.find(Locator::Id("vuln")).await.unwrap();
    vuln.clear().await.unwrap();
    vuln.send_keys("0.05,0.1,0.3").await.unwrap();
    b.client.find(Locator::Id("save-fair")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('.notice')").await;
    assert_eq!(b.text(".notice").await, "Saved the FAIR estimates");
    let stored = api.must(reqwest::Method::GET, "/api/v1/risks/RSK-001", None, 200).await;
    assert_eq!(stored["fair"]["frequency"]["method"], "vulnerability", "{stored}");
    assert_eq!(stored["fair"]["slem"], json!({ "type": "lognormal", "low": 50000.0, "high": 1000000.0 }));

    // Simulate the risk: the statistics and the curve are shown.
    assert!(b.has("#fair-not-run").await);
    b.client.find(Locator::Id("simulate")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#fair-curve svg polyline.curve')").await;
    assert!(b.text("#fair-ran").await.contains("10,000 simulated years, seed 1"), "{}", b.text("#fair-ran").await);
    assert!(b.text(".fair-stats").await.contains("Mean annual loss"));
    assert!(!b.has("#fair-verdict").await, "no appetite yet, so no verdict");

    // Set the loss appetite: a bad line is refused by its number, then a good one saved.
    b.goto("/risks/quantitative").await;
    assert!(b.has("#no-appetite").await);
    b.client.find(Locator::Css("#edit-appetite summary")).await.unwrap().click().await.unwrap();
    b.client.find(Locator::Id("points")).await.unwrap().send_keys("100,000 50%\nlots 5%").await.unwrap();
    b.client.find(Locator::Id("save-appetite")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#problems')").await;
    assert!(b.text("#problems").await.contains("line 2"), "{}", b.text("#problems").await);
    let points = b.client.find(Locator::Id("points")).await.unwrap();
    points.clear().await.unwrap();
    points.send_keys("100,000 50%\n1,000,000 5%").await.unwrap();
    b.client.find(Locator::Id("save-appetite")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#appetite-points')").await;
    assert!(b.text("#appetite-points").await.contains("$1.0M"), "{}", b.text("#appetite-points").await);

    // The risk's curve is now drawn against the appetite, with a verdict.
    b.goto("/risks/RSK-001").await;
    assert!(b.has("#fair-curve svg path.appetite").await);
    assert!(b.text("#fair-verdict").await.contains("loss appetite"));
    b.shot("34-fair-risk").await;

    // The portfolio simulation starts from the register and its result is stored.
    b.goto("/risks").await;
    b.client.find(Locator::Id("simulate-all")).await.unwrap().click().await.unwrap();
    b.wait_for("location.pathname === '/risks/quantitative'").await;
    assert!(b.path().await.contains("job="), "{}", b.path().await);
    assert!(b.has("#running").await || b.has("#done").await, "the page follows the run");
    b.wait_for("document.querySelector('#done')").await;
    assert!(b.text("#done").await.contains("Simulated 2 risks"), "{}", b.text("#done").await);
    assert!(b.has("#portfolio svg polyline.curve").await);
    let contributions = b.text("#contributions").await;
    assert!(contributions.contains("RSK-001") && contributions.contains("RSK-002"), "{contributions}");
    b.shot("35-fair-portfolio").await;
    let trail = api.must(reqwest::Method::GET, "/api/v1/audit-log?limit=200", None, 200).await.to_string();
    for action in ["risk.estimated", "risk.simulated", "loss_appetite"] {
        assert!(trail.contains(action), "{action} is in the trail");
    }
    drop(b);

    // A viewer sees the results but is offered no form, and forcing one is refused.
    let b = Browser::start(&server).await;
    b.sign_in_with("viewer@acme.test", &viewer).await;
    b.goto("/risks/RSK-001").await;
    assert!(b.has("#fair-curve").await);
    for form in ["#fair-form", "#simulate-form"] {
        assert!(!b.has(form).await, "a viewer is offered {form}");
    }
    b.goto("/risks/quantitative").await;
    for form in ["#portfolio-form", "#appetite-form"] {
        assert!(!b.has(form).await, "a viewer is offered {form}");
    }
    let forced = "const [path, action, done] = arguments; \
        const body = new URLSearchParams({ csrf: document.querySelector('meta[name=csrf-token]').content, action, points: '1 1%', pl: '1', lef: '1' }); \
        fetch(path, { method: 'POST', body }).then(r => done(r.status), () => done(0));";
    for (path, action) in
        [("/risks/quantitative", "simulate"), ("/risks/quantitative", "appetite"), ("/risks/RSK-001/fair", "save")]
    {
        let status = b.client.execute_async(forced, vec![json!(path), json!(action)]).await.unwrap();
        assert_eq!(status, json!(403), "a viewer forcing {action} on {path}");
    }
}

/// The main pages, for the layout check and the screenshots.
#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn the_advisor_is_answered_and_accepted_and_coverage_and_the_roadmap_follow_in_the_page() {
    let s = Sandbox::new();
    let server = demo(&s);
    let b = Browser::start(&server).await;
    b.sign_in(OWNER).await;
    // The frameworks page leads to the advisor; the questionnaire is answered.
    b.goto("/frameworks").await;
    b.client.find(Locator::Css("a[href='/advisor']")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#questionnaire')").await;
    assert!(b.text("main").await.contains("No answers yet."));
    b.client.find(Locator::Id("sector")).await.unwrap().send_keys("health-tech SaaS").await.unwrap();
    for fact in ["handles_phi", "certificate_demanded", "eu_personal_data"] {
        b.client.find(Locator::Css(&format!("input[name='{fact}']"))).await.unwrap().click().await.unwrap();
    }
    b.client.find(Locator::Id("employees")).await.unwrap().send_keys("180").await.unwrap();
    b.client.find(Locator::Id("maturity")).await.unwrap().select_by_value("defined").await.unwrap();
    b.client.find(Locator::Id("submit-answers")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#advice')").await;
    let advice = b.text("#advice").await;
    assert!(advice.contains("HIPAA Security Rule") && advice.contains("because handles_phi = true"), "{advice}");
    assert!(advice.contains("GDPR Article 32"), "{advice}");
    assert_eq!(b.text("#operative").await, "iso27001-2022");
    b.shot("37-advisor").await;
    // Accepting adopts GDPR Art. 32 (HIPAA and CSF are in use already) and records the parties.
    b.client.find(Locator::Id("accept-advice")).await.unwrap().click().await.unwrap();
    b.wait_for("document.querySelector('#accepted')").await;
    let accepted = b.text("#accepted").await;
    assert!(accepted.contains("Frameworks adopted: gdpr-art32"), "{accepted}");
    assert!(accepted.contains("HHS Office for Civil Rights"), "{accepted}");
    // Coverage shows the new framework and names the paths.
    b.goto("/coverage").await;
    assert!(b.has("#coverage tr[data-framework='gdpr-art32']").await);
    b.goto("/coverage/hipaa-security").await;
    assert!(b.text("#coverage-summary").await.contains('%'));
    b.client.find(Locator::Css("#requirements details summary")).await.unwrap().click().await.unwrap();
    let paths = b.text("#requirements details ul.paths").await;
    assert!(paths.contains("official mapping") || paths.contains("isms analysis"), "{paths}");
    b.shot("38-coverage").await;
    // The roadmap of the payments client, far from certified: a target too early is
    // refused in words and the timeline is an image the browser decodes.
    let b = Browser::start(&server).await;
    b.sign_in("ana.souza@bluefin.example").await;
    b.goto("/gap-analysis?target=2027-01-10").await;
    assert!(b.text("#blockers").await.contains("Stage 2 cannot start by 2027-01-10"), "{}", b.text("#roadmap").await);
    b.wait_for("document.querySelector('#roadmap-svg').complete").await;
    let width = b.client.execute("return document.querySelector('#roadmap-svg').naturalWidth;", vec![]).await.unwrap();
    assert!(width.as_u64().unwrap_or(0) > 500, "the SVG decodes as an image: {width}");
    b.shot("39-roadmap").await;
}

const MAIN_PAGES: [&str; 34] = [
    "/dashboard",
    "/soa",
    "/controls/A.5.15",
    "/risks",
    "/risks/RSK-001",
    "/risks/new",
    "/risks/quantitative",
    "/methodology",
    "/documents",
    "/documents/DOC-001",
    "/documents/DOC-001/versions/1",
    "/documents/checklist",
    "/evidence",
    "/audits",
    "/audits/AUD-001",
    "/findings",
    "/findings/FND-001",
    "/management-reviews",
    "/certification",
    "/changes",
    "/context",
    "/assets",
    "/assets/AST-001",
    "/frameworks",
    "/frameworks/iso27001-2022",
    "/crosswalk?item=A.5.15",
    "/advisor",
    "/coverage",
    "/coverage/hipaa-security",
    "/gap-analysis",
    "/audit-log",
    "/members",
    "/tokens",
    "/search?q=backup",
];

/// What overflows on the page shown: at desktop widths, any element sticking out of
/// its card (or a scrolling table that has to scroll); at any width, the document
/// scrolling sideways. Each problem names the element.
const OVERFLOW: &str = r#"
const [strict] = arguments;
const bad = [];
const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
const doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth + 1) {
  const wide = Array.from(document.querySelectorAll('body *')).filter(el => {
    const e = el.getBoundingClientRect();
    return e.right > window.innerWidth + 1 && el.parentElement && el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1;
  }).slice(0, 3).map(name);
  bad.push(`the document scrolls sideways: ${doc.scrollWidth} px wide in ${window.innerWidth}, by ${wide.join(', ')}`);
}
if (strict) {
  document.querySelectorAll('.card, .filters, .title-row, .tiles, nav.sections, header.top').forEach(card => {
    const r = card.getBoundingClientRect();
    const out = new Set();
    card.querySelectorAll('*').forEach(el => {
      const scroller = el.parentElement && el.parentElement.closest('.table-scroll, nav.sections, svg, details:not([open])');
      if (scroller && card.contains(scroller)) return;
      const e = el.getBoundingClientRect();
      if (e.width === 0 || e.height === 0) return;
      if (e.right > r.right + 1 || e.left < r.left - 1) {
        out.add(el);
        if (!out.has(el.parentElement)) bad.push(`${name(el)} sticks out of ${name(card)} (${Math.round(e.left)}–${Math.round(e.right)} in ${Math.round(r.left)}–${Math.round(r.right)})`);
      }
    });
  });
  document.querySelectorAll('.table-scroll').forEach(t => {
    if (t.scrollWidth > t.clientWidth + 1 && !t.closest('[data-wide]')) bad.push(`${name(t.firstElementChild || t)} needs ${t.scrollWidth} px in ${t.clientWidth}`);
  });
}
return bad.slice(0, 12);
"#;

impl Browser {
    async fn start_with(server: &Server, dark: bool) -> Browser {
        let b = Browser::start_args(
            server,
            if dark { &["--blink-settings=preferredColorScheme=0", "--force-dark-mode"] } else { &[] },
        )
        .await;
        let is_dark =
            b.client.execute("return matchMedia('(prefers-color-scheme: dark)').matches", vec![]).await.unwrap();
        assert_eq!(is_dark, json!(dark), "the browser is in {} mode", if dark { "dark" } else { "light" });
        b
    }

    /// Resizes the window so the page's viewport is `width` wide.
    async fn width(&self, width: u32, height: u32) {
        // The window's frame may take some pixels; ask again until the viewport itself
        // is `width` wide (a resize can still be settling when it is first measured).
        let mut asked = i64::from(width);
        for _ in 0..10 {
            self.client.set_window_size(u32::try_from(asked).unwrap_or(width), height).await.unwrap();
            let inner = self.client.execute("return window.innerWidth", vec![]).await.unwrap().as_i64().unwrap();
            if inner == i64::from(width) {
                return;
            }
            asked = (asked + i64::from(width) - inner).clamp(i64::from(width), i64::from(width) + 200);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the window could not be made {width} px wide");
    }

    /// A screenshot of the whole page at the current width.
    async fn full_shot(&self, width: u32, name: &str) {
        self.width(width, 900).await;
        let height = self.client.execute("return document.documentElement.scrollHeight", vec![]).await.unwrap();
        let height = u32::try_from(height.as_u64().unwrap()).unwrap().clamp(600, 12_000);
        self.width(width, height).await;
        self.shot(name).await;
    }
}

#[tokio::test]
#[ignore = "needs Chromium and ChromeDriver (.ci/run installs them)"]
async fn no_main_page_overflows_at_desktop_or_phone_widths_and_every_page_is_photographed() {
    let s = Sandbox::new();
    let server = demo(&s);
    let mut problems = Vec::new();
    for dark in [false, true] {
        let theme = if dark { "dark" } else { "light" };
        let b = Browser::start_with(&server, dark).await;
        b.sign_in(OWNER).await;
        for path in MAIN_PAGES {
            b.goto(path).await;
            assert!(b.has("main#content").await, "{path} rendered");
            let widths: &[u32] = if dark { &[390] } else { &[1280, 1440, 1920, 390] };
            for &w in widths {
                b.width(w, 900).await;
                let found = b.client.execute(OVERFLOW, vec![json!(w >= 1280)]).await.unwrap();
                for p in found.as_array().unwrap() {
                    problems.push(format!("{path} at {w} px ({theme}): {}", p.as_str().unwrap()));
                }
            }
            let name = path.trim_start_matches('/').replace(['/', '?', '=', '&', ':', '(', ')', '.'], "-");
            b.full_shot(1440, &format!("layout-{theme}-desktop-{name}")).await;
            b.full_shot(390, &format!("layout-{theme}-phone-{name}")).await;
        }
        // The phone navigation is a menu that opens.
        b.width(390, 900).await;
        b.goto("/dashboard").await;
        assert!(b.has("details.menu").await, "the navigation collapses into a menu at 390 px");
        b.client.find(Locator::Css("details.menu summary")).await.unwrap().click().await.unwrap();
        assert!(
            b.client
                .find(Locator::Css("details.menu nav a[href='/risks']"))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap()
        );
    }
    assert!(problems.is_empty(), "{} layout problems:\n{}", problems.len(), problems.join("\n"));
}
