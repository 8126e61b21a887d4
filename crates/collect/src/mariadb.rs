//! The MariaDB (and MySQL) collector: connects with the URL given and reads the
//! server's security settings from its global variables, and the accounts' password
//! plugins from `mysql.global_priv` when the user may read it.
//!
//! Rules (target `host:port/database`, never the password):
//!
//! - `mariadb.tls`: the server offers TLS (`have_ssl` is `YES`).
//! - `mariadb.require_secure_transport`: clients must use TLS (or a socket).
//! - `mariadb.tls_version`: no TLS version before 1.2 is enabled.
//! - `mariadb.weak_accounts`: no account that can sign in (locked ones cannot) without
//!   a password, or with the pre-4.1 hash (`mysql_old_password`); needs read access to `mysql.global_priv` (otherwise not
//!   applicable, saying why).
//! - `mariadb.local_infile`: `LOAD DATA LOCAL` is off.
//! - `mariadb.audit_logging`: the audit plugin logs (`server_audit_logging`), or the
//!   general query log is on.
//!
//! The URL need not hold the password: as with the `mariadb` client, `MYSQL_PWD` is
//! used when it has none, so no check's target ever stores one.

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::{ConnectOptions, Connection, Row};

use crate::postgres::{redact, strip_url};
use crate::{CheckResult, CollectError, Rule, Severity};

const TLS: Rule = Rule {
    id: "mariadb.tls",
    title: "The database server offers TLS",
    iso: &["A.8.24", "A.8.20"],
    nist: &["SC-8", "SC-8(1)"],
    severity: Severity::High,
};
const SECURE_TRANSPORT: Rule = Rule {
    id: "mariadb.require_secure_transport",
    title: "Clients must connect over TLS",
    iso: &["A.8.24", "A.8.20"],
    nist: &["SC-8", "SC-8(1)"],
    severity: Severity::Medium,
};
const TLS_VERSION: Rule = Rule {
    id: "mariadb.tls_version",
    title: "No TLS version before 1.2 is enabled",
    iso: &["A.8.24"],
    nist: &["SC-8", "SC-13"],
    severity: Severity::Medium,
};
const WEAK_ACCOUNTS: Rule = Rule {
    id: "mariadb.weak_accounts",
    title: "Every account has a password, hashed the current way",
    iso: &["A.8.5", "A.5.17"],
    nist: &["IA-5(1)", "IA-2"],
    severity: Severity::High,
};
const LOCAL_INFILE: Rule = Rule {
    id: "mariadb.local_infile",
    title: "LOAD DATA LOCAL is disabled",
    iso: &["A.8.9"],
    nist: &["CM-6", "CM-7"],
    severity: Severity::Medium,
};
const AUDIT_LOGGING: Rule = Rule {
    id: "mariadb.audit_logging",
    title: "Connections and statements are logged",
    iso: &["A.8.15"],
    nist: &["AU-2", "AU-12"],
    severity: Severity::Medium,
};

/// The limit for connecting.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Checks the MariaDB or MySQL server at `url` (`mysql://user[:password]@host[:port]/db`
/// or `mariadb://…`). A server that cannot be reached, or refuses the login, is an
/// error, not results.
pub async fn collect(url: &str) -> Result<Vec<CheckResult>, CollectError> {
    let bad = |target: String, reason: String| CollectError::Mariadb { target, reason };
    let normalized = match url.strip_prefix("mariadb://") {
        Some(rest) => format!("mysql://{rest}"),
        None => url.to_owned(),
    };
    let mut options = MySqlConnectOptions::from_str(&normalized)
        .map_err(|e| bad(redact(url), format!("not a MariaDB URL: {}", strip_url(&e.to_string(), url))))?;
    let has_password = normalized
        .split_once("://")
        .and_then(|(_, rest)| rest.split(['/', '?']).next())
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(user, _)| user.contains(':'));
    if !has_password && let Ok(password) = std::env::var("MYSQL_PWD") {
        options = options.password(&password);
    }
    let target = redact(url).split_once("://").map_or_else(|| redact(url), |(_, r)| r.to_owned());
    let options = options.disable_statement_logging();
    let mut conn = match tokio::time::timeout(CONNECT_TIMEOUT, MySqlConnection::connect_with(&options)).await {
        Err(_) => return Err(bad(target, format!("no connection within {CONNECT_TIMEOUT:?}"))),
        Ok(Err(e)) => return Err(bad(target, strip_url(&e.to_string(), url))),
        Ok(Ok(c)) => c,
    };
    let t = target.as_str();
    let vars = match variables(&mut conn).await {
        Ok(v) => v,
        Err(e) => return Err(bad(target.clone(), format!("reading the server's variables: {e}"))),
    };
    let var = |name: &str| vars.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let mut results = Vec::with_capacity(6);
    results.push(match var("have_ssl") {
        Some(v) if v.eq_ignore_ascii_case("YES") => TLS.pass(t, "have_ssl = YES"),
        Some(v) => TLS.fail(t, format!("have_ssl = {v}: the server offers no TLS")),
        None => TLS.not_applicable(t, "this server has no have_ssl variable"),
    });
    results.push(match var("require_secure_transport") {
        Some(v) if is_on(v) => SECURE_TRANSPORT.pass(t, format!("require_secure_transport = {v}")),
        Some(v) => SECURE_TRANSPORT.fail(t, format!("require_secure_transport = {v}: clients may connect unencrypted")),
        None => SECURE_TRANSPORT.not_applicable(t, "this server has no require_secure_transport variable"),
    });
    results.push(match var("tls_version") {
        Some(v) if old_tls(v).is_empty() => TLS_VERSION.pass(t, format!("tls_version = {v}")),
        Some(v) => TLS_VERSION.fail(t, format!("tls_version = {v}: {} enabled", old_tls(v).join(" and "))),
        None => TLS_VERSION.not_applicable(t, "this server has no tls_version variable"),
    });
    results.push(weak_accounts(&mut conn, t).await);
    results.push(match var("local_infile") {
        Some(v) if !is_on(v) => LOCAL_INFILE.pass(t, format!("local_infile = {v}")),
        Some(v) => LOCAL_INFILE.fail(t, format!("local_infile = {v}: clients may make the server read their files")),
        None => LOCAL_INFILE.not_applicable(t, "this server has no local_infile variable"),
    });
    results.push(match (var("server_audit_logging"), var("general_log")) {
        (Some(a), _) if is_on(a) => AUDIT_LOGGING.pass(t, format!("server_audit_logging = {a}")),
        (_, Some(g)) if is_on(g) => AUDIT_LOGGING.pass(t, format!("general_log = {g}")),
        (a, g) => AUDIT_LOGGING.fail(
            t,
            format!(
                "neither the audit plugin (server_audit_logging = {}) nor the general log (general_log = {}) logs",
                a.unwrap_or("not installed"),
                g.unwrap_or("absent")
            ),
        ),
    });
    let _ = tokio::time::timeout(Duration::from_secs(5), conn.close()).await;
    Ok(results)
}

/// Whether a boolean variable is on.
pub(crate) fn is_on(v: &str) -> bool {
    matches!(v.trim().to_ascii_uppercase().as_str(), "ON" | "1" | "YES" | "TRUE")
}

/// The TLS versions before 1.2 a `tls_version` value enables.
pub(crate) fn old_tls(v: &str) -> Vec<&str> {
    v.split(',').map(str::trim).filter(|x| matches!(*x, "TLSv1.0" | "TLSv1.1" | "TLSv1")).collect()
}

async fn variables(conn: &mut MySqlConnection) -> Result<Vec<(String, String)>, sqlx::Error> {
    let rows = sqlx::query(
        "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('have_ssl', 'require_secure_transport', 'tls_version', \
         'local_infile', 'server_audit_logging', 'general_log')",
    )
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| Ok((text(r, 0)?, text(r, 1)?))).collect()
}

/// A text column some servers send as bytes.
fn text(r: &sqlx::mysql::MySqlRow, i: usize) -> Result<String, sqlx::Error> {
    r.try_get::<String, _>(i).or_else(|_| r.try_get::<Vec<u8>, _>(i).map(|b| String::from_utf8_lossy(&b).into_owned()))
}

/// Accounts without a password, or with the pre-4.1 hash, when `mysql.global_priv` may
/// be read.
async fn weak_accounts(conn: &mut MySqlConnection, target: &str) -> CheckResult {
    let rows = sqlx::query(
        "SELECT CONCAT(User, '@', Host) AS account, \
                COALESCE(JSON_VALUE(Priv, '$.plugin'), '') AS plugin, \
                COALESCE(JSON_VALUE(Priv, '$.authentication_string'), '') AS secret \
         FROM mysql.global_priv \
         WHERE COALESCE(JSON_VALUE(Priv, '$.account_locked'), 'false') NOT IN ('true', '1') \
         ORDER BY User, Host",
    )
    .fetch_all(conn)
    .await;
    match rows {
        Ok(rows) => {
            let mut weak = Vec::new();
            for r in &rows {
                let get = |i: usize| text(r, i).unwrap_or_default();
                let (account, plugin, secret) = (get(0), get(1), get(2));
                let why = match plugin.as_str() {
                    "mysql_old_password" => Some("pre-4.1 password hash"),
                    "mysql_native_password" | "" if secret.is_empty() => Some("no password"),
                    _ => None,
                };
                if let Some(why) = why {
                    weak.push(format!("{account} ({why})"));
                }
            }
            if weak.is_empty() {
                WEAK_ACCOUNTS.pass(target, format!("{} account(s), each with a password", rows.len()))
            } else {
                let shown: Vec<&str> = weak.iter().take(20).map(String::as_str).collect();
                WEAK_ACCOUNTS.fail(target, format!("{} weak account(s): {}", weak.len(), shown.join(", ")))
            }
        }
        Err(sqlx::Error::Database(db)) if matches!(db.code().as_deref(), Some("42000") | Some("1142")) => WEAK_ACCOUNTS
            .not_applicable(
                target,
                format!(
                    "mysql.global_priv cannot be read by this user ({}); connect as an administrator",
                    db.message()
                ),
            ),
        Err(e) => WEAK_ACCOUNTS.error(target, format!("reading mysql.global_priv: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_mariadb_writes_them() {
        assert!(is_on("ON") && is_on("1") && !is_on("OFF") && !is_on(""));
        assert_eq!(old_tls("TLSv1.1,TLSv1.2,TLSv1.3"), ["TLSv1.1"]);
        assert!(old_tls("TLSv1.2,TLSv1.3").is_empty());
    }
}
