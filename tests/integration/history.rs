//! `logmap ingest` and `--db`: the history counts every line once through appends, re-runs,
//! rotation (rename, gzip), truncation (copytruncate) and crashes, and every view reads it as a
//! run over the same files would.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::util::*;

const DEMO: &str = include_str!("../../demo/auth.log");

fn ingest(db: &Path, args: &[&str], files: &[&Path]) {
    let mut all: Vec<String> = vec!["ingest".into(), "--db".into(), db.display().to_string()];
    all.extend(args.iter().map(|s| s.to_string()));
    all.extend(files.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let o = run(&refs, None);
    assert!(o.status.success(), "ingest failed: {}", stderr(&o));
}

/// Per-address counters of an export document: ip → (events, failures, successes, users).
fn per_address(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .map(|r| {
            let key = r["ip"].as_str().unwrap().to_string();
            let val = format!(
                "events={} failures={} successes={} kinds={} users={} first={} last={} country={}",
                r["events"],
                r["failures"],
                r["successes"],
                r["kinds"],
                r["users"],
                r["first_seen"],
                r["last_seen"],
                r["country"]
            );
            (key, val)
        })
        .collect();
    v.sort();
    v
}

fn export_files(files: &[&Path]) -> serde_json::Value {
    let o = run_paths(&["export", "--format", "json", "--year", "2026"], files);
    assert!(o.status.success(), "{}", stderr(&o));
    json(&o)
}

fn export_db(db: &Path) -> serde_json::Value {
    let o = run(
        &[
            "export",
            "--format",
            "json",
            "--db",
            &db.display().to_string(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    json(&o)
}

/// The same per-address counts, and the same totals.
fn assert_same(got: &serde_json::Value, want: &serde_json::Value, what: &str) {
    let (g, w) = (per_address(got), per_address(want));
    if g != w {
        let diff: Vec<_> = w.iter().zip(&g).filter(|(a, b)| a != b).take(5).collect();
        panic!(
            "{what}: {} vs {} addresses; first differences (want, got): {diff:#?}",
            w.len(),
            g.len()
        );
    }
    for k in [
        "events",
        "unique_ips",
        "failures",
        "successes",
        "first_seen",
        "last_seen",
        "private_ips",
    ] {
        assert_eq!(got["summary"][k], want["summary"][k], "{what}: summary.{k}");
    }
    for k in ["countries", "asns", "users", "windows", "timeline"] {
        assert_eq!(got[k], want[k], "{what}: {k}");
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

fn write_lines(path: &Path, lines: &[&str], append: bool) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(append)
        .write(true)
        .truncate(!append)
        .open(path)
        .unwrap();
    for l in lines {
        writeln!(f, "{l}").unwrap();
    }
}

fn gzip(from: &Path, to: &Path) {
    let data = std::fs::read(from).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&data).unwrap();
    std::fs::write(to, enc.finish().unwrap()).unwrap();
    std::fs::remove_file(from).unwrap();
}

#[test]
fn appends_reruns_rotation_and_truncation_count_every_line_once() {
    let d = Dir::new();
    let db = d.path("history.db");
    let all = lines(DEMO);
    // Line 480 and 481 are one connection (pid 43252): its failed logins before the cut, its
    // `Disconnected from authenticating user root` (an attack signal, already counted) after.
    assert!(all[479].contains("sshd[43252]") && all[480].contains("sshd[43252]"));
    let (part1, rest) = all.split_at(480);
    let (part2, rest) = rest.split_at(200);
    let (part3, rest) = rest.split_at(150);
    let (part4, part5) = rest.split_at(100);
    let log = d.path("auth.log");
    let y = ["--year", "2026"];

    write_lines(&log, part1, false);
    ingest(&db, &y, &[&log]);
    write_lines(&log, part2, true);
    ingest(&db, &y, &[&log]);
    ingest(&db, &y, &[&log]); // nothing new: nothing added
    let one = d.path("one.log");
    write_lines(&one, &[part1, part2].concat(), false);
    assert_same(&export_db(&db), &export_files(&[&one]), "after an append");

    // logrotate: auth.log → auth.log.1, a new auth.log.
    let log1 = d.path("auth.log.1");
    std::fs::rename(&log, &log1).unwrap();
    write_lines(&log, part3, false);
    ingest(&db, &y, &[&log, &log1]);
    // Later: auth.log.1 → auth.log.2.gz, auth.log → auth.log.1, a new auth.log.
    let log2 = d.path("auth.log.2.gz");
    gzip(&log1, &log2);
    std::fs::rename(&log, &log1).unwrap();
    write_lines(&log1, &part4[..40], true); // written before the rotation, read only now
    write_lines(&log, &part4[40..], false);
    ingest(&db, &y, &[&log, &log1, &log2]);
    // copytruncate: the content is copied to auth.log.1 and auth.log cut to nothing in place.
    let log_old = d.path("auth.log.1.old");
    std::fs::rename(&log1, &log_old).unwrap();
    write_lines(&log, &part5[..10], true);
    std::fs::copy(&log, &log1).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&log)
        .unwrap();
    write_lines(&log, &part5[10..], true);
    ingest(&db, &y, &[&log, &log1, &log_old, &log2]);
    ingest(&db, &y, &[&log, &log1, &log_old, &log2]);

    // The same lines, one file per piece as they now lie on disk.
    let want = export_files(&[&log2, &log_old, &log1, &log]);
    let got = export_db(&db);
    assert_same(&got, &want, "after rotation, gzip and copytruncate");
    assert_eq!(
        got["summary"]["events"], want["summary"]["events"],
        "every event once"
    );
    assert_eq!(got["summary"]["lines"], DEMO.lines().count());
}

#[test]
fn every_view_reads_the_history_as_the_files() {
    let d = Dir::new();
    let db = d.path("h.db");
    let log = d.write("auth.log", DEMO);
    ingest(&db, &["--year", "2026"], &[&log]);
    let dbs = db.display().to_string();
    let logs = log.display().to_string();
    for args in [
        &["summary", "--color", "never"][..],
        &["summary", "--json"],
        &["export", "--format", "csv"],
        &["export", "--format", "ndjson"],
        &["export", "--format", "geojson"],
        &["events"],
        &["events", "--format", "tsv"],
        &[
            "summary",
            "--json",
            "--since",
            "2026-11-25",
            "--until",
            "2026-11-26 03:00",
        ],
        &["export", "--format", "csv", "--include-private"],
    ] {
        let from_files = run(&[args, &["--year", "2026", &logs]].concat(), None);
        let from_db = run(&[args, &["--db", &dbs]].concat(), None);
        assert!(
            from_files.status.success() && from_db.status.success(),
            "{args:?}: {}",
            stderr(&from_db)
        );
        let (a, b) = (stdout(&from_files), stdout(&from_db));
        // The sources list (lines read, offsets) and the history note differ by design.
        let strip = |s: &str| -> String {
            s.lines()
                .filter(|l| {
                    !l.starts_with("logmap ") && !l.contains("\"history\"") && !is_history_note(l)
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        if args[0] == "summary" && args.contains(&"--json") {
            let (mut ja, mut jb): (serde_json::Value, serde_json::Value) = (
                serde_json::from_str(&a).unwrap(),
                serde_json::from_str(&b).unwrap(),
            );
            for j in [&mut ja, &mut jb] {
                let o = j.as_object_mut().unwrap();
                o.remove("sources");
                o.remove("history");
                o.remove("geo");
            }
            assert_eq!(ja, jb, "{args:?}");
        } else {
            assert_eq!(strip(&a), strip(&b), "{args:?}");
        }
    }
    // grep: the same distinct addresses.
    let mut a: Vec<String> = stdout(&run(&["grep", "-u", &logs], None))
        .lines()
        .map(String::from)
        .collect();
    let mut b: Vec<String> = stdout(&run(&["grep", "--db", &dbs], None))
        .lines()
        .map(String::from)
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    // The map is written from the history too, with the same addresses, places, counts and
    // active hours (the page's columns) as from the file.
    let columns = |args: &[&str], name: &str| {
        let page = d.path(name);
        let mut args = args.to_vec();
        let out = page.display().to_string();
        args.extend(["-o", &out]);
        let o = run(&args, None);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(&page).unwrap();
        let open = r#"<script type="text/plain" id="logmap-columns">"#;
        let start = html.find(open).expect("the page has columns") + open.len();
        let len = html[start..].find("</script>").expect("end of the columns");
        html[start..start + len].to_string()
    };
    let from_db = columns(&["map", "--db", &dbs], "db.html");
    assert!(from_db.len() > 500, "{from_db}");
    assert_eq!(
        from_db,
        columns(&["map", "--year", "2026", &logs], "file.html")
    );
}

/// `summary --db` says what the last ingest added: the addresses first seen in it, since the
/// previous one finished.
#[test]
fn summary_says_what_is_new_since_the_previous_ingest() {
    let d = Dir::new();
    let db = d.path("h.db");
    let all = lines(DEMO);
    let (part1, part2) = all.split_at(all.len() / 4);
    let log = d.path("auth.log");
    let y = ["--year", "2026", "--tz", "UTC"];
    write_lines(&log, part1, false);
    ingest(&db, &y, &[&log]);
    let summary = |tz: &str| {
        let o = run(
            &[
                "summary",
                "--color",
                "never",
                "--tz",
                tz,
                "--db",
                &db.display().to_string(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    let first = export_db(&db);
    let n1 = first["ips"].as_array().unwrap().len();
    assert!(
        summary("UTC").contains(&format!("{n1} new addresses from the first ingest, at ")),
        "{}",
        summary("UTC")
    );
    write_lines(&log, part2, true);
    ingest(&db, &y, &[&log]);
    // Independently: the addresses of the whole log not among those of the first half.
    let whole = d.write("whole.log", DEMO);
    let ips = |doc: &serde_json::Value| -> std::collections::BTreeSet<String> {
        doc["ips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ip"].as_str().unwrap().to_string())
            .collect()
    };
    let new = ips(&export_files(&[&whole]))
        .difference(&ips(&first))
        .count();
    assert!(new > 0, "the demo's second half brings new addresses");
    let text = summary("UTC");
    let line = text
        .lines()
        .find(|l| l.contains(" since "))
        .unwrap_or_else(|| panic!("no 'new since' line in\n{text}"));
    assert!(
        line.trim_start()
            .starts_with(&format!("{new} new addresses since ")),
        "{line}"
    );
    assert!(line.contains("UTC (the last of 2 ingests, at "), "{line}");
    // Times in the terminal are in the zone asked for, and say which.
    let berlin = summary("Europe/Berlin");
    assert!(
        berlin.contains("Europe/Berlin (the last of 2 ingests"),
        "{berlin}"
    );
    assert!(berlin.contains("last seen (Europe/Berlin)"), "{berlin}");
}

/// `kill -9` at random points of an ingest, then run it again: the counts are exact.
#[test]
fn a_killed_ingest_loses_nothing_and_counts_nothing_twice() {
    let d = Dir::new();
    let db = d.path("h.db");
    // A bigger log: the demo log 20 times, each copy a day later with other addresses.
    let mut text = String::new();
    for copy in 0..20u32 {
        for l in DEMO.lines() {
            let l = l.replacen("Nov 2", &format!("Oct {}", 10 + copy / 10), 1);
            let l = l.replace("218.92.0.", &format!("218.92.{copy}."));
            text.push_str(&l);
            text.push('\n');
        }
    }
    let log = d.write("auth.log", &text);
    // Kill within the time a whole ingest takes here (measured on a scratch store), so the
    // kills land inside the run however fast or loaded the machine is.
    let started = std::time::Instant::now();
    ingest(
        &d.path("scratch.db"),
        &["--year", "2026", "--batch-lines", "300"],
        &[&log],
    );
    let whole = started.elapsed().as_millis().max(10) as u64;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut kills = 0;
    for _ in 0..30 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = logmap()
            .args(["ingest", "--year", "2026", "--batch-lines", "300", "--db"])
            .arg(&db)
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(seed % whole));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let _ = child.wait();
    }
    assert!(kills > 0, "no run was killed: make the log bigger");
    ingest(&db, &["--year", "2026"], &[&log]);
    assert_same(
        &export_db(&db),
        &export_files(&[&log]),
        &format!("after {kills} kills"),
    );
}

/// A history that is not one, or not this version's, is never overwritten.
#[test]
fn bad_history_files_are_named_and_left_alone() {
    let d = Dir::new();
    let log = d.write("auth.log", DEMO);
    let check = |db: &PathBuf, needle: &str| {
        let before = std::fs::read(db).ok();
        let o = run(
            &[
                "ingest",
                "--db",
                &db.display().to_string(),
                &log.display().to_string(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(2), "{needle}");
        let err = stderr(&o);
        assert!(err.contains(needle), "{needle}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert_eq!(
            std::fs::read(db).ok(),
            before,
            "{} was changed",
            db.display()
        );
        let o = run(&["summary", "--db", &db.display().to_string()], None);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    };
    // Not SQLite at all.
    let junk = d.write(
        "junk.db",
        b"this is not a database, but it is a file of some length...".repeat(100),
    );
    check(&junk, "not a logmap history");
    // Another program's SQLite database.
    let other = d.path("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    check(&other, "another program");
    // A newer logmap's.
    let newer = d.path("newer.db");
    ingest(&newer, &[], &[&log]);
    {
        let c = rusqlite::Connection::open(&newer).unwrap();
        c.execute(
            "UPDATE meta SET value = '99' WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    }
    check(&newer, "newer logmap");
    // A history that does not exist yet, for a view.
    let o = run(
        &["summary", "--db", &d.path("none.db").display().to_string()],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("logmap ingest"), "{}", stderr(&o));
}

#[test]
fn a_read_only_directory_and_a_full_disk_are_clear_errors() {
    let d = Dir::new();
    let log = d.write("auth.log", DEMO);
    // RLIMIT_FSIZE: writes past 64 KiB fail (EFBIG) — as a full disk does.
    let db = d.path("full.db");
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 64 && exec \"$0\" ingest --db {} {}",
            db.display(),
            log.display()
        ))
        .arg(env!("CARGO_BIN_EXE_logmap"))
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with("logmap: ") && err.lines().count() == 1,
        "{err}"
    );
    // What was committed is consistent: a later run with room finishes the job exactly.
    ingest(&db, &["--year", "2026"], &[&log]);
    assert_same(&export_db(&db), &export_files(&[&log]), "after a full disk");

    // A directory the history cannot be written in (root may write anywhere: skip then).
    let ro = d.path("ro");
    std::fs::create_dir(&ro).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::write(ro.join("probe"), b"x").is_ok() {
        eprintln!("running as root: the read-only directory case cannot be tested");
        return;
    }
    let o = run(
        &[
            "ingest",
            "--db",
            &ro.join("h.db").display().to_string(),
            &log.display().to_string(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("cannot") && err.lines().count() == 1, "{err}");
}

/// The journal in the export format `systemd-journal-remote` reads, one entry per line of
/// `lines` (syslog lines of the demo log), a second apart from `start` (µs).
fn journal_export(lines: &[&str], start: u64) -> String {
    let mut s = String::new();
    for (i, l) in lines.iter().enumerate() {
        // `Nov 23 06:34:39 vps-fra1 sshd[45316]: MESSAGE`
        let rest = &l[16..];
        let (host, rest) = rest.split_once(' ').unwrap();
        let (tag, msg) = rest.split_once(": ").unwrap();
        let (prog, pid) = match tag.trim_end_matches(']').split_once('[') {
            Some((prog, pid)) => (prog, format!("_PID={pid}\n")),
            None => (tag, String::new()),
        };
        let t = start + i as u64 * 1_000_000;
        s.push_str(&format!(
            "__REALTIME_TIMESTAMP={t}\n__MONOTONIC_TIMESTAMP={}\n_BOOT_ID=0123456789abcdef0123456789abcdef\n\
             _HOSTNAME={host}\nSYSLOG_IDENTIFIER={prog}\n{pid}_SYSTEMD_UNIT=ssh.service\nPRIORITY=6\nMESSAGE={msg}\n\n",
            1_000_000 + i
        ));
    }
    s
}

fn append_journal(journal: &Path, export: &str) {
    let mut remote = std::process::Command::new(journal_remote().unwrap())
        .arg("-o")
        .arg(journal)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    remote
        .stdin
        .take()
        .unwrap()
        .write_all(export.as_bytes())
        .unwrap();
    let o = remote.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `--journal-file`: a real journal file, read after the stored cursor as it grows.
#[test]
fn the_journal_is_read_after_its_cursor() {
    if !journal_tools() {
        return;
    }
    let d = Dir::new();
    let db = d.path("h.db");
    let journal = d.path("system.journal");
    let all = lines(DEMO);
    // The same cut as above: inside the connection of pid 43252.
    let start = 1_795_000_000_000_000;
    append_journal(&journal, &journal_export(&all[..480], start));
    let j = journal.display().to_string();
    ingest(&db, &["--journal-file", &j], &[]);
    append_journal(&journal, &journal_export(&all[480..], start + 480_000_000));
    ingest(&db, &["--journal-file", &j], &[]);
    ingest(&db, &["--journal-file", &j], &[]);
    // The same entries, in one read.
    let json = std::process::Command::new("journalctl")
        .args(["-o", "json", "--no-pager", "--file"])
        .arg(&journal)
        .output()
        .unwrap();
    assert!(json.status.success());
    let dump = d.write("journal.json", &json.stdout);
    assert_same(&export_db(&db), &export_files(&[&dump]), "the journal");
    let got = export_db(&db);
    assert_eq!(got["summary"]["lines"], all.len(), "{:#}", got["sources"]);
    assert!(got["summary"]["failures"].as_u64() > Some(100));
}

/// Two ingests at once on one history take turns, and the second says that it waits.
#[test]
fn two_ingests_at_once_take_turns() {
    let d = Dir::new();
    let db = d.path("h.db");
    let log = d.write("auth.log", DEMO);
    // Hold the writer's lock as a running ingest does, from another process.
    let lock = d.path("h.db.lock");
    let mut holder = std::process::Command::new("flock")
        .arg(&lock)
        .args(["sleep", "7"])
        .spawn()
        .expect("flock (util-linux)");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let started = std::time::Instant::now();
    let o = run(
        &[
            "ingest",
            "--year",
            "2026",
            "--db",
            &db.display().to_string(),
            &log.display().to_string(),
        ],
        None,
    );
    let waited = started.elapsed();
    holder.wait().unwrap();
    assert!(o.status.success(), "{:?} {}", o.status, stderr(&o));
    assert!(waited.as_secs_f64() > 3.0, "did not wait: {waited:?}");
    assert!(
        stderr(&o).contains("another logmap is writing"),
        "{}",
        stderr(&o)
    );
    // And two real ingests at once store every line once.
    let db2 = d.path("h2.db");
    let spawn = || {
        logmap()
            .args(["ingest", "--year", "2026", "--batch-lines", "100", "--db"])
            .arg(&db2)
            .arg(&log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for c in [a, b] {
        let o = c.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_same(
        &export_db(&db2),
        &export_files(&[&log]),
        "two ingests at once",
    );
}

/// A City MMDB that puts every IPv4 address in Norwich, GB: unlike the embedded tables, so a
/// relocation shows.
fn norwich_mmdb() -> Vec<u8> {
    use logmap::enrich::mmdb_write::{Value, Writer};
    let mut w = Writer::new("GeoLite2-City", 6);
    w.build_epoch(1_790_000_000);
    let rec = Value::map([
        (
            "city",
            Value::map([("names", Value::map([("en", Value::str("Norwich"))]))]),
        ),
        ("country", Value::map([("iso_code", Value::str("GB"))])),
        (
            "location",
            Value::map([
                ("latitude", Value::F64(52.6278)),
                ("longitude", Value::F64(1.2983)),
            ]),
        ),
    ]);
    for net in ["0.0.0.0/1", "128.0.0.0/1"] {
        w.insert(net.parse().unwrap(), rec.clone()).unwrap();
    }
    w.to_bytes()
}

/// ip → where an export document puts it.
fn locations(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = doc["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .map(|r| {
            let where_ = ["country", "city", "region", "lat", "lon", "accuracy", "asn"]
                .iter()
                .map(|k| format!("{k}={}", r[*k]))
                .collect::<Vec<_>>()
                .join(" ");
            (r["ip"].as_str().unwrap().to_string(), where_)
        })
        .collect();
    v.sort();
    v
}

/// `ingest --relocate` locates every stored address again with the data it is given (it
/// failed on a foreign key every time), as a one-shot run with that data does; alone, it reads
/// no logs and locates again with the data found.
#[test]
fn relocate_locates_every_address_again_with_or_without_files() {
    let d = Dir::new();
    let db = d.path("r.db");
    let log = d.write("auth.log", DEMO);
    let mmdb = d.write("city.mmdb", norwich_mmdb());
    let geoip = mmdb.display().to_string();
    let y = ["--year", "2026"];
    ingest(&db, &y, &[&log]);
    let before = export_db(&db);
    let plain = export_files(&[&log]);
    assert_eq!(locations(&before), locations(&plain));

    // With the files, and new data: every IPv4 address moves to Norwich, as a one-shot run
    // with that data says.
    ingest(
        &db,
        &["--year", "2026", "--relocate", "--geoip", &geoip],
        &[&log],
    );
    let o = run_paths(
        &[
            "export", "--format", "json", "--year", "2026", "--geoip", &geoip,
        ],
        &[&log],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let with_mmdb = json(&o);
    let after = export_db(&db);
    assert_ne!(
        locations(&after),
        locations(&before),
        "nothing was relocated"
    );
    assert_eq!(locations(&after), locations(&with_mmdb));
    assert!(
        after["ips"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ip"].as_str().unwrap().contains('.'))
            .all(|r| r["city"] == "Norwich"),
        "{after}"
    );
    // The data that located them is the new data.
    assert!(
        after["geo"]["databases"].to_string().contains("city.mmdb"),
        "{}",
        after["geo"]["databases"]
    );
    // Nothing was counted again: the history is the one-shot run with the new data.
    assert_same(&after, &with_mmdb, "after --relocate");

    // Alone (after `db update`, say): accepted, reads no log, and locates again with the data
    // found (here the embedded tables), as a one-shot run does.
    let o = run(
        &[
            "ingest",
            "-v",
            "--db",
            &db.display().to_string(),
            "--relocate",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("stored 0 lines") && stderr(&o).contains("located 17 addresses again"),
        "{}",
        stderr(&o)
    );
    let alone = export_db(&db);
    assert_eq!(locations(&alone), locations(&plain));
    assert_same(&alone, &plain, "counters after --relocate alone");
}

/// The number in `db info`'s "(N new public addresses)".
fn info_new_addresses(info: &str) -> u64 {
    let at = info.find(" new public addresses)").expect(info);
    let start = info[..at].rfind('(').unwrap() + 1;
    info[start..at].replace(',', "").parse().unwrap()
}

fn db_info(db: &Path) -> String {
    let o = run(&["db", "info", "--db", &db.display().to_string()], None);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// `db info` after a re-run that added nothing still says when each source was last read
/// (the run that stored its lines: runs that store nothing are not recorded), counts runs as
/// `summary --db` does, and counts new addresses as `summary --db` does (public ones).
#[test]
fn db_info_after_a_rerun_says_when_each_source_was_read_and_agrees_with_summary() {
    let d = Dir::new();
    let db = d.path("h.db");
    let all = lines(DEMO);
    let (part1, part2) = all.split_at(all.len() / 2);
    let log = d.path("auth.log");
    let other = d.write("other.log", DEMO.replace("vps-fra1", "vps-ams2"));
    let y = ["--year", "2026"];
    write_lines(&log, part1, false);
    ingest(&db, &y, &[&log, &other]);
    let first = db_info(&db);
    let read_at = |info: &str, name: &str| -> String {
        let line = info
            .lines()
            .find(|l| l.contains("  source ") && l.contains(name))
            .unwrap_or_else(|| panic!("no source {name} in\n{info}"));
        line.rsplit_once("new lines last read ")
            .unwrap_or_else(|| panic!("{line}"))
            .1
            .to_string()
    };
    let t_log = read_at(&first, "auth.log");
    assert!(t_log.starts_with("20"), "{first}");
    // Runs that add nothing: each source still says when it was last read.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ingest(&db, &y, &[&log, &other]);
    ingest(&db, &y, &[&log, &other]);
    let rerun = db_info(&db);
    assert!(!rerun.contains("last read -"), "{rerun}");
    assert_eq!(read_at(&rerun, "auth.log"), t_log, "{rerun}");
    assert_eq!(read_at(&rerun, "other.log"), t_log, "{rerun}");
    assert!(rerun.contains(" 1 ingest runs"), "{rerun}");
    // Every source's last run is one the ingests table holds.
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        let dangling: i64 = c
            .query_row(
                "SELECT COUNT(*) FROM sources s LEFT JOIN ingests i ON i.id = s.last_ingest
                 WHERE i.id IS NULL OR i.finished IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(dangling, 0);
    }
    // An append: that source moves on, the other keeps its time.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write_lines(&log, part2, true);
    ingest(&db, &y, &[&log, &other]);
    let second = db_info(&db);
    assert_ne!(read_at(&second, "auth.log"), t_log, "{second}");
    assert_eq!(read_at(&second, "other.log"), t_log, "{second}");
    assert!(second.contains(" 2 ingest runs"), "{second}");

    // db info's new addresses are summary's (the demo has a private one: 10.0.0.5 or so).
    let fresh = d.path("fresh.db");
    let whole = d.write("whole.log", DEMO);
    ingest(&fresh, &y, &[&whole]);
    let doc = export_db(&fresh);
    let public = doc["ips"].as_array().unwrap().len() as u64;
    assert!(
        doc["summary"]["private_ips"].as_u64().unwrap() > 0,
        "{}",
        doc["summary"]
    );
    let summary = stdout(&run(
        &[
            "summary",
            "--color",
            "never",
            "--db",
            &fresh.display().to_string(),
        ],
        None,
    ));
    assert!(
        summary.contains(&format!("{public} new addresses from the first ingest")),
        "{summary}"
    );
    assert_eq!(info_new_addresses(&db_info(&fresh)), public);
}

/// Things `ingest` and `db info` refuse: each one line, exit 2, and nothing left behind.
#[test]
fn refusals_are_one_line_errors_that_leave_nothing_behind() {
    let d = Dir::new();
    let log = d.write("auth.log", DEMO);
    // db info on a log file: an error, not a description.
    let o = run(&["db", "info", "--db", &log.display().to_string()], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("not a logmap history"),
        "{}",
        stderr(&o)
    );
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));

    // ingest from standard input: said clearly, and no history is made.
    let db = d.path("i.db");
    let o = run(
        &["ingest", "--db", &db.display().to_string(), "-"],
        Some(DEMO.as_bytes()),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("cannot read standard input") && err.contains("--journal"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!db.exists() && !d.path("i.db.lock").exists());

    // ingest into a log (a slip of --db): the log is untouched and no lock is left beside it;
    // the same for another program's SQLite database.
    let other = d.path("other.db");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
            .unwrap();
    }
    let some = d.write("some.log", DEMO);
    for target in [&some, &other] {
        let before = std::fs::read(target).unwrap();
        let o = run(
            &[
                "ingest",
                "--db",
                &target.display().to_string(),
                &log.display().to_string(),
            ],
            None,
        );
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("not a logmap history"),
            "{}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(target).unwrap(), before);
        let mut lock = target.as_os_str().to_owned();
        lock.push(".lock");
        assert!(
            !Path::new(&lock).exists(),
            "{} left behind",
            Path::new(&lock).display()
        );
    }
}

/// demo/auth.log with each line's syslog time replaced by `ts` (RFC 3339).
fn demo_at(ts: &str) -> String {
    DEMO.lines()
        .map(|l| format!("{ts} {}\n", &l[16..]))
        .collect()
}

/// A time-filtered view of a history whose raw events were pruned (`--keep-events`) says so,
/// naming the oldest raw event kept and the retention, instead of silently counting less.
#[test]
fn a_time_filter_past_the_kept_raw_events_is_warned_about() {
    use logmap::parse::timestamp::format_rfc3339;
    let d = Dir::new();
    let db = d.path("old.db");
    let dbs = db.display().to_string();
    // Years before the 90 days kept by default, whenever this runs.
    let old = d.write("old.log", DEMO);
    ingest(&db, &["--year", "2020"], &[&old]);
    let info = db_info(&db);
    assert!(info.contains(" 0 raw events kept"), "{info}");
    let view = |args: &[&str]| {
        let mut all = vec!["summary", "--color", "never", "--db", &dbs];
        all.extend_from_slice(args);
        let o = run(&all, None);
        assert!(o.status.success(), "{}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    // The one-shot run counts them; the history cannot, and says why.
    let o = run_paths(
        &[
            "summary",
            "--color",
            "never",
            "--year",
            "2020",
            "--since",
            "2020-01-01",
        ],
        &[&old],
    );
    assert!(
        !stdout(&o).contains("No public addresses found"),
        "{}",
        stdout(&o)
    );
    let (out, err) = view(&["--since", "2020-01-01"]);
    assert!(out.contains("No public addresses found"), "{out}");
    assert!(
        err.contains("keeps no raw events") && err.contains("--keep-events 90d"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let (_, err) = view(&["--until", "2021-01-01"]);
    assert!(err.contains("keeps no raw events"), "{err}");
    // No warning without a time filter, or for a range after everything counted.
    assert_eq!(view(&[]).1, "");
    assert_eq!(view(&["--since", "2021-01-01"]).1, "");

    // Recent events kept beside the pruned ones: the warning names the oldest one kept.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day_ago = format_rfc3339(now - 86400);
    let recent = d.write("recent.log", demo_at(&day_ago));
    ingest(&db, &[], &[&recent]);
    let (out, err) = view(&["--since", "2020-01-01"]);
    assert!(!out.contains("No public addresses found"), "{out}");
    assert!(
        err.contains(&format!(
            "keeps raw events from {day_ago} on (--keep-events 90d)"
        )) && err.contains("--since reaches further back"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // A range within the kept events (from the oldest one kept on): no warning.
    let (out, err) = view(&["--since", &day_ago]);
    assert_eq!(err, "", "{err}");
    assert!(!out.contains("No public addresses found"), "{out}");
    // events --db too.
    let o = run(&["events", "--db", &dbs, "--since", "2020-01-01"], None);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("keeps raw events from"),
        "{}",
        stderr(&o)
    );
}
