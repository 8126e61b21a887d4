//! The Git collector: checks a repository's working copy with the `git` command-line
//! tool (which must be on `PATH`).
//!
//! Rules:
//!
//! - `git.codeowners` (target the repository): a CODEOWNERS file is tracked at the
//!   root, in `.github/`, `docs/` or `.gitlab/`, where GitHub and GitLab look for it.
//! - `git.signed_commits` (target the repository): the last 100 commits on HEAD carry
//!   a signature. From `git log --format=%G?`: `G` (good) and `U` (good, key of unknown
//!   validity) count as signed, and so do `X`/`Y` (good, but the signature or key has
//!   since expired: it was valid when made) and `E` (cannot be checked here, usually
//!   because the signer's key is not in the local keyring: the commit is signed, this
//!   machine just cannot verify it, which is common for signatures GitHub verified).
//!   `N` (no signature), `B` (bad signature: the commit does not match it) and `R`
//!   (made with a revoked key) fail; a bad or revoked one fails high.
//! - `git.secrets`: the tracked files (`git ls-files`) are read from the working tree
//!   (skipping symbolic links, binary files and files over 1 MiB) and searched for
//!   well-known credential formats: AWS access key IDs, private keys, GitHub, Slack,
//!   Google and Stripe keys. One failing result per finding, target `path:line`,
//!   naming the kind of secret but never the secret itself (only its first four
//!   characters and its length); one passing result, target the repository, when
//!   there is none. A generic `password = "…"` pattern is left out: it finds too many
//!   examples and test fixtures to be evidence of anything.
//!
//! A path that is not a Git working tree is an error, not results.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use regex::bytes::Regex;
use tokio::process::Command;

use crate::{CheckResult, CollectError, Rule, Severity};

const CODEOWNERS: Rule = Rule {
    id: "git.codeowners",
    title: "The repository names who reviews changes (CODEOWNERS)",
    iso: &["A.8.4", "A.8.25"],
    nist: &["CM-3", "SA-10"],
    severity: Severity::Medium,
};
const SIGNED: Rule = Rule {
    id: "git.signed_commits",
    title: "Recent commits are signed",
    iso: &["A.8.4", "A.8.25"],
    nist: &["SA-10", "CM-3"],
    severity: Severity::Medium,
};
const SECRETS: Rule = Rule {
    id: "git.secrets",
    title: "No credentials in tracked files",
    iso: &["A.5.17", "A.8.4", "A.8.28"],
    nist: &["IA-5(7)"],
    severity: Severity::High,
};

/// Where GitHub and GitLab look for CODEOWNERS.
const CODEOWNERS_PATHS: &[&str] = &["CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"];

/// How many commits of HEAD are checked for signatures.
const COMMITS: usize = 100;

/// Files larger than this are not searched for secrets.
const MAX_FILE: u64 = 1024 * 1024;

/// At most this many findings are listed one by one.
const MAX_FINDINGS: usize = 1000;

/// The limit for one `git` command.
const GIT_TIMEOUT: Duration = Duration::from_secs(300);

/// A kind of secret the scan looks for.
#[derive(Debug)]
struct Pattern {
    /// Its short name.
    name: &'static str,
    /// What it is, for the message.
    what: &'static str,
    /// The regular expression (bytes, ASCII).
    regex: &'static str,
}

/// The secrets the scan looks for.
const PATTERNS: &[Pattern] = &[
    Pattern { name: "aws_access_key_id", what: "AWS access key ID", regex: r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b" },
    Pattern {
        name: "private_key",
        what: "private key",
        regex: r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----",
    },
    Pattern { name: "github_token", what: "GitHub token", regex: r"\bgh[pousr]_[A-Za-z0-9]{36}\b" },
    Pattern {
        name: "github_fine_grained_token",
        what: "GitHub fine-grained token",
        regex: r"\bgithub_pat_[A-Za-z0-9_]{82}\b",
    },
    Pattern { name: "slack_token", what: "Slack token", regex: r"\bxox[baprs]-[0-9A-Za-z-]{10,250}" },
    Pattern {
        name: "slack_webhook",
        what: "Slack webhook URL",
        regex: r"https://hooks\.slack\.com/services/T[0-9A-Za-z]+/B[0-9A-Za-z]+/[0-9A-Za-z]+",
    },
    Pattern { name: "google_api_key", what: "Google API key", regex: r"\bAIza[0-9A-Za-z_-]{35}" },
    Pattern {
        name: "stripe_live_key",
        what: "Stripe live secret key",
        regex: r"\b(?:sk|rk)_live_[0-9A-Za-z]{24,99}\b",
    },
];

/// Checks the Git repository whose working tree holds `repo`.
pub async fn collect(repo: &Path) -> Result<Vec<CheckResult>, CollectError> {
    let fail = |reason: String| CollectError::Git { repo: repo.display().to_string(), reason };
    if !repo.is_dir() {
        return Err(fail("no such directory".to_owned()));
    }
    let top = git_ok(repo, &["rev-parse", "--show-toplevel"])
        .await
        .map_err(|e| fail(format!("not a Git working tree ({e})")))?;
    let root = PathBuf::from(String::from_utf8_lossy(&top).trim_end_matches(['\n', '\r']));
    let target = root.display().to_string();
    let listed = git_ok(&root, &["ls-files", "-z"]).await.map_err(|e| fail(format!("listing the files: {e}")))?;
    let files: Vec<Vec<u8>> = listed.split(|b| *b == 0).filter(|p| !p.is_empty()).map(<[u8]>::to_vec).collect();

    let mut results = vec![codeowners(&target, &files)];
    results.push(signed_commits(&root, &target).await.map_err(fail)?);

    let regexes = PATTERNS
        .iter()
        .map(|p| Regex::new(&format!("(?-u){}", p.regex)).map(|r| (p, r)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(format!("a secret pattern does not compile: {e}")))?;
    let scan_root = root.clone();
    let scan = tokio::task::spawn_blocking(move || scan(&scan_root, &files, &regexes))
        .await
        .map_err(|e| fail(format!("the secret scan stopped: {e}")))?;
    results.extend(secrets(&target, scan));
    Ok(results)
}

/// Settings given on the command line, which win over the repository's own
/// configuration: a repository whose `.git/config` names programs (a signature
/// verifier, a file-system monitor) must not make the collector run them.
const SAFE_CONFIG: [&str; 10] = [
    "-c",
    "core.fsmonitor=false",
    "-c",
    "gpg.program=gpg",
    "-c",
    "gpg.ssh.program=ssh-keygen",
    "-c",
    "gpg.x509.program=gpgsm",
    "-c",
    "core.hooksPath=/dev/null",
];

/// Runs `git -C dir args…` within [`GIT_TIMEOUT`], with [`SAFE_CONFIG`] and no system
/// configuration.
async fn git(dir: &Path, args: &[&str]) -> Result<Output, String> {
    let mut cmd = Command::new("git");
    cmd.args(SAFE_CONFIG)
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .kill_on_drop(true);
    match tokio::time::timeout(GIT_TIMEOUT, cmd.output()).await {
        Err(_) => Err(format!("git {} took longer than {GIT_TIMEOUT:?}", args.join(" "))),
        Ok(Err(e)) => Err(format!("git cannot be run: {e}")),
        Ok(Ok(out)) => Ok(out),
    }
}

/// Runs git; its standard output when it succeeds, else its standard error.
async fn git_ok(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = git(dir, args).await?;
    if out.status.success() { Ok(out.stdout) } else { Err(stderr_summary(&out.stderr)) }
}

/// The first lines of git's standard error, for a message.
fn stderr_summary(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).take(3).collect();
    if lines.is_empty() { "git failed without a message".to_owned() } else { lines.join(" ") }
}

/// The CODEOWNERS result.
fn codeowners(target: &str, files: &[Vec<u8>]) -> CheckResult {
    match CODEOWNERS_PATHS.iter().find(|p| files.iter().any(|f| f == p.as_bytes())) {
        Some(path) => CODEOWNERS.pass(target, format!("{path} names the code owners")),
        None => CODEOWNERS.fail(
            target,
            "no CODEOWNERS file at the root, in .github/, docs/ or .gitlab/: no owners are required to review changes",
        ),
    }
}

/// The signed-commits result. Err: git failed.
async fn signed_commits(root: &Path, target: &str) -> Result<CheckResult, String> {
    let head = git(root, &["rev-parse", "--verify", "--quiet", "HEAD"]).await?;
    if !head.status.success() {
        return Ok(SIGNED.not_applicable(target, "the repository has no commits yet"));
    }
    let n = COMMITS.to_string();
    let log = git_ok(root, &["log", "-n", &n, "--format=%H%x09%G?"]).await.map_err(|e| format!("git log: {e}"))?;
    Ok(judge_signatures(target, &String::from_utf8_lossy(&log)))
}

/// Judges `git log --format=%H%x09%G?` output.
fn judge_signatures(target: &str, log: &str) -> CheckResult {
    let (mut total, mut verified, mut unverifiable, mut expired) = (0usize, 0usize, 0usize, 0usize);
    let (mut unsigned, mut bad, mut revoked) = (Vec::new(), Vec::new(), Vec::new());
    for line in log.lines() {
        let Some((hash, code)) = line.split_once('\t') else { continue };
        total += 1;
        let short = hash.get(..12).unwrap_or(hash).to_owned();
        match code.trim() {
            "G" | "U" => verified += 1,
            "X" | "Y" => expired += 1,
            "E" => unverifiable += 1,
            "B" => bad.push(short),
            "R" => revoked.push(short),
            _ => unsigned.push(short),
        }
    }
    if total == 0 {
        return SIGNED.not_applicable(target, "the repository has no commits yet");
    }
    let of = format!("of the last {total} commits on HEAD");
    let list = |hashes: &[String]| {
        let shown: Vec<&str> = hashes.iter().take(10).map(String::as_str).collect();
        let more = if hashes.len() > shown.len() { ", …" } else { "" };
        format!("{}{more}", shown.join(", "))
    };
    if unsigned.is_empty() && bad.is_empty() && revoked.is_empty() {
        let mut parts = vec![format!("{verified} verified")];
        if unverifiable > 0 {
            parts.push(format!("{unverifiable} whose signer's key is not available here"));
        }
        if expired > 0 {
            parts.push(format!("{expired} whose signature or key has since expired"));
        }
        return SIGNED.pass(target, format!("all {total} {of} are signed ({})", parts.join(", ")));
    }
    let mut parts = Vec::new();
    if !unsigned.is_empty() {
        parts.push(format!("{} {of} are not signed ({})", unsigned.len(), list(&unsigned)));
    }
    if !bad.is_empty() {
        parts.push(format!("{} have a bad signature ({})", bad.len(), list(&bad)));
    }
    if !revoked.is_empty() {
        parts.push(format!("{} were signed with a revoked key ({})", revoked.len(), list(&revoked)));
    }
    let severity = if bad.is_empty() && revoked.is_empty() { SIGNED.severity } else { Severity::High };
    SIGNED.fail_with(target, severity, parts.join("; "))
}

/// One secret found.
#[derive(Debug)]
struct Finding {
    /// The file, relative to the repository.
    path: String,
    /// The line, from 1.
    line: usize,
    /// What kind of secret.
    pattern: &'static Pattern,
    /// The secret masked: its first four characters and its length.
    masked: String,
}

/// What the secret scan found.
#[derive(Debug, Default)]
struct Scan {
    findings: Vec<Finding>,
    scanned: usize,
    skipped: usize,
}

/// Searches the tracked files for secrets (blocking).
fn scan(root: &Path, files: &[Vec<u8>], patterns: &[(&'static Pattern, Regex)]) -> Scan {
    let mut out = Scan::default();
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for rel in files {
        let Some(content) = read_text(&root, &root.join(path_from(rel))) else {
            out.skipped += 1;
            continue;
        };
        out.scanned += 1;
        let mut newlines: Option<Vec<usize>> = None;
        for (pattern, regex) in patterns {
            for m in regex.find_iter(&content) {
                let nl = newlines.get_or_insert_with(|| {
                    content.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect()
                });
                out.findings.push(Finding {
                    path: String::from_utf8_lossy(rel).into_owned(),
                    line: nl.partition_point(|p| *p < m.start()) + 1,
                    pattern,
                    masked: mask(m.as_bytes()),
                });
            }
        }
    }
    out.findings.sort_by(|a, b| (a.path.as_str(), a.line).cmp(&(b.path.as_str(), b.line)));
    out
}

/// A file's bytes, unless it is not a regular file (symbolic links are not followed,
/// nor directories replaced by links to outside `root`), is larger than [`MAX_FILE`],
/// cannot be read, or is binary (a NUL byte in its first 8000 bytes, as git judges).
fn read_text(root: &Path, path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FILE || !std::fs::canonicalize(path).ok()?.starts_with(root) {
        return None;
    }
    let mut content = Vec::new();
    std::fs::File::open(path).ok()?.take(MAX_FILE + 1).read_to_end(&mut content).ok()?;
    let binary = content.iter().take(8000).any(|b| *b == 0);
    (content.len() as u64 <= MAX_FILE && !binary).then_some(content)
}

/// A path from `git ls-files -z`.
#[cfg(unix)]
fn path_from(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// A path from `git ls-files -z`.
#[cfg(not(unix))]
fn path_from(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// A secret masked: its first four characters, then its length.
fn mask(secret: &[u8]) -> String {
    let head: String = secret.iter().take(4).map(|b| if b.is_ascii_graphic() { char::from(*b) } else { '?' }).collect();
    format!("{head}…, {} characters", secret.len())
}

/// The secret results.
fn secrets(target: &str, scan: Scan) -> Vec<CheckResult> {
    if scan.findings.is_empty() {
        let skipped = if scan.skipped > 0 {
            format!(" ({} skipped: binary, larger than 1 MiB, a link, or not in the working tree)", scan.skipped)
        } else {
            String::new()
        };
        return vec![SECRETS.pass(target, format!("no secrets found in {} tracked files{skipped}", scan.scanned))];
    }
    let total = scan.findings.len();
    let mut results: Vec<CheckResult> = scan
        .findings
        .into_iter()
        .take(MAX_FINDINGS)
        .map(|f| {
            SECRETS.fail(
                &format!("{}:{}", f.path, f.line),
                format!(
                    "{} ({}) found: {}; revoke it and remove it from the repository and its history",
                    f.pattern.what, f.pattern.name, f.masked
                ),
            )
        })
        .collect();
    if total > MAX_FINDINGS {
        results.push(SECRETS.fail(target, format!("{} more possible secrets not listed", total - MAX_FINDINGS)));
    }
    results
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::Outcome;

    fn compiled() -> Vec<(&'static Pattern, Regex)> {
        PATTERNS.iter().map(|p| (p, Regex::new(&format!("(?-u){}", p.regex)).unwrap())).collect()
    }

    fn found(text: &str) -> Vec<&'static str> {
        compiled().iter().filter(|(_, r)| r.is_match(text.as_bytes())).map(|(p, _)| p.name).collect()
    }

    #[test]
    fn patterns_find_what_they_should() {
        // Built from pieces so that this file is not itself a finding.
        let aws = ["AKIA", "IOSFODNN7EXAMPLE"].concat();
        assert_eq!(found(&format!("key = {aws}")), ["aws_access_key_id"]);
        assert_eq!(found(&format!("key = {aws}X")), Vec::<&str>::new(), "too long");
        assert_eq!(found(&["-----BEGIN ", "RSA PRIVATE KEY-----"].concat()), ["private_key"]);
        assert_eq!(found(&["-----BEGIN ", "PRIVATE KEY-----"].concat()), ["private_key"]);
        assert_eq!(found(&["-----BEGIN ", "OPENSSH PRIVATE KEY-----"].concat()), ["private_key"]);
        assert_eq!(found(&["-----BEGIN ", "PUBLIC KEY-----"].concat()), Vec::<&str>::new());
        assert_eq!(found(&["gh", "p_", &"a1B2".repeat(9)].concat()), ["github_token"]);
        assert_eq!(found(&["github_", "pat_", &"a1_B".repeat(20), "xy"].concat()), ["github_fine_grained_token"]);
        assert_eq!(found(&["xo", "xb-123456789012-abcdefABCDEF"].concat()), ["slack_token"]);
        assert_eq!(found(&["AI", "za", &"A1_-b".repeat(7)].concat()), ["google_api_key"]);
        assert_eq!(found(&["sk_", "live_", &"a1B2".repeat(6)].concat()), ["stripe_live_key"]);
        assert_eq!(found(&["sk_", "test_", &"a1B2".repeat(6)].concat()), Vec::<&str>::new());
        assert_eq!(found("password = \"hunter2\""), Vec::<&str>::new());
    }

    #[test]
    fn masks_keep_four_characters() {
        let aws = ["AKIA", "IOSFODNN7EXAMPLE"].concat();
        let m = mask(aws.as_bytes());
        assert_eq!(m, "AKIA…, 20 characters");
        assert!(!m.contains("IOSF"));
    }

    #[test]
    fn signatures() {
        let log = "aaaaaaaaaaaaaaaa\tG\nbbbbbbbbbbbbbbbb\tU\ncccccccccccccccc\tE\n";
        let r = judge_signatures("repo", log);
        assert_eq!(r.outcome, Outcome::Pass, "{}", r.message);
        assert!(r.message.contains("all 3"), "{}", r.message);

        let r = judge_signatures("repo", "aaaaaaaaaaaaaaaa\tG\nbbbbbbbbbbbbbbbb\tN\ncccccccccccccccc\tN\n");
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::Medium));
        assert!(
            r.message.starts_with("2 of the last 3 commits on HEAD are not signed (bbbbbbbbbbbb, cccccccccccc)"),
            "{}",
            r.message
        );

        let r = judge_signatures("repo", "aaaaaaaaaaaaaaaa\tB\n");
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::High));
        let r = judge_signatures("repo", "aaaaaaaaaaaaaaaa\tR\n");
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::High));
        assert_eq!(judge_signatures("repo", "").outcome, Outcome::NotApplicable);
    }
}
