//! What the checks read from the server's leaf certificate: its validity period and
//! the names it is for.
//!
//! The certificate is parsed with `x509-parser` (of the Rusticata project) rather than
//! a DER reader of our own: the certificate comes from a server that may be hostile,
//! and x509-parser is maintained, fuzzed continuously (OSS-Fuzz), and bounds every
//! length by its input without `unsafe`, while it reads both time forms (UTCTime
//! and GeneralizedTime) and the subjectAltName extension, which a small reader would
//! have to get right as well. Its `time` types are the ones the workspace uses.

use std::net::IpAddr;

use time::OffsetDateTime;
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::FromDer;

/// What the checks need of a certificate.
#[derive(Debug, Clone)]
pub(crate) struct CertInfo {
    /// Start of validity.
    pub not_before: OffsetDateTime,
    /// End of validity.
    pub not_after: OffsetDateTime,
    /// The DNS names of its subjectAltName, lower case.
    pub dns_names: Vec<String>,
    /// The IP addresses of its subjectAltName.
    pub ip_addresses: Vec<IpAddr>,
}

/// Reads a DER certificate.
pub(crate) fn inspect(der: &[u8]) -> Result<CertInfo, String> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der)
        .map_err(|e| format!("the certificate cannot be read: {e}"))?;
    let validity = cert.validity();
    let mut dns_names = Vec::new();
    let mut ip_addresses = Vec::new();
    let san = cert.subject_alternative_name().map_err(|e| format!("the subjectAltName cannot be read: {e}"))?;
    for name in san.iter().flat_map(|san| san.value.general_names.iter()) {
        match name {
            GeneralName::DNSName(n) => dns_names.push(n.to_ascii_lowercase()),
            GeneralName::IPAddress(bytes) => {
                if let Ok(v4) = <[u8; 4]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(v4));
                } else if let Ok(v6) = <[u8; 16]>::try_from(*bytes) {
                    ip_addresses.push(IpAddr::from(v6));
                }
            }
            _ => {}
        }
    }
    Ok(CertInfo {
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        dns_names,
        ip_addresses,
    })
}

impl CertInfo {
    /// Whether the certificate is for `name`: an IP address among its IP addresses, a
    /// host name among its DNS names, a wildcard standing for exactly one label.
    pub fn covers(&self, name: &str) -> bool {
        if let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return self.ip_addresses.contains(&ip);
        }
        self.dns_names.iter().any(|pattern| dns_matches(pattern, name))
    }

    /// The names it is for, for a message.
    pub fn names(&self) -> String {
        let all: Vec<String> =
            self.dns_names.iter().cloned().chain(self.ip_addresses.iter().map(ToString::to_string)).collect();
        if all.is_empty() { "no subjectAltName names".to_owned() } else { all.join(", ") }
    }
}

/// Whether a subjectAltName DNS name matches a host name (RFC 6125 §6.4): compared
/// without case and a trailing dot; a `*` allowed only as the whole leftmost label,
/// standing for exactly one non-empty label, and not directly above a top-level domain.
pub(crate) fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.strip_prefix("*.") {
        Some(parent) => {
            if parent.contains('*') || !parent.contains('.') {
                return false;
            }
            match host.split_once('.') {
                Some((first, rest)) => !first.is_empty() && rest == parent,
                None => false,
            }
        }
        None => !pattern.contains('*') && pattern == host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(dns_matches("portal.example", "portal.example"));
        assert!(dns_matches("PORTAL.example.", "portal.EXAMPLE"));
        assert!(dns_matches("*.example.com", "a.example.com"));
        assert!(!dns_matches("*.example.com", "example.com"));
        assert!(!dns_matches("*.example.com", "a.b.example.com"));
        assert!(!dns_matches("*.example.com", ".example.com"));
        assert!(!dns_matches("*.com", "example.com"));
        assert!(!dns_matches("f*.example.com", "foo.example.com"));
        assert!(!dns_matches("*.*.example.com", "a.b.example.com"));
        assert!(!dns_matches("", ""));
        assert!(!dns_matches("other.example", "portal.example"));
    }

    #[test]
    fn ip_addresses_match_ip_names() {
        let info = CertInfo {
            not_before: OffsetDateTime::UNIX_EPOCH,
            not_after: OffsetDateTime::UNIX_EPOCH,
            dns_names: vec!["127.0.0.1".into()],
            ip_addresses: vec!["::1".parse().unwrap_or(IpAddr::from([0u8; 16]))],
        };
        assert!(info.covers("::1"));
        assert!(info.covers("[::1]"));
        assert!(!info.covers("127.0.0.1"), "an IP address in a DNS name does not count");
        assert_eq!(info.names(), "127.0.0.1, ::1");
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(inspect(b"not a certificate").is_err());
        assert!(inspect(&[0x30, 0x82, 0xFF, 0xFF, 0x30]).is_err());
        assert!(inspect(&[]).is_err());
    }
}
