//! Security hardening, tried as an attacker would against the real binary over HTTP:
//! invitations instead of shown passwords, calendar-only feed tokens, the sign-in
//! redirect, memory-bounded upload forms, tokens that die with the password, formulas
//! in spreadsheet exports, control owners' links, throttling a stranger cannot turn
//! against the account holder, login CSRF, checked dates and day counts, safe
//! downloads, and the client address behind proxies (docs/security.md lists which
//! test proves which defence).

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::multipart;
use crate::support::{ApiClient as Client, Sandbox, Server, http, shown_password};

const OWNER: &str = "owner@acme.test";

/// Acme with its owner, served; more members join with [`Sandbox::join`].
struct Site {
    s: Sandbox,
    d: String,
    owner_pw: String,
    env: Vec<(String, String)>,
    server: Option<Server>,
}

impl Site {
    fn new() -> Site {
        Site::with_env(&[])
    }

    fn with_env(env: &[(&str, &str)]) -> Site {
        let s = Sandbox::new();
        let d = s.data_dir().to_str().unwrap().to_owned();
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let env_refs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let init = s.run_with(&["--data-dir", &d, "init", "--org", "Acme", "--admin-email", OWNER], &env_refs);
        assert_eq!(init.code, 0, "{init:?}");
        let owner_pw = shown_password(&init.stdout);
        Site { s, d, owner_pw, env, server: None }
    }

    fn env(&self) -> Vec<(&str, &str)> {
        self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }

    fn run(&self, args: &[&str]) -> crate::support::Run {
        let mut all = vec!["--data-dir", self.d.as_str()];
        all.extend_from_slice(args);
        self.s.run_with(&all, &self.env())
    }

    fn serve(&mut self) -> String {
        let server = self.s.serve(&["--data-dir", &self.d], &self.env());
        let base = server.url("").trim_end_matches('/').to_owned();
        self.server = Some(server);
        base
    }

    fn trail(&self, org: &str) -> String {
        let r = self.run(&["audit-log", "export", "--org", org, "--format", "csv"]);
        assert_eq!(r.code, 0, "{r:?}");
        r.stdout
    }
}

/// A client that does not follow redirects.
fn no_redirects() -> reqwest::Client {
    crate::support::client().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn secret_of(invited: &Value) -> String {
    invited["link"].as_str().unwrap().rsplit("/invite/").next().unwrap().to_owned()
}

async fn accept(base: &str, token: &str, password: &str) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{base}/api/v1/invitations/accept"))
        .json(&json!({ "token": token, "password": password }))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn sign_in_from(base: &str, email: &str, password: &str, address: &str) -> StatusCode {
    http()
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", address)
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

// ---- 1. invitations ------------------------------------------------------------------

#[tokio::test]
async fn invitations_replace_shown_passwords_and_no_organization_can_take_over_another_ones_account() {
    let mut site = Site::new();
    let globex = site.run(&["org", "add", "--name", "Globex", "--owner-email", "owner@globex.test"]);
    assert_eq!(globex.code, 0, "{globex:?}");
    assert!(!globex.stdout.to_lowercase().contains("password (shown"), "no password is shown: {}", globex.stdout);
    let globex_pw = "globex owner's own password";
    assert_eq!(site.s.accept(&site.d, &globex.stdout, globex_pw).code, 0);
    let base = site.serve();
    let acme = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let globex = Client::sign_in(&base, "owner@globex.test", globex_pw).await;

    // The answer is the same whether or not the address has an account, and holds no
    // password.
    let fresh = json!({ "email": "new.ciso@acme.test", "name": "New CISO", "role": "owner" });
    let fresh = globex.must(Method::POST, "/api/v1/invitations", Some(fresh), 201).await;
    let known = json!({ "email": OWNER, "role": "viewer" });
    let known = globex.must(Method::POST, "/api/v1/invitations", Some(known), 201).await;
    assert_eq!(keys(&fresh), keys(&known));
    assert_eq!(keys(&fresh["invitation"]), keys(&known["invitation"]));
    assert!(!fresh.to_string().contains("password") && !known.to_string().contains("password"), "{fresh}");
    assert_eq!(fresh["invitation"]["state"], Value::Null, "the answer is the invitation itself: {fresh}");

    // An existing account joins only with its own password.
    let (status, problem) = accept(&base, &secret_of(&known), "globex guesses acme's password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");

    // The takeover of the first wave: Globex's owner makes the account themselves,
    // keeps the password, and removes the membership…
    let (status, _) = accept(&base, &secret_of(&fresh), "globex owner chose this").await;
    assert_eq!(status, StatusCode::CREATED);
    globex.must(Method::DELETE, "/api/v1/members/new.ciso@acme.test", None, 204).await;
    // …but an account with no membership and no pending invitation opens nothing…
    assert_eq!(
        sign_in_from(&base, "new.ciso@acme.test", "globex owner chose this", "192.0.2.1").await,
        StatusCode::UNAUTHORIZED
    );
    // …and when Acme invites the real person, they choose their own password with
    // Acme's link: Globex's no longer works.
    let real = json!({ "email": "new.ciso@acme.test", "role": "isms_manager" });
    let real = acme.must(Method::POST, "/api/v1/invitations", Some(real), 201).await;
    let (status, joined) = accept(&base, &secret_of(&real), "the real ciso's password").await;
    assert_eq!(status, StatusCode::CREATED, "{joined}");
    assert_eq!(
        (joined["organization"]["name"].as_str(), joined["role"].as_str()),
        (Some("Acme"), Some("isms_manager"))
    );
    assert_eq!(
        sign_in_from(&base, "new.ciso@acme.test", "globex owner chose this", "192.0.2.1").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in_from(&base, "new.ciso@acme.test", "the real ciso's password", "192.0.2.55").await,
        StatusCode::CREATED
    );
    // Her sign-ins are in Acme's trail, never in Globex's.
    assert!(site.trail("Acme").contains("192.0.2.55"));
    assert!(!site.trail("Globex").contains("192.0.2.55"), "another organization sees no sign-in address of hers");

    // A link works once; a withdrawn one not at all.
    let (status, used) = accept(&base, &secret_of(&real), "the real ciso's password").await;
    assert_eq!((status, used["code"].as_str()), (StatusCode::NOT_FOUND, Some("invitation_invalid")));
    let temp = acme
        .must(Method::POST, "/api/v1/invitations", Some(json!({ "email": "temp@acme.test", "role": "viewer" })), 201)
        .await;
    let id = temp["invitation"]["id"].as_str().unwrap().to_owned();
    let withdrawn = acme.must(Method::DELETE, &format!("/api/v1/invitations/{id}"), None, 200).await;
    assert_eq!(withdrawn["state"], "revoked");
    acme.must(Method::DELETE, &format!("/api/v1/invitations/{id}"), None, 409).await;
    let (status, _) = accept(&base, &secret_of(&temp), "a long enough password").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another organization's invitation is not found; only owners invite.
    globex.must(Method::DELETE, &format!("/api/v1/invitations/{id}"), None, 404).await;
    let ciso = Client::sign_in(&base, "new.ciso@acme.test", "the real ciso's password").await;
    ciso.must(Method::POST, "/api/v1/invitations", Some(json!({ "email": "x@acme.test", "role": "owner" })), 403).await;
    ciso.must(Method::GET, "/api/v1/invitations", None, 403).await;

    let (_, list) = acme.get("/api/v1/invitations?sort=email").await;
    let states: Vec<(&str, &str)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["email"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("new.ciso@acme.test", "accepted"), ("temp@acme.test", "revoked")]);
    let trail = site.trail("Acme");
    for action in
        ["invitation.created", "invitation.accepted", "invitation.revoked", "user.password_set", "membership.granted"]
    {
        assert!(trail.contains(action), "{action} missing from Acme's trail");
    }
    let db = crate::support::dump_sqlite(&site.s.data_dir().join("isms.db"));
    assert!(!db.contains(&secret_of(&real)), "invitation links are stored only as hashes");
    assert_eq!(site.run(&["audit-log", "verify"]).code, 0);
}

// ---- 2. calendar tokens --------------------------------------------------------------

#[tokio::test]
async fn a_calendar_address_opens_the_feed_and_nothing_else() {
    let mut site = Site::new();
    let base = site.serve();
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let made = owner.must(Method::POST, "/api/v1/calendar/tokens", None, 201).await;
    let url = made["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{base}/api/v1/calendar.ics?token=isms_")), "{url}");
    let secret = url.rsplit("token=").next().unwrap().to_owned();
    let feed = http().get(&url).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
    // As a bearer token it is refused everywhere — the feed included.
    for path in ["/api/v1/risks", "/api/v1/members", "/api/v1/evidence", "/api/v1/calendar.ics"] {
        let r = http().get(format!("{base}{path}")).bearer_auth(&secret).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // An API token, even a read-only one, does not travel in an address.
    let api = owner.must(Method::POST, "/api/v1/tokens", Some(json!({ "name": "ci", "role": "viewer" })), 201).await;
    let api_secret = api["secret"].as_str().unwrap();
    let r = http().get(format!("{base}/api/v1/calendar.ics?token={api_secret}")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // Listed apart from API tokens, and revocable.
    let (_, calendars) = owner.get("/api/v1/calendar/tokens").await;
    assert_eq!(calendars["items"].as_array().unwrap().len(), 1);
    assert_eq!(calendars["items"][0]["kind"], "calendar");
    let (_, apis) = owner.get("/api/v1/tokens").await;
    assert!(apis["items"].as_array().unwrap().iter().all(|t| t["kind"] == "api"), "{apis}");
    let id = made["token"]["id"].as_str().unwrap();
    owner.must(Method::DELETE, &format!("/api/v1/calendar/tokens/{id}"), None, 204).await;
    assert_eq!(http().get(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert!(site.trail("Acme").contains("calendar_token.revoked"));
}

// ---- 3 and 9. the sign-in form ---------------------------------------------------------

#[tokio::test]
async fn sign_in_follows_only_plain_local_paths_and_refuses_forms_from_other_sites() {
    let mut site = Site::new();
    let base = site.serve();
    let client = no_redirects();
    let post = |next: &'static str, headers: &[(&'static str, &'static str)]| {
        let mut r = client.post(format!("{base}/login")).form(&[
            ("email", OWNER),
            ("password", site.owner_pw.as_str()),
            ("next", next),
        ]);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        r.send()
    };
    for (next, to) in [
        ("/\t/evil.example/", "/dashboard"),
        ("/%09/evil.example/", "/%09/evil.example/"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example/", "/dashboard"),
        ("https://evil.example/", "/dashboard"),
        ("/risks?sort=-residual_level", "/risks?sort=-residual_level"),
    ] {
        let r = post(next, &[("sec-fetch-site", "same-origin")]).await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(r.headers()["location"], to, "{next:?}");
    }
    // The page itself never carries a hostile `next` into its form.
    let page = client.get(format!("{base}/login?next=%2F%09%2Fevil.example%2F")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains(r#"name="next" value="/dashboard""#), "{html}");

    // Login CSRF: a form posted from another site's page signs nobody in.
    for headers in [
        &[("sec-fetch-site", "cross-site")][..],
        &[("sec-fetch-site", "same-site")][..],
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")][..],
    ] {
        let r = post("/dashboard", headers).await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert!(r.headers().get("set-cookie").is_none(), "{headers:?}");
    }
    let api = http()
        .post(format!("{base}/api/v1/session"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "email": OWNER, "password": site.owner_pw }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.json::<Value>().await.unwrap()["code"], "cross_site_form");
    // Our own page, a bookmark, and clients that are not browsers still sign in.
    let host = base.trim_start_matches("http://").to_owned();
    let origin: &'static str = Box::leak(format!("http://{host}").into_boxed_str());
    for headers in [&[("origin", origin)][..], &[("sec-fetch-site", "none")][..], &[][..]] {
        assert_eq!(post("/dashboard", headers).await.unwrap().status(), StatusCode::SEE_OTHER, "{headers:?}");
    }
}

// ---- 4. upload forms -----------------------------------------------------------------

fn rss_kib(server: &Server) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn upload_forms_check_the_role_and_token_first_and_cap_their_text_fields() {
    let mut site = Site::new();
    let viewer_pw = site.s.join(&site.d, "Acme", "viewer@acme.test", "viewer");
    let base = site.serve();
    let viewer = Client::sign_in(&base, "viewer@acme.test", &viewer_pw).await;
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let server = site.server.as_ref().unwrap();
    let before = rss_kib(server);
    let send = |c: &Client, path: &str, parts: &[(&str, &[u8])], file: bool| {
        let (content_type, body) = multipart(parts, file);
        c.http
            .post(format!("{base}{path}"))
            .header("cookie", &c.cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let big = vec![b'a'; 300 << 20];
    // A viewer's 300 MB note: refused before the body is read (the server may close
    // the connection while the client still sends).
    let started = Instant::now();
    let r = send(&viewer, "/evidence", &[("csrf", viewer.csrf.as_bytes()), ("note", &big)], true).await;
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    // An owner's form: the token comes first, and no text field holds more than 64 KiB.
    let r = send(&owner, "/evidence", &[("note", b"x"), ("csrf", owner.csrf.as_bytes())], true).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "the token must come first");
    let r = send(&owner, "/evidence", &[("csrf", owner.csrf.as_bytes()), ("note", &big)], true).await;
    if let Ok(r) = r {
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }
    let fields: Vec<(&str, &[u8])> =
        std::iter::once(("csrf", owner.csrf.as_bytes())).chain(std::iter::repeat_n(("note", &b"x"[..]), 40)).collect();
    let r = send(&owner, "/evidence", &fields, true).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "at most 16 fields");
    let r = send(&owner, "/documents/DOC-001/upload", &[("csrf", owner.csrf.as_bytes()), ("note", &big)], true).await;
    if let Ok(r) = r {
        assert!(matches!(r.status(), StatusCode::PAYLOAD_TOO_LARGE | StatusCode::NOT_FOUND), "{}", r.status());
    }
    let grown_mib = rss_kib(server).saturating_sub(before) / 1024;
    assert!(grown_mib < 64, "the server grew by {grown_mib} MiB reading hostile forms");
    // A good form still works.
    let ok = send(
        &owner,
        "/evidence",
        &[("csrf", owner.csrf.as_bytes()), ("title", b"Restore test"), ("control", b"A.8.13")],
        true,
    )
    .await
    .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(
        ok.url().query().unwrap_or_default().starts_with("done="),
        "followed the redirect after saving: {}",
        ok.url()
    );
    let (_, items) = owner.get("/api/v1/evidence").await;
    assert_eq!(items["total"], 1, "only the good upload stored anything: {items}");
}

// ---- 5. tokens die with the password -------------------------------------------------

#[tokio::test]
async fn tokens_stop_working_on_reset_disable_and_password_change() {
    let mut site = Site::new();
    let dana_pw = site.s.join(&site.d, "Acme", "dana@acme.test", "isms_manager");
    let base = site.serve();
    let works = |secret: String| {
        let base = base.clone();
        async move { http().get(format!("{base}/api/v1/risks")).bearer_auth(secret).send().await.unwrap().status() }
    };
    let token = |c: Client| async move {
        let t = c.must(Method::POST, "/api/v1/tokens", Some(json!({ "name": "ci", "role": "viewer" })), 201).await;
        t["secret"].as_str().unwrap().to_owned()
    };
    let dana = Client::sign_in(&base, "dana@acme.test", &dana_pw).await;
    let before_reset = token(dana.clone()).await;
    let calendar =
        dana.must(Method::POST, "/api/v1/calendar/tokens", None, 201).await["url"].as_str().unwrap().to_owned();
    assert_eq!(works(before_reset.clone()).await, StatusCode::OK);
    let reset = site.run(&["user", "reset-password", "dana@acme.test"]);
    assert_eq!(reset.code, 0);
    let dana_pw = shown_password(&reset.stdout);
    assert_eq!(works(before_reset).await, StatusCode::UNAUTHORIZED, "an admin reset revokes API tokens");
    assert_eq!(
        http().get(&calendar).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "and calendar addresses"
    );

    let dana = Client::sign_in(&base, "dana@acme.test", &dana_pw).await;
    let before_disable = token(dana).await;
    assert_eq!(site.run(&["user", "disable", "dana@acme.test"]).code, 0);
    assert_eq!(works(before_disable.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(site.run(&["user", "disable", "--enable", "dana@acme.test"]).code, 0);
    assert_eq!(works(before_disable).await, StatusCode::UNAUTHORIZED, "enabling again brings no token back");

    let dana = Client::sign_in(&base, "dana@acme.test", &dana_pw).await;
    let kept = token(dana.clone()).await;
    let change = async |c: &Client, current: &str, new: &str, body_extra: Option<bool>| {
        let mut body = json!({ "current_password": current, "new_password": new });
        if let Some(revoke) = body_extra {
            body["revoke_tokens"] = json!(revoke);
        }
        c.send(Method::PUT, "/api/v1/session/password", Some(&body)).await
    };
    let (status, answer) = change(&dana, &dana_pw, "dana's second password", Some(false)).await;
    assert_eq!((status, answer["tokens_revoked"].as_u64()), (StatusCode::OK, Some(0)), "{answer}");
    assert_eq!(works(kept.clone()).await, StatusCode::OK, "kept when asked to keep");
    let (status, answer) = change(&dana, "dana's second password", "dana's third password", None).await;
    assert_eq!((status, answer["tokens_revoked"].as_u64()), (StatusCode::OK, Some(1)), "{answer}");
    assert_eq!(works(kept).await, StatusCode::UNAUTHORIZED, "revoked by default");
    // The same on the page: the box to revoke tokens is ticked unless unticked.
    let kept = token(dana.clone()).await;
    let form = |current: &'static str, new: &'static str, revoke: bool| {
        let mut fields =
            vec![("csrf", dana.csrf.as_str()), ("current_password", current), ("new_password", new), ("confirm", new)];
        if revoke {
            fields.push(("revoke_tokens", "yes"));
        }
        dana.http.post(format!("{base}/account/password")).header("cookie", &dana.cookie).form(&fields).send()
    };
    let page = form("dana's third password", "dana's fourth password", false).await.unwrap();
    assert!(page.url().query().unwrap_or_default().starts_with("done="), "{}", page.url());
    assert_eq!(works(kept.clone()).await, StatusCode::OK);
    let page = form("dana's fourth password", "dana's fifth password", true).await.unwrap();
    assert!(page.text().await.unwrap().contains("1 token was revoked"));
    assert_eq!(works(kept).await, StatusCode::UNAUTHORIZED);
    let page = form("dana's fifth password", "short", true).await.unwrap();
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let trail = site.trail("Acme");
    assert!(trail.contains("tokens_revoked"), "the trail says how many tokens went");
}

// ---- 6. formulas in exports ----------------------------------------------------------

fn check_csv(what: &str, bytes: &[u8], hostile: &[&str]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    for record in reader.records() {
        for cell in record.unwrap().iter() {
            assert!(!isms_domain::cells::is_formula_like(cell), "{what}: a spreadsheet would run {cell:?}");
        }
    }
    for h in hostile {
        assert!(text.contains(&format!("'{}", h.replace('"', "\"\""))), "{what}: {h} missing or unguarded:\n{text}");
    }
}

async fn download(c: &Client, path: &str) -> Vec<u8> {
    let r = c.http.get(format!("{}{path}", c.base)).header("cookie", &c.cookie).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.bytes().await.unwrap().to_vec()
}

fn check_xlsx(what: &str, bytes: Vec<u8>, hostile: &str) {
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    assert!(
        range.cells().any(|(_, _, c)| *c == calamine::Data::String(hostile.to_owned())),
        "{what}: {hostile} is not a text cell"
    );
    let formulas = book.worksheet_formula(&sheet).unwrap();
    assert!(formulas.cells().all(|(_, _, f)| f.is_empty()), "{what}: a cell is a formula");
}

#[tokio::test]
async fn no_export_hands_a_spreadsheet_a_formula() {
    let mut site = Site::new();
    let base = site.serve();
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let eq = r#"=HYPERLINK("https://evil.example","Click")"#;
    let minus = r#"-1+HYPERLINK("https://evil.example")"#;
    let at = "@SUM(1+1)*cmd|' /C calc'!A0";
    // A member whose display name is a formula owns a control.
    let invited = owner
        .must(
            Method::POST,
            "/api/v1/invitations",
            Some(json!({ "email": "f@acme.test", "name": at, "role": "control_owner" })),
            201,
        )
        .await;
    assert_eq!(accept(&base, &secret_of(&invited), "f's own password here").await.0, StatusCode::CREATED);
    owner.must(Method::PATCH, "/api/v1/controls/A.5.2", Some(json!({ "owner": "f@acme.test" })), 200).await;
    owner
        .must(Method::PATCH, "/api/v1/controls/A.5.3", Some(json!({ "applicable": false, "justification": eq })), 200)
        .await;
    owner
        .must(
            Method::POST,
            "/api/v1/risks",
            Some(json!({ "title": minus, "owner": OWNER, "threat": eq, "inherent": { "likelihood": 3, "impact": 3 }, "controls": ["A.5.2"] })),
            201,
        )
        .await;
    let action = json!({ "actions": [{ "title": eq, "owner": OWNER, "due": "2027-01-31", "status": "open" }] });
    owner.must(Method::PATCH, "/api/v1/risks/RSK-001", Some(action), 200).await;
    let plan = json!({ "kind": "internal", "auditor": OWNER, "start": "2026-10-01", "end": "2026-10-02", "controls": ["A.5.2"] });
    let audit =
        owner.must(Method::POST, "/api/v1/audits", Some(plan), 201).await["audit"]["id"].as_str().unwrap().to_owned();
    let finding =
        json!({ "audit": audit, "grade": "minor", "requirement": "A.5.2", "description": minus, "owner": OWNER });
    owner.must(Method::POST, "/api/v1/findings", Some(finding), 201).await;

    check_csv("SoA", &download(&owner, "/api/v1/soa/export?format=csv&version=draft").await, &[eq, at]);
    check_csv("risk register", &download(&owner, "/api/v1/risks/export?report=register&format=csv").await, &[minus]);
    check_csv("treatment plan", &download(&owner, "/api/v1/risks/export?report=plan&format=csv").await, &[minus, eq]);
    check_csv("findings", &download(&owner, "/api/v1/findings/register?format=csv").await, &[minus]);
    check_csv("audit report", &download(&owner, &format!("/api/v1/audits/{audit}/report?format=csv")).await, &[]);
    check_csv("trail", &download(&owner, "/api/v1/audit-log/export?format=csv").await, &[]);
    check_xlsx("SoA", download(&owner, "/api/v1/soa/export?format=xlsx&version=draft").await, eq);
    check_xlsx("risk register", download(&owner, "/api/v1/risks/export?report=register&format=xlsx").await, minus);
    check_xlsx("findings", download(&owner, "/api/v1/findings/register?format=xlsx").await, minus);
    // The CLI's copy of the register is guarded the same way, and our import reads
    // its own export back without the guard.
    let exported = site.s.path().join("register.csv");
    let r = site.run(&[
        "risk",
        "export",
        "--org",
        "Acme",
        "--what",
        "register",
        "--format",
        "csv",
        "-o",
        exported.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    check_csv("CLI register", &std::fs::read(&exported).unwrap(), &[minus]);
}

// ---- 7. a control owner's links ------------------------------------------------------

#[tokio::test]
async fn a_control_owner_links_and_unlinks_only_their_own_controls() {
    let mut site = Site::new();
    let co_pw = site.s.join(&site.d, "Acme", "co@acme.test", "control_owner");
    assert_eq!(site.run(&["control", "set", "A.5.2", "--org", "Acme", "--owner", "co@acme.test"]).code, 0);
    let base = site.serve();
    let co = Client::sign_in(&base, "co@acme.test", &co_pw).await;
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let risk = |controls: &[&str]| json!({ "title": "CO risk", "owner": "co@acme.test", "inherent": { "likelihood": 2, "impact": 2 }, "controls": controls });
    let refused = co.must(Method::POST, "/api/v1/risks", Some(risk(&["A.5.2", "A.8.13"])), 403).await;
    assert!(refused["detail"].as_str().unwrap().contains("A.8.13"), "{refused}");
    let mine = co.must(Method::POST, "/api/v1/risks", Some(risk(&["A.5.2"])), 201).await;
    let path = format!("/api/v1/risks/{}", mine["id"].as_str().unwrap());
    co.must(Method::PATCH, &path, Some(json!({ "controls": ["A.5.2", "A.8.13"] })), 403).await;
    let reasons = |soa: &Value, control: &str| {
        soa["rows"].as_array().unwrap().iter().find(|r| r["control"] == control).unwrap()["reasons"].to_string()
    };
    let (_, soa) = owner.get("/api/v1/soa").await;
    assert!(!reasons(&soa, "A.8.13").contains("risk_treatment"), "the refused link left no reason behind");
    // The ISMS's owner links it; the control owner cannot take it off again, nor
    // delete the risk (which would).
    owner.must(Method::PATCH, &path, Some(json!({ "controls": ["A.5.2", "A.8.13"] })), 200).await;
    co.must(Method::PATCH, &path, Some(json!({ "controls": ["A.5.2"] })), 403).await;
    co.must(Method::DELETE, &path, None, 403).await;
    co.must(Method::PATCH, &path, Some(json!({ "residual": { "likelihood": 1, "impact": 2 } })), 200).await;
    let (_, soa) = owner.get("/api/v1/soa").await;
    assert!(reasons(&soa, "A.8.13").contains("risk_treatment"), "{}", reasons(&soa, "A.8.13"));
}

// ---- 8 and 12. throttling and the client address ---------------------------------------

#[tokio::test]
async fn a_stranger_cannot_lock_the_account_holder_out_of_their_usual_address() {
    let mut site = Site::new();
    let base = site.serve();
    let pw = site.owner_pw.clone();
    assert_eq!(sign_in_from(&base, OWNER, &pw, "198.51.100.10").await, StatusCode::CREATED, "the usual address");
    // One stranger guessing: four tries, then ever longer waits — for that address.
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(sign_in_from(&base, OWNER, "guess", "203.0.113.66").await.as_u16());
    }
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429, 429, 429]);
    let r = http()
        .post(format!("{base}/api/v1/session"))
        .header("x-forwarded-for", "203.0.113.66")
        .json(&json!({ "email": OWNER, "password": pw }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits there");
    assert!(r.json::<Value>().await.unwrap()["detail"].as_str().unwrap().contains("try again in 30 seconds"));
    assert_eq!(
        sign_in_from(&base, OWNER, &pw, "198.51.100.10").await,
        StatusCode::CREATED,
        "the holder is not locked out"
    );
    assert_eq!(sign_in_from(&base, OWNER, &pw, "192.0.2.7").await, StatusCode::CREATED, "nor from a new address yet");
    // Guessing from many addresses holds back only addresses the account never used:
    // with the stranger's four, thirty failures from unfamiliar addresses.
    for i in 0..26 {
        assert_eq!(
            sign_in_from(&base, OWNER, "guess", &format!("203.0.114.{i}")).await,
            StatusCode::UNAUTHORIZED,
            "{i}"
        );
    }
    assert_eq!(sign_in_from(&base, OWNER, &pw, "192.0.2.99").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in_from(&base, OWNER, &pw, "198.51.100.10").await, StatusCode::CREATED);
    assert_eq!(sign_in_from(&base, OWNER, &pw, "192.0.2.7").await, StatusCode::CREATED, "one it signed in from before");
}

#[tokio::test]
async fn the_client_address_is_the_right_most_untrusted_hop_of_every_forwarded_line() {
    for (proxies, lines, expected) in [
        ("127.0.0.1", &["6.6.6.6", "203.0.113.9"][..], "203.0.113.9"),
        ("127.0.0.1, 10.0.0.0/8", &["6.6.6.6, 203.0.113.9, 10.1.2.3"][..], "203.0.113.9"),
        ("none", &["203.0.113.9"][..], "127.0.0.1"),
    ] {
        let mut site = Site::with_env(&[("ISMS_TRUSTED_PROXIES", proxies)]);
        let base = site.serve();
        let mut request =
            http().post(format!("{base}/api/v1/session")).json(&json!({ "email": OWNER, "password": "guess" }));
        for line in lines {
            request = request.header("x-forwarded-for", *line);
        }
        assert_eq!(request.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
        let failed = site.trail("Acme").lines().filter(|l| l.contains("login.failed")).collect::<Vec<_>>().join("\n");
        assert!(failed.contains(&format!("\"\"address\"\":\"\"{expected}\"\"")), "{proxies}: {lines:?} → {failed}");
        assert!(!failed.contains("6.6.6.6"), "what the client wrote itself is never believed");
    }
    let s = Sandbox::new();
    let dir = s.data_dir().to_str().unwrap().to_owned();
    let shown = s.run_with(&["--data-dir", &dir, "config", "show"], &[("ISMS_TRUSTED_PROXIES", "10.0.0.0/8")]);
    assert!(shown.code == 0 && shown.stdout.contains("10.0.0.0/8"), "{shown:?}");
    let refused = s.run_with(&["--data-dir", &dir, "config", "show"], &[("ISMS_TRUSTED_PROXIES", "proxy.example")]);
    assert_eq!(refused.code, 2, "{refused:?}");
    assert!(refused.stderr.contains("ISMS_TRUSTED_PROXIES") && refused.stderr.contains("CIDR"), "{}", refused.stderr);
}

/// Parallel wrong passwords for one account from one address are counted one after
/// another: exactly the free allowance is answered 401, every other attempt waits.
async fn parallel_failures_are_counted_exactly(postgres: bool) {
    let pg = if postgres { Some(isms_testkit::create_postgres_database().await) } else { None };
    let env: Vec<(&str, &str)> =
        pg.as_ref().map(|(_, url)| vec![("ISMS_DATABASE_URL", url.as_str())]).unwrap_or_default();
    let mut site = Site::with_env(&env);
    let base = site.serve();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let base = base.clone();
        set.spawn(async move { sign_in_from(&base, OWNER, "guess", "203.0.113.77").await.as_u16() });
    }
    let mut statuses = Vec::new();
    while let Some(r) = set.join_next().await {
        statuses.push(r.unwrap());
    }
    let failed = statuses.iter().filter(|s| **s == 401).count();
    let waited = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((failed, waited), (4, 12), "{statuses:?}");
    drop(site);
    if let Some((name, _)) = pg {
        isms_testkit::drop_postgres_database(&name).await;
    }
}

#[tokio::test]
async fn sqlite_parallel_sign_in_failures_are_counted_exactly() {
    parallel_failures_are_counted_exactly(false).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL: .ci/run runs it (cargo test -- --include-ignored, ISMS_TEST_POSTGRES_URL)"]
async fn postgres_parallel_sign_in_failures_are_counted_exactly() {
    parallel_failures_are_counted_exactly(true).await;
}

// ---- 10. dates and day counts --------------------------------------------------------

#[tokio::test]
async fn every_date_and_day_count_goes_through_one_checked_range() {
    let mut site = Site::new();
    let base = site.serve();
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    let problem =
        owner.must(Method::PATCH, "/api/v1/controls/A.5.1", Some(json!({ "target_date": "9999-12-31" })), 422).await;
    assert!(problem.to_string().contains("between 1900 and 2200"), "{problem}");
    let link =
        json!({ "url": "https://x.example", "title": "Forever", "controls": ["A.5.18"], "valid_for_days": 10_000_000 });
    let problem = owner.must(Method::POST, "/api/v1/evidence/links", Some(link), 422).await;
    assert_eq!(problem["errors"][0]["field"], "valid_for_days", "{problem}");
    assert!(problem.to_string().contains("a hundred years"), "{problem}");
    let csv = "title,owner,inherent_likelihood,inherent_impact,residual_likelihood,residual_impact,treatment,threat,next_review\n\
               Far,owner@acme.test,3,3,2,2,modify,x,3000-01-01\n";
    let r = owner
        .http
        .post(format!("{base}/api/v1/risks/import"))
        .header("cookie", &owner.cookie)
        .header("x-csrf-token", &owner.csrf)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let report: Value = r.json().await.unwrap();
    assert_eq!(
        (report["errors"][0]["line"].as_u64(), report["errors"][0]["column"].as_str()),
        (Some(2), Some("next_review")),
        "{report}"
    );
    assert!(report.to_string().contains("between 1900 and 2200"), "{report}");
    // The server is fine afterwards.
    owner.must(Method::GET, "/api/v1/risks", None, 200).await;
}

// ---- 11. downloads -------------------------------------------------------------------

#[tokio::test]
async fn stored_files_are_served_as_attachments_unless_they_are_harmless_to_show() {
    let mut site = Site::new();
    let base = site.serve();
    let owner = Client::sign_in(&base, OWNER, &site.owner_pw).await;
    for (declared, body, served, disposition) in [
        ("text/javascript", &b"alert(document.cookie)"[..], "application/octet-stream", "attachment"),
        ("text/html", &b"<script>alert(1)</script>"[..], "application/octet-stream", "attachment"),
        ("image/svg+xml", &b"<svg onload=alert(1)/>"[..], "application/octet-stream", "attachment"),
        ("application/pdf", &b"%PDF-1.7"[..], "application/pdf", "inline"),
        ("image/png", &b"\x89PNG\r\n"[..], "image/png", "inline"),
        ("text/plain", &b"plain notes"[..], "text/plain; charset=utf-8", "inline"),
    ] {
        let r = owner
            .http
            .post(format!("{base}/api/v1/evidence/files?title=file&control=A.5.1&filename=f"))
            .header("cookie", &owner.cookie)
            .header("x-csrf-token", &owner.csrf)
            .header("content-type", declared)
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{declared}");
        let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let got = owner
            .http
            .get(format!("{base}/api/v1/evidence/{id}/file"))
            .header("cookie", &owner.cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(got.headers()["content-type"], served, "{declared}");
        assert!(got.headers()["content-disposition"].to_str().unwrap().starts_with(disposition), "{declared}");
        assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    }
}
