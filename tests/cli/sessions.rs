//! Signing in over HTTP: server-side sessions in the database, cookie flags, CSRF on
//! state-changing requests, throttling, organization switching without existence
//! leaks, and every sign-in and sign-out in the audit trail.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{Sandbox, http, shown_password};

#[tokio::test]
async fn sign_in_sessions_csrf_throttling_and_trail() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let run = |args: &[&str]| s.isms(args);
    let init = run(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]);
    let owner_password = shown_password(&init.stdout);
    let dana_password = s.join(&d, "Acme", "dana@acme.test", "auditor");

    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let url = server.url("/api/v1/session");
    let sign_in =
        |email: &str, password: &str| client.post(&url).json(&json!({ "email": email, "password": password })).send();

    // Wrong password and unknown account: the same 401, naming neither.
    let wrong = sign_in("ciso@acme.test", "not-it").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = sign_in("ghost@acme.test", "not-it").await.unwrap().json().await.unwrap();
    assert_eq!(wrong["code"], "sign_in_failed");
    assert_eq!(wrong["detail"], unknown["detail"]);

    // Success: an HttpOnly, SameSite cookie (no Secure over plain HTTP) and a CSRF token.
    let ok = sign_in("CISO@acme.test", &owner_password).await.unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let set_cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["organization"]["name"], "Acme");
    assert_eq!(body["role"], "owner");
    let csrf = body["csrf_token"].as_str().unwrap().to_owned();
    let token = cookie.split_once('=').unwrap().1;
    let db = crate::support::dump_sqlite(&s.data_dir().join("isms.db"));
    assert!(!db.contains(token), "only the token's hash is stored");

    let me: Value = client.get(&url).header("cookie", &cookie).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["user"]["email"], "ciso@acme.test");
    assert!(me["user"].get("password_hash").is_none());

    // State-changing requests need the CSRF token; a cross-site form post is refused.
    let no_csrf = client.delete(&url).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let bad_csrf = client.delete(&url).header("cookie", &cookie).header("x-csrf-token", "0000").send().await.unwrap();
    assert_eq!(bad_csrf.status(), StatusCode::FORBIDDEN);
    let form = client
        .post(&url)
        .header("cookie", &cookie)
        .form(&[("email", "ciso@acme.test"), ("password", owner_password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // On a client of its own: the server answers 413 without reading the body and
    // closes that connection, which must not be reused by the requests below.
    let huge =
        http().post(&url).header("content-type", "application/json").body(vec![b' '; 3 << 20]).send().await.unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Another organization's id (or nonsense) is "not found", never "forbidden".
    let switch = server.url("/api/v1/session/organization");
    for org in ["00000000-0000-4000-8000-000000000000", "nonsense"] {
        let r = client
            .put(&switch)
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "organization": org }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{org}");
    }

    // Changing one's password: the current one is required, the new one must be long
    // enough; other sessions end, this one stays.
    let other = sign_in("ciso@acme.test", &owner_password).await.unwrap();
    let other_cookie = other.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let password_url = server.url("/api/v1/session/password");
    let change = |current: &str, new: &str| {
        client
            .put(&password_url)
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .json(&json!({ "current_password": current, "new_password": new }))
            .send()
    };
    let wrong = change("not-it", "a-long-new-password").await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.json::<Value>().await.unwrap()["errors"][0]["field"], "current_password");
    let short = change(&owner_password, "short").await.unwrap();
    assert_eq!(short.json::<Value>().await.unwrap()["errors"][0]["field"], "new_password");
    let changed = change(&owner_password, "a-long-new-password").await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    assert_eq!((changed["other_sessions_ended"].as_bool(), changed["tokens_revoked"].as_u64()), (Some(true), Some(0)));
    assert_eq!(
        client.get(&url).header("cookie", &other_cookie).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(client.get(&url).header("cookie", &cookie).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(sign_in("ciso@acme.test", &owner_password).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let owner_password = "a-long-new-password".to_owned();

    let out = client.delete(&url).header("cookie", &cookie).header("x-csrf-token", &csrf).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(client.get(&url).header("cookie", &cookie).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // Four failures from one address make that address wait before it may try the
    // account again: even the right password is refused for now.
    for _ in 0..4 {
        assert_eq!(sign_in("dana@acme.test", "guess").await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let throttled = sign_in("dana@acme.test", &dana_password).await.unwrap();
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);

    // Disabling an account ends its open sessions.
    let again = sign_in("ciso@acme.test", &owner_password).await.unwrap();
    let cookie = again.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(client.get(&url).header("cookie", &cookie).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(run(&["user", "disable", "ciso@acme.test"]).code, 0);
    assert_eq!(client.get(&url).header("cookie", &cookie).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in("ciso@acme.test", &owner_password).await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let log = run(&["audit-log", "export", "--org", "Acme", "--format", "csv"]);
    for action in ["login.succeeded", "login.failed", "logout", "user.password_changed"] {
        assert!(log.stdout.contains(action), "{action} missing from\n{}", log.stdout);
    }
    assert!(log.stdout.contains("wrong password") && log.stdout.contains("account disabled"), "{}", log.stdout);
    assert_eq!(run(&["audit-log", "verify"]).code, 0);
}

#[tokio::test]
async fn failures_from_one_address_throttle_it_behind_a_local_proxy() {
    let s = Sandbox::new();
    let d = s.data_dir().to_str().unwrap().to_owned();
    let init = s.isms(&["init", "--org", "Acme", "--admin-email", "ciso@acme.test"]);
    let password = shown_password(&init.stdout);
    let server = s.serve(&["--data-dir", &d], &[]);
    let client = http();
    let url = server.url("/api/v1/session");
    let sign_in = |email: String, password: String, from: &'static str| {
        client
            .post(&url)
            .header("x-forwarded-for", format!("10.9.9.9, {from}"))
            .json(&json!({ "email": email, "password": password }))
            .send()
    };
    // 20 failures spread over 10 accounts (under the per-account allowance of 4 each).
    for i in 0..20 {
        let r = sign_in(format!("guess{}@acme.test", i % 10), "nope".into(), "203.0.113.7").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let blocked = sign_in("ciso@acme.test".into(), password.clone(), "203.0.113.7").await.unwrap();
    assert_eq!(blocked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(blocked.json::<Value>().await.unwrap()["code"], "sign_in_throttled");
    let elsewhere = sign_in("ciso@acme.test".into(), password, "198.51.100.1").await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::CREATED);
    let log = s.isms(&["audit-log", "export", "--org", "Acme", "--format", "csv"]).stdout;
    assert!(log.lines().any(|l| l.contains("login.succeeded") && l.contains("198.51.100.1")), "{log}");
}
