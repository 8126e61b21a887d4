//! The PostgreSQL collector against a real server, named by `ISMS_TEST_POSTGRES_URL`
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); skipped, saying so, without it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use isms_collect::{CheckResult, Outcome, postgres};
use sqlx::{Connection, PgConnection};

fn url() -> Option<String> {
    let url = std::env::var("ISMS_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipped: ISMS_TEST_POSTGRES_URL is not set");
    }
    url
}

async fn show(conn: &mut PgConnection, name: &str) -> String {
    let sql = format!("SHOW {name}");
    sqlx::query_scalar::<_, String>(&sql).fetch_one(conn).await.unwrap()
}

fn by_rule<'a>(results: &'a [CheckResult], rule: &str) -> &'a CheckResult {
    results.iter().find(|r| r.rule == rule).unwrap_or_else(|| panic!("no {rule} in {results:#?}"))
}

fn expect(pass: bool) -> Outcome {
    if pass { Outcome::Pass } else { Outcome::Fail }
}

#[tokio::test]
async fn settings_match_what_the_server_shows() {
    let Some(url) = url() else { return };
    settings(&url).await;
    md5_role_and_unprivileged_user(&url).await;
}

/// Every rule is there, and each outcome is what `SHOW` says it should be.
async fn settings(url: &str) {
    let results = postgres::collect(url).await.unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "postgres.ssl",
            "postgres.ssl_min_protocol_version",
            "postgres.password_encryption",
            "postgres.md5_passwords",
            "postgres.log_connections",
            "postgres.log_disconnections",
            "postgres.log_statement",
        ]
    );

    let mut conn = PgConnection::connect(url).await.unwrap();
    let db: String = sqlx::query_scalar("SELECT current_database()::text").fetch_one(&mut conn).await.unwrap();
    for r in &results {
        assert!(r.target.ends_with(&format!("/{db}")), "{}", r.target);
        assert!(!r.target.contains('@'), "no user or password in {}", r.target);
        assert!(r.references.iter().any(|x| x.framework == "iso27001-2022"), "{r:?}");
        assert!(r.references.iter().any(|x| x.framework == "nist-800-53r5"), "{r:?}");
    }

    let ssl = show(&mut conn, "ssl").await;
    assert_eq!(by_rule(&results, "postgres.ssl").outcome, expect(ssl == "on"));
    assert!(by_rule(&results, "postgres.ssl").message.contains(&format!("ssl = {ssl}")));
    let min = show(&mut conn, "ssl_min_protocol_version").await;
    assert_eq!(
        by_rule(&results, "postgres.ssl_min_protocol_version").outcome,
        expect(min == "TLSv1.2" || min == "TLSv1.3")
    );
    let enc = show(&mut conn, "password_encryption").await;
    assert_eq!(by_rule(&results, "postgres.password_encryption").outcome, expect(enc == "scram-sha-256"));
    let conns = show(&mut conn, "log_connections").await;
    assert_eq!(by_rule(&results, "postgres.log_connections").outcome, expect(conns != "off"));
    let disc = show(&mut conn, "log_disconnections").await;
    assert_eq!(by_rule(&results, "postgres.log_disconnections").outcome, expect(disc != "off"));
    let stmt = show(&mut conn, "log_statement").await;
    assert_eq!(
        by_rule(&results, "postgres.log_statement").outcome,
        expect(["ddl", "mod", "all"].contains(&stmt.as_str()))
    );

    let superuser: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let md5 = by_rule(&results, "postgres.md5_passwords");
    if superuser {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_authid WHERE rolpassword LIKE 'md5%'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(md5.outcome, expect(n == 0), "{md5:?}");
    } else {
        assert_eq!(md5.outcome, Outcome::NotApplicable, "{md5:?}");
    }
}

/// A role with an MD5 hash fails the rule; a user who may not read pg_authid gets not
/// applicable. Run after the first part, never beside it: it adds a role.
async fn md5_role_and_unprivileged_user(url: &str) {
    let url = url.to_owned();
    let mut admin = PgConnection::connect(&url).await.unwrap();
    let superuser: bool = sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    if !superuser {
        eprintln!("skipped: the test user cannot create roles");
        return;
    }
    // A throw-away login role with an MD5 hash ('md5' || md5(password || role)).
    sqlx::query("DROP ROLE IF EXISTS isms_collect_test").execute(&mut admin).await.unwrap();
    sqlx::query("CREATE ROLE isms_collect_test LOGIN PASSWORD 'md541a904cfb6c7dc7e6611aeed61265485'")
        .execute(&mut admin)
        .await
        .unwrap();
    let as_superuser = postgres::collect(&url).await.unwrap();
    let md5 = by_rule(&as_superuser, "postgres.md5_passwords");

    let mut plain = url.clone();
    plain = plain.replacen("://postgres@", "://isms_collect_test@", 1);
    let as_plain = if plain == url { None } else { Some(postgres::collect(&plain).await) };
    sqlx::query("DROP ROLE isms_collect_test").execute(&mut admin).await.unwrap();

    assert_eq!(md5.outcome, Outcome::Fail, "{md5:?}");
    assert!(md5.message.contains("isms_collect_test"), "{}", md5.message);
    match as_plain {
        Some(Ok(results)) => {
            let md5 = by_rule(&results, "postgres.md5_passwords");
            assert_eq!(md5.outcome, Outcome::NotApplicable, "{md5:?}");
            assert!(md5.message.contains("cannot be read by this user"), "{}", md5.message);
        }
        // Trust authentication is not configured for that role: nothing more to see.
        Some(Err(e)) => eprintln!("skipped the unprivileged half: {e}"),
        None => eprintln!("skipped the unprivileged half: the URL's user is not postgres"),
    }
}
