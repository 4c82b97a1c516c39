//! What every fuzz target runs, one public function per target (`fuzz_targets/NAME.rs` calls
//! `logmap_fuzz::NAME`). The same file is compiled into the root crate's
//! `tests/fuzz_regressions.rs` (with `#[path]`), so a saved crash is replayed through exactly
//! the code the fuzzer ran, on the stable toolchain, by `cargo test`.
//!
//! Each function takes arbitrary bytes, must never panic on its own, and asserts invariants
//! that hold for any input (an assertion failing is a finding, like a panic in logmap).
//!
//! The parsers are built in one place, [`parser`]: when a constructor changes (a time zone
//! argument, say), that is the one line to fix.

use std::io::{self, Read, Write};
use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use logmap::aggregate::{Aggregator, Filter, Keep, Report};
use logmap::enrich::{Geo, GeoConfig, Locate, Location};
use logmap::parse::clock::{Clock, YearRule, Zone};
use logmap::parse::detect::{self, SAMPLE_LINES};
use logmap::parse::extract;
use logmap::parse::sshd::{self, Classified};
use logmap::parse::timestamp::syslog_month;
use logmap::parse::{Event, Format, LineCtx, LineParser};
use logmap::pipeline::{self, PipelineConfig, SourceReport};
use logmap::source::{self, InputSpec, LineReader};

/// The year given to syslog timestamps (they carry none).
pub const YEAR: i64 = 2026;

/// The parser the pipeline would build for `format`. The one place that knows the constructor.
pub fn parser(format: Format) -> Box<dyn LineParser + Send> {
    detect::parser_for(format, Clock::utc(YEAR))
}

/// Lines as the pipeline sees them: split at `\n`, one `\r` before it dropped.
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

// ---------------------------------------------------------------------------------------
// Address scanner

/// `extract::scan`, `find_all`, `first` and `parse_addr`, checked against std's parser.
pub fn extract_scan(data: &[u8]) {
    let mut found = Vec::new();
    extract::scan(data, |f| found.push(f));
    assert_eq!(extract::find_all(data), found, "find_all and scan disagree");
    assert_eq!(extract::first(data), found.first().copied(), "first");
    let mut prev_end = 0;
    for f in &found {
        assert!(
            f.start < f.end && f.end <= data.len(),
            "range {}..{} outside the text",
            f.start,
            f.end
        );
        assert!(f.start >= prev_end, "addresses overlap or go backwards");
        prev_end = f.end;
        // The address is in the text: its span parses, on its own, to the same address…
        let span = &data[f.start..f.end];
        assert_eq!(
            extract::parse_addr(span),
            Some(f.ip),
            "the span {:?} does not parse back to {}",
            String::from_utf8_lossy(span),
            f.ip
        );
        // …and std agrees about what that text means.
        let text = std::str::from_utf8(span).expect("an address span is ASCII");
        let std_ip = IpAddr::from_str(text)
            .unwrap_or_else(|_| panic!("std rejects the found address {text:?}"));
        assert_eq!(
            std_ip.to_canonical(),
            f.ip,
            "std reads {text:?} differently"
        );
        assert!(
            !matches!(f.ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some()),
            "an IPv4-mapped address is reported as IPv6: {}",
            f.ip
        );
    }
    check_parse_addr(data);
    // Each line on its own too (what parsers hand over): the first bytes are often a token.
    for line in data.split(|&b| b == b' ' || b == b'\n').take(64) {
        check_parse_addr(line);
    }
    check_found_in_context(data);
}

/// Any address, written by std in the contexts logs use, is found: the first 17 bytes choose
/// the address (IPv4 or IPv6) and the context, the rest of the input is the text after it.
fn check_found_in_context(data: &[u8]) {
    let [mode, raw @ ..] = data else {
        return;
    };
    let Some(bytes) = raw.get(..16) else {
        return;
    };
    let after = &raw[16..];
    let ip: IpAddr = if mode & 1 == 0 {
        IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]])
    } else {
        let mut b = [0u8; 16];
        b.copy_from_slice(bytes);
        // Zero runs, so that `::` forms come up.
        for (i, v) in b.iter_mut().enumerate() {
            if (mode >> 1) & 7 != 0 && i / 2 % ((mode >> 1) & 7) as usize == 0 {
                *v = 0;
            }
        }
        IpAddr::from(b)
    };
    let text = ip.to_string();
    if let IpAddr::V6(v6) = ip {
        // Refused on purpose (see extract.rs): IPv6 without a decimal digit (`::`, `a::b`),
        // and eight groups of two hex digits (a MAC address).
        if !text.bytes().any(|b| b.is_ascii_digit())
            || (!text.contains("::")
                && text.split(':').all(|g| g.len() == 2)
                && v6.to_ipv4_mapped().is_none())
        {
            return;
        }
    }
    let written = match (mode >> 4) & 3 {
        0 => format!("from {text} port 22"),
        1 => match ip {
            IpAddr::V4(_) => format!("rhost={text}:8080 "),
            IpAddr::V6(_) => format!("[{text}]:8080"),
        },
        2 => format!("\"{text}\","),
        _ => text.clone(),
    };
    let mut line = written.into_bytes();
    // Whatever follows, after a space.
    line.push(b' ');
    line.extend_from_slice(after);
    let first = extract::first(&line);
    assert_eq!(
        first.map(|f| f.ip),
        Some(ip.to_canonical()),
        "{text} not found first in {:?}",
        String::from_utf8_lossy(&line)
    );
}

/// `parse_addr` accepts exactly what std accepts (canonicalised), plus brackets and a zone.
fn check_parse_addr(token: &[u8]) {
    let ours = extract::parse_addr(token);
    let inner = match token {
        [b'[', inner @ .., b']'] => inner,
        t => t,
    };
    let (addr, zone) = match inner.iter().position(|&b| b == b'%') {
        Some(p) if inner.contains(&b':') => (&inner[..p], Some(&inner[p + 1..])),
        _ => (inner, None),
    };
    let std_ip = std::str::from_utf8(addr)
        .ok()
        .and_then(|s| IpAddr::from_str(s).ok())
        .map(|ip| ip.to_canonical());
    match (ours, std_ip) {
        (Some(a), Some(b)) => assert_eq!(a, b, "parse_addr and std disagree on {token:?}"),
        (Some(a), None) => panic!("parse_addr accepts {token:?} as {a}, std does not"),
        (None, Some(b)) => {
            // Refusing is fine only for a bad zone or a v6 text std reads as v4 (none exist).
            let zone_ok = zone.is_none_or(|z| {
                !z.is_empty()
                    && z.iter()
                        .all(|&c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
            });
            assert!(
                !zone_ok,
                "parse_addr rejects {:?}, which std reads as {b}",
                String::from_utf8_lossy(token)
            );
        }
        (None, None) => {}
    }
}

// ---------------------------------------------------------------------------------------
// sshd messages and format parsers

/// `sshd::classify` on arbitrary text: what it returns borrows from the message.
pub fn sshd_classify(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for msg in [&text[..]].into_iter().chain(text.lines().take(64)) {
        if let Classified::Event(m) = sshd::classify(msg) {
            let range = msg.as_bytes().as_ptr_range();
            // `ROOT LOGIN REFUSED FROM …` names no user: the user is root by what it says.
            let implied = (msg.contains("ROOT LOGIN REFUSED FROM ") && m.user == Some("root"))
                .then_some("root");
            for (what, s) in [("user", m.user), ("method", m.method)] {
                // (An empty name may point anywhere.)
                if let Some(s) = s.filter(|s| !s.is_empty() && Some(*s) != implied) {
                    assert!(
                        range.contains(&s.as_ptr()),
                        "{what} {s:?} is not part of the message"
                    );
                }
            }
            assert!(m.repeat >= 1, "repeat {} in {msg:?}", m.repeat);
            assert!(
                names_address(msg, m.ip),
                "{} is not an address written in {msg:?}",
                m.ip
            );
        }
    }
}

/// Is `ip` written in `text`: found by the scanner, or a whole word (brackets, quotes and
/// trailing punctuation aside) that `parse_addr` reads as `ip`, or the network of a CIDR
/// block `ADDR/LEN` (sshd's `srclimit_penalise:` names blocks; the scanner, which finds
/// clients, leaves some of them alone, e.g. `::ed:c/4`)?
fn names_address(text: &str, ip: IpAddr) -> bool {
    if extract::find_all(text.as_bytes())
        .iter()
        .any(|f| f.ip == ip)
    {
        return true;
    }
    text.split(|c: char| c.is_whitespace() || "=,;\"'()[]".contains(c))
        .flat_map(|w| [w, w.strip_suffix([':', '.']).unwrap_or(w)])
        .flat_map(|w| [w, network_of(w)])
        .any(|w| extract::parse_addr(w.as_bytes()) == Some(ip))
}

/// `ADDR` of a word `ADDR/LEN` with a numeric length; else the word.
fn network_of(w: &str) -> &str {
    match w.split_once('/') {
        Some((a, len)) if !len.is_empty() && len.bytes().all(|b| b.is_ascii_digit()) => a,
        _ => w,
    }
}

/// Feed every line of `data` to the parser of `format`, checking each event.
pub fn parse_format(format: Format, data: &[u8]) {
    let mut p = parser(format);
    let mut earlier: Vec<String> = Vec::new();
    for (i, line) in lines(data).enumerate() {
        let ctx = LineCtx {
            source: 3,
            line_no: i as u64 + 1,
        };
        // Raw-text formats: the address is written in the line, or (sshd keeps each
        // connection's client) in an earlier one. JSON formats may escape it.
        let raw = matches!(
            format,
            Format::Sshd | Format::Ufw | Format::Web | Format::Generic
        );
        let text = String::from_utf8_lossy(line);
        p.parse_line(line, ctx, &mut |ev| {
            check_event(ev, ctx);
            if raw && !names_address(&text, ev.ip) {
                assert!(
                    !matches!(format, Format::Web | Format::Generic),
                    "{} is not an address written in {text:?}",
                    ev.ip
                );
                assert!(
                    earlier.iter().any(|l| names_address(l, ev.ip)),
                    "{} is not an address written in {text:?} nor in an earlier line",
                    ev.ip
                );
            }
        });
        if raw {
            earlier.push(text.into_owned());
        }
    }
}

fn check_event(ev: &Event, ctx: LineCtx) {
    assert_eq!(ev.source, ctx.source, "event names another source");
    assert_eq!(ev.line_no, ctx.line_no, "event names another line");
    assert!(ev.repeat >= 1, "repeat {}", ev.repeat);
    assert!(
        ev.failures <= ev.repeat,
        "{} failures from one line standing for {} messages: {ev:?}",
        ev.failures,
        ev.repeat
    );
    if matches!(ev.ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some()) {
        panic!("event address not canonical: {}", ev.ip);
    }
}

pub fn parse_sshd(data: &[u8]) {
    parse_format(Format::Sshd, data)
}
pub fn parse_ufw(data: &[u8]) {
    parse_format(Format::Ufw, data)
}
pub fn parse_web(data: &[u8]) {
    parse_format(Format::Web, data)
}
pub fn parse_journal(data: &[u8]) {
    parse_format(Format::Journal, data)
}
pub fn parse_cowrie(data: &[u8]) {
    parse_format(Format::Cowrie, data)
}
pub fn parse_generic(data: &[u8]) {
    parse_format(Format::Generic, data)
}

/// Format detection over the lines, as the pipeline calls it (its sample) and over all lines.
pub fn detect(data: &[u8]) {
    let sample: Vec<&[u8]> = lines(data)
        .filter(|l| !l.is_empty())
        .take(SAMPLE_LINES)
        .collect();
    let a = detect::detect(sample.iter().copied());
    let b = detect::detect(sample.iter().copied());
    assert_eq!(a, b, "detection is not deterministic");
    detect::detect(lines(data));
}

// ---------------------------------------------------------------------------------------
// Sources

/// Check that `got` (lines with the reader's `consumed()` after each) covers `input` exactly:
/// each line is its span less a `\n` or `\r\n` (or a lone `\r` at a cut or at the end).
fn check_lines(input: &[u8], got: &[(Vec<u8>, u64)], max_line: usize, complete: bool) {
    let mut at = 0usize;
    for (i, (line, consumed)) in got.iter().enumerate() {
        let end = *consumed as usize;
        assert!(end >= at && end <= input.len(), "consumed() out of range");
        let span = &input[at..end];
        assert!(
            span.starts_with(line),
            "line {i} is not its input span: {line:?} vs {span:?}"
        );
        assert!(line.len() <= max_line, "line longer than max_line");
        let rest = &span[line.len()..];
        let last = i + 1 == got.len();
        let ok = match rest {
            b"\n" | b"\r\n" => true,
            b"" | b"\r" => line.len() + rest.len() == max_line || last,
            _ => false,
        };
        assert!(ok, "line {i}: unexpected separator {rest:?}");
        assert!(!line.contains(&b'\n'), "a line holds a newline");
        at = end;
    }
    if complete {
        assert_eq!(at, input.len(), "the lines do not cover the input");
    }
}

/// A reader that hands out the input in pieces of the given sizes, with `Interrupted` errors
/// in between (which the line reader must retry), then a hard error or the end.
struct Pieces<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    n: usize,
    fail_at_end: bool,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.n += 1;
        let s = self.sizes[self.n % self.sizes.len()];
        if s == 0 && self.n.is_multiple_of(3) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "again"));
        }
        if self.data.is_empty() && self.fail_at_end {
            return Err(io::Error::other("broken"));
        }
        let k = (s as usize % 61 + 1).min(buf.len()).min(self.data.len());
        buf[..k].copy_from_slice(&self.data[..k]);
        self.data = &self.data[k..];
        Ok(k)
    }
}

/// `LineReader` over arbitrary bytes read in arbitrary pieces, with a small line limit.
/// Input: `[max_line, flags, n, n sizes…, data…]`.
pub fn line_reader(data: &[u8]) {
    let [max, flags, n, rest @ ..] = data else {
        return;
    };
    let n = (*n as usize % 8 + 1).min(rest.len());
    let (sizes, input) = rest.split_at(n);
    let sizes = if sizes.is_empty() { &[7u8][..] } else { sizes };
    let max_line = *max as usize % 64 + 1;
    let fail = flags & 1 == 1;
    let mut r = LineReader::with_max_line(
        Pieces {
            data: input,
            sizes,
            n: 0,
            fail_at_end: fail,
        },
        max_line,
    );
    let mut got = Vec::new();
    let mut errors = 0;
    loop {
        match r.next_line() {
            Ok(Some(l)) => {
                let l = l.to_vec();
                got.push((l, r.consumed()));
                assert_eq!(r.line_no(), got.len() as u64, "line_no");
            }
            Ok(None) => break,
            Err(e) => {
                assert!(fail, "error from a reader that never fails: {e}");
                errors += 1;
                assert!(errors == 1, "the error is returned more than once");
                // Like the pipeline: drain what was read before the error.
            }
        }
        assert!(got.len() <= input.len() + 1, "more lines than bytes");
    }
    assert_eq!(errors, usize::from(fail), "the reader's error was lost");
    check_lines(input, &got, max_line, true);
}

fn tmp_dir() -> &'static Path {
    // Fuzzing writes a file per input: keep that in memory where there is a tmpfs.
    static DIR: OnceLock<std::path::PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        }
    })
}

fn temp_file(data: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new()
        .prefix("logmap-fuzz")
        .tempfile_in(tmp_dir())
        .expect("temp file");
    f.write_all(data).expect("write temp file");
    f.flush().expect("flush temp file");
    f
}

/// Every line of an opened input, and whether reading it failed.
fn read_all(spec: &InputSpec) -> (logmap::source::Input, Vec<(Vec<u8>, u64)>, bool) {
    let mut input = source::open(spec).expect("open a regular file");
    let reader = std::mem::replace(&mut input.reader, Box::new(io::empty()));
    let mut r = LineReader::new(reader);
    let mut got = Vec::new();
    let mut failed = false;
    loop {
        match r.next_line() {
            Ok(Some(l)) => got.push((l.to_vec(), r.consumed())),
            Ok(None) => break,
            Err(_) if !failed => failed = true,
            Err(e) => panic!("second error: {e}"),
        }
    }
    (input, got, failed)
}

/// `source::open` (gzip by magic bytes) and `LineReader` on a real file.
/// First byte even: the rest is the file, as is. Odd: the rest is gzipped (in one or two
/// members, maybe cut short) and must come back out exactly (or as a prefix, when cut).
pub fn source_open(data: &[u8]) {
    let [mode, rest @ ..] = data else {
        return;
    };
    if mode & 1 == 0 {
        let f = temp_file(rest);
        let (input, got, _failed) = read_all(&InputSpec::Path(f.path().to_path_buf()));
        if !rest.starts_with(&[0x1f, 0x8b]) {
            assert!(!input.gzip, "plain text taken for gzip");
            check_lines(rest, &got, usize::MAX, true);
        }
        return;
    }
    // Gzip: split point and cut from the next bytes.
    let [split, cut, text @ ..] = rest else {
        return;
    };
    let split = (*split as usize * text.len()) / 255;
    let mut gz = Vec::new();
    for part in [&text[..split], &text[split..]] {
        if part.is_empty() && !gz.is_empty() {
            continue;
        }
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(part).expect("compress");
        gz.extend(e.finish().expect("compress"));
    }
    let whole = *cut == 255;
    if !whole {
        let keep = 2 + (*cut as usize * (gz.len() - 2)) / 255;
        gz.truncate(keep);
    }
    let f = temp_file(&gz);
    let (input, got, failed) = read_all(&InputSpec::Path(f.path().to_path_buf()));
    assert!(input.gzip, "gzip not recognised by its magic bytes");
    if whole {
        assert!(!failed, "a whole gzip stream failed to read");
        check_lines(text, &got, usize::MAX, true);
    } else {
        // What came out is a prefix of the text.
        check_lines(text, &got, usize::MAX, false);
    }
}

// ---------------------------------------------------------------------------------------
// The whole pipeline

/// The embedded geolocation tables (loaded once per process).
fn geo() -> &'static Geo {
    static GEO: OnceLock<Geo> = OnceLock::new();
    GEO.get_or_init(|| Geo::new(&GeoConfig::embedded_only()).expect("embedded geo tables"))
}

struct NoGeo;
impl Locate for NoGeo {
    fn locate(&self, _: IpAddr) -> Location {
        Location::default()
    }
}

fn filter() -> Filter {
    Filter {
        include_private: true,
        ..Filter::default()
    }
}

fn config(path: &Path, format: Option<Format>) -> PipelineConfig {
    PipelineConfig {
        inputs: vec![InputSpec::Path(path.to_path_buf())],
        format,
        year: Some(YEAR),
        zone: Zone::utc(),
        progress: false,
        unparsed_samples: 3,
    }
}

/// Check the report's totals against its own records, and render every output from it.
fn check_report(report: &Report, lines: u64) {
    let s = &report.summary;
    assert_eq!(s.lines, lines, "summary.lines");
    assert_eq!(
        s.unique_ips,
        report.ips.len() as u64,
        "unique_ips vs records"
    );
    let events: u64 = report.ips.iter().map(|r| r.events).sum();
    assert_eq!(s.events, events, "summary.events vs the records' events");
    let failures: u64 = report.ips.iter().map(|r| r.failures).sum();
    assert_eq!(
        s.failures, failures,
        "summary.failures vs the records' failures"
    );
    let successes: u64 = report.ips.iter().map(|r| r.successes).sum();
    assert_eq!(s.successes, successes, "summary.successes");
    if let (Some(a), Some(b)) = (s.first_seen, s.last_seen) {
        assert!(a <= b, "first_seen after last_seen");
    }

    let json = serde_json::to_string(report).expect("report to JSON");
    let doc: serde_json::Value = serde_json::from_str(&json).expect("report JSON reads back");
    for f in [
        logmap::render::ExportFormat::Json,
        logmap::render::ExportFormat::Ndjson,
        logmap::render::ExportFormat::Csv,
        logmap::render::ExportFormat::Geojson,
    ] {
        let mut out = Vec::new();
        f.exporter().write(report, &mut out).expect("export");
        std::str::from_utf8(&out).expect("exports are UTF-8");
    }
    let mut text = Vec::new();
    let style = logmap::render::table::Style { color: false };
    logmap::render::summary::write_text(report, 10, &Zone::utc(), style, &mut text)
        .expect("summary");
    let text = String::from_utf8(text).expect("summary is UTF-8");
    assert!(
        !text.contains('\x1b'),
        "an escape character reached the terminal summary"
    );
    logmap::render::html::write_map(&doc, &mut io::sink()).expect("map");
}

/// The whole pipeline on a file holding `data`: detection, parsing, aggregation with the
/// embedded geolocation, the JSON report and every output; events through the writers.
pub fn pipeline(data: &[u8]) {
    let f = temp_file(data);
    let cfg = config(f.path(), None);
    let mut agg = Aggregator::new(filter()).with_hours();
    let names = vec![String::from("x")];
    let mut ndjson = logmap::render::events::EventWriter::new(
        Vec::new(),
        logmap::render::events::EventFormat::Ndjson,
        &names,
    );
    let sources = pipeline::run(
        &cfg,
        &mut pipeline::EachEvent(|ev: &Event| {
            agg.add(ev);
            ndjson.write(ev)
        }),
    )
    .expect("a sink that never fails");
    ndjson.flush().expect("flush");
    drop(ndjson);
    assert_eq!(sources.len(), 1);
    let lines = sources[0].lines;
    let text = if sources[0].gzip {
        // What the file holds once decompressed (a corrupt or cut stream: the lines before).
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(data).read_to_end(&mut out);
        out
    } else {
        data.to_vec()
    };
    let expect_lines = if text.is_empty() {
        0
    } else {
        text.split(|&b| b == b'\n').count() as u64 - u64::from(text.ends_with(b"\n"))
    };
    if sources[0].error.is_none() {
        assert_eq!(
            lines, expect_lines,
            "the pipeline read another number of lines"
        );
    } else {
        assert!(
            lines <= expect_lines,
            "more lines than the readable part holds"
        );
    }
    let report = agg
        .finish(geo(), vec![], sources, Keep::All)
        .expect("no worker fails");
    check_report(&report, lines);
}

/// The clock the pipeline gives a file with `--year YEAR`: the year starts at the month of the
/// first line dated like syslog among the head (a log that opens in December and goes on in
/// January is one that crosses the new year).
fn first_clock(data: &[u8]) -> Clock {
    let mut reader = LineReader::new(data);
    let mut first_month = None;
    let mut kept = 0;
    while kept < SAMPLE_LINES && first_month.is_none() {
        match reader.next_line() {
            Ok(Some([])) => {}
            Ok(Some(line)) => {
                kept += 1;
                let start = line.iter().take_while(|&&c| c == 0).count();
                first_month = syslog_month(&line[start..]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    Clock::new(
        YearRule::StartingIn {
            year: YEAR,
            first_month: first_month.unwrap_or(1),
        },
        Zone::utc(),
    )
}

/// The chunked (multi-threaded) reader against the one-thread pipeline on the same file: with
/// a file smaller than the warm-up, every chunk replays the file from its start, so any
/// number of chunks must give the same report as one thread.
pub fn pipeline_chunked(data: &[u8]) {
    if data.starts_with(&[0x1f, 0x8b]) {
        // gzip: read by one thread whatever its size (and the `source_open` target's job).
        return;
    }
    let f = temp_file(data);
    let format = detect::detect(lines(data).filter(|l| !l.is_empty()).take(SAMPLE_LINES));
    let report_json = |sources: Vec<SourceReport>, agg: Aggregator| {
        let r = agg
            .finish(&NoGeo, vec![], sources, Keep::All)
            .expect("no worker fails");
        serde_json::to_string(&r).expect("report to JSON")
    };
    // One thread, through the public entry point (a small file is never split).
    let cfg = config(f.path(), Some(format));
    let mut agg = Aggregator::new(filter());
    let sources = pipeline::run_parallel(&cfg, &mut agg).expect("run_parallel");
    let one = report_json(sources, agg);
    // The chunked reader with 1…4 workers.
    for workers in 1..=4 {
        let mut agg = Aggregator::new(filter());
        let mut rep = SourceReport {
            path: InputSpec::Path(f.path().to_path_buf()).display_name(),
            format: Some(format),
            ..SourceReport::default()
        };
        pipeline::read_file(
            f.path(),
            data.len() as u64,
            0,
            format,
            first_clock(data),
            workers,
            3,
            None,
            &mut agg,
            &mut rep,
        )
        .expect("read_file");
        let many = report_json(vec![rep], agg);
        assert_eq!(
            many, one,
            "{workers} chunks give another report than one thread"
        );
    }
    // `summary` keeps only the top addresses (and every one with a successful login): same
    // totals, same top, same winners.
    let mut agg = Aggregator::new(filter());
    let sources = pipeline::run_parallel(&cfg, &mut agg).expect("run_parallel");
    let top = agg
        .finish(&NoGeo, vec![], sources, Keep::Top(2))
        .expect("no worker fails");
    let top = serde_json::to_value(&top).expect("report to JSON");
    let all: serde_json::Value = serde_json::from_str(&one).expect("JSON");
    for k in ["summary", "windows"] {
        assert_eq!(top[k], all[k], "Keep::Top changes {k}");
    }
    let ips = |doc: &serde_json::Value| doc["ips"].as_array().cloned().unwrap_or_default();
    let (top_ips, all_ips) = (ips(&top), ips(&all));
    assert_eq!(
        top_ips.iter().take(2).collect::<Vec<_>>(),
        all_ips.iter().take(2).collect::<Vec<_>>(),
        "Keep::Top(2) has another top 2"
    );
    let winners = |v: &[serde_json::Value]| {
        let mut w: Vec<String> = v
            .iter()
            .filter(|r| r["successes"].as_u64() > Some(0))
            .map(|r| r["ip"].to_string())
            .collect();
        w.sort();
        w
    };
    assert_eq!(
        winners(&top_ips),
        winners(&all_ips),
        "Keep::Top lost an address with a successful login"
    );
}
