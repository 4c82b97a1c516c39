//! Parse: turn one line of text into zero or more [`Event`]s.
//!
//! Every format module exposes a [`LineParser`]. Parsers borrow from the line they are given,
//! so the hot path allocates nothing; the callback consumes each event before the next line
//! is read.

pub mod clock;
pub mod cowrie;
pub mod detect;
pub mod extract;
pub mod generic;
pub mod journal;
pub mod scope;
pub mod sshd;
pub mod syslog;
pub mod timestamp;
pub mod ufw;
pub mod web;

use std::borrow::Cow;
use std::net::IpAddr;

use serde::Serialize;

/// `std::str::from_utf8`, quicker on ASCII — nearly every byte of every log: [`is_ascii`]
/// checks 16 bytes at a time, where the validator steps through the text.
#[inline]
pub(crate) fn utf8(b: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if is_ascii(b) {
        // SAFETY: ASCII text is valid UTF-8.
        Ok(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        std::str::from_utf8(b)
    }
}

/// `<[u8]>::is_ascii` for the lengths of log lines and their fields: 16 bytes at a time, the
/// last 16 read overlapping the ones before (std's checks blocks of 64 and then the rest of a
/// line a byte at a time: most of a 120-byte line, measured at 2.5 % of `summary`).
#[inline]
pub(crate) fn is_ascii(b: &[u8]) -> bool {
    const HIGH: u128 = u128::from_ne_bytes([0x80; 16]);
    let word = |c: &[u8]| u128::from_ne_bytes(c.try_into().expect("16 bytes"));
    if b.len() < 16 {
        return b.is_ascii();
    }
    let chunks = b.chunks_exact(16);
    let last = word(&b[b.len() - 16..]);
    chunks.fold(last, |acc, c| acc | word(c)) & HIGH == 0
}

/// What a line means. The names are the stable strings of the export schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A failed authentication (`Failed password for …`, `error: PAM: Authentication failure …`).
    AuthFailure,
    /// `Invalid user U from IP`.
    InvalidUser,
    /// `User U from IP not allowed because …`, `ROOT LOGIN REFUSED FROM IP`.
    PolicyReject,
    /// `maximum authentication attempts exceeded`, `Too many authentication failures`.
    TooManyFailures,
    /// `Accepted password|publickey|… for U from IP`.
    AuthSuccess,
    /// Connection closed/reset/disconnected before authentication completed.
    PreauthDisconnect,
    /// Banner grabbing, protocol probes, key-exchange failures.
    Scan,
    /// Any other line of a known format that names an address.
    Other,
    /// A web request (access log).
    Request,
    /// A packet blocked by a firewall.
    Blocked,
    /// A packet allowed (and logged) by a firewall.
    Allowed,
    /// An address seen in text of no known format.
    Seen,
}

impl Kind {
    /// Every kind, in the order used for per-kind counters.
    pub const ALL: [Kind; 12] = [
        Kind::AuthFailure,
        Kind::InvalidUser,
        Kind::PolicyReject,
        Kind::TooManyFailures,
        Kind::AuthSuccess,
        Kind::PreauthDisconnect,
        Kind::Scan,
        Kind::Other,
        Kind::Request,
        Kind::Blocked,
        Kind::Allowed,
        Kind::Seen,
    ];
    pub const COUNT: usize = Kind::ALL.len();

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AuthFailure => "auth_failure",
            Kind::InvalidUser => "invalid_user",
            Kind::PolicyReject => "policy_reject",
            Kind::TooManyFailures => "too_many_failures",
            Kind::AuthSuccess => "auth_success",
            Kind::PreauthDisconnect => "preauth_disconnect",
            Kind::Scan => "scan",
            Kind::Other => "other",
            Kind::Request => "request",
            Kind::Blocked => "blocked",
            Kind::Allowed => "allowed",
            Kind::Seen => "seen",
        }
    }

    /// The kind named `s` (`auth_failure`, … as in [`Kind::as_str`]; `-` may stand for `_`).
    pub fn from_name(s: &str) -> Option<Kind> {
        let s = s.replace('-', "_");
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Position in [`Kind::ALL`], for array-backed counters.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// Format-specific details of an event. All optional; only what the line said.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extra<'a> {
    /// HTTP status code (web).
    pub status: Option<u16>,
    /// Request path (web).
    pub path: Option<Cow<'a, str>>,
    /// User agent (web).
    pub user_agent: Option<Cow<'a, str>>,
    /// Response size in bytes (web).
    pub bytes: Option<u64>,
    /// Destination port (firewall, honeypot).
    pub dst_port: Option<u16>,
    /// Protocol (firewall: `TCP`, `UDP`, …).
    pub proto: Option<Cow<'a, str>>,
    /// Process id of the logging program, when the line carried one.
    pub pid: Option<u32>,
    /// The host that wrote the line (syslog's host field, the journal's `_HOSTNAME`).
    pub host: Option<Cow<'a, str>>,
}

/// One classified fact from one line.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<'a> {
    /// Index of the input in the run's list of sources.
    pub source: u32,
    /// 1-based line number within that source.
    pub line_no: u64,
    pub ts: Option<Timestamp>,
    /// The program that logged it (`sshd`, `nginx`, `ufw`, …) or the format name.
    pub service: Cow<'a, str>,
    pub kind: Kind,
    pub ip: IpAddr,
    pub port: Option<u16>,
    pub user: Option<Cow<'a, str>>,
    /// Authentication method (`password`, `publickey`, …) or HTTP method.
    pub method: Option<Cow<'a, str>>,
    /// How many identical occurrences this line stands for (rsyslog's
    /// `message repeated N times: [ … ]`); 1 otherwise.
    pub repeat: u32,
    /// How many failed login attempts this event adds to `failures`, after the
    /// de-duplication rules of the format (see `sshd.rs`).
    pub failures: u32,
    pub extra: Extra<'a>,
}

impl<'a> Event<'a> {
    /// A bare event of `kind` for `ip`, with everything else unknown.
    pub fn new(kind: Kind, ip: IpAddr, service: impl Into<Cow<'a, str>>) -> Self {
        Event {
            source: 0,
            line_no: 0,
            ts: None,
            service: service.into(),
            kind,
            ip,
            port: None,
            user: None,
            method: None,
            repeat: 1,
            failures: 0,
            extra: Extra::default(),
        }
    }

    /// The same event, owning its text (for events built from a temporary, e.g. a line that
    /// was not valid UTF-8 and had to be converted).
    pub fn into_owned(self) -> Event<'static> {
        fn own(c: Cow<'_, str>) -> Cow<'static, str> {
            Cow::Owned(c.into_owned())
        }
        Event {
            source: self.source,
            line_no: self.line_no,
            ts: self.ts,
            service: own(self.service),
            kind: self.kind,
            ip: self.ip,
            port: self.port,
            user: self.user.map(own),
            method: self.method.map(own),
            repeat: self.repeat,
            failures: self.failures,
            extra: Extra {
                status: self.extra.status,
                path: self.extra.path.map(own),
                user_agent: self.extra.user_agent.map(own),
                bytes: self.extra.bytes,
                dst_port: self.extra.dst_port,
                proto: self.extra.proto.map(own),
                pid: self.extra.pid,
                host: self.extra.host.map(own),
            },
        }
    }

    /// How many successful logins this event adds.
    pub fn successes(&self) -> u32 {
        if self.kind == Kind::AuthSuccess {
            self.repeat
        } else {
            0
        }
    }
}

/// Where a line came from, handed to parsers with each line.
#[derive(Clone, Copy, Debug)]
pub struct LineCtx {
    pub source: u32,
    pub line_no: u64,
}

/// What a parser reports about a line besides its events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineOutcome {
    /// The line looked like a message of the format (e.g. an sshd line) but matched no rule.
    pub unparsed: bool,
}

/// A line-at-a-time parser. Implementations may keep small, bounded state between the lines
/// of one input (sshd correlates the PAM and sshd reports of one attempt by process id).
pub trait LineParser {
    /// Parse `line` (without its newline) and hand every event to `emit`.
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome;

    /// The state this parser carries from the lines it was given to the next ones (sshd's open
    /// connections), as text, so that reading can resume later exactly where it stopped (the
    /// history stores it with the input's position). `None`: no state.
    fn save_state(&self) -> Option<String> {
        None
    }

    /// Resume from a state that [`LineParser::save_state`] returned. A state that cannot be
    /// read leaves the parser as new (and says why).
    fn restore_state(&mut self, _state: &str) -> Result<(), String> {
        Ok(())
    }
}

/// The input formats a user can name with `--input-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Sshd,
    Web,
    Ufw,
    Journal,
    Cowrie,
    Generic,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sshd => "sshd",
            Format::Web => "web",
            Format::Ufw => "ufw",
            Format::Journal => "journal",
            Format::Cowrie => "cowrie",
            Format::Generic => "generic",
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_ascii_agrees_with_std_at_every_length_and_position() {
        for len in 0..80 {
            let clean = vec![b'a'; len];
            assert!(super::is_ascii(&clean), "{len} ASCII bytes");
            for at in 0..len {
                for high in [0x80u8, 0xc3, 0xff] {
                    let mut b = clean.clone();
                    b[at] = high;
                    assert_eq!(
                        super::is_ascii(&b),
                        b.is_ascii(),
                        "{len} bytes, {high:#x} at {at}"
                    );
                }
            }
        }
    }
}
