//! Reading one big file on several cores: the file is cut into chunks at line boundaries,
//! each chunk is parsed by its own thread into its own sink, and the sinks are joined in
//! file order.
//!
//! Parsers keep a little state between lines (sshd's per-process failure pairing, the client
//! of each sshd process). So that a chunk starts with the state a single pass would have had,
//! each worker first replays the [`WARM_UP`] bytes before its chunk with events discarded:
//! the state in question lives for a few lines of one connection, far less than that.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use indicatif::ProgressBar;

use super::{SourceReport, describe_read_error};
use crate::parse::clock::Clock;
use crate::parse::detect;
use crate::parse::{Event, Format, LineCtx};
use crate::source::LineReader;

/// What a worker collects events into.
pub trait Sink: Send {
    fn event(&mut self, ev: &Event);
    /// An empty sink of the same kind and settings, for another worker.
    fn fork(&self) -> Self;
    /// Add what `later` collected from another chunk of the same input (the chunks of one
    /// input are disjoint; the order of joining does not matter).
    fn join(&mut self, later: Self);
}

/// Bytes replayed before each chunk to rebuild the parser's state.
pub const WARM_UP: u64 = 256 << 10;

/// Smallest file share worth a thread.
pub const MIN_CHUNK: u64 = 8 << 20;

/// How many workers for a file of `size` bytes: one per core, but no chunk under
/// [`MIN_CHUNK`]; with `LOGMAP_THREADS` set (see [`forced_threads`]), exactly that many,
/// whatever the size.
pub fn workers_for(size: u64) -> usize {
    if let Some(n) = forced_threads() {
        return n;
    }
    threads().min((size / MIN_CHUNK) as usize).max(1)
}

/// The environment variable that sets the number of threads (hidden: for benchmarks and
/// tests).
pub const THREADS_VAR: &str = "LOGMAP_THREADS";

/// `LOGMAP_THREADS=N` (1 ..= 64): read and fold with N threads, and cut every regular file,
/// however small, into N chunks — so the scaling curve can be measured on 1, 2, … threads and
/// tests can check that any cut gives the same results. `None` when unset or not a number
/// in that range.
pub fn forced_threads() -> Option<usize> {
    let v = std::env::var(THREADS_VAR).ok()?;
    v.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=64).contains(n))
}

/// Threads for the parallel stages: `LOGMAP_THREADS`, else one per core (at most 8).
pub fn threads() -> usize {
    forced_threads().unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
    })
}

/// The offsets where `n` chunks of `path` start: line starts near `i * size / n`.
fn boundaries(path: &Path, size: u64, n: usize) -> io::Result<Vec<u64>> {
    let mut file = File::open(path)?;
    let mut starts = vec![0u64];
    let mut buf = vec![0u8; 64 * 1024];
    for i in 1..n {
        let mut pos = (size * i as u64 / n as u64).max(*starts.last().unwrap_or(&0));
        // The chunk starts after the first newline at or after `pos - 1`.
        pos = pos.saturating_sub(1);
        file.seek(SeekFrom::Start(pos))?;
        let start = loop {
            let got = file.read(&mut buf)?;
            if got == 0 {
                break size;
            }
            if let Some(nl) = memchr::memchr(b'\n', &buf[..got]) {
                break pos + nl as u64 + 1;
            }
            pos += got as u64;
        };
        starts.push(start);
    }
    starts.push(size);
    Ok(starts)
}

/// What one worker saw.
struct ChunkReport {
    lines: u64,
    bytes: u64,
    unparsed: u64,
    /// `(line number within the chunk, text)`.
    samples: Vec<(u64, String)>,
    binary: bool,
    error: Option<io::Error>,
}

struct Job<'a> {
    path: &'a Path,
    index: u32,
    format: Format,
    clock: Clock,
    start: u64,
    end: u64,
    samples: usize,
    progress: Option<&'a ProgressBar>,
}

fn read_chunk<S: Sink>(job: &Job, sink: &mut S) -> ChunkReport {
    let mut rep = ChunkReport {
        lines: 0,
        bytes: 0,
        unparsed: 0,
        samples: Vec::new(),
        binary: false,
        error: None,
    };
    if let Err(e) = read_chunk_inner(job, sink, &mut rep) {
        rep.error = Some(e);
    }
    rep
}

fn read_chunk_inner<S: Sink>(job: &Job, sink: &mut S, rep: &mut ChunkReport) -> io::Result<()> {
    let mut file = File::open(job.path)?;
    let from = job.start.saturating_sub(WARM_UP);
    file.seek(SeekFrom::Start(from))?;
    let mut reader = LineReader::new(file.take(job.end - from));
    let mut parser = detect::parser_for(job.format, job.clock.clone());
    if from > 0 {
        // The warm-up starts mid-line: skip to the next line start.
        reader.next_line()?;
    }
    let mut last_progress = 0u64;
    loop {
        // Where the next line starts in the file.
        let pos = from + reader.consumed();
        let line = match reader.next_line() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(e) => {
                // NULs in the lines read before the error (the warm-up's are the chunk
                // before's).
                rep.binary = rep.lines > 0 && reader.saw_nul();
                return Err(e);
            }
        };
        if pos < job.start {
            // Warm-up: rebuild the parser's state, keep nothing.
            let ctx = LineCtx {
                source: job.index,
                line_no: 0,
            };
            parser.parse_line(line, ctx, &mut |_| {});
            continue;
        }
        rep.lines += 1;
        rep.bytes += line.len() as u64 + 1;
        let ctx = LineCtx {
            source: job.index,
            line_no: rep.lines,
        };
        let outcome = parser.parse_line(line, ctx, &mut |ev| sink.event(ev));
        if outcome.unparsed {
            rep.unparsed += 1;
            if rep.samples.len() < job.samples {
                let text = String::from_utf8_lossy(&line[..line.len().min(300)]);
                rep.samples.push((rep.lines, text.into_owned()));
            }
        }
        if let Some(bar) = job.progress
            && rep.bytes - last_progress > 4 << 20
        {
            bar.inc(rep.bytes - last_progress);
            last_progress = rep.bytes;
        }
    }
    if let Some(bar) = job.progress {
        bar.inc(rep.bytes - last_progress);
    }
    // NULs anywhere in what was read: the warm-up and the partial line before it are the
    // chunk before's, which sees them too.
    rep.binary = reader.saw_nul();
    Ok(())
}

/// Why [`read_file`] could not read the whole file.
#[derive(Debug)]
pub enum ReadFileError {
    /// The file could not be opened or cut into chunks.
    Io(io::Error),
    /// A worker panicked: what was collected is incomplete and must not be reported.
    WorkerFailed(String),
}

impl From<io::Error> for ReadFileError {
    fn from(e: io::Error) -> Self {
        ReadFileError::Io(e)
    }
}

/// The message of a panic, for the error that reports it.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_string())
}

/// Read a regular, uncompressed file with `workers` threads into `sink`. `format` has been
/// detected from the file's head already. A read error inside a chunk is recorded in
/// `report` (the lines before it count); a worker that panics is an error.
#[allow(clippy::too_many_arguments)]
pub fn read_file<S: Sink>(
    path: &Path,
    size: u64,
    index: u32,
    format: Format,
    clock: Clock,
    workers: usize,
    unparsed_samples: usize,
    progress: Option<&ProgressBar>,
    sink: &mut S,
    report: &mut SourceReport,
) -> Result<(), ReadFileError> {
    // One chunk per thread: measured, more chunks handed out from a shared queue did not
    // finish sooner (each costs a warm-up, and more tables to merge).
    let starts = boundaries(path, size, workers)?;
    let jobs: Vec<Job> = starts
        .windows(2)
        .map(|w| Job {
            path,
            index,
            format,
            clock: clock.clone(),
            start: w[0],
            end: w[1],
            samples: unparsed_samples,
            progress,
        })
        .collect();
    let mut sinks: Vec<S> = (1..jobs.len()).map(|_| sink.fork()).collect();
    let results: Vec<ChunkReport> = std::thread::scope(|scope| {
        let (first, rest) = jobs.split_first().expect("at least one chunk");
        let handles: Vec<_> = rest
            .iter()
            .zip(sinks.iter_mut())
            .map(|(job, s)| scope.spawn(move || read_chunk(job, s)))
            .collect();
        // The first chunk on this thread; its panic is caught like the others', after every
        // worker has finished.
        let mine = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            read_chunk(first, &mut *sink)
        }));
        let mut out = Vec::with_capacity(jobs.len());
        let mut failed = None;
        for r in std::iter::once(mine).chain(handles.into_iter().map(|h| h.join())) {
            match r {
                Ok(rep) => out.push(rep),
                Err(payload) => failed = failed.or(Some(panic_message(&*payload))),
            }
        }
        match failed {
            Some(why) => Err(ReadFileError::WorkerFailed(why)),
            None => Ok(out),
        }
    })?;
    for s in sinks {
        sink.join(s);
    }
    for r in results {
        let before = report.lines;
        for (n, text) in r.samples {
            if report.unparsed_samples.len() < unparsed_samples {
                report
                    .unparsed_samples
                    .push(format!("{}: {text}", before + n));
            }
        }
        report.lines += r.lines;
        report.bytes += r.bytes;
        report.unparsed += r.unparsed;
        if r.binary && report.warning.is_none() {
            report.warning = Some(super::BINARY.into());
        }
        if let (Some(e), None) = (r.error, &report.error) {
            report.error = Some(describe_read_error(&e, false));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{Aggregator, Filter, Keep};
    use crate::enrich::{Locate, Location};
    use std::io::Write;
    use std::net::IpAddr;

    struct NoGeo;
    impl Locate for NoGeo {
        fn locate(&self, _: IpAddr) -> Location {
            Location::default()
        }
    }

    /// A log whose attempts span many lines each (PAM and sshd report the same attempt), so
    /// that any chunk boundary falls inside some sequence.
    fn log() -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..3000u32 {
            let ip = format!("81.{}.{}.{}", i % 7, i % 13, 1 + i % 200);
            let pid = 1000 + i % 50;
            let t = format!(
                "Dec 10 {:02}:{:02}:{:02}",
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            );
            writeln!(
                out,
                "{t} h sshd[{pid}]: error: PAM: Authentication failure for root from {ip}"
            )
            .unwrap();
            writeln!(
                out,
                "{t} h sshd[{pid}]: Failed keyboard-interactive/pam for root from {ip} port 22 ssh2"
            )
            .unwrap();
            writeln!(
                out,
                "{t} h sshd[{pid}]: Failed password for invalid user u{} from {ip} port 22 ssh2",
                i % 17
            )
            .unwrap();
            writeln!(out, "{t} h sshd[{pid}]: Disconnecting: Too many authentication failures for root [preauth]").unwrap();
            if i % 500 == 0 {
                writeln!(
                    out,
                    "{t} h sshd[{pid}]: Accepted publickey for deploy from {ip} port 22 ssh2"
                )
                .unwrap();
                writeln!(
                    out,
                    "{t} h sshd[{pid}]: something sshd never says about {ip}"
                )
                .unwrap();
            }
        }
        out
    }

    #[test]
    fn any_number_of_chunks_gives_the_same_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.log");
        let data = log();
        std::fs::write(&path, &data).unwrap();
        let run_keep = |workers: usize, keep: Keep| {
            let mut agg = Aggregator::new(Filter::default());
            let mut report = SourceReport::default();
            read_file(
                &path,
                data.len() as u64,
                0,
                Format::Sshd,
                Clock::utc(2026),
                workers,
                3,
                None,
                &mut agg,
                &mut report,
            )
            .unwrap();
            let r = agg
                .finish(&NoGeo, vec![], vec![report.clone()], keep)
                .unwrap();
            (serde_json::to_value(&r).unwrap(), report)
        };
        let run = |workers| {
            let (v, r) = run_keep(workers, Keep::All);
            (v.to_string(), r)
        };
        let (one, rep1) = run(1);
        assert_eq!(rep1.lines, 12_012);
        assert_eq!(rep1.unparsed, 6);
        for workers in [2, 3, 5, 8] {
            let (many, rep) = run(workers);
            assert_eq!(many, one, "{workers} workers");
            assert_eq!(rep.lines, rep1.lines);
            assert_eq!(
                rep.unparsed_samples, rep1.unparsed_samples,
                "{workers} workers"
            );
        }
        // Keeping only the top records (the addresses of each part merged shard by shard)
        // gives the same totals and the same top as keeping all.
        let (all, _) = run_keep(1, Keep::All);
        for workers in [1, 2, 3] {
            let (top, _) = run_keep(workers, Keep::Top(5));
            for k in ["summary", "windows"] {
                assert_eq!(top[k], all[k], "{k}, {workers} workers");
            }
            for k in ["ips", "countries", "asns", "users"] {
                let want: Vec<_> = all[k].as_array().unwrap().iter().take(5).collect();
                let got: Vec<_> = top[k].as_array().unwrap().iter().take(5).collect();
                assert_eq!(got, want, "{k}, {workers} workers");
            }
            // After the top 5, every address with a successful login, whatever its rank.
            let winners = |doc: &serde_json::Value| {
                let mut v: Vec<String> = doc["ips"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|r| r["successes"].as_u64() > Some(0))
                    .map(|r| r["ip"].to_string())
                    .collect();
                v.sort();
                v
            };
            assert_eq!(winners(&top), winners(&all), "{workers} workers");
            assert!(!winners(&all).is_empty());
        }
        // The pairing rule held across the chunk boundaries: 2 failures per iteration.
        let doc: serde_json::Value = serde_json::from_str(&one).unwrap();
        assert_eq!(doc["summary"]["failures"], 6000);
        assert_eq!(
            doc["ips"][0]["kinds"]["too_many_failures"]
                .as_u64()
                .map(|n| n > 0),
            Some(true)
        );
    }

    /// A firewall log (UFW through the kernel, TCP/UDP/ICMP, blocked and allowed) and a web
    /// access log, with their hand counts.
    fn firewall_log() -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..6000u32 {
            let ip = format!("81.{}.{}.{}", i % 5, i % 11, 1 + i % 150);
            let t = format!(
                "Aug 20 {:02}:{:02}:{:02}",
                i / 3600 % 24,
                i / 60 % 60,
                i % 60
            );
            let (verdict, proto, port) = match i % 10 {
                0..=4 => ("BLOCK", "TCP", Some(22)),
                5 | 6 => ("BLOCK", "TCP", Some(3389 + (i % 3) as u16)),
                7 => ("ALLOW", "TCP", Some(443)),
                8 => ("BLOCK", "UDP", Some(53)),
                _ => ("BLOCK", "ICMP", None),
            };
            let ports = match port {
                Some(p) => format!("SPT=40000 DPT={p} "),
                None => "TYPE=8 CODE=0 ".to_string(),
            };
            writeln!(
                out,
                "{t} host kernel: [12.5] [UFW {verdict}] IN=eth0 OUT= MAC=aa SRC={ip} DST=10.0.0.1 LEN=40 TTL=240 ID=1 PROTO={proto} {ports}"
            )
            .unwrap();
        }
        out
    }

    fn web_log() -> Vec<u8> {
        let mut out = Vec::new();
        let agents = ["curl/8.5.0", "Mozilla/5.0 (X11)", "zgrab/0.x", "-"];
        for i in 0..6000u32 {
            let ip = format!("81.{}.{}.{}", i % 5, i % 11, 1 + i % 150);
            let path = match i % 4 {
                0 => "/".to_string(),
                1 => "/wp-login.php".to_string(),
                _ => format!("/p/{}", i % 700),
            };
            let status = [200, 404, 301, 500, 200, 403][(i % 6) as usize];
            writeln!(
                out,
                "{ip} - - [17/May/2015:10:{:02}:{:02} +0000] \"GET {path} HTTP/1.1\" {status} 12 \"-\" \"{}\"",
                i / 60 % 60,
                i % 60,
                agents[(i % 4) as usize]
            )
            .unwrap();
        }
        out
    }

    #[test]
    fn ports_statuses_paths_and_agents_do_not_depend_on_the_chunks() {
        let dir = tempfile::tempdir().unwrap();
        for (name, data, format) in [
            ("ufw.log", firewall_log(), Format::Ufw),
            ("access.log", web_log(), Format::Web),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, &data).unwrap();
            let run = |workers: usize, keep: Keep| {
                let mut agg = Aggregator::new(Filter::default());
                let mut report = SourceReport::default();
                read_file(
                    &path,
                    data.len() as u64,
                    0,
                    format,
                    Clock::utc(2026),
                    workers,
                    0,
                    None,
                    &mut agg,
                    &mut report,
                )
                .unwrap();
                let r = agg.finish(&NoGeo, vec![], vec![report], keep).unwrap();
                serde_json::to_value(&r).unwrap()
            };
            let one = run(1, Keep::All);
            for workers in [2, 3, 5, 8] {
                assert_eq!(run(workers, Keep::All), one, "{name}, {workers} workers");
                let top = run(workers, Keep::Top(3));
                assert_eq!(top["summary"], one["summary"], "{name}");
                assert_eq!(top["statuses"], one["statuses"], "{name}");
                for k in ["ports", "paths", "user_agents"] {
                    let want: Vec<_> = one[k].as_array().unwrap().iter().take(3).collect();
                    let got: Vec<_> = top[k].as_array().unwrap().iter().collect();
                    assert_eq!(got, want, "{name} {k}, {workers} workers");
                }
            }
            // Hand counts.
            let kinds = &one["summary"]["kinds"];
            if format == Format::Ufw {
                assert_eq!(kinds["blocked"], 5400);
                assert_eq!(kinds["allowed"], 600);
                let ports = one["ports"].as_array().unwrap();
                assert_eq!(
                    ports[0],
                    serde_json::json!({"port": 22, "proto": "TCP", "events": 3000, "blocked": 3000, "allowed": 0})
                );
                let find = |port: serde_json::Value, proto: &str| {
                    ports
                        .iter()
                        .find(|p| p["port"] == port && p["proto"] == proto)
                        .unwrap_or_else(|| panic!("{port} {proto}"))
                        .clone()
                };
                assert_eq!(find(443.into(), "TCP")["allowed"], 600);
                assert_eq!(find(53.into(), "UDP")["blocked"], 600);
                assert_eq!(find(serde_json::Value::Null, "ICMP")["events"], 600);
                let rdp: u64 = ports
                    .iter()
                    .filter(|p| (3389..=3391).contains(&p["port"].as_u64().unwrap_or(0)))
                    .map(|p| p["events"].as_u64().unwrap())
                    .sum();
                assert_eq!(rdp, 1200);
                assert_eq!(one["paths"], serde_json::json!([]));
            } else {
                assert_eq!(kinds["request"], 6000);
                let statuses: Vec<(u64, &str, u64)> = one["statuses"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| {
                        (
                            s["status"].as_u64().unwrap(),
                            s["class"].as_str().unwrap(),
                            s["events"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                assert_eq!(
                    statuses,
                    [
                        (200, "2xx", 2000),
                        (301, "3xx", 1000),
                        (403, "4xx", 1000),
                        (404, "4xx", 1000),
                        (500, "5xx", 1000)
                    ]
                );
                let paths = one["paths"].as_array().unwrap();
                assert_eq!(
                    paths[0],
                    serde_json::json!({"path": "/", "events": 1500, "error": 0})
                );
                assert_eq!(paths[1]["path"], "/wp-login.php");
                assert_eq!(
                    paths.len(),
                    2 + 350,
                    "/p/N for N below 700, N mod 4 = 2 or 3"
                );
                assert!(paths.iter().all(|p| p["error"] == 0), "exact: it all fits");
                let agents = one["user_agents"].as_array().unwrap();
                assert_eq!(agents.len(), 3, "'-' is no user agent");
                assert!(agents.iter().all(|a| a["events"] == 1500));
                assert_eq!(one["ports"], serde_json::json!([]));
            }
        }
    }

    /// A sink that panics on the first event about `target`.
    struct Bomb(IpAddr);

    impl Sink for Bomb {
        fn event(&mut self, ev: &Event) {
            if ev.ip == self.0 {
                panic!("boom at line {}", ev.line_no);
            }
        }
        fn fork(&self) -> Self {
            Bomb(self.0)
        }
        fn join(&mut self, _: Self) {}
    }

    /// A geolocation that panics for one address.
    struct BadGeo(IpAddr);

    impl Locate for BadGeo {
        fn locate(&self, ip: IpAddr) -> Location {
            assert_ne!(ip, self.0, "geo failure");
            Location::default()
        }
    }

    #[test]
    fn a_panicking_worker_is_an_error_not_a_smaller_report() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.log");
        let mut data = log();
        // An address seen only on the last line (a worker thread's chunk) and one only on the
        // first (the chunk read on the calling thread).
        let mut first = b"Dec 10 00:00:00 h sshd[1]: Invalid user a from 203.0.113.1\n".to_vec();
        first.extend_from_slice(&data);
        data = first;
        data.extend_from_slice(b"Dec 10 23:00:00 h sshd[2]: Invalid user b from 203.0.113.2\n");
        std::fs::write(&path, &data).unwrap();
        for target in ["203.0.113.1", "203.0.113.2"] {
            let mut sink = Bomb(target.parse().unwrap());
            let mut report = SourceReport::default();
            let r = read_file(
                &path,
                data.len() as u64,
                0,
                Format::Sshd,
                Clock::utc(2026),
                3,
                0,
                None,
                &mut sink,
                &mut report,
            );
            match r {
                Err(ReadFileError::WorkerFailed(why)) => assert!(why.contains("boom"), "{why}"),
                other => panic!("{target}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_panicking_worker_fails_the_run() {
        // Big enough to be read in chunks.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.log");
        let one = log();
        let mut data = Vec::with_capacity(one.len() * 20);
        while (data.len() as u64) < 2 * MIN_CHUNK + 1 {
            data.extend_from_slice(&one);
        }
        data.extend_from_slice(b"Dec 10 23:00:00 h sshd[2]: Invalid user b from 203.0.113.2\n");
        std::fs::write(&path, &data).unwrap();
        let cfg = crate::pipeline::PipelineConfig {
            inputs: vec![crate::source::InputSpec::Path(path.clone())],
            format: Some(Format::Sshd),
            year: Some(2026),
            ..Default::default()
        };
        if workers_for(data.len() as u64) < 2 {
            eprintln!("one core: the file is not read in chunks here");
            return;
        }
        let err = crate::pipeline::run_parallel(&cfg, &mut Bomb("203.0.113.2".parse().unwrap()))
            .expect_err("a worker panicked");
        assert!(err.to_string().contains("a reading thread failed"), "{err}");
        assert!(err.to_string().contains("boom at line"), "{err}");
    }

    #[test]
    fn a_panicking_report_shard_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("auth.log");
        let data = log();
        std::fs::write(&path, &data).unwrap();
        let bad: IpAddr = "81.2.9.101".parse().unwrap(); // i = 100 in `log`
        for (workers, keep) in [(1, Keep::Top(5)), (3, Keep::Top(5)), (3, Keep::All)] {
            let mut agg = Aggregator::new(Filter::default());
            let mut report = SourceReport::default();
            read_file(
                &path,
                data.len() as u64,
                0,
                Format::Sshd,
                Clock::utc(2026),
                workers,
                0,
                None,
                &mut agg,
                &mut report,
            )
            .unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                agg.finish(&BadGeo(bad), vec![], vec![report], keep)
            }));
            match (keep, r) {
                // Shards (for a summary and an export alike): the panic becomes the command's
                // error.
                (_, Ok(Err(e))) => {
                    assert!(e.to_string().contains("geo failure"), "{e}")
                }
                (k, Ok(Ok(r))) => panic!(
                    "{k:?}, {workers} workers: a report of {} addresses",
                    r.ips.len()
                ),
                (k, _) => panic!("{k:?}, {workers} workers: unexpected outcome"),
            }
        }
    }

    #[test]
    fn boundaries_fall_on_line_starts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.log");
        let data = b"aaaa\nbb\n\ncccccccccc\nd\n";
        std::fs::write(&path, data).unwrap();
        for n in 1..8 {
            let b = boundaries(&path, data.len() as u64, n).unwrap();
            assert_eq!(b.first(), Some(&0));
            assert_eq!(b.last(), Some(&(data.len() as u64)));
            assert!(b.windows(2).all(|w| w[0] <= w[1]));
            for &s in &b[1..b.len() - 1] {
                assert!(
                    s == data.len() as u64 || data[s as usize - 1] == b'\n',
                    "{n}: {b:?}"
                );
            }
        }
    }
}
