//! Tests for the sshd classifier. Real lines come from OpenSSH 5.x–9.x logs (the LabSZ
//! sample in loghub, Debian/Ubuntu/RHEL auth logs); addresses in constructed lines are from
//! the documentation ranges.

use super::*;
use proptest::prelude::*;
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().expect("test address")
}

/// The event of a line that must classify as one.
fn ev(msg: &str) -> SshdMessage<'_> {
    match classify(msg) {
        Classified::Event(m) => m,
        other => panic!("expected an event for {msg:?}, got {other:?}"),
    }
}

/// Expected fields of one event.
struct Want {
    kind: Kind,
    ip: &'static str,
    port: Option<u16>,
    user: Option<&'static str>,
    method: Option<&'static str>,
}

const fn want(kind: Kind, ip: &'static str, port: Option<u16>, user: Option<&'static str>) -> Want {
    Want {
        kind,
        ip,
        port,
        user,
        method: None,
    }
}

fn check(cases: &[(&str, Want)]) {
    for (msg, w) in cases {
        let m = ev(msg);
        assert_eq!(m.kind, w.kind, "kind of {msg:?}");
        assert_eq!(m.ip, ip(w.ip), "ip of {msg:?}");
        assert_eq!(m.port, w.port, "port of {msg:?}");
        assert_eq!(m.user, w.user, "user of {msg:?}");
        if w.method.is_some() {
            assert_eq!(m.method, w.method, "method of {msg:?}");
        }
        assert_eq!(m.repeat, 1, "repeat of {msg:?}");
    }
}

fn method(mut w: Want, method: &'static str) -> Want {
    w.method = Some(method);
    w
}

use Kind::*;

#[test]
fn auth_failure_wordings() {
    check(&[
        (
            "Failed password for root from 5.36.59.76 port 42393 ssh2",
            method(
                want(AuthFailure, "5.36.59.76", Some(42393), Some("root")),
                "password",
            ),
        ),
        (
            "Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
            want(
                AuthFailure,
                "173.234.31.186",
                Some(38926),
                Some("webmaster"),
            ),
        ),
        (
            "Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2",
            method(
                want(AuthFailure, "5.188.10.180", Some(49811), Some("0")),
                "none",
            ),
        ),
        (
            "Failed publickey for root from 198.51.100.7 port 50022 ssh2: RSA SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
            method(
                want(AuthFailure, "198.51.100.7", Some(50022), Some("root")),
                "publickey",
            ),
        ),
        (
            "Failed publickey for git from 198.51.100.7 port 50022 ssh2: ED25519-CERT SHA256:abc ID alice (serial 7) CA ED25519 SHA256:def",
            want(AuthFailure, "198.51.100.7", Some(50022), Some("git")),
        ),
        (
            "Failed keyboard-interactive/pam for root from 203.0.113.9 port 50022 ssh2",
            method(
                want(AuthFailure, "203.0.113.9", Some(50022), Some("root")),
                "keyboard-interactive/pam",
            ),
        ),
        (
            "Failed keyboard-interactive/pam for invalid user oracle from 203.0.113.9 port 1 ssh2",
            want(AuthFailure, "203.0.113.9", Some(1), Some("oracle")),
        ),
        (
            "error: PAM: Authentication failure for root from 203.0.113.9",
            want(AuthFailure, "203.0.113.9", None, Some("root")),
        ),
        (
            "error: PAM: Authentication failure for illegal user x from 203.0.113.9",
            want(AuthFailure, "203.0.113.9", None, Some("x")),
        ),
        (
            "error: PAM: User not known to the underlying authentication module for illegal user test from 203.0.113.9",
            want(AuthFailure, "203.0.113.9", None, Some("test")),
        ),
        // OpenSSH 3.x/4.x.
        (
            "Failed password for illegal user guest from 192.0.2.1 port 4000 ssh2",
            want(AuthFailure, "192.0.2.1", Some(4000), Some("guest")),
        ),
        // Empty user name: two spaces.
        (
            "Failed password for invalid user  from 192.0.2.1 port 4000 ssh2",
            want(AuthFailure, "192.0.2.1", Some(4000), Some("")),
        ),
        (
            "Failed password for root from 2001:db8::5 port 22 ssh2",
            want(AuthFailure, "2001:db8::5", Some(22), Some("root")),
        ),
        (
            "Failed password for root from ::ffff:192.0.2.44 port 22 ssh2",
            want(AuthFailure, "192.0.2.44", Some(22), Some("root")),
        ),
        (
            "Failed password for root from fe80::1%eth0 port 22 ssh2",
            want(AuthFailure, "fe80::1", Some(22), Some("root")),
        ),
    ]);
}

#[test]
fn attempt_marks() {
    assert_eq!(
        ev("Failed password for root from 192.0.2.1 port 1 ssh2").attempt,
        Attempt::Failed
    );
    assert_eq!(
        ev("Failed publickey for root from 192.0.2.1 port 1 ssh2: RSA SHA256:x").attempt,
        Attempt::Failed
    );
    assert_eq!(
        ev("Failed none for invalid user a from 192.0.2.1 port 1 ssh2").attempt,
        Attempt::NotCounted
    );
    assert_eq!(
        ev("Failed keyboard-interactive/pam for root from 192.0.2.1 port 1 ssh2").attempt,
        Attempt::KeyboardInteractive
    );
    assert_eq!(
        ev("error: PAM: Authentication failure for root from 192.0.2.1").attempt,
        Attempt::PamReport
    );
    for msg in [
        "Accepted password for root from 192.0.2.1 port 1 ssh2",
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root",
        "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1  user=root",
        "Connection closed by 192.0.2.1 port 1 [preauth]",
        "Received disconnect from 192.0.2.1 port 1:11: Bye Bye [preauth]",
        "Disconnected from user root 192.0.2.1 port 1",
        "refused connect from h.example (192.0.2.1)",
    ] {
        assert_eq!(ev(msg).attempt, Attempt::NotCounted, "{msg}");
    }
    // Attack signals: at least one failed attempt on their connection.
    for msg in [
        "Invalid user a from 192.0.2.1 port 1",
        "User a from 192.0.2.1 not allowed because not listed in AllowUsers",
        "ROOT LOGIN REFUSED FROM 192.0.2.1 port 1",
        "administratively prohibited connection for root from 192.0.2.1 port 1",
        "error: maximum authentication attempts exceeded for root from 192.0.2.1 port 1 ssh2 [preauth]",
        "Disconnecting authenticating user root 192.0.2.1 port 1: Too many authentication failures [preauth]",
        "Disconnecting: Too many authentication failures for root from 192.0.2.1 port 1 ssh2 [preauth]",
        "Connection closed by authenticating user root 192.0.2.1 port 1 [preauth]",
        "Connection reset by invalid user a 192.0.2.1 port 1 [preauth]",
        "Disconnected from invalid user a 192.0.2.1 port 1 [preauth]",
        "Received disconnect from 192.0.2.1 port 1:3: com.jcraft.jsch.JSchException: Auth fail [preauth]",
        "Received disconnect from 192.0.2.1 port 1:14: No supported authentication methods available [preauth]",
        "error: public key ECDSA-SK signature for root from 192.0.2.1 port 1 rejected: user presence (authenticator touch) requirement not met ",
    ] {
        assert_eq!(ev(msg).attempt, Attempt::Signal, "{msg}");
    }
}

#[test]
fn invalid_user_wordings() {
    check(&[
        (
            "Invalid user admin from 192.0.2.1 port 4444",
            want(InvalidUser, "192.0.2.1", Some(4444), Some("admin")),
        ),
        (
            "Invalid user webmaster from 173.234.31.186",
            want(InvalidUser, "173.234.31.186", None, Some("webmaster")),
        ),
        (
            "Invalid user  from 192.0.2.1 port 5",
            want(InvalidUser, "192.0.2.1", Some(5), Some("")),
        ),
        (
            "Illegal user x from 192.0.2.1",
            want(InvalidUser, "192.0.2.1", None, Some("x")),
        ),
        (
            "Invalid user john doe from 2001:db8::5 port 5",
            want(InvalidUser, "2001:db8::5", Some(5), Some("john doe")),
        ),
    ]);
}

#[test]
fn policy_reject_wordings() {
    check(&[
        (
            "User root from 192.0.2.1 not allowed because not listed in AllowUsers",
            want(PolicyReject, "192.0.2.1", None, Some("root")),
        ),
        (
            "User bob from 192.0.2.1 not allowed because listed in DenyUsers",
            want(PolicyReject, "192.0.2.1", None, Some("bob")),
        ),
        (
            "User bob from 2001:db8::5 not allowed because none of user's groups are listed in AllowGroups",
            want(PolicyReject, "2001:db8::5", None, Some("bob")),
        ),
        (
            "User games from 192.0.2.1 not allowed because shell /usr/sbin/nologin is not executable",
            want(PolicyReject, "192.0.2.1", None, Some("games")),
        ),
        (
            "ROOT LOGIN REFUSED FROM 192.0.2.1",
            want(PolicyReject, "192.0.2.1", None, Some("root")),
        ),
        (
            "ROOT LOGIN REFUSED FROM 192.0.2.1 port 5022",
            want(PolicyReject, "192.0.2.1", Some(5022), Some("root")),
        ),
        (
            "refused connect from host.example.net (192.0.2.1)",
            want(PolicyReject, "192.0.2.1", None, None),
        ),
    ]);
    // With UseDNS the host is a name, and some reasons name no host at all: the message
    // belongs to the client of its process.
    let by_pid = |user| {
        Classified::Pid(PidMessage {
            kind: PolicyReject,
            user: Some(user),
            attempt: Attempt::Signal,
            ends: false,
        })
    };
    assert_eq!(
        classify("User bob from host.example.net not allowed because not listed in AllowUsers"),
        by_pid("bob")
    );
    assert_eq!(
        classify("User bob not allowed because account is locked"),
        by_pid("bob")
    );
    assert_eq!(
        classify("User bob not allowed because shell /bin/false does not exist"),
        by_pid("bob")
    );
}

#[test]
fn too_many_failures_wordings() {
    check(&[
        (
            "error: maximum authentication attempts exceeded for root from 192.0.2.1 port 22 ssh2 [preauth]",
            want(TooManyFailures, "192.0.2.1", Some(22), Some("root")),
        ),
        (
            "error: maximum authentication attempts exceeded for invalid user x from 192.0.2.1 port 22 ssh2 [preauth]",
            want(TooManyFailures, "192.0.2.1", Some(22), Some("x")),
        ),
        (
            "Disconnecting authenticating user root 192.0.2.1 port 22: Too many authentication failures [preauth]",
            want(TooManyFailures, "192.0.2.1", Some(22), Some("root")),
        ),
        (
            "Disconnecting invalid user x 2001:db8::5 port 22: Too many authentication failures [preauth]",
            want(TooManyFailures, "2001:db8::5", Some(22), Some("x")),
        ),
    ]);
    // OpenSSH 6/7 name the address after the user; older ones name none: then the message
    // belongs to the client of its process.
    check(&[
        (
            "Disconnecting: Too many authentication failures for root from 192.0.2.1 port 22 ssh2 [preauth]",
            want(TooManyFailures, "192.0.2.1", Some(22), Some("root")),
        ),
        (
            "Disconnecting: Too many authentication failures for invalid user admin from 192.0.2.1 port 22 ssh2 [preauth]",
            want(TooManyFailures, "192.0.2.1", Some(22), Some("admin")),
        ),
        (
            "Disconnecting: Too many authentication failures for x from 6.6.6.6 port 1 ssh2 from 192.0.2.1 port 22 ssh2 [preauth]",
            want(
                TooManyFailures,
                "192.0.2.1",
                Some(22),
                Some("x from 6.6.6.6 port 1 ssh2"),
            ),
        ),
    ]);
    for (msg, user) in [
        (
            "Disconnecting: Too many authentication failures for root [preauth]",
            Some("root"),
        ),
        (
            "Disconnecting: Too many authentication failures for admin [preauth]",
            Some("admin"),
        ),
        (
            "Disconnecting: Too many authentication failures [preauth]",
            None,
        ),
    ] {
        let want = Classified::Pid(PidMessage {
            kind: TooManyFailures,
            user,
            attempt: Attempt::Signal,
            ends: true,
        });
        assert_eq!(classify(msg), want, "{msg}");
    }
}

#[test]
fn auth_success_wordings() {
    check(&[
        (
            "Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
            method(
                want(AuthSuccess, "119.137.62.142", Some(49116), Some("fztu")),
                "password",
            ),
        ),
        (
            "Accepted publickey for root from 2001:db8::5 port 5 ssh2: ED25519 SHA256:q6bGnlbbp8sGbaPPSkVtdCFRQzmeT0H2YL6F6mkTU1U",
            method(
                want(AuthSuccess, "2001:db8::5", Some(5), Some("root")),
                "publickey",
            ),
        ),
        (
            "Accepted keyboard-interactive/pam for bob from 192.0.2.1 port 5 ssh2",
            method(
                want(AuthSuccess, "192.0.2.1", Some(5), Some("bob")),
                "keyboard-interactive/pam",
            ),
        ),
        (
            "Accepted gssapi-with-mic for bob from 192.0.2.1 port 5 ssh2",
            method(
                want(AuthSuccess, "192.0.2.1", Some(5), Some("bob")),
                "gssapi-with-mic",
            ),
        ),
    ]);
}

#[test]
fn preauth_disconnect_wordings() {
    check(&[
        (
            "Connection closed by 173.234.31.186 [preauth]",
            want(PreauthDisconnect, "173.234.31.186", None, None),
        ),
        (
            "Connection closed by 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), None),
        ),
        // Banner exchange, before the privilege-separated child: no [preauth].
        (
            "Connection closed by 192.0.2.1 port 5",
            want(PreauthDisconnect, "192.0.2.1", Some(5), None),
        ),
        (
            "Connection closed by authenticating user root 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Connection closed by invalid user x 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("x")),
        ),
        (
            "Connection closed by invalid user  192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("")),
        ),
        (
            "Connection reset by 2001:db8::5 port 5 [preauth]",
            want(PreauthDisconnect, "2001:db8::5", Some(5), None),
        ),
        (
            "Connection reset by authenticating user root 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Disconnected from 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), None),
        ),
        (
            "Disconnected from authenticating user root 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Disconnected from invalid user x 192.0.2.1 port 5 [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), Some("x")),
        ),
        (
            "Received disconnect from 192.0.2.1 port 5:11: Bye Bye [preauth]",
            want(PreauthDisconnect, "192.0.2.1", Some(5), None),
        ),
        (
            "Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]",
            want(PreauthDisconnect, "52.80.34.196", None, None),
        ),
        (
            "Received disconnect from 103.207.39.165: 11: Closed due to user request. [preauth]",
            want(PreauthDisconnect, "103.207.39.165", None, None),
        ),
        (
            "error: Received disconnect from 195.154.37.122: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]",
            want(AuthFailure, "195.154.37.122", None, None),
        ),
        (
            "error: Received disconnect from 103.99.0.122: 14: No more user authentication methods available. [preauth]",
            want(PreauthDisconnect, "103.99.0.122", None, None),
        ),
        (
            "Received disconnect from 2001:db8::5 port 5:11:  [preauth]",
            want(PreauthDisconnect, "2001:db8::5", Some(5), None),
        ),
        (
            "Received disconnect from 2001:db8::5: 11: Bye Bye [preauth]",
            want(PreauthDisconnect, "2001:db8::5", None, None),
        ),
        (
            "Received disconnect from ::ffff:192.0.2.9 port 5:11: Bye [preauth]",
            want(PreauthDisconnect, "192.0.2.9", Some(5), None),
        ),
    ]);
}

#[test]
fn post_auth_disconnects_are_other() {
    check(&[
        (
            "Disconnected from user root 192.0.2.1 port 5",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Received disconnect from 119.137.62.142: 11: disconnected by user",
            want(Other, "119.137.62.142", None, None),
        ),
        (
            "Received disconnect from 192.0.2.1 port 5:11: disconnected by user",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "Disconnected from 192.0.2.1 port 5",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "Timeout, client not responding from user root 192.0.2.1 port 5",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
    ]);
}

#[test]
fn scan_wordings() {
    check(&[
        (
            "Did not receive identification string from 123.235.32.19",
            want(Scan, "123.235.32.19", None, None),
        ),
        (
            "Did not receive identification string from 192.0.2.1 port 5",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "banner exchange: Connection from 192.0.2.1 port 5: invalid format",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "Unable to negotiate with 192.0.2.1 port 5: no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1 [preauth]",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "fatal: Unable to negotiate with 192.0.2.1: no matching cipher found. Their offer: aes128-cbc,3des-cbc [preauth]",
            want(Scan, "192.0.2.1", None, None),
        ),
        (
            "Bad protocol version identification 'GET / HTTP/1.1' from 192.0.2.1 port 5",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "Bad protocol version identification '\\026\\003\\001' from 2001:db8::5",
            want(Scan, "2001:db8::5", None, None),
        ),
        (
            "Timeout before authentication for 192.0.2.1 port 5",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "fatal: Timeout before authentication for 192.0.2.1",
            want(Scan, "192.0.2.1", None, None),
        ),
        (
            "Timeout before authentication for connection from 192.0.2.1 to 10.0.0.1, pid = 4242",
            want(Scan, "192.0.2.1", None, None),
        ),
        (
            "ssh_dispatch_run_fatal: Connection from 192.0.2.1 port 5: message authentication code incorrect [preauth]",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
        (
            "ssh_dispatch_run_fatal: Connection from authenticating user root 192.0.2.1 port 5: Broken pipe [preauth]",
            want(Scan, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Protocol major versions differ for 192.0.2.1: SSH-2.0-OpenSSH_7.4 vs. SSH-1.5-NmapNSE_1.0",
            want(Scan, "192.0.2.1", None, None),
        ),
        (
            "Protocol major versions differ for 192.0.2.1 port 5: SSH-2.0-OpenSSH_7.4 vs. SSH-1.5-x",
            want(Scan, "192.0.2.1", Some(5), None),
        ),
    ]);
}

#[test]
fn other_wordings() {
    check(&[
        (
            "reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
            want(Other, "173.234.31.186", None, None),
        ),
        (
            "reverse mapping checking getaddrinfo for host.example [192.0.2.1] failed.",
            want(Other, "192.0.2.1", None, None),
        ),
        (
            "Address 192.0.2.1 maps to host.example, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!",
            want(Other, "192.0.2.1", None, None),
        ),
        (
            "Nasty PTR record \"1.2.3.4\" is set up for 192.0.2.1, ignoring",
            want(Other, "192.0.2.1", None, None),
        ),
        (
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root",
            want(Other, "112.95.230.3", None, Some("root")),
        ),
        (
            "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
            want(Other, "173.234.31.186", None, None),
        ),
        (
            "PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.1",
            want(Other, "192.0.2.1", None, None),
        ),
        (
            "PAM 1 more authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=185.190.58.151",
            want(Other, "185.190.58.151", None, None),
        ),
        (
            "Connection from 192.0.2.1 port 5 on 10.0.0.1 port 22",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "Connection from 2001:db8::5 port 5 on 2001:db8::1 port 22 rdomain \"\"",
            want(Other, "2001:db8::5", Some(5), None),
        ),
        (
            "Connection from 192.0.2.1 port 5",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "Postponed publickey for root from 192.0.2.1 port 5 ssh2 [preauth]",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Partial publickey for root from 192.0.2.1 port 5 ssh2: ED25519 SHA256:x",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Starting session: shell on pts/0 for root from 192.0.2.1 port 5 id 0",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "Starting session: forced-command (key-option) 'echo for x from 6.6.6.6 port 1' for git from 192.0.2.1 port 5 id 0",
            want(Other, "192.0.2.1", Some(5), Some("git")),
        ),
        (
            "Close session: user root from 192.0.2.1 port 5 id 0",
            want(Other, "192.0.2.1", Some(5), Some("root")),
        ),
        (
            "drop connection #3 from [192.0.2.1]:5 on [10.0.0.1]:22 past MaxStartups",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "drop connection #0 from [2001:db8::5]:5 on [2001:db8::1]:22 penalty: exceeded LoginGraceTime",
            want(Other, "2001:db8::5", Some(5), None),
        ),
        (
            "srclimit_penalise: ipv4: new 192.0.2.1/32 deferred penalty of 10 seconds for penalty: failed authentication",
            want(Other, "192.0.2.1", None, None),
        ),
        (
            "Read error from remote host 192.0.2.1 port 5: Connection reset by peer",
            want(Other, "192.0.2.1", Some(5), None),
        ),
        (
            "Fssh_ssh_dispatch_run_fatal: Connection from user bob 192.0.2.1 port 5: Broken pipe",
            want(Other, "192.0.2.1", Some(5), Some("bob")),
        ),
    ]);
}

#[test]
fn known_lines_without_address() {
    for msg in [
        "pam_unix(sshd:session): session opened for user fztu by (uid=0)",
        "pam_unix(sshd:session): session closed for user fztu",
        "pam_unix(sshd:auth): check pass; user unknown",
        "PAM service(sshd) ignoring max retries; 6 > 3",
        // rhost is a host name: no address.
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
        "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root",
        "error: PAM: Authentication failure for root from host.example.net",
        "input_userauth_request: invalid user webmaster [preauth]",
        "fatal: Write failed: Connection reset by peer [preauth]",
        "fatal: Read from socket failed: Connection reset by peer [preauth]",
        "Server listening on 0.0.0.0 port 22.",
        "Server listening on :: port 22.",
        "Received signal 15; terminating.",
        "kex_exchange_identification: Connection closed by remote host",
        "error: kex_exchange_identification: Connection closed by remote host",
        "error: kex_exchange_identification: client sent invalid protocol identifier \"GET / HTTP/1.1\"",
        "error: kex_exchange_identification: banner line contains invalid characters",
        "error: Protocol major versions differ: 2 vs. 1",
        "Connection closed by UNKNOWN port 65535 [preauth]",
        "userauth_pubkey: key type ssh-dss not in PubkeyAcceptedAlgorithms [preauth]",
        "Timeout, client not responding.",
        "debug1: Forked child 1234.",
        "error: Could not get shadow information for NOUSER",
        "error: Authentication key RSA SHA256:abc revoked by file /etc/ssh/revoked_keys",
        "/etc/ssh/sshd_config line 20: Deprecated option UsePrivilegeSeparation",
        "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)",
        "pam_faillock(sshd:auth): Consecutive login failures for user root account temporarily locked",
        "fatal: userauth_pubkey: parse request failed: incomplete message [preauth]",
        "error: kex_protocol_error: type 20 seq 2 [preauth]",
        "Fssh_kex_exchange_identification: Connection closed by remote host",
        "Disconnecting: Change of username or service not allowed: (root,ssh-connection) -> (admin,ssh-connection) [preauth]",
        "User child is on pid 4242",
        "Connection closed by remote host",
        "Connection reset by peer",
        "Transferred: sent 3056, received 2904 bytes",
        "Accepted certificate ID \"alice\" (serial 7) signed by ED25519 CA SHA256:abc via /etc/ssh/ca.pub",
        "error: beginning MaxStartups throttling",
        "Did not receive identification string from UNKNOWN port 65535",
    ] {
        assert_eq!(classify(msg), Classified::Known, "{msg}");
    }
}

#[test]
fn rsyslog_repeats() {
    let m =
        ev("message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]");
    assert_eq!((m.kind, m.repeat, m.user), (AuthFailure, 5, Some("root")));
    assert_eq!(m.ip, ip("5.36.59.76"));
    let m = ev("message repeated 2 times: [ Connection closed by 192.0.2.1 port 5 [preauth]]");
    assert_eq!((m.kind, m.repeat), (PreauthDisconnect, 2));
    assert_eq!(
        classify("message repeated 3 times: [ pam_unix(sshd:auth): check pass; user unknown]"),
        Classified::Known
    );
    // Truncated: lost the closing bracket, still the same message.
    assert_eq!(
        ev("message repeated 3 times: [ Failed password for root from 192.0.2.1 port 1 ssh2")
            .repeat,
        3
    );
    assert_eq!(
        classify("message repeated x times: [ Failed]"),
        Classified::Unparsed
    );
}

/// sshd prints attacker-chosen user names raw; the address must come from sshd's own text.
#[test]
fn hostile_user_names() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Failed password for invalid user from 6.6.6.6 from 192.0.2.1 port 22 ssh2",
            "192.0.2.1",
            Some("from 6.6.6.6"),
        ),
        (
            "Failed password for invalid user x from 6.6.6.6 port 1 ssh2 from 192.0.2.1 port 22 ssh2",
            "192.0.2.1",
            Some("x from 6.6.6.6 port 1 ssh2"),
        ),
        (
            "Failed publickey for invalid user a from 6.6.6.6 port 1 ssh2: RSA from 192.0.2.1 port 22 ssh2: RSA SHA256:x",
            "192.0.2.1",
            Some("a from 6.6.6.6 port 1 ssh2: RSA"),
        ),
        (
            "Invalid user <script>alert('x')</script> from 192.0.2.1 port 5",
            "192.0.2.1",
            Some("<script>alert('x')</script>"),
        ),
        (
            "Invalid user a from 6.6.6.6 port 1 from 192.0.2.1 port 5",
            "192.0.2.1",
            Some("a from 6.6.6.6 port 1"),
        ),
        (
            "Invalid user \"; DROP TABLE ips; -- from 192.0.2.1",
            "192.0.2.1",
            Some("\"; DROP TABLE ips; --"),
        ),
        (
            "Connection closed by invalid user x 6.6.6.6 port 1 192.0.2.1 port 5 [preauth]",
            "192.0.2.1",
            Some("x 6.6.6.6 port 1"),
        ),
        (
            "Disconnecting invalid user a 6.6.6.6 port 1: Too many authentication failures 192.0.2.1 port 22: Too many authentication failures [preauth]",
            "192.0.2.1",
            Some("a 6.6.6.6 port 1: Too many authentication failures"),
        ),
        (
            "error: maximum authentication attempts exceeded for invalid user from 6.6.6.6 port 1 ssh2 from 192.0.2.1 port 22 ssh2 [preauth]",
            "192.0.2.1",
            Some("from 6.6.6.6 port 1 ssh2"),
        ),
        (
            "error: PAM: Authentication failure for illegal user x from 6.6.6.6 from 192.0.2.1",
            "192.0.2.1",
            Some("x from 6.6.6.6"),
        ),
        // Client-chosen text after the address: taken from the left.
        (
            "Received disconnect from 192.0.2.1 port 5:11: from 6.6.6.6 port 1:11: x [preauth]",
            "192.0.2.1",
            None,
        ),
        (
            "Unable to negotiate with 192.0.2.1 port 5: no matching host key type found. Their offer: 6.6.6.6 port 1: x [preauth]",
            "192.0.2.1",
            None,
        ),
        (
            "Bad protocol version identification 'x' from 6.6.6.6 port 1' from 192.0.2.1 port 5",
            "192.0.2.1",
            None,
        ),
        // A PTR name from the client's DNS imitating the bracketed address.
        (
            "reverse mapping checking getaddrinfo for evil [6.6.6.6] failed [x [192.0.2.1] failed - POSSIBLE BREAK-IN ATTEMPT!",
            "192.0.2.1",
            None,
        ),
    ];
    for (msg, want_ip, want_user) in cases {
        let m = ev(msg);
        assert_eq!(m.ip, ip(want_ip), "ip of {msg:?}");
        assert_eq!(m.user, *want_user, "user of {msg:?}");
    }
}

#[test]
fn truncated_and_garbage_lines_are_unparsed() {
    for msg in [
        "",
        "Failed password for",
        "Failed password for ",
        "Failed password for root",
        "Failed password for root from",
        "Failed password for root from 192.0.2.1 port",
        "Failed password for root from 192.0.2.1 port 99999 ssh2",
        "Failed password for root from 192.0.2.",
        "Failed password for root from 999.1.1.1 port 22 ssh2",
        "Failed password for root from 1.2.3.4.5 port 22 ssh2",
        "Accepted password for root from 192.0.2.1 port x ssh2",
        "Invalid user admin from",
        "Invalid user admin from 192.0.2",
        "Connection closed by",
        "Received disconnect from 192.0.2.1 port",
        "message repeated 5 times: [",
        "Something sshd never said",
        "\u{0}\u{1}\u{fffd}",
    ] {
        assert_eq!(classify(msg), Classified::Unparsed, "{msg:?}");
    }
}

#[test]
fn every_prefix_of_real_lines_classifies_without_panic() {
    for line in SEQ_REPEAT
        .lines()
        .chain(SEQ_KBDINT.lines())
        .chain(EXCERPT.lines())
    {
        let (_, msg) = split_syslog(line);
        for (i, _) in msg.char_indices() {
            let _ = classify(&msg[..i]);
        }
    }
}

#[test]
fn trailing_space_and_cr_are_ignored() {
    let m = ev("Failed password for root from 192.0.2.1 port 1 ssh2 \r");
    assert_eq!(m.port, Some(1));
}

// ---------------------------------------------------------------------------------------------
// Counting rule on real multi-line sequences.

/// Test helper: `Dec 10 07:13:56 LabSZ sshd[24227]: MSG` → (pid, MSG). Also `sshd-session[pid]`
/// and lines that are only a message (`journalctl -o cat`).
fn split_syslog(line: &str) -> (Option<u32>, &str) {
    for prog in ["sshd[", "sshd-session["] {
        if let Some(i) = line.find(prog) {
            let rest = &line[i + prog.len()..];
            if let Some(j) = rest.find("]: ") {
                return (rest[..j].parse().ok(), &rest[j + 3..]);
            }
        }
    }
    (None, line)
}

#[derive(Debug, Default, PartialEq)]
struct Totals {
    failures: u32,
    failure_lines: u32,
    successes: u32,
    invalid_user: u32,
    too_many: u32,
    unparsed: u32,
}

fn run(log: &str, keep_pid: bool) -> Totals {
    let mut conns = Connections::new();
    let mut t = Totals::default();
    for line in log.lines() {
        let (pid, msg) = split_syslog(line);
        let pid = if keep_pid { pid } else { None };
        match classify(msg) {
            Classified::Pid(pm) => {
                if let Some(ip) = conns.client(0, pid) {
                    t.failures += conns.observe_pid(0, pid, ip, &pm);
                    if pm.kind == TooManyFailures {
                        t.too_many += 1;
                    }
                }
            }
            Classified::Event(mut m) => {
                t.failures += conns.observe(0, pid, &mut m);
                match m.kind {
                    AuthFailure => t.failure_lines += 1,
                    AuthSuccess => t.successes += m.repeat,
                    InvalidUser => t.invalid_user += 1,
                    TooManyFailures => t.too_many += 1,
                    _ => {}
                }
            }
            Classified::Known => {}
            Classified::Unparsed => t.unparsed += 1,
        }
    }
    t
}

/// sshd's PAM layer states how many attempts it saw: `PAM service(sshd) ignoring max
/// retries; N > 3`. The counting rule must agree with it.
fn pam_retries(log: &str) -> u32 {
    let tail = log
        .split("ignoring max retries; ")
        .nth(1)
        .expect("fixture has a PAM retries line");
    tail.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("retry count")
}

/// pam_unix's summary at the end of a connection: `PAM N more authentication failures`
/// (after the first). Attempts = N + 1.
fn pam_more(log: &str) -> u32 {
    let tail = log
        .split("]: PAM ")
        .find(|t| t.contains(" more authentication failure"))
        .expect("fixture has a PAM summary line");
    tail.split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("summary count")
}

/// Password attempts, one `Failed` line then rsyslog's repeat, then the summaries.
const SEQ_REPEAT: &str = "\
Dec 10 07:13:31 LabSZ sshd[24227]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
Dec 10 07:13:43 LabSZ sshd[24227]: Failed password for root from 5.36.59.76 port 42393 ssh2
Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for root from 5.36.59.76 port 42393 ssh2]
Dec 10 07:13:56 LabSZ sshd[24227]: Disconnecting: Too many authentication failures for root [preauth]
Dec 10 07:13:56 LabSZ sshd[24227]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om  user=root
Dec 10 07:13:56 LabSZ sshd[24227]: PAM service(sshd) ignoring max retries; 6 > 3
";

/// Invalid user, every attempt preceded by PAM's `check pass` / `authentication failure`.
const SEQ_INVALID: &str = "\
Dec 10 10:13:59 LabSZ sshd[24833]: Invalid user admin from 119.4.203.64
Dec 10 10:13:59 LabSZ sshd[24833]: input_userauth_request: invalid user admin [preauth]
Dec 10 10:13:59 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:13:59 LabSZ sshd[24833]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=119.4.203.64 
Dec 10 10:14:01 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:01 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:14:04 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:04 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:14:06 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:06 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:14:08 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:08 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:14:10 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:10 LabSZ sshd[24833]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 10:14:13 LabSZ sshd[24833]: Failed password for invalid user admin from 119.4.203.64 port 2191 ssh2
Dec 10 10:14:13 LabSZ sshd[24833]: Disconnecting: Too many authentication failures for admin [preauth]
Dec 10 10:14:13 LabSZ sshd[24833]: PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=119.4.203.64 
Dec 10 10:14:13 LabSZ sshd[24833]: PAM service(sshd) ignoring max retries; 6 > 3
";

/// The client gives up after five attempts: `Connection closed` before PAM's summary.
const SEQ_CLOSED: &str = "\
Dec 10 08:25:06 LabSZ sshd[24369]: Invalid user admin from 5.188.10.180
Dec 10 08:25:06 LabSZ sshd[24369]: input_userauth_request: invalid user admin [preauth]
Dec 10 08:25:06 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:25:06 LabSZ sshd[24369]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
Dec 10 08:25:08 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
Dec 10 08:25:10 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:25:11 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
Dec 10 08:25:13 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:25:15 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
Dec 10 08:25:16 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:25:18 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
Dec 10 08:25:19 LabSZ sshd[24369]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:25:21 LabSZ sshd[24369]: Failed password for invalid user admin from 5.188.10.180 port 60682 ssh2
Dec 10 08:25:22 LabSZ sshd[24369]: Connection closed by 5.188.10.180 [preauth]
Dec 10 08:25:22 LabSZ sshd[24369]: PAM 4 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
Dec 10 08:25:22 LabSZ sshd[24369]: PAM service(sshd) ignoring max retries; 5 > 3
";

/// keyboard-interactive through PAM (constructed from OpenSSH 8.x/9.x wordings; the program
/// is `sshd-session` since 9.8): each attempt is reported by pam_unix, by sshd's PAM layer
/// and by sshd's auth log.
const SEQ_KBDINT: &str = "\
2026-11-30T11:35:01.100000+00:00 host sshd-session[4321]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root
2026-11-30T11:35:03.100000+00:00 host sshd-session[4321]: error: PAM: Authentication failure for root from 203.0.113.9
2026-11-30T11:35:03.200000+00:00 host sshd-session[4321]: Failed keyboard-interactive/pam for root from 203.0.113.9 port 50022 ssh2
2026-11-30T11:35:04.100000+00:00 host sshd-session[4321]: error: PAM: Authentication failure for root from 203.0.113.9
2026-11-30T11:35:04.200000+00:00 host sshd-session[4321]: Failed keyboard-interactive/pam for root from 203.0.113.9 port 50022 ssh2
2026-11-30T11:35:05.100000+00:00 host sshd-session[4321]: error: PAM: Authentication failure for root from 203.0.113.9
2026-11-30T11:35:05.200000+00:00 host sshd-session[4321]: Failed keyboard-interactive/pam for root from 203.0.113.9 port 50022 ssh2
2026-11-30T11:35:05.300000+00:00 host sshd-session[4321]: error: maximum authentication attempts exceeded for root from 203.0.113.9 port 50022 ssh2 [preauth]
2026-11-30T11:35:05.300000+00:00 host sshd-session[4321]: Disconnecting authenticating user root 203.0.113.9 port 50022: Too many authentication failures [preauth]
2026-11-30T11:35:05.400000+00:00 host sshd-session[4321]: PAM 2 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.9  user=root
";

#[test]
fn counting_repeated_failed_lines() {
    let t = run(SEQ_REPEAT, true);
    assert_eq!(t.failures, pam_retries(SEQ_REPEAT));
    assert_eq!(t.failures, pam_more(SEQ_REPEAT) + 1);
    assert_eq!(t.failure_lines, 2);
    assert_eq!(t.unparsed, 0);
}

#[test]
fn counting_pam_lines_add_nothing_to_password_attempts() {
    for seq in [SEQ_INVALID, SEQ_CLOSED] {
        let t = run(seq, true);
        assert_eq!(t.failures, pam_retries(seq), "{seq}");
        assert_eq!(t.failures, pam_more(seq) + 1, "{seq}");
        assert_eq!(t.failures, t.failure_lines, "{seq}");
        assert_eq!(t.invalid_user, 1);
        assert_eq!(t.unparsed, 0);
    }
}

#[test]
fn counting_keyboard_interactive_counts_each_attempt_once() {
    for keep_pid in [true, false] {
        let t = run(SEQ_KBDINT, keep_pid);
        let attempts = SEQ_KBDINT.matches("]: Failed keyboard-interactive").count() as u32;
        assert_eq!(t.failures, attempts, "keep_pid {keep_pid}");
        assert_eq!(t.failures, pam_more(SEQ_KBDINT) + 1);
        // Six auth_failure lines (PAM + sshd) for three attempts.
        assert_eq!(t.failure_lines, 6);
        assert_eq!(t.too_many, 2);
        assert_eq!(t.unparsed, 0);
    }
}

#[test]
fn counting_keyboard_interactive_invalid_user() {
    let log = "\
sshd[77]: Invalid user oracle from 203.0.113.9 port 40000
sshd[77]: error: PAM: User not known to the underlying authentication module for illegal user oracle from 203.0.113.9
sshd[77]: Failed keyboard-interactive/pam for invalid user oracle from 203.0.113.9 port 40000 ssh2
sshd[77]: Connection closed by invalid user oracle 203.0.113.9 port 40000 [preauth]
";
    let t = run(log, true);
    assert_eq!((t.failures, t.failure_lines, t.invalid_user), (1, 2, 1));
}

#[test]
fn counting_failed_none_is_not_an_attempt() {
    let log = "\
Dec 10 08:24:40 LabSZ sshd[24363]: Invalid user 0 from 5.188.10.180
Dec 10 08:24:40 LabSZ sshd[24363]: input_userauth_request: invalid user 0 [preauth]
Dec 10 08:24:40 LabSZ sshd[24363]: Failed none for invalid user 0 from 5.188.10.180 port 49811 ssh2
Dec 10 08:24:43 LabSZ sshd[24363]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 08:24:43 LabSZ sshd[24363]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.188.10.180 
Dec 10 08:24:45 LabSZ sshd[24363]: Failed password for invalid user 0 from 5.188.10.180 port 49811 ssh2
Dec 10 08:24:46 LabSZ sshd[24363]: Connection closed by 5.188.10.180 [preauth]
";
    let t = run(log, true);
    assert_eq!((t.failures, t.failure_lines), (1, 2));
}

#[test]
fn counting_pam_report_without_failed_line_counts_once() {
    let mut c = Connections::new();
    let mut pam = ev("error: PAM: Authentication failure for root from 203.0.113.9");
    let mut closed =
        ev("Connection closed by authenticating user root 203.0.113.9 port 1 [preauth]");
    assert_eq!(c.observe(0, Some(1), &mut pam), 1);
    // The close is a signal of a connection that counted already: nothing more.
    assert_eq!(c.observe(0, Some(1), &mut closed), 0);
    // The next connection's keyboard-interactive failure is its own attempt.
    let mut kbd = ev("Failed keyboard-interactive/pam for root from 203.0.113.9 port 2 ssh2");
    assert_eq!(c.observe(0, Some(1), &mut kbd), 1);
}

#[test]
fn counting_without_pid_pairs_interleaved_connections() {
    // journalctl -o cat: two connections from one address interleave.
    let mut c = Connections::new();
    let pam = ev("error: PAM: Authentication failure for root from 203.0.113.9");
    let kbd_a = ev("Failed keyboard-interactive/pam for root from 203.0.113.9 port 1 ssh2");
    let kbd_b = ev("Failed keyboard-interactive/pam for root from 203.0.113.9 port 2 ssh2");
    let n =
        |c: &mut Connections, pid: Option<u32>, m: &SshdMessage| c.observe(0, pid, &mut m.clone());
    let total = n(&mut c, None, &pam)
        + n(&mut c, None, &pam)
        + n(&mut c, None, &kbd_a)
        + n(&mut c, None, &kbd_b);
    assert_eq!(total, 2);
    // Other addresses and pids are independent keys.
    let other = ev("Failed keyboard-interactive/pam for root from 203.0.113.10 port 1 ssh2");
    assert_eq!(n(&mut c, None, &pam), 1);
    assert_eq!(n(&mut c, None, &other), 1);
    assert_eq!(n(&mut c, Some(9), &kbd_a), 1);
}

#[test]
fn counting_repeated_keyboard_interactive_consumes_pending_reports() {
    let mut c = Connections::new();
    let mut pam = ev("error: PAM: Authentication failure for root from 203.0.113.9");
    let mut kbd3 = ev(
        "message repeated 3 times: [ Failed keyboard-interactive/pam for root from 203.0.113.9 port 1 ssh2]",
    );
    assert_eq!(c.observe(0, None, &mut pam), 1);
    assert_eq!(c.observe(0, None, &mut kbd3), 2);
}

#[test]
fn counting_signals_give_one_failure_per_connection() {
    let mut c = Connections::new();
    let mut n = |pid: u32, msg: &str| c.observe(0, Some(pid), &mut ev(msg));
    // Key-only: the signal alone counts one.
    assert_eq!(n(1, "Invalid user a from 198.51.100.1 port 1"), 1);
    assert_eq!(
        n(
            1,
            "Connection closed by invalid user a 198.51.100.1 port 1 [preauth]"
        ),
        0
    );
    // With passwords: the first Failed line is the attempt the signal announced.
    assert_eq!(n(2, "Invalid user a from 198.51.100.1 port 2"), 1);
    assert_eq!(
        n(
            2,
            "Failed password for invalid user a from 198.51.100.1 port 2 ssh2"
        ),
        0
    );
    assert_eq!(
        n(
            2,
            "Failed password for invalid user a from 198.51.100.1 port 2 ssh2"
        ),
        1
    );
    // A signal after Failed lines adds nothing.
    assert_eq!(
        n(3, "Failed password for root from 198.51.100.1 port 3 ssh2"),
        1
    );
    assert_eq!(
        n(
            3,
            "error: maximum authentication attempts exceeded for root from 198.51.100.1 port 3 ssh2 [preauth]"
        ),
        0
    );
    // The same pid after the connection ended is a new connection.
    assert_eq!(n(1, "Invalid user b from 198.51.100.1 port 9"), 1);
}

#[test]
fn connection_memory_is_bounded() {
    let mut c = Connections::new();
    let pam = ev("error: PAM: Authentication failure for root from 203.0.113.9");
    let mut total = 0;
    let n = Connections::SLOTS as u32 * 3;
    for pid in 0..n {
        total += c.observe(0, Some(pid), &mut pam.clone());
    }
    assert_eq!(total, n);
    // Host names are bounded too.
    for h in 0..(Connections::HOSTS + 10) {
        let id = c.host_id(Some(&format!("h{h}")));
        assert!(id as usize <= Connections::HOSTS, "{id}");
    }
}

/// A stretch of the LabSZ log: many connections, every rule of that OpenSSH 7.2 host.
const EXCERPT: &str = "\
Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!
Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186
Dec 10 06:55:46 LabSZ sshd[24200]: input_userauth_request: invalid user webmaster [preauth]
Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 06:55:46 LabSZ sshd[24200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 
Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2
Dec 10 06:55:48 LabSZ sshd[24200]: Connection closed by 173.234.31.186 [preauth]
Dec 10 07:02:47 LabSZ sshd[24203]: Connection closed by 212.47.254.145 [preauth]
Dec 10 07:07:38 LabSZ sshd[24206]: Invalid user test9 from 52.80.34.196
Dec 10 07:07:38 LabSZ sshd[24206]: input_userauth_request: invalid user test9 [preauth]
Dec 10 07:07:38 LabSZ sshd[24206]: pam_unix(sshd:auth): check pass; user unknown
Dec 10 07:07:38 LabSZ sshd[24206]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn 
Dec 10 07:07:45 LabSZ sshd[24206]: Failed password for invalid user test9 from 52.80.34.196 port 36060 ssh2
Dec 10 07:07:45 LabSZ sshd[24206]: Received disconnect from 52.80.34.196: 11: Bye Bye [preauth]
Dec 10 07:27:50 LabSZ sshd[24235]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root
Dec 10 07:27:52 LabSZ sshd[24235]: Failed password for root from 112.95.230.3 port 45378 ssh2
Dec 10 07:27:52 LabSZ sshd[24235]: Received disconnect from 112.95.230.3: 11: Bye Bye [preauth]
Dec 10 08:00:01 LabSZ sshd[24301]: Did not receive identification string from 123.235.32.19
Dec 10 08:10:01 LabSZ sshd[24324]: error: Received disconnect from 195.154.37.122: 3: com.jcraft.jsch.JSchException: Auth fail [preauth]
Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2
Dec 10 09:32:20 LabSZ sshd[24680]: pam_unix(sshd:session): session opened for user fztu by (uid=0)
Dec 10 09:45:06 LabSZ sshd[24680]: pam_unix(sshd:session): session closed for user fztu
Dec 10 09:45:06 LabSZ sshd[24761]: Received disconnect from 119.137.62.142: 11: disconnected by user
Dec 10 10:14:13 LabSZ sshd[25457]: fatal: Write failed: Connection reset by peer [preauth]
";

#[test]
fn excerpt_kinds_and_totals() {
    let t = run(EXCERPT, true);
    // Every Failed line, and the client that reported `Auth fail` (pid 24324).
    let failed_lines = EXCERPT.matches("]: Failed password").count() as u32;
    assert_eq!(t.failures, failed_lines + 1);
    assert_eq!(t.failure_lines, failed_lines + 1);
    assert_eq!(
        t.invalid_user,
        EXCERPT.matches("]: Invalid user").count() as u32
    );
    assert_eq!(t.successes, 1);
    assert_eq!(t.unparsed, 0);
    // No event may carry an address that is not in the line.
    for line in EXCERPT.lines() {
        if let Classified::Event(m) = classify(split_syslog(line).1) {
            assert!(line.contains(&m.ip.to_string()), "{line}");
        }
    }
}

#[test]
fn split_syslog_helper() {
    assert_eq!(
        split_syslog("Dec 10 07:13:56 LabSZ sshd[24227]: PAM x"),
        (Some(24227), "PAM x")
    );
    assert_eq!(
        split_syslog("2026-11-30T11:35:01+00:00 h sshd-session[9]: y"),
        (Some(9), "y")
    );
    assert_eq!(split_syslog("Failed x"), (None, "Failed x"));
}

fn hostile_name() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just(" from 6.6.6.6".to_string()),
            Just(" port 1".to_string()),
            Just(" ssh2".to_string()),
            Just(": RSA SHA256:x".to_string()),
            Just(" [preauth]".to_string()),
            Just("invalid user ".to_string()),
            Just(" ".to_string()),
            Just("2001:db8::6".to_string()),
            "\\PC{0,6}",
        ],
        0..8,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn never_panics(s in "\\PC{0,200}") {
        let _ = classify(&s);
    }

    #[test]
    fn never_panics_on_near_misses(user in hostile_name(), tail in "\\PC{0,30}") {
        for prefix in ["Failed password for ", "Invalid user ", "Connection closed by ",
                       "Received disconnect from ", "Disconnecting ", "error: PAM: x for ",
                       "User ", "message repeated 2 times: [ Failed none for "] {
            let _ = classify(&format!("{prefix}{user}{tail}"));
        }
    }

    /// Whatever the user name, the address and the name come back intact.
    #[test]
    fn hostile_names_cannot_move_the_address(user in hostile_name()) {
        let want = ip("192.0.2.1");
        let lines = [
            format!("Failed password for invalid user {user} from 192.0.2.1 port 22 ssh2"),
            format!("Failed password for {user} from 192.0.2.1 port 22 ssh2"),
            format!("Failed publickey for {user} from 192.0.2.1 port 22 ssh2: RSA SHA256:abc"),
            format!("Accepted password for {user} from 192.0.2.1 port 22 ssh2"),
            format!("Invalid user {user} from 192.0.2.1 port 22"),
            format!("Invalid user {user} from 192.0.2.1"),
            format!("Connection closed by invalid user {user} 192.0.2.1 port 22 [preauth]"),
            format!("Disconnected from authenticating user {user} 192.0.2.1 port 22 [preauth]"),
            format!("error: maximum authentication attempts exceeded for invalid user {user} from 192.0.2.1 port 22 ssh2 [preauth]"),
            format!("message repeated 4 times: [ Failed password for invalid user {user} from 192.0.2.1 port 22 ssh2]"),
        ];
        for line in &lines {
            match classify(line) {
                Classified::Event(m) => {
                    prop_assert_eq!(m.ip, want, "{}", line);
                    // `Failed … for U`: a name that itself starts with `invalid user ` is ambiguous.
                    if !user.starts_with("invalid user ") && !user.starts_with("illegal user ") {
                        prop_assert_eq!(m.user, Some(user.as_str()), "{}", line);
                    }
                }
                other => prop_assert!(false, "{:?} for {}", other, line),
            }
        }
    }
}

/// `srclimit_penalise: … for ADDR` or `… for ADDR/LEN`: an address, or a CIDR block whose
/// length is a number, maybe followed by one `,` or `:`; `ADDR/word` is neither, and more
/// colons make no address (found by the `parse_sshd` and `sshd_classify` fuzz targets: `::/it`
/// gave the address `::`, `::ed::::` the address `::ed`).
#[test]
fn srclimit_names_an_address_or_a_block() {
    for (msg, want) in [
        (
            "srclimit_penalise: activating authentication failure penalty of 30.000 seconds for 203.0.113.7",
            "203.0.113.7",
        ),
        (
            "srclimit_penalise: activating noauth penalty of 10.000 seconds for 2001:db8::/64",
            "2001:db8::",
        ),
        (
            "srclimit_penalise: ipv4: new 198.51.100.0/24 deferred penalty of 10 seconds for reason: x",
            "198.51.100.0",
        ),
    ] {
        assert_eq!(ev(msg).ip, ip(want), "{msg}");
    }
    for msg in [
        "srclimit_penalise: r o/ ::/it_penalise: x",
        "srclimit_penalise: activating penalty for 203.0.113.7/",
        "srclimit_penalise: activating penalty for 203.0.113.7/x",
        "srclimit_penalise: connect ::ed:::: x",
    ] {
        assert!(!matches!(classify(msg), Classified::Event(_)), "{msg}");
    }
}
