//! Syslog-style lines — `auth.log`/`secure`, `journalctl` text output, RFC 5424 — and the
//! dispatch of their messages to the program's classifier (sshd, the kernel's netfilter log),
//! with every other program's addresses kept as `other`.
//!
//! Accepted prefixes (all detected per line, so a file may mix them):
//! - classic syslog `Nov 30 11:35:01 host prog[pid]: msg` (also `journalctl -o short` and
//!   `short-precise` with fractions), local time;
//! - RFC 3339 `2026-11-30T11:35:01.123456+00:00 host prog[pid]: msg` (rsyslog's high-precision
//!   default on current Debian; `journalctl -o short-iso[-precise]` with `+0000`);
//! - `journalctl -o short-full` / `with-unit`: `Mon 2026-11-30 11:35:01 CET host prog[pid]: msg`
//!   (`with-unit` names the unit, `ssh.service[pid]`, instead of the program);
//! - `journalctl -o short-unix` (`1796038501.123456 host …`) and `short-monotonic` /
//!   `short-delta` (`[12345.678901] host …`, time since boot: no wall-clock time);
//! - RFC 5424 `<38>1 2026-11-30T11:35:01.003Z host sshd 1234 - [sd…] msg`, with or without
//!   structured data, and RFC 3164 lines with a `<PRI>` in front;
//! - Solaris/illumos `… sshd[1234]: [ID 800047 auth.info] msg` (the message ID is dropped);
//! - lines after a block of NUL bytes (what a crash leaves in a file): the NULs are skipped;
//! - no prefix at all (`journalctl -o cat`): the message alone, classified by its content.
//!
//! `last message repeated N times` (sysklogd, and rsyslog in its compatibility mode) stands for
//! N more copies of the previous message of the same host: each is an event of that message's
//! kind. rsyslog's own `message repeated N times: [ msg ]` is handled by the sshd classifier.

use std::borrow::Cow;

use super::clock::Clock;
use super::generic::emit_addresses;
use super::sshd::{self, Classified, Connections, SshdMessage};
use super::timestamp::{
    parse_iso_local, parse_monotonic, parse_short_full, parse_syslog, parse_unix,
};
use super::{Event, Kind, LineCtx, LineOutcome, LineParser, Timestamp, ufw};

/// The parts of a syslog line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyslogLine<'a> {
    /// The line began with a known prefix (a timestamp, or a monotonic time).
    pub stamped: bool,
    pub ts: Option<Timestamp>,
    pub host: Option<&'a str>,
    pub program: Option<&'a str>,
    pub pid: Option<u32>,
    pub message: &'a str,
}

impl<'a> SyslogLine<'a> {
    fn bare(message: &'a str) -> Self {
        SyslogLine {
            stamped: false,
            ts: None,
            host: None,
            program: None,
            pid: None,
            message,
        }
    }
}

/// Split `line` into timestamp, host, program, pid and message. A line without a recognised
/// prefix is all message.
pub fn split<'a>(line: &'a str, clock: &mut Clock) -> SyslogLine<'a> {
    let line = line.trim_start_matches('\0');
    let (line, pri) = strip_pri(line);
    if pri && let Some(l) = rfc5424(line, clock) {
        return l;
    }
    let b = line.as_bytes();
    let stamp = match b.first() {
        Some(c) if c.is_ascii_digit() => parse_iso_local(b, clock)
            .or_else(|| parse_unix(b))
            .map(|(t, n)| (Some(t), n)),
        Some(b'[') => parse_monotonic(b).map(|n| (None, n)),
        Some(c) if c.is_ascii_alphabetic() => parse_syslog(b, clock)
            .or_else(|| parse_short_full(b, clock))
            .map(|(t, n)| (Some(t), n)),
        _ => None,
    };
    // The time is a word of its own: `Dec  3 08:00:38::2` is no syslog prefix (a glued tail
    // would be read as a host or an address that the line does not hold). Found by fuzzing.
    let stamp = stamp.filter(|&(_, n)| matches!(b.get(n), None | Some(b' ')));
    let Some((ts, n)) = stamp else {
        return SyslogLine::bare(line);
    };
    let skip = b[n..].iter().take_while(|&&c| c == b' ').count();
    let rest = &line[n + skip..];
    let (first, after) = match find_byte(b' ', rest.as_bytes()) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    // `host prog[pid]: msg`; some writers leave the host out (`prog[pid]: msg`).
    let (host, tag_and_msg) = if first.ends_with(':') || find_byte(b'[', first.as_bytes()).is_some()
    {
        (None, rest)
    } else {
        (Some(first), after)
    };
    let (program, pid, message) = split_tag(tag_and_msg);
    SyslogLine {
        stamped: true,
        ts,
        host,
        program,
        pid,
        message: strip_msgid(message),
    }
}

/// The first `needle` in `hay`: a plain loop, for the short words of a line's prefix (where
/// `memchr`'s vector set-up costs more than the search; a message may be long, but the search
/// stops at the first match, a word or two in).
#[inline]
fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

/// `<PRI>` at the start of a line (RFC 5424 and RFC 3164 as sent on the wire).
fn strip_pri(line: &str) -> (&str, bool) {
    let b = line.as_bytes();
    if b.first() != Some(&b'<') {
        return (line, false);
    }
    let digits = b[1..]
        .iter()
        .take(4)
        .take_while(|c| c.is_ascii_digit())
        .count();
    if (1..=3).contains(&digits) && b.get(1 + digits) == Some(&b'>') {
        (&line[2 + digits..], true)
    } else {
        (line, false)
    }
}

/// RFC 5424 after the `<PRI>`: `1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]`, `-` for nil.
fn rfc5424<'a>(s: &'a str, clock: &mut Clock) -> Option<SyslogLine<'a>> {
    let rest = s.strip_prefix("1 ")?;
    let mut fields = rest.splitn(6, ' ');
    let ts_tok = fields.next()?;
    let host = fields.next()?;
    let app = fields.next()?;
    let procid = fields.next()?;
    let _msgid = fields.next()?;
    let sd_and_msg = fields.next().unwrap_or("");
    let ts = match ts_tok {
        "-" => None,
        tok => match parse_iso_local(tok.as_bytes(), clock)? {
            (t, n) if n == tok.len() => Some(t),
            _ => return None,
        },
    };
    let msg = if let Some(after) = sd_and_msg.strip_prefix('-') {
        after
    } else if sd_and_msg.starts_with('[') {
        skip_structured_data(sd_and_msg)?
    } else {
        return None;
    };
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    let nil = |v: &'a str| (v != "-").then_some(v);
    Some(SyslogLine {
        stamped: true,
        ts,
        host: nil(host),
        program: nil(app),
        pid: procid.parse().ok(),
        message: strip_msgid(msg),
    })
}

/// Skip `[id param="value" …]…` (values may hold `\]` and `\"`), returning what follows.
fn skip_structured_data(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    let mut i = 0;
    while b.get(i) == Some(&b'[') {
        let mut quoted = false;
        i += 1;
        loop {
            match *b.get(i)? {
                b'\\' if quoted => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    s.get(i..)
}

/// Solaris/illumos put a message ID first: `[ID 800047 auth.info] msg`.
fn strip_msgid(msg: &str) -> &str {
    if let Some(rest) = msg.strip_prefix("[ID ")
        && let Some(end) = rest.find("] ")
        && rest[..end].bytes().all(|c| c != b'[')
    {
        return &rest[end + 2..];
    }
    msg
}

/// `prog[pid]: msg` or `prog: msg` → (program, pid, message).
fn split_tag(s: &str) -> (Option<&str>, Option<u32>, &str) {
    // The tag is one word ending in `:`; the message follows after a space.
    let colon = match find_byte(b' ', s.as_bytes()) {
        Some(sp) if sp > 0 && s.as_bytes()[sp - 1] == b':' => sp - 1,
        None if s.ends_with(':') => s.len() - 1,
        _ => return (None, None, s),
    };
    let tag = &s[..colon];
    let message = s.get(colon + 2..).unwrap_or("");
    if tag.is_empty() {
        return (None, None, s);
    }
    match find_byte(b'[', tag.as_bytes()).map(|i| (&tag[..i], &tag[i + 1..])) {
        Some((prog, rest)) => {
            let pid = rest.strip_suffix(']').and_then(|p| p.parse().ok());
            (Some(prog), pid, message)
        }
        None => (Some(tag), None, message),
    }
}

/// Is this OpenSSH's daemon: the programs `sshd`, `sshd-session`, `sshd-auth`, or (as
/// `journalctl -o with-unit` names them) the units `ssh.service`, `sshd.service`,
/// `sshd@….service`, `ssh@….service`?
pub fn is_sshd(program: &str) -> bool {
    program == "sshd"
        || program.starts_with("sshd-")
        || program.starts_with("sshd@")
        || program.starts_with("ssh@")
        || program == "ssh.service"
        || program == "sshd.service"
}

/// `last message repeated N times` → N.
fn last_message_repeated(message: &str) -> Option<u32> {
    let n = message
        .strip_prefix("last message repeated ")?
        .strip_suffix(" times")?;
    if n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(n.parse().unwrap_or(u32::MAX).max(1))
}

/// The previous message of a host, for `last message repeated N times`.
#[derive(Debug, Default)]
struct Previous {
    host: u32,
    program: String,
    pid: Option<u32>,
    message: String,
}

/// What a [`MessageClassifier`] carries between lines, saved between runs.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ClassifierState {
    conns: Vec<sshd::SavedConn>,
    /// `(host, program, pid, message)` of each host's previous message.
    previous: Vec<(Option<String>, String, Option<u32>, String)>,
}

/// Most hosts whose previous message is kept.
const PREVIOUS_HOSTS: usize = 64;

/// Classifies the messages of syslog-like sources. Keeps the sshd connections of one input
/// (see `sshd.rs`, "Counting rule") and the previous message of each host.
#[derive(Default)]
pub struct MessageClassifier {
    conns: Connections,
    previous: Vec<Previous>,
}

/// What a message's line said besides the message.
#[derive(Clone, Copy)]
struct Line<'a> {
    host_name: Option<&'a str>,
    /// Its id in the connection table.
    host: u32,
    program: Option<&'a str>,
    pid: Option<u32>,
    ts: Option<Timestamp>,
    ctx: LineCtx,
}

impl<'a> Line<'a> {
    /// Every address of `message` as an `other` event of `service`.
    fn addresses(&self, message: &'a str, service: Cow<'a, str>, emit: &mut dyn FnMut(&Event<'a>)) {
        let host = self.host_name;
        emit_addresses(
            message.as_bytes(),
            Kind::Other,
            service,
            self.ts,
            self.ctx,
            &mut |ev| match host {
                Some(h) => {
                    let mut ev = ev.clone();
                    ev.extra.host = Some(Cow::Borrowed(h));
                    emit(&ev)
                }
                None => emit(ev),
            },
        );
    }

    /// The event of a classified sshd message.
    fn sshd_event(&self, m: SshdMessage<'a>, failures: u32, service: Cow<'a, str>) -> Event<'a> {
        let mut ev = Event::new(m.kind, m.ip, service);
        ev.source = self.ctx.source;
        ev.line_no = self.ctx.line_no;
        ev.ts = self.ts;
        ev.port = m.port;
        ev.user = m.user.map(Cow::Borrowed);
        ev.method = m.method.map(Cow::Borrowed);
        ev.repeat = m.repeat;
        ev.failures = failures;
        ev.extra.pid = self.pid;
        ev.extra.host = self.host_name.map(Cow::Borrowed);
        ev
    }
}

impl MessageClassifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Classify one message of `program` (None when the line had no syslog prefix) on `host`
    /// and emit its events. `unparsed` is set for sshd messages no rule understood.
    #[allow(clippy::too_many_arguments)]
    pub fn classify<'a>(
        &mut self,
        host: Option<&'a str>,
        program: Option<&'a str>,
        pid: Option<u32>,
        ts: Option<Timestamp>,
        message: &'a str,
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let line = Line {
            host_name: host,
            host: self.conns.host_id(host),
            program,
            pid,
            ts,
            ctx,
        };
        if program.is_none()
            && let Some(n) = last_message_repeated(message)
        {
            return self.repeat_previous(&line, n, emit);
        }
        let mut emitted = false;
        let outcome = self.dispatch(&line, message, &mut |ev| {
            emitted = true;
            emit(ev)
        });
        if emitted && let Some(program) = program {
            self.remember(line.host, program, pid, message);
        }
        outcome
    }

    fn dispatch<'a>(
        &mut self,
        line: &Line<'a>,
        message: &'a str,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let (host, program, pid) = (line.host, line.program, line.pid);
        let service = || Cow::Borrowed(program.unwrap_or("sshd"));
        if program.is_none_or(is_sshd) {
            match sshd::classify(message) {
                Classified::Event(mut m) => {
                    let failures = self.conns.observe(host, pid, &mut m);
                    emit(&line.sshd_event(m, failures, service()));
                    return LineOutcome::default();
                }
                Classified::Pid(pm) => {
                    if let Some(ip) = self.conns.client(host, pid) {
                        let failures = self.conns.observe_pid(host, pid, ip, &pm);
                        let m = SshdMessage {
                            kind: pm.kind,
                            ip,
                            port: None,
                            user: pm.user,
                            method: None,
                            repeat: 1,
                            attempt: pm.attempt,
                            ends: pm.ends,
                        };
                        emit(&line.sshd_event(m, failures, service()));
                    }
                    return LineOutcome::default();
                }
                // A known message that names no client: nothing to count (an address it may
                // hold is the server's, or text the client chose).
                Classified::Known if program.is_some() => return LineOutcome::default(),
                Classified::Unparsed if program.is_some() => {
                    line.addresses(message, service(), emit);
                    return LineOutcome { unparsed: true };
                }
                // Without a program name the message may be anyone's: fall through.
                _ => {}
            }
        }
        if program.is_none_or(|p| p == "kernel")
            && let Some(fw) = ufw::parse_message(message)
        {
            let mut ev = fw.into_event(line.ctx, line.ts);
            ev.extra.host = line.host_name.map(Cow::Borrowed);
            emit(&ev);
            return LineOutcome::default();
        }
        line.addresses(message, Cow::Borrowed(program.unwrap_or("syslog")), emit);
        LineOutcome::default()
    }

    /// The state to resume from after the lines seen so far.
    pub fn save(&self) -> ClassifierState {
        ClassifierState {
            conns: self.conns.save(),
            previous: self
                .previous
                .iter()
                .map(|p| {
                    (
                        self.conns.host_name(p.host).map(str::to_string),
                        p.program.clone(),
                        p.pid,
                        p.message.clone(),
                    )
                })
                .collect(),
        }
    }

    /// Resume from [`MessageClassifier::save`].
    pub fn restore(&mut self, state: &ClassifierState) {
        self.conns.restore(&state.conns);
        for (host, program, pid, message) in &state.previous {
            let host = self.conns.host_id(host.as_deref());
            self.remember(host, program, *pid, message);
        }
    }

    /// Keep `message` as the previous message of `host` (copied into reused buffers).
    fn remember(&mut self, host: u32, program: &str, pid: Option<u32>, message: &str) {
        let i = match self.previous.iter().position(|p| p.host == host) {
            Some(i) => i,
            None => {
                if self.previous.len() >= PREVIOUS_HOSTS {
                    self.previous.remove(0);
                }
                self.previous.push(Previous {
                    host,
                    ..Previous::default()
                });
                self.previous.len() - 1
            }
        };
        let p = &mut self.previous[i];
        p.program.clear();
        p.program.push_str(program);
        p.pid = pid;
        p.message.clear();
        p.message.push_str(message);
    }

    /// `last message repeated N times`: N more events like the previous message of the host.
    fn repeat_previous<'a>(
        &mut self,
        line: &Line<'a>,
        n: u32,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let Some(i) = self.previous.iter().position(|p| p.host == line.host) else {
            return LineOutcome::default();
        };
        let prev = std::mem::take(&mut self.previous[i]);
        let as_prev = Line {
            program: Some(&prev.program),
            pid: prev.pid,
            ..*line
        };
        if is_sshd(&prev.program) {
            // The sshd classifier counts `message repeated N times: [ … ]` by its rules.
            let text = format!("message repeated {n} times: [ {}]", prev.message);
            self.dispatch(&as_prev, &text, &mut |ev| emit(&ev.clone().into_owned()));
        } else {
            self.dispatch(&as_prev, &prev.message, &mut |ev| {
                let mut ev = ev.clone().into_owned();
                ev.repeat = n;
                emit(&ev)
            });
        }
        self.previous[i] = prev;
        LineOutcome::default()
    }
}

/// The parser for syslog files and `journalctl` text output.
pub struct SyslogParser {
    clock: Clock,
    classifier: MessageClassifier,
}

impl SyslogParser {
    pub fn new(clock: Clock) -> Self {
        SyslogParser {
            clock,
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
        let l = split(line, &mut self.clock);
        self.classifier
            .classify(l.host, l.program, l.pid, l.ts, l.message, ctx, emit)
    }
}

impl LineParser for SyslogParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        match super::utf8(line) {
            Ok(s) => self.parse_str(s, ctx, emit),
            Err(_) => {
                // Invalid UTF-8 (attacker bytes in a user name, say): classify a converted copy
                // and hand out owned events.
                let lossy = String::from_utf8_lossy(line).into_owned();
                self.parse_str(&lossy, ctx, &mut |ev| emit(&ev.clone().into_owned()))
            }
        }
    }

    fn save_state(&self) -> Option<String> {
        let state = SyslogState {
            classifier: self.classifier.save(),
            last_time: self.clock.last(),
        };
        serde_json::to_string(&state).ok()
    }

    fn restore_state(&mut self, state: &str) -> Result<(), String> {
        let state: SyslogState =
            serde_json::from_str(state).map_err(|e| format!("unreadable parser state: {e}"))?;
        self.classifier.restore(&state.classifier);
        self.clock.set_last(state.last_time);
        Ok(())
    }
}

/// What a [`SyslogParser`] carries between lines.
#[derive(serde::Serialize, serde::Deserialize)]
struct SyslogState {
    classifier: ClassifierState,
    /// The previous local time read (for the repeated autumn hour).
    last_time: Option<Timestamp>,
}

#[cfg(test)]
#[path = "syslog_tests.rs"]
mod tests;
