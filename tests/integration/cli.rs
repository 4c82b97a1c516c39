//! Exit codes, pipes, grep, help.

use std::io::Read;
use std::process::Stdio;

use crate::hay;
use crate::util::*;

#[test]
fn grep_prints_canonical_addresses_and_filters() {
    let d = Dir::new();
    let p = d.write(
        "mixed.txt",
        "a 10.0.0.1 b 8.8.8.8\nc [2001:0DB8:0000:0000:0000:0000:0000:0001]:22 d ::ffff:1.2.3.4\ne 2a00:1450:4001:81c::200e 8.8.8.8\n",
    );
    let all = stdout(&run_paths(&["grep"], &[&p]));
    assert_eq!(
        all,
        "10.0.0.1\n8.8.8.8\n2001:db8::1\n1.2.3.4\n2a00:1450:4001:81c::200e\n8.8.8.8\n"
    );
    assert_eq!(
        stdout(&run_paths(&["grep", "-u"], &[&p])).lines().count(),
        5
    );
    assert_eq!(stdout(&run_paths(&["grep", "-c"], &[&p])), "6\n");
    assert_eq!(
        stdout(&run_paths(&["grep", "-6"], &[&p])),
        "2001:db8::1\n2a00:1450:4001:81c::200e\n"
    );
    assert_eq!(
        stdout(&run_paths(&["grep", "--public", "-u"], &[&p])),
        "8.8.8.8\n1.2.3.4\n2a00:1450:4001:81c::200e\n"
    );
}

#[test]
fn grep_exit_status_one_when_nothing_found() {
    let o = run(
        &["grep"],
        Some(b"no addresses here, only 1.2.3 and v1.2.3.4.5\n"),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), "");
    let o = run(&["grep"], Some(b"one: 9.9.9.9\n"));
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn closed_pipe_is_not_an_error() {
    let d = Dir::new();
    let text: String = (0..200_000u32)
        .map(|i| format!("{}.{}.{}.{}\n", 1 + i % 200, i % 250, i / 250 % 250, 7))
        .collect();
    let p = d.write("many.txt", text);
    for args in [
        vec!["grep"],
        vec!["events", "--format", "tsv"],
        vec!["events"],
    ] {
        let mut child = logmap()
            .args(&args)
            .arg(&p)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut out = child.stdout.take().expect("stdout");
        let mut first = [0u8; 16];
        out.read_exact(&mut first).expect("some output");
        drop(out); // like `| head -c 16`
        let status = child.wait().expect("wait");
        let mut err = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("stderr");
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}

#[test]
fn help_reads_like_a_manual() {
    let o = run(&["--help"], None);
    assert!(o.status.success());
    let h = stdout(&o);
    for needle in [
        "summary",
        "export",
        "events",
        "grep",
        "Examples:",
        "Exit status",
        "DB-IP",
    ] {
        assert!(h.contains(needle), "--help lacks {needle}");
    }
    let o = run(&["summary", "--help"], None);
    assert!(stdout(&o).contains("--since"));
    let o = run(&["frobnicate"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn summary_text_shows_the_numbers_and_escapes_terminal_codes() {
    let d = Dir::new();
    let mut log = hay::AUTH.to_string();
    log.push_str("Dec 10 09:10:00 h sshd[7]: Failed password for invalid user \x1b[2J\x1b]0;pwned\x07 from 81.2.69.142 port 22 ssh2\n");
    let p = d.write("auth.log", log);
    let o = run_paths(&["summary", "--year", "2026", "--color", "never"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        !out.contains('\x1b'),
        "raw escape sequence reached the terminal: {out:?}"
    );
    assert!(
        out.contains("5.36.59.76") && out.contains("SUCCESSFUL LOGINS"),
        "{out}"
    );
    assert!(out.contains("80.94.95.115"));
    let colored = stdout(&run_paths(
        &["summary", "--year", "2026", "--color", "always"],
        &[&p],
    ));
    assert!(
        colored.contains("\x1b[31m"),
        "no colour with --color always"
    );
}

#[test]
fn events_stream_has_the_documented_fields() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let o = run_paths(&["events", "--year", "2026"], &[&p]);
    assert!(o.status.success());
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson line"))
        .collect();
    for e in &events {
        for k in [
            "source", "line", "ts", "service", "kind", "ip", "port", "user", "method",
        ] {
            assert!(e.get(k).is_some(), "event lacks {k}: {e}");
        }
    }
    // Private addresses are included in events.
    assert!(events.iter().any(|e| e["ip"] == "192.168.1.5"));
    let repeated = events
        .iter()
        .find(|e| e["repeat"] == 5)
        .expect("the repeated-message event");
    assert_eq!(repeated["kind"], "auth_failure");
    assert_eq!(repeated["line"], 10);
    assert_eq!(repeated["ts"], "2026-12-10T07:13:56Z");

    let tsv = stdout(&run_paths(
        &["events", "--format", "tsv", "--year", "2026"],
        &[&p],
    ));
    let mut lines = tsv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "source\tline\tts\tservice\tkind\tip\tport\tuser\tmethod\trepeat\tfailures\tstatus\tpath\tuser_agent\tbytes\tdst_port\tproto"
        )
    );
    assert_eq!(lines.count(), events.len());
}

#[test]
fn dash_output_is_standard_output() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    for format in ["json", "ndjson", "csv", "geojson"] {
        let o = logmap()
            .current_dir(d.tmp.path())
            .args(["export", "--year", "2026", "--format", format, "-o", "-"])
            .arg(&p)
            .output()
            .expect("export");
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let by_default = run_paths(&["export", "--year", "2026", "--format", format], &[&p]);
        assert_eq!(stdout(&o), stdout(&by_default), "{format}");
        assert!(!o.stdout.is_empty());
        assert!(!d.path("-").exists(), "{format} wrote a file named '-'");
    }
    let o = logmap()
        .current_dir(d.tmp.path())
        .args(["map", "--year", "2026", "-o", "-"])
        .arg(&p)
        .output()
        .expect("map");
    assert!(o.status.success(), "{}", stderr(&o));
    let page = stdout(&o);
    assert!(page.starts_with("<!DOCTYPE html>"), "{}", &page[..100]);
    assert!(page.trim_end().ends_with("</html>"));
    assert!(!d.path("-").exists(), "map wrote a file named '-'");
    // The summary goes to stderr, and names where the page went.
    let err = stderr(&o);
    assert!(
        err.contains("TOTALS") && err.contains("5.36.59.76"),
        "{err}"
    );
    assert!(err.contains("written to standard output"), "{err}");
    // `./-` is still a file.
    let o = logmap()
        .current_dir(d.tmp.path())
        .args(["-q", "map", "--year", "2026", "-o", "./-"])
        .arg(&p)
        .output()
        .expect("map");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.path("-").is_file());
    assert!(o.stdout.is_empty());
}

/// Every command, with its stdout a pipe whose reading end is already closed: the first
/// write fails with EPIPE. That is the end of the output, not an error and never a panic.
#[test]
fn every_command_ends_quietly_on_a_closed_pipe() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let page = d.path("page.html");
    let log = p.display().to_string();
    let page_arg = page.display().to_string();
    let commands: Vec<Vec<&str>> = vec![
        vec!["summary", &log],
        vec!["summary", "--json", &log],
        vec!["export", &log],
        vec!["export", "-f", "ndjson", &log],
        vec!["export", "-f", "csv", &log],
        vec!["export", "-f", "geojson", &log],
        vec!["export", "-o", "-", &log],
        vec!["events", &log],
        vec!["events", "-f", "tsv", &log],
        vec!["grep", &log],
        vec!["grep", "-c", &log],
        vec!["lookup", "8.8.8.8", "1.1.1.1"],
        vec!["lookup", "-f", "ndjson", "8.8.8.8"],
        vec!["db", "info"],
        vec!["db", "path"],
        vec!["map", &log, "-o", &page_arg],
        vec!["map", &log, "-o", "-"],
        vec!["--help"],
        vec!["summary", "--help"],
    ];
    for args in commands {
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let o = logmap()
            .env("XDG_DATA_HOME", d.tmp.path())
            .args(&args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("run");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
    }
}
