//! Syslog-style lines — `auth.log`/`secure`, `journalctl` text output — and the dispatch of
//! their messages to the program's classifier (sshd, the kernel's netfilter log), with every
//! other program's addresses kept as `other`.
//!
//! Accepted prefixes:
//! - classic syslog `Nov 30 11:35:01 host prog[pid]: msg` (also `journalctl -o short`,
//!   and `short-precise` with fractions);
//! - RFC 3339 `2026-11-30T11:35:01.123456+00:00 host prog[pid]: msg` (rsyslog's high-precision
//!   default on current Debian; `journalctl -o short-iso[-precise]` with `+0000`);
//! - no prefix at all (`journalctl -o cat`): the message alone, classified by its content.

use std::borrow::Cow;
use std::net::IpAddr;

use super::generic::emit_addresses;
use super::sshd::{self, Classified, FailureCounter};
use super::timestamp::{YearRule, parse_rfc3339, parse_syslog};
use super::{Event, Kind, LineCtx, LineOutcome, LineParser, Timestamp, ufw};

/// The parts of a syslog line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyslogLine<'a> {
    pub ts: Option<Timestamp>,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<u32>,
    pub message: &'a str,
}

/// Split `line` into timestamp, host, program, pid and message. A line without a recognised
/// prefix is all message.
pub fn split(line: &str, year: YearRule) -> SyslogLine<'_> {
    let b = line.as_bytes();
    let stamp = parse_rfc3339(b).or_else(|| parse_syslog(b, year));
    // The time is a word of its own: `Dec  3 08:00:38::2` is no syslog prefix (a glued tail
    // would be read as a host or an address that the line does not hold).
    let stamp = stamp.filter(|&(_, n)| matches!(b.get(n), None | Some(b' ')));
    let Some((ts, n)) = stamp else {
        return SyslogLine {
            ts: None,
            host: None,
            program: None,
            pid: None,
            message: line,
        };
    };
    let skip = b[n..].iter().take_while(|&&c| c == b' ').count();
    let rest = &line[n + skip..];
    let (first, after) = match memchr::memchr(b' ', rest.as_bytes()) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    // `host prog[pid]: msg`; some writers leave the host out (`prog[pid]: msg`).
    let (host, tag_and_msg) =
        if first.ends_with(':') || memchr::memchr(b'[', first.as_bytes()).is_some() {
            (None, rest)
        } else {
            (Some(first), after)
        };
    let (program, pid, message) = split_tag(tag_and_msg);
    SyslogLine {
        ts: Some(ts),
        host,
        program,
        pid,
        message,
    }
}

/// `prog[pid]: msg` or `prog: msg` → (program, pid, message).
fn split_tag(s: &str) -> (Option<&str>, Option<u32>, &str) {
    // The tag is one word ending in `:`; the message follows after a space.
    let colon = match memchr::memchr(b' ', s.as_bytes()) {
        Some(sp) if sp > 0 && s.as_bytes()[sp - 1] == b':' => sp - 1,
        None if s.ends_with(':') => s.len() - 1,
        _ => return (None, None, s),
    };
    let tag = &s[..colon];
    let message = s.get(colon + 2..).unwrap_or("");
    if tag.is_empty() {
        return (None, None, s);
    }
    match memchr::memchr(b'[', tag.as_bytes()).map(|i| (&tag[..i], &tag[i + 1..])) {
        Some((prog, rest)) => {
            let pid = rest.strip_suffix(']').and_then(|p| p.parse().ok());
            (Some(prog), pid, message)
        }
        None => (Some(tag), None, message),
    }
}

/// Is this the name of OpenSSH's daemon (`sshd`, `sshd-session`, `sshd-auth`)?
pub fn is_sshd(program: &str) -> bool {
    program == "sshd" || program.starts_with("sshd-") || program.starts_with("sshd@")
}

/// Classifies the messages of syslog-like sources. Keeps the sshd failure counter of one input,
/// and the last client address of each sshd process, for the old
/// `Disconnecting: Too many authentication failures for U` message, which names none.
pub struct MessageClassifier {
    sshd_failures: FailureCounter,
    /// `(pid, client)` by `pid % PIDS`: a later process with the same slot replaces an
    /// earlier one (sshd processes are short-lived, and the message follows within seconds).
    client_of_pid: Box<[Option<(u32, IpAddr)>]>,
}

/// Slots for remembered sshd processes.
const PIDS: usize = 4096;

impl Default for MessageClassifier {
    fn default() -> Self {
        Self::new()
    }
}

impl MessageClassifier {
    pub fn new() -> Self {
        MessageClassifier {
            sshd_failures: FailureCounter::new(),
            client_of_pid: vec![None; PIDS].into_boxed_slice(),
        }
    }

    /// Classify one message of `program` (None when the line had no syslog prefix) and emit
    /// its events. `unparsed` is set for sshd messages no rule understood.
    pub fn classify<'a>(
        &mut self,
        program: Option<&'a str>,
        pid: Option<u32>,
        ts: Option<Timestamp>,
        message: &'a str,
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let sshd_like = program.is_none_or(is_sshd);
        if sshd_like {
            match sshd::classify(message) {
                Classified::Event(m) => {
                    let failures = self.sshd_failures.count(pid, &m);
                    if let Some(pid) = pid {
                        self.client_of_pid[pid as usize % PIDS] = Some((pid, m.ip));
                    }
                    let mut ev = Event::new(m.kind, m.ip, program.unwrap_or("sshd"));
                    ev.source = ctx.source;
                    ev.line_no = ctx.line_no;
                    ev.ts = ts;
                    ev.port = m.port;
                    ev.user = m.user.map(Cow::Borrowed);
                    ev.method = m.method.map(Cow::Borrowed);
                    ev.repeat = m.repeat;
                    ev.failures = failures;
                    ev.extra.pid = pid;
                    emit(&ev);
                    return LineOutcome::default();
                }
                Classified::Known if program.is_some() => {
                    if let Some(ev) = self.too_many_failures(pid, ts, message, ctx) {
                        emit(&ev);
                        return LineOutcome::default();
                    }
                    let service = Cow::Borrowed(program.unwrap_or("sshd"));
                    emit_addresses(message.as_bytes(), Kind::Other, service, ts, ctx, emit);
                    return LineOutcome::default();
                }
                Classified::Unparsed if program.is_some() => {
                    let service = Cow::Borrowed(program.unwrap_or("sshd"));
                    emit_addresses(message.as_bytes(), Kind::Other, service, ts, ctx, emit);
                    return LineOutcome { unparsed: true };
                }
                // Without a program name the message may be anyone's: fall through.
                _ => {}
            }
        }
        if program.is_none_or(|p| p == "kernel")
            && let Some(fw) = ufw::parse_message(message)
        {
            emit(&fw.into_event(ctx, ts));
            return LineOutcome::default();
        }
        let service = Cow::Borrowed(program.unwrap_or("syslog"));
        emit_addresses(message.as_bytes(), Kind::Other, service, ts, ctx, emit);
        LineOutcome::default()
    }
}

impl MessageClassifier {
    /// `Disconnecting: Too many authentication failures [for U] [preauth]` names no address:
    /// it belongs to the client this sshd process last logged.
    fn too_many_failures<'a>(
        &self,
        pid: Option<u32>,
        ts: Option<Timestamp>,
        message: &'a str,
        ctx: LineCtx,
    ) -> Option<Event<'a>> {
        let rest = message.strip_prefix("Disconnecting: Too many authentication failures")?;
        let pid = pid?;
        let ip = match self.client_of_pid[pid as usize % PIDS] {
            Some((p, ip)) if p == pid => ip,
            _ => return None,
        };
        let rest = rest.strip_suffix(" [preauth]").unwrap_or(rest);
        let mut ev = Event::new(Kind::TooManyFailures, ip, "sshd");
        ev.source = ctx.source;
        ev.line_no = ctx.line_no;
        ev.ts = ts;
        ev.user = rest.strip_prefix(" for ").map(Cow::Borrowed);
        ev.extra.pid = Some(pid);
        Some(ev)
    }
}

/// The parser for syslog files and `journalctl` text output.
pub struct SyslogParser {
    pub year: YearRule,
    classifier: MessageClassifier,
}

impl SyslogParser {
    pub fn new(year: YearRule) -> Self {
        SyslogParser {
            year,
            classifier: MessageClassifier::new(),
        }
    }

    fn parse_str<'a>(
        &mut self,
        line: &'a str,
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        // journalctl's own notes: `-- Boot 1a2b… --`, `-- No entries --`, `-- Logs begin at …`.
        if line.starts_with("-- ") {
            return LineOutcome::default();
        }
        let l = split(line, self.year);
        self.classifier
            .classify(l.program, l.pid, l.ts, l.message, ctx, emit)
    }
}

impl LineParser for SyslogParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        match std::str::from_utf8(line) {
            Ok(s) => self.parse_str(s, ctx, emit),
            Err(_) => {
                // Invalid UTF-8 (attacker bytes in a user name, say): classify a converted copy
                // and hand out owned events.
                let lossy = String::from_utf8_lossy(line).into_owned();
                self.parse_str(&lossy, ctx, &mut |ev| emit(&ev.clone().into_owned()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR: YearRule = YearRule::Fixed(2026);

    #[test]
    fn splits_classic_syslog() {
        let l = split(
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
            YEAR,
        );
        assert_eq!(l.host, Some("LabSZ"));
        assert_eq!(l.program, Some("sshd"));
        assert_eq!(l.pid, Some(24200));
        assert_eq!(l.message, "Invalid user webmaster from 173.234.31.186");
        assert!(l.ts.is_some());
    }

    #[test]
    fn splits_rfc3339_and_short_iso() {
        for line in [
            "2026-11-30T11:35:01.123456+00:00 vps sshd-session[42]: Connection closed by 1.2.3.4 port 22 [preauth]",
            "2026-11-30T11:35:01+0000 vps sshd-session[42]: Connection closed by 1.2.3.4 port 22 [preauth]",
        ] {
            let l = split(line, YEAR);
            assert_eq!(l.ts, Some(1_796_038_501), "{line}");
            assert_eq!(l.host, Some("vps"));
            assert_eq!(l.program, Some("sshd-session"));
            assert_eq!(l.pid, Some(42));
            assert_eq!(l.message, "Connection closed by 1.2.3.4 port 22 [preauth]");
        }
    }

    #[test]
    fn splits_tag_without_pid_and_without_host() {
        let l = split("Nov 30 11:35:01 host CRON: pam_unix(cron:session): x", YEAR);
        assert_eq!((l.program, l.pid), (Some("CRON"), None));
        assert_eq!(l.message, "pam_unix(cron:session): x");
        let l = split("Nov 30 11:35:01 sshd[7]: Accepted", YEAR);
        assert_eq!((l.host, l.program, l.pid), (None, Some("sshd"), Some(7)));
        assert_eq!(l.message, "Accepted");
    }

    #[test]
    fn no_prefix_is_all_message() {
        let l = split("Failed password for root from 1.2.3.4 port 22 ssh2", YEAR);
        assert_eq!(l.ts, None);
        assert_eq!(l.program, None);
        assert_eq!(
            l.message,
            "Failed password for root from 1.2.3.4 port 22 ssh2"
        );
    }

    #[test]
    fn truncated_prefixes_do_not_panic() {
        for line in [
            "Nov 30 11:35:01",
            "Nov 30 11:35:01 ",
            "Nov 30 11:35:01 host",
            "Nov 30 11:35:01 host ",
            "Nov 30 11:35:01 host sshd[",
            "Nov 30 11:35:01 host sshd[1]:",
            "Nov 30 11:35:01 host sshd[x]: m",
            "2026-11-30T11:35:01Z",
            "",
        ] {
            let _ = split(line, YEAR);
        }
        assert_eq!(
            split("Nov 30 11:35:01 host sshd[1]:", YEAR).program,
            Some("sshd")
        );
    }

    fn events(lines: &str) -> Vec<Event<'static>> {
        let mut p = SyslogParser::new(YEAR);
        let mut out = Vec::new();
        for (i, line) in lines.lines().enumerate() {
            let ctx = LineCtx {
                source: 0,
                line_no: i as u64 + 1,
            };
            p.parse_line(line.as_bytes(), ctx, &mut |ev| {
                out.push(ev.clone().into_owned())
            });
        }
        out
    }

    #[test]
    fn too_many_failures_is_given_the_client_of_its_process() {
        // Real sequence (loghub OpenSSH_2k, pid 24227), the old wording without an address.
        let evs = events(
            "Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2
Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]
Dec 10 07:14:00 LabSZ sshd[999]: Disconnecting: Too many authentication failures for admin [preauth]",
        );
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(evs[1].kind, Kind::TooManyFailures);
        assert_eq!(evs[1].ip.to_string(), "5.36.59.76");
        assert_eq!(evs[1].user.as_deref(), Some("root"));
        assert_eq!(evs[1].failures, 0);
    }

    #[test]
    fn other_programs_keep_their_addresses() {
        let evs = events(
            "Nov 30 11:35:01 h sudo[5]: alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/usr/bin/ping 9.9.9.9
Nov 30 11:35:02 h kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00:16:3e:aa:bb:cc:00:16:3e:dd:ee:ff:08:00 SRC=45.148.10.240 DST=10.0.0.5 LEN=40 TOS=0x00 PREC=0x00 TTL=242 ID=54321 PROTO=TCP SPT=40000 DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0 ",
        );
        assert_eq!(evs.len(), 2, "{evs:?}");
        assert_eq!(
            (evs[0].kind, evs[0].service.as_ref()),
            (Kind::Other, "sudo")
        );
        assert_eq!(evs[0].ip.to_string(), "9.9.9.9");
        assert_eq!(
            (evs[1].kind, evs[1].service.as_ref()),
            (Kind::Blocked, "ufw")
        );
        assert_eq!(evs[1].extra.dst_port, Some(22));
    }
}
