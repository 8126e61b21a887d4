//! The legacy probes against a real TLS stack that still speaks TLS 1.0 and weak
//! suites: `openssl s_server`. Skipped, saying why, when `openssl` is not installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::print_stderr)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use isms_collect::tls::{self, TlsOptions};
use isms_collect::{CheckResult, Outcome};
use time::macros::datetime;
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

/// Whether `openssl` can be run; prints why not.
async fn have_openssl() -> bool {
    let ok = Command::new("openssl").arg("version").output().await.is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipped: openssl is not installed");
    }
    ok
}

/// A self-signed RSA certificate for localhost, in `dir` as c.pem and k.pem.
async fn make_cert(dir: &Path) {
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost", "-keyout", "k.pem", "-out", "c.pem"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success());
}

/// Starts `openssl s_server` with `args` on a free port of 127.0.0.1; the child (killed
/// when dropped) and the port, once it accepts connections.
async fn s_server(dir: &Path, args: &[&str]) -> (Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
    let child = Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-cert", "c.pem", "-key", "k.pem", "-quiet"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (child, port);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("openssl s_server did not start");
}

fn by_rule<'a>(results: &'a [CheckResult], rule: &str) -> &'a CheckResult {
    results.iter().find(|r| r.rule == rule).unwrap_or_else(|| panic!("no {rule} in {results:#?}"))
}

fn opts() -> TlsOptions {
    let mut o = TlsOptions::new(datetime!(2026-06-01 12:00 UTC));
    o.timeout = Duration::from_secs(5);
    o
}

#[tokio::test]
async fn openssl_server_speaking_only_tls1_0() {
    if !have_openssl().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path()).await;
    let (_server, port) = s_server(dir.path(), &["-tls1", "-cipher", "ALL:@SECLEVEL=0"]).await;
    let results = tls::collect(&format!("localhost:{port}"), &opts()).await.unwrap();
    let t10 = by_rule(&results, "tls.protocol.tls1_0");
    assert_eq!(t10.outcome, Outcome::Fail, "{results:#?}");
    assert!(t10.message.starts_with("the server accepts TLS 1.0"), "{}", t10.message);
    assert_eq!(by_rule(&results, "tls.protocol.modern").outcome, Outcome::Fail, "{results:#?}");
    // Offered TLS 1.1, it answers with TLS 1.0: that is the TLS 1.0 rule's failure.
    let t11 = by_rule(&results, "tls.protocol.tls1_1");
    assert_eq!(t11.outcome, Outcome::Pass, "{results:#?}");
    assert!(t11.message.contains("TLS 1.0 instead"), "{}", t11.message);
}

#[tokio::test]
async fn openssl_server_accepting_a_null_cipher() {
    if !have_openssl().await {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path()).await;
    let (_server, port) =
        s_server(dir.path(), &["-cipher", "NULL-SHA:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0", "-no_tls1_3"]).await;
    let results = tls::collect(&format!("localhost:{port}"), &opts()).await.unwrap();
    let weak = by_rule(&results, "tls.cipher.weak");
    assert_eq!(weak.outcome, Outcome::Fail, "{results:#?}");
    assert!(weak.message.contains("TLS_RSA_WITH_NULL_SHA (0x0002)"), "{}", weak.message);
    let modern = by_rule(&results, "tls.protocol.modern");
    assert_eq!(modern.outcome, Outcome::Pass, "{results:#?}");
    assert!(modern.message.contains("TLS 1.2"), "{}", modern.message);
    // The certificate was read (its dates come from the real clock, so its outcome
    // against the fixed time of the checks is not asserted).
    assert_ne!(by_rule(&results, "tls.certificate.expiry").outcome, Outcome::Error, "{results:#?}");
    assert_eq!(by_rule(&results, "tls.certificate.hostname").outcome, Outcome::Pass, "{results:#?}");
}
