//! The legacy probes' wire format: a minimal ClientHello built by hand, and a parser of
//! the first thing a server answers (a ServerHello, an alert, or something else).
//!
//! rustls cannot speak TLS 1.0 or 1.1 nor offer weak cipher suites, so these probes
//! write the ClientHello record themselves (RFC 2246 §7.4.1.2, RFC 5246 §7.4.1.2) and
//! read only as far as the ServerHello's version and cipher suite. The handshake is
//! never completed, so nothing secret depends on the client random, which is fixed.
//!
//! The reply comes from a server that may be hostile: the parser reads at most the
//! bytes it is given, checks every length against them, and never panics.

/// TLS 1.0's version number.
pub(crate) const TLS1_0: u16 = 0x0301;
/// TLS 1.1's version number.
pub(crate) const TLS1_1: u16 = 0x0302;
/// TLS 1.2's version number.
pub(crate) const TLS1_2: u16 = 0x0303;

/// The largest record payload a server may send (2^14 plus expansion, RFC 5246 §6.2.3).
const MAX_RECORD: usize = 16384 + 2048;

/// The client random. Fixed: the probe never completes a handshake.
const CLIENT_RANDOM: [u8; 32] = *b"isms-collect tls probe, fixed.\0\0";

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746), sent like browsers of the era did.
const RENEGOTIATION_SCSV: u16 = 0x00FF;

/// Cipher suites a TLS 1.0/1.1 client of the time offered (IANA codes): what a
/// server that still speaks those versions will find something to pick from.
pub(crate) const LEGACY_SUITES: &[u16] = &[
    0xC014, // TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
    0xC013, // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
    0xC00A, // TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
    0xC009, // TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
    0x0039, // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
    0x0033, // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    0x0035, // TLS_RSA_WITH_AES_256_CBC_SHA
    0x002F, // TLS_RSA_WITH_AES_128_CBC_SHA
    0xC012, // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
    0x0016, // TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA
    0x000A, // TLS_RSA_WITH_3DES_EDE_CBC_SHA
    0xC011, // TLS_ECDHE_RSA_WITH_RC4_128_SHA
    0xC007, // TLS_ECDHE_ECDSA_WITH_RC4_128_SHA
    0x0005, // TLS_RSA_WITH_RC4_128_SHA
    0x0004, // TLS_RSA_WITH_RC4_128_MD5
];

/// Weak cipher suites (IANA codes): RC4, single DES and 3DES, NULL encryption, EXPORT
/// grade, and anonymous (unauthenticated) Diffie-Hellman.
pub(crate) const WEAK_SUITES: &[u16] = &[
    // RC4
    0x0004, 0x0005, 0xC007, 0xC011, 0xC002, 0xC00C, 0x0018, 0xC016, //
    // 3DES and DES
    0x000A, 0x0013, 0x0016, 0xC008, 0xC012, 0xC003, 0xC00D, 0x001B, 0xC017, 0x0009, 0x0012, 0x0015, 0x001A,
    // NULL encryption
    0x0001, 0x0002, 0x003B, 0xC001, 0xC006, 0xC00B, 0xC010, 0xC015, //
    // EXPORT
    0x0003, 0x0006, 0x0008, 0x000B, 0x000E, 0x0011, 0x0014, 0x0017, 0x0019, //
    // anonymous Diffie-Hellman
    0x0034, 0x003A, 0x006C, 0x006D, 0x00A6, 0x00A7, 0xC018, 0xC019, 0x0046, 0x0089, 0x009B, 0x00BF, 0x00C5,
];

/// The IANA names of the suites the probes offer.
const SUITE_NAMES: &[(u16, &str)] = &[
    (0x0001, "TLS_RSA_WITH_NULL_MD5"),
    (0x0002, "TLS_RSA_WITH_NULL_SHA"),
    (0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"),
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA"),
    (0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5"),
    (0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0009, "TLS_RSA_WITH_DES_CBC_SHA"),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x000B, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA"),
    (0x000E, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA"),
    (0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA"),
    (0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA"),
    (0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA"),
    (0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5"),
    (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"),
    (0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA"),
    (0x001A, "TLS_DH_anon_WITH_DES_CBC_SHA"),
    (0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    (0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    (0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    (0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    (0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"),
    (0x003B, "TLS_RSA_WITH_NULL_SHA256"),
    (0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA"),
    (0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"),
    (0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"),
    (0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA"),
    (0x009B, "TLS_DH_anon_WITH_SEED_CBC_SHA"),
    (0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"),
    (0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"),
    (0x00BF, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA256"),
    (0x00C5, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA256"),
    (0xC001, "TLS_ECDH_ECDSA_WITH_NULL_SHA"),
    (0xC002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA"),
    (0xC003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA"),
    (0xC007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA"),
    (0xC008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    (0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    (0xC00B, "TLS_ECDH_RSA_WITH_NULL_SHA"),
    (0xC00C, "TLS_ECDH_RSA_WITH_RC4_128_SHA"),
    (0xC00D, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC010, "TLS_ECDHE_RSA_WITH_NULL_SHA"),
    (0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"),
    (0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"),
    (0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    (0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    (0xC015, "TLS_ECDH_anon_WITH_NULL_SHA"),
    (0xC016, "TLS_ECDH_anon_WITH_RC4_128_SHA"),
    (0xC017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA"),
    (0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"),
    (0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"),
];

/// A cipher suite's IANA name, or its code in hex when the probes do not know it.
pub(crate) fn suite_name(code: u16) -> String {
    SUITE_NAMES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| format!("cipher suite 0x{code:04X}"), |(_, name)| (*name).to_owned())
}

/// A protocol version's name.
pub(crate) fn version_name(v: u16) -> String {
    match v {
        0x0002 => "SSL 2.0".to_owned(),
        0x0300 => "SSL 3.0".to_owned(),
        TLS1_0 => "TLS 1.0".to_owned(),
        TLS1_1 => "TLS 1.1".to_owned(),
        TLS1_2 => "TLS 1.2".to_owned(),
        0x0304 => "TLS 1.3".to_owned(),
        _ => format!("version 0x{v:04X}"),
    }
}

/// An alert description's name (RFC 8446 §6).
pub(crate) fn alert_name(d: u8) -> String {
    let name = match d {
        0 => "close_notify",
        10 => "unexpected_message",
        20 => "bad_record_mac",
        22 => "record_overflow",
        40 => "handshake_failure",
        42 => "bad_certificate",
        47 => "illegal_parameter",
        50 => "decode_error",
        51 => "decrypt_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        90 => "user_canceled",
        109 => "missing_extension",
        110 => "unsupported_extension",
        112 => "unrecognized_name",
        _ => return format!("alert {d}"),
    };
    format!("{name} ({d})")
}

/// Whether a server name can go into SNI: a DNS name, not an IP address literal.
fn sni_name(name: &str) -> Option<&str> {
    let name = name.trim_end_matches('.');
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.parse::<std::net::IpAddr>().is_err()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    ok.then_some(name)
}

/// Appends a big-endian u16.
fn put_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

/// A length as u16. The probe's lengths are all small; a larger one is cut (and can't
/// happen with the fixed lists and the 253-byte name limit).
fn len16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// Appends an extension.
fn put_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    put_u16(out, kind);
    put_u16(out, len16(body.len()));
    out.extend_from_slice(body);
}

/// A ClientHello record offering `version` and `suites`, with SNI for `server_name`
/// when it is a DNS name. It also offers the elliptic curves and point format the
/// ECDHE suites need, and for TLS 1.2 the signature algorithms.
pub(crate) fn client_hello(version: u16, suites: &[u16], server_name: Option<&str>) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = server_name.and_then(sni_name) {
        // server_name (0): a list holding one host_name (0).
        let mut list = Vec::new();
        list.push(0u8);
        put_u16(&mut list, len16(name.len()));
        list.extend_from_slice(name.as_bytes());
        let mut body = Vec::new();
        put_u16(&mut body, len16(list.len()));
        body.extend_from_slice(&list);
        put_extension(&mut extensions, 0x0000, &body);
    }
    // supported_groups (10): x25519, secp256r1, secp384r1.
    put_extension(&mut extensions, 0x000A, &[0, 6, 0, 29, 0, 23, 0, 24]);
    // ec_point_formats (11): uncompressed.
    put_extension(&mut extensions, 0x000B, &[1, 0]);
    if version >= TLS1_2 {
        // signature_algorithms (13): rsa_pkcs1_sha256, ecdsa_secp256r1_sha256,
        // rsa_pkcs1_sha1, ecdsa_sha1, rsa_pss_rsae_sha256.
        put_extension(&mut extensions, 0x000D, &[0, 10, 4, 1, 4, 3, 2, 1, 2, 3, 8, 4]);
    }

    let mut body = Vec::new();
    put_u16(&mut body, version);
    body.extend_from_slice(&CLIENT_RANDOM);
    body.push(0); // no session id
    put_u16(&mut body, len16((suites.len() + 1) * 2));
    for s in suites {
        put_u16(&mut body, *s);
    }
    put_u16(&mut body, RENEGOTIATION_SCSV);
    body.extend_from_slice(&[1, 0]); // compression methods: null only
    put_u16(&mut body, len16(extensions.len()));
    body.extend_from_slice(&extensions);

    let mut handshake = Vec::with_capacity(body.len() + 4);
    handshake.push(1); // client_hello
    let len = u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes();
    handshake.extend_from_slice(&len[1..]);
    handshake.extend_from_slice(&body);

    let mut record = Vec::with_capacity(handshake.len() + 5);
    record.push(22); // handshake
    // The record version: TLS 1.0 whatever is offered, as clients do for servers that
    // choke on a higher one in the record layer.
    put_u16(&mut record, TLS1_0);
    put_u16(&mut record, len16(handshake.len()));
    record.extend_from_slice(&handshake);
    record
}

/// What a server answered a probe's ClientHello with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// A ServerHello choosing this version and cipher suite.
    Hello {
        /// The version chosen.
        version: u16,
        /// The cipher suite chosen.
        suite: u16,
    },
    /// An alert.
    Alert {
        /// Its level (1 warning, 2 fatal).
        level: u8,
        /// Its description.
        description: u8,
    },
    /// The connection was closed (or reset) before anything was sent.
    Closed,
    /// Something that is not a TLS reply, or is cut short: why.
    Malformed(String),
}

/// Parses the start of a server's reply. `None`: the bytes so far end before the
/// answer can be told, read more. Garbage is [`Reply::Malformed`], never a panic.
pub(crate) fn parse_reply(buf: &[u8]) -> Option<Reply> {
    let mut handshake = Vec::new();
    let mut pos = 0;
    loop {
        let header = buf.get(pos..pos + 5)?;
        let (kind, major, len) = (header[0], header[1], usize::from(u16::from_be_bytes([header[3], header[4]])));
        if major != 3 || !matches!(kind, 20..=24) {
            return Some(Reply::Malformed(format!("the reply is not a TLS record (it starts {})", show(buf))));
        }
        if len == 0 || len > MAX_RECORD {
            return Some(Reply::Malformed(format!("a TLS record of {len} bytes")));
        }
        let end = pos + 5 + len;
        match kind {
            21 if len != 2 => return Some(Reply::Malformed(format!("an alert record of {len} bytes"))),
            21 => {
                let (level, description) = (*buf.get(pos + 5)?, *buf.get(pos + 6)?);
                return Some(Reply::Alert { level, description });
            }
            22 => {
                // The ServerHello comes first, so a record need not be whole to read it.
                let have = end.min(buf.len());
                handshake.extend_from_slice(buf.get(pos + 5..have)?);
                if let Some(reply) = parse_server_hello(&handshake) {
                    return Some(reply);
                }
                if have < end {
                    return None;
                }
            }
            other => return Some(Reply::Malformed(format!("a TLS record of type {other} before the ServerHello"))),
        }
        pos = end;
    }
}

/// Parses the start of the handshake messages: `None` while too short.
fn parse_server_hello(hs: &[u8]) -> Option<Reply> {
    let header = hs.get(..4)?;
    if header[0] != 2 {
        return Some(Reply::Malformed(format!("handshake message of type {} instead of a ServerHello", header[0])));
    }
    let len = usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
    // version (2), random (32), session id length (1), then the id and the suite (2).
    if len < 2 + 32 + 1 + 2 {
        return Some(Reply::Malformed(format!("a ServerHello of {len} bytes")));
    }
    let body = &hs[4..];
    let id_len = usize::from(*body.get(34)?);
    if id_len > 32 || len < 2 + 32 + 1 + id_len + 2 {
        return Some(Reply::Malformed(format!("a ServerHello with a session id of {id_len} bytes")));
    }
    let version = u16::from_be_bytes([*body.first()?, *body.get(1)?]);
    let suite = u16::from_be_bytes([*body.get(35 + id_len)?, *body.get(36 + id_len)?]);
    Some(Reply::Hello { version, suite })
}

/// The first bytes of a reply in hex, or as text when they are printable.
fn show(buf: &[u8]) -> String {
    let head = &buf[..buf.len().min(16)];
    if head.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?}", String::from_utf8_lossy(head))
    } else {
        head.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn u16_at(b: &[u8], i: usize) -> u16 {
        u16::from_be_bytes([b[i], b[i + 1]])
    }

    /// The extensions of a ClientHello record, as (type, body).
    fn extensions(rec: &[u8]) -> Vec<(u16, Vec<u8>)> {
        let body = &rec[9..];
        let suites_len = usize::from(u16_at(body, 35));
        let mut i = 35 + 2 + suites_len;
        assert_eq!(&body[i..i + 2], &[1, 0], "compression methods");
        i += 2;
        let ext_len = usize::from(u16_at(body, i));
        i += 2;
        assert_eq!(i + ext_len, body.len(), "extensions fill the rest");
        let mut out = Vec::new();
        while i < body.len() {
            let kind = u16_at(body, i);
            let len = usize::from(u16_at(body, i + 2));
            out.push((kind, body[i + 4..i + 4 + len].to_vec()));
            i += 4 + len;
        }
        assert_eq!(i, body.len());
        out
    }

    #[test]
    fn client_hello_structure() {
        let rec = client_hello(TLS1_0, LEGACY_SUITES, Some("portal.example"));
        // Record header: handshake, version 3.1, length of the rest.
        assert_eq!(rec[0], 22);
        assert_eq!(u16_at(&rec, 1), 0x0301);
        assert_eq!(usize::from(u16_at(&rec, 3)), rec.len() - 5);
        // Handshake header: client_hello, 24-bit length of the rest.
        assert_eq!(rec[5], 1);
        let hs_len = usize::from(rec[6]) << 16 | usize::from(rec[7]) << 8 | usize::from(rec[8]);
        assert_eq!(hs_len, rec.len() - 9);
        let body = &rec[9..];
        assert_eq!(u16_at(body, 0), TLS1_0, "client_version");
        assert_eq!(&body[2..34], &CLIENT_RANDOM);
        assert_eq!(body[34], 0, "no session id");
        let suites_len = usize::from(u16_at(body, 35));
        assert_eq!(suites_len, (LEGACY_SUITES.len() + 1) * 2);
        let suites: Vec<u16> = (0..suites_len / 2).map(|k| u16_at(body, 37 + 2 * k)).collect();
        assert_eq!(&suites[..LEGACY_SUITES.len()], LEGACY_SUITES);
        assert_eq!(suites.last(), Some(&RENEGOTIATION_SCSV));

        let ext = extensions(&rec);
        let kinds: Vec<u16> = ext.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [0x0000, 0x000A, 0x000B], "no signature_algorithms before TLS 1.2");
        let sni = &ext[0].1;
        assert_eq!(usize::from(u16_at(sni, 0)), sni.len() - 2);
        assert_eq!(sni[2], 0, "host_name");
        assert_eq!(usize::from(u16_at(sni, 3)), "portal.example".len());
        assert_eq!(&sni[5..], b"portal.example");
    }

    #[test]
    fn client_hello_versions_and_names() {
        let rec = client_hello(TLS1_1, LEGACY_SUITES, Some("localhost."));
        assert_eq!(u16_at(&rec, 9), TLS1_1);
        assert_eq!(&extensions(&rec)[0].1[5..], b"localhost");

        let rec = client_hello(TLS1_2, WEAK_SUITES, Some("127.0.0.1"));
        assert_eq!(u16_at(&rec, 9), TLS1_2);
        let kinds: Vec<u16> = extensions(&rec).iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds, [0x000A, 0x000B, 0x000D], "no SNI for an IP address, signature_algorithms for 1.2");

        let rec = client_hello(TLS1_2, WEAK_SUITES, Some("bad name\0"));
        assert!(extensions(&rec).iter().all(|(k, _)| *k != 0), "no SNI for a name that is not a DNS name");
        let rec = client_hello(TLS1_2, WEAK_SUITES, Some(&"a".repeat(300)));
        assert!(extensions(&rec).iter().all(|(k, _)| *k != 0));
    }

    #[test]
    fn suite_lists() {
        for s in WEAK_SUITES.iter().chain(LEGACY_SUITES) {
            assert!(!suite_name(*s).starts_with("cipher suite"), "{s:04x} has a name");
        }
        let mut weak = WEAK_SUITES.to_vec();
        weak.sort_unstable();
        weak.dedup();
        assert_eq!(weak.len(), WEAK_SUITES.len(), "no suite twice");
        for name in WEAK_SUITES.iter().map(|s| suite_name(*s)) {
            assert!(
                ["RC4", "DES", "NULL", "EXPORT", "anon"].iter().any(|w| name.contains(w)),
                "{name} is not a weak suite"
            );
        }
        assert_eq!(suite_name(0x1301), "cipher suite 0x1301");
    }

    /// A ServerHello record choosing `version` and `suite`, with a session id.
    fn server_hello(version: u16, suite: u16, session_id: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&version.to_be_bytes());
        body.extend_from_slice(&[7; 32]);
        body.push(u8::try_from(session_id.len()).unwrap());
        body.extend_from_slice(session_id);
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0);
        let mut hs = vec![2, 0];
        hs.extend_from_slice(&u16::try_from(body.len()).unwrap().to_be_bytes());
        hs.extend_from_slice(&body);
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&u16::try_from(hs.len()).unwrap().to_be_bytes());
        rec.extend_from_slice(&hs);
        rec
    }

    #[test]
    fn parses_server_hello() {
        let rec = server_hello(TLS1_0, 0x002F, &[9; 32]);
        assert_eq!(parse_reply(&rec), Some(Reply::Hello { version: TLS1_0, suite: 0x002F }));
        // Followed by more records (the certificate …): still the same answer.
        let mut more = rec.clone();
        more.extend_from_slice(&[22, 3, 1, 0, 4, 11, 0, 0, 0]);
        assert_eq!(parse_reply(&more), Some(Reply::Hello { version: TLS1_0, suite: 0x002F }));
        // A prefix asks for more until it holds the cipher suite.
        let through_suite = 5 + 4 + 2 + 32 + 1 + 32 + 2;
        for n in 0..rec.len() {
            let want = (n >= through_suite).then_some(Reply::Hello { version: TLS1_0, suite: 0x002F });
            assert_eq!(parse_reply(&rec[..n]), want, "prefix of {n} bytes");
        }
    }

    #[test]
    fn parses_fragmented_server_hello() {
        let rec = server_hello(TLS1_2, 0xC012, &[]);
        let hs = &rec[5..];
        let mut split = Vec::new();
        for part in [&hs[..3], &hs[3..20], &hs[20..]] {
            split.extend_from_slice(&[22, 3, 3]);
            split.extend_from_slice(&u16::try_from(part.len()).unwrap().to_be_bytes());
            split.extend_from_slice(part);
        }
        assert_eq!(parse_reply(&split), Some(Reply::Hello { version: TLS1_2, suite: 0xC012 }));
    }

    #[test]
    fn parses_alerts() {
        assert_eq!(parse_reply(&[21, 3, 1, 0, 2, 2, 70]), Some(Reply::Alert { level: 2, description: 70 }));
        assert_eq!(parse_reply(&[21, 3, 3, 0, 2, 2]), None);
        assert!(matches!(parse_reply(&[21, 3, 3, 0, 3, 2, 40, 0]), Some(Reply::Malformed(_))));
        assert_eq!(alert_name(70), "protocol_version (70)");
        assert_eq!(alert_name(200), "alert 200");
    }

    #[test]
    fn garbage_is_malformed_never_a_panic() {
        let http = b"HTTP/1.1 400 Bad Request\r\n\r\n";
        match parse_reply(http) {
            Some(Reply::Malformed(m)) => assert!(m.contains("HTTP/1.1"), "{m}"),
            other => panic!("{other:?}"),
        }
        for bad in [
            &[22, 3, 1, 0, 0][..],               // empty record
            &[22, 3, 1, 0xFF, 0xFF],             // oversized record
            &[22, 3, 1, 0, 4, 1, 0, 0, 0],       // a ClientHello back
            &[22, 3, 1, 0, 6, 2, 0, 0, 2, 3, 1], // a ServerHello too short
            &[23, 3, 3, 0, 1, 0],                // application data first
            &[22, 2, 0, 0, 1, 0],                // not version 3
        ] {
            assert!(matches!(parse_reply(bad), Some(Reply::Malformed(_))), "{bad:?}");
        }
        // Session id longer than 32 bytes.
        let mut rec = server_hello(TLS1_0, 0x002F, &[1; 32]);
        rec[5 + 4 + 34] = 33;
        assert!(matches!(parse_reply(&rec), Some(Reply::Malformed(_))));
        // Arbitrary bytes: every byte string of a pseudo-random stream, at every length.
        let mut x: u32 = 0x1234_5678;
        let mut junk = Vec::new();
        for _ in 0..4096 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            junk.push(x.to_be_bytes()[0]);
        }
        for start in [0usize, 1, 2] {
            let mut j = junk.clone();
            j[start] = 22;
            j[start + 1] = 3;
            for n in 0..j.len() {
                let _ = parse_reply(&j[..n]);
            }
        }
    }

    #[test]
    fn names() {
        assert_eq!(version_name(TLS1_0), "TLS 1.0");
        assert_eq!(version_name(0x0300), "SSL 3.0");
        assert_eq!(version_name(0x7f00), "version 0x7F00");
    }
}
