//! Kernel netfilter `LOG` messages: UFW (`[UFW BLOCK] IN=eth0 OUT= MAC=… SRC=… DST=… …`)
//! and plain iptables/nftables log rules, IPv4 and IPv6.
//!
//! The kernel writes `<prefix>IN=<if> OUT=<if> …` and then `KEY=value` fields separated by
//! spaces, each followed by a space. The syslog layer strips the line prefix (time, host,
//! `kernel:`, the optional `[12345.678901]` uptime stamp) and hands [`parse_message`] the
//! message; the parser also copes with those still in front, as it looks for `IN=… OUT=`.
//!
//! Decisions:
//! - Verdict from the log prefix (case-insensitive): `BLOCK`, `DROP`, `REJECT`, `DENY`,
//!   `DENIED` → [`Kind::Blocked`] (so `[UFW LIMIT BLOCK]` is blocked); else `ALLOW`, `ACCEPT`
//!   → [`Kind::Allowed`]; else `AUDIT` → [`Kind::Other`]: UFW's audit records (logging level
//!   `high`/`full`) are written before the verdict, for packets later allowed *or* blocked,
//!   so counting them as either would be wrong. Any other prefix (or none) → `Blocked`: a
//!   `LOG` rule is almost always placed just before the chain's final `DROP`.
//! - For ICMP errors the kernel also logs the quoted packet as `[SRC=… DST=… SPT=… …]`:
//!   reading stops there. `MAC=` is never read as an address.
//! - A value counts only when the space that ends it is there: the last line of a file may be
//!   cut (`SRC=109.205.2`), and a cut `SRC=1.2.3.4` of `SRC=1.2.3.45` would still parse. A
//!   message without a complete `SRC=` is not a firewall event.

use std::borrow::Cow;
use std::net::IpAddr;

use memchr::memmem;

use super::{Event, Kind, LineCtx, Timestamp};

/// One logged packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Firewall<'a> {
    /// [`Kind::Blocked`], [`Kind::Allowed`] or, for UFW audit records, [`Kind::Other`].
    pub kind: Kind,
    /// The packet's source address (IPv4-mapped IPv6 given as IPv4).
    pub src: IpAddr,
    /// The destination address (`DST=`), when complete.
    pub dst: Option<IpAddr>,
    /// `TCP`, `UDP`, `ICMP`, `ICMPv6`, or a protocol number.
    pub proto: Option<&'a str>,
    /// `SPT=` (TCP, UDP, SCTP…).
    pub src_port: Option<u16>,
    /// `DPT=`: the port the packet was aimed at.
    pub dst_port: Option<u16>,
    /// The input interface, or the output interface for locally generated packets.
    pub iface: Option<&'a str>,
    /// The rule's log prefix as written (`[UFW BLOCK] `), possibly empty.
    pub prefix: &'a str,
}

impl<'a> Firewall<'a> {
    /// The event for this packet: service `ufw` for UFW prefixes, `netfilter` otherwise;
    /// `port` is the source port, `extra` carries the destination port and protocol.
    pub fn into_event(self, ctx: LineCtx, ts: Option<Timestamp>) -> Event<'a> {
        let service = if self.prefix.contains("UFW") {
            "ufw"
        } else {
            "netfilter"
        };
        let mut ev = Event::new(self.kind, self.src, service);
        ev.source = ctx.source;
        ev.line_no = ctx.line_no;
        ev.ts = ts;
        ev.port = self.src_port;
        ev.extra.dst_port = self.dst_port;
        ev.extra.proto = self.proto.map(Cow::Borrowed);
        ev
    }
}

/// Parse a netfilter `LOG` message. `None` when it is not one or has no complete `SRC=`.
pub fn parse_message(msg: &str) -> Option<Firewall<'_>> {
    let b = msg.as_bytes();
    let start = find_start(b)?;
    let (mut src, mut dst, mut proto, mut spt, mut dpt) = (None, None, None, None, None);
    let (mut iface_in, mut iface_out) = (None, None);
    let mut at = start;
    // Only tokens followed by a space: the last one may be cut.
    while let Some(len) = memchr::memchr(b' ', &b[at..]) {
        let end = at + len;
        if b[at] == b'[' {
            // An ICMP error's quoted packet: its fields are not this packet's.
            break;
        }
        if let Some(eq) = memchr::memchr(b'=', &b[at..end]) {
            let key = &b[at..at + eq];
            // ASCII boundaries ('=' and ' '), so the slice is always on char boundaries.
            let value = msg.get(at + eq + 1..end).unwrap_or("");
            match key {
                b"IN" if iface_in.is_none() => iface_in = Some(value),
                b"OUT" if iface_out.is_none() => iface_out = Some(value),
                b"SRC" if src.is_none() => src = Some(parse_ip(value)?),
                b"DST" if dst.is_none() => dst = parse_ip(value),
                b"PROTO" if proto.is_none() => proto = Some(value).filter(|v| !v.is_empty()),
                b"SPT" if spt.is_none() => spt = value.parse().ok(),
                b"DPT" if dpt.is_none() => dpt = value.parse().ok(),
                _ => {}
            }
        }
        at = end + 1;
    }
    let prefix = msg.get(..start).unwrap_or("");
    Some(Firewall {
        kind: verdict(prefix.as_bytes()),
        src: src?,
        dst,
        proto,
        src_port: spt,
        dst_port: dpt,
        iface: iface_in
            .filter(|s| !s.is_empty())
            .or(iface_out.filter(|s| !s.is_empty())),
        prefix,
    })
}

/// Whether `line` (a whole log line or just the message) holds a netfilter `LOG` message
/// with a source address field.
pub fn looks_like(line: &[u8]) -> bool {
    find_start(line).is_some_and(|i| memmem::find(&line[i..], b" SRC=").is_some())
}

/// Where `IN=<iface> OUT=` begins: the end of the log prefix.
fn find_start(b: &[u8]) -> Option<usize> {
    memmem::find_iter(b, b"IN=").find(|&i| {
        let value_end = memchr::memchr(b' ', &b[i..]).map(|n| i + n);
        value_end.is_some_and(|e| b[e + 1..].starts_with(b"OUT="))
    })
}

fn verdict(prefix: &[u8]) -> Kind {
    let has = |word: &[u8]| {
        prefix
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    if [&b"BLOCK"[..], b"DROP", b"REJECT", b"DENY", b"DENIED"]
        .iter()
        .any(|w| has(w))
    {
        Kind::Blocked
    } else if has(b"ALLOW") || has(b"ACCEPT") {
        Kind::Allowed
    } else if has(b"AUDIT") {
        Kind::Other
    } else {
        Kind::Blocked
    }
}

/// The kernel writes IPv6 uncompressed (`2001:0db8:0000:…`), which parses as is.
fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real lines from rafmio/log-tracker ufw.log (see the samples README).
    const REAL: &str = "Aug 20 00:01:05 localhost kernel: [3217909.838554] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC=109.205.213.90 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1830 PROTO=TCP SPT=51638 DPT=48580 WINDOW=1024 RES=0x00 SYN URGP=0 ";
    const REAL_CUT: &str = "Aug 20 22:07:12 localhost kernel: [3297476.722562] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d";

    fn msg(line: &str) -> &str {
        // What the syslog layer hands over: after `kernel: ` and the uptime stamp.
        let m = &line[line.find("kernel: ").unwrap() + 8..];
        m.strip_prefix('[')
            .and_then(|r| r.find("] ").map(|i| &r[i + 2..]))
            .unwrap_or(m)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_real_ufw_block() {
        let m = msg(REAL);
        assert!(m.starts_with("[UFW BLOCK] IN="));
        let f = parse_message(m).unwrap();
        assert_eq!(f.kind, Kind::Blocked);
        assert_eq!(f.src, ip("109.205.213.90"));
        assert_eq!(f.dst, Some(ip("194.58.102.129")));
        assert_eq!(f.proto, Some("TCP"));
        assert_eq!((f.src_port, f.dst_port), (Some(51638), Some(48580)));
        assert_eq!(f.iface, Some("eth0"));
        assert_eq!(f.prefix, "[UFW BLOCK] ");
        // The whole line works too, and is recognised.
        assert_eq!(parse_message(REAL).map(|f| f.src), Some(f.src));
        assert!(looks_like(REAL.as_bytes()));

        let ev = f.into_event(
            LineCtx {
                source: 2,
                line_no: 9,
            },
            Some(7),
        );
        assert_eq!(
            (ev.kind, ev.service.as_ref(), ev.port),
            (Kind::Blocked, "ufw", Some(51638))
        );
        assert_eq!(
            (ev.extra.dst_port, ev.extra.proto.as_deref()),
            (Some(48580), Some("TCP"))
        );
        assert_eq!(
            (ev.source, ev.line_no, ev.ts, ev.repeat, ev.failures),
            (2, 9, Some(7), 1, 0)
        );
    }

    #[test]
    fn cut_lines_give_nothing() {
        assert_eq!(parse_message(msg(REAL_CUT)), None);
        assert!(!looks_like(REAL_CUT.as_bytes()));
        // Cut inside the source address: `109.205.213.9` would parse, but is not complete.
        let cut = &REAL[..REAL.find("SRC=").unwrap() + 17];
        assert!(cut.ends_with("SRC=109.205.213.9"));
        assert_eq!(parse_message(cut), None);
        // Cut inside the destination port: the source survives, the port does not.
        let cut = &REAL[..REAL.find("DPT=").unwrap() + 6];
        let f = parse_message(cut).unwrap();
        assert_eq!((f.src_port, f.dst_port), (Some(51638), None));
    }

    #[test]
    fn verdicts_from_prefixes() {
        let body = "IN=eth0 OUT= MAC=00:1a:2b:3c:4d:5e:00:1a:2b:3c:4d:5f:08:00 SRC=203.0.113.5 DST=192.0.2.1 LEN=60 PROTO=UDP SPT=53 DPT=5353 LEN=40 ";
        let cases = [
            ("[UFW BLOCK] ", Kind::Blocked),
            ("[UFW LIMIT BLOCK] ", Kind::Blocked),
            ("[UFW ALLOW] ", Kind::Allowed),
            ("[UFW AUDIT] ", Kind::Other),
            ("iptables-dropped: ", Kind::Blocked),
            ("nft accept: ", Kind::Allowed),
            ("FW-DENIED ", Kind::Blocked),
            ("", Kind::Blocked),
            ("custom: ", Kind::Blocked),
        ];
        for (prefix, kind) in cases {
            let m = format!("{prefix}{body}");
            let f = parse_message(&m).unwrap();
            assert_eq!((f.kind, f.prefix), (kind, prefix), "{m}");
            assert_eq!(f.src, ip("203.0.113.5"), "{m}");
            assert_eq!(f.proto, Some("UDP"));
            assert_eq!(f.dst_port, Some(5353));
        }
        let m = format!("iptables: {body}");
        let f = parse_message(&m).unwrap();
        assert_eq!(
            f.into_event(
                LineCtx {
                    source: 0,
                    line_no: 1
                },
                None
            )
            .service,
            "netfilter"
        );
    }

    #[test]
    fn ipv6_uncompressed_and_icmp() {
        let m = "[UFW BLOCK] IN=eth0 OUT= MAC=33:33:00:00:00:01:00:1a:2b:3c:4d:5e:86:dd SRC=2001:0db8:0000:0000:0000:0000:0000:0042 DST=ff02:0000:0000:0000:0000:0000:0000:0001 LEN=72 TC=0 HOPLIMIT=1 FLOWLBL=0 PROTO=ICMPv6 TYPE=130 CODE=0 ";
        let f = parse_message(m).unwrap();
        assert_eq!(f.src, ip("2001:db8::42"));
        assert_eq!(f.dst, Some(ip("ff02::1")));
        assert_eq!(
            (f.proto, f.src_port, f.dst_port),
            (Some("ICMPv6"), None, None)
        );
        // ICMP error quoting the original packet: the outer addresses win.
        let m = "[UFW BLOCK] IN=eth0 OUT= SRC=198.51.100.1 DST=192.0.2.9 LEN=56 PROTO=ICMP TYPE=3 CODE=3 [SRC=192.0.2.9 DST=203.0.113.77 LEN=28 PROTO=UDP SPT=40000 DPT=33434 LEN=8 ] ";
        let f = parse_message(m).unwrap();
        assert_eq!((f.src, f.dst), (ip("198.51.100.1"), Some(ip("192.0.2.9"))));
        assert_eq!((f.src_port, f.dst_port), (None, None));
        // IPv4-mapped source is given as IPv4; outgoing packet: the output interface.
        let m = "[UFW AUDIT] IN= OUT=wg0 SRC=::ffff:10.1.2.3 DST=10.1.2.4 LEN=40 PROTO=TCP SPT=1 DPT=2 ";
        let f = parse_message(m).unwrap();
        assert_eq!(
            (f.src, f.iface, f.kind),
            (ip("10.1.2.3"), Some("wg0"), Kind::Other)
        );
    }

    #[test]
    fn not_firewall_messages() {
        for m in [
            "",
            "sshd[1]: Failed password for root from 1.2.3.4 port 22 ssh2",
            "IN=eth0 SRC=1.2.3.4 DST=5.6.7.8 ",
            "[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 DST=1.2.3.4 LEN=40 ",
            "[UFW BLOCK] IN=eth0 OUT= SRC=999.1.2.3 DST=1.2.3.4 ",
            "[UFW BLOCK] IN=eth0 OUT= SRC=1.2.3.4",
            "LOGIN=x OUT=y",
            "IN=",
        ] {
            assert_eq!(parse_message(m), None, "{m}");
        }
        assert!(!looks_like(b"kernel: IN=eth0 OUT= ARP REQUEST"));
        assert!(!looks_like(b"\xff\xfeIN="));
        // A bogus port is dropped, the rest kept.
        let f = parse_message("IN=eth0 OUT= SRC=1.2.3.4 DST=5.6.7.8 PROTO=TCP SPT=99999 DPT=22 ")
            .unwrap();
        assert_eq!((f.src_port, f.dst_port), (None, Some(22)));
        // `LOGIN=x` before the real fields does not confuse the start.
        let f = parse_message("LOGIN=x [FW] IN=eth1 OUT= SRC=1.2.3.4 ").unwrap();
        assert_eq!((f.iface, f.prefix), (Some("eth1"), "LOGIN=x [FW] "));
    }

    #[test]
    fn every_prefix_of_a_real_line_is_safe() {
        let m = msg(REAL);
        for n in 0..=m.len() {
            if let Some(f) = parse_message(&m[..n]) {
                // Never a wrong (cut) value: the full one or nothing.
                assert_eq!(f.src, ip("109.205.213.90"), "cut at {n}");
                assert!(
                    f.dst.is_none() || f.dst == Some(ip("194.58.102.129")),
                    "cut at {n}"
                );
                assert!(
                    f.dst_port.is_none() || f.dst_port == Some(48580),
                    "cut at {n}"
                );
                assert!(f.proto.is_none() || f.proto == Some("TCP"), "cut at {n}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(s in "(IN=|OUT=|SRC=|DST=|SPT=|DPT=|PROTO=|\\[| |[0-9a-f.:]{1,6}|[^ ]{1,3}){0,40}") {
            let r = parse_message(&s);
            if r.is_some() {
                proptest::prop_assert!(looks_like(s.as_bytes()));
            }
        }
    }
}
