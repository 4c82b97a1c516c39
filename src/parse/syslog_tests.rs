use super::*;
use crate::parse::clock::Zone;
use crate::parse::timestamp::format_rfc3339;

fn clock() -> Clock {
    Clock::utc(2026)
}

fn sp(line: &str) -> SyslogLine<'_> {
    split(line, &mut clock())
}

#[test]
fn splits_classic_syslog() {
    let l = sp("Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186");
    assert_eq!(l.host, Some("LabSZ"));
    assert_eq!(l.program, Some("sshd"));
    assert_eq!(l.pid, Some(24200));
    assert_eq!(l.message, "Invalid user webmaster from 173.234.31.186");
    assert!(l.ts.is_some() && l.stamped);
}

#[test]
fn splits_rfc3339_and_short_iso() {
    for line in [
        "2026-11-30T11:35:01.123456+00:00 vps sshd-session[42]: Connection closed by 1.2.3.4 port 22 [preauth]",
        "2026-11-30T11:35:01+0000 vps sshd-session[42]: Connection closed by 1.2.3.4 port 22 [preauth]",
    ] {
        let l = sp(line);
        assert_eq!(l.ts, Some(1_796_038_501), "{line}");
        assert_eq!(l.host, Some("vps"));
        assert_eq!(l.program, Some("sshd-session"));
        assert_eq!(l.pid, Some(42));
        assert_eq!(l.message, "Connection closed by 1.2.3.4 port 22 [preauth]");
    }
}

/// Every prefix a user meets, each giving the same host, program, pid and message. The
/// journalctl forms were written by `journalctl --file … -o FORMAT` (systemd 252) from a
/// journal made with systemd-journal-remote, with TZ=Europe/Berlin.
#[test]
fn splits_every_dialect() {
    let msg = "Invalid user admin from 1.2.3.4 port 5555";
    let t = 1_764_748_801; // 2025-12-03T08:00:01Z = 09:00:01 CET
    let cases: &[(&str, Option<i64>, Option<&str>, &str)] = &[
        (
            "Dec 03 09:00:01 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "Dec  3 09:00:01 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "Dec 03 09:00:01.123456 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "Wed 2025-12-03 09:00:01 CET vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "Wed 2025-12-03 09:00:01 CET vps ssh.service[1234]: ",
            Some(t),
            Some("vps"),
            "ssh.service",
        ),
        (
            "1764748801.123456 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        ("[12345.678901] vps sshd[1234]: ", None, Some("vps"), "sshd"),
        (
            "[12345.678902 <    0.000001 >] vps sshd[1234]: ",
            None,
            Some("vps"),
            "sshd",
        ),
        (
            "2025-12-03T09:00:01+0100 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "2025-12-03T08:00:01.123456Z vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "2025-12-03T09:00:01 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "<38>1 2025-12-03T08:00:01.123Z vps sshd 1234 - - ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "<38>1 2025-12-03T09:00:01.123456+01:00 vps sshd 1234 ID47 [meta sequenceId=\"1\" x=\"a\\]b\"][origin ip=\"10.0.0.1\"] ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "<38>1 2025-12-03T08:00:01Z vps sshd 1234 - - \u{feff}",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        ("<38>1 - - sshd 1234 - - ", None, None, "sshd"),
        (
            "<38>Dec  3 09:00:01 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "Dec  3 09:00:01 vps sshd[1234]: [ID 800047 auth.info] ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
        (
            "\0\0\0\0\0\0Dec  3 09:00:01 vps sshd[1234]: ",
            Some(t),
            Some("vps"),
            "sshd",
        ),
    ];
    let zone = Zone::resolve(Some("Europe/Berlin")).unwrap();
    for &(prefix, ts, host, program) in cases {
        let line = format!("{prefix}{msg}");
        let mut c = Clock::new(crate::parse::clock::YearRule::fixed(2025), zone.clone());
        let l = split(&line, &mut c);
        assert!(l.stamped, "{line:?}");
        assert_eq!(l.ts.map(format_rfc3339), ts.map(format_rfc3339), "{line:?}");
        assert_eq!(l.host, host, "{line:?}");
        assert_eq!(l.program, Some(program), "{line:?}");
        assert_eq!(l.pid, Some(1234), "{line:?}");
        assert_eq!(l.message, msg, "{line:?}");
    }
}

#[test]
fn splits_tag_without_pid_and_without_host() {
    let l = sp("Nov 30 11:35:01 host CRON: pam_unix(cron:session): x");
    assert_eq!((l.program, l.pid), (Some("CRON"), None));
    assert_eq!(l.message, "pam_unix(cron:session): x");
    let l = sp("Nov 30 11:35:01 sshd[7]: Accepted");
    assert_eq!((l.host, l.program, l.pid), (None, Some("sshd"), Some(7)));
    assert_eq!(l.message, "Accepted");
}

#[test]
fn no_prefix_is_all_message() {
    let l = sp("Failed password for root from 1.2.3.4 port 22 ssh2");
    assert_eq!(l.ts, None);
    assert!(!l.stamped);
    assert_eq!(l.program, None);
    assert_eq!(
        l.message,
        "Failed password for root from 1.2.3.4 port 22 ssh2"
    );
    // Things that look a little like prefixes but are not.
    for line in [
        "[UFW BLOCK] IN=eth0",
        "<abc>1 x",
        "<1234>1 2025-12-03T08:00:01Z h a 1 - - m",
        "12345 vps sshd[1]: x",
        "Xyz 2025-12-03 09:00:01 CET vps sshd[1]: x",
    ] {
        assert!(!sp(line).stamped, "{line}");
    }
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
        "<38>1",
        "<38>1 ",
        "<38>1 2025-12-03T08:00:01Z",
        "<38>1 2025-12-03T08:00:01Z h a 1 - [x",
        "<38>1 2025-12-03T08:00:01Z h a 1 - [x=\"\\",
        "Wed 2025-12-03 09:00:01",
        "Wed 2025-12-03 09:00:01 ",
        "[1.5",
        "\0\0\0",
        "",
    ] {
        let _ = sp(line);
    }
    assert_eq!(sp("Nov 30 11:35:01 host sshd[1]:").program, Some("sshd"));
}

fn events_in(lines: &str, zone: Zone) -> Vec<Event<'static>> {
    let mut p = SyslogParser::new(Clock::new(crate::parse::clock::YearRule::fixed(2026), zone));
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

fn events(lines: &str) -> Vec<Event<'static>> {
    events_in(lines, Zone::utc())
}

fn failures_of(evs: &[Event], ip: &str) -> u32 {
    evs.iter()
        .filter(|e| e.ip.to_string() == ip)
        .map(|e| e.failures)
        .sum()
}

#[test]
fn too_many_failures_without_address_is_given_the_client_of_its_process() {
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
    assert_eq!(failures_of(&evs, "5.36.59.76"), 1);
}

#[test]
fn too_many_failures_with_address_parses_on_its_own() {
    // OpenSSH 6/7: the address is on the line; nothing before it is needed.
    let evs = events(
        "Dec 10 07:13:56 pi sshd[812]: Disconnecting: Too many authentication failures for invalid user admin from 116.31.116.50 port 61744 ssh2 [preauth]
Dec 10 07:13:57 pi sshd[813]: Disconnecting: Too many authentication failures for root from 2001:db8::7 port 1022 ssh2 [preauth]",
    );
    assert_eq!(evs.len(), 2, "{evs:?}");
    assert_eq!(evs[0].kind, Kind::TooManyFailures);
    assert_eq!(evs[0].ip.to_string(), "116.31.116.50");
    assert_eq!(evs[0].user.as_deref(), Some("admin"));
    assert_eq!(evs[0].failures, 1);
    assert_eq!(evs[1].ip.to_string(), "2001:db8::7");
    assert_eq!(evs[1].user.as_deref(), Some("root"));
    assert_eq!(evs[1].failures, 1);
}

/// A server that accepts only keys: no `Failed password` anywhere, and every attacking
/// connection still counts at least one failed login.
#[test]
fn key_only_server_attacks_count() {
    let log = "\
Dec  3 08:00:01 pi sshd[100]: Invalid user admin from 198.51.100.1 port 40000
Dec  3 08:00:02 pi sshd[100]: Connection closed by invalid user admin 198.51.100.1 port 40000 [preauth]
Dec  3 08:00:03 pi sshd[101]: Connection closed by authenticating user root 198.51.100.2 port 40001 [preauth]
Dec  3 08:00:04 pi sshd[102]: error: maximum authentication attempts exceeded for root from 198.51.100.3 port 40002 ssh2 [preauth]
Dec  3 08:00:04 pi sshd[102]: Disconnecting authenticating user root 198.51.100.3 port 40002: Too many authentication failures [preauth]
Dec  3 08:00:05 pi sshd[103]: User git from 198.51.100.4 not allowed because not listed in AllowUsers
Dec  3 08:00:05 pi sshd[103]: Connection closed by invalid user git 198.51.100.4 port 40003 [preauth]
Dec  3 08:00:06 pi sshd[104]: Received disconnect from 198.51.100.5 port 40004:11: Bye Bye [preauth]
Dec  3 08:00:06 pi sshd[104]: Disconnected from authenticating user oracle 198.51.100.5 port 40004 [preauth]
Dec  3 08:00:07 pi sshd[105]: Connection closed by 198.51.100.6 port 40005 [preauth]
Dec  3 08:00:08 pi sshd[106]: Received disconnect from 198.51.100.7 port 40006:3: com.jcraft.jsch.JSchException: Auth fail [preauth]
Dec  3 08:00:08 pi sshd[106]: Disconnected from 198.51.100.7 port 40006 [preauth]
Dec  3 08:00:09 pi sshd[107]: Disconnecting: Too many authentication failures for root from 198.51.100.8 port 40007 ssh2 [preauth]";
    let evs = events(log);
    for (ip, want) in [
        ("198.51.100.1", 1),
        ("198.51.100.2", 1),
        ("198.51.100.3", 1),
        ("198.51.100.4", 1),
        ("198.51.100.5", 1),
        ("198.51.100.6", 0), // a banner grab: no user name was sent
        ("198.51.100.7", 1),
        ("198.51.100.8", 1),
    ] {
        assert_eq!(failures_of(&evs, ip), want, "{ip}: {evs:#?}");
    }
    let users: Vec<(String, &str)> = evs
        .iter()
        .filter(|e| e.failures > 0)
        .map(|e| (e.ip.to_string(), e.user.as_deref().unwrap_or("")))
        .collect();
    assert!(
        users.contains(&("198.51.100.1".into(), "admin")),
        "{users:?}"
    );
    assert!(
        users.contains(&("198.51.100.2".into(), "root")),
        "{users:?}"
    );
    assert!(users.contains(&("198.51.100.4".into(), "git")), "{users:?}");
    assert!(
        users.contains(&("198.51.100.5".into(), "oracle")),
        "{users:?}"
    );
    let jsch = evs
        .iter()
        .find(|e| e.ip.to_string() == "198.51.100.7")
        .unwrap();
    assert_eq!(jsch.kind, Kind::AuthFailure);
}

/// With passwords, the `Failed` lines count and a signal of the same connection adds nothing.
#[test]
fn password_server_counts_each_attempt_once() {
    let log = "\
Dec  3 08:00:01 h sshd[200]: Invalid user admin from 203.0.113.1 port 40000
Dec  3 08:00:02 h sshd[200]: pam_unix(sshd:auth): check pass; user unknown
Dec  3 08:00:02 h sshd[200]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=203.0.113.1
Dec  3 08:00:03 h sshd[200]: Failed password for invalid user admin from 203.0.113.1 port 40000 ssh2
Dec  3 08:00:05 h sshd[200]: Failed password for invalid user admin from 203.0.113.1 port 40000 ssh2
Dec  3 08:00:06 h sshd[200]: Connection closed by invalid user admin 203.0.113.1 port 40000 [preauth]
Dec  3 08:00:07 h sshd[201]: Failed password for root from 203.0.113.2 port 40001 ssh2
Dec  3 08:00:07 h sshd[201]: message repeated 5 times: [ Failed password for root from 203.0.113.2 port 40001 ssh2]
Dec  3 08:00:08 h sshd[201]: error: maximum authentication attempts exceeded for root from 203.0.113.2 port 40001 ssh2 [preauth]
Dec  3 08:00:08 h sshd[201]: Disconnecting authenticating user root 203.0.113.2 port 40001: Too many authentication failures [preauth]
Dec  3 08:00:09 h sshd[202]: error: PAM: Authentication failure for illegal user test from 203.0.113.3
Dec  3 08:00:09 h sshd[202]: Failed keyboard-interactive/pam for invalid user test from 203.0.113.3 port 40002 ssh2";
    let evs = events(log);
    assert_eq!(failures_of(&evs, "203.0.113.1"), 2, "{evs:#?}");
    assert_eq!(failures_of(&evs, "203.0.113.2"), 6);
    assert_eq!(failures_of(&evs, "203.0.113.3"), 1);
}

#[test]
fn connections_are_keyed_by_host_and_pid() {
    // Two hosts in one central log with the same pid: one host's state must not touch the
    // other's. Host a's connection counted 2 failures, then host b's pid 300 signals: it is a
    // different connection, so it counts 1.
    let log = "\
Dec  3 08:00:01 a sshd[300]: Failed password for root from 192.0.2.10 port 1 ssh2
Dec  3 08:00:02 a sshd[300]: Failed password for root from 192.0.2.10 port 1 ssh2
Dec  3 08:00:03 b sshd[300]: Disconnecting: Too many authentication failures for root [preauth]
Dec  3 08:00:03 b sshd[300]: Invalid user x from 192.0.2.20 port 2
Dec  3 08:00:04 a sshd[300]: Disconnecting: Too many authentication failures for root [preauth]";
    let evs = events(log);
    // b's first line names no address and b's pid 300 has no client yet: no event.
    assert_eq!(evs.len(), 4, "{evs:#?}");
    assert_eq!(failures_of(&evs, "192.0.2.10"), 2);
    assert_eq!(failures_of(&evs, "192.0.2.20"), 1);
    assert_eq!(evs[3].ip.to_string(), "192.0.2.10");
    assert_eq!(evs[3].kind, Kind::TooManyFailures);
}

#[test]
fn a_disconnect_after_login_is_other() {
    let log = "\
Dec  3 08:00:01 h sshd[400]: Accepted publickey for deploy from 192.0.2.50 port 5000 ssh2: ED25519 SHA256:abc
Dec  3 09:00:01 h sshd[400]: Connection closed by 192.0.2.50 port 5000
Dec  3 09:00:02 h sshd[401]: Connection closed by 192.0.2.51 port 5001";
    let evs = events(log);
    assert_eq!(evs[1].kind, Kind::Other);
    assert_eq!(evs[2].kind, Kind::PreauthDisconnect);
}

#[test]
fn last_message_repeated_repeats_the_previous_message_of_the_host() {
    let log = "\
Dec  3 08:00:01 h sshd[500]: Failed password for root from 192.0.2.60 port 1 ssh2
Dec  3 08:00:31 h last message repeated 4 times
Dec  3 08:00:32 h kernel: [UFW BLOCK] IN=eth0 OUT= MAC=00 SRC=192.0.2.61 DST=10.0.0.1 LEN=40 PROTO=TCP SPT=1 DPT=23 WINDOW=1 RES=0x00 SYN URGP=0
Dec  3 08:00:33 h last message repeated 2 times";
    let evs = events(log);
    assert_eq!(evs.len(), 4, "{evs:#?}");
    assert_eq!(failures_of(&evs, "192.0.2.60"), 5);
    assert_eq!(
        (evs[1].kind, evs[1].repeat, evs[1].line_no),
        (Kind::AuthFailure, 4, 2)
    );
    assert_eq!((evs[3].kind, evs[3].repeat), (Kind::Blocked, 2));
    let total: u32 = evs
        .iter()
        .filter(|e| e.ip.to_string() == "192.0.2.61")
        .map(|e| e.repeat)
        .sum();
    assert_eq!(total, 3);
}

#[test]
fn pam_via_blames_the_client() {
    let evs = events(
        "Dec  3 08:00:01 h sshd[600]: error: PAM: Authentication failure for root from 192.0.2.70 via 10.0.0.5",
    );
    assert_eq!(evs.len(), 1, "{evs:#?}");
    assert_eq!(evs[0].ip.to_string(), "192.0.2.70");
    assert_eq!(evs[0].failures, 1);
}

#[test]
fn known_messages_name_no_address() {
    // The quoted banner is the client's text; `Server listening` names our own address.
    let evs = events(
        "Dec  3 08:00:01 h sshd[700]: error: Bad remote protocol version identification: 'SSH-2.0-x 8.8.8.8'
Dec  3 08:00:01 h sshd[1]: Server listening on 0.0.0.0 port 22.",
    );
    assert!(evs.is_empty(), "{evs:#?}");
}

#[test]
fn local_times_are_read_in_the_zone() {
    let evs = events_in(
        "Jul 15 12:00:00 h sshd[1]: Invalid user a from 192.0.2.80 port 1",
        Zone::resolve(Some("Asia/Kolkata")).unwrap(),
    );
    assert_eq!(format_rfc3339(evs[0].ts.unwrap()), "2026-07-15T06:30:00Z");
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
