//! `isms ingest` on the output of the real tools, run by the test: OpenSCAP evaluating
//! the SCAP Security Guide on this machine (XCCDF results and ARF), and Semgrep over a
//! small vulnerable sample with a local rule (SARIF). Both tools are installed by
//! `.ci/run` (Debian's `openscap-scanner` and `ssg-debian`; Semgrep from PyPI in a
//! virtual environment, `ISMS_SEMGREP`), so these
//! tests are `#[ignore]`d for a plain `cargo test` and run with `--include-ignored`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::Sandbox;

use super::ingest::{OWNER, json};

/// A tool: `ISMS_SEMGREP`-style variable first (`.ci/run` keeps Semgrep in a virtual
/// environment of its own), else on the PATH.
fn tool(name: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(format!("ISMS_{}", name.to_ascii_uppercase())) {
        return PathBuf::from(p);
    }
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(name))
        .find(|p| p.is_file());
    found.unwrap_or_else(|| panic!("{name} is not installed: .ci/run installs it (see docs/evidence-ingest.md)"))
}

/// The newest SCAP Security Guide benchmark for Debian on this machine, copied with
/// the files it points to into `dir`, its Debian-version platform dropped: Debian 12's
/// `ssg-debian` ships content for Debian 10 and 11 only, which would otherwise mark
/// every rule not applicable here.
fn benchmark(dir: &Path) -> PathBuf {
    let content = Path::new("/usr/share/xml/scap/ssg/content");
    let mut benchmarks: Vec<PathBuf> = std::fs::read_dir(content)
        .unwrap_or_else(|e| panic!("{}: {e}: install ssg-debian (.ci/run does)", content.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.starts_with("ssg-debian") && n.ends_with("-xccdf.xml")
        })
        .collect();
    benchmarks.sort();
    let xccdf = benchmarks.pop().expect("an ssg-debian*-xccdf.xml benchmark");
    let stem = xccdf.file_name().unwrap().to_string_lossy().trim_end_matches("-xccdf.xml").to_owned();
    for suffix in ["-oval.xml", "-cpe-dictionary.xml", "-cpe-oval.xml", "-ocil.xml"] {
        let from = content.join(format!("{stem}{suffix}"));
        if from.is_file() {
            std::fs::copy(&from, dir.join(from.file_name().unwrap())).unwrap();
        }
    }
    let text = std::fs::read_to_string(&xccdf).unwrap();
    let kept: Vec<&str> =
        text.lines().filter(|l| !l.contains("platform idref=\"cpe:/o:debian:debian_linux:")).collect();
    let to = dir.join(xccdf.file_name().unwrap());
    std::fs::write(&to, kept.join("\n")).unwrap();
    to
}

/// How many rule results of each kind a results file holds, counted in its text.
fn tally(path: &Path) -> [usize; 4] {
    let text = std::fs::read_to_string(path).unwrap();
    let n = |word: &str| text.matches(&format!("<result>{word}</result>")).count();
    [n("pass") + n("fixed"), n("fail"), n("error") + n("unknown"), n("notapplicable")]
}

#[tokio::test]
#[ignore = "runs OpenSCAP (openscap-scanner, ssg-debian), installed by .ci/run"]
async fn openscap_results_of_a_real_evaluation_land_with_their_sp_800_53_controls() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.path().join("scap");
    std::fs::create_dir_all(&dir).unwrap();
    let xccdf = benchmark(&dir);
    let (results, arf) = (dir.join("results.xml"), dir.join("arf.xml"));
    let eval = Command::new(tool("oscap"))
        .args(["xccdf", "eval", "--profile", "xccdf_org.ssgproject.content_profile_standard", "--results"])
        .arg(&results)
        .arg("--results-arf")
        .arg(&arf)
        .arg(&xccdf)
        .current_dir(&dir)
        .output()
        .unwrap();
    // 0: every rule passed; 2: some failed. Anything else is an error.
    assert!(matches!(eval.status.code(), Some(0 | 2)), "oscap: {}", String::from_utf8_lossy(&eval.stderr));
    let want = tally(&results);
    assert!(want[0] + want[1] > 0, "the evaluation checked something: {want:?}");
    let done = json(&s, &["ingest", results.to_str().unwrap(), "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(run["format"], "xccdf");
    assert_eq!(run["tool"], "OpenSCAP");
    let c = &run["counts"];
    let got = [&c["pass"], &c["fail"], &c["error"], &c["not_applicable"]].map(|v| v.as_u64().unwrap() as usize);
    assert_eq!(got, want, "one result per rule evaluated");
    // SSG cites SP 800-53 for its rules; through the crosswalk they reach Annex A.
    let controls = run["controls"].as_object().unwrap();
    assert!(controls.len() >= 3, "{controls:?}");
    assert!(controls.keys().all(|k| k.starts_with("A.")));
    let id = run["id"].as_str().unwrap();
    let failing = json(&s, &["check", "results", id, "--outcome", "fail"]);
    for r in failing.as_array().unwrap() {
        assert!(r["rule"].as_str().unwrap().starts_with("xccdf_org.ssgproject.content_rule_"), "{r}");
        assert!(!r["title"].as_str().unwrap().is_empty(), "the benchmark's title: {r}");
    }
    // The ARF report of the same evaluation gives the same results.
    let from_arf = json(&s, &["ingest", arf.to_str().unwrap(), "--as", OWNER]);
    assert_eq!(from_arf["run"]["counts"], run["counts"]);
    assert_eq!(from_arf["run"]["controls"], run["controls"]);
}

const SAMPLE: &str = r#"import subprocess
import hashlib


def run(cmd):
    # Runs whatever the caller says, through the shell.
    return subprocess.call(cmd, shell=True)


def digest(password):
    return hashlib.md5(password.encode()).hexdigest()


def safe(args):
    return subprocess.call(args)
"#;

const RULES: &str = r#"rules:
  - id: subprocess-shell-true
    languages: [python]
    severity: ERROR
    message: A command runs through the shell; pass the arguments as a list.
    pattern: subprocess.$F(..., shell=True, ...)
    metadata:
      cwe:
        - "CWE-78: Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')"
  - id: weak-hash-md5
    languages: [python]
    severity: WARNING
    message: MD5 is not a password hash.
    pattern: hashlib.md5(...)
    metadata:
      cwe:
        - "CWE-328: Use of Weak Hash"
"#;

#[tokio::test]
#[ignore = "runs Semgrep (PyPI), installed by .ci/run"]
async fn semgrep_findings_over_a_vulnerable_sample_land_as_secure_development_evidence() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let repo = s.path().join("sample");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("app.py"), SAMPLE).unwrap();
    let rules = s.path().join("rules.yml");
    std::fs::write(&rules, RULES).unwrap();
    let sarif = s.path().join("semgrep.sarif");
    let scan = Command::new(tool("semgrep"))
        .args(["scan", "--metrics=off", "--disable-version-check", "--sarif", "--config"])
        .arg(&rules)
        .arg("--output")
        .arg(&sarif)
        .arg(&repo)
        .env("SEMGREP_ENABLE_VERSION_CHECK", "0")
        .env("SEMGREP_SEND_METRICS", "off")
        .output()
        .unwrap();
    assert!(scan.status.success(), "semgrep: {}", String::from_utf8_lossy(&scan.stderr));
    let done = json(&s, &["ingest", sarif.to_str().unwrap(), "--as", OWNER]);
    let run = &done["run"];
    assert_eq!(run["format"], "sarif");
    assert!(run["tool"].as_str().unwrap().starts_with("Semgrep"), "{run}");
    assert_eq!(run["counts"]["fail"], 2, "the shell call and the MD5; the list call is fine: {run}");
    let targets: Vec<&str> =
        done["evidence"]["targets"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(targets, ["A.8.25", "A.8.28", "A.8.29"]);
    let failing = json(&s, &["check", "results", run["id"].as_str().unwrap(), "--outcome", "fail"]);
    let mut found: Vec<(String, String, String)> = failing
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().rsplit('.').next().unwrap().to_owned(),
                r["references"][0]["id"].as_str().unwrap().to_owned(),
                r["target"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("subprocess-shell-true".to_owned(), "CWE-78".to_owned(), "app.py:7".to_owned()),
            ("weak-hash-md5".to_owned(), "CWE-328".to_owned(), "app.py:11".to_owned()),
        ]
    );
}

#[tokio::test]
#[ignore = "runs OpenSCAP (openscap-scanner, ssg-debian), installed by .ci/run"]
async fn the_openscap_collector_evaluates_a_profile_and_its_check_reads_the_report() {
    let s = Sandbox::new();
    assert_eq!(s.isms(&["demo"]).code, 0);
    let dir = s.path().join("scap");
    std::fs::create_dir_all(&dir).unwrap();
    let xccdf = benchmark(&dir);
    let target = format!("xccdf_org.ssgproject.content_profile_standard {}", xccdf.display());
    let scap = std::fs::canonicalize(&dir).unwrap();
    super::role_matrix::allow_targets(&s.data_dir(), &format!("openscap {}/*\n", scap.display()));
    let data = s.data_dir();
    let run = |args: &[&str]| {
        let mut all = vec!["--data-dir", data.to_str().unwrap(), "--json"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--org", super::ingest::ORG]);
        let out = s.command(&all).current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let check = run(&[
        "check",
        "define",
        "--name",
        "Hosts meet the standard profile",
        "--control",
        "A.8.9",
        "--collector",
        "openscap",
        "--target",
        &target,
        "--every",
        "7",
        "--as",
        OWNER,
    ]);
    let id = check["id"].as_str().unwrap().to_owned();
    let collected = run(&["collect", "openscap", "--as", OWNER]);
    let item = &collected[0];
    assert!(item["error"].is_null(), "{collected}");
    let got = &item["run"];
    assert_eq!(got["format"], "xccdf", "the ARF report is read: {got}");
    assert_eq!(got["tool"], "isms collect openscap");
    assert!(got["counts"]["pass"].as_u64().unwrap() + got["counts"]["fail"].as_u64().unwrap() > 0, "{got}");
    assert!(
        got["controls"].as_object().unwrap().keys().filter(|k| *k != "A.8.9").count() >= 3,
        "SSG's SP 800-53 references reach Annex A: {got}"
    );
    assert_eq!(got["checks"], serde_json::json!([id]));
    let shown = run(&["check", "show", &id]);
    let expected = if got["counts"]["fail"].as_u64().unwrap() > 0 { "failing" } else { "passing" };
    assert_eq!(shown["status"], expected, "{shown}");
}
