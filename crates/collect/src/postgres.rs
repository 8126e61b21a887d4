//! The PostgreSQL collector: connects with the URL given and reads the server's
//! security settings with `SHOW`, and the roles' password hashes from `pg_authid`
//! when the user may read it.
//!
//! Rules (target `host:port/database`, never the password):
//!
//! - `postgres.ssl`: `ssl` is `on`.
//! - `postgres.ssl_min_protocol_version`: `TLSv1.2` or higher.
//! - `postgres.password_encryption`: `scram-sha-256` (not `md5`).
//! - `postgres.md5_passwords`: no role has an MD5 password hash (needs read access to
//!   `pg_authid`, i.e. a superuser; otherwise not applicable, saying why).
//! - `postgres.log_connections`, `postgres.log_disconnections`: on.
//! - `postgres.log_statement`: `ddl`, `mod` or `all` (schema changes at least are
//!   logged); `none` fails low.
//!
//! A setting the server does not have (an older version) makes its rule not
//! applicable; one the user may not read, likewise, saying so. The connection has a
//! 30-second limit.
//!
//! The URL need not hold the password: as with libpq, `PGPASSWORD` and the
//! `~/.pgpass` file are used when it has none (and `PGHOST`, `PGUSER` … fill in what
//! it leaves out).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection};

use crate::{CheckResult, CollectError, Rule, Severity};

const SSL: Rule = Rule {
    id: "postgres.ssl",
    title: "The database server accepts TLS connections",
    iso: &["A.8.24", "A.8.20"],
    nist: &["SC-8", "SC-8(1)"],
    severity: Severity::High,
};
const SSL_MIN: Rule = Rule {
    id: "postgres.ssl_min_protocol_version",
    title: "The database server refuses TLS versions before 1.2",
    iso: &["A.8.24"],
    nist: &["SC-8", "SC-13"],
    severity: Severity::Medium,
};
const PASSWORD_ENCRYPTION: Rule = Rule {
    id: "postgres.password_encryption",
    title: "New passwords are hashed with SCRAM-SHA-256",
    iso: &["A.8.5", "A.5.17"],
    nist: &["IA-5(1)"],
    severity: Severity::High,
};
const MD5_PASSWORDS: Rule = Rule {
    id: "postgres.md5_passwords",
    title: "No role has an MD5 password hash",
    iso: &["A.8.5", "A.5.17"],
    nist: &["IA-5(1)"],
    severity: Severity::High,
};
const LOG_CONNECTIONS: Rule = Rule {
    id: "postgres.log_connections",
    title: "Connection attempts are logged",
    iso: &["A.8.15", "A.8.5"],
    nist: &["AU-2", "AU-12", "AC-7"],
    severity: Severity::Medium,
};
const LOG_DISCONNECTIONS: Rule = Rule {
    id: "postgres.log_disconnections",
    title: "Session ends are logged",
    iso: &["A.8.15"],
    nist: &["AU-2", "AU-12"],
    severity: Severity::Low,
};
const LOG_STATEMENT: Rule = Rule {
    id: "postgres.log_statement",
    title: "Schema changes (DDL) are logged",
    iso: &["A.8.15"],
    nist: &["AU-2", "AU-12"],
    severity: Severity::Low,
};

/// The limit for connecting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks the PostgreSQL server at `url` (`postgres://user[:password]@host[:port]/db`).
/// A server that cannot be reached, or refuses the login, is an error, not results.
pub async fn collect(url: &str) -> Result<Vec<CheckResult>, CollectError> {
    let bad = |target: String, reason: String| CollectError::Postgres { target, reason };
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| bad(redact(url), format!("not a PostgreSQL URL: {}", strip_url(&e.to_string(), url))))?;
    let target = target_of(&options);
    // sqlx logs every statement at INFO; these few are not worth it.
    let options = options.disable_statement_logging();
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
        Err(_) => return Err(bad(target, format!("no connection within {CONNECT_TIMEOUT:?}"))),
        Ok(Err(e)) => return Err(bad(target, strip_url(&e.to_string(), url))),
        Ok(Ok(c)) => c,
    };

    let mut results = Vec::with_capacity(7);
    let t = target.as_str();
    results.push(match show(&mut conn, "ssl").await {
        Ok(v) if v == "on" => SSL.pass(t, "ssl = on"),
        Ok(v) => SSL.fail(t, format!("ssl = {v}: connections are not encrypted")),
        Err(e) => e.result(&SSL, t, "ssl"),
    });
    results.push(match show(&mut conn, "ssl_min_protocol_version").await {
        Ok(v) if tls12_or_later(&v) => SSL_MIN.pass(t, format!("ssl_min_protocol_version = {v}")),
        Ok(v) => SSL_MIN.fail(t, format!("ssl_min_protocol_version = {v}: TLS before 1.2 is accepted")),
        Err(e) => e.result(&SSL_MIN, t, "ssl_min_protocol_version"),
    });
    results.push(match show(&mut conn, "password_encryption").await {
        Ok(v) if v == "scram-sha-256" => PASSWORD_ENCRYPTION.pass(t, "password_encryption = scram-sha-256"),
        Ok(v) => PASSWORD_ENCRYPTION
            .fail(t, format!("password_encryption = {v}: new passwords are not hashed with SCRAM-SHA-256")),
        Err(e) => e.result(&PASSWORD_ENCRYPTION, t, "password_encryption"),
    });
    results.push(md5_roles(&mut conn, t).await);
    results.push(match show(&mut conn, "log_connections").await {
        Ok(v) if is_on(&v) => LOG_CONNECTIONS.pass(t, format!("log_connections = {v}")),
        Ok(v) => LOG_CONNECTIONS.fail(t, format!("log_connections = {v}: connection attempts are not logged")),
        Err(e) => e.result(&LOG_CONNECTIONS, t, "log_connections"),
    });
    results.push(match show(&mut conn, "log_disconnections").await {
        Ok(v) if is_on(&v) => LOG_DISCONNECTIONS.pass(t, format!("log_disconnections = {v}")),
        Ok(v) => LOG_DISCONNECTIONS.fail(t, format!("log_disconnections = {v}: session ends are not logged")),
        Err(e) => e.result(&LOG_DISCONNECTIONS, t, "log_disconnections"),
    });
    results.push(match show(&mut conn, "log_statement").await {
        Ok(v) if statements_logged(&v) => LOG_STATEMENT.pass(t, format!("log_statement = {v}")),
        Ok(v) => LOG_STATEMENT.fail(t, format!("log_statement = {v}: schema changes are not logged")),
        Err(e) => e.result(&LOG_STATEMENT, t, "log_statement"),
    });
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.close()).await;
    Ok(results)
}

/// Whether an `ssl_min_protocol_version` value is TLS 1.2 or later.
pub(crate) fn tls12_or_later(v: &str) -> bool {
    matches!(v, "TLSv1.2" | "TLSv1.3")
}

/// Whether a boolean setting is on. From PostgreSQL 18, `log_connections` is a list of
/// aspects (`receipt,authentication,…`) or `all`; anything but off or empty counts.
pub(crate) fn is_on(v: &str) -> bool {
    !matches!(v.trim().to_ascii_lowercase().as_str(), "off" | "false" | "no" | "0" | "")
}

/// Whether a `log_statement` value logs schema changes at least.
pub(crate) fn statements_logged(v: &str) -> bool {
    matches!(v, "ddl" | "mod" | "all")
}

/// Why a setting could not be read.
#[derive(Debug)]
enum ReadError {
    /// The server has no such setting (an older version).
    Missing(String),
    /// The user may not read it.
    Denied(String),
    /// Anything else.
    Other(String),
}

impl ReadError {
    /// Classifies a database error by its SQLSTATE.
    fn from_sqlx(e: &sqlx::Error) -> ReadError {
        match e {
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("42704") => ReadError::Missing(db.message().to_owned()),
                Some("42501") => ReadError::Denied(db.message().to_owned()),
                _ => ReadError::Other(db.message().to_owned()),
            },
            other => ReadError::Other(other.to_string()),
        }
    }

    /// The rule's result when `what` could not be read.
    fn result(self, rule: &Rule, target: &str, what: &str) -> CheckResult {
        match self {
            ReadError::Missing(m) => rule.not_applicable(target, format!("this server has no {what} setting ({m})")),
            ReadError::Denied(m) => {
                rule.not_applicable(target, format!("the user may not read {what} ({m}); connect as a superuser"))
            }
            ReadError::Other(m) => rule.error(target, format!("reading {what}: {m}")),
        }
    }
}

/// `SHOW name`.
async fn show(conn: &mut PgConnection, name: &str) -> Result<String, ReadError> {
    // The names are this module's constants, never input.
    let sql = format!("SHOW {name}");
    sqlx::query_scalar::<_, String>(&sql).fetch_one(conn).await.map_err(|e| ReadError::from_sqlx(&e))
}

/// The roles with MD5 password hashes, when `pg_authid` may be read.
async fn md5_roles(conn: &mut PgConnection, target: &str) -> CheckResult {
    let rows = sqlx::query_scalar::<_, String>(
        "SELECT rolname::text FROM pg_catalog.pg_authid WHERE rolpassword LIKE 'md5%' ORDER BY rolname",
    )
    .fetch_all(conn)
    .await;
    match rows {
        Ok(roles) if roles.is_empty() => MD5_PASSWORDS.pass(target, "no role has an MD5 password hash"),
        Ok(roles) => {
            let shown: Vec<&str> = roles.iter().take(20).map(String::as_str).collect();
            let more = if roles.len() > shown.len() {
                format!(" and {} more", roles.len() - shown.len())
            } else {
                String::new()
            };
            MD5_PASSWORDS.fail(
                target,
                format!(
                    "{} with an MD5 password hash: {}{more}; set their passwords again with password_encryption = scram-sha-256",
                    if roles.len() == 1 { "1 role".to_owned() } else { format!("{} roles", roles.len()) },
                    shown.join(", ")
                ),
            )
        }
        Err(e) => match ReadError::from_sqlx(&e) {
            ReadError::Denied(m) => MD5_PASSWORDS.not_applicable(
                target,
                format!("the password hashes in pg_authid cannot be read by this user ({m}); connect as a superuser"),
            ),
            other => other.result(&MD5_PASSWORDS, target, "pg_authid"),
        },
    }
}

/// `host:port/database` (the socket directory for a Unix socket), without user or password.
fn target_of(o: &PgConnectOptions) -> String {
    let host = match o.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => o.get_host().to_owned(),
    };
    let host = if host.contains(':') { format!("[{host}]") } else { host };
    let db = o.get_database().unwrap_or(o.get_username());
    format!("{host}:{}/{db}", o.get_port())
}

/// The URL with its user info removed, or a placeholder when it is not a URL.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "(not a URL)".to_owned() };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    format!("{scheme}://{host}{path}")
}

/// An error message with the URL, should it quote it, redacted.
pub(crate) fn strip_url(message: &str, url: &str) -> String {
    if url.is_empty() { message.to_owned() } else { message.replace(url, &redact(url)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        assert!(tls12_or_later("TLSv1.2") && tls12_or_later("TLSv1.3"));
        assert!(!tls12_or_later("TLSv1") && !tls12_or_later("TLSv1.1") && !tls12_or_later(""));
        assert!(is_on("on") && is_on("receipt,authentication") && is_on("all"));
        assert!(!is_on("off") && !is_on("") && !is_on("false"));
        assert!(statements_logged("ddl") && statements_logged("mod") && statements_logged("all"));
        assert!(!statements_logged("none"));
    }

    #[test]
    fn targets_have_no_password() {
        let o = PgConnectOptions::from_str("postgres://alice:s3cret@db.example:6543/app").ok();
        assert_eq!(o.as_ref().map(target_of).as_deref(), Some("db.example:6543/app"));
        let o = PgConnectOptions::from_str("postgres://alice@db.example").ok();
        assert_eq!(o.as_ref().map(target_of).as_deref(), Some("db.example:5432/alice"));
        assert_eq!(redact("postgres://alice:s3cret@db.example:5432/app?x=1"), "postgres://db.example:5432/app?x=1");
        assert_eq!(redact("postgres://a:b@c@db/app"), "postgres://db/app");
        assert_eq!(redact("nonsense"), "(not a URL)");
        let m = strip_url("bad postgres://alice:s3cret@db/x", "postgres://alice:s3cret@db/x");
        assert!(!m.contains("s3cret"), "{m}");
    }

    #[tokio::test]
    async fn bad_url_is_an_error_without_the_password() {
        let e = collect("postgres://alice:s3cret@db.example:notaport/app").await;
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("postgres "), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
    }

    #[tokio::test]
    async fn refused_connection_is_an_error() {
        // Nothing listens on port 1.
        let e = collect("postgres://postgres:pw@127.0.0.1:1/postgres").await;
        let msg = e.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.starts_with("postgres 127.0.0.1:1/postgres: "), "{msg}");
        assert!(!msg.contains("pw@"), "{msg}");
    }
}
