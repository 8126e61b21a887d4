//! What the server is told by its operator: the address people reach it at (for links
//! that leave the page: invitations, calendar feeds) and which reverse proxies may
//! say who the client is.

use std::net::IpAddr;

/// Settings of one server process.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The public address (`https://isms.example`). Links are built from it; without
    /// it, from the request's `Host` header.
    pub public_url: Option<String>,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self { public_url: None, trusted_proxies: TrustedProxies::loopback() }
    }
}

/// Address ranges of trusted reverse proxies (`10.0.0.0/8`, `::1`, `192.0.2.7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A proxy on this host only (the default).
    pub fn loopback() -> Self {
        Self(vec![(IpAddr::from([127, 0, 0, 0]), 8), (IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]), 128)])
    }

    /// Parses a comma-separated list of addresses and CIDR ranges; `none` (or an
    /// empty list) trusts no proxy.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("none") {
                continue;
            }
            let (addr, bits) = match part.split_once('/') {
                Some((a, b)) => (a, Some(b)),
                None => (part, None),
            };
            let ip: IpAddr = addr.parse().map_err(|_| format!("{part:?} is not an IP address or a CIDR range"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = match bits {
                Some(b) => b
                    .parse::<u8>()
                    .ok()
                    .filter(|b| *b <= max)
                    .ok_or_else(|| format!("{part:?}: the prefix length must be 0 to {max}"))?,
                None => max,
            };
            ranges.push((ip, bits));
        }
        Ok(Self(ranges))
    }

    /// Whether `ip` is one of the trusted proxies.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|(net, bits)| match (canonical(*net), ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => prefix_matches(&n.octets(), &a.octets(), *bits),
            (IpAddr::V6(n), IpAddr::V6(a)) => prefix_matches(&n.octets(), &a.octets(), *bits),
            _ => false,
        })
    }

    /// The client behind a request from `peer` carrying these `X-Forwarded-For`
    /// lines: walking from the right (the hop nearest us), the first address that is
    /// not a trusted proxy. Only trusted proxies are believed; a hop that is not an
    /// address ends the walk at the last trusted one.
    pub fn client(&self, peer: IpAddr, forwarded: &[&str]) -> IpAddr {
        let mut client = peer;
        if !self.contains(peer) {
            return client;
        }
        let hops = forwarded.iter().flat_map(|line| line.split(',')).map(str::trim).collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else { return client };
            client = ip;
            if !self.contains(ip) {
                return ip;
            }
        }
        client
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    // `192.0.2.1:4711` and `[2001:db8::1]:4711`
    hop.parse::<std::net::SocketAddr>().ok().map(|s| canonical(s.ip()))
}

fn prefix_matches(net: &[u8], addr: &[u8], bits: u8) -> bool {
    let (whole, rest) = (usize::from(bits / 8), bits % 8);
    if net[..whole] != addr[..whole] {
        return false;
    }
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        net[whole] & mask == addr[whole] & mask
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ranges_match_by_prefix() {
        let t = TrustedProxies::parse("10.0.0.0/8, 192.0.2.7, 2001:db8::/32").unwrap();
        assert!(t.contains(ip("10.1.2.3")));
        assert!(!t.contains(ip("11.0.0.1")));
        assert!(t.contains(ip("192.0.2.7")));
        assert!(!t.contains(ip("192.0.2.8")));
        assert!(t.contains(ip("2001:db8::5")));
        assert!(t.contains(ip("::ffff:10.0.0.1")), "IPv4-mapped addresses are IPv4");
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.example").is_err());
        assert_eq!(TrustedProxies::parse("none").unwrap(), TrustedProxies(vec![]));
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop_across_every_line() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let lb = ip("127.0.0.1");
        // What the client wrote itself (the left part) is never believed.
        assert_eq!(t.client(lb, &["6.6.6.6, 203.0.113.9, 10.0.0.2"]), ip("203.0.113.9"));
        assert_eq!(t.client(lb, &["6.6.6.6", "203.0.113.9", "10.0.0.2"]), ip("203.0.113.9"), "several lines");
        assert_eq!(t.client(lb, &[]), lb, "no header: the proxy itself");
        assert_eq!(t.client(ip("198.51.100.1"), &["6.6.6.6"]), ip("198.51.100.1"), "untrusted peers say nothing");
        assert_eq!(t.client(lb, &["6.6.6.6, junk, 10.0.0.2"]), ip("10.0.0.2"), "the walk ends at a non-address");
        assert_eq!(t.client(lb, &["[2001:db8::1]:4711"]), ip("2001:db8::1"));
    }
}
