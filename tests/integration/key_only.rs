//! A server that accepts only keys (`tests/data/keyonly-auth.log`, OpenSSH 6/7 and 9.x
//! wordings): sshd writes no `Failed password`, yet every attacking connection is a failed
//! login. "0 failed logins" on this log would be a lie.

use crate::util::*;

const LOG: &str = include_str!("../data/keyonly-auth.log");

/// Counted by hand from the fixture: each attacking connection (pid) with its client and the
/// user it tried. Connections that only grabbed the banner, timed out, or disconnected
/// without sending a user name are not login attempts.
const ATTACKS: &[(u32, &str, &str)] = &[
    (812, "116.31.116.50", "admin"),
    (815, "61.177.172.13", "root"),
    (818, "185.220.101.4", "pi"),
    (825, "103.99.0.122", "git"),
    (827, "2a01:7e00::f03c:91ff:fe93:1c5d", "ubuntu"),
    (9311, "218.92.0.107", "oracle"),
    (9315, "218.92.0.118", "root"),
    (9320, "180.101.88.240", "root"),
    (9324, "92.118.39.62", "postgres"),
    (9330, "2001:da8:8000:1::80", "test"),
    (9344, "116.31.116.50", "admin"),
];

const NOT_ATTACKS: &[&str] = &[
    "222.186.15.62",
    "45.155.205.233",
    "64.62.197.152",
    "167.94.138.120",
    "43.131.250.14",
    "81.2.69.160",
];

#[test]
fn every_attacking_connection_is_a_failed_login() {
    // Each pid of the table appears in the fixture with its address.
    for (pid, ip, _) in ATTACKS {
        assert!(
            LOG.lines()
                .any(|l| l.contains(&format!("[{pid}]:")) && l.contains(ip)),
            "fixture lacks {pid} {ip}"
        );
    }
    let d = Dir::new();
    let p = d.write("auth.log", LOG);
    let o = run_paths(&["export", "--format", "json", "--year", "2026"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json(&o);
    let failures = doc["summary"]["failures"].as_u64().unwrap();
    assert!(
        failures >= ATTACKS.len() as u64,
        "{failures} failed logins for {} attacked connections",
        ATTACKS.len()
    );
    assert_eq!(failures, ATTACKS.len() as u64, "one per connection here");
    for (_, ip, user) in ATTACKS {
        let r = ip_record(&doc, ip);
        let want = ATTACKS.iter().filter(|a| a.1 == *ip).count() as u64;
        assert_eq!(r["failures"].as_u64(), Some(want), "{r:#}");
        assert!(
            r["users"][*user].as_u64() >= Some(1),
            "{user} tried from {ip}: {r:#}"
        );
    }
    for ip in NOT_ATTACKS {
        assert_eq!(ip_record(&doc, ip)["failures"], 0, "{ip}");
    }
    assert_eq!(doc["summary"]["successes"], 1);
    assert_eq!(doc["summary"]["unparsed"], 0, "{:#}", doc["summary"]);
    // The users table names what was tried.
    let users: Vec<&str> = doc["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|u| u["user"].as_str())
        .collect();
    for u in [
        "admin", "root", "pi", "git", "ubuntu", "oracle", "postgres", "test",
    ] {
        assert!(users.contains(&u), "{u} missing from {users:?}");
    }
}

#[test]
fn the_terminal_summary_does_not_say_zero() {
    let d = Dir::new();
    let p = d.write("auth.log", LOG);
    let o = run_paths(&["summary", "--color", "never", "--year", "2026"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let totals = text
        .lines()
        .skip_while(|l| !l.starts_with("TOTALS"))
        .nth(2)
        .unwrap_or_else(|| panic!("no totals row in {text}"));
    let cells: Vec<&str> = totals.split_whitespace().collect();
    // addresses countries events failed successful …
    assert_eq!(cells.get(3), Some(&"11"), "{text}");
}
