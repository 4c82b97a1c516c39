//! Find IPv4 and IPv6 addresses in arbitrary bytes.
//!
//! The scanner runs over every byte of large logs, so it is built around `memchr`: it jumps
//! from one `.` or `:` to the next, grows the run of address characters (hex digits, `.`, `:`)
//! around it into a *token*, and decides about the whole token at once. A token yields at most
//! one address, so nothing is ever found *inside* a longer dotted or hex token. No allocation.
//!
//! ```
//! use logmap::parse::extract::find_all;
//! let line = b"Received disconnect from 203.0.113.9 port 4444:11: Bye [preauth]";
//! let found = find_all(line);
//! assert_eq!(found.len(), 1);
//! assert_eq!(found[0].ip.to_string(), "203.0.113.9");
//! assert_eq!(&line[found[0].start..found[0].end], b"203.0.113.9");
//! ```
//!
//! # What counts as an address (decisions)
//!
//! Accepted forms:
//! - IPv4 dotted quad `a.b.c.d`, each octet `0`–`255` written without leading zeros.
//! - IPv6 in every RFC 4291 text form: full, `::` compressed anywhere, hextets with leading
//!   zeros, any case, an embedded IPv4 tail (`64:ff9b::1.2.3.4`, `::ffff:1.2.3.4`,
//!   `::1.2.3.4`).
//! - `[v6]`, `[v6]:port`, `[a.b.c.d]:port`, `a.b.c.d:port`, and `::ffff:a.b.c.d:port` (a
//!   dotted quad always ends an IPv6 address); a zone index `fe80::1%eth0` is
//!   accepted and dropped (it is not part of [`Found::start`]`..`[`Found::end`]).
//! - Output is canonical: [`Ipv6Addr`]'s `Display` is RFC 5952, and an IPv4-mapped address
//!   (`::ffff:a.b.c.d`) is reported as the IPv4 address. Other embedded forms stay IPv6.
//!
//! Rejected, on purpose:
//! - IPv4 octets with leading zeros (`01.2.3.4`, `1.2.3.010`): ambiguous (octal for
//!   `inet_aton`), so not an address at all. Octets above 255 likewise.
//! - Anything inside a longer token: `1.2.3.4.5`, `.1.2.3.4` (a single dot directly before),
//!   `5.36.59.76.dynamic-dsl-ip.example`, `1.2.3.4a`, `v1.2.3.4`, `x1.2.3.4`.
//! - A letter, digit or `_` directly before or after (the token is part of a word).
//! - `-` is a separator between an address and a digit or punctuation (`10.0.0.1-10.0.0.255`
//!   gives both), but it glues the address to a *letter* on its other side: `1.2.3.4-beta`,
//!   `linux-image-5.15.0.91-generic`, `host-1.2.3.4` are not addresses.
//! - `/` directly after a letter or digit glues too: `Chrome/120.0.0.0` in user agents is a
//!   version, not an address. `http://1.2.3.4/`, `GET /1.2.3.4`, `10.0.0.0/8` still match.
//! - IPv6 in free text needs at least one decimal digit: this rejects the unspecified `::`
//!   (e.g. `listening on :: port 22`), `a::b`, `dead::beef` and C++/Rust paths. Explicit
//!   `::0` is accepted.
//! - Eight groups of exactly two hex digits without `::` (`52:54:00:7c:d8:0f:fe:54`) are a
//!   hardware address (MAC, EUI-64, the kernel's `MAC=` field), not IPv6; six-group MACs and
//!   longer `MAC=` fields are never valid IPv6 anyway.
//! - A word glued before an IPv6 address (`src:2001:db8::1`) rejects it: the text is
//!   ambiguous (`c:2001:db8::1` is itself valid IPv6).
//! - An unbracketed `v6:port` cannot be told apart from a longer address; `fe80::1:22` is the
//!   address `fe80::1:22`.
//!
//! Separators that still match: whitespace, quotes, brackets and parentheses, `=`, `,`, `;`,
//! `@`, `#`, `%` (for IPv4), any non-ASCII byte (so invalid UTF-8 and CJK text around an
//! address are fine), and:
//! - a trailing dot (`from 1.2.3.4.`), unless a word character follows: `1.2.3.4.example`
//!   is a hostname label;
//! - an ellipsis, two or more dots, on either side: `1.2.3.4...and`, `wait...1.2.3.4`;
//! - a trailing `:` (`connect to 1.2.3.4:80: refused`, `fe80::1: error`);
//! - a `key:` before an IPv4 address (`addr:10.0.0.1`, `src:1.2.3.4`): the part before the
//!   colon must be empty, glued to a word, or contain a letter; digits only (`12:1.2.3.4`,
//!   sshd's `port 4444:11:`) rejects the token, and so does Gecko's `rv:1.8.1.4` in user
//!   agents.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use memchr::{Memchr2, memchr2_iter};

/// One address found in a text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// The address, canonical (`::ffff:a.b.c.d` is returned as the IPv4 address).
    pub ip: IpAddr,
    /// Byte range of the address text itself (without brackets, port or zone): start…
    pub start: usize,
    /// …and end (exclusive).
    pub end: usize,
    /// The port, when written as `a.b.c.d:port`, `[a.b.c.d]:port`, `[v6]:port` or
    /// `v6-ending-in-a.b.c.d:port`.
    pub port: Option<u16>,
}

/// Call `f` for every address in `text`, left to right.
pub fn scan(text: &[u8], mut f: impl FnMut(Found)) {
    for found in addresses(text) {
        f(found);
    }
}

/// Every address in `text`, left to right.
pub fn find_all(text: &[u8]) -> Vec<Found> {
    addresses(text).collect()
}

/// The first address in `text`, if any (stops scanning there).
pub fn first(text: &[u8]) -> Option<Found> {
    addresses(text).next()
}

/// A lazy iterator over the addresses in `text`, left to right.
pub fn addresses(text: &[u8]) -> Addresses<'_> {
    Addresses {
        text,
        anchors: memchr2_iter(b'.', b':', text),
        base: 0,
        pos: 0,
    }
}

/// Iterator returned by [`addresses`].
#[derive(Debug)]
pub struct Addresses<'a> {
    text: &'a [u8],
    /// Every `.` and `:` in the text: an address contains at least one.
    anchors: Memchr2<'a>,
    /// Offset of the text `anchors` searches in.
    base: usize,
    /// Everything before `pos` has been decided.
    pos: usize,
}

impl Iterator for Addresses<'_> {
    type Item = Found;

    fn next(&mut self) -> Option<Found> {
        let text = self.text;
        while let Some(a) = self.anchors.next() {
            let a = a + self.base;
            if a < self.pos {
                continue;
            }
            if !in_token(text, a) {
                continue;
            }
            let mut s = a;
            while s > self.pos && in_token(text, s - 1) {
                s -= 1;
            }
            let mut e = a + 1;
            while e < text.len() && in_token(text, e) {
                e += 1;
            }
            let (found, resume) = match token(text, s, e) {
                Some((found, resume)) => (Some(found), resume),
                None => (None, e),
            };
            self.pos = resume;
            if resume - a > 64 {
                // Do not walk through every `.`/`:` of a long token: restart the search.
                self.anchors = memchr2_iter(b'.', b':', &text[resume..]);
                self.base = resume;
            }
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// Parse `token` as exactly one address (no surrounding text), e.g. the word after `from`.
///
/// Strict (same octet rules as the scanner) and canonical (IPv4-mapped IPv6 becomes IPv4).
/// Also accepts `[addr]` and a zone index (`fe80::1%eth0`, dropped). Unlike the scanner it
/// accepts any syntactically valid address, including `::` and `a::b`: the caller has
/// already decided that the token is an address.
pub fn parse_addr(token: &[u8]) -> Option<IpAddr> {
    let t = match token {
        [b'[', inner @ .., b']'] => inner,
        t => t,
    };
    if t.contains(&b':') {
        let t = match memchr::memchr(b'%', t) {
            Some(p) => {
                let zone = &t[p + 1..];
                if zone.is_empty() || zone.iter().any(|&b| class(b) & ZONE == 0) {
                    return None;
                }
                &t[..p]
            }
            None => t,
        };
        parse_v6(t).map(|a| IpAddr::V6(a).to_canonical())
    } else {
        parse_v4(t).map(IpAddr::V4)
    }
}

// ---------------------------------------------------------------------------------------
// Byte classes

/// May be part of a token: hex digit, `.` or `:`.
const TOK: u8 = 1;
/// A word character: ASCII letter, digit or `_`.
const WORD: u8 = 2;
/// ASCII letter or `_` (a word character that is not a digit).
const LETTER: u8 = 4;
/// May be part of a zone index (`%eth0`, `%en0.100`, `%wg-home`).
const ZONE: u8 = 8;

static CLASSES: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut v = 0;
        if c.is_ascii_hexdigit() || c == b'.' || c == b':' {
            v |= TOK;
        }
        if c.is_ascii_alphanumeric() || c == b'_' {
            v |= WORD | ZONE;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            v |= LETTER;
        }
        if c == b'-' || c == b'.' {
            v |= ZONE;
        }
        t[i] = v;
        i += 1;
    }
    t
}

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASSES[b as usize]
}

/// Is `text[i]` part of a token? Hex digits, `:` and single dots are; a run of two or more
/// dots is an ellipsis, punctuation between tokens (`1.2.3.4...and`).
#[inline(always)]
fn in_token(text: &[u8], i: usize) -> bool {
    let b = text[i];
    class(b) & TOK != 0
        && (b != b'.'
            || !(i.checked_sub(1).is_some_and(|j| text[j] == b'.')
                || text.get(i + 1) == Some(&b'.')))
}

/// Is the text ending at `s` part of the same word as a token starting at `s`?
fn glued_before(text: &[u8], s: usize) -> bool {
    let Some(&b) = s.checked_sub(1).and_then(|i| text.get(i)) else {
        return false;
    };
    if class(b) & WORD != 0 {
        return true;
    }
    let far = s
        .checked_sub(2)
        .and_then(|i| text.get(i))
        .map_or(0, |&c| class(c));
    match b {
        b'-' => far & LETTER != 0,
        b'/' => far & WORD != 0,
        _ => false,
    }
}

/// Is the text starting at `e` part of the same word as a token ending at `e`?
fn glued_after(text: &[u8], e: usize) -> bool {
    match text.get(e) {
        Some(&b) if class(b) & WORD != 0 => true,
        Some(b'-') => text.get(e + 1).is_some_and(|&c| class(c) & LETTER != 0),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

/// Decide about the maximal token `text[s..e]`: the address in it (at most one) and where
/// scanning resumes.
fn token(text: &[u8], s: usize, e: usize) -> Option<(Found, usize)> {
    // Shortest addresses: "::1" and "1.2.3.4".
    if e - s < 3 {
        return None;
    }
    // Cheap shape checks first: most tokens in logs are times (`06:55:46`), `]:` or numbers.
    let (mut colons, mut dots, mut double) = (0u32, 0u32, false);
    let mut prev = 0;
    for &b in &text[s..e] {
        if b == b':' {
            colons += 1;
            double |= prev == b':';
        } else if b == b'.' {
            dots += 1;
        }
        prev = b;
    }
    let gb = glued_before(text, s);
    // IPv6 has `::`, or 7 colons (8 with a trailing `:`), or 6 before an IPv4 tail.
    if !gb
        && (double || colons >= 6)
        && let Some(r) = v6_token(text, s, e)
    {
        return Some(r);
    }
    if dots < 3 || e - s < 7 {
        return None;
    }
    v4_token(text, s, e, gb)
}

/// The token as an IPv6 address (maybe with zone, brackets and port, or a trailing `:`/`.`).
fn v6_token(text: &[u8], s: usize, e: usize) -> Option<(Found, usize)> {
    // Tokens hold no `..`, so there is at most one trailing dot.
    let end = if text[e - 1] == b'.' { e - 1 } else { e };
    // A zone index: `%` and zone characters, without trailing dots (sentence punctuation).
    let mut after = e;
    if end == e && text.get(e) == Some(&b'%') {
        let mut z = e + 1;
        while z < text.len() && class(text[z]) & ZONE != 0 {
            z += 1;
        }
        while z > e + 1 && text[z - 1] == b'.' {
            z -= 1;
        }
        if z > e + 1 {
            after = z;
        }
    }
    if glued_after(text, after) {
        return None;
    }
    let mut end = end;
    let mut port = None;
    let ip = match parse_v6(&text[s..end]) {
        Some(ip) => ip,
        None if after != e => return None,
        None => {
            // A trailing single `:` is punctuation (`fe80::1: error`).
            if end == e && text[end - 1] == b':' {
                end -= 1;
            }
            match parse_v6(&text[s..end]) {
                Some(ip) => ip,
                // A dotted quad ends an IPv6 address, so `::ffff:1.2.3.4:8080` has a port.
                None => {
                    let colon = memchr::memrchr(b':', &text[s..end])? + s;
                    if !text[s..colon].contains(&b'.') {
                        return None;
                    }
                    let p = parse_port(&text[colon + 1..end])?;
                    let ip = parse_v6(&text[s..colon])?;
                    port = Some(p);
                    end = colon;
                    ip
                }
            }
        }
    };
    if !plausible_v6(&text[s..end]) {
        return None;
    }
    let mut resume = after;
    if port.is_none() && s > 0 && text[s - 1] == b'[' && text.get(after) == Some(&b']') {
        resume = after + 1;
        if let Some((p, pe)) = port_after_bracket(text, after + 1) {
            port = Some(p);
            resume = pe;
        }
    }
    let found = Found {
        ip: IpAddr::V6(ip).to_canonical(),
        start: s,
        end,
        port,
    };
    Some((found, resume))
}

/// Free-text plausibility of a syntactically valid IPv6 text `t` (see the module docs).
fn plausible_v6(t: &[u8]) -> bool {
    if !t.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let hardware = t.len() == 23
        && t.iter().enumerate().all(|(i, &b)| {
            if i % 3 == 2 {
                b == b':'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    !hardware
}

/// `:port` right after a `]`, at `i`: the port and where it ends.
fn port_after_bracket(text: &[u8], i: usize) -> Option<(u16, usize)> {
    if text.get(i) != Some(&b':') {
        return None;
    }
    let digits = text[i + 1..]
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    let end = i + 1 + digits;
    if glued_after(text, end) {
        return None;
    }
    Some((parse_port(&text[i + 1..end])?, end))
}

/// 1 to 5 decimal digits, at most 65535.
fn parse_port(d: &[u8]) -> Option<u16> {
    if d.is_empty() || d.len() > 5 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = d.iter().fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
    u16::try_from(v).ok()
}

/// The token as an IPv4 address with optional `key:` before and `:port`, `:` or dots after.
fn v4_token(text: &[u8], s: usize, e: usize, gb: bool) -> Option<(Found, usize)> {
    let tok = &text[s..e];
    let ga = glued_after(text, e);
    let start = match tok.iter().position(|&b| b == b':' || b == b'.') {
        Some(c) if tok[c] == b':' => {
            let key = &tok[..c];
            let key_ok = key.is_empty() || gb || key.iter().any(u8::is_ascii_alphabetic);
            if !key_ok || tok.get(c + 1) == Some(&b':') || is_version_key(text, s + c) {
                return None;
            }
            c + 1
        }
        Some(_) if !gb => 0,
        _ => return None,
    };
    let (v4, n) = parse_v4_prefix(&tok[start..])?;
    let a_end = start + n;
    let rest = &tok[a_end..];
    let mut port = None;
    // What may follow the address (or its port) inside the token.
    let tail_ok = |t: &[u8]| -> bool {
        match t {
            [] => !ga,
            // A dot before a word is a hostname label, otherwise punctuation.
            [b'.'] => !ga,
            // A trailing `:`, maybe followed by the start of a glued word (`1.2.3.4:error`).
            [b':', more @ ..] => {
                more.is_empty() || (ga && !more.iter().any(|&b| b == b':' || b == b'.'))
            }
            _ => false,
        }
    };
    if let [b':', seg_rest @ ..] = rest {
        let seg_len = seg_rest
            .iter()
            .position(|&b| b == b':' || b == b'.')
            .unwrap_or(seg_rest.len());
        match parse_port(&seg_rest[..seg_len]) {
            Some(p) if tail_ok(&seg_rest[seg_len..]) => port = Some(p),
            Some(_) => return None,
            None if !tail_ok(rest) => return None,
            None => {}
        }
    } else if !tail_ok(rest) {
        return None;
    }
    let mut resume = e;
    if start == 0
        && a_end == tok.len()
        && s > 0
        && text[s - 1] == b'['
        && text.get(e) == Some(&b']')
    {
        resume = e + 1;
        if let Some((p, pe)) = port_after_bracket(text, e + 1) {
            port = Some(p);
            resume = pe;
        }
    }
    let found = Found {
        ip: IpAddr::V4(v4),
        start: s + start,
        end: s + a_end,
        port,
    };
    Some((found, resume))
}

/// Is the word before the `:` at `colon` Gecko's `rv` (`rv:1.8.1.4` in user agents)?
fn is_version_key(text: &[u8], colon: usize) -> bool {
    colon >= 2
        && text[colon - 2..colon].eq_ignore_ascii_case(b"rv")
        && (colon == 2 || class(text[colon - 3]) & WORD == 0)
}

// ---------------------------------------------------------------------------------------
// Strict parsers

/// A dotted quad at the start of `b`, and its length. The byte after it is not a digit.
fn parse_v4_prefix(b: &[u8]) -> Option<(Ipv4Addr, usize)> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (k, octet) in octets.iter_mut().enumerate() {
        if k > 0 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let st = i;
        let mut v: u32 = 0;
        while i < b.len() && i - st < 4 && b[i].is_ascii_digit() {
            v = v * 10 + u32::from(b[i] - b'0');
            i += 1;
        }
        let len = i - st;
        if len == 0 || len > 3 || (len > 1 && b[st] == b'0') {
            return None;
        }
        *octet = u8::try_from(v).ok()?;
    }
    Some((Ipv4Addr::from(octets), i))
}

/// Exactly a dotted quad (what std's parser takes: 1–3 digits per octet, no leading zero).
pub(crate) fn parse_v4(b: &[u8]) -> Option<Ipv4Addr> {
    match parse_v4_prefix(b)? {
        (a, n) if n == b.len() => Some(a),
        _ => None,
    }
}

fn hex_value(b: u8) -> Option<u16> {
    match b {
        b'0'..=b'9' => Some(u16::from(b - b'0')),
        b'a'..=b'f' => Some(u16::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u16::from(b - b'A' + 10)),
        _ => None,
    }
}

/// Exactly one IPv6 address in any RFC 4291 text form (no zone, no brackets).
fn parse_v6(s: &[u8]) -> Option<Ipv6Addr> {
    let n = s.len();
    // Longest form: 6 hextets of 4 digits and a 15-character dotted quad.
    if !(2..=45).contains(&n) {
        return None;
    }
    let mut groups = [0u16; 8];
    let mut ng = 0;
    // Where `::` stands, as an index into `groups`.
    let mut gap = None;
    let mut i = 0;
    if s[0] == b':' {
        if s[1] != b':' {
            return None;
        }
        if n == 2 {
            return Some(Ipv6Addr::UNSPECIFIED);
        }
        gap = Some(0);
        i = 2;
    }
    loop {
        let st = i;
        let mut v = 0u16;
        while i < n && i - st < 4 {
            match hex_value(s[i]) {
                Some(d) => v = v << 4 | d,
                None => break,
            }
            i += 1;
        }
        if i == st {
            return None;
        }
        if s.get(i) == Some(&b'.') {
            // An IPv4 tail: the last 32 bits.
            if ng > 6 {
                return None;
            }
            let o = parse_v4(&s[st..])?.octets();
            groups[ng] = u16::from_be_bytes([o[0], o[1]]);
            groups[ng + 1] = u16::from_be_bytes([o[2], o[3]]);
            ng += 2;
            break;
        }
        if ng == 8 {
            return None;
        }
        groups[ng] = v;
        ng += 1;
        if i == n {
            break;
        }
        if s[i] != b':' {
            return None;
        }
        i += 1;
        if i == n {
            return None;
        }
        if s[i] == b':' {
            if gap.is_some() {
                return None;
            }
            gap = Some(ng);
            i += 1;
            if i == n {
                break;
            }
        }
    }
    match gap {
        None if ng == 8 => {}
        None => return None,
        // `::` stands for at least one zero group.
        Some(_) if ng > 7 => return None,
        Some(g) => {
            let moved = ng - g;
            groups.copy_within(g..ng, 8 - moved);
            groups[g..8 - moved].fill(0);
        }
    }
    Some(Ipv6Addr::from(groups))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(t: &str) -> Vec<String> {
        find_all(t.as_bytes())
            .iter()
            .map(|f| f.ip.to_string())
            .collect()
    }

    proptest::proptest! {
        /// The web parser reads a client with `parse_v4` before std's parser: they must agree.
        #[test]
        fn v4_parser_agrees_with_std(t in "[0-9.]{0,17}|[0-9]{1,4}(\\.[0-9]{1,4}){3}") {
            proptest::prop_assert_eq!(parse_v4(t.as_bytes()), t.parse::<Ipv4Addr>().ok(), "{}", t);
        }
    }

    #[test]
    fn v6_parser_agrees_with_std_on_samples() {
        for t in [
            "::1",
            "1::",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7:8::",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.04",
            "12345::",
            ":1::",
            "1::2::3",
            "fe80::1:",
            "0000:0000:0000:0000:0000:ffff:255.255.255.255",
        ] {
            let std = t.parse::<Ipv6Addr>().ok();
            assert_eq!(parse_v6(t.as_bytes()), std, "{t}");
        }
    }

    #[test]
    fn basic_forms() {
        assert_eq!(ips("from 1.2.3.4 port 22"), ["1.2.3.4"]);
        assert_eq!(ips("from ::ffff:1.2.3.4."), ["1.2.3.4"]);
        assert_eq!(ips("[2001:DB8::1]:22"), ["2001:db8::1"]);
        assert_eq!(ips("port 4444:11: Bye"), Vec::<String>::new());
        assert!(ips("a::b std::string :: 00:1a:2b:3c:4d:5e").is_empty());
    }

    #[test]
    fn ports_and_ranges() {
        let f = find_all(b"x [::1]:2222 1.2.3.4:80 [10.0.0.1]:8080");
        let ports: Vec<_> = f.iter().map(|f| f.port).collect();
        assert_eq!(ports, [Some(2222), Some(80), Some(8080)]);
        assert_eq!(f[1].end - f[1].start, 7);
    }
}
