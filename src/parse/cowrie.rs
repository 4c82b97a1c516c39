//! Cowrie SSH/Telnet honeypot JSON logs (`cowrie.json`): one JSON object per line.
//!
//! | `eventid` | kind |
//! |---|---|
//! | `cowrie.login.failed` | [`Kind::AuthFailure`], `user`, `method` `password`, `failures` 1 |
//! | `cowrie.login.success` | [`Kind::AuthSuccess`] (into the honeypot), `user`, `method` `password` |
//! | anything else with a `src_ip` | [`Kind::Other`] |
//!
//! Decisions:
//! - `cowrie.session.connect` is [`Kind::Other`], not [`Kind::Scan`]: every session starts with
//!   one, including those that go on to log in, so it says nothing about scanning.
//! - Passwords are never read: the record type has no `password` field (serde skips it without
//!   keeping it) and the `message` text, which repeats it, is ignored. They are credentials,
//!   often reused ones, and logmap's outputs must not spread them.
//! - `port` is `src_port` and `extra.dst_port` is `dst_port`, except for `cowrie.direct-tcpip.*`
//!   where those fields describe the tunnel the attacker asked for (`src_port` 0 or 22 from a
//!   made-up origin, `dst_port` the target's), not the connection to the honeypot: both unset.
//! - A line that is not a JSON object with a string `eventid` is `unparsed`. A Cowrie record
//!   without a usable `src_ip` (none in practice) gives no event and is not unparsed.
//! - Fields of an unexpected type (a port as a string, a user name as a number) are taken as
//!   absent rather than failing the line.

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::timestamp::parse_rfc3339;
use super::{Event, Kind, LineCtx, LineOutcome, LineParser};

/// Parser for Cowrie JSON lines. Stateless.
#[derive(Clone, Copy, Debug, Default)]
pub struct CowrieParser;

impl CowrieParser {
    /// A new parser.
    pub fn new() -> Self {
        CowrieParser
    }
}

/// The fields logmap uses; everything else is skipped without being stored.
#[derive(Deserialize)]
struct Rec<'a> {
    #[serde(borrow)]
    eventid: Text<'a>,
    #[serde(borrow, default)]
    src_ip: Text<'a>,
    #[serde(borrow, default)]
    timestamp: Text<'a>,
    #[serde(borrow, default)]
    username: Text<'a>,
    #[serde(default)]
    src_port: Port,
    #[serde(default)]
    dst_port: Port,
}

/// A string field, borrowed from the line unless it had escapes; `None` if absent or not a
/// string. (`Option<Cow<str>>` would always allocate: serde borrows only a bare `Cow`.)
#[derive(Default)]
struct Text<'a>(Option<Cow<'a, str>>);

/// A port number; `None` if absent, not a number or out of range.
#[derive(Default)]
struct Port(Option<u16>);

/// Accepts any JSON value: strings are kept, anything else (consumed) becomes `None`.
struct AnyText;

impl<'de> Visitor<'de> for AnyText {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AnyText).map(Text)
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Option<u16>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(u16::try_from(v).ok())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(u16::try_from(v).ok())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(None)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(None)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(None)
            }
        }
        d.deserialize_any(V).map(Port)
    }
}

impl LineParser for CowrieParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let Some(rec) = record(line) else {
            return LineOutcome { unparsed: true };
        };
        let Some(eventid) = rec.eventid.0 else {
            return LineOutcome { unparsed: true };
        };
        let Some(ip) = rec.src_ip.0.as_deref().and_then(parse_ip) else {
            return LineOutcome::default();
        };
        let (kind, login) = match eventid.as_ref() {
            "cowrie.login.failed" => (Kind::AuthFailure, true),
            "cowrie.login.success" => (Kind::AuthSuccess, true),
            _ => (Kind::Other, false),
        };
        let mut ev = Event::new(kind, ip, "cowrie");
        ev.source = ctx.source;
        ev.line_no = ctx.line_no;
        ev.ts = rec
            .timestamp
            .0
            .as_deref()
            .and_then(|t| parse_rfc3339(t.as_bytes()))
            .map(|(t, _)| t);
        if login {
            ev.user = rec.username.0;
            ev.method = Some(Cow::Borrowed("password"));
        }
        if kind == Kind::AuthFailure {
            ev.failures = 1;
        }
        if !eventid.starts_with("cowrie.direct-tcpip.") {
            ev.port = rec.src_port.0;
            ev.extra.dst_port = rec.dst_port.0;
        }
        emit(&ev);
        LineOutcome::default()
    }
}

/// Whether `line` is a Cowrie JSON record (an object whose `eventid` starts with `cowrie.`).
pub fn looks_like(line: &[u8]) -> bool {
    // Cheap pre-check before running the JSON parser.
    let first = line.iter().find(|c| !c.is_ascii_whitespace());
    first == Some(&b'{')
        && memchr::memmem::find(line, b"\"eventid\"").is_some()
        && record(line)
            .and_then(|r| r.eventid.0)
            .is_some_and(|id| id.starts_with("cowrie."))
}

fn record(line: &[u8]) -> Option<Rec<'_>> {
    serde_json::from_slice(line).ok()
}

fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::timestamp::format_rfc3339;

    // Real lines from scriptzteam/REALTiME-SSH-HoneyPot (see the samples README), with the
    // password values replaced.
    const CONNECT: &str = r#"{"eventid": "cowrie.session.connect", "timestamp": "2017-11-04T13:09:47.519075Z", "session": "a61702f387f1", "message": "New connection: 198.199.98.246:59091 (10.3.66.85:2222) [session: a61702f387f1]", "src_port": 59091, "system": "cowrie.ssh.factory.CowrieSSHFactory", "isError": 0, "src_ip": "198.199.98.246", "dst_port": 2222, "dst_ip": "10.3.66.85", "sensor": "scw-8456a9"}"#;
    const SUCCESS: &str = r#"{"eventid": "cowrie.login.success", "username": "root", "timestamp": "2017-11-04T13:43:30.834514Z", "message": "login attempt [root/SECRETPW] succeeded", "system": "SSHService 'ssh-userauth' on HoneyPotSSHTransport,2,186.47.180.249", "isError": 0, "src_ip": "186.47.180.249", "session": "6390cbe89dae", "password": "SECRETPW", "sensor": "scw-8456a9"}"#;
    const VERSION: &str = r#"{"eventid": "cowrie.client.version", "macCS": ["hmac-sha1"], "timestamp": "2017-11-04T13:43:25.794831Z", "session": "f3dbcf2ed42b", "kexAlgs": ["diffie-hellman-group1-sha1"], "keyAlgs": ["ssh-dss", "ssh-rsa"], "message": "Remote SSH version: SSH-2.0-Granados-1.0", "system": "HoneyPotSSHTransport,1,27.72.79.91", "isError": 0, "src_ip": "27.72.79.91", "version": "SSH-2.0-Granados-1.0", "compCS": ["none"], "sensor": "scw-8456a9", "encCS": ["aes128-cbc", "blowfish-cbc", "3des-cbc"]}"#;
    const TUNNEL: &str = r#"{"eventid": "cowrie.direct-tcpip.request", "timestamp": "2017-11-04T13:48:02.676825Z", "session": "3562cde663f3", "src_port": 0, "message": "direct-tcp connection request to ya.ru:443 from localhost:0", "system": "SSHService 'ssh-connection' on HoneyPotSSHTransport,5,5.188.10.144", "isError": 0, "src_ip": "5.188.10.144", "dst_port": 443, "dst_ip": "ya.ru", "sensor": "scw-8456a9"}"#;

    fn parse(line: &[u8]) -> (Vec<Event<'_>>, LineOutcome) {
        let mut out = Vec::new();
        let ctx = LineCtx {
            source: 1,
            line_no: 7,
        };
        let o = CowrieParser::new().parse_line(line, ctx, &mut |e| out.push(e.clone()));
        (out, o)
    }

    fn one(line: &str) -> Event<'_> {
        let (mut v, o) = parse(line.as_bytes());
        assert!(!o.unparsed, "{line}");
        assert_eq!(v.len(), 1, "{line}");
        v.remove(0)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn connect_is_other_with_ports() {
        let e = one(CONNECT);
        assert_eq!(
            (e.kind, e.ip, e.service.as_ref()),
            (Kind::Other, ip("198.199.98.246"), "cowrie")
        );
        assert_eq!((e.port, e.extra.dst_port), (Some(59091), Some(2222)));
        assert_eq!((e.source, e.line_no, e.repeat, e.failures), (1, 7, 1, 0));
        assert_eq!(format_rfc3339(e.ts.unwrap()), "2017-11-04T13:09:47Z");
        assert_eq!((e.user, e.method), (None, None));
        assert!(looks_like(CONNECT.as_bytes()));
    }

    #[test]
    fn logins_carry_user_not_password() {
        let e = one(SUCCESS);
        assert_eq!((e.kind, e.ip), (Kind::AuthSuccess, ip("186.47.180.249")));
        assert_eq!(
            (e.user.as_deref(), e.method.as_deref()),
            (Some("root"), Some("password"))
        );
        assert_eq!((e.failures, e.successes()), (0, 1));
        assert!(
            matches!(e.user, Some(Cow::Borrowed(_))),
            "borrowed from the line"
        );
        assert!(
            !format!("{e:?}").contains("SECRETPW"),
            "password leaked: {e:?}"
        );

        let failed = SUCCESS
            .replace("login.success", "login.failed")
            .replace("succeeded", "failed");
        let e = one(&failed);
        assert_eq!(
            (e.kind, e.failures, e.successes()),
            (Kind::AuthFailure, 1, 0)
        );
        assert_eq!(e.user.as_deref(), Some("root"));
        assert!(!format!("{e:?}").contains("SECRETPW"));
    }

    #[test]
    fn other_events_and_tunnels() {
        let e = one(VERSION);
        assert_eq!(
            (e.kind, e.ip, e.port),
            (Kind::Other, ip("27.72.79.91"), None)
        );
        let e = one(TUNNEL);
        assert_eq!(
            (e.kind, e.port, e.extra.dst_port),
            (Kind::Other, None, None)
        );
        let e = one(
            r#"{"eventid":"cowrie.command.input","input":"uname -a","src_ip":"2001:db8::7","timestamp":"2017-11-04T13:43:30+01:00"}"#,
        );
        assert_eq!((e.kind, e.ip), (Kind::Other, ip("2001:db8::7")));
        assert_eq!(format_rfc3339(e.ts.unwrap()), "2017-11-04T12:43:30Z");
    }

    #[test]
    fn escapes_mapped_addresses_and_odd_types() {
        // A JSON escape in the user name forces an owned string; that is fine.
        let e = one(
            r#"{"eventid":"cowrie.login.failed","username":"ro\"ot\u00e9","src_ip":"::ffff:192.0.2.5","src_port":"22","password":"x"}"#,
        );
        assert_eq!(e.user.as_deref(), Some("ro\"ot\u{e9}"));
        assert_eq!((e.ip, e.port, e.ts), (ip("192.0.2.5"), None, None));
        let e = one(
            r#"{"eventid":"cowrie.login.failed","username":42,"src_ip":"192.0.2.5","src_port":70000,"dst_port":[1],"timestamp":{"a":1}}"#,
        );
        assert_eq!(
            (e.user, e.port, e.extra.dst_port, e.ts),
            (None, None, None, None)
        );
    }

    #[test]
    fn unparsed_and_addressless_lines() {
        for bad in [
            &b""[..],
            b"not json",
            b"{\"eventid\": \"cowrie.login.failed\", \"src_ip\": \"1.2.3.4\"",
            b"{\"src_ip\": \"1.2.3.4\"}",
            b"{\"eventid\": 5, \"src_ip\": \"1.2.3.4\"}",
            b"[1,2]",
            b"{\"eventid\": \"cowrie.login.failed\", \"username\": \"\xff\", \"src_ip\": \"1.2.3.4\"}",
            b"83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1",
        ] {
            let (v, o) = parse(bad);
            assert!(o.unparsed && v.is_empty(), "{:?}", String::from_utf8_lossy(bad));
            assert!(!looks_like(bad));
        }
        for no_ip in [
            r#"{"eventid":"cowrie.log.open","src_ip":"not-an-ip"}"#,
            r#"{"eventid":"cowrie.session.closed"}"#,
        ] {
            let (v, o) = parse(no_ip.as_bytes());
            assert!(!o.unparsed && v.is_empty(), "{no_ip}");
        }
        assert!(!looks_like(br#"{"eventid":"login","src_ip":"1.2.3.4"}"#));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let nest = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        // Skipped fields are skipped without recursion: the record is still read.
        let deep = format!(r#"{{"eventid":"cowrie.x","src_ip":"1.2.3.4","k":{nest}}}"#);
        let (v, o) = parse(deep.as_bytes());
        assert!(!o.unparsed);
        assert_eq!(v.len(), 1);
        // The same nesting in a field that is read: taken as absent, no stack overflow.
        let deep = format!(
            r#"{{"eventid":"cowrie.login.failed","src_ip":"1.2.3.4","username":{nest},"src_port":{nest}}}"#
        );
        let (v, o) = parse(deep.as_bytes());
        assert!(!o.unparsed);
        assert_eq!(
            (v[0].kind, v[0].user.as_deref(), v[0].port),
            (Kind::AuthFailure, None, None)
        );
    }

    #[test]
    fn every_prefix_of_a_real_line_is_safe() {
        let line = SUCCESS.as_bytes();
        for n in 0..line.len() {
            let (v, o) = parse(&line[..n]);
            assert!(
                o.unparsed && v.is_empty(),
                "cut at {n}: a cut object is not JSON"
            );
        }
        assert_eq!(parse(line).0.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(line in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let (v, o) = parse(&line);
            proptest::prop_assert!(v.is_empty() || !o.unparsed);
        }
    }
}
