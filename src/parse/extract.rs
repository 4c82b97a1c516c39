//! Find IPv4 and IPv6 addresses in arbitrary bytes. (stub: being written)
use std::net::IpAddr;

/// One address found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// The address, canonical (`::ffff:a.b.c.d` is returned as the IPv4 address).
    pub ip: IpAddr,
    /// Byte range of the address text itself (without brackets, port or zone).
    pub start: usize,
    pub end: usize,
    /// The port, when written as `a.b.c.d:port` or `[v6]:port`.
    pub port: Option<u16>,
}

/// Call `f` for every address in `text`, left to right.
pub fn scan(text: &[u8], mut f: impl FnMut(Found)) {
    let _ = (text, &mut f);
}

/// Every address in `text`, left to right.
pub fn find_all(text: &[u8]) -> Vec<Found> {
    let mut v = Vec::new();
    scan(text, |x| v.push(x));
    v
}

/// Parse `token` as exactly one address (no surrounding text), e.g. the word after `from`.
pub fn parse_addr(token: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(token).ok()?.parse().ok()
}
