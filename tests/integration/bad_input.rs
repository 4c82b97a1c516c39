//! Bad input never panics, names the file in one line, and never loses the other inputs.

use crate::hay;
use crate::util::*;

fn assert_no_panic(o: &std::process::Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert!(o.status.code().is_some(), "killed by a signal: {err}");
}

#[test]
fn missing_file_is_named_and_the_others_still_read() {
    let d = Dir::new();
    let good = d.write("auth.log", hay::AUTH);
    let missing = d.path("nope.log");
    let o = run_paths(&["summary", "--json", "--year", "2026"], &[&missing, &good]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("nope.log") && err.contains("No such file"),
        "{err}"
    );
    assert_eq!(json(&o)["summary"]["failures"], 9);
}

#[test]
fn directory_is_named() {
    let d = Dir::new();
    let good = d.write("auth.log", hay::AUTH);
    let o = run_paths(
        &["summary", "--json", "--year", "2026"],
        &[d.tmp.path(), &good],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    assert_eq!(json(&o)["summary"]["failures"], 9);
}

#[test]
fn unreadable_file_is_named() {
    // /proc/self/mem cannot be read from offset 0, even by root: a real read error.
    let d = Dir::new();
    let good = d.write("auth.log", hay::AUTH);
    let o = run(
        &[
            "summary",
            "--json",
            "--year",
            "2026",
            "/proc/self/mem",
            &good.display().to_string(),
        ],
        None,
    );
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("logmap: /proc/self/mem: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(json(&o)["summary"]["failures"], 9);
}

#[test]
fn empty_file_is_fine() {
    let d = Dir::new();
    let p = d.write("empty.log", "");
    let o = run_paths(&["summary", "--json"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json(&o);
    assert_eq!(doc["summary"]["lines"], 0);
    assert_eq!(doc["summary"]["unique_ips"], 0);
    assert_eq!(doc["summary"]["first_seen"], serde_json::Value::Null);
}

#[test]
fn binary_data_and_invalid_utf8_still_yield_addresses() {
    let d = Dir::new();
    let mut data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    data.extend_from_slice(
        b"\n\xff\xfe Failed password for r\xc3\x28oot from 81.2.69.142 port 22 ssh2\n",
    );
    data.extend_from_slice(b"\x00\x01 junk 81.2.69.160 \xc0\xaf\n");
    let p = d.write("binary.bin", &data);
    let o = run_paths(&["grep", "-u"], &[&p]);
    assert_no_panic(&o);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l == "81.2.69.142"), "{out}");
    assert!(out.lines().any(|l| l == "81.2.69.160"), "{out}");

    let o = run_paths(&["export", "--format", "json"], &[&p]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = json(&o);
    ip_record(&doc, "81.2.69.142");
    ip_record(&doc, "81.2.69.160");
}

#[test]
fn invalid_utf8_in_an_sshd_line_is_still_classified() {
    let d = Dir::new();
    let p = d.write(
        "auth.log",
        b"Dec 10 07:13:43 h sshd[1]: Failed password for invalid user r\xff\xfeot from 81.2.69.142 port 42393 ssh2\n",
    );
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p],
    ));
    let r = ip_record(&doc, "81.2.69.142");
    assert_eq!(r["failures"], 1, "{r:#}");
    assert_eq!(r["users"]["r\u{fffd}\u{fffd}ot"], 1, "{r:#}");
}

#[test]
fn a_ten_megabyte_line_keeps_its_address() {
    let d = Dir::new();
    let mut line = "x".repeat(5 * 1024 * 1024);
    line.push_str(" 81.2.69.142 ");
    line.push_str(&"y".repeat(5 * 1024 * 1024));
    line.push('\n');
    line.push_str("next line 81.2.69.160\n");
    let p = d.write("huge.log", line);
    let o = run_paths(&["grep"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "81.2.69.142\n81.2.69.160\n");
}

#[test]
fn truncated_gzip_reports_and_keeps_the_lines_before_the_cut() {
    let d = Dir::new();
    let mut big = String::new();
    for i in 0..20_000u32 {
        big.push_str(&format!(
            "Dec 10 07:13:43 h sshd[{i}]: Failed password for root from 81.2.{}.{} port 22 ssh2\n",
            i / 250,
            i % 250 + 1
        ));
    }
    let full = d.write_gz("full.gz", big.as_bytes());
    let bytes = std::fs::read(&full).expect("read gz");
    let cut = d.write("auth.log.2.gz", &bytes[..bytes.len() / 2]);
    let good = d.write("auth.log", hay::AUTH);
    let o = run_paths(&["summary", "--json", "--year", "2026"], &[&cut, &good]);
    assert_no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("auth.log.2.gz") && err.contains("truncated"),
        "{err}"
    );
    let doc = json(&o);
    let lines = doc["sources"][0]["lines"].as_u64().unwrap_or(0);
    assert!(
        lines > 1000 && lines < 20_000,
        "lines read before the cut: {lines}"
    );
    assert!(doc["summary"]["failures"].as_u64().unwrap_or(0) > 1000);
}

#[test]
fn bad_options_are_one_line_errors() {
    for (args, needle) in [
        (&["summary", "--since", "last tuesday", "-"][..], "--since"),
        (&["summary", "--until", "2026-13-01", "-"][..], "--until"),
        (&["summary", "--tz", "Mars/Olympus_Mons", "-"][..], "--tz"),
        (&["summary", "--year", "12", "-"][..], "--year"),
        (
            &[
                "summary",
                "--since",
                "2026-12-01",
                "--until",
                "2026-11-01",
                "-",
            ][..],
            "before",
        ),
    ] {
        let o = run(args, Some(b""));
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.starts_with("logmap: ") && err.contains(needle),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
