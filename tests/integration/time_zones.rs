//! Times without a zone (classic syslog, `journalctl -o short`) are the writing host's local
//! time: read in `--tz`, else `TZ`, else the system zone; JSON stays UTC.

use std::process::Stdio;

use crate::util::*;

/// `logmap ARGS FILE` with `TZ=tz`; the `ts` of every event, in order.
fn event_times(tz: &str, args: &[&str], log: &str) -> Vec<String> {
    let d = Dir::new();
    let p = d.write("auth.log", log);
    let year: &[&str] = if args.contains(&"--year") {
        &[]
    } else {
        &["--year", "2026"]
    };
    let o = logmap()
        .env("TZ", tz)
        .arg("events")
        .args(year)
        .args(args)
        .arg(&p)
        .stdin(Stdio::null())
        .output()
        .expect("run logmap");
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("ndjson");
            v["ts"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

fn line(stamp: &str, n: u32) -> String {
    format!("{stamp} host sshd[{n}]: Invalid user u{n} from 198.51.100.{n} port 22\n")
}

#[test]
fn berlin_across_both_changes() {
    // 2026-03-29: 02:00 CET → 03:00 CEST. 2026-10-25: 03:00 CEST → 02:00 CET, so 02:00-02:59
    // happens twice; the log is in order, so the second 02:10 is an hour after the first.
    let log = [
        line("Mar 29 01:59:00", 1),
        line("Mar 29 03:01:00", 2),
        line("Oct 25 01:50:00", 3),
        line("Oct 25 02:10:00", 4),
        line("Oct 25 02:50:00", 5),
        line("Oct 25 02:10:00", 6),
        line("Oct 25 03:10:00", 7),
    ]
    .concat();
    assert_eq!(
        event_times("Europe/Berlin", &[], &log),
        [
            "2026-03-29T00:59:00Z",
            "2026-03-29T01:01:00Z",
            "2026-10-24T23:50:00Z",
            "2026-10-25T00:10:00Z",
            "2026-10-25T00:50:00Z",
            "2026-10-25T01:10:00Z",
            "2026-10-25T02:10:00Z",
        ]
    );
}

#[test]
fn new_york_and_kolkata() {
    let log = [
        line("Mar  8 01:30:00", 1), // EST
        line("Mar  8 03:30:00", 2), // EDT
        line("Nov  1 01:30:00", 3), // EDT (first pass)
        line("Nov  1 01:30:00", 4), // the same second pass? no: equal times stay in the first
        line("Nov  2 12:00:00", 5), // EST
    ]
    .concat();
    assert_eq!(
        event_times("America/New_York", &[], &log),
        [
            "2026-03-08T06:30:00Z",
            "2026-03-08T07:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-01T05:30:00Z",
            "2026-11-02T17:00:00Z",
        ]
    );
    assert_eq!(
        event_times("Asia/Kolkata", &[], &line("Jul 15 12:00:00", 1)),
        ["2026-07-15T06:30:00Z"]
    );
}

#[test]
fn tz_flag_wins_and_zoned_times_are_left_alone() {
    let log = [
        line("Jul 15 12:00:00", 1),
        line("2026-07-15T12:00:00+02:00", 2),
        line("2026-07-15T12:00:00.5Z", 3),
        "{\"__REALTIME_TIMESTAMP\":\"1784109600000000\",\"SYSLOG_IDENTIFIER\":\"sshd\",\"_PID\":\"9\",\"MESSAGE\":\"Invalid user x from 198.51.100.9 port 1\"}\n".to_string(),
    ];
    let syslog = log[..3].concat();
    assert_eq!(
        event_times("Asia/Kolkata", &["--tz", "America/New_York"], &syslog),
        [
            "2026-07-15T16:00:00Z",
            "2026-07-15T10:00:00Z",
            "2026-07-15T12:00:00Z"
        ]
    );
    // The journal's JSON carries UTC microseconds: no zone applies.
    for tz in ["UTC", "Asia/Kolkata", "America/New_York"] {
        assert_eq!(
            event_times(tz, &[], &log[3]),
            ["2026-07-15T10:00:00Z"],
            "{tz}"
        );
    }
}

#[test]
fn since_and_until_are_local() {
    let log = [
        line("Oct 25 01:50:00", 1),
        line("Oct 25 02:10:00", 2),
        line("Oct 25 02:50:00", 3),
        line("Oct 25 02:10:00", 4),
        line("Oct 25 03:10:00", 5),
    ]
    .concat();
    // 03:00 Berlin on Oct 25 is 02:00Z: only the last event is at or after it.
    assert_eq!(
        event_times("Europe/Berlin", &["--since", "2026-10-25 03:00"], &log),
        ["2026-10-25T02:10:00Z"]
    );
    assert_eq!(
        event_times("Europe/Berlin", &["--until", "2026-10-25"], &log),
        Vec::<String>::new()
    );
}

#[test]
fn year_rolls_over_in_january() {
    let log = [line("Dec 31 23:59:00", 1), line("Jan  1 00:01:00", 2)].concat();
    assert_eq!(
        event_times("UTC", &["--year", "2025"], &log),
        ["2025-12-31T23:59:00Z", "2026-01-01T00:01:00Z"]
    );
}
