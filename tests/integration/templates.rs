//! An independent check of the sshd classification, written from what OpenSSH itself writes
//! (`log-templates.md`: the message templates in OpenSSH's source, each row below names its
//! `file:line`) and from the contract (design.md §4 and the rules stated in issue 9), not from
//! the parser's code.
//!
//! Every row of `CASES` is one message that names a remote address, with the event it must give:
//! the kind, the client's address (canonical) and the user, or no event at all when the only
//! address on the line is not the client's. Each row is rendered with an IPv4, an IPv6 and an
//! IPv4-mapped (`::ffff:a.b.c.d`) client address, with and without ` [preauth]` where sshd can
//! write it, and then in every log form users meet (classic syslog for each program name,
//! rsyslog RFC 3339, RFC 5424 with and without structured data, and the journal: `journalctl -o
//! short`, `short-full`, `with-unit`, `short-iso`, `short-iso-precise`, `short-precise`,
//! `short-unix`, `short-monotonic` and `json`). One form is one fixture file and one run of
//! `logmap events --format ndjson`; the `line` field ties each event to its row.
//!
//! The journal forms are real `journalctl` output: the test writes the entries in the journal
//! export format, makes a journal file with `systemd-journal-remote` and reads it back with
//! `journalctl --file`. Without those tools these forms fail under `CI` and are skipped
//! elsewhere (`.ci/run` installs them).
//!
//! Each line gets its own pid, so a line is judged on its own; what several lines of one
//! connection add up to is checked by `one_attempt_counts_once` at the end. Set
//! `LOGMAP_KEEP_FIXTURES=DIR` to keep the fixture files.
//!
//! Where neither the contract nor issue 9 names the kind, the expectation is read from what the
//! line means (these are the readings to argue with, if any):
//! - `Failed <method>` for any method (also `none`, `gssapi-with-mic`) is `auth_failure` (issue 9
//!   counts every `Failed <method>`), and so is `error: public key … signature … rejected` (the
//!   server refused the signature: a failed authentication).
//! - `administratively prohibited connection for U from IP` is `policy_reject`: the server's
//!   configuration refusing the user, like `not allowed because`.
//! - `Partial` and `Postponed` outcomes are `other`, with their user.
//! - `probed`/`scanned … Don't panic` (log-templates.md files them under scanners) and
//!   `Timeout before authentication` (design.md §4) are `scan`.
//! - `Received disconnect … :14: No … authentication methods available` is a pre-authentication
//!   disconnect (or a failed login) even without ` [preauth]`: that code only exists before
//!   authentication.
//! - Every `user U`, `authenticating user U` and `invalid user U` preamble gives the user, also on
//!   the after-login lines (`Timeout, client not responding from user U …`).
//! - Only the address that sshd writes in its own fixed place is the client's; an address inside
//!   the user name, a certificate ID, a client host name, an algorithm offer, a disconnect reason
//!   or a quoted banner is never an event, nor is the server's own (`on SERVER port 22`,
//!   `via SERVER`, `on [SERVER]:22`).

use crate::util::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

// ---------------------------------------------------------------------------------------------
// The expectations

/// What the user of the event must be.
#[derive(Clone, Copy, Debug)]
enum User {
    /// Exactly this name.
    Is(&'static str),
    /// No user.
    No,
    /// This name, or none: the line implies it without writing it as a user name
    /// (`ROOT LOGIN REFUSED`, which any uid-0 account triggers; PAM's `user=`).
    Implied(&'static str),
    /// The client sent an empty name: none or `""`.
    Empty,
}

impl User {
    fn accepts(self, got: Option<&str>) -> bool {
        match self {
            User::Is(u) => got == Some(u),
            User::No => got.is_none(),
            User::Implied(u) => got.is_none() || got == Some(u),
            User::Empty => got.is_none() || got == Some(""),
        }
    }

    fn describe(self) -> String {
        match self {
            User::Is(u) => format!("{u:?}"),
            User::No => "none".into(),
            User::Implied(u) => format!("{u:?} or none"),
            User::Empty => "\"\" or none".into(),
        }
    }
}

/// The event a line must give.
#[derive(Clone, Copy, Debug)]
enum Exp {
    /// No event: the only address on the line is not the client's.
    Nothing,
    /// One event for the client's address, of one of these kinds (several only where the
    /// contract leaves the choice open; each such list is explained where it is defined).
    Event(&'static [&'static str], User),
}

/// Whether and how the message can end with ` [preauth]` (written by the pre-authentication
/// process; see "The connection id" in log-templates.md): the connection-id lines, `Received
/// disconnect`, and what the pre-authentication process logs itself (maximum attempts,
/// `Disconnecting`, rejected signatures, banner exchange, probes, `Postponed`).
#[derive(Clone, Copy, Debug)]
enum Pre {
    /// sshd never writes it with ` [preauth]`.
    Never,
    /// Both forms, with the same expectation.
    Same,
    /// Both forms; with ` [preauth]` this is expected instead.
    Else(Exp),
    /// Only with ` [preauth]`.
    Only,
}

struct Case {
    /// Where the template comes from (log-templates.md, or design.md §4 for the lines the
    /// contract names that the template list does not).
    src: &'static str,
    /// The message; `{ip}` is the client's address, `{srv}` the server's own.
    msg: &'static str,
    exp: Exp,
    pre: Pre,
}

const fn case(src: &'static str, msg: &'static str, exp: Exp, pre: Pre) -> Case {
    Case { src, msg, exp, pre }
}

const fn ev(kinds: &'static [&'static str], user: User) -> Exp {
    Exp::Event(kinds, user)
}

const FAIL: &[&str] = &["auth_failure"];
const INVALID: &[&str] = &["invalid_user"];
const POLICY: &[&str] = &["policy_reject"];
const TOO_MANY: &[&str] = &["too_many_failures"];
const SUCCESS: &[&str] = &["auth_success"];
const PREAUTH: &[&str] = &["preauth_disconnect"];
const SCAN: &[&str] = &["scan"];
const OTHER: &[&str] = &["other"];
/// A disconnect with neither a user preamble nor ` [preauth]`: design.md §4 lists
/// `Disconnected from …` and `Received disconnect …` under `preauth_disconnect`, issue 9 makes a
/// logged-in disconnect `other`, and sshd writes this bare form after login too
/// (serverloop.c:277, a client's `disconnected by user`): either kind is right.
const DISC_BARE: &[&str] = &["preauth_disconnect", "other"];
/// `Connection from IP port N timed out [preauth]`: a pre-authentication disconnect; a
/// classifier may also call a connection that never got as far as a user name a scan.
const TIMED_OUT: &[&str] = &["preauth_disconnect", "scan"];
/// The client giving up with code 14 (no authentication methods left): a disconnect; issue 9
/// only makes code 3 `Auth fail` a failed login, so counting this one too is also right.
const NO_METHODS: &[&str] = &["preauth_disconnect", "auth_failure"];
/// A connection dropped (MaxStartups, PerSourcePenalties) or penalised: the contract names no
/// kind for it, so `other` (its catch-all) or `scan` (refused before the banner).
const REFUSED: &[&str] = &["other", "scan"];

use Pre::{Else, Never, Only, Same};
use User::{Empty, Implied, Is, No};

/// The messages. `6.6.6.6` and `2606:4700::6666` stand for addresses that a client wrote into
/// the text (a user name, a certificate ID, a disconnect reason, a banner): they must never get
/// an event.
#[rustfmt::skip]
const CASES: &[Case] = &[
    // ---- Authentication outcome (auth.c:294) ----
    case("auth.c:294 Accepted password", "Accepted password for deploy from {ip} port 52144 ssh2", ev(SUCCESS, Is("deploy")), Never),
    case("auth.c:294 Accepted publickey", "Accepted publickey for git from {ip} port 40022 ssh2: ED25519 SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE", ev(SUCCESS, Is("git")), Never),
    case("auth.c:294 Accepted publickey (MD5 fingerprint, OpenSSH 6)", "Accepted publickey for pi from {ip} port 50200 ssh2: RSA 43:51:43:a1:b5:fc:8b:b7:0a:3a:a9:b1:0f:66:73:a8", ev(SUCCESS, Is("pi")), Never),
    case("auth.c:294 Accepted publickey (certificate ID chosen by the CA's user)", "Accepted publickey for deploy from {ip} port 40023 ssh2: ED25519-CERT SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE ID ci from 6.6.6.6 port 22 ssh2 (serial 42) CA ED25519 SHA256:ZkP0m4e3yq8bXw1cR9sT2uV5nA6dF7gH8jK0lM1oQ2s", ev(SUCCESS, Is("deploy")), Never),
    case("auth.c:294 Accepted keyboard-interactive/pam", "Accepted keyboard-interactive/pam for alice from {ip} port 50311 ssh2", ev(SUCCESS, Is("alice")), Never),
    case("auth.c:294 Accepted hostbased (client host named by the client)", "Accepted hostbased for backup from {ip} port 50312 ssh2: client user \"backup\", client host \"6.6.6.6\"", ev(SUCCESS, Is("backup")), Never),
    case("auth.c:294 Accepted gssapi-with-mic", "Accepted gssapi-with-mic for carol from {ip} port 50313 ssh2", ev(SUCCESS, Is("carol")), Never),
    case("auth.c:294 Failed password", "Failed password for root from {ip} port 41234 ssh2", ev(FAIL, Is("root")), Never),
    case("auth.c:294 Failed password, invalid user", "Failed password for invalid user admin from {ip} port 41235 ssh2", ev(FAIL, Is("admin")), Never),
    case("auth.c:294 Failed password, name holding `from IP port N ssh2`", "Failed password for invalid user x from 6.6.6.6 port 22 ssh2 from {ip} port 41236 ssh2", ev(FAIL, Is("x from 6.6.6.6 port 22 ssh2")), Never),
    case("auth.c:294 Failed password, name holding `from IPv6`", "Failed password for invalid user root from 2606:4700::6666 from {ip} port 41245 ssh2", ev(FAIL, Is("root from 2606:4700::6666")), Never),
    case("auth.c:294 Failed password, name `invalid user root`", "Failed password for invalid user invalid user root from {ip} port 41237 ssh2", ev(FAIL, Is("invalid user root")), Never),
    case("auth.c:294 Failed password, name with a space", "Failed password for invalid user john smith from {ip} port 41238 ssh2", ev(FAIL, Is("john smith")), Never),
    case("auth.c:294 Failed password, non-ASCII name", "Failed password for invalid user пользователь from {ip} port 41244 ssh2", ev(FAIL, Is("пользователь")), Never),
    case("auth.c:294 Failed password, empty name", "Failed password for invalid user  from {ip} port 41242 ssh2", ev(FAIL, Empty), Never),
    case("auth.c:294 Failed publickey", "Failed publickey for root from {ip} port 41239 ssh2: RSA SHA256:Lp2c0JqkW3mX9vYb4nT7sR1eU6oA8dF5gH2jK3lZ4xQ", ev(FAIL, Is("root")), Never),
    case("auth.c:294 Failed publickey (certificate ID chosen by the CA's user)", "Failed publickey for git from {ip} port 41246 ssh2: ED25519-CERT SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE ID build from 6.6.6.6 port 22 ssh2 (serial 7) CA ED25519 SHA256:ZkP0m4e3yq8bXw1cR9sT2uV5nA6dF7gH8jK0lM1oQ2s", ev(FAIL, Is("git")), Never),
    case("auth.c:294 Failed keyboard-interactive/pam, invalid user", "Failed keyboard-interactive/pam for invalid user oracle from {ip} port 41240 ssh2", ev(FAIL, Is("oracle")), Never),
    case("auth.c:294 Failed none, invalid user", "Failed none for invalid user guest from {ip} port 41241 ssh2", ev(FAIL, Is("guest")), Never),
    case("auth2-gss.c:175 Failed gssapi-with-mic", "Failed gssapi-with-mic for invalid user test from {ip} port 41243 ssh2", ev(FAIL, Is("test")), Never),
    case("auth.c:294 Partial publickey", "Partial publickey for alice from {ip} port 41248 ssh2: ED25519 SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE", ev(OTHER, Is("alice")), Never),
    case("auth.c:294 Postponed keyboard-interactive, invalid user", "Postponed keyboard-interactive for invalid user admin from {ip} port 41247 ssh2", ev(OTHER, Is("admin")), Same),
    case("auth.c:294 Postponed keyboard-interactive/pam", "Postponed keyboard-interactive/pam for root from {ip} port 41249 ssh2", ev(OTHER, Is("root")), Same),
    // ---- Attempts refused before any password ----
    case("auth.c:498 Invalid user", "Invalid user admin from {ip} port 50514", ev(INVALID, Is("admin")), Never),
    case("auth.c:498 Invalid user (no port, OpenSSH < 7.4)", "Invalid user admin from {ip}", ev(INVALID, Is("admin")), Never),
    case("auth.c:498 Invalid user, name holding `from IP port N`", "Invalid user test from 6.6.6.6 port 22 from {ip} port 50515", ev(INVALID, Is("test from 6.6.6.6 port 22")), Never),
    case("auth.c:498 Invalid user, name holding `from IPv6`", "Invalid user ubuntu from 2606:4700::6666 from {ip} port 50519", ev(INVALID, Is("ubuntu from 2606:4700::6666")), Never),
    case("auth.c:498 Invalid user, name `invalid user x`", "Invalid user invalid user x from {ip} port 50516", ev(INVALID, Is("invalid user x")), Never),
    case("auth.c:498 Invalid user, name with a space", "Invalid user Bob Smith from {ip} port 50518", ev(INVALID, Is("Bob Smith")), Never),
    case("auth.c:498 Invalid user, empty name", "Invalid user  from {ip} port 50517", ev(INVALID, Empty), Never),
    case("auth.c:154 not allowed: DenyUsers", "User root from {ip} not allowed because listed in DenyUsers", ev(POLICY, Is("root")), Never),
    case("auth.c:154 not allowed: AllowUsers", "User bob from {ip} not allowed because not listed in AllowUsers", ev(POLICY, Is("bob")), Never),
    case("auth.c:154 not allowed: no group", "User nobody from {ip} not allowed because not in any group", ev(POLICY, Is("nobody")), Never),
    case("auth.c:154 not allowed: DenyGroups", "User mallory from {ip} not allowed because a group is listed in DenyGroups", ev(POLICY, Is("mallory")), Never),
    case("auth.c:154 not allowed: AllowGroups", "User pi from {ip} not allowed because none of user's groups are listed in AllowGroups", ev(POLICY, Is("pi")), Never),
    case("auth.c:367 ROOT LOGIN REFUSED", "ROOT LOGIN REFUSED FROM {ip} port 50600", ev(POLICY, Implied("root")), Never),
    case("auth.c:367 ROOT LOGIN REFUSED (no port, old)", "ROOT LOGIN REFUSED FROM {ip}", ev(POLICY, Implied("root")), Never),
    case("auth.c:335 maximum authentication attempts exceeded", "error: maximum authentication attempts exceeded for root from {ip} port 50700 ssh2", ev(TOO_MANY, Is("root")), Same),
    case("auth.c:335 maximum authentication attempts exceeded, invalid user", "error: maximum authentication attempts exceeded for invalid user admin from {ip} port 50701 ssh2", ev(TOO_MANY, Is("admin")), Same),
    case("auth.c:335 maximum authentication attempts exceeded, hostile name", "error: maximum authentication attempts exceeded for invalid user x from 6.6.6.6 port 22 ssh2 from {ip} port 50702 ssh2", ev(TOO_MANY, Is("x from 6.6.6.6 port 22 ssh2")), Same),
    case("packet.c:2154 Disconnecting: Too many authentication failures, authenticating user", "Disconnecting authenticating user root {ip} port 50800: Too many authentication failures", ev(TOO_MANY, Is("root")), Same),
    case("packet.c:2154 Disconnecting: Too many authentication failures, invalid user", "Disconnecting invalid user admin {ip} port 50801: Too many authentication failures", ev(TOO_MANY, Is("admin")), Same),
    case("packet.c:2154 Disconnecting: Too many authentication failures, name holding `IP port N`", "Disconnecting invalid user a 6.6.6.6 port 22 {ip} port 50804: Too many authentication failures", ev(TOO_MANY, Is("a 6.6.6.6 port 22")), Same),
    case("issue 9: Disconnecting: Too many authentication failures for U from IP (OpenSSH 6/7)", "Disconnecting: Too many authentication failures for root from {ip} port 50802 ssh2", ev(TOO_MANY, Is("root")), Same),
    case("issue 9: Disconnecting: Too many authentication failures for invalid user U from IP (OpenSSH 6/7)", "Disconnecting: Too many authentication failures for invalid user admin from {ip} port 50803 ssh2", ev(TOO_MANY, Is("admin")), Same),
    case("auth2.c:331 Disconnecting: Change of username (names chosen by the client)", "Disconnecting authenticating user root {ip} port 50805: Change of username or service not allowed: (root,ssh-connection) -> (6.6.6.6,ssh-connection)", ev(PREAUTH, Is("root")), Same),
    case("monitor.c:909 administratively prohibited", "administratively prohibited connection for invalid user admin from {ip} port 50806", ev(POLICY, Is("admin")), Never),
    case("monitor.c:909 administratively prohibited, valid user", "administratively prohibited connection for root from {ip} port 50807", ev(POLICY, Is("root")), Never),
    case("auth2-pubkey.c:240 public key signature rejected: user presence", "error: public key ED25519-SK signature for deploy from {ip} port 50808 rejected: user presence (authenticator touch) requirement not met", ev(FAIL, Is("deploy")), Same),
    case("auth2-pubkey.c:255 public key signature rejected: user verification", "error: public key ECDSA-SK signature for deploy from {ip} port 50809 rejected: user verification requirement not met", ev(FAIL, Is("deploy")), Same),
    case("auth-pam.c:919 PAM Authentication failure", "error: PAM: Authentication failure for root from {ip}", ev(FAIL, Is("root")), Never),
    case("auth-pam.c:919 PAM Authentication failure, illegal user", "error: PAM: Authentication failure for illegal user admin from {ip}", ev(FAIL, Is("admin")), Never),
    case("auth-pam.c:919 PAM User not known", "error: PAM: User not known to the underlying authentication module for illegal user oracle from {ip}", ev(FAIL, Is("oracle")), Never),
    case("auth-pam.c:919 PAM authentication error", "error: PAM: authentication error for root from {ip}", ev(FAIL, Is("root")), Never),
    case("auth-pam.c:919 PAM Authentication failure via the local address", "error: PAM: Authentication failure for root from {ip} via {srv}", ev(FAIL, Is("root")), Never),
    case("auth-pam.c:919 PAM, host name (UseDNS) via the local address", "error: PAM: Authentication failure for root from mail.example.org via {srv}", Exp::Nothing, Never),
    case("auth-pam.c:919 PAM, name holding `from IP`", "error: PAM: Authentication failure for illegal user x from 6.6.6.6 from {ip}", ev(FAIL, Is("x from 6.6.6.6")), Never),
    case("pam_unix authentication failure with user=", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user=root", ev(OTHER, Implied("root")), Never),
    case("pam_unix authentication failure, unknown user", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip} ", ev(OTHER, No), Never),
    // ---- The connection id (packet.c:2054) ----
    case("packet.c:2074 Connection closed by", "Connection closed by {ip} port 51300", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:2074 Connection closed by (no port, old)", "Connection closed by {ip}", ev(PREAUTH, No), Only),
    case("packet.c:2074 Connection closed by authenticating user", "Connection closed by authenticating user root {ip} port 51301", ev(PREAUTH, Is("root")), Same),
    case("packet.c:2074 Connection closed by invalid user", "Connection closed by invalid user admin {ip} port 51302", ev(PREAUTH, Is("admin")), Same),
    case("packet.c:2074 Connection closed by invalid user, name holding `IP port N`", "Connection closed by invalid user x 6.6.6.6 port 22 {ip} port 51303", ev(PREAUTH, Is("x 6.6.6.6 port 22")), Same),
    case("packet.c:2074 Connection closed by user (logged in)", "Connection closed by user deploy {ip} port 51304", ev(OTHER, Is("deploy")), Never),
    case("packet.c:2081 Disconnected from", "Disconnected from {ip} port 51310", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:2081 Disconnected from authenticating user", "Disconnected from authenticating user root {ip} port 51311", ev(PREAUTH, Is("root")), Same),
    case("packet.c:2081 Disconnected from invalid user", "Disconnected from invalid user admin {ip} port 51312", ev(PREAUTH, Is("admin")), Same),
    case("packet.c:2081 Disconnected from invalid user, name holding `from IPv6 port N`", "Disconnected from invalid user y from 2606:4700::6666 port 22 {ip} port 51313", ev(PREAUTH, Is("y from 2606:4700::6666 port 22")), Same),
    case("packet.c:2081 Disconnected from user (logged in)", "Disconnected from user deploy {ip} port 51314", ev(OTHER, Is("deploy")), Never),
    case("packet.c:2085 Connection reset by", "Connection reset by {ip} port 51320", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:2085 Connection reset by authenticating user", "Connection reset by authenticating user root {ip} port 51321", ev(PREAUTH, Is("root")), Same),
    case("packet.c:2085 Connection reset by invalid user", "Connection reset by invalid user support {ip} port 51322", ev(PREAUTH, Is("support")), Same),
    case("packet.c:2085 Connection reset by user (logged in)", "Connection reset by user deploy {ip} port 51323", ev(OTHER, Is("deploy")), Never),
    case("packet.c:2077 Connection from … timed out", "Connection from {ip} port 51330 timed out", ev(DISC_BARE, No), Else(ev(TIMED_OUT, No))),
    case("packet.c:2077 Connection from authenticating user … timed out", "Connection from authenticating user root {ip} port 51331 timed out", ev(PREAUTH, Is("root")), Same),
    case("packet.c:2077 Connection from user … timed out (logged in)", "Connection from user deploy {ip} port 51332 timed out", ev(OTHER, Is("deploy")), Never),
    case("packet.c:2096 Unable to negotiate: kex", "Unable to negotiate with {ip} port 51340: no matching key exchange method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1", ev(SCAN, No), Same),
    case("packet.c:2096 Unable to negotiate: host key", "Unable to negotiate with {ip} port 51341: no matching host key type found. Their offer: ssh-rsa,ssh-dss", ev(SCAN, No), Same),
    case("packet.c:2096 Unable to negotiate: offer written by the client", "Unable to negotiate with {ip} port 51342: no matching cipher found. Their offer: aes128-cbc,probe@6.6.6.6,3des-cbc", ev(SCAN, No), Same),
    case("packet.c:1886 Received disconnect: Bye Bye", "Received disconnect from {ip} port 51350:11: Bye Bye", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:1886 Received disconnect: disconnected by user", "Received disconnect from {ip} port 51351:11: disconnected by user", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:1886 Received disconnect (no port, OpenSSH < 7.4)", "Received disconnect from {ip}: 11: Bye Bye", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("issue 9: Received disconnect 3: Auth fail (the client's failed login)", "Received disconnect from {ip} port 51352:3: com.jcraft.jsch.JSchException: Auth fail", ev(FAIL, No), Same),
    case("issue 9: Received disconnect 3: Auth fail (error:, no port, OpenSSH < 7.4)", "error: Received disconnect from {ip}: 3: com.jcraft.jsch.JSchException: Auth fail", ev(FAIL, No), Same),
    case("packet.c:1886 Received disconnect 14: no methods", "Received disconnect from {ip} port 51353:14: No supported authentication methods available", ev(NO_METHODS, No), Same),
    case("packet.c:1886 Received disconnect 14: no methods (error:, no port, old)", "error: Received disconnect from {ip}: 14: No more user authentication methods available.", ev(NO_METHODS, No), Same),
    case("packet.c:1886 Received disconnect, reason naming another IPv4", "Received disconnect from {ip} port 51354:11: Bye from 6.6.6.6 port 22", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    case("packet.c:1886 Received disconnect, reason naming another IPv6", "Received disconnect from {ip} port 51355:11: session to [2606:4700::6666]:22 closed", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    // ---- Before authentication: scanners (kex.c, sshd.c) ----
    case("sshd-auth.c:789 banner exchange: invalid format", "banner exchange: Connection from {ip} port 51400: invalid format", ev(SCAN, No), Same),
    case("sshd-auth.c:789 banner exchange: timed out", "banner exchange: Connection from {ip} port 51401: Connection timed out", ev(SCAN, No), Same),
    case("sshd-auth.c:789 banner exchange: could not read", "banner exchange: Connection from {ip} port 51402: could not read protocol version", ev(SCAN, No), Same),
    case("Did not receive identification string (OpenSSH < 7)", "Did not receive identification string from {ip} port 51403", ev(SCAN, No), Never),
    case("Did not receive identification string (no port)", "Did not receive identification string from {ip}", ev(SCAN, No), Never),
    case("kex.c:1391 Bad remote protocol version identification (quoted client text naming the server)", "error: Bad remote protocol version identification: 'GET http://{srv}/ HTTP/1.1'", Exp::Nothing, Same),
    case("kex.c:1391 Bad remote protocol version identification (quoted client text naming another host)", "error: Bad remote protocol version identification: 'CONNECT 6.6.6.6:22 HTTP/1.0'", Exp::Nothing, Same),
    case("design §4 Bad protocol version identification … from IP (OpenSSH < 7.4)", "Bad protocol version identification 'CONNECT 6.6.6.6:22 HTTP/1.0' from {ip} port 51404", ev(SCAN, No), Never),
    case("kex.c:1423 probed … Don't panic", "probed from {ip} port 51405 with SSH-2.0-libssh_0.9.6.  Don't panic.", ev(SCAN, No), Same),
    case("kex.c:1430 scanned … Don't panic (version written by the client)", "scanned from {ip} port 51406 with SSH-2.0-Go probe 6.6.6.6.  Don't panic.", ev(SCAN, No), Same),
    case("sshd.c:380 Timeout before authentication", "Timeout before authentication for {ip} port 51407, pid = 31337", ev(SCAN, No), Never),
    case("sshd.c Timeout before authentication (fatal:, OpenSSH < 9.8)", "fatal: Timeout before authentication for {ip} port 51408", ev(SCAN, No), Never),
    case("sshd.c:622 drop connection (second address is the server's)", "drop connection #3 from [{ip}]:51409 on [{srv}]:22 past MaxStartups", ev(REFUSED, No), Never),
    case("sshd.c:622 drop connection, penalty", "drop connection #0 from [{ip}]:51410 on [{srv}]:22 penalty: failed authentication", ev(REFUSED, No), Never),
    case("srclimit.c:460 activating penalty", "srclimit_penalise: activating authentication failure penalty of 30.000 seconds for {ip}", ev(REFUSED, No), Never),
    // ---- After login ----
    case("sshd-session.c:1196 Connection from … on SERVER", "Connection from {ip} port 51500 on {srv} port 22", ev(OTHER, No), Never),
    case("sshd-session.c:1196 Connection from … on SERVER rdomain", "Connection from {ip} port 51501 on {srv} port 22 rdomain \"\"", ev(OTHER, No), Never),
    case("session.c:672 Starting session: shell", "Starting session: shell on pts/0 for deploy from {ip} port 51502 id 0", ev(OTHER, Is("deploy")), Never),
    case("session.c:672 Starting session: subsystem", "Starting session: subsystem 'sftp' for backup from {ip} port 51503 id 0", ev(OTHER, Is("backup")), Never),
    case("session.c:2397 Close session", "Close session: user deploy from {ip} port 51504 id 0", ev(OTHER, Is("deploy")), Never),
    case("serverloop.c:122 Timeout, client not responding", "Timeout, client not responding from user deploy {ip} port 51505", ev(OTHER, Is("deploy")), Never),
    case("serverloop.c:257 terminating inactive connection", "terminating inactive connection from user deploy {ip} port 51506", ev(OTHER, Is("deploy")), Never),
    case("serverloop.c:281 Read error from remote host", "Read error from remote host {ip} port 51507: Connection reset by peer", ev(DISC_BARE, No), Else(ev(PREAUTH, No))),
    // ---- Named in design.md §4 (`other`) ----
    case("design §4 reverse mapping checking getaddrinfo (host name chosen by the client's DNS)", "reverse mapping checking getaddrinfo for 6.6.6.6.static.example.net [{ip}] failed - POSSIBLE BREAK-IN ATTEMPT!", ev(OTHER, No), Never),
    case("design §4 Address maps to … does not map back", "Address {ip} maps to mail.example.org, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!", ev(OTHER, No), Never),
];

// ---------------------------------------------------------------------------------------------
// Rows × addresses × [preauth]

/// One client address family.
struct Family {
    name: &'static str,
    server: &'static str,
}

const FAMILIES: [Family; 3] = [
    Family {
        name: "IPv4",
        server: "94.130.10.20",
    },
    Family {
        name: "IPv6",
        server: "2a01:4f8:10a:2b::22",
    },
    Family {
        name: "IPv4-mapped",
        server: "::ffff:94.130.10.20",
    },
];

/// The client address as sshd writes it, and as logmap must print it.
fn client(family: usize, n: usize) -> (String, String) {
    let v4 = format!("45.{}.{}.{}", 155 + n / 250, (n * 7) % 250 + 1, n % 250 + 1);
    match family {
        0 => (v4.clone(), v4),
        1 => {
            // Already canonical (RFC 5952), in a few shapes: one zero group stays written out.
            let v6 = match n % 3 {
                0 => format!("2a01:4f8:c17:{:x}::1", n + 1),
                1 => format!("2a01:4f8:0:{:x}::2", n + 1),
                _ => format!("2604:a880:400:d1::{:x}:f001", n + 1),
            };
            (v6.clone(), v6)
        }
        _ => (format!("::ffff:{v4}"), v4),
    }
}

/// One fixture line before it is put into a log form.
struct Row {
    case: usize,
    family: usize,
    preauth: bool,
    msg: String,
    exp: Exp,
    want_ip: String,
}

fn rows() -> Vec<Row> {
    let mut out = Vec::new();
    for (i, c) in CASES.iter().enumerate() {
        let variants: &[(bool, Exp)] = match c.pre {
            Never => &[(false, c.exp)],
            Same => &[(false, c.exp), (true, c.exp)],
            Else(p) => &[(false, c.exp), (true, p)],
            Only => &[(true, c.exp)],
        };
        for (family, f) in FAMILIES.iter().enumerate() {
            for &(preauth, exp) in variants {
                let n = out.len();
                let (written, want_ip) = client(family, n);
                let mut msg = c.msg.replace("{ip}", &written).replace("{srv}", f.server);
                if preauth {
                    msg.push_str(" [preauth]");
                }
                out.push(Row {
                    case: i,
                    family,
                    preauth,
                    msg,
                    exp,
                    want_ip,
                });
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Log forms

/// 2026-12-03 08:00:00 in Europe/Berlin (CET, +01:00), as Unix seconds.
const BASE_UNIX: u64 = 1_796_281_200;
const HOST: &str = "web1";
const PROGRAMS: [&str; 3] = ["sshd", "sshd-session", "sshd-auth"];

fn pid(i: usize) -> usize {
    10_000 + i
}

/// Local wall-clock time (CET) of line `i`: one second apart, starting 08:00:01.
fn hms(i: usize) -> (usize, usize, usize) {
    let s = 8 * 3600 + 1 + i;
    (s / 3600, s / 60 % 60, s % 60)
}

fn micros(i: usize) -> usize {
    (i * 7919 + 123_456) % 1_000_000
}

/// syslog severity: sshd's `error:` at LOG_ERR, `fatal:` at LOG_CRIT, the rest at LOG_INFO.
fn severity(msg: &str) -> u8 {
    if msg.starts_with("error:") {
        3
    } else if msg.starts_with("fatal:") {
        2
    } else {
        6
    }
}

/// Classic syslog (`Dec  3 08:00:01 host prog[pid]: msg`) with the given program name.
fn classic(rows: &[Row], program: &str) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let (h, m, sec) = hms(i);
        writeln!(
            s,
            "Dec  3 {h:02}:{m:02}:{sec:02} {HOST} {program}[{}]: {}",
            pid(i),
            r.msg
        )
        .unwrap();
    }
    s
}

/// rsyslog's high-precision format (the default on current Debian).
fn rfc3339(rows: &[Row]) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let (h, m, sec) = hms(i);
        writeln!(
            s,
            "2026-12-03T{h:02}:{m:02}:{sec:02}.{:06}+01:00 {HOST} sshd[{}]: {}",
            micros(i),
            pid(i),
            r.msg
        )
        .unwrap();
    }
    s
}

/// RFC 5424: without structured data (microseconds, +01:00, program `sshd`), or with it
/// (milliseconds, UTC, programs taking turns).
fn rfc5424(rows: &[Row], sd: bool) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let pri = 4 * 8 + severity(&r.msg);
        let (h, m, sec) = hms(i);
        if sd {
            writeln!(
                s,
                "<{pri}>1 2026-12-03T{:02}:{m:02}:{sec:02}.{:03}Z {HOST} {} {} - [meta sequenceId=\"{}\"] {}",
                h - 1,
                micros(i) / 1000,
                PROGRAMS[i % 3],
                pid(i),
                i + 1,
                r.msg
            )
            .unwrap();
        } else {
            writeln!(
                s,
                "<{pri}>1 2026-12-03T{h:02}:{m:02}:{sec:02}.{:06}+01:00 {HOST} sshd {} - - {}",
                micros(i),
                pid(i),
                r.msg
            )
            .unwrap();
        }
    }
    s
}

/// The entries in the journal export format (what `journalctl -o export` writes and
/// `systemd-journal-remote` reads); programs take turns, the unit is Debian's `ssh.service`.
fn journal_export(rows: &[Row]) -> String {
    let mut s = String::new();
    for (i, r) in rows.iter().enumerate() {
        let program = PROGRAMS[i % 3];
        let realtime = (BASE_UNIX + 1 + i as u64) * 1_000_000 + micros(i) as u64;
        writeln!(s, "__REALTIME_TIMESTAMP={realtime}").unwrap();
        writeln!(
            s,
            "__MONOTONIC_TIMESTAMP={}",
            86_400_000_000 + i * 1_000_000 + micros(i)
        )
        .unwrap();
        writeln!(s, "_BOOT_ID=5a2f3e8c9b1d4f6a8e0c2b4d6f8a0c1e").unwrap();
        writeln!(s, "_MACHINE_ID=0f1e2d3c4b5a69788796a5b4c3d2e1f0").unwrap();
        writeln!(s, "_HOSTNAME={HOST}").unwrap();
        writeln!(s, "_TRANSPORT=syslog").unwrap();
        writeln!(s, "PRIORITY={}", severity(&r.msg)).unwrap();
        writeln!(s, "SYSLOG_FACILITY=4").unwrap();
        writeln!(s, "SYSLOG_IDENTIFIER={program}").unwrap();
        writeln!(s, "SYSLOG_PID={}", pid(i)).unwrap();
        writeln!(s, "_PID={}", pid(i)).unwrap();
        writeln!(s, "_UID=0").unwrap();
        writeln!(s, "_GID=0").unwrap();
        writeln!(s, "_COMM={program}").unwrap();
        writeln!(s, "_EXE=/usr/sbin/{program}").unwrap();
        writeln!(s, "_SYSTEMD_UNIT=ssh.service").unwrap();
        writeln!(s, "MESSAGE={}", r.msg).unwrap();
        s.push('\n');
    }
    s
}

/// Real `journalctl --file J -o MODE` output for the rows, checked to hold one line per row
/// with that row's message (else the fixture, not logmap, is wrong).
fn journal(rows: &[Row], dir: &Dir, mode: &str) -> String {
    let journal = dir.path("sshd.journal");
    let mut remote = Command::new(journal_remote().expect("systemd-journal-remote"))
        .arg("-o")
        .arg(&journal)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start systemd-journal-remote");
    {
        use std::io::Write;
        let mut stdin = remote.stdin.take().expect("stdin");
        stdin
            .write_all(journal_export(rows).as_bytes())
            .expect("feed systemd-journal-remote");
    }
    let done = remote.wait_with_output().expect("systemd-journal-remote");
    assert!(
        done.status.success(),
        "systemd-journal-remote failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
    let out = Command::new("journalctl")
        .arg("--file")
        .arg(&journal)
        .args(["--no-pager", "-o", mode])
        .env("TZ", "Europe/Berlin")
        .env("SYSTEMD_COLORS", "0")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run journalctl");
    assert!(
        out.status.success(),
        "journalctl -o {mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).expect("journalctl wrote UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        rows.len(),
        "fixture error: journalctl -o {mode} wrote {} lines for {} entries:\n{text}",
        lines.len(),
        rows.len()
    );
    for (line, r) in lines.iter().zip(rows) {
        let ok = if mode == "json" {
            let v: Value = serde_json::from_str(line).expect("journalctl -o json line");
            v["MESSAGE"] == r.msg.as_str()
        } else {
            line.ends_with(&format!("]: {}", r.msg))
        };
        assert!(
            ok,
            "fixture error: journalctl -o {mode} line {line:?} is not {:?}",
            r.msg
        );
    }
    text
}

/// Every form, by name. `None`: the form could not be made here (and we are not under CI).
fn render(form: &str, rows: &[Row], dir: &Dir) -> Option<String> {
    Some(match form {
        "syslog-sshd" => classic(rows, "sshd"),
        "syslog-sshd-session" => classic(rows, "sshd-session"),
        "syslog-sshd-auth" => classic(rows, "sshd-auth"),
        "rsyslog-rfc3339" => rfc3339(rows),
        "rfc5424" => rfc5424(rows, false),
        "rfc5424-structured-data" => rfc5424(rows, true),
        journal_form => {
            let mode = journal_form
                .strip_prefix("journal-")
                .expect("a journal form");
            if !journal_tools() {
                return None;
            }
            journal(rows, dir, mode)
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Running and comparing

fn show_event(e: &Value) -> String {
    format!(
        "{} ip={} user={} (service {})",
        e["kind"].as_str().unwrap_or("?"),
        e["ip"].as_str().unwrap_or("-"),
        match e["user"].as_str() {
            Some(u) => format!("{u:?}"),
            None => "none".into(),
        },
        e["service"].as_str().unwrap_or("-"),
    )
}

/// What is wrong with the events of one line, as short tags plus a readable "got".
fn judge(row: &Row, events: &[&Value]) -> Vec<&'static str> {
    let mut problems = Vec::new();
    match row.exp {
        Exp::Nothing => {
            if !events.is_empty() {
                problems.push("spurious event");
            }
        }
        Exp::Event(kinds, user) => {
            let own: Vec<&&Value> = events
                .iter()
                .filter(|e| e["ip"].as_str() == Some(row.want_ip.as_str()))
                .collect();
            let others = events.len() - own.len();
            match own.first() {
                None if events.is_empty() => problems.push("no event"),
                None => problems.push("wrong address"),
                Some(e) => {
                    if !kinds.contains(&e["kind"].as_str().unwrap_or("")) {
                        problems.push("wrong kind");
                    }
                    if !user.accepts(e["user"].as_str()) {
                        problems.push("wrong user");
                    }
                    if own.len() > 1 {
                        problems.push("several events for the client");
                    }
                }
            }
            if others > 0 && !own.is_empty() {
                problems.push("spurious event");
            }
        }
    }
    problems
}

fn check_form(form: &str) {
    let rows = rows();
    let dir = Dir::new();
    let Some(text) = render(form, &rows, &dir) else {
        return;
    };
    let path = dir.write(&format!("{form}.log"), &text);
    if let Some(keep) = std::env::var_os("LOGMAP_KEEP_FIXTURES") {
        std::fs::create_dir_all(&keep).expect("create LOGMAP_KEEP_FIXTURES");
        std::fs::copy(&path, Path::new(&keep).join(format!("{form}.log"))).expect("keep fixture");
    }
    let out = run_paths(&["events", "--format", "ndjson"], &[&path]);
    assert!(
        out.status.success(),
        "[{form}] logmap events failed: {:?}\n{}",
        out.status,
        stderr(&out)
    );
    let mut by_line: BTreeMap<usize, Vec<Value>> = BTreeMap::new();
    for l in stdout(&out).lines() {
        let e: Value = serde_json::from_str(l)
            .unwrap_or_else(|err| panic!("[{form}] not an NDJSON event ({err}): {l}"));
        let n = e["line"]
            .as_u64()
            .unwrap_or_else(|| panic!("[{form}] event without a line: {l}"));
        by_line.entry(n as usize).or_default().push(e);
    }

    let mut report = String::new();
    let mut bad = 0;
    for (i, row) in rows.iter().enumerate() {
        let events: Vec<&Value> = by_line.get(&(i + 1)).into_iter().flatten().collect();
        let problems = judge(row, &events);
        if problems.is_empty() {
            continue;
        }
        bad += 1;
        let want = match row.exp {
            Exp::Nothing => "no event".to_string(),
            Exp::Event(kinds, user) => format!(
                "{} ip={} user={}",
                kinds.join("|"),
                row.want_ip,
                user.describe()
            ),
        };
        let got = if events.is_empty() {
            "no event".to_string()
        } else {
            events
                .iter()
                .map(|e| show_event(e))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        writeln!(
            report,
            "[{form}] line {} · {} · {}{} · {}\n    text: {}\n    want: {want}\n    got:  {got}",
            i + 1,
            CASES[row.case].src,
            FAMILIES[row.family].name,
            if row.preauth { " [preauth]" } else { "" },
            problems.join(", "),
            text.lines().nth(i).unwrap_or(""),
        )
        .unwrap();
    }
    let beyond: Vec<usize> = by_line
        .keys()
        .copied()
        .filter(|&n| n == 0 || n > rows.len())
        .collect();
    if !beyond.is_empty() {
        writeln!(
            report,
            "[{form}] events for lines that do not exist: {beyond:?}"
        )
        .unwrap();
        bad += 1;
    }
    assert!(
        bad == 0,
        "[{form}] {bad} of {} lines disagree with the OpenSSH templates:\n{report}",
        rows.len()
    );
}

macro_rules! forms {
    ($($test:ident => $form:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_form($form);
            }
        )*

        /// The names, for the test that checks the table itself.
        const FORMS: &[&str] = &[$($form),*];
    };
}

forms! {
    form_syslog_sshd => "syslog-sshd",
    form_syslog_sshd_session => "syslog-sshd-session",
    form_syslog_sshd_auth => "syslog-sshd-auth",
    form_rsyslog_rfc3339 => "rsyslog-rfc3339",
    form_rfc5424 => "rfc5424",
    form_rfc5424_structured_data => "rfc5424-structured-data",
    form_journal_short => "journal-short",
    form_journal_short_full => "journal-short-full",
    form_journal_with_unit => "journal-with-unit",
    form_journal_short_iso => "journal-short-iso",
    form_journal_short_iso_precise => "journal-short-iso-precise",
    form_journal_short_precise => "journal-short-precise",
    form_journal_short_unix => "journal-short-unix",
    form_journal_short_monotonic => "journal-short-monotonic",
    form_journal_json => "journal-json",
}

/// The table itself: every row names the client where it expects an event, the hostile
/// addresses never stand for the client, and the forms render one line per row.
#[test]
fn the_template_table_is_consistent() {
    let rows = rows();
    for r in &rows {
        let c = &CASES[r.case];
        if let Exp::Event(kinds, _) = r.exp {
            assert!(
                c.msg.contains("{ip}"),
                "{}: an event needs the client's address",
                c.src
            );
            assert!(!kinds.is_empty(), "{}", c.src);
        }
        assert!(
            !r.msg.contains("{ip}") && !r.msg.contains("{srv}"),
            "unfilled placeholder: {}",
            r.msg
        );
    }
    // Each client address appears once, so an event for a wrong row cannot pass for right.
    let mut seen = std::collections::HashSet::new();
    for r in &rows {
        assert!(seen.insert(r.want_ip.clone()), "{} used twice", r.want_ip);
    }
    let dir = Dir::new();
    for form in FORMS.iter().filter(|f| !f.starts_with("journal-")) {
        let text = render(form, &rows, &dir).expect("a text form");
        assert_eq!(text.lines().count(), rows.len(), "{form}");
        for (line, r) in text.lines().zip(&rows) {
            assert!(line.ends_with(&r.msg), "{form}: {line}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One attempt counts once: multi-line connections written from the templates

/// Each connection has its own address (and host + pid); the expected `failures` of that
/// address in `logmap export --format json`, as (at least, at most), a user that must be among
/// its "users tried", and kinds it must not have (another connection's lines).
struct Conn {
    what: &'static str,
    ip: &'static str,
    min: u64,
    max: Option<u64>,
    user: Option<&'static str>,
    absent: &'static [&'static str],
    lines: &'static [(&'static str, u32, &'static str)],
}

#[rustfmt::skip]
const CONNS: &[Conn] = &[
    Conn {
        what: "key-only server: Invalid user then Connection closed by invalid user [preauth]",
        ip: "45.155.1.10",
        min: 1,
        max: None,
        user: Some("admin"),
        absent: &[],
        lines: &[
            ("web1", 2101, "Invalid user admin from 45.155.1.10 port 40001"),
            ("web1", 2101, "Connection closed by invalid user admin 45.155.1.10 port 40001 [preauth]"),
        ],
    },
    Conn {
        what: "key-only server: Connection closed by authenticating user [preauth] alone",
        ip: "45.155.1.11",
        min: 0,
        max: Some(1),
        user: Some("root"),
        absent: &[],
        lines: &[("web1", 2102, "Connection closed by authenticating user root 45.155.1.11 port 40002 [preauth]")],
    },
    Conn {
        what: "key-only server, OpenSSH 6/7: Too many authentication failures for U from IP, alone",
        ip: "45.155.1.12",
        min: 1,
        max: None,
        user: Some("root"),
        absent: &[],
        lines: &[("web1", 2103, "Disconnecting: Too many authentication failures for root from 45.155.1.12 port 40003 ssh2 [preauth]")],
    },
    Conn {
        what: "key-only server, OpenSSH 6: Invalid user, then Too many … without an address",
        ip: "45.155.1.13",
        min: 1,
        max: None,
        user: Some("admin"),
        absent: &[],
        lines: &[
            ("web1", 2104, "Invalid user admin from 45.155.1.13"),
            ("web1", 2104, "input_userauth_request: invalid user admin [preauth]"),
            ("web1", 2104, "Disconnecting: Too many authentication failures for admin [preauth]"),
        ],
    },
    Conn {
        what: "key-only server, OpenSSH 9: maximum attempts exceeded + Disconnecting … Too many",
        ip: "45.155.1.14",
        min: 1,
        max: None,
        user: Some("root"),
        absent: &[],
        lines: &[
            ("web1", 2105, "error: maximum authentication attempts exceeded for root from 45.155.1.14 port 40005 ssh2 [preauth]"),
            ("web1", 2105, "Disconnecting authenticating user root 45.155.1.14 port 40005: Too many authentication failures [preauth]"),
        ],
    },
    Conn {
        what: "not allowed because … then Connection closed by authenticating user",
        ip: "45.155.1.15",
        min: 1,
        max: None,
        user: Some("root"),
        absent: &[],
        lines: &[
            ("web1", 2106, "User root from 45.155.1.15 not allowed because listed in DenyUsers"),
            ("web1", 2106, "Connection closed by authenticating user root 45.155.1.15 port 40006 [preauth]"),
        ],
    },
    Conn {
        what: "password: pam_unix + Failed password + Connection closed is one attempt",
        ip: "45.155.1.16",
        min: 1,
        max: Some(1),
        user: Some("root"),
        absent: &[],
        lines: &[
            ("web1", 2107, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=45.155.1.16  user=root"),
            ("web1", 2107, "Failed password for root from 45.155.1.16 port 40007 ssh2"),
            ("web1", 2107, "Connection closed by authenticating user root 45.155.1.16 port 40007 [preauth]"),
        ],
    },
    Conn {
        what: "keyboard-interactive: error: PAM + Failed keyboard-interactive/pam is one attempt",
        ip: "45.155.1.17",
        min: 1,
        max: Some(1),
        user: Some("root"),
        absent: &[],
        lines: &[
            ("web1", 2108, "error: PAM: Authentication failure for root from 45.155.1.17"),
            ("web1", 2108, "Failed keyboard-interactive/pam for root from 45.155.1.17 port 40008 ssh2"),
        ],
    },
    Conn {
        what: "keyboard-interactive: pam_unix + error: PAM + Failed keyboard-interactive/pam is one attempt",
        ip: "45.155.1.18",
        min: 1,
        max: Some(1),
        user: Some("admin"),
        absent: &[],
        lines: &[
            ("web1", 2109, "Invalid user admin from 45.155.1.18 port 40009"),
            ("web1", 2109, "pam_unix(sshd:auth): check pass; user unknown"),
            ("web1", 2109, "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=45.155.1.18 "),
            ("web1", 2109, "error: PAM: User not known to the underlying authentication module for illegal user admin from 45.155.1.18"),
            ("web1", 2109, "Failed keyboard-interactive/pam for invalid user admin from 45.155.1.18 port 40009 ssh2"),
            ("web1", 2109, "Connection closed by invalid user admin 45.155.1.18 port 40009 [preauth]"),
        ],
    },
    Conn {
        what: "six Failed password then maximum exceeded + Disconnecting: six attempts",
        ip: "45.155.1.19",
        min: 6,
        max: Some(6),
        user: Some("root"),
        absent: &[],
        lines: &[
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "Failed password for root from 45.155.1.19 port 40010 ssh2"),
            ("web1", 2110, "error: maximum authentication attempts exceeded for root from 45.155.1.19 port 40010 ssh2 [preauth]"),
            ("web1", 2110, "Disconnecting authenticating user root 45.155.1.19 port 40010: Too many authentication failures [preauth]"),
        ],
    },
    Conn {
        what: "JSch client: Received disconnect 3: Auth fail alone is a failed login",
        ip: "45.155.1.20",
        min: 1,
        max: None,
        user: None,
        absent: &[],
        lines: &[("web1", 2111, "Received disconnect from 45.155.1.20 port 40011:3: com.jcraft.jsch.JSchException: Auth fail [preauth]")],
    },
    Conn {
        what: "JSch client: two Failed password, then its Auth fail: two attempts",
        ip: "45.155.1.21",
        min: 2,
        max: Some(2),
        user: Some("oracle"),
        absent: &[],
        lines: &[
            ("web1", 2112, "Failed password for invalid user oracle from 45.155.1.21 port 40012 ssh2"),
            ("web1", 2112, "Failed password for invalid user oracle from 45.155.1.21 port 40012 ssh2"),
            ("web1", 2112, "Received disconnect from 45.155.1.21 port 40012:3: com.jcraft.jsch.JSchException: Auth fail [preauth]"),
        ],
    },
    Conn {
        what: "a successful login and its session: no failure",
        ip: "45.155.1.22",
        min: 0,
        max: Some(0),
        user: None,
        absent: &[],
        lines: &[
            ("web1", 2113, "Connection from 45.155.1.22 port 40013 on 94.130.10.20 port 22 rdomain \"\""),
            ("web1", 2113, "Accepted publickey for deploy from 45.155.1.22 port 40013 ssh2: ED25519 SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE"),
            ("web1", 2113, "pam_unix(sshd:session): session opened for user deploy(uid=1000) by (uid=0)"),
            ("web1", 2113, "Starting session: shell on pts/0 for deploy from 45.155.1.22 port 40013 id 0"),
            ("web1", 2113, "Received disconnect from 45.155.1.22 port 40013:11: disconnected by user"),
            ("web1", 2113, "Disconnected from user deploy 45.155.1.22 port 40013"),
            ("web1", 2113, "pam_unix(sshd:session): session closed for user deploy"),
        ],
    },
    Conn {
        what: "a scanner (banner exchange, then Connection closed [preauth]): no failure",
        ip: "45.155.1.23",
        min: 0,
        max: Some(0),
        user: None,
        absent: &[],
        lines: &[
            ("web1", 2114, "error: kex_exchange_identification: Connection closed by remote host"),
            ("web1", 2114, "Connection closed by 45.155.1.23 port 40014 [preauth]"),
        ],
    },
    Conn {
        what: "a scanner that sent no banner: no failure",
        ip: "45.155.1.24",
        min: 0,
        max: Some(0),
        user: None,
        absent: &[],
        lines: &[
            ("web1", 2115, "error: kex_exchange_identification: banner line contains invalid characters"),
            ("web1", 2115, "banner exchange: Connection from 45.155.1.24 port 40015: invalid format"),
        ],
    },
    // Two hosts of one central syslog file with the same pid: the address-less line belongs to
    // its own host's connection.
    Conn {
        what: "host alpha pid 4242: Invalid user, then (after host beta's line) Too many … without an address",
        ip: "45.155.1.25",
        min: 1,
        max: None,
        user: Some("admin"),
        absent: &[],
        lines: &[
            ("alpha", 4242, "Invalid user admin from 45.155.1.25"),
            ("beta", 4242, "Accepted publickey for deploy from 45.155.1.26 port 40016 ssh2: ED25519 SHA256:7Hq3mZpQ1sVxO0cNn2B4tJm3a9w8v0XyZkRzq1sT9cE"),
            ("alpha", 4242, "Disconnecting: Too many authentication failures for admin [preauth]"),
        ],
    },
    Conn {
        what: "host beta pid 4242 (same pid as alpha's attacker): a successful login, no failure",
        ip: "45.155.1.26",
        min: 0,
        max: Some(0),
        user: None,
        absent: &["too_many_failures"],
        lines: &[],
    },
];

#[test]
fn one_attempt_counts_once() {
    let mut log = String::new();
    let mut n = 0;
    for c in CONNS {
        for (host, pid, msg) in c.lines {
            n += 1;
            writeln!(
                log,
                "Dec  3 09:{:02}:{:02} {host} sshd[{pid}]: {msg}",
                n / 60,
                n % 60
            )
            .unwrap();
        }
    }
    let dir = Dir::new();
    let path = dir.write("auth.log", &log);
    let out = run_paths(&["export", "--format", "json", "--year", "2026"], &[&path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = json(&out);
    let mut report = String::new();
    for c in CONNS {
        let rec = doc["ips"]
            .as_array()
            .and_then(|a| a.iter().find(|r| r["ip"] == c.ip));
        let Some(rec) = rec else {
            writeln!(report, "- {}: no record for {}", c.what, c.ip).unwrap();
            continue;
        };
        let failures = rec["failures"].as_u64().unwrap_or(u64::MAX);
        let want = match c.max {
            Some(m) if m == c.min => format!("{m}"),
            Some(m) => format!("{}..={m}", c.min),
            None => format!("≥ {}", c.min),
        };
        if failures < c.min || c.max.is_some_and(|m| failures > m) {
            writeln!(
                report,
                "- {}: {} has failures {failures}, want {want} (kinds {})",
                c.what, c.ip, rec["kinds"]
            )
            .unwrap();
        }
        for k in c.absent {
            if rec["kinds"].get(k).is_some() {
                writeln!(
                    report,
                    "- {}: {} has kind {k}, which only another host's connection logged (kinds {})",
                    c.what, c.ip, rec["kinds"]
                )
                .unwrap();
            }
        }
        if let Some(u) = c.user
            && rec["users"].get(u).is_none()
        {
            writeln!(
                report,
                "- {}: {} lacks user {u:?} among users tried {}",
                c.what, c.ip, rec["users"]
            )
            .unwrap();
        }
    }
    assert!(
        report.is_empty(),
        "failed logins per connection disagree with the templates:\n{report}\nlog:\n{log}"
    );
}
