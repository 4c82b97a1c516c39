//! Whole-pipeline counts on the fixtures of `hay.rs`, checked against hand counts.

use crate::hay;
use crate::util::*;

#[test]
fn auth_log_counts_match_the_hand_count() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let o = run_paths(
        &["summary", "--json", "--year", "2026", "--top", "100"],
        &[&p],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json(&o);
    let s = &doc["summary"];
    assert_eq!(s["unique_ips"], 4, "{s:#}");
    assert_eq!(s["failures"], 6 + 1 + 2, "{s:#}");
    assert_eq!(s["successes"], 1);
    assert_eq!(s["private_ips"], 1);
    assert_eq!(s["unparsed"], 0, "{doc:#}");
    assert_eq!(s["lines"], 22);
    assert_eq!(s["first_seen"], "2026-12-10T06:55:46Z");
    assert_eq!(
        s["last_seen"], "2026-12-10T09:05:00Z",
        "the newest public event"
    );

    let brute = ip_record(&doc, "5.36.59.76");
    assert_eq!(brute["failures"], 6);
    assert_eq!(brute["users"]["root"], 6);

    let invalid = ip_record(&doc, "173.234.31.186");
    assert_eq!(invalid["failures"], 1);
    assert_eq!(invalid["events"], 5, "{invalid:#}");
    assert_eq!(invalid["kinds"]["invalid_user"], 1);
    assert_eq!(invalid["kinds"]["preauth_disconnect"], 1);
    assert_eq!(invalid["users"]["webmaster"], 1);

    let v6 = ip_record(&doc, "2a01:4f8:1c1c:5870::1");
    assert_eq!(
        v6["failures"], 2,
        "PAM and sshd report each attempt: {v6:#}"
    );

    let ok = ip_record(&doc, "80.94.95.115");
    assert_eq!(ok["successes"], 1);
    assert_eq!(ok["kinds"]["auth_success"], 1);
    assert_eq!(ok["users"]["deploy"], 1);

    // Worst first.
    assert_eq!(doc["ips"][0]["ip"], "5.36.59.76");
    assert_eq!(doc["users"][0]["user"], "root");
    assert_eq!(doc["users"][0]["attempts"], 8);
}

#[test]
fn include_private_counts_private_addresses() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let o = run_paths(
        &["summary", "--json", "--include-private", "--year", "2026"],
        &[&p],
    );
    let doc = json(&o);
    assert_eq!(doc["summary"]["unique_ips"], 5);
    assert_eq!(doc["summary"]["successes"], 2);
    assert_eq!(doc["summary"]["private_ips"], 0);
}

#[test]
fn rotated_set_reads_as_one_timeline() {
    let d = Dir::new();
    let lines: Vec<&str> = hay::AUTH.lines().collect();
    let (old, new) = lines.split_at(10);
    let newest = d.write("auth.log", new.join("\n") + "\n");
    let rotated = d.write_gz("auth.log.1.gz", (old.join("\n") + "\n").as_bytes());
    // Given oldest first or newest first, the result is the same data set.
    for order in [[&rotated, &newest], [&newest, &rotated]] {
        let o = run_paths(
            &["summary", "--json", "--year", "2026"],
            &[order[0], order[1]],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let doc = json(&o);
        assert_eq!(doc["summary"]["failures"], 9);
        assert_eq!(doc["summary"]["lines"], 22);
        assert_eq!(doc["sources"].as_array().map(Vec::len), Some(2));
    }
}

#[test]
fn gzip_is_recognised_by_content_not_name() {
    let d = Dir::new();
    let p = d.write_gz("auth-log-without-extension", hay::AUTH.as_bytes());
    let doc = json(&run_paths(&["summary", "--json", "--year", "2026"], &[&p]));
    assert_eq!(doc["summary"]["failures"], 9);
    assert_eq!(doc["sources"][0]["gzip"], true);
}

#[test]
fn stdin_is_read_with_dash_or_nothing() {
    for args in [
        &["summary", "--json", "--year", "2026", "-"][..],
        &["summary", "--json", "--year", "2026"],
    ] {
        let o = run(args, Some(hay::AUTH.as_bytes()));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(json(&o)["summary"]["failures"], 9);
    }
}

#[test]
fn web_access_log() {
    let d = Dir::new();
    let p = d.write("access.log", hay::ACCESS);
    let doc = json(&run_paths(&["export", "--format", "json"], &[&p]));
    assert_eq!(doc["sources"][0]["format"], "web");
    assert_eq!(doc["summary"]["unique_ips"], 3);
    assert_eq!(doc["summary"]["events"], 4);
    assert_eq!(ip_record(&doc, "83.149.9.216")["kinds"]["request"], 2);
    assert_eq!(
        ip_record(&doc, "2a03:2880:f003:c07:face:b00c:0:2")["first_seen"], // RFC 5952: no "::" for one group
        "2015-05-17T10:06:00Z"
    );
}

#[test]
fn journal_json() {
    let d = Dir::new();
    let p = d.write("journal.json", hay::JOURNAL);
    let doc = json(&run_paths(&["export", "--format", "json"], &[&p]));
    assert_eq!(doc["sources"][0]["format"], "journal");
    let r = ip_record(&doc, "203.0.114.9");
    assert_eq!(r["failures"], 1);
    assert_eq!(r["users"]["\"oracle\""], 1, "{r:#}");
    assert_eq!(r["first_seen"], "2026-11-30T11:35:01Z");
    assert_eq!(ip_record(&doc, "151.101.1.140")["successes"], 1);
}

#[test]
fn generic_text_yields_every_address() {
    let d = Dir::new();
    let p = d.write(
        "notes.txt",
        "saw 8.8.8.8 and 2606:4700:4700::1111 today, 8.8.8.8 again\nversion 1.2.3.4.5 is not one\n",
    );
    let doc = json(&run_paths(&["export", "--format", "json"], &[&p]));
    assert_eq!(doc["sources"][0]["format"], "generic");
    assert_eq!(doc["summary"]["unique_ips"], 2);
    // One event per address per line.
    assert_eq!(ip_record(&doc, "8.8.8.8")["kinds"]["seen"], 1);
}

#[test]
fn since_and_until_filter_events() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let o = run_paths(
        &[
            "summary",
            "--json",
            "--year",
            "2026",
            "--since",
            "2026-12-10T07:00:00Z",
            "--until",
            "2026-12-10T09:00:00Z",
        ],
        &[&p],
    );
    let doc = json(&o);
    assert_eq!(doc["summary"]["unique_ips"], 2, "{doc:#}");
    assert_eq!(doc["summary"]["failures"], 8);
    assert!(doc["summary"]["filtered_out"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn windows_are_relative_to_the_newest_event() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let doc = json(&run_paths(&["summary", "--json", "--year", "2026"], &[&p]));
    let w = &doc["windows"];
    assert_eq!(w[0]["label"], "1h");
    // Newest event 09:05 (public); in the last hour: only 80.94.95.115.
    assert_eq!(w[0]["ips"], 1, "{w:#}");
    assert_eq!(w[1]["ips"], 4);
}

#[test]
fn summary_keeps_every_successful_login_beyond_the_top() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let doc = json(&run_paths(
        &["summary", "--json", "--year", "2026", "--top", "1"],
        &[&p],
    ));
    let ips: Vec<&str> = doc["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .filter_map(|r| r["ip"].as_str())
        .collect();
    // The worst address, then the one that got in (it failed nothing, so it ranks last).
    assert_eq!(ips, ["5.36.59.76", "80.94.95.115"]);
    assert_eq!(doc["summary"]["unique_ips"], 4);
    let text = stdout(&run_paths(
        &[
            "summary", "--year", "2026", "--top", "1", "--color", "never",
        ],
        &[&p],
    ));
    assert!(text.contains("TOP ADDRESSES (1 of 4)"), "{text}");
    assert!(
        text.contains("SUCCESSFUL LOGINS") && text.contains("80.94.95.115"),
        "{text}"
    );
}
