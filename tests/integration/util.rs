//! Helpers for the integration tests: a temporary directory and a way to run the binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    /// Write `contents` to `name` and return its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, contents).expect("write fixture");
        p
    }

    /// Write `contents` gzip-compressed.
    pub fn write_gz(&self, name: &str, contents: &[u8]) -> PathBuf {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(contents).expect("gzip");
        self.write(name, enc.finish().expect("gzip"))
    }
}

/// The `logmap` binary under test.
pub fn logmap() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_logmap"));
    // Times without a zone are read in the system's zone: pin it, tests that need another set
    // TZ themselves.
    c.env_remove("NO_COLOR")
        .env("LOGMAP_TEST", "1")
        .env("TZ", "UTC");
    c
}

/// Run with `args`, optionally feeding `stdin`.
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = logmap();
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn logmap");
    if let Some(input) = stdin {
        let mut s = child.stdin.take().expect("stdin");
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = s.write_all(&input);
        });
    }
    child.wait_with_output().expect("wait logmap")
}

/// Run with paths as arguments.
pub fn run_paths(args: &[&str], paths: &[&Path]) -> Output {
    let mut all: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    all.extend(paths.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    run(&refs, None)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parse stdout as one JSON document, with a readable failure.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}); status {:?}\nstdout:\n{}\nstderr:\n{}",
            o.status,
            stdout(o),
            stderr(o)
        )
    })
}

/// The record of `ip` in an export document.
pub fn ip_record<'a>(doc: &'a serde_json::Value, ip: &str) -> &'a serde_json::Value {
    doc["ips"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["ip"] == ip))
        .unwrap_or_else(|| panic!("no record for {ip} in {doc:#}"))
}

/// Where Debian puts `systemd-journal-remote` (before and after the /usr merge).
pub const JOURNAL_REMOTE: [&str; 2] = [
    "/lib/systemd/systemd-journal-remote",
    "/usr/lib/systemd/systemd-journal-remote",
];

pub fn journal_remote() -> Option<&'static str> {
    JOURNAL_REMOTE.into_iter().find(|p| Path::new(p).exists())
}

/// Whether the journal tools are here; without them, fail under CI and skip elsewhere.
pub fn journal_tools() -> bool {
    let missing = if journal_remote().is_none() {
        Some("no systemd-journal-remote (apt-get install systemd-journal-remote)".to_string())
    } else if Command::new("journalctl")
        .arg("--version")
        .output()
        .is_err()
    {
        Some("no `journalctl` on PATH (apt-get install systemd)".to_string())
    } else {
        None
    };
    match missing {
        None => true,
        Some(why) if std::env::var_os("CI").is_some() => {
            panic!("the journal tests cannot run under CI: {why}")
        }
        Some(why) => {
            eprintln!("skipping a journal test: {why}");
            false
        }
    }
}

/// The line `summary --db` adds under its totals (what the last ingest added), which a run
/// over files does not print.
pub fn is_history_note(line: &str) -> bool {
    line.contains(" new address") && line.contains(" ingest")
}
