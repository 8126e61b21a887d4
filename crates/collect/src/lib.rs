//! isms-collect: the built-in evidence collectors. They run offline, on the customer's
//! own machine, against the customer's own systems, and return [`CheckResult`]s that
//! the app stores like any other tool's results.
//!
//! Collectors:
//!
//! - [`tls`]: connects to a TLS endpoint and checks its certificate (expiry, host name),
//!   that TLS 1.2 or 1.3 works, and that TLS 1.0, TLS 1.1 and weak cipher suites are
//!   refused. The legacy probes send a hand-built ClientHello, since rustls cannot speak
//!   those versions.
//! - [`postgres`]: reads a PostgreSQL server's security settings (TLS, password hashing,
//!   connection and statement logging) and looks for roles still hashed with MD5.
//! - [`mariadb`]: reads a MariaDB or MySQL server's security settings (TLS offered and
//!   required, TLS versions, `LOAD DATA LOCAL`, audit logging) and looks for accounts
//!   without a password or with the pre-4.1 hash.
//! - [`git`]: checks a Git repository for a CODEOWNERS file, signed commits, and
//!   secrets committed in tracked files.
//! - [`openscap`]: runs `oscap xccdf eval` with a SCAP Security Guide profile and hands
//!   back the ARF report, which the caller reads with the XCCDF/ARF reader of
//!   `isms-ingest`.
//!
//! Every result names the Annex A controls of ISO/IEC 27001:2022 (`iso27001-2022`) and
//! the NIST SP 800-53 Rev. 5 controls (`nist-800-53r5`) the rule gives evidence for.
//!
//! A collector returns results for what it could check; a result whose check could
//! not be made has the outcome [`Outcome::Error`] and says why. When the target cannot
//! be reached at all (connection refused, time-out, not a Git repository) the collector
//! returns a [`CollectError`] instead, saying what went wrong and where.
//!
//! # The plug-in protocol
//!
//! Anything else is collected by plug-ins ([`plugin`]): executables that the customer
//! installs and that isms runs with
//!
//! - standard input closed, the arguments given in the configuration, and the
//!   environment variable `ISMS_COLLECT=1`;
//! - standard output carrying the results, as OCSF findings or isms's own JSON check
//!   format, which the caller reads with `isms-ingest`; more than a set number of bytes
//!   is refused and the plug-in is killed;
//! - standard error free for diagnostics, except that a line of the form
//!   `progress: N/M message` reports progress (N of M steps done);
//! - exit status 0 on success; anything else is an error, reported with the last 20
//!   lines of standard error;
//! - a time limit, after which the plug-in is killed.

pub mod git;
pub mod mariadb;
pub mod openscap;
pub mod plugin;
pub mod postgres;
pub mod tls;

mod lines;

pub use isms_domain::check::{CheckResult, Outcome, Reference, Severity};

/// Why a collector could not collect at all. The message names the collector, the
/// target and what went wrong, e.g. `tls portal.example:443: connection refused`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CollectError {
    /// The TLS endpoint could not be checked.
    #[error("tls {target}: {reason}")]
    Tls {
        /// The endpoint, `host:port`.
        target: String,
        /// What went wrong.
        reason: String,
    },
    /// The PostgreSQL server could not be checked.
    #[error("postgres {target}: {reason}")]
    Postgres {
        /// The server, `host:port/database`, without credentials.
        target: String,
        /// What went wrong.
        reason: String,
    },
    /// The MariaDB or MySQL server could not be checked.
    #[error("mariadb {target}: {reason}")]
    Mariadb {
        /// The server, `host:port/database`, without credentials.
        target: String,
        /// What went wrong.
        reason: String,
    },
    /// The Git repository could not be checked.
    #[error("git {repo}: {reason}")]
    Git {
        /// The repository's path.
        repo: String,
        /// What went wrong.
        reason: String,
    },
    /// OpenSCAP could not be run, or failed.
    #[error("openscap {datastream}: {reason}")]
    Openscap {
        /// The SCAP data stream evaluated.
        datastream: String,
        /// What went wrong.
        reason: String,
    },
    /// A plug-in could not be run, or failed.
    #[error("plugin {exe}: {reason}")]
    Plugin {
        /// The plug-in's executable.
        exe: String,
        /// What went wrong.
        reason: String,
    },
}

/// The names of the built-in collectors.
pub fn builtin_names() -> &'static [&'static str] {
    &["openscap", "tls", "postgres", "mariadb", "git"]
}

/// The framework id of ISO/IEC 27001:2022 in references.
pub(crate) const ISO: &str = "iso27001-2022";
/// The framework id of NIST SP 800-53 Rev. 5 in references.
pub(crate) const NIST: &str = "nist-800-53r5";

/// References to Annex A controls and SP 800-53 controls.
pub(crate) fn refs(iso: &[&str], nist: &[&str]) -> Vec<Reference> {
    iso.iter()
        .map(|id| Reference { framework: ISO.to_owned(), id: (*id).to_owned() })
        .chain(nist.iter().map(|id| Reference { framework: NIST.to_owned(), id: (*id).to_owned() }))
        .collect()
}

/// A rule's fixed parts: its id, title, references and how serious a failure is. Like
/// XCCDF, every result of the rule carries that severity, passing ones too; a failing
/// result may set its own (an expired certificate is worse than one about to expire).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rule {
    /// The rule id.
    pub id: &'static str,
    /// The title.
    pub title: &'static str,
    /// Annex A controls.
    pub iso: &'static [&'static str],
    /// SP 800-53 controls.
    pub nist: &'static [&'static str],
    /// How serious a failure is.
    pub severity: Severity,
}

impl Rule {
    /// A result of this rule.
    pub fn result(
        &self,
        target: &str,
        outcome: Outcome,
        severity: Severity,
        message: impl Into<String>,
    ) -> CheckResult {
        CheckResult {
            rule: self.id.to_owned(),
            title: self.title.to_owned(),
            target: target.to_owned(),
            outcome,
            severity,
            message: message.into(),
            references: refs(self.iso, self.nist),
        }
    }

    /// A passing result.
    pub fn pass(&self, target: &str, message: impl Into<String>) -> CheckResult {
        self.result(target, Outcome::Pass, self.severity, message)
    }

    /// A failing result of the rule's severity.
    pub fn fail(&self, target: &str, message: impl Into<String>) -> CheckResult {
        self.result(target, Outcome::Fail, self.severity, message)
    }

    /// A failing result of another severity.
    pub fn fail_with(&self, target: &str, severity: Severity, message: impl Into<String>) -> CheckResult {
        self.result(target, Outcome::Fail, severity, message)
    }

    /// A result whose check could not be made.
    pub fn error(&self, target: &str, message: impl Into<String>) -> CheckResult {
        self.result(target, Outcome::Error, self.severity, message)
    }

    /// A result saying the rule does not apply.
    pub fn not_applicable(&self, target: &str, message: impl Into<String>) -> CheckResult {
        self.result(target, Outcome::NotApplicable, self.severity, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_references() {
        assert_eq!(builtin_names(), ["openscap", "tls", "postgres", "mariadb", "git"]);
        let r = refs(&["A.8.24"], &["SC-8"]);
        assert_eq!(r[0], Reference { framework: "iso27001-2022".into(), id: "A.8.24".into() });
        assert_eq!(r[1], Reference { framework: "nist-800-53r5".into(), id: "SC-8".into() });
    }

    /// The collectors' futures can be spawned on a multi-threaded runtime.
    #[test]
    fn futures_are_send() {
        fn send<T: Send>(_: T) {}
        let opts = tls::TlsOptions::new(time::OffsetDateTime::UNIX_EPOCH);
        send(tls::collect("localhost", &opts));
        send(postgres::collect("postgres://localhost/x"));
        send(git::collect(std::path::Path::new(".")));
        let scap = openscap::OpenscapOptions::new("ds.xml".into(), "p");
        send(openscap::collect(&scap, std::path::Path::new("out.xml")));
        let mut progress = |_: plugin::Progress| {};
        send(plugin::collect(std::path::Path::new("x"), &[], std::time::Duration::ZERO, 0, &mut progress));
    }

    #[test]
    fn error_messages_say_where() {
        let e = CollectError::Tls { target: "portal.example:443".into(), reason: "connection refused".into() };
        assert_eq!(e.to_string(), "tls portal.example:443: connection refused");
    }
}
