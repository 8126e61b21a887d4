//! The TLS collector: checks one TLS endpoint from the outside, as a client would.
//!
//! It makes one full handshake with rustls, offering TLS 1.2 and 1.3, with a
//! certificate verifier that accepts any certificate (the collector inspects the
//! certificate, it does not trust it), and reads the server's leaf certificate. Then
//! three probes, each on its own connection, send a hand-built ClientHello
//! ([`hello`]) and read only the server's first answer: one offering TLS 1.0, one TLS
//! 1.1, and one TLS 1.2 offering only weak cipher suites.
//!
//! Rules (target `host:port`):
//!
//! - `tls.certificate.expiry`: the leaf certificate's notAfter against the time given;
//!   expired fails high, expiring within the warning period fails medium.
//! - `tls.certificate.hostname`: the certificate's subjectAltName covers the server name.
//! - `tls.protocol.modern`: a TLS 1.2 or 1.3 handshake completes.
//! - `tls.protocol.tls1_0`, `tls.protocol.tls1_1`: the server refuses those versions.
//! - `tls.cipher.weak`: the server refuses RC4, DES, 3DES, NULL, EXPORT and anonymous
//!   suites.
//!
//! Every connect, write and read is bounded by the time-out, and a probe reads at most
//! 16 KiB of the reply.

mod cert;
mod hello;

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, ProtocolVersion, SignatureScheme};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

use crate::{CheckResult, CollectError, Rule, Severity};
use cert::CertInfo;
use hello::Reply;

/// How to check a TLS endpoint.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The limit for each connect, and for each handshake or probe on it.
    pub timeout: Duration,
    /// A certificate expiring within this many days fails (medium).
    pub warn_days: u32,
    /// The time the certificate's validity is judged against (the app's clock).
    pub now: OffsetDateTime,
    /// The name to ask for (SNI) and to check the certificate against, when it is not
    /// the host connected to (e.g. connecting to `127.0.0.1` for `portal.example`).
    pub server_name: Option<String>,
}

impl TlsOptions {
    /// The defaults (10 s time-out, warning 30 days before expiry, the host's own name)
    /// at the time `now`.
    pub fn new(now: OffsetDateTime) -> Self {
        TlsOptions { timeout: Duration::from_secs(10), warn_days: 30, server_name: None, now }
    }
}

const ISO: &[&str] = &["A.8.24", "A.8.20"];

const EXPIRY: Rule = Rule {
    id: "tls.certificate.expiry",
    title: "The server's TLS certificate is valid and not about to expire",
    iso: ISO,
    nist: &["SC-17", "SC-8"],
    severity: Severity::High,
};
const HOSTNAME: Rule = Rule {
    id: "tls.certificate.hostname",
    title: "The server's TLS certificate is for its host name",
    iso: ISO,
    nist: &["SC-17", "SC-23"],
    severity: Severity::Medium,
};
const MODERN: Rule = Rule {
    id: "tls.protocol.modern",
    title: "The server speaks TLS 1.2 or TLS 1.3",
    iso: ISO,
    nist: &["SC-8", "SC-8(1)", "SC-13"],
    severity: Severity::High,
};
const TLS1_0: Rule = Rule {
    id: "tls.protocol.tls1_0",
    title: "The server refuses TLS 1.0",
    iso: ISO,
    nist: &["SC-8", "SC-8(1)", "SC-13"],
    severity: Severity::High,
};
const TLS1_1: Rule = Rule {
    id: "tls.protocol.tls1_1",
    title: "The server refuses TLS 1.1",
    iso: ISO,
    nist: &["SC-8", "SC-8(1)", "SC-13"],
    severity: Severity::High,
};
const WEAK: Rule = Rule {
    id: "tls.cipher.weak",
    title: "The server refuses weak cipher suites (RC4, DES, 3DES, NULL, EXPORT, anonymous)",
    iso: ISO,
    nist: &["SC-8", "SC-13"],
    severity: Severity::High,
};

/// The most a probe reads of the server's reply.
const MAX_REPLY: usize = 16 * 1024;

/// Checks the TLS endpoint `target` (`host:port`, `host` for port 443, `[v6]:port`).
/// Results are in the order expiry, hostname, modern, TLS 1.0, TLS 1.1, weak ciphers.
/// An endpoint that cannot be reached, or does not answer within the time-out, is an
/// error, not results.
pub async fn collect(target: &str, opts: &TlsOptions) -> Result<Vec<CheckResult>, CollectError> {
    let (host, port) =
        parse_target(target).map_err(|reason| CollectError::Tls { target: target.trim().to_owned(), reason })?;
    let target = display(&host, port);
    let err = |reason: String| CollectError::Tls { target: target.clone(), reason };
    let name = opts.server_name.clone().unwrap_or_else(|| host.clone());
    let server_name = ServerName::try_from(name.trim_start_matches('[').trim_end_matches(']').to_owned())
        .map_err(|e| err(format!("{name:?} is not a valid server name: {e}")))?;

    let tcp = connect(&host, port, opts.timeout).await.map_err(err)?;
    let Ok(modern) = tokio::time::timeout(opts.timeout, handshake(tcp, server_name)).await else {
        return Err(err(format!("no TLS handshake within {:?}", opts.timeout)));
    };

    let (p10, p11, weak) = tokio::join!(
        probe(&host, port, hello::client_hello(hello::TLS1_0, hello::LEGACY_SUITES, Some(&name)), opts.timeout),
        probe(&host, port, hello::client_hello(hello::TLS1_1, hello::LEGACY_SUITES, Some(&name)), opts.timeout),
        probe(&host, port, hello::client_hello(hello::TLS1_2, hello::WEAK_SUITES, Some(&name)), opts.timeout),
    );

    let mut results = Vec::with_capacity(6);
    match &modern {
        Ok(session) => match session.leaf.as_deref().map(cert::inspect) {
            Some(Ok(info)) => {
                results.push(expiry(&target, &info, opts));
                results.push(hostname(&target, &info, &name));
            }
            Some(Err(e)) => {
                results.push(EXPIRY.error(&target, e.clone()));
                results.push(HOSTNAME.error(&target, e));
            }
            None => {
                let e = "the server sent no certificate";
                results.push(EXPIRY.error(&target, e));
                results.push(HOSTNAME.error(&target, e));
            }
        },
        Err(e) => {
            let e = format!("no certificate could be read, the TLS 1.2/1.3 handshake failed: {e}");
            results.push(EXPIRY.error(&target, e.clone()));
            results.push(HOSTNAME.error(&target, e));
        }
    }
    results.push(match modern {
        Ok(s) => MODERN.pass(&target, format!("the server completed a {} handshake with {}", s.version, s.suite)),
        Err(e) => MODERN.fail(&target, format!("no TLS 1.2 or TLS 1.3 handshake: {e}")),
    });
    results.push(judge_version(&TLS1_0, &target, hello::TLS1_0, p10));
    results.push(judge_version(&TLS1_1, &target, hello::TLS1_1, p11));
    results.push(judge_weak(&target, weak));
    Ok(results)
}

/// Splits `host:port`, `host`, `[v6]:port`, `[v6]` or a bare IPv6 address (port 443).
fn parse_target(t: &str) -> Result<(String, u16), String> {
    let t = t.trim();
    let port = |p: &str| match p.parse::<u16>() {
        Ok(0) | Err(_) => Err(format!("{p:?} is not a port number")),
        Ok(p) => Ok(p),
    };
    let (host, port) = if let Some(rest) = t.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| "an unclosed [ in the address".to_owned())?;
        match after {
            "" => (host, 443),
            _ => (host, port(after.strip_prefix(':').ok_or_else(|| "expected host:port".to_owned())?)?),
        }
    } else {
        match t.matches(':').count() {
            0 => (t, 443),
            1 => t.split_once(':').map(|(h, p)| Ok::<_, String>((h, port(p)?))).transpose()?.unwrap_or((t, 443)),
            _ if t.parse::<std::net::Ipv6Addr>().is_ok() => (t, 443),
            _ => return Err("expected host:port".to_owned()),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == '/') {
        return Err("expected host:port".to_owned());
    }
    Ok((host.to_owned(), port))
}

/// `host:port`, with an IPv6 address in brackets.
fn display(host: &str, port: u16) -> String {
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// Opens a TCP connection within the time-out.
async fn connect(host: &str, port: u16, timeout: Duration) -> Result<TcpStream, String> {
    match tokio::time::timeout(timeout, TcpStream::connect((host, port))).await {
        Err(_) => Err(format!("no connection within {timeout:?}")),
        Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionRefused => Err("connection refused".to_owned()),
        Ok(Err(e)) => Err(e.to_string()),
        Ok(Ok(s)) => Ok(s),
    }
}

/// What the modern handshake found.
#[derive(Debug)]
struct Session {
    /// The protocol version, e.g. `TLS 1.3`.
    version: String,
    /// The cipher suite's name.
    suite: String,
    /// The leaf certificate, DER.
    leaf: Option<Vec<u8>>,
}

/// A TLS 1.2/1.3 handshake with rustls, accepting any certificate. Err: why it failed.
async fn handshake(tcp: TcpStream, server_name: ServerName<'static>) -> Result<Session, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("rustls: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(InspectOnly(provider)))
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = connector.connect(server_name, tcp).await.map_err(|e| e.to_string())?;
    let (_, conn) = tls.get_ref();
    let version = match conn.protocol_version() {
        Some(ProtocolVersion::TLSv1_3) => "TLS 1.3".to_owned(),
        Some(ProtocolVersion::TLSv1_2) => "TLS 1.2".to_owned(),
        Some(v) => format!("{v:?}"),
        None => "unknown version".to_owned(),
    };
    let suite =
        conn.negotiated_cipher_suite().map_or_else(|| "an unknown suite".to_owned(), |s| format!("{:?}", s.suite()));
    let leaf = conn.peer_certificates().and_then(|c| c.first()).map(|c| c.as_ref().to_vec());
    // A polite close; the caller's time-out bounds it, and its failure does not matter.
    let _ = tls.shutdown().await;
    Ok(Session { version, suite, leaf })
}

/// A certificate verifier that accepts any certificate: the collector inspects the
/// certificate itself rather than trusting it. Handshake signatures are still
/// verified, so the handshake is a real one made with the certificate's key.
#[derive(Debug)]
struct InspectOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for InspectOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Sends a probe's ClientHello on a new connection and reads the first answer, at
/// most [`MAX_REPLY`] bytes, within the time-out. Err: the probe could not be made.
async fn probe(host: &str, port: u16, hello: Vec<u8>, timeout: Duration) -> Result<Reply, String> {
    let deadline = Instant::now() + timeout;
    let mut tcp = connect(host, port, timeout).await?;
    match tokio::time::timeout_at(deadline, tcp.write_all(&hello)).await {
        Err(_) => return Err(format!("the ClientHello could not be sent within {timeout:?}")),
        Ok(Err(e)) if is_reset(&e) => return Ok(Reply::Closed),
        Ok(Err(e)) => return Err(format!("sending the ClientHello: {e}")),
        Ok(Ok(())) => {}
    }
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        if let Some(reply) = hello::parse_reply(&buf) {
            return Ok(reply);
        }
        if buf.len() >= MAX_REPLY {
            return Ok(Reply::Malformed(format!("no ServerHello or alert in the first {MAX_REPLY} bytes")));
        }
        let room = (MAX_REPLY - buf.len()).min(chunk.len());
        match tokio::time::timeout_at(deadline, tcp.read(&mut chunk[..room])).await {
            Err(_) => return Err(format!("no answer within {timeout:?}")),
            Ok(Ok(0)) if buf.is_empty() => return Ok(Reply::Closed),
            Ok(Ok(0)) => {
                return Ok(Reply::Malformed(format!("the reply ends after {} bytes, before its answer", buf.len())));
            }
            Ok(Ok(n)) => buf.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) if buf.is_empty() && is_reset(&e) => return Ok(Reply::Closed),
            Ok(Err(e)) => return Err(format!("reading the answer: {e}")),
        }
    }
}

/// Whether an I/O error is the peer closing the connection on us.
fn is_reset(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted | io::ErrorKind::BrokenPipe)
}

/// The result of a probe offering only the legacy version `offered`.
fn judge_version(rule: &Rule, target: &str, offered: u16, reply: Result<Reply, String>) -> CheckResult {
    let name = hello::version_name(offered);
    match reply {
        Ok(Reply::Hello { version, suite }) if version == offered => rule.fail(
            target,
            format!("the server accepts {name} (it chose {} for a {name} ClientHello)", hello::suite_name(suite)),
        ),
        // SSL 3.0 or older: worse than what was offered, and no other rule covers it.
        Ok(Reply::Hello { version, suite }) if version < hello::TLS1_0 => rule.fail(
            target,
            format!(
                "the server answered a {name} ClientHello with {} and {}",
                hello::version_name(version),
                hello::suite_name(suite)
            ),
        ),
        // An older TLS version: that version's own rule judges it.
        Ok(Reply::Hello { version, .. }) if version < offered => rule.pass(
            target,
            format!(
                "the server does not accept {name}: it answered with {} instead (see that version's rule)",
                hello::version_name(version)
            ),
        ),
        Ok(Reply::Hello { version, .. }) => rule.pass(
            target,
            format!(
                "the server does not accept {name}: it answered with {}, which was not offered",
                hello::version_name(version)
            ),
        ),
        Ok(Reply::Alert { description, .. }) => rule.pass(
            target,
            format!("the server refuses {name}: it answered with the alert {}", hello::alert_name(description)),
        ),
        Ok(Reply::Closed) => rule.pass(target, format!("the server refuses {name}: it closed the connection")),
        Ok(Reply::Malformed(why)) => rule.error(target, format!("the answer to a {name} ClientHello: {why}")),
        Err(why) => rule.error(target, format!("the {name} probe failed: {why}")),
    }
}

/// The result of the probe offering only weak suites.
fn judge_weak(target: &str, reply: Result<Reply, String>) -> CheckResult {
    let offered = hello::WEAK_SUITES.len();
    match reply {
        Ok(Reply::Hello { version, suite }) if hello::WEAK_SUITES.contains(&suite) => WEAK.fail(
            target,
            format!(
                "the server accepts the weak cipher suite {} (0x{suite:04X}) with {}",
                hello::suite_name(suite),
                hello::version_name(version)
            ),
        ),
        Ok(Reply::Hello { suite, .. }) => {
            WEAK.error(target, format!("the server chose 0x{suite:04X}, which was not offered"))
        }
        Ok(Reply::Alert { description, .. }) => WEAK.pass(
            target,
            format!(
                "the server refuses all {offered} weak cipher suites offered: it answered with the alert {}",
                hello::alert_name(description)
            ),
        ),
        Ok(Reply::Closed) => WEAK.pass(
            target,
            format!("the server refuses all {offered} weak cipher suites offered: it closed the connection"),
        ),
        Ok(Reply::Malformed(why)) => WEAK.error(target, format!("the answer to the weak-suite ClientHello: {why}")),
        Err(why) => WEAK.error(target, format!("the weak-suite probe failed: {why}")),
    }
}

/// `1 day`, `N days`.
fn days(n: i64) -> String {
    if n == 1 { "1 day".to_owned() } else { format!("{n} days") }
}

/// The expiry result.
fn expiry(target: &str, info: &CertInfo, opts: &TlsOptions) -> CheckResult {
    let (now, until) = (opts.now, info.not_after);
    if until <= now {
        return EXPIRY.fail_with(
            target,
            Severity::High,
            format!("expired on {}, {} ago", until.date(), days((now - until).whole_days())),
        );
    }
    let left = (until - now).whole_days();
    if info.not_before > now {
        return EXPIRY.fail_with(
            target,
            Severity::Medium,
            format!("not valid before {} (valid until {})", info.not_before.date(), until.date()),
        );
    }
    if left < i64::from(opts.warn_days) {
        return EXPIRY.fail_with(
            target,
            Severity::Medium,
            format!(
                "expires on {}, in {} (warning from {} before)",
                until.date(),
                days(left),
                days(i64::from(opts.warn_days))
            ),
        );
    }
    EXPIRY.pass(target, format!("valid until {}, {} left", until.date(), days(left)))
}

/// The hostname result.
fn hostname(target: &str, info: &CertInfo, name: &str) -> CheckResult {
    if info.covers(name) {
        HOSTNAME.pass(target, format!("the certificate is for {name} (its names: {})", info.names()))
    } else {
        HOSTNAME.fail(target, format!("the certificate is not for {name}; it is for: {}", info.names()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Outcome;
    use time::macros::datetime;

    #[test]
    fn targets() {
        let ok = |t: &str| parse_target(t).ok();
        assert_eq!(ok("portal.example:8443"), Some(("portal.example".into(), 8443)));
        assert_eq!(ok(" portal.example "), Some(("portal.example".into(), 443)));
        assert_eq!(ok("[::1]:8443"), Some(("::1".into(), 8443)));
        assert_eq!(ok("[::1]"), Some(("::1".into(), 443)));
        assert_eq!(ok("::1"), Some(("::1".into(), 443)));
        for bad in ["", ":443", "host:", "host:0", "host:99999", "host:x", "[::1", "[::1]x", "a:b:c", "https://x/"] {
            assert_eq!(ok(bad), None, "{bad}");
        }
        assert_eq!(display("::1", 443), "[::1]:443");
        assert_eq!(display("localhost", 443), "localhost:443");
    }

    fn info(not_before: OffsetDateTime, not_after: OffsetDateTime) -> CertInfo {
        CertInfo { not_before, not_after, dns_names: vec!["localhost".into()], ip_addresses: vec![] }
    }

    #[test]
    fn expiry_messages() {
        let mut opts = TlsOptions::new(datetime!(2025-12-07 12:00 UTC));
        let r = expiry("t:443", &info(datetime!(2024-01-01 0:00 UTC), datetime!(2025-01-01 0:00 UTC)), &opts);
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::High));
        assert_eq!(r.message, "expired on 2025-01-01, 340 days ago");

        let r = expiry("t:443", &info(datetime!(2025-01-01 0:00 UTC), datetime!(2025-12-20 0:00 UTC)), &opts);
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::Medium));
        assert_eq!(r.message, "expires on 2025-12-20, in 12 days (warning from 30 days before)");

        let r = expiry("t:443", &info(datetime!(2025-01-01 0:00 UTC), datetime!(2026-12-07 13:00 UTC)), &opts);
        assert_eq!((r.outcome, r.severity), (Outcome::Pass, Severity::High));
        assert_eq!(r.message, "valid until 2026-12-07, 365 days left");

        opts.warn_days = 400;
        let r = expiry("t:443", &info(datetime!(2025-01-01 0:00 UTC), datetime!(2026-12-07 13:00 UTC)), &opts);
        assert_eq!(r.outcome, Outcome::Fail);

        let r = expiry("t:443", &info(datetime!(2026-01-01 0:00 UTC), datetime!(2027-01-01 0:00 UTC)), &opts);
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::Medium));
        assert!(r.message.starts_with("not valid before 2026-01-01"), "{}", r.message);
    }

    #[test]
    fn judging_probes() {
        let t = "t:443";
        let r = judge_version(&TLS1_0, t, hello::TLS1_0, Ok(Reply::Hello { version: hello::TLS1_0, suite: 0x002F }));
        assert_eq!((r.outcome, r.severity), (Outcome::Fail, Severity::High));
        assert!(r.message.starts_with("the server accepts TLS 1.0"), "{}", r.message);
        let r = judge_version(&TLS1_0, t, hello::TLS1_0, Ok(Reply::Hello { version: 0x0300, suite: 0x0005 }));
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(r.message.contains("SSL 3.0"), "{}", r.message);
        let r = judge_version(&TLS1_1, t, hello::TLS1_1, Ok(Reply::Hello { version: hello::TLS1_0, suite: 0x002F }));
        assert_eq!(r.outcome, Outcome::Pass, "TLS 1.0 is the TLS 1.0 rule's");
        let r = judge_version(&TLS1_0, t, hello::TLS1_0, Ok(Reply::Hello { version: hello::TLS1_2, suite: 0x002F }));
        assert_eq!(r.outcome, Outcome::Pass);
        let r = judge_version(&TLS1_1, t, hello::TLS1_1, Ok(Reply::Alert { level: 2, description: 70 }));
        assert_eq!(r.outcome, Outcome::Pass);
        assert!(r.message.contains("protocol_version (70)"), "{}", r.message);
        assert_eq!(judge_version(&TLS1_1, t, hello::TLS1_1, Ok(Reply::Closed)).outcome, Outcome::Pass);
        assert_eq!(judge_version(&TLS1_1, t, hello::TLS1_1, Ok(Reply::Malformed("x".into()))).outcome, Outcome::Error);
        assert_eq!(judge_version(&TLS1_1, t, hello::TLS1_1, Err("timeout".into())).outcome, Outcome::Error);

        let r = judge_weak(t, Ok(Reply::Hello { version: hello::TLS1_2, suite: 0x000A }));
        assert_eq!(r.outcome, Outcome::Fail);
        assert!(r.message.contains("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), "{}", r.message);
        assert_eq!(judge_weak(t, Ok(Reply::Hello { version: hello::TLS1_2, suite: 0x1301 })).outcome, Outcome::Error);
        assert_eq!(judge_weak(t, Ok(Reply::Alert { level: 2, description: 40 })).outcome, Outcome::Pass);
    }
}
