//! The plug-in protocol, with small shell scripts as plug-ins. They are run as
//! `/bin/sh script` so that no test executes a file another test thread may still have
//! open for writing ("text file busy").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use isms_collect::plugin::{self, Progress};

/// Writes `body` as a shell script in `dir`; the arguments to run it with.
fn script(dir: &Path, body: &str) -> Vec<String> {
    let path = dir.join("plugin.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    vec![path.display().to_string()]
}

fn sh() -> PathBuf {
    PathBuf::from("/bin/sh")
}

async fn run(body: &str, extra: &[&str], timeout: Duration, max: u64) -> (Result<Vec<u8>, String>, Vec<Progress>) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = script(dir.path(), body);
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let mut seen = Vec::new();
    let out = plugin::collect(&sh(), &args, timeout, max, &mut |p| seen.push(p)).await;
    (out.map_err(|e| e.to_string()), seen)
}

#[tokio::test]
async fn success_returns_stdout_and_reports_progress() {
    let body = r#"
if read line; then echo "stdin was open" >&2; exit 9; fi
echo "progress: 1/3 scanning hosts" >&2
echo "just a note" >&2
printf '{"collect":"%s","arg":"%s"}' "$ISMS_COLLECT" "$1"
echo "progress: 3/3" >&2
printf 'progress: 2/3 not a newline-ended line' >&2
exit 0
"#;
    let (out, seen) = run(body, &["--fast"], Duration::from_secs(10), 1024).await;
    assert_eq!(String::from_utf8(out.unwrap()).unwrap(), r#"{"collect":"1","arg":"--fast"}"#);
    assert_eq!(
        seen,
        [
            Progress { done: 1, total: 3, message: "scanning hosts".into() },
            Progress { done: 3, total: 3, message: String::new() },
            Progress { done: 2, total: 3, message: "not a newline-ended line".into() },
        ]
    );
}

#[tokio::test]
async fn failure_reports_the_last_20_lines_of_stderr() {
    let body = r#"
i=1
while [ $i -le 30 ]; do echo "line $i" >&2; i=$((i+1)); done
echo "progress: 1/1 done" >&2
echo "partial output"
exit 3
"#;
    let (out, seen) = run(body, &[], Duration::from_secs(10), 1024).await;
    let err = out.unwrap_err();
    assert!(err.starts_with("plugin /bin/sh: exited with status 3; standard error ends with:\n"), "{err}");
    assert!(err.contains("line 11\n") && err.ends_with("line 30"), "{err}");
    assert!(!err.contains("line 10\n"), "only the last 20 lines: {err}");
    assert!(!err.contains("progress:"), "progress lines are not kept: {err}");
    assert_eq!(seen.len(), 1);
}

#[tokio::test]
async fn timeout_kills_the_plugin() {
    let started = Instant::now();
    let (out, _) = run("echo 'about to hang' >&2\nexec sleep 30", &[], Duration::from_millis(500), 1024).await;
    let err = out.unwrap_err();
    assert!(err.contains("not done within 500ms; killed"), "{err}");
    assert!(err.contains("about to hang"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn oversized_output_is_refused() {
    let started = Instant::now();
    let (out, _) = run("head -c 100000 /dev/zero\nexec sleep 30", &[], Duration::from_secs(20), 1000).await;
    let err = out.unwrap_err();
    assert!(err.contains("wrote more than 1000 bytes to standard output; killed"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "killed at once, not at the time-out");

    // Exactly the limit is fine.
    let (out, _) = run("head -c 1000 /dev/zero", &[], Duration::from_secs(10), 1000).await;
    assert_eq!(out.unwrap().len(), 1000);
}

#[tokio::test]
async fn very_long_stderr_lines_are_cut() {
    let (out, _) = run(
        "head -c 100000 /dev/zero | tr '\\0' 'x' >&2\necho >&2\necho end >&2\nexit 1",
        &[],
        Duration::from_secs(10),
        10,
    )
    .await;
    let err = out.unwrap_err();
    assert!(err.len() < 5000, "{} bytes", err.len());
    assert!(err.ends_with("x…\nend"), "{}", &err[err.len() - 20..]);
}

#[tokio::test]
async fn killed_by_a_signal_and_missing_executables_are_errors() {
    let (out, _) = run("kill -9 $$", &[], Duration::from_secs(10), 10).await;
    assert!(out.unwrap_err().contains("was killed by a signal"));

    let mut ignore = |_: Progress| {};
    let err = plugin::collect(Path::new("/nonexistent/plugin"), &[], Duration::from_secs(1), 10, &mut ignore)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("plugin /nonexistent/plugin: cannot be started: "), "{err}");
}
