//! OpenSSH server messages: what one `sshd` (or `sshd-session`, `sshd-auth`) message says.
//!
//! The syslog / journal layer strips the line prefix (timestamp, host, `sshd[pid]: `) and hands
//! [`classify`] the bare message text. [`classify`] is stateless and allocation-free; it
//! borrows the user name and method from the message. [`FailureCounter`] is the small
//! per-input state that turns classified messages into a count of failed login attempts.
//!
//! # Kinds
//!
//! | kind | messages (any OpenSSH from 3.x to 10.x; `error: `/`fatal: ` prefixes are ignored) |
//! |---|---|
//! | `auth_failure` | `Failed <method> for [invalid user \| illegal user ]U from IP port N ssh2[: key]`; `error: PAM: <reason> for [illegal user ]U from IP` |
//! | `invalid_user` | `Invalid user U from IP[ port N]`, `Illegal user U from IP` |
//! | `policy_reject` | `User U from IP not allowed because …`; `ROOT LOGIN REFUSED FROM IP[ port N]`; tcp-wrappers `refused connect from H (IP)` |
//! | `too_many_failures` | `error: maximum authentication attempts exceeded for [invalid user ]U from IP port N ssh2`; `Disconnecting (authenticating\|invalid) user U IP port N: Too many authentication failures` |
//! | `auth_success` | `Accepted <method> for U from IP port N ssh2[: key]` |
//! | `preauth_disconnect` | `Connection closed by`, `Connection reset by`, `Disconnected from`, `Received disconnect from`, `Disconnecting …`, `Connection from … timed out`, `Read error from remote host …` — when the line ends in `[preauth]` or names an `authenticating user`/`invalid user` |
//! | `scan` | `Did not receive identification string from IP`; `banner exchange: Connection from IP port N: …`; `<function>: Connection from IP port N: <error>` (`ssh_dispatch_run_fatal`); `Unable to negotiate with IP port N: …`; `Bad protocol version identification '…' from IP`; `Protocol major versions differ for IP`; `Timeout before authentication for IP` |
//! | `other` | any other known message naming the client: `Connection from IP port N on …`, `reverse mapping checking getaddrinfo for H [IP] failed…`, `Address IP maps to H, but …`, `Nasty PTR record …`, `pam_unix(sshd:auth): authentication failure; … rhost=IP`, `PAM N more authentication failures; … rhost=IP`, `Postponed …`/`Partial …`, `Starting session: …`, `Close session: …`, `Timeout, client not responding from …`, `drop connection #N from [IP]:P …`, `srclimit_penalise: …`; and **post-authentication** disconnects |
//!
//! Disconnect decisions: a disconnect line counts as `preauth_disconnect` when it ends in
//! `[preauth]` or names an `authenticating user U` / `invalid user U` (OpenSSH ≥ 7.6 preamble).
//! It is `other` when it names a logged-in `user U`, and for `Received disconnect` /
//! `Disconnected from` / `Connection from … timed out` / `Read error` without either marker
//! (those are post-authentication in every version). `Connection closed by IP port N` and
//! `Connection reset by IP port N` without a marker are `preauth_disconnect`: current sshd logs
//! them during the banner exchange (before the privilege-separated child that adds
//! `[preauth]`), and logs post-authentication closes with a `user U` preamble.
//!
//! Messages that name no client address are [`Classified::Known`]: session open/close, server
//! start, `fatal: Write failed`, `input_userauth_request: invalid user X`, `check pass; user
//! unknown`, `PAM service(sshd) ignoring max retries`, the old
//! `Disconnecting: Too many authentication failures for U` (no address), `kex_exchange_identification: …`,
//! PAM lines whose `rhost=` is a host name, `User U from HOST not allowed` with `UseDNS yes`,
//! addresses logged as `UNKNOWN`, `debug…` lines, and internal `<function_name>: …` diagnostics.
//!
//! # Hostile text
//!
//! User names, client version strings, disconnect reasons and PTR names are chosen by the
//! client. sshd prints user names raw (spaces, `from 6.6.6.6`, `<script>` …), so addresses are
//! taken from the part of the message that sshd wrote itself: after the *last* ` from ` whose
//! tail has exactly the shape sshd prints (`IP port N ssh2[: key]`), or from the left when the
//! attacker-controlled text comes after the address (`Received disconnect from IP port N:11:
//! <reason>`, `Unable to negotiate with IP port N: <offer>`). One ambiguity is left: a
//! `Failed publickey` line for a *certificate* whose key ID imitates `from IP port N ssh2: …`;
//! the rightmost well-formed tail wins there.
//!
//! # Counting rule
//!
//! `failures` counts failed login attempts, and **one attempt counts once** although sshd and
//! PAM may report it on several lines — and **every connection that shows an attack signal
//! counts at least one**, even when no `Failed …` line was written: a server that accepts
//! only keys logs no `Failed password` at all, and its attackers show as `Invalid user`,
//! `not allowed because`, `Too many authentication failures` and `Connection closed by
//! authenticating user … [preauth]`. The rule, applied per connection by [`Connections`] from
//! the [`Attempt`] that [`classify`] attaches to each message:
//!
//! 1. A connection is one sshd process on one host: the key is (host, pid), not the pid alone
//!    (a central syslog file mixes hosts whose pids collide). It ends with its last line
//!    (`Connection closed`, `Connection reset`, `Disconnected from`, `Disconnecting …`,
//!    `Unable to negotiate`, …). Without a pid (`journalctl -o cat`) the key is (host,
//!    address).
//! 2. **Attack signals** ([`Attempt::Signal`]): `Invalid user`, `User U from IP not allowed
//!    because …`, `ROOT LOGIN REFUSED`, `administratively prohibited connection`,
//!    `maximum authentication attempts exceeded`, `Too many authentication failures` (every
//!    wording), `public key … signature … rejected`, a disconnect that names an
//!    `authenticating user U` or `invalid user U` (the client sent a user name and did not get
//!    in), `Received disconnect … : Auth fail` and disconnect code 14 (the client reports that
//!    it gave up authenticating). A signal adds 1 if nothing was counted on its connection yet,
//!    and leaves a *credit* of 1: the next `Failed …` line of the connection is the same attempt
//!    and adds nothing. Otherwise a signal adds 0.
//! 3. `Failed <method> …` ([`Attempt::Failed`]) adds `repeat` (1, or N for rsyslog's
//!    `message repeated N times: [ Failed … ]`, which stands for N identical lines), less the
//!    connection's credit.
//! 4. `Failed none …` adds 0 ([`Attempt::NotCounted`]): the `none` method carries no
//!    credential, it is how a client asks which methods exist, and sshd itself does not count
//!    the first `none` request against `MaxAuthTries`. The line is still an `auth_failure`.
//! 5. `error: PAM: <reason> for U from IP` ([`Attempt::PamReport`]) adds `repeat` (less the
//!    credit) and leaves `repeat` *pending* reports on the connection. sshd logs it only for
//!    keyboard-interactive authentication (password authentication logs PAM failures at debug
//!    level), and then logs `Failed keyboard-interactive/pam for U from IP port N ssh2` for the
//!    same attempt.
//! 6. `Failed keyboard-interactive… ` ([`Attempt::KeyboardInteractive`]) adds `repeat` minus the
//!    pending reports it consumes, less the credit. A PAM report without a following `Failed`
//!    line (the client went away) therefore still counts once.
//! 7. Everything else adds 0: `pam_unix(sshd:auth): authentication failure; … rhost=IP` (it
//!    precedes the `Failed password` of the same attempt), `PAM N more authentication
//!    failures` (a summary of attempts already logged), disconnects without a user name.
//!
//! So a password attack (`Invalid user` + `Failed password` × 3) counts 3, a key-only attack
//! (`Invalid user` + `Connection closed by invalid user … [preauth]`) counts 1, and a
//! `maximum authentication attempts exceeded` after six `Failed` lines counts 6. Messages
//! without an address that belong to a connection (the old `Disconnecting: Too many
//! authentication failures for U`, `User U not allowed because account is locked`) are
//! [`Classified::Pid`] and take the connection's client address. A disconnect of a connection
//! that logged a successful login is `other`, whatever its wording.
//!
//! Memory is bounded: [`Connections`] is a fixed table of [`Connections::SLOTS`] connections;
//! a connection whose slot is taken by another one is forgotten, at the price of at most one
//! miscount for it.

use std::collections::HashMap;
use std::net::IpAddr;

use foldhash::fast::RandomState;

use super::Kind;

/// Substring search for the short literal needles of the rules, on short messages: a plain
/// byte loop to each occurrence of the needle's first byte, then a compare. `str::find` with a
/// `&str` pattern (and `memchr::memmem`) build a searcher on every call, and even `memchr`'s
/// vector set-up costs more than the search itself on a message of a hundred bytes, searched
/// several times; the loop is also what lets the compiler keep the whole rule inline.
trait FastFind {
    fn find_fast(&self, needle: &str) -> Option<usize>;
    fn rfind_fast(&self, needle: &str) -> Option<usize>;
    fn contains_fast(&self, needle: &str) -> bool {
        self.find_fast(needle).is_some()
    }
    /// `split_once(' ')`.
    fn split_space(&self) -> Option<(&str, &str)>;
    /// `rfind(' ')`.
    fn rfind_space(&self) -> Option<usize>;
}

impl FastFind for str {
    #[inline]
    fn find_fast(&self, needle: &str) -> Option<usize> {
        let (h, n) = (self.as_bytes(), needle.as_bytes());
        let (&first, _) = n.split_first()?;
        let last = h.len().checked_sub(n.len())?;
        (0..=last).find(|&at| h[at] == first && h[at..].starts_with(n))
    }
    #[inline]
    fn rfind_fast(&self, needle: &str) -> Option<usize> {
        let (h, n) = (self.as_bytes(), needle.as_bytes());
        let (&first, _) = n.split_first()?;
        let last = h.len().checked_sub(n.len())?;
        (0..=last)
            .rev()
            .find(|&at| h[at] == first && h[at..].starts_with(n))
    }
    #[inline]
    fn split_space(&self) -> Option<(&str, &str)> {
        let i = self.bytes().position(|b| b == b' ')?;
        Some((&self[..i], &self[i + 1..]))
    }
    #[inline]
    fn rfind_space(&self) -> Option<usize> {
        self.bytes().rposition(|b| b == b' ')
    }
}

/// How a message relates to the count of failed login attempts (see the module docs,
/// "Counting rule").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Attempt {
    /// Adds nothing: not a failed attempt, or one already counted on another line.
    NotCounted,
    /// sshd's own report of a failed attempt (`Failed password …`): adds `repeat`.
    Failed,
    /// `error: PAM: Authentication failure for U from IP`: adds `repeat` and marks the
    /// attempt so the `Failed keyboard-interactive/pam` line that follows adds 0.
    PamReport,
    /// `Failed keyboard-interactive[/pam] …`: adds `repeat` less the pending PAM reports of
    /// the connection.
    KeyboardInteractive,
    /// An attack signal without a `Failed` line of its own (`Invalid user`, `Too many
    /// authentication failures`, …): the connection counts at least one failed attempt.
    Signal,
}

/// What one sshd message says about one client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshdMessage<'a> {
    /// What the message means.
    pub kind: Kind,
    /// The client address, canonical (`::ffff:a.b.c.d` is the IPv4 address; zone dropped).
    pub ip: IpAddr,
    /// The client's source port, when logged.
    pub port: Option<u16>,
    /// The user name as logged, raw and attacker-controlled; may be empty
    /// (`Invalid user  from …`).
    pub user: Option<&'a str>,
    /// Authentication method: `password`, `publickey`, `keyboard-interactive/pam`, `none`, …
    pub method: Option<&'a str>,
    /// How many identical messages this one stands for (rsyslog's `message repeated N times:
    /// [ … ]` gives N); 1 otherwise.
    pub repeat: u32,
    /// How the message relates to the failed-attempt count.
    pub attempt: Attempt,
    /// The connection ends with this message.
    pub ends: bool,
}

impl<'a> SshdMessage<'a> {
    fn new(kind: Kind, ip: IpAddr, port: Option<u16>) -> Self {
        SshdMessage {
            kind,
            ip,
            port,
            user: None,
            method: None,
            repeat: 1,
            attempt: Attempt::NotCounted,
            ends: false,
        }
    }

    fn user(mut self, user: Option<&'a str>) -> Self {
        self.user = user;
        self
    }

    fn signal(mut self) -> Self {
        self.attempt = Attempt::Signal;
        self
    }

    fn ending(mut self) -> Self {
        self.ends = true;
        self
    }
}

/// A message about a connection that does not name the client: it belongs to the client the
/// same process logged before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PidMessage<'a> {
    pub kind: Kind,
    pub user: Option<&'a str>,
    pub attempt: Attempt,
    pub ends: bool,
}

/// The result of [`classify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Classified<'a> {
    /// A message about a client address.
    Event(SshdMessage<'a>),
    /// A known sshd message that names no client address (session opened/closed, server
    /// listening, `fatal: Write failed`, `input_userauth_request: invalid user X [preauth]`,
    /// `check pass; user unknown`, …).
    Known,
    /// A message about the connection of this process that does not name its client (the old
    /// `Disconnecting: Too many authentication failures for U`, `User U not allowed because
    /// account is locked`).
    Pid(PidMessage<'a>),
    /// Looks like an sshd message but no rule matched (also: truncated lines).
    Unparsed,
}

/// Classify one sshd message (the text after `sshd[pid]: `).
///
/// Never panics; allocates nothing; the result borrows from `msg`.
pub fn classify(msg: &str) -> Classified<'_> {
    let msg = msg.trim_end();
    let (repeat, inner) = if msg.starts_with("message repeated ") {
        match strip_repeated(msg) {
            Some(x) => x,
            None => return Classified::Unparsed,
        }
    } else {
        (1, msg)
    };
    let mut out = classify_message(inner);
    if let Classified::Event(m) = &mut out {
        m.repeat = repeat;
    }
    out
}

/// `message repeated N times: [ MSG]` → (N, MSG).
fn strip_repeated(msg: &str) -> Option<(u32, &str)> {
    let rest = msg.strip_prefix("message repeated ")?;
    let (n, rest) = rest.split_once(" times: [")?;
    let n = parse_u32(n)?.max(1);
    // A truncated line may have lost the closing bracket.
    let rest = rest.strip_suffix(']').unwrap_or(rest);
    Some((n, rest.trim()))
}

fn classify_message(msg: &str) -> Classified<'_> {
    let (body, preauth) = match msg.strip_suffix("[preauth]") {
        Some(b) => (b.trim_end(), true),
        None => (msg, false),
    };
    let body = body
        .strip_prefix("error: ")
        .or_else(|| body.strip_prefix("fatal: "))
        .unwrap_or(body);
    let out = rules(body, preauth);
    // sshd prints `UNKNOWN` when the socket is already gone: a known message without address.
    if out == Classified::Unparsed && body.contains_fast("UNKNOWN") {
        return Classified::Known;
    }
    out
}

fn event(m: Option<SshdMessage<'_>>) -> Classified<'_> {
    m.map_or(Classified::Unparsed, Classified::Event)
}

fn event_or_known(m: Option<SshdMessage<'_>>) -> Classified<'_> {
    m.map_or(Classified::Known, Classified::Event)
}

/// Messages that name no client address (after `error: `/`fatal: ` is removed).
const KNOWN_PREFIXES: &[&str] = &[
    "Server listening on ",
    "Received signal ",
    "Received SIGHUP",
    "Exiting on signal",
    "Write failed",
    "Read from socket failed",
    "Transferred: ",
    "subsystem request for ",
    "Authentication refused: ",
    "Set /proc/self/oom",
    "Changed root directory",
    "Bind to port ",
    "Cannot bind any address",
    "Corrupted MAC on input",
    "Bad packet length",
    "Unable to negotiate a key exchange method",
    "no matching ",
    "no hostkey alg",
    "Missing privilege separation directory",
    "Privilege separation user ",
    "Disabling protocol version",
    "Unsafe AuthorizedKeysCommand",
    "AuthorizedKeysCommand ",
    "User child is on pid",
    "Starting sshd",
    "Timeout, client not responding.",
    "Disconnecting: ",
    "debug",
    "warning: ",
    "Attempt to write login records by non-root user",
    "Authentication tried for ",
    "Login restricted for ",
    "beginning MaxStartups throttling",
    "exited MaxStartups throttling",
    "Password change required",
    "Received request to connect to host ",
    "Unsupported ",
    "Invalid PTR record",
    "Could not ",
    "Authentication key ",
    "Certificate invalid",
    "Unable to load host key",
    "no more sessions",
    "Deprecated option",
    "rexec line ",
    "reprocess config line ",
    "/etc/ssh/",
];

fn rules(body: &str, preauth: bool) -> Classified<'_> {
    use Kind::*;
    // Dispatch on the first byte so a line is compared with a few prefixes, not all.
    match body.as_bytes().first().copied().unwrap_or(0) {
        b'F' => {
            if let Some(rest) = body.strip_prefix("Failed ") {
                return event(auth_log(rest, AuthFailure));
            }
        }
        b'A' => {
            if body.starts_with("Accepted certificate ID ") || body.starts_with("Accepted key ") {
                return Classified::Known;
            }
            if let Some(rest) = body.strip_prefix("Accepted ") {
                return event(auth_log(rest, AuthSuccess));
            }
            if let Some(rest) = body.strip_prefix("Address ") {
                let m = rest
                    .split_space()
                    .filter(|(_, after)| after.starts_with("maps to "))
                    .and_then(|(tok, _)| parse_ip(tok))
                    .map(|ip| SshdMessage::new(Other, ip, None));
                return event(m);
            }
        }
        b'P' => {
            if let Some(rest) = body
                .strip_prefix("Postponed ")
                .or_else(|| body.strip_prefix("Partial "))
            {
                return event(auth_log(rest, Other));
            }
            if let Some(rest) = body.strip_prefix("Protocol major versions differ") {
                return match rest.strip_prefix(" for ") {
                    // `for IP[ port N]: server-version vs. client-version`
                    Some(rest) => event(
                        remote_before_colon(rest, true)
                            .or_else(|| remote_id_right(rest))
                            .map(|r| r.message(Scan)),
                    ),
                    None => Classified::Known,
                };
            }
            if let Some(rest) = body.strip_prefix("PAM: ") {
                return pam_error(rest);
            }
            if body.starts_with("PAM ") {
                return pam_module(body);
            }
        }
        b'I' => {
            if let Some(rest) = body
                .strip_prefix("Invalid user ")
                .or_else(|| body.strip_prefix("Illegal user "))
            {
                return event(invalid_user(rest).map(SshdMessage::signal));
            }
        }
        b'm' => {
            if let Some(rest) = body.strip_prefix("maximum authentication attempts exceeded for ") {
                return event(auth_log_tail(rest).map(|t| {
                    SshdMessage::new(TooManyFailures, t.ip, t.port)
                        .user(Some(strip_invalid(t.user)))
                        .signal()
                }));
            }
        }
        b'C' => {
            if body == "Connection closed by remote host" {
                return Classified::Known;
            }
            if let Some(rest) = body.strip_prefix("Connection closed by ") {
                return event(remote_id_right(rest).map(|r| r.disconnect(preauth, true)));
            }
            if let Some(rest) = body.strip_prefix("Connection reset by ") {
                if rest == "peer" {
                    return Classified::Known;
                }
                return event(remote_id_right(rest).map(|r| r.disconnect(preauth, true)));
            }
            if let Some(rest) = body.strip_prefix("Connection from ") {
                return event(connection_from(rest, preauth));
            }
            if let Some(rest) = body.strip_prefix("Close session: ") {
                return event(session_line(rest, "user "));
            }
            if let Some(rest) = body.strip_prefix("Closing connection to ") {
                return event(remote_id_right(rest).map(|r| r.message(Other)));
            }
        }
        b'D' => {
            if let Some(rest) = body.strip_prefix("Disconnected from ") {
                return event(remote_id_right(rest).map(|r| r.disconnect(preauth, false)));
            }
            if let Some(rest) = body.strip_prefix("Disconnecting: ") {
                return disconnecting_old(rest);
            }
            if let Some(rest) = body.strip_prefix("Disconnecting ") {
                return event(disconnecting(rest, preauth));
            }
            if let Some(rest) = body.strip_prefix("Did not receive identification string from ") {
                return event(remote_id_right(rest).map(|r| r.message(Scan)));
            }
        }
        b'R' => {
            if let Some(rest) = body.strip_prefix("Received disconnect from ") {
                return event(received_disconnect(rest, preauth));
            }
            if let Some(rest) = body.strip_prefix("ROOT LOGIN REFUSED FROM ") {
                return event(
                    remote_id_right(rest)
                        .filter(|r| r.peer == Peer::Anonymous)
                        .map(|r| r.message(PolicyReject).user(Some("root")).signal()),
                );
            }
            if let Some(rest) = body.strip_prefix("Read error from remote host ") {
                return event(
                    remote_before_colon(rest, true).map(|r| r.disconnect(preauth, false)),
                );
            }
        }
        b'U' => {
            if let Some(rest) = body.strip_prefix("User ") {
                return policy_user(rest);
            }
            if let Some(rest) = body.strip_prefix("Unable to negotiate with ") {
                return event(remote_before_colon(rest, true).map(|r| r.message(Scan).ending()));
            }
        }
        b'r' => {
            if let Some(rest) = body.strip_prefix("refused connect from ") {
                // tcp-wrappers: `refused connect from HOST (IP)`.
                let ip = rest
                    .strip_suffix(')')
                    .and_then(|r| r.rfind_fast(" (").map(|i| &r[i + 2..]))
                    .and_then(parse_ip);
                return event(ip.map(|ip| SshdMessage::new(PolicyReject, ip, None)));
            }
            if let Some(rest) = body.strip_prefix("reverse mapping checking getaddrinfo for ") {
                // `… for HOST [IP] failed - POSSIBLE BREAK-IN ATTEMPT!` / `… [IP] failed.`; the PTR
                // name comes from the client's DNS, so the brackets are found from the right.
                let ip = rest.rfind_fast("] failed").and_then(|end| {
                    let head = &rest[..end];
                    head.rfind('[')
                        .and_then(|start| parse_ip(&head[start + 1..]))
                });
                return event(ip.map(|ip| SshdMessage::new(Other, ip, None)));
            }
        }
        b'B' => {
            // `Bad remote protocol version identification: '…'`: the quoted banner is the
            // client's text and may hold any address; the next line names the client.
            if body.starts_with("Bad remote protocol version identification") {
                return Classified::Known;
            }
            if let Some(rest) = body.strip_prefix("Bad protocol version identification ") {
                let m = rest
                    .rfind_fast(" from ")
                    .and_then(|i| remote_id_right(&rest[i + 6..]))
                    .filter(|r| r.peer == Peer::Anonymous)
                    .map(|r| r.message(Scan));
                return event(m);
            }
        }
        b'T' => {
            if let Some(rest) = body.strip_prefix("Timeout before authentication") {
                return match rest.strip_prefix(" for ") {
                    Some(rest) => event(timeout_before_auth(rest)),
                    None => Classified::Known,
                };
            }
            if let Some(rest) = body.strip_prefix("Timeout, client not responding from ") {
                return event(remote_id_right(rest).map(|r| r.message(Other).ending()));
            }
        }
        b'k' if body.starts_with("kex_exchange_identification: ") => return Classified::Known,
        b'p' => {
            if body.starts_with("pam_") {
                return pam_module(body);
            }
            if let Some(rest) = body.strip_prefix("public key ") {
                return event(pubkey_rejected(rest));
            }
            if let Some(rest) = body.strip_prefix("probed from ") {
                return event(probed(rest));
            }
        }
        b'a' => {
            if let Some(rest) = body.strip_prefix("administratively prohibited connection for ") {
                return event(auth_log_tail(rest).map(|t| {
                    SshdMessage::new(PolicyReject, t.ip, t.port)
                        .user(Some(strip_invalid(t.user)))
                        .signal()
                }));
            }
        }
        b't' => {
            if let Some(rest) = body.strip_prefix("terminating inactive connection from ") {
                return event(remote_id_right(rest).map(|r| r.message(Other).ending()));
            }
        }
        b'N' => {
            if let Some(rest) = body.strip_prefix("Nasty PTR record ") {
                let ip = rest
                    .strip_suffix(", ignoring")
                    .and_then(|r| r.rfind_fast(" is set up for ").map(|i| &r[i + 15..]))
                    .and_then(parse_ip);
                return event(ip.map(|ip| SshdMessage::new(Other, ip, None)));
            }
        }
        b'S' => {
            if let Some(rest) = body.strip_prefix("Starting session: ") {
                return event(session_line(rest, " for "));
            }
        }
        b'd' => {
            if let Some(rest) = body.strip_prefix("drop connection #") {
                return event(drop_connection(rest));
            }
        }
        b's' => {
            if let Some(rest) = body.strip_prefix("scanned from ") {
                return event(probed(rest));
            }
            if let Some(rest) = body.strip_prefix("srclimit_penalise: ") {
                // The client is written as an address or a CIDR block (`ADDR/LEN`), maybe
                // followed by one `,` or `:`.
                let ip = rest.split(' ').find_map(|tok| {
                    let tok = tok.strip_suffix([',', ':']).unwrap_or(tok);
                    match tok.split_once('/') {
                        Some((a, len))
                            if !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()) =>
                        {
                            parse_ip(a)
                        }
                        Some(_) => None,
                        None => parse_ip(tok),
                    }
                });
                return event_or_known(ip.map(|ip| SshdMessage::new(Other, ip, None)));
            }
        }
        _ => {}
    }
    if KNOWN_PREFIXES.iter().any(|p| body.starts_with(p)) {
        return Classified::Known;
    }
    if let Some(rest) = function_prefix(body) {
        // `ssh_dispatch_run_fatal: Connection from [PREAMBLE ]IP port N: <error>`,
        // `banner exchange: …` (handled here too), or an internal diagnostic.
        return match rest.strip_prefix("Connection from ") {
            Some(conn) => event(remote_before_colon(conn, false).map(|r| {
                let kind = if matches!(r.peer, Peer::User(_)) {
                    Other
                } else {
                    Scan
                };
                r.message(kind).ending()
            })),
            None => Classified::Known,
        };
    }
    Classified::Unparsed
}

/// `name: ` at the start, where name is a C identifier with an underscore
/// (`input_userauth_request`, `ssh_dispatch_run_fatal`) or `banner exchange`.
fn function_prefix(body: &str) -> Option<&str> {
    if let Some(rest) = body.strip_prefix("banner exchange: ") {
        return Some(rest);
    }
    let end = body.find_fast(": ")?;
    let name = &body[..end];
    let ident = !name.is_empty()
        && name.contains('_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ident.then(|| &body[end + 2..])
}

/// The client address token as sshd prints it, canonical.
/// The address in a token sshd wrote (`1.2.3.4`, `2001:db8::1`, `[::1]`, `fe80::1%eth0`),
/// strict and canonical (`::ffff:a.b.c.d` is the IPv4 address), by the shared address parser.
fn parse_ip(tok: &str) -> Option<IpAddr> {
    super::extract::parse_addr(tok.as_bytes())
}

fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Saturate absurd counts instead of failing.
    Some(s.parse().unwrap_or(u32::MAX))
}

fn parse_port(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Length of the leading run of ASCII digits.
fn digits_len(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

/// `invalid user U` / `illegal user U` → `U`.
fn strip_invalid(user: &str) -> &str {
    user.strip_prefix("invalid user ")
        .or_else(|| user.strip_prefix("illegal user "))
        .unwrap_or(user)
}

/// Who the connection belongs to, from sshd's log preamble (OpenSSH ≥ 7.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Peer<'a> {
    /// No preamble.
    Anonymous,
    /// `authenticating user U`: a valid user, not yet authenticated.
    Authenticating(&'a str),
    /// `invalid user U`.
    Invalid(&'a str),
    /// `user U`: authenticated.
    User(&'a str),
}

/// A parsed `[PREAMBLE ]IP[ port N]`.
#[derive(Clone, Copy, Debug)]
struct Remote<'a> {
    peer: Peer<'a>,
    ip: IpAddr,
    port: Option<u16>,
}

impl<'a> Remote<'a> {
    fn user(&self) -> Option<&'a str> {
        match self.peer {
            Peer::Anonymous => None,
            Peer::Authenticating(u) | Peer::Invalid(u) | Peer::User(u) => Some(u),
        }
    }

    fn message(&self, kind: Kind) -> SshdMessage<'a> {
        SshdMessage::new(kind, self.ip, self.port).user(self.user())
    }

    /// A message that ends the connection: its kind by [`Remote::disconnect_kind`]; an attack
    /// signal when the client had sent a user name and not got in.
    fn disconnect(&self, preauth: bool, anonymous_is_preauth: bool) -> SshdMessage<'a> {
        let m = self
            .message(self.disconnect_kind(preauth, anonymous_is_preauth))
            .ending();
        match self.peer {
            Peer::Authenticating(_) | Peer::Invalid(_) => m.signal(),
            _ => m,
        }
    }

    /// See the module docs: `[preauth]` or a pre-authentication preamble → preauth; a
    /// logged-in user → other; no marker → `anonymous_is_preauth`.
    fn disconnect_kind(&self, preauth: bool, anonymous_is_preauth: bool) -> Kind {
        match self.peer {
            _ if preauth => Kind::PreauthDisconnect,
            Peer::Authenticating(_) | Peer::Invalid(_) => Kind::PreauthDisconnect,
            Peer::User(_) => Kind::Other,
            Peer::Anonymous if anonymous_is_preauth => Kind::PreauthDisconnect,
            Peer::Anonymous => Kind::Other,
        }
    }
}

fn parse_peer(pre: &str) -> Option<Peer<'_>> {
    if pre.is_empty() {
        Some(Peer::Anonymous)
    } else if let Some(u) = pre.strip_prefix("authenticating user ") {
        Some(Peer::Authenticating(u))
    } else if let Some(u) = pre.strip_prefix("invalid user ") {
        Some(Peer::Invalid(u))
    } else {
        pre.strip_prefix("user ").map(Peer::User)
    }
}

/// `s` is exactly `[PREAMBLE ]IP[ port N]`; parsed from the right, so a user name in the
/// preamble cannot supply the address.
fn remote_id_right(s: &str) -> Option<Remote<'_>> {
    let (head, port) = match s.rfind_fast(" port ") {
        Some(i) if parse_port(&s[i + 6..]).is_some() => (&s[..i], parse_port(&s[i + 6..])),
        _ => (s, None),
    };
    let (pre, tok) = match head.rfind_space() {
        Some(i) => (&head[..i], &head[i + 1..]),
        None => ("", head),
    };
    let ip = parse_ip(tok)?;
    let peer = parse_peer(pre)?;
    Some(Remote { peer, ip, port })
}

/// `s` is `[PREAMBLE ]IP[ port N]: TEXT`. `leftmost` picks the first `: ` that ends a
/// well-formed remote id (use it when TEXT is client-controlled); otherwise the last.
fn remote_before_colon(s: &str, leftmost: bool) -> Option<Remote<'_>> {
    let try_at = |i: usize| remote_id_right(&s[..i]);
    if leftmost {
        s.match_indices(": ").find_map(|(i, _)| try_at(i))
    } else {
        s.rmatch_indices(": ").find_map(|(i, _)| try_at(i))
    }
}

/// The address part of an `auth_log` line.
#[derive(Debug, PartialEq, Eq)]
struct AuthTail<'a> {
    /// Everything between `for ` and ` from ` (`root`, `invalid user admin`, …).
    user: &'a str,
    ip: IpAddr,
    port: Option<u16>,
}

/// `[invalid user ]U from IP port N ssh2[: extra]`. The user name is raw, so the last
/// ` from ` whose tail has sshd's exact shape wins.
fn auth_log_tail(rest: &str) -> Option<AuthTail<'_>> {
    if let Some(t) = auth_log_tail_ssh2(rest) {
        return Some(t);
    }
    auth_log_tail_any(rest)
}

/// [`auth_log_tail`] for the common shape, read from the right without searching: `… from IP
/// port N ssh2`. The ` from ` right before the address is then the last one (nothing after it
/// holds one), and its tail is well formed, so it is the one the general rule picks. `None`
/// when the line has another shape: the general rule decides.
fn auth_log_tail_ssh2(rest: &str) -> Option<AuthTail<'_>> {
    let b = rest.as_bytes();
    let end = b.len().checked_sub(5).filter(|&e| &b[e..] == b" ssh2")?;
    let digits = b[..end]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let port_at = end - digits;
    let port = parse_port(&rest[port_at..end])?;
    let tok_end = port_at
        .checked_sub(6)
        .filter(|&i| &b[i..port_at] == b" port ")?;
    let tok_start = b[..tok_end].iter().rposition(|&c| c == b' ')? + 1;
    let from = tok_start
        .checked_sub(6)
        .filter(|&i| &b[i..tok_start] == b" from ")?;
    let ip = parse_ip(&rest[tok_start..tok_end])?;
    Some(AuthTail {
        user: &rest[..from],
        ip,
        port: Some(port),
    })
}

/// [`auth_log_tail`]: every ` from `, from the right, until one has a well-formed tail.
fn auth_log_tail_any(rest: &str) -> Option<AuthTail<'_>> {
    let mut end = rest.len();
    while let Some(i) = rest[..end].rfind_fast(" from ") {
        if let Some((ip, port)) = auth_addr(&rest[i + 6..]) {
            return Some(AuthTail {
                user: &rest[..i],
                ip,
                port,
            });
        }
        end = i;
    }
    None
}

/// `IP port N[ ssh2|ssh1][: extra]` (or bare `IP` in very old versions).
fn auth_addr(t: &str) -> Option<(IpAddr, Option<u16>)> {
    let Some((tok, after)) = t.split_space() else {
        return parse_ip(t).map(|ip| (ip, None));
    };
    let ip = parse_ip(tok)?;
    let after = after.strip_prefix("port ")?;
    let n = digits_len(after);
    let port = parse_port(&after[..n])?;
    let after = &after[n..];
    let after = after
        .strip_prefix(" ssh2")
        .or_else(|| after.strip_prefix(" ssh1"))
        .unwrap_or(after);
    (after.is_empty() || after.starts_with(": ")).then_some((ip, Some(port)))
}

/// `METHOD for [invalid user ]U from IP port N ssh2[: extra]` (after `Failed `/`Accepted `…).
fn auth_log(rest: &str, kind: Kind) -> Option<SshdMessage<'_>> {
    let (method, rest) = rest.split_space()?;
    let rest = rest.strip_prefix("for ")?;
    if method.is_empty() {
        return None;
    }
    let tail = auth_log_tail(rest)?;
    let attempt = match kind {
        Kind::AuthFailure if method == "none" => Attempt::NotCounted,
        Kind::AuthFailure if method.starts_with("keyboard-interactive") => {
            Attempt::KeyboardInteractive
        }
        Kind::AuthFailure => Attempt::Failed,
        _ => Attempt::NotCounted,
    };
    Some(SshdMessage {
        user: Some(strip_invalid(tail.user)),
        method: Some(method),
        attempt,
        ..SshdMessage::new(kind, tail.ip, tail.port)
    })
}

/// `U from IP[ port N]` (after `Invalid user `).
fn invalid_user(rest: &str) -> Option<SshdMessage<'_>> {
    let (user, addr) = match rest.rfind_fast(" from ") {
        Some(i) => (&rest[..i], &rest[i + 6..]),
        // `Invalid user from IP` if a transport collapsed the two spaces of an empty name.
        None => ("", rest.strip_prefix("from ")?),
    };
    let r = remote_id_right(addr).filter(|r| r.peer == Peer::Anonymous)?;
    Some(r.message(Kind::InvalidUser).user(Some(user)))
}

/// `U from HOST not allowed because REASON` (after `User `). HOST is a name with `UseDNS yes`.
fn policy_user(rest: &str) -> Classified<'_> {
    if rest.starts_with("child is on pid") {
        return Classified::Known;
    }
    let Some(i) = rest.find_fast(" not allowed because ") else {
        // `User U password has expired`, … : no address.
        return if rest.contains_fast(" from ") {
            Classified::Unparsed
        } else {
            Classified::Known
        };
    };
    let head = &rest[..i];
    // `User U not allowed because account is locked` (or `shell … does not exist`), or
    // `User U from HOST not allowed …` with `UseDNS yes`: the connection's client.
    fn by_pid(user: &str) -> Classified<'_> {
        Classified::Pid(PidMessage {
            kind: Kind::PolicyReject,
            user: Some(user),
            attempt: Attempt::Signal,
            ends: false,
        })
    }
    let Some(f) = head.rfind_fast(" from ") else {
        return by_pid(head);
    };
    match parse_ip(&head[f + 6..]) {
        Some(ip) => Classified::Event(
            SshdMessage::new(Kind::PolicyReject, ip, None)
                .user(Some(&head[..f]))
                .signal(),
        ),
        None => by_pid(&head[..f]),
    }
}

/// `IP port N:CODE: TEXT` (≥ 7.x) or `IP: CODE: TEXT` (older); TEXT comes from the client.
/// The client reporting that authentication failed (`…: Auth fail`, as JSch writes) is a
/// failed login; code 14 (no more authentication methods) an attack signal. The line does not
/// end the connection: `Disconnected from …` follows.
fn received_disconnect(rest: &str, preauth: bool) -> Option<SshdMessage<'_>> {
    let (tok, after) = rest.split_space().unwrap_or((rest, ""));
    let (r, tail) = if let Some(ip) = parse_ip(tok) {
        let after = after.strip_prefix("port ")?;
        let n = digits_len(after);
        let port = parse_port(&after[..n])?;
        let tail = after[n..].strip_prefix(':')?;
        let r = Remote {
            peer: Peer::Anonymous,
            ip,
            port: Some(port),
        };
        (r, tail)
    } else if let Some(ip) = tok.strip_suffix(':').and_then(parse_ip) {
        let r = Remote {
            peer: Peer::Anonymous,
            ip,
            port: None,
        };
        (r, after)
    } else {
        // A preamble form (`from authenticating user U IP port N:CODE: …`), if a version
        // prints one: the first ` port N:` that ends a well-formed remote id.
        rest.match_indices(" port ").find_map(|(i, _)| {
            let after = &rest[i + 6..];
            let n = digits_len(after);
            if n == 0 || !after[n..].starts_with(':') {
                return None;
            }
            remote_id_right(&rest[..i + 6 + n])
                .filter(|r| r.peer != Peer::Anonymous)
                .map(|r| (r, &after[n + 1..]))
        })?
    };
    // `CODE: TEXT`.
    let tail = tail.trim_start();
    let code = &tail[..digits_len(tail)];
    let text = tail[code.len()..].strip_prefix(':').unwrap_or("");
    if text.contains_fast("Auth fail") {
        return Some(r.message(Kind::AuthFailure).signal());
    }
    if code == "14" {
        // No authentication method left: the client gave up authenticating.
        return Some(r.message(Kind::PreauthDisconnect).signal());
    }
    Some(r.message(r.disconnect_kind(preauth, false)))
}

/// After `Disconnecting: ` (OpenSSH before 7.6, which names no connection in the prefix):
/// `Too many authentication failures for [invalid user ]U from IP port N ssh2` (6.x/7.x), or
/// without the address (`… for U`, older): then it belongs to the client of this process.
fn disconnecting_old(rest: &str) -> Classified<'_> {
    let Some(tail) = rest.strip_prefix("Too many authentication failures") else {
        return Classified::Known;
    };
    let Some(who) = tail.strip_prefix(" for ") else {
        return Classified::Pid(PidMessage {
            kind: Kind::TooManyFailures,
            user: None,
            attempt: Attempt::Signal,
            ends: true,
        });
    };
    match auth_log_tail(who) {
        Some(t) => Classified::Event(
            SshdMessage::new(Kind::TooManyFailures, t.ip, t.port)
                .user(Some(strip_invalid(t.user)))
                .signal()
                .ending(),
        ),
        None => Classified::Pid(PidMessage {
            kind: Kind::TooManyFailures,
            user: Some(strip_invalid(who)),
            attempt: Attempt::Signal,
            ends: true,
        }),
    }
}

/// After `public key `: `TYPE signature for [invalid user ]U from IP port N rejected: …`
/// (a FIDO key whose user-presence or verification check failed).
fn pubkey_rejected(rest: &str) -> Option<SshdMessage<'_>> {
    let (_, rest) = rest.split_once(" signature for ")?;
    let i = rest.rfind_fast(" rejected")?;
    let head = &rest[..i];
    let f = head.rfind_fast(" from ")?;
    let r = remote_id_right(&head[f + 6..]).filter(|r| r.peer == Peer::Anonymous)?;
    Some(
        r.message(Kind::AuthFailure)
            .user(Some(strip_invalid(&head[..f])))
            .signal(),
    )
}

/// After `probed from ` / `scanned from `: `IP port N with TEXT.  Don't panic.`; TEXT is the
/// client's banner.
fn probed(rest: &str) -> Option<SshdMessage<'_>> {
    let i = rest.find_fast(" with ")?;
    remote_id_right(&rest[..i])
        .filter(|r| r.peer == Peer::Anonymous)
        .map(|r| r.message(Kind::Scan).ending())
}

/// `[PREAMBLE ]IP port N: REASON` (after `Disconnecting `).
fn disconnecting(rest: &str, preauth: bool) -> Option<SshdMessage<'_>> {
    if let Some(r) = rest
        .strip_suffix(": Too many authentication failures")
        .and_then(remote_id_right)
    {
        return Some(r.message(Kind::TooManyFailures).signal().ending());
    }
    // Other reasons may quote client text (`Change of username …: (a,…) -> (b,…)`).
    let (i, r) = rest
        .match_indices(": ")
        .find_map(|(i, _)| remote_id_right(&rest[..i]).map(|r| (i, r)))?;
    let reason = &rest[i + 2..];
    if reason.starts_with("Too many authentication failures") {
        return Some(r.message(Kind::TooManyFailures).signal().ending());
    }
    Some(r.disconnect(preauth, false))
}

/// After `Connection from `: `IP port N on IP port M[ rdomain "…"]` (the client is first),
/// `IP port N`, or `[PREAMBLE ]IP port N timed out`.
fn connection_from(rest: &str, preauth: bool) -> Option<SshdMessage<'_>> {
    if let Some(head) = rest.strip_suffix(" timed out") {
        let r = remote_id_right(head)?;
        return Some(r.disconnect(preauth, false));
    }
    let (tok, after) = rest.split_space().unwrap_or((rest, ""));
    let ip = parse_ip(tok)?;
    let port = match after.strip_prefix("port ") {
        Some(p) => Some(parse_port(&p[..digits_len(p)])?),
        None if after.is_empty() => None,
        None => return None,
    };
    Some(SshdMessage::new(Kind::Other, ip, port))
}

/// `IP[ port N][, pid = N]`, or (≥ 9.8) `connection from IP to IP, pid = N`.
fn timeout_before_auth(rest: &str) -> Option<SshdMessage<'_>> {
    if let Some(conn) = rest.strip_prefix("connection from ") {
        let tok = conn.split(' ').next()?;
        return parse_ip(tok).map(|ip| SshdMessage::new(Kind::Scan, ip, None));
    }
    let rest = rest.rfind_fast(", pid = ").map_or(rest, |i| &rest[..i]);
    remote_id_right(rest).map(|r| r.message(Kind::Scan))
}

/// `Starting session: KIND for U from IP port N id D` (`user_marker` = ` for `) or
/// `Close session: user U from IP port N id D` (`user_marker` = `user `).
fn session_line<'a>(rest: &'a str, user_marker: &str) -> Option<SshdMessage<'a>> {
    let f = rest.rfind_fast(" from ")?;
    let tail = &rest[f + 6..];
    let addr = match tail.rfind_fast(" id ") {
        Some(i) => &tail[..i],
        None => tail,
    };
    let r = remote_id_right(addr).filter(|r| r.peer == Peer::Anonymous)?;
    let head = &rest[..f];
    let user = head
        .rfind(user_marker)
        .map(|i| &head[i + user_marker.len()..]);
    Some(r.message(Kind::Other).user(user))
}

/// `N from [IP]:P on [IP]:P past MaxStartups` / `… penalty: …` (after `drop connection #`).
fn drop_connection(rest: &str) -> Option<SshdMessage<'_>> {
    let (_, after) = rest.split_once(" from [")?;
    let (tok, after) = after.split_once(']')?;
    let ip = parse_ip(tok)?;
    let port = after
        .strip_prefix(':')
        .and_then(|p| parse_port(&p[..digits_len(p)]));
    Some(SshdMessage::new(Kind::Other, ip, port))
}

/// After `PAM: `: `<reason> for [illegal user ]U from HOST` (keyboard-interactive failures).
/// HOST is a name with `UseDNS yes`: then the line names no address.
fn pam_error(rest: &str) -> Classified<'_> {
    let Some(f) = rest.find_fast(" for ") else {
        return Classified::Known;
    };
    let tail = &rest[f + 5..];
    let Some(i) = tail.rfind_fast(" from ") else {
        return Classified::Known;
    };
    // Some PAM stacks add ` via LOCAL-ADDRESS`: the server's side, never the client.
    let host = &tail[i + 6..];
    let host = host.find_fast(" via ").map_or(host, |v| &host[..v]);
    match parse_ip(host) {
        Some(ip) => Classified::Event(SshdMessage {
            user: Some(strip_invalid(&tail[..i])),
            attempt: Attempt::PamReport,
            ..SshdMessage::new(Kind::AuthFailure, ip, None)
        }),
        None => Classified::Known,
    }
}

/// `pam_unix(sshd:auth): authentication failure; … rhost=IP[  user=U]`,
/// `PAM N more authentication failures; … rhost=IP …`, and other PAM module lines.
fn pam_module(body: &str) -> Classified<'_> {
    // pam_unix's own wording, most of a password attack's lines: where `rhost=` is is known
    // (the prefix holds the first ` rhost=`, at its end), and `check pass` names no host.
    const AUTH_FAILURE: &str =
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=";
    const CHECK_PASS: &str = "pam_unix(sshd:auth): check pass; user unknown";
    let v = if let Some(v) = body.strip_prefix(AUTH_FAILURE) {
        v
    } else if body == CHECK_PASS {
        return Classified::Known;
    } else {
        let Some(i) = body.find_fast(" rhost=") else {
            return Classified::Known;
        };
        &body[i + 7..]
    };
    let tok = v.split(' ').next().unwrap_or("");
    let Some(ip) = parse_ip(tok) else {
        return Classified::Known;
    };
    let user = v
        .find_fast(" user=")
        .map(|u| v[u + 6..].trim())
        .filter(|u| !u.is_empty());
    Classified::Event(SshdMessage::new(Kind::Other, ip, None).user(user))
}

/// The state of one sshd connection (see the module docs, "Counting rule").
#[derive(Clone, Copy, Debug)]
struct Conn {
    /// Host id and pid (`NO_PID` when the line carried none); with `ip`, the connection's key.
    host: u32,
    pid: u32,
    ip: IpAddr,
    /// Failed attempts counted on this connection so far.
    counted: u32,
    /// A failure counted by a signal that the next `Failed` line of the connection stands for.
    credit: u32,
    /// `error: PAM:` reports counted and not yet matched by their `Failed keyboard-interactive`.
    pam: u32,
    /// A login succeeded on this connection.
    authed: bool,
    /// The connection ended; a new line with this key starts a new one.
    ended: bool,
}

const NO_PID: u32 = u32::MAX;

/// Applies the counting rule (module docs) to the sshd messages of one input, in order, per
/// connection, and remembers the client of each sshd process for messages that name none.
///
/// Memory is bounded: a fixed table of [`Connections::SLOTS`] connections, and the names of
/// at most [`Connections::HOSTS`] hosts.
#[derive(Debug)]
pub struct Connections {
    slots: Box<[Option<Conn>]>,
    hosts: HashMap<Box<str>, u32, RandomState>,
    /// The host of the previous line and its id (most files hold one host).
    last_host: Option<(Box<str>, u32)>,
}

impl Default for Connections {
    fn default() -> Self {
        Self::new()
    }
}

impl Connections {
    /// Connections remembered at once.
    pub const SLOTS: usize = 8192;
    /// Host names remembered; past this the table starts again (ids are reused).
    pub const HOSTS: usize = 65536;

    pub fn new() -> Self {
        Connections {
            slots: vec![None; Self::SLOTS].into_boxed_slice(),
            hosts: HashMap::default(),
            last_host: None,
        }
    }

    /// A small id for a host name (0: no host).
    pub fn host_id(&mut self, host: Option<&str>) -> u32 {
        let Some(host) = host else {
            return 0;
        };
        if let Some((name, id)) = &self.last_host
            && **name == *host
        {
            return *id;
        }
        if self.hosts.len() >= Self::HOSTS {
            self.hosts.clear();
        }
        let next = self.hosts.len() as u32 + 1;
        let id = *self.hosts.entry(Box::from(host)).or_insert(next);
        self.last_host = Some((Box::from(host), id));
        id
    }

    fn slot(host: u32, pid: u32, ip: IpAddr) -> usize {
        let h = if pid == NO_PID {
            // Without a pid the client is part of the key.
            let bits = match ip {
                IpAddr::V4(a) => u64::from(u32::from(a)),
                IpAddr::V6(a) => {
                    let v = u128::from(a);
                    (v as u64) ^ ((v >> 64) as u64)
                }
            };
            bits.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        } else {
            u64::from(pid)
        };
        let h = h ^ u64::from(host).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        (h as usize) % Self::SLOTS
    }

    /// The connection of `(host, pid)` with client `ip`: its state, or a new one.
    fn entry(&mut self, host: u32, pid: Option<u32>, ip: IpAddr) -> &mut Conn {
        let pid = pid.unwrap_or(NO_PID);
        let slot = &mut self.slots[Self::slot(host, pid, ip)];
        let fresh = Conn {
            host,
            pid,
            ip,
            counted: 0,
            credit: 0,
            pam: 0,
            authed: false,
            ended: false,
        };
        match slot {
            Some(c) if c.host == host && c.pid == pid && c.ip == ip && !c.ended => {}
            _ => *slot = Some(fresh),
        }
        slot.as_mut().expect("just filled")
    }

    /// The client of the connection of `(host, pid)`, if this process named one.
    pub fn client(&self, host: u32, pid: Option<u32>) -> Option<IpAddr> {
        let pid = pid?;
        // With a pid, the slot does not depend on the address.
        let c = self.slots[Self::slot(host, pid, IpAddr::from([0, 0, 0, 0]))]?;
        (c.host == host && c.pid == pid).then_some(c.ip)
    }

    /// Count the message `m` of process `pid` on host `host`: how many failed attempts it adds
    /// to `failures` (0 ..= `m.repeat`, or 1 for a signal). Also corrects the kind of a
    /// disconnect after a successful login (`other`, not `preauth_disconnect`).
    pub fn observe(&mut self, host: u32, pid: Option<u32>, m: &mut SshdMessage<'_>) -> u32 {
        let c = self.entry(host, pid, m.ip);
        let added = settle(c, m.attempt, m.repeat);
        if m.kind == Kind::AuthSuccess {
            c.authed = true;
        } else if c.authed && m.kind == Kind::PreauthDisconnect {
            m.kind = Kind::Other;
        }
        if m.ends {
            c.ended = true;
        }
        added
    }

    /// Count a message that names no client, of the connection of `(host, pid)` whose client
    /// is `ip` (from [`Connections::client`]).
    pub fn observe_pid(&mut self, host: u32, pid: Option<u32>, ip: IpAddr, m: &PidMessage) -> u32 {
        let c = self.entry(host, pid, ip);
        let added = settle(c, m.attempt, 1);
        if m.ends {
            c.ended = true;
        }
        added
    }
}

/// An open connection of [`Connections`], as saved between runs (see
/// [`crate::parse::LineParser::save_state`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedConn {
    pub host: Option<String>,
    pub pid: Option<u32>,
    pub ip: IpAddr,
    pub counted: u32,
    pub credit: u32,
    pub pam: u32,
    pub authed: bool,
}

impl Connections {
    /// The name of a host id from [`Connections::host_id`].
    pub fn host_name(&self, id: u32) -> Option<&str> {
        if id == 0 {
            return None;
        }
        self.hosts
            .iter()
            .find(|&(_, &v)| v == id)
            .map(|(k, _)| &**k)
    }

    /// The connections still open (those that ended need no state).
    pub fn save(&self) -> Vec<SavedConn> {
        self.slots
            .iter()
            .flatten()
            .filter(|c| !c.ended)
            .map(|c| SavedConn {
                host: self.host_name(c.host).map(str::to_string),
                pid: (c.pid != NO_PID).then_some(c.pid),
                ip: c.ip,
                counted: c.counted,
                credit: c.credit,
                pam: c.pam,
                authed: c.authed,
            })
            .collect()
    }

    /// Open the connections of [`Connections::save`] again.
    pub fn restore(&mut self, saved: &[SavedConn]) {
        for s in saved {
            let host = self.host_id(s.host.as_deref());
            let c = self.entry(host, s.pid, s.ip);
            c.counted = s.counted;
            c.credit = s.credit;
            c.pam = s.pam;
            c.authed = s.authed;
        }
    }
}

/// The counting rule for one message of connection `c`.
fn settle(c: &mut Conn, attempt: Attempt, repeat: u32) -> u32 {
    let take_credit = |n: u32, c: &mut Conn| {
        let used = c.credit.min(n);
        c.credit -= used;
        n - used
    };
    let added = match attempt {
        Attempt::NotCounted => 0,
        Attempt::Failed => take_credit(repeat, c),
        Attempt::PamReport => {
            c.pam = c.pam.saturating_add(repeat);
            take_credit(repeat, c)
        }
        Attempt::KeyboardInteractive => {
            let paired = c.pam.min(repeat);
            c.pam -= paired;
            take_credit(repeat - paired, c)
        }
        Attempt::Signal if c.counted == 0 => {
            c.credit = 1;
            1
        }
        Attempt::Signal => 0,
    };
    c.counted = c.counted.saturating_add(added);
    added
}

#[cfg(test)]
mod fast_find_tests {
    use super::{FastFind, auth_log_tail_any, auth_log_tail_ssh2};

    #[test]
    fn the_ssh2_tail_reads_like_the_general_rule() {
        let users = [
            "root",
            "",
            " ",
            "invalid user admin",
            "a from 1.2.3.4 port 22 ssh2",
            "x from 1.2.3.4",
            "from",
            "é",
            "u port 5",
        ];
        let addrs = [
            "203.0.113.9",
            "2001:db8::1",
            "::ffff:1.2.3.4",
            "fe80::1%eth0",
            "[2001:db8::2]",
            "1.2.3",
            "01.2.3.4",
            "from",
            "",
            "1.2.3.4 ",
        ];
        let ports = [
            "22", "0", "022", "65535", "65536", "99999", "123456", "", "2a",
        ];
        let ends = [
            " ssh2",
            " ssh1",
            "",
            " ssh2: RSA SHA256:x",
            " ssh2 ",
            "ssh2",
            "  ssh2",
        ];
        let mut decided = 0;
        for u in users {
            for a in addrs {
                for p in ports {
                    for e in ends {
                        for form in [
                            format!("{u} from {a} port {p}{e}"),
                            format!("{u}  from {a} port {p}{e}"),
                            format!("{u} from  {a} port {p}{e}"),
                            format!("{u} from {a}  port {p}{e}"),
                            format!("{u} from {a} port  {p}{e}"),
                            format!("{u}from {a} port {p}{e}"),
                        ] {
                            if let Some(fast) = auth_log_tail_ssh2(&form) {
                                decided += 1;
                                assert_eq!(Some(fast), auth_log_tail_any(&form), "{form:?}");
                            }
                        }
                    }
                }
            }
        }
        assert!(decided > 100, "{decided}");
    }

    #[test]
    fn agrees_with_std() {
        let hay = [
            "",
            "x",
            " from ",
            "a from b from c",
            "from",
            " fro",
            "Failed password for root from 1.2.3.4 port 22",
            "  from  from ",
            "é from ü",
        ];
        for h in hay {
            for n in [" from ", "from", " ", "x", "port ", "ü"] {
                assert_eq!(h.find_fast(n), h.find(n), "{h:?} {n:?}");
                assert_eq!(h.rfind_fast(n), h.rfind(n), "{h:?} {n:?}");
            }
            assert_eq!(h.split_space(), h.split_once(' '), "{h:?}");
            assert_eq!(h.rfind_space(), h.rfind(' '), "{h:?}");
        }
    }
}

#[cfg(test)]
#[path = "sshd_tests.rs"]
mod tests;
