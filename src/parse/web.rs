//! Web server access logs: Apache/nginx **combined** and **common** log formats.
//!
//! ```text
//! 1.2.3.4 - frank [30/Nov/2026:11:35:01 +0000] "GET /a HTTP/1.1" 200 512 "http://ref/" "curl/8.0"
//! 1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /a HTTP/1.1" 404 -
//! example.com:443 1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 5 "-" "-"
//! ```
//!
//! The optional first field is a virtual host (Apache `vhost_combined`, `%v:%p`, or a bare
//! name). Fields after the referer and user agent (custom formats) are ignored.
//!
//! Decisions, because the text is attacker-controlled:
//! - The request line is split as `METHOD TARGET [HTTP/x]` when the method is an upper-case
//!   token (`A-Z`, `-`, `_`). Anything else (TLS handshakes `\x16\x03\x01…`, `-`, `""`, probe
//!   garbage) still yields the event, with `method` and `path` unset: the raw bytes are not a
//!   path and would pollute "top paths".
//! - Fields are returned as the server logged them. Apache and nginx escape control bytes and
//!   quotes (`\xhh`, `\"`), and those escapes are kept: they are safe to print.
//! - Quoted fields end at the first unescaped `"`. For the request, an unescaped `"` (old
//!   servers) is skipped over when it is not followed by a status and a size.
//! - A client (`%h`) that is not an address (`HostnameLookups On`, a unix socket) gives no
//!   event and is *not* reported as unparsed: the line was understood, it names no client
//!   address, and a generic scan would wrongly credit addresses from the attacker-supplied
//!   request or referer to the client.

use std::borrow::Cow;
use std::net::IpAddr;

use super::timestamp::parse_clf;
use super::{Event, Kind, LineCtx, LineOutcome, LineParser, Timestamp};

/// Parser for combined/common access logs. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebParser;

impl WebParser {
    /// A new parser.
    pub fn new() -> Self {
        WebParser
    }
}

impl LineParser for WebParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let Some(f) = fields(line) else {
            return LineOutcome { unparsed: true };
        };
        let Some(ip) = parse_ip(f.host) else {
            return LineOutcome::default();
        };
        let mut ev = Event::new(Kind::Request, ip, "web");
        ev.source = ctx.source;
        ev.line_no = ctx.line_no;
        ev.ts = Some(f.ts);
        ev.user = present(f.user).map(lossy);
        if let Some((method, path)) = split_request(f.request) {
            ev.method = Some(lossy(method));
            ev.extra.path = Some(lossy(path));
        }
        ev.extra.status = f.status;
        ev.extra.bytes = f.bytes;
        ev.extra.user_agent = f.user_agent.and_then(present).map(lossy);
        emit(&ev);
        LineOutcome::default()
    }
}

/// `String::from_utf8_lossy`, with the common case — valid UTF-8, nearly always ASCII — by
/// the validator's fast path (the lossy decoder walks the text in small chunks).
fn lossy(b: &[u8]) -> Cow<'_, str> {
    match super::utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// Whether `line` is a combined or common log format line (whatever its client field holds).
pub fn looks_like(line: &[u8]) -> bool {
    fields(line).is_some()
}

/// The raw fields of one access log line, borrowed from it.
#[derive(Debug, PartialEq)]
struct Fields<'a> {
    /// `%h`, the client.
    host: &'a [u8],
    /// `%u`, the authenticated user (`-` when none).
    user: &'a [u8],
    /// The time inside the brackets (`30/Nov/2026:11:35:01 +0000`), read while finding them.
    ts: Timestamp,
    /// Inside the quotes, still escaped.
    request: &'a [u8],
    status: Option<u16>,
    bytes: Option<u64>,
    referer: Option<&'a [u8]>,
    user_agent: Option<&'a [u8]>,
}

fn fields(line: &[u8]) -> Option<Fields<'_>> {
    let line = trim_end(line);
    let (open, close, ts) = find_time(line)?;

    // Before the time: [vhost] host ident user.
    let prefix = &line[..open - 1];
    let (t0, r0) = word(prefix);
    let (t1, r1) = word(r0);
    let (t2, r2) = word(r1);
    if t2.is_empty() {
        return None;
    }
    let (host, user) = if r2.is_empty() {
        (t0, t2)
    } else if parse_ip(t1).is_some() || parse_ip(t0).is_none() {
        // `vhost host ident user…`; a user name may hold spaces.
        (t1, r2)
    } else {
        // `host ident user with spaces`.
        (t0, r1)
    };

    // After the time: ` "request" status bytes`.
    let rest = line.get(close + 1..)?.strip_prefix(b" \"")?;
    let (
        request,
        StatusSize {
            status,
            bytes,
            rest,
        },
    ) = request_and_status(rest)?;

    let mut referer = None;
    let mut user_agent = None;
    if let Some(r) = trim_start(rest).strip_prefix(b"\"")
        && let Some((re, r)) = quoted(r)
    {
        referer = Some(re);
        if let Some(r) = trim_start(r).strip_prefix(b"\"") {
            user_agent = quoted(r).map(|(ua, _)| ua);
        }
    }
    Some(Fields {
        host,
        user,
        ts,
        request,
        status,
        bytes,
        referer,
        user_agent,
    })
}

/// The `[` and `]` around a CLF time that follows a space, and the time. The time has a fixed
/// width (`dd/Mon/yyyy:hh:mm:ss`, optionally ` +zzzz`), so each candidate costs O(1).
fn find_time(line: &[u8]) -> Option<(usize, usize, Timestamp)> {
    memchr::memchr_iter(b'[', line)
        .filter(|&i| i > 0 && line[i - 1] == b' ')
        .find_map(|i| {
            [i + 27, i + 21].into_iter().find_map(|close| {
                if line.get(close) != Some(&b']') {
                    return None;
                }
                let ts = parse_clf(&line[i + 1..close])?;
                Some((i, close, ts))
            })
        })
}

/// The request (up to its closing quote), status, size and what follows. `rest` starts just
/// after the opening quote. A quote that is not followed by ` status size` is taken to be part
/// of the request (servers that do not escape quotes).
fn request_and_status(rest: &[u8]) -> Option<(&[u8], StatusSize<'_>)> {
    let mut from = 0;
    loop {
        let q = from + find_unescaped_quote(rest.get(from..)?)?;
        if let Some(tail) = status_and_size(&rest[q + 1..]) {
            return Some((&rest[..q], tail));
        }
        from = q + 1;
    }
}

/// What follows the request: status, size and the rest of the line.
struct StatusSize<'a> {
    status: Option<u16>,
    bytes: Option<u64>,
    rest: &'a [u8],
}

/// ` 200 1234` or ` 404 -` at the start of `b`, followed by the end or a space.
fn status_and_size(b: &[u8]) -> Option<StatusSize<'_>> {
    let b = b.strip_prefix(b" ")?;
    let (status, b) = word_exact(b);
    let (size, after) = word_exact(b.strip_prefix(b" ")?);
    if status.len() != 3 || !status.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let status = decimal(status).and_then(|v| u16::try_from(v).ok());
    let bytes = match size {
        b"-" => None,
        s if !s.is_empty() && s.len() <= 20 && s.iter().all(u8::is_ascii_digit) => {
            // Out of range for u64 (21+ digits are refused above; 20 may still overflow).
            decimal(s)
        }
        _ => return None,
    };
    Some(StatusSize {
        status,
        bytes,
        rest: after,
    })
}

/// The value of ASCII digits; `None` past `u64::MAX`.
fn decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |v, &d| {
        v.checked_mul(10)?
            .checked_add(u64::from(d.wrapping_sub(b'0')))
    })
}

/// Index of the first `"` not escaped by a backslash.
fn find_unescaped_quote(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    while let Some(j) = memchr::memchr2(b'"', b'\\', b.get(i..)?) {
        let at = i + j;
        if b[at] == b'"' {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// The contents of a quoted field (after its opening quote) and what follows the closing one.
fn quoted(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let q = find_unescaped_quote(b)?;
    Some((&b[..q], &b[q + 1..]))
}

/// `METHOD TARGET [PROTO]` → (method, target).
fn split_request(req: &[u8]) -> Option<(&[u8], &[u8])> {
    let req = trim_start(trim_end(req));
    // Short words: a plain loop beats `memchr`'s set-up.
    let sp = req.iter().position(|&c| c == b' ')?;
    let method = &req[..sp];
    let valid_method = method.len() <= 32
        && method
            .iter()
            .all(|&c| c.is_ascii_uppercase() || c == b'-' || c == b'_');
    if !valid_method {
        return None;
    }
    let target = trim_start(&req[sp + 1..]);
    let target = match target.iter().rposition(|&c| c == b' ') {
        Some(last) if target[last + 1..].starts_with(b"HTTP/") => trim_end(&target[..last]),
        Some(_) => return None,
        None => target,
    };
    if target.is_empty() {
        return None;
    }
    Some((method, target))
}

/// The value of a field unless it is empty or `-` (nothing logged).
fn present(b: &[u8]) -> Option<&[u8]> {
    match b {
        b"" | b"-" | b"\"\"" => None,
        _ => Some(b),
    }
}

/// An address written as the whole token; IPv4-mapped IPv6 becomes IPv4.
fn parse_ip(token: &[u8]) -> Option<IpAddr> {
    // Nearly every client is IPv4: read it without std's general parser (7 % of a summary
    // of an access log).
    if let Some(a) = super::extract::parse_v4(token) {
        return Some(IpAddr::V4(a));
    }
    let s = std::str::from_utf8(token).ok()?;
    s.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

/// The first space-separated word and the rest (leading spaces removed).
fn word(b: &[u8]) -> (&[u8], &[u8]) {
    let b = trim_start(b);
    match b.iter().position(|&c| c == b' ') {
        Some(i) => (&b[..i], trim_start(&b[i + 1..])),
        None => (b, &[]),
    }
}

/// The bytes up to the next space, and the rest starting at that space.
fn word_exact(b: &[u8]) -> (&[u8], &[u8]) {
    let i = b.iter().position(|&c| c == b' ').unwrap_or(b.len());
    (&b[..i], &b[i..])
}

fn trim_start(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&c| c != b' ').unwrap_or(b.len());
    &b[i..]
}

fn trim_end(b: &[u8]) -> &[u8] {
    let i = b
        .iter()
        .rposition(|&c| !matches!(c, b' ' | b'\r' | b'\n' | b'\t'))
        .map_or(0, |i| i + 1);
    &b[..i]
}

/// The raw referer of a line, for tests.
#[cfg(test)]
fn referer(line: &[u8]) -> Option<&[u8]> {
    fields(line)?.referer
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Status and size are read without std's parser: the same values, `None` on overflow.
        #[test]
        fn decimal_agrees_with_std(d in "[0-9]{1,20}") {
            proptest::prop_assert_eq!(decimal(d.as_bytes()), d.parse::<u64>().ok());
        }
    }

    #[test]
    fn a_size_past_u64_is_no_size() {
        let t = status_and_size(b" 200 18446744073709551616 \"-\"").unwrap();
        assert_eq!((t.status, t.bytes), (Some(200), None));
        let t = status_and_size(b" 404 18446744073709551615").unwrap();
        assert_eq!((t.status, t.bytes), (Some(404), Some(u64::MAX)));
    }
    use crate::parse::timestamp::format_rfc3339;
    use std::borrow::Cow;

    // Real lines: elastic/examples apache_logs and an nginx access log (see samples README).
    const APACHE: &str = r#"83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36""#;
    const NGINX_EMPTY: &str =
        r#"181.143.101.194 - - [22/Nov/2020:13:47:28 +0000] "" 400 0 "-" "-""#;
    const NGINX_GH0ST: &str = r#"66.240.205.34 - - [21/Nov/2020:02:45:21 +0000] "Gh0st\xAD\x00\x00\x00\xE0\x00\x00\x00x\x9CKS``\x98\xC3" 400 166 "-" "-""#;
    const NGINX_CONNECT: &str = r#"1.1.1.1 - - [21/Nov/2020:02:45:21 +0000] "CONNECT ip.ws.126.net:443 HTTP/1.1" 400 166 "-" "-""#;

    fn parse(line: &[u8]) -> (Vec<Event<'_>>, LineOutcome) {
        let mut out = Vec::new();
        let ctx = LineCtx {
            source: 3,
            line_no: 42,
        };
        let o = WebParser::new().parse_line(line, ctx, &mut |e| out.push(e.clone()));
        (out, o)
    }

    fn one(line: &str) -> Event<'_> {
        let (mut v, o) = parse(line.as_bytes());
        assert!(!o.unparsed, "unparsed: {}", &line[..line.len().min(200)]);
        assert_eq!(v.len(), 1, "{}", &line[..line.len().min(200)]);
        v.remove(0)
    }

    #[test]
    fn parses_real_combined_line() {
        let e = one(APACHE);
        assert_eq!(e.ip, "83.149.9.216".parse::<IpAddr>().unwrap());
        assert_eq!((e.source, e.line_no, e.repeat, e.failures), (3, 42, 1, 0));
        assert_eq!(e.kind, Kind::Request);
        assert_eq!(e.service, "web");
        assert_eq!(format_rfc3339(e.ts.unwrap()), "2015-05-17T10:05:03Z");
        assert_eq!(e.method.as_deref(), Some("GET"));
        assert_eq!(
            e.extra.path.as_deref(),
            Some("/presentations/logstash-monitorama-2013/images/kibana-search.png")
        );
        assert_eq!(e.extra.status, Some(200));
        assert_eq!(e.extra.bytes, Some(203023));
        assert!(
            e.extra
                .user_agent
                .as_deref()
                .unwrap()
                .starts_with("Mozilla/5.0 (Mac")
        );
        assert!(
            e.extra
                .user_agent
                .as_deref()
                .unwrap()
                .ends_with("Safari/537.36")
        );
        assert_eq!(e.user, None);
        assert!(
            matches!(e.extra.path, Some(Cow::Borrowed(_))),
            "no allocation"
        );
        assert_eq!(
            referer(APACHE.as_bytes()),
            Some(&b"http://semicomplete.com/presentations/logstash-monitorama-2013/"[..])
        );
    }

    #[test]
    fn parses_common_format_user_and_dash_size() {
        let e = one(
            r#"10.0.0.7 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 304 -"#,
        );
        assert_eq!(e.user.as_deref(), Some("frank"));
        assert_eq!(e.extra.status, Some(304));
        assert_eq!(e.extra.bytes, None);
        assert_eq!(e.extra.user_agent, None);
        assert_eq!(format_rfc3339(e.ts.unwrap()), "2000-10-10T20:55:36Z");
    }

    #[test]
    fn vhost_prefixes() {
        let e = one(
            r#"example.com:443 203.0.113.9 - - [30/Nov/2026:11:35:01 +0000] "POST /login HTTP/2.0" 401 12 "-" "curl/8.5.0""#,
        );
        assert_eq!(e.ip.to_string(), "203.0.113.9");
        assert_eq!(e.method.as_deref(), Some("POST"));
        assert_eq!(e.extra.user_agent.as_deref(), Some("curl/8.5.0"));
        let e = one(
            r#"example.com 203.0.113.9 - bob [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 5"#,
        );
        assert_eq!(
            (e.ip.to_string().as_str(), e.user.as_deref()),
            ("203.0.113.9", Some("bob"))
        );
        // A vhost that is itself an address: the second token is the client.
        let e =
            one(r#"192.0.2.1 203.0.113.9 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 5"#);
        assert_eq!(e.ip.to_string(), "203.0.113.9");
        // No vhost, but a user name with a space (from an attacker's Basic auth header).
        let e = one(r#"203.0.113.9 - a b [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 401 5"#);
        assert_eq!(
            (e.ip.to_string().as_str(), e.user.as_deref()),
            ("203.0.113.9", Some("a b"))
        );
    }

    #[test]
    fn ipv6_clients_and_mapped_ipv4() {
        let e =
            one(r#"2001:db8::42 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 1 "-" "x""#);
        assert_eq!(e.ip, "2001:db8::42".parse::<IpAddr>().unwrap());
        let e =
            one(r#"::ffff:198.51.100.7 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 1"#);
        assert_eq!(e.ip, "198.51.100.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn garbage_requests_still_yield_events() {
        for line in [NGINX_EMPTY, NGINX_GH0ST] {
            let e = one(line);
            assert_eq!((e.method, e.extra.path.clone()), (None, None), "{line}");
            assert_eq!(e.extra.status, Some(400));
            assert_eq!(e.extra.user_agent, None);
        }
        let e = one(NGINX_CONNECT);
        assert_eq!(e.method.as_deref(), Some("CONNECT"));
        assert_eq!(e.extra.path.as_deref(), Some("ip.ws.126.net:443"));
        for req in [
            "-",
            "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03",
            "GET",
            "get / HTTP/1.1",
            "GET a b c",
        ] {
            let line = format!(r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "{req}" 400 0 "-" "-""#);
            let e = one(&line);
            assert_eq!((e.method, e.extra.path), (None, None), "{req}");
        }
        // HTTP/0.9 style request without a protocol.
        let e = one(r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /x" 200 3"#);
        assert_eq!(
            (e.method.as_deref(), e.extra.path.as_deref()),
            (Some("GET"), Some("/x"))
        );
    }

    #[test]
    fn escaped_and_unescaped_quotes() {
        let line = r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /a\"b HTTP/1.1" 200 3 "-" "Mozilla \"quoted\" agent""#;
        let e = one(line);
        assert_eq!(e.extra.path.as_deref(), Some(r#"/a\"b"#));
        assert_eq!(
            e.extra.user_agent.as_deref(),
            Some(r#"Mozilla \"quoted\" agent"#)
        );
        // A server that does not escape: the inner quote is not followed by a status.
        let line =
            r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /a"b" HTTP/1.1" 404 3 "-" "ua""#;
        let e = one(line);
        assert_eq!(e.extra.path.as_deref(), Some(r#"/a"b""#));
        assert_eq!(e.extra.status, Some(404));
        assert_eq!(e.extra.user_agent.as_deref(), Some("ua"));
        // An escaped backslash right before the closing quote.
        let e =
            one(r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /a\\ HTTP/1.1" 200 3 "-" "ua\\""#);
        assert_eq!(e.extra.path.as_deref(), Some(r"/a\\"));
        assert_eq!(e.extra.user_agent.as_deref(), Some(r"ua\\"));
    }

    #[test]
    fn invalid_utf8_is_replaced_only_where_returned() {
        let mut line = br#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET /caf"#.to_vec();
        line.extend_from_slice(b"\xe9 HTTP/1.1\" 200 3 \"\xff\" \"agent\xc3\"");
        let (v, o) = parse(&line);
        assert!(!o.unparsed);
        assert_eq!(v[0].extra.path.as_deref(), Some("/caf\u{fffd}"));
        assert_eq!(v[0].extra.user_agent.as_deref(), Some("agent\u{fffd}"));
        assert!(matches!(v[0].method, Some(Cow::Borrowed("GET"))));
    }

    #[test]
    fn hostname_client_gives_no_event_but_is_not_unparsed() {
        let line = br#"crawl-66-249-73-135.googlebot.com - - [17/May/2015:10:05:03 +0000] "GET /?ip=9.9.9.9 HTTP/1.1" 200 3 "-" "-""#;
        let (v, o) = parse(line);
        assert!(v.is_empty());
        assert!(!o.unparsed);
        assert!(looks_like(line));
    }

    #[test]
    fn non_web_and_truncated_lines_are_unparsed() {
        let bad: &[&[u8]] = &[
            b"",
            b"Nov 30 11:35:01 host sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2",
            b"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000]",
            br#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1"#,
            br#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 20"#,
            br#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 12x"#,
            br#"1.2.3.4 - - [30/Nov/2026:11:35 +0000] "GET / HTTP/1.1" 200 1"#,
            br#"1.2.3.4 - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 1"#,
            br#"[30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 1"#,
            b"{\"eventid\": \"cowrie.session.connect\"}",
        ];
        for &line in bad {
            let (v, o) = parse(line);
            assert!(
                o.unparsed && v.is_empty(),
                "{:?}",
                String::from_utf8_lossy(line)
            );
            assert!(!looks_like(line));
        }
        // Truncated after the size: common format, still an event.
        let (v, _) = parse(
            br#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 12 "http://x/"#,
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].extra.user_agent, None);
        assert!(looks_like(APACHE.as_bytes()));
    }

    #[test]
    fn huge_lines_and_bracket_floods() {
        let ua = "A".repeat(1 << 20);
        let line = format!(
            r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "GET / HTTP/1.1" 200 1 "-" "{ua}""#
        );
        let e = one(&line);
        assert_eq!(e.extra.user_agent.map(|u| u.len()), Some(1 << 20));
        // Many brackets before the real time, and a request full of quotes: linear time.
        let junk = " [".repeat(200_000);
        let line = format!(
            r#"1.2.3.4 -{junk} [30/Nov/2026:11:35:01 +0000] "{}" 200 1"#,
            "\" ".repeat(200_000)
        );
        let (_, o) = parse(line.as_bytes());
        assert!(!o.unparsed);
        // An unterminated request full of backslashes must not panic.
        let line = format!(
            r#"1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] "{}"#,
            "\\".repeat(100_001)
        );
        assert!(parse(line.as_bytes()).1.unparsed);
    }

    #[test]
    fn crlf_and_huge_size() {
        let e = one(
            "1.2.3.4 - - [30/Nov/2026:11:35:01 +0000] \"GET / HTTP/1.1\" 200 99999999999999999999 \"-\" \"ua\"\r",
        );
        assert_eq!(e.extra.bytes, None, "overflowing size is unknown");
        assert_eq!(e.extra.user_agent.as_deref(), Some("ua"));
    }

    #[test]
    fn every_prefix_of_a_real_line_is_safe() {
        let line = APACHE.as_bytes();
        for n in 0..=line.len() {
            let (v, o) = parse(&line[..n]);
            assert_eq!(o.unparsed, v.is_empty(), "cut at {n}");
            if let Some(e) = v.first() {
                assert_eq!(e.ip.to_string(), "83.149.9.216");
                assert_eq!(e.extra.status, Some(200), "cut at {n}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(line in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let (v, o) = parse(&line);
            proptest::prop_assert!(v.len() <= 1);
            proptest::prop_assert_eq!(looks_like(&line), !o.unparsed);
        }

        #[test]
        fn mangled_real_lines_never_panic(cut in 0usize..400, at in 0usize..400, byte in proptest::num::u8::ANY) {
            let mut line = APACHE.as_bytes().to_vec();
            if let Some(b) = line.get_mut(at) {
                *b = byte;
            }
            line.truncate(cut);
            let _ = parse(&line);
        }
    }
}
