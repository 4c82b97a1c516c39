//! Byte-for-byte outputs. The speed work (issue 10) must not change a single byte of what
//! logmap writes, so this test pins it:
//!
//! 1. `golden_outputs` runs `summary --json`, `export` (JSON, and a few other formats),
//!    `export --geoip` with a City MMDB the test writes, and `events` (NDJSON, TSV) on the
//!    project's own fixtures (`tests/data/golden/*.log`, `tests/data/keyonly-auth.log`,
//!    `demo/auth.log`) and compares each output with the file committed in
//!    `tests/data/golden/expected/`. Summaries and exports run with `LOGMAP_THREADS` 1, 2 and 3,
//!    so a file cut into chunks (with the warm-up replay before each) must give exactly what
//!    one pass gives. The expected files were written by the main branch before the speed work
//!    (`LOGMAP_GOLDEN_BLESS=1`, see below); a difference is a regression unless the change of
//!    output is the point of the commit (then bless again and say so in the commit).
//! 2. `golden_against_reference` is run by hand: with `LOGMAP_GOLDEN_REFERENCE=BINARY` (a
//!    build of an earlier logmap) and `LOGMAP_GOLDEN_LOGS=PATH[:PATH…]` (files, or directories
//!    read recursively, e.g. the real sample logs or the 200 MB benchmark logs), every file and
//!    every directory as one multi-input run goes through the same commands with both binaries,
//!    and the outputs must be equal. Without the variables it does nothing (the project's
//!    tests read nothing outside the project):
//!
//! ```sh
//! LOGMAP_GOLDEN_REFERENCE=/path/to/old/logmap LOGMAP_GOLDEN_LOGS=/work/shared/samples \
//!   cargo test --test integration golden_against_reference -- --nocapture
//! ```
//!
//! Runs are pinned: `TZ=UTC`, `--year 2026`, an empty data directory (no MMDB is discovered),
//! the fixtures copied into a temporary working directory and named relatively (the names are
//! in the outputs).
//!
//! `LOGMAP_GOLDEN_BLESS=1` writes the expected files instead of comparing, from the binary
//! under test or from `LOGMAP_GOLDEN_REFERENCE` when set.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use logmap::enrich::mmdb_write::{Value, Writer};

/// The fixtures: name in the working directory, path in the project.
const FIXTURES: &[(&str, &str)] = &[
    ("auth.log", "tests/data/golden/auth.log"),
    ("auth-rfc3339.log", "tests/data/golden/auth-rfc3339.log"),
    ("two-hosts.log", "tests/data/golden/two-hosts.log"),
    ("sshd-hard.log", "tests/data/golden/sshd-hard.log"),
    ("access.log", "tests/data/golden/access.log"),
    ("ufw.log", "tests/data/golden/ufw.log"),
    ("keyonly-auth.log", "tests/data/keyonly-auth.log"),
    ("demo-auth.log", "demo/auth.log"),
];

/// One command whose output is pinned.
struct Case {
    /// Suffix of the expected file.
    suffix: &'static str,
    args: &'static [&'static str],
    /// `LOGMAP_THREADS` values to run with (`None`: unset).
    threads: &'static [Option<u32>],
    /// Only for these fixtures (empty: all).
    only: &'static [&'static str],
}

const CUTS: &[Option<u32>] = &[Some(1), Some(2), Some(3)];

const CASES: &[Case] = &[
    Case {
        suffix: "summary.json",
        args: &["summary", "--json"],
        threads: CUTS,
        only: &[],
    },
    Case {
        suffix: "summary-top3.json",
        args: &["summary", "--json", "--top", "3"],
        threads: &[Some(1), Some(2)],
        only: &["auth.log", "access.log"],
    },
    Case {
        suffix: "export.json",
        args: &["export", "--format", "json"],
        threads: CUTS,
        only: &[],
    },
    Case {
        suffix: "export-private.json",
        args: &["export", "--format", "json", "--include-private"],
        threads: &[Some(1), Some(2)],
        only: &["sshd-hard.log", "two-hosts.log"],
    },
    Case {
        suffix: "export-city.json",
        args: &["export", "--format", "json", "--geoip", "city.mmdb"],
        threads: &[Some(1), Some(2)],
        only: &["auth.log", "access.log", "sshd-hard.log"],
    },
    Case {
        suffix: "export.ndjson",
        args: &["export", "--format", "ndjson"],
        threads: &[Some(2)],
        only: &["auth.log"],
    },
    Case {
        suffix: "export.csv",
        args: &["export", "--format", "csv"],
        threads: &[Some(2)],
        only: &["auth.log", "access.log"],
    },
    Case {
        suffix: "export.geojson",
        args: &["export", "--format", "geojson"],
        threads: &[Some(2)],
        only: &["auth.log"],
    },
    Case {
        suffix: "events.ndjson",
        args: &["events", "--format", "ndjson"],
        threads: &[None],
        only: &[],
    },
    Case {
        suffix: "events.tsv",
        args: &["events", "--format", "tsv"],
        threads: &[None],
        only: &["sshd-hard.log", "access.log"],
    },
];

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A City database in MaxMind's nested schema covering part of the address space: a city in
/// every fourth /8 (and a finer one inside some), so that addresses get a city, a country only
/// from the embedded tables, or both kinds of answer.
fn city_db() -> Vec<u8> {
    let mut w = Writer::new("GeoLite2-City", 6);
    w.build_epoch(1_790_000_000);
    let cities = [
        ("Norwich", "GB", 52.6278, 1.2983),
        ("Mountain View", "US", 37.386, -122.0838),
        ("Osaka", "JP", 34.6937, 135.5023),
        ("São Paulo", "BR", -23.5505, -46.6333),
        ("Frankfurt am Main", "DE", 50.1109, 8.6821),
    ];
    let rec = |i: usize| {
        let (city, cc, lat, lon) = cities[i % cities.len()];
        Value::map([
            (
                "city",
                Value::map([("names", Value::map([("en", Value::str(city))]))]),
            ),
            ("country", Value::map([("iso_code", Value::str(cc))])),
            (
                "location",
                Value::map([
                    ("latitude", Value::F64(lat)),
                    ("longitude", Value::F64(lon)),
                ]),
            ),
        ])
    };
    for a in (1u32..224).step_by(4) {
        let net = format!("{a}.0.0.0/8");
        w.insert(net.parse().expect("net"), rec(a as usize))
            .expect("insert");
    }
    for (i, net) in [
        "45.155.0.0/16",
        "81.2.69.0/24",
        "2a02:c207::/32",
        "2001::/16",
    ]
    .iter()
    .enumerate()
    {
        w.insert(net.parse().expect("net"), rec(i + 1))
            .expect("insert");
    }
    w.to_bytes()
}

/// A working directory with the fixtures and the City MMDB.
struct Work {
    dir: tempfile::TempDir,
}

impl Work {
    fn new() -> Work {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, path) in FIXTURES {
            std::fs::copy(manifest().join(path), dir.path().join(name))
                .unwrap_or_else(|e| panic!("copy {path}: {e}"));
        }
        std::fs::write(dir.path().join("city.mmdb"), city_db()).expect("write mmdb");
        std::fs::create_dir(dir.path().join("xdg")).expect("xdg");
        Work { dir }
    }
}

/// Run `bin` with `args` in `cwd`, pinned, and return what it wrote on stdout. Its exit status
/// and stderr are returned too: they must be the same.
fn run(bin: &Path, cwd: &Path, xdg: &Path, args: &[&str], threads: Option<u32>) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(cwd)
        .env("TZ", "UTC")
        .env("XDG_DATA_HOME", xdg)
        .env("HOME", xdg)
        .env_remove("NO_COLOR")
        .env_remove("LOGMAP_DB")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match threads {
        Some(n) => cmd.env("LOGMAP_THREADS", n.to_string()),
        None => cmd.env_remove("LOGMAP_THREADS"),
    };
    let out = cmd.output().unwrap_or_else(|e| panic!("run {bin:?}: {e}"));
    Output {
        status: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

struct Output {
    status: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// Where two outputs first differ, for the failure message.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let w: Vec<&[u8]> = want.split(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = got.split(|&b| b == b'\n').collect();
    for (i, (a, b)) in w.iter().zip(&g).enumerate() {
        if a != b {
            return format!(
                "line {}:\n  want: {}\n  got:  {}",
                i + 1,
                String::from_utf8_lossy(&a[..a.len().min(300)]),
                String::from_utf8_lossy(&b[..b.len().min(300)])
            );
        }
    }
    format!("{} lines wanted, {} lines got", w.len(), g.len())
}

fn bless_binary() -> PathBuf {
    std::env::var_os("LOGMAP_GOLDEN_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_logmap")))
}

#[test]
fn golden_outputs() {
    let work = Work::new();
    let cwd = work.dir.path();
    let xdg = cwd.join("xdg");
    let expected = manifest().join("tests/data/golden/expected");
    let bless = std::env::var_os("LOGMAP_GOLDEN_BLESS").is_some();
    let bin = if bless {
        bless_binary()
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_logmap"))
    };
    if bless {
        std::fs::create_dir_all(&expected).expect("expected dir");
    }
    let mut failures = Vec::new();
    let mut compared = 0;
    for (name, _) in FIXTURES {
        for case in CASES {
            if !case.only.is_empty() && !case.only.contains(name) {
                continue;
            }
            let mut args: Vec<&str> = case.args.to_vec();
            args.extend(["--year", "2026", name]);
            let file = expected.join(format!("{}.{}", name.trim_end_matches(".log"), case.suffix));
            for &threads in case.threads {
                let out = run(&bin, cwd, &xdg, &args, threads);
                let what = format!("logmap {} (LOGMAP_THREADS={threads:?})", args.join(" "));
                assert_eq!(out.status, Some(0), "{what}: {}", out.stderr);
                assert!(!out.stdout.is_empty(), "{what}: no output");
                if bless {
                    std::fs::write(&file, &out.stdout).expect("bless");
                    break;
                }
                let want = std::fs::read(&file)
                    .unwrap_or_else(|e| panic!("{}: {e} (bless first?)", file.display()));
                compared += 1;
                if want != out.stdout {
                    failures.push(format!(
                        "{what} differs from {}: {}",
                        file.display(),
                        first_difference(&want, &out.stdout)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    if !bless {
        assert!(compared > 60, "only {compared} outputs compared");
    }
}

/// Every log file under `path` (a file, or a directory read recursively), sorted.
fn logs_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for e in entries {
            logs_under(&e, out);
        }
    } else if path
        .extension()
        .is_none_or(|x| !matches!(x.to_str(), Some("md" | "csv")))
    {
        out.push(path.to_path_buf());
    }
}

/// Outputs too big to hold are compared through files, by streaming.
fn same_file(a: &Path, b: &Path) -> Result<(), String> {
    let (mut fa, mut fb) = (
        std::fs::File::open(a).map_err(|e| e.to_string())?,
        std::fs::File::open(b).map_err(|e| e.to_string())?,
    );
    let (mut ba, mut bb) = (vec![0u8; 1 << 20], vec![0u8; 1 << 20]);
    let mut offset = 0u64;
    loop {
        let na = read_full(&mut fa, &mut ba);
        let nb = read_full(&mut fb, &mut bb);
        if ba[..na] != bb[..nb] {
            let at = ba[..na]
                .iter()
                .zip(&bb[..nb])
                .position(|(x, y)| x != y)
                .unwrap_or(na.min(nb));
            let from = at.saturating_sub(200);
            return Err(format!(
                "differ at byte {}:\n  want: …{}\n  got:  …{}",
                offset + at as u64,
                String::from_utf8_lossy(&ba[from..na.min(at + 200)]),
                String::from_utf8_lossy(&bb[from..nb.min(at + 200)])
            ));
        }
        if na == 0 {
            return Ok(());
        }
        offset += na as u64;
    }
}

fn read_full(f: &mut std::fs::File, buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) => panic!("read: {e}"),
        }
    }
    n
}

/// Run `bin` writing stdout to `to` (outputs of big logs do not fit in memory twice).
fn run_to_file(
    bin: &Path,
    cwd: &Path,
    xdg: &Path,
    args: &[String],
    threads: Option<u32>,
    to: &Path,
) -> (Option<i32>, String) {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(cwd)
        .env("TZ", "UTC")
        .env("XDG_DATA_HOME", xdg)
        .env("HOME", xdg)
        .env_remove("NO_COLOR")
        .env_remove("LOGMAP_DB")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(to).expect("output file"))
        .stderr(Stdio::piped());
    match threads {
        Some(n) => cmd.env("LOGMAP_THREADS", n.to_string()),
        None => cmd.env_remove("LOGMAP_THREADS"),
    };
    let out = cmd.output().unwrap_or_else(|e| panic!("run {bin:?}: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn golden_against_reference() {
    let (Some(reference), Some(logs)) = (
        std::env::var_os("LOGMAP_GOLDEN_REFERENCE"),
        std::env::var_os("LOGMAP_GOLDEN_LOGS"),
    ) else {
        eprintln!(
            "golden_against_reference: set LOGMAP_GOLDEN_REFERENCE and LOGMAP_GOLDEN_LOGS to run it"
        );
        return;
    };
    let reference = PathBuf::from(reference);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_logmap"));
    let work = Work::new();
    let cwd = work.dir.path();
    let xdg = cwd.join("xdg");
    // Runs: each file alone, and each directory holding several files as one run.
    let mut runs: Vec<Vec<PathBuf>> = Vec::new();
    for root in std::env::split_paths(&logs) {
        let mut files = Vec::new();
        logs_under(&root, &mut files);
        let mut by_dir: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
        for f in &files {
            runs.push(vec![f.clone()]);
            by_dir
                .entry(f.parent().expect("parent").to_path_buf())
                .or_default()
                .push(f.clone());
        }
        runs.extend(by_dir.into_values().filter(|v| v.len() > 1));
    }
    assert!(!runs.is_empty(), "no log under {logs:?}");
    let commands: &[&[&str]] = &[
        &["summary", "--json"],
        &["export", "--format", "json"],
        &["export", "--format", "json", "--geoip", "city.mmdb"],
        &["export", "--format", "csv", "--include-private"],
        &["events", "--format", "ndjson"],
        &["events", "--format", "tsv"],
    ];
    let (want, got) = (cwd.join("want.out"), cwd.join("got.out"));
    let mut failures = Vec::new();
    let mut compared = 0;
    for files in &runs {
        for command in commands {
            let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
            args.extend(files.iter().map(|f| f.display().to_string()));
            let what = format!("logmap {}", args.join(" "));
            let (ws, we) = run_to_file(&reference, cwd, &xdg, &args, None, &want);
            let threads: &[Option<u32>] = if command[0] == "events" {
                &[None]
            } else {
                &[None, Some(1), Some(2), Some(3)]
            };
            for &t in threads {
                let (gs, ge) = run_to_file(&bin, cwd, &xdg, &args, t, &got);
                compared += 1;
                if (ws, &we) != (gs, &ge) {
                    failures.push(format!(
                        "{what} (LOGMAP_THREADS={t:?}): exit/stderr {ws:?} {we:?} vs {gs:?} {ge:?}"
                    ));
                } else if let Err(e) = same_file(&want, &got) {
                    failures.push(format!("{what} (LOGMAP_THREADS={t:?}): {e}"));
                }
            }
        }
        eprintln!("golden_against_reference: {} compared", files[0].display());
    }
    eprintln!("golden_against_reference: {compared} outputs compared");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
