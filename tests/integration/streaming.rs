//! Streaming: `events` and `grep` write each result as soon as it is known when the input is
//! a pipe, so `tail -f auth.log | logmap events | jq` works. Each test keeps the child's stdin
//! open, writes one line, reads the result within a timeout, then writes the next.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::util::*;

/// Long enough for a loaded machine, far shorter than "never".
const PATIENCE: Duration = Duration::from_secs(20);

struct Live {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Live {
    fn start(args: &[&str]) -> Live {
        let mut child = logmap()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn logmap");
        let stdin = child.stdin.take();
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Live {
            child,
            stdin,
            lines,
        }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).expect("write");
        stdin.write_all(b"\n").expect("write");
        stdin.flush().expect("flush");
    }

    /// The next line of output; fails the test when none comes in time.
    fn next(&self, what: &str) -> String {
        self.lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("no output for {what} within {PATIENCE:?}: not streamed"))
    }

    fn next_json(&self, what: &str) -> serde_json::Value {
        let line = self.next(what);
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"))
    }

    /// Close stdin and wait: the run ends cleanly.
    fn finish(mut self) -> (Option<i32>, Vec<String>) {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait");
        let rest: Vec<String> = self.lines.iter().collect();
        (status.code(), rest)
    }
}

fn failed(pid: u32, user: &str, ip: &str) -> String {
    format!(
        "Dec 10 07:13:43 h sshd[{pid}]: Failed password for invalid user {user} from {ip} port 42393 ssh2"
    )
}

#[test]
fn events_from_a_pipe_come_out_one_by_one() {
    let mut live = Live::start(&["events", "--year", "2026"]);
    live.send(&failed(1, "alice", "203.0.113.7"));
    let first = live.next_json("the first sshd line");
    assert_eq!(first["ip"], "203.0.113.7");
    assert_eq!(
        first["kind"], "auth_failure",
        "detected as sshd from one line"
    );
    assert_eq!(first["user"], "alice");
    live.send(&failed(2, "bob", "198.51.100.9"));
    let second = live.next_json("the second line");
    assert_eq!(second["user"], "bob");
    assert_eq!(second["line"], 2);
    let (code, rest) = live.finish();
    assert_eq!(code, Some(0));
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn tsv_and_grep_stream_too() {
    let mut tsv = Live::start(&["events", "--format", "tsv", "--year", "2026"]);
    tsv.send(&failed(1, "carol", "203.0.113.8"));
    assert!(tsv.next("the header").starts_with("source\tline"));
    assert!(tsv.next("the first event").contains("\tcarol\t"));
    tsv.send(&failed(2, "dave", "203.0.113.9"));
    assert!(tsv.next("the second event").contains("\tdave\t"));
    assert_eq!(tsv.finish().0, Some(0));

    let mut grep = Live::start(&["grep"]);
    grep.send("connection from 192.0.2.44 refused");
    assert_eq!(grep.next("the first address"), "192.0.2.44");
    grep.send("and now 2001:db8::7 too");
    assert_eq!(grep.next("the second address"), "2001:db8::7");
    assert_eq!(grep.finish().0, Some(0));
}

#[test]
fn a_header_before_the_log_does_not_hide_its_format() {
    // `journalctl -f` may start with a comment line that no format claims; the lines after it
    // are still recognised (and streamed) as sshd.
    let mut live = Live::start(&["events", "--year", "2026"]);
    live.send("-- Logs begin at Mon 2026-12-07 10:00:00 UTC. --");
    live.send(&failed(1, "erin", "203.0.113.10"));
    let ev = live.next_json("the line after the header");
    assert_eq!(ev["kind"], "auth_failure", "{ev}");
    assert_eq!(ev["line"], 2);
    live.send(&failed(2, "frank", "203.0.113.11"));
    assert_eq!(live.next_json("the next line")["user"], "frank");
    assert_eq!(live.finish().0, Some(0));

    // Text of no known format streams as generic text.
    let mut live = Live::start(&["events"]);
    live.send("kernel: something about 192.0.2.50");
    let ev = live.next_json("a generic line");
    assert_eq!(
        (ev["kind"].as_str(), ev["ip"].as_str()),
        (Some("seen"), Some("192.0.2.50"))
    );
    assert_eq!(live.finish().0, Some(0));
}

#[test]
fn many_empty_lines_before_the_log_are_counted_not_sampled() {
    // 200,000 empty lines, then sshd lines: the format is still found (detection skips empty
    // lines with a running count; it used to recount its sample on every line).
    let d = Dir::new();
    let mut text = "\n".repeat(200_000);
    for i in 0..3 {
        text.push_str(&failed(10 + i, "root", "81.2.69.20"));
        text.push('\n');
    }
    let p = d.write("auth.log", &text);
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p],
    ));
    assert_eq!(doc["sources"][0]["format"], "sshd");
    assert_eq!(doc["sources"][0]["lines"], 200_003);
    assert_eq!(doc["summary"]["failures"], 3);
    // The same from a pipe.
    let o = run(&["events", "--year", "2026"], Some(text.as_bytes()));
    assert!(o.status.success(), "{}", stderr(&o));
    let events: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e["kind"] == "auth_failure"));
    assert_eq!(events[0]["line"], 200_001);
}
