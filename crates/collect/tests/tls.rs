//! The TLS collector against local servers: a rustls server with certificates made
//! here (expired, valid, for another name), a fake legacy server that accepts TLS 1.0,
//! 1.1 and RC4, servers that answer garbage or nothing, and a closed port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use isms_collect::tls::{self, TlsOptions};
use isms_collect::{CheckResult, Outcome, Severity};
use rcgen::{CertificateParams, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::macros::datetime;
use time::{Duration as TimeSpan, OffsetDateTime};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The time the checks are made at (the app's clock, fixed).
const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn opts() -> TlsOptions {
    let mut o = TlsOptions::new(NOW);
    o.timeout = Duration::from_secs(5);
    o
}

/// A self-signed certificate for `names`, valid from `not_before` to `not_after`.
fn cert(
    names: &[&str],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut params = CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.not_before = not_before;
    params.not_after = not_after;
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
}

/// A rustls server (TLS 1.2 and 1.3) on 127.0.0.1 serving `cert` until the test ends;
/// its port. Servers do not check their own certificate, so an expired one is served.
async fn serve(cert: (CertificateDer<'static>, PrivateKeyDer<'static>)) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.0], cert.1)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(tcp).await {
                    let mut buf = [0u8; 1024];
                    let _ = tls.read(&mut buf).await;
                }
            });
        }
    });
    port
}

/// A server answering each connection with `answer(client_hello_handshake_message)`.
async fn fake_server(answer: fn(&[u8]) -> Vec<u8>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Some(hello) = read_record(&mut tcp).await else { return };
                let _ = tcp.write_all(&answer(&hello)).await;
                let _ = tcp.shutdown().await;
                let mut sink = [0u8; 1024];
                while matches!(tcp.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    port
}

/// One TLS record's payload.
async fn read_record(tcp: &mut TcpStream) -> Option<Vec<u8>> {
    let mut head = [0u8; 5];
    tcp.read_exact(&mut head).await.ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes([head[3], head[4]]))];
    tcp.read_exact(&mut body).await.ok()?;
    Some(body)
}

/// A ClientHello handshake message's version and cipher suites.
fn offered(hello: &[u8]) -> (u16, Vec<u16>) {
    assert_eq!(hello[0], 1, "a ClientHello");
    let version = u16::from_be_bytes([hello[4], hello[5]]);
    let sid = usize::from(hello[38]);
    let at = 39 + sid;
    let len = usize::from(u16::from_be_bytes([hello[at], hello[at + 1]]));
    let suites = hello[at + 2..at + 2 + len].chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
    (version, suites)
}

/// A ServerHello record choosing `version` and `suite`.
fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&[0x42; 32]);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    let mut rec = vec![22, 3, 1, 0, u8::try_from(body.len() + 4).unwrap(), 2, 0, 0, u8::try_from(body.len()).unwrap()];
    rec.extend_from_slice(&body);
    rec
}

/// A legacy server: accepts TLS 1.0 and 1.1, and RC4 at TLS 1.2; refuses rustls's
/// modern ClientHello (TLS 1.3 suites first) with handshake_failure.
fn legacy(hello: &[u8]) -> Vec<u8> {
    let (version, suites) = offered(hello);
    if suites[0] >> 8 == 0x13 {
        return vec![21, 3, 3, 0, 2, 2, 40];
    }
    server_hello(version, suites[0])
}

fn by_rule<'a>(results: &'a [CheckResult], rule: &str) -> &'a CheckResult {
    results.iter().find(|r| r.rule == rule).unwrap_or_else(|| panic!("no {rule} in {results:#?}"))
}

const RULES: [&str; 6] = [
    "tls.certificate.expiry",
    "tls.certificate.hostname",
    "tls.protocol.modern",
    "tls.protocol.tls1_0",
    "tls.protocol.tls1_1",
    "tls.cipher.weak",
];

fn assert_shape(results: &[CheckResult], target: &str) {
    let rules: Vec<&str> = results.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(rules, RULES);
    for r in results {
        assert_eq!(r.target, target);
        assert!(!r.title.is_empty() && !r.message.is_empty(), "{r:?}");
        assert!(r.references.iter().any(|x| x.framework == "iso27001-2022"), "{r:?}");
        assert!(r.references.iter().any(|x| x.framework == "nist-800-53r5"), "{r:?}");
    }
}

fn outcome(results: &[CheckResult], rule: &str) -> Outcome {
    by_rule(results, rule).outcome
}

#[tokio::test]
async fn expired_certificate_fails_the_rest_passes() {
    let port = serve(cert(&["localhost"], NOW - TimeSpan::days(730), NOW - TimeSpan::days(10))).await;
    let target = format!("localhost:{port}");
    let results = tls::collect(&target, &opts()).await.unwrap();
    assert_shape(&results, &target);

    let expiry = by_rule(&results, "tls.certificate.expiry");
    assert_eq!((expiry.outcome, expiry.severity), (Outcome::Fail, Severity::High), "{expiry:?}");
    assert!(expiry.message.contains("expired"), "{}", expiry.message);
    assert_eq!(expiry.message, "expired on 2026-05-22, 10 days ago");

    let modern = by_rule(&results, "tls.protocol.modern");
    assert_eq!(modern.outcome, Outcome::Pass, "{modern:?}");
    assert!(modern.message.contains("TLS 1.3") && modern.message.contains("TLS13_"), "{}", modern.message);

    for rule in ["tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cipher.weak", "tls.certificate.hostname"] {
        let r = by_rule(&results, rule);
        assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
    }
    // rustls refuses the old versions with an alert.
    assert!(by_rule(&results, "tls.protocol.tls1_0").message.contains("alert"), "{results:#?}");
}

#[tokio::test]
async fn valid_certificate_by_ip_with_a_server_name() {
    let port = serve(cert(&["localhost"], NOW - TimeSpan::days(1), NOW + TimeSpan::days(400))).await;
    let target = format!("127.0.0.1:{port}");
    let mut o = opts();
    o.server_name = Some("localhost".into());
    let results = tls::collect(&target, &o).await.unwrap();
    assert_shape(&results, &target);
    for r in &results {
        assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
    }
    assert_eq!(by_rule(&results, "tls.certificate.expiry").message, "valid until 2027-07-06, 400 days left");
}

#[tokio::test]
async fn certificate_expiring_soon_fails_medium() {
    let port = serve(cert(&["localhost"], NOW - TimeSpan::days(80), NOW + TimeSpan::days(12))).await;
    let results = tls::collect(&format!("localhost:{port}"), &opts()).await.unwrap();
    let expiry = by_rule(&results, "tls.certificate.expiry");
    assert_eq!((expiry.outcome, expiry.severity), (Outcome::Fail, Severity::Medium), "{expiry:?}");
    assert!(expiry.message.starts_with("expires on 2026-06-13, in 12 days"), "{}", expiry.message);
}

#[tokio::test]
async fn certificate_for_another_name_fails_hostname() {
    let port = serve(cert(&["other.example"], NOW - TimeSpan::days(1), NOW + TimeSpan::days(400))).await;
    let results = tls::collect(&format!("localhost:{port}"), &opts()).await.unwrap();
    let host = by_rule(&results, "tls.certificate.hostname");
    assert_eq!((host.outcome, host.severity), (Outcome::Fail, Severity::Medium), "{host:?}");
    assert!(host.message.contains("not for localhost") && host.message.contains("other.example"), "{}", host.message);
    assert_eq!(outcome(&results, "tls.certificate.expiry"), Outcome::Pass);
    assert_eq!(outcome(&results, "tls.protocol.modern"), Outcome::Pass);
}

#[tokio::test]
async fn certificate_for_an_ip_address() {
    let port = serve(cert(&["127.0.0.1"], NOW - TimeSpan::days(1), NOW + TimeSpan::days(90))).await;
    let results = tls::collect(&format!("127.0.0.1:{port}"), &opts()).await.unwrap();
    assert_eq!(outcome(&results, "tls.certificate.hostname"), Outcome::Pass, "{results:#?}");
    let mut o = opts();
    o.server_name = Some("127.0.0.2".into());
    let results = tls::collect(&format!("127.0.0.1:{port}"), &o).await.unwrap();
    assert_eq!(outcome(&results, "tls.certificate.hostname"), Outcome::Fail, "{results:#?}");
}

#[tokio::test]
async fn legacy_server_fails_the_probes() {
    let port = fake_server(legacy).await;
    let target = format!("127.0.0.1:{port}");
    let results = tls::collect(&target, &opts()).await.unwrap();
    assert_shape(&results, &target);
    let modern = by_rule(&results, "tls.protocol.modern");
    assert_eq!(modern.outcome, Outcome::Fail, "{modern:?}");
    let t10 = by_rule(&results, "tls.protocol.tls1_0");
    assert_eq!((t10.outcome, t10.severity), (Outcome::Fail, Severity::High), "{t10:?}");
    assert!(t10.message.starts_with("the server accepts TLS 1.0"), "{}", t10.message);
    let t11 = by_rule(&results, "tls.protocol.tls1_1");
    assert_eq!(t11.outcome, Outcome::Fail, "{t11:?}");
    assert!(t11.message.starts_with("the server accepts TLS 1.1"), "{}", t11.message);
    let weak = by_rule(&results, "tls.cipher.weak");
    assert_eq!((weak.outcome, weak.severity), (Outcome::Fail, Severity::High), "{weak:?}");
    assert!(weak.message.contains("TLS_RSA_WITH_RC4_128_MD5"), "{}", weak.message);
    // No certificate could be read: the certificate rules could not be checked.
    assert_eq!(outcome(&results, "tls.certificate.expiry"), Outcome::Error);
    assert_eq!(outcome(&results, "tls.certificate.hostname"), Outcome::Error);
}

#[tokio::test]
async fn server_refusing_with_alerts_passes_the_probes() {
    fn refuse(_: &[u8]) -> Vec<u8> {
        vec![21, 3, 1, 0, 2, 2, 70]
    }
    let port = fake_server(refuse).await;
    let results = tls::collect(&format!("127.0.0.1:{port}"), &opts()).await.unwrap();
    assert_eq!(outcome(&results, "tls.protocol.modern"), Outcome::Fail);
    for rule in ["tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cipher.weak"] {
        let r = by_rule(&results, rule);
        assert_eq!(r.outcome, Outcome::Pass, "{r:?}");
        assert!(r.message.contains("protocol_version (70)"), "{}", r.message);
    }
}

#[tokio::test]
async fn garbage_answers_are_errors_not_panics() {
    fn http(_: &[u8]) -> Vec<u8> {
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".to_vec()
    }
    fn truncated(hello: &[u8]) -> Vec<u8> {
        let (version, suites) = offered(hello);
        let mut rec = server_hello(version, suites[0]);
        rec.truncate(20);
        rec
    }
    fn huge_alert(_: &[u8]) -> Vec<u8> {
        let mut rec = vec![21, 3, 3, 0x40, 0];
        rec.extend_from_slice(&[0; 16384]);
        rec
    }
    for answer in [http as fn(&[u8]) -> Vec<u8>, truncated, huge_alert] {
        let port = fake_server(answer).await;
        let results = tls::collect(&format!("127.0.0.1:{port}"), &opts()).await.unwrap();
        assert_eq!(outcome(&results, "tls.protocol.modern"), Outcome::Fail, "{results:#?}");
        for rule in ["tls.protocol.tls1_0", "tls.protocol.tls1_1", "tls.cipher.weak"] {
            let r = by_rule(&results, rule);
            assert_eq!(r.outcome, Outcome::Error, "{r:?}");
        }
    }
}

#[tokio::test]
async fn closed_port_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let err = tls::collect(&format!("127.0.0.1:{port}"), &opts()).await.unwrap_err();
    assert_eq!(err.to_string(), format!("tls 127.0.0.1:{port}: connection refused"));
}

#[tokio::test]
async fn silent_server_is_a_timeout_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    let mut o = opts();
    o.timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let err = tls::collect(&format!("127.0.0.1:{port}"), &o).await.unwrap_err();
    assert!(err.to_string().contains("no TLS handshake within 300ms"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn bad_targets_are_errors() {
    for (target, want) in [("localhost:0", "tls localhost:0: "), ("localhost:http", "tls localhost:http: ")] {
        let err = tls::collect(target, &opts()).await.unwrap_err().to_string();
        assert!(err.starts_with(want), "{err}");
    }
}
