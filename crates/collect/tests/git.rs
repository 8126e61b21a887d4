//! The Git collector on repositories made here with `git init`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;

use isms_collect::{CheckResult, Outcome, Severity, git};

/// Runs git in `dir` with a fixed identity, no signing, and no user or system config.
fn run(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn write(dir: &Path, path: &str, content: &[u8]) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn by_rule<'a>(results: &'a [CheckResult], rule: &str) -> Vec<&'a CheckResult> {
    results.iter().filter(|r| r.rule == rule).collect()
}

/// The example key of AWS's documentation, built from pieces so that this file is not
/// itself a finding.
fn fake_aws_key() -> String {
    ["AKIA", "IOSFODNN7EXAMPLE"].concat()
}

#[tokio::test]
async fn repository_with_a_secret_and_codeowners() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    run(repo, &["init", "-q"]);
    write(repo, ".github/CODEOWNERS", b"* @security-team\n");
    write(repo, "config/app.env", format!("REGION=eu-west-1\nAWS_ACCESS_KEY_ID={}\n", fake_aws_key()).as_bytes());
    write(repo, "src/main.rs", b"fn main() {}\n");
    // Not searched: binary, too large, untracked.
    let mut binary = b"\0\x01binary ".to_vec();
    binary.extend_from_slice(fake_aws_key().as_bytes());
    write(repo, "blob.bin", &binary);
    let mut large = vec![b'x'; 1024 * 1024 + 10];
    large.extend_from_slice(format!("\n{}\n", fake_aws_key()).as_bytes());
    write(repo, "large.txt", &large);
    run(repo, &["add", "."]);
    run(repo, &["commit", "-q", "-m", "first"]);
    write(repo, "untracked.txt", fake_aws_key().as_bytes());
    let key_header = ["-----BEGIN ", "OPENSSH PRIVATE KEY-----"].concat();
    write(repo, "deploy/id_ed25519", format!("{key_header}\nb3BlbnNzaC1rZXktdjEAAAAA\n").as_bytes());
    run(repo, &["add", "deploy/id_ed25519"]);
    write(repo, "vendor/notes.txt", b"nothing here\n");
    run(repo, &["add", "vendor/notes.txt"]);
    run(repo, &["commit", "-q", "-m", "second"]);
    // A tracked directory replaced by a link to outside the repository: not followed.
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "notes.txt", fake_aws_key().as_bytes());
    std::fs::remove_dir_all(repo.join("vendor")).unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.join("vendor")).unwrap();

    let results = git::collect(repo).await.unwrap();
    let root = std::fs::canonicalize(repo).unwrap().display().to_string();

    let owners = by_rule(&results, "git.codeowners");
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].outcome, Outcome::Pass, "{:?}", owners[0]);
    assert!(owners[0].message.contains(".github/CODEOWNERS"), "{}", owners[0].message);
    assert_eq!(owners[0].target, root);

    let signed = by_rule(&results, "git.signed_commits");
    assert_eq!(signed.len(), 1);
    assert_eq!((signed[0].outcome, signed[0].severity), (Outcome::Fail, Severity::Medium), "{:?}", signed[0]);
    assert!(signed[0].message.starts_with("2 of the last 2 commits on HEAD are not signed"), "{}", signed[0].message);

    let secrets = by_rule(&results, "git.secrets");
    let targets: Vec<&str> = secrets.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(targets, ["config/app.env:2", "deploy/id_ed25519:1"], "{secrets:#?}");
    for s in &secrets {
        assert_eq!((s.outcome, s.severity), (Outcome::Fail, Severity::High));
        assert!(!s.message.contains(&fake_aws_key()) && !s.message.contains("IOSFODNN7"), "{}", s.message);
        assert!(s.references.iter().any(|r| r.id == "IA-5(7)"));
        assert!(s.references.iter().any(|r| r.id == "A.5.17"));
    }
    assert!(secrets[0].message.contains("AWS access key ID (aws_access_key_id)"), "{}", secrets[0].message);
    assert!(secrets[0].message.contains("AKIA…, 20 characters"), "{}", secrets[0].message);
    assert!(secrets[1].message.contains("private key"), "{}", secrets[1].message);
}

#[tokio::test]
async fn clean_repository_without_codeowners() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    run(repo, &["init", "-q"]);
    write(repo, "README.md", b"# hello\n");
    write(repo, "docs/guide.md", b"password = \"example\"\n");
    run(repo, &["add", "."]);
    run(repo, &["commit", "-q", "-m", "first"]);
    std::fs::remove_file(repo.join("README.md")).unwrap();

    // From a subdirectory: the whole repository is checked.
    let results = git::collect(&repo.join("docs")).await.unwrap();
    let rules: Vec<&str> = results.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, ["git.codeowners", "git.signed_commits", "git.secrets"]);
    assert_eq!(results[0].outcome, Outcome::Fail, "{:?}", results[0]);
    assert_eq!(results[2].outcome, Outcome::Pass, "{:?}", results[2]);
    assert_eq!(
        results[2].message,
        "no secrets found in 1 tracked files (1 skipped: binary, larger than 1 MiB, a link, or not in the working tree)"
    );
    assert_eq!(results[2].target, std::fs::canonicalize(repo).unwrap().display().to_string());
}

#[tokio::test]
async fn empty_repository() {
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), &["init", "-q"]);
    let results = git::collect(dir.path()).await.unwrap();
    assert_eq!(by_rule(&results, "git.signed_commits")[0].outcome, Outcome::NotApplicable);
    assert_eq!(by_rule(&results, "git.secrets")[0].outcome, Outcome::Pass);
}

#[tokio::test]
async fn not_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = git::collect(dir.path()).await.unwrap_err().to_string();
    assert!(err.starts_with(&format!("git {}: not a Git working tree", dir.path().display())), "{err}");
    let err = git::collect(&dir.path().join("missing")).await.unwrap_err().to_string();
    assert!(err.ends_with("no such directory"), "{err}");
}
