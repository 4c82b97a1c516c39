//! Runs the stages for a list of inputs: open each source, detect its format, parse every
//! line and hand each event to a sink (the aggregator, or the `events` printer).
//!
//! An input that cannot be opened or read is reported on stderr (`logmap: NAME: reason`),
//! recorded in its [`SourceReport`], and the run goes on with the next input.

mod chunked;

pub use chunked::{Sink, THREADS_VAR, forced_threads, panic_message, read_file, threads};

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::parse::clock::{Clock, YearRule, Zone};
use crate::parse::detect::{self, SAMPLE_LINES};
use crate::parse::timestamp::syslog_month;
use crate::parse::{Event, Format, LineCtx, Timestamp};
use crate::source::{self, InputSpec, LineReader};

/// What the pipeline needs to know; built by the CLI.
#[derive(Clone, Debug, Default)]
pub struct PipelineConfig {
    pub inputs: Vec<InputSpec>,
    /// `None`: detect per input.
    pub format: Option<Format>,
    /// `--year`: the year in which syslog timestamps (which carry none) start.
    pub year: Option<i64>,
    /// The zone of times written without one (`--tz`, `TZ`, the system's).
    pub zone: Zone,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// How many unparsed lines to keep per source, for `-v`.
    pub unparsed_samples: usize,
}

/// The note for an input with NUL bytes.
pub(crate) const BINARY: &str = "contains binary data (NUL bytes); reading it as text";

/// What happened to one input.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SourceReport {
    pub path: String,
    pub lines: u64,
    /// Bytes of text read (after decompression).
    pub bytes: u64,
    pub format: Option<Format>,
    pub gzip: bool,
    /// Lines of a known format that no rule understood.
    pub unparsed: u64,
    #[serde(skip)]
    pub unparsed_samples: Vec<String>,
    /// Why the input could not be (fully) read.
    pub error: Option<String>,
    /// A note that is not an error (binary data).
    #[serde(skip)]
    pub warning: Option<String>,
    /// Said only under `-v`: the format was not recognised (with a sample line).
    #[serde(skip)]
    pub note: Option<String>,
}

/// Now, as seconds since the epoch.
pub fn now() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as Timestamp)
        .unwrap_or(0)
}

fn to_ts(t: SystemTime) -> Option<Timestamp> {
    t.duration_since(UNIX_EPOCH)
        .ok()
        .map(|d| d.as_secs() as Timestamp)
}

/// Where [`run`] sends the events of a stream.
pub trait EventSink {
    /// One event. An error (a closed pipe, say) stops the run.
    fn event(&mut self, ev: &Event) -> io::Result<()>;
    /// The input is a pipe or a terminal and has no complete line ready: the next read may
    /// wait for the writer. Write out what is buffered, so that each result is seen as soon
    /// as it is known (`tail -f auth.log | logmap events | jq`). Never called for regular
    /// files, which are read in big blocks.
    fn waiting(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An [`EventSink`] that never waits, from a closure.
pub struct EachEvent<F>(pub F);

impl<F: FnMut(&Event) -> io::Result<()>> EventSink for EachEvent<F> {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        (self.0)(ev)
    }
}

/// Read every input and hand each event to `sink`. A sink error (a closed pipe, say) stops the
/// run and is returned; input errors are reported and recorded, never returned.
pub fn run(cfg: &PipelineConfig, sink: &mut dyn EventSink) -> io::Result<Vec<SourceReport>> {
    run_inputs(cfg, &mut |cfg, i, spec, bar, done| {
        read_one(cfg, i, spec, sink, bar, done)
    })
}

/// Like [`run`], for sinks that can be split: a big regular file is read by several threads
/// at once (see `chunked.rs`); events reach the sink in no particular order.
pub fn run_parallel<S: Sink>(cfg: &PipelineConfig, sink: &mut S) -> io::Result<Vec<SourceReport>> {
    run_inputs(cfg, &mut |cfg, i, spec, bar, done| {
        if let Some(report) = read_chunked(cfg, i, spec, sink, bar)? {
            return Ok(report);
        }
        let mut each = EachEvent(|ev: &Event| {
            sink.event(ev);
            Ok(())
        });
        read_one(cfg, i, spec, &mut each, bar, done)
    })
}

/// The first lines of an input, read to detect its format: up to [`SAMPLE_LINES`] non-empty
/// lines, each with the number of empty lines before it. Empty lines are counted, not kept
/// (they never vote), so a file that starts with a million of them costs a counter.
#[derive(Default)]
struct Head {
    lines: Vec<(u64, Vec<u8>)>,
    /// Empty lines after the last kept line.
    blank_after: u64,
    error: Option<io::Error>,
}

impl Head {
    /// Read the head. With `wait` false (a pipe or a terminal), it stops at the first
    /// non-empty line after which no complete line is ready: detection never waits for the
    /// writer to send more (see [`read_one`]).
    fn read<R: io::Read>(reader: &mut LineReader<R>, wait: bool) -> Head {
        let mut head = Head::default();
        let mut blanks = 0;
        while head.lines.len() < SAMPLE_LINES {
            if !wait && !head.lines.is_empty() && !reader.ready() {
                break;
            }
            match reader.next_line() {
                Ok(Some([])) => blanks += 1,
                Ok(Some(line)) => {
                    head.lines.push((blanks, line.to_vec()));
                    blanks = 0;
                }
                Ok(None) => break,
                Err(e) => {
                    head.error = Some(e);
                    break;
                }
            }
        }
        head.blank_after = blanks;
        head
    }

    /// The non-empty lines read.
    fn lines(&self) -> impl Iterator<Item = &[u8]> {
        self.lines.iter().map(|(_, l)| l.as_slice())
    }

    fn detect(&self) -> Format {
        detect::detect(self.lines())
    }
}

/// One input, read by several threads, when it is a big regular uncompressed file (else
/// `None`). An error is a worker that failed (a panic): the run cannot go on with part of the
/// data.
fn read_chunked<S: Sink>(
    cfg: &PipelineConfig,
    index: u32,
    spec: &InputSpec,
    sink: &mut S,
    progress: Option<&ProgressBar>,
) -> io::Result<Option<SourceReport>> {
    let InputSpec::Path(path) = spec else {
        return Ok(None);
    };
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(None);
    };
    let workers = chunked::workers_for(meta.len());
    if !meta.is_file() || workers < 2 {
        return Ok(None);
    }
    // Detect the format (and gzip, which cannot be split) from the head of the file.
    let Ok(input) = source::open(spec) else {
        return Ok(None);
    };
    if input.gzip {
        return Ok(None);
    }
    // The head is read whatever the format: `--year` takes the month of its first dated line.
    let head = Head::read(&mut LineReader::new(input.reader), true);
    let format = cfg.format.unwrap_or_else(|| head.detect());
    let clock = clock_for(cfg, input.mtime, &head);
    let note = unrecognised(cfg, format, &head);
    let mut report = SourceReport {
        path: spec.display_name(),
        format: Some(format),
        note,
        ..SourceReport::default()
    };
    match chunked::read_file(
        path,
        meta.len(),
        index,
        format,
        clock,
        workers,
        cfg.unparsed_samples,
        progress,
        sink,
        &mut report,
    ) {
        Ok(()) => {}
        Err(chunked::ReadFileError::Io(e)) => report.error = Some(describe_read_error(&e, false)),
        Err(chunked::ReadFileError::WorkerFailed(why)) => {
            return Err(io::Error::other(format!(
                "{}: a reading thread failed ({why}); no report from part of the data",
                spec.display_name()
            )));
        }
    }
    Ok(Some(report))
}

type ReadInput<'a> = dyn FnMut(&PipelineConfig, u32, &InputSpec, Option<&ProgressBar>, u64) -> io::Result<SourceReport>
    + 'a;

fn run_inputs(cfg: &PipelineConfig, read: &mut ReadInput) -> io::Result<Vec<SourceReport>> {
    let progress = if cfg.progress {
        let bar = ProgressBar::new(source::total_size(&cfg.inputs));
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(bar)
    } else {
        None
    };
    let mut reports = Vec::with_capacity(cfg.inputs.len());
    let mut done_bytes = 0u64;
    for (i, spec) in cfg.inputs.iter().enumerate() {
        if let Some(bar) = &progress {
            bar.set_message(crate::render::text::escape(&spec.display_name()).into_owned());
        }
        let report = read(cfg, i as u32, spec, progress.as_ref(), done_bytes)?;
        done_bytes += source::total_size(std::slice::from_ref(spec));
        // One line per problem, naming the input; a note (binary data) before an error.
        for problem in [&report.warning, &report.error].into_iter().flatten() {
            let msg = format!(
                "logmap: {}: {}",
                crate::render::text::escape(&report.path),
                crate::render::text::escape(problem)
            );
            match &progress {
                Some(bar) => bar.suspend(|| crate::render::note(format_args!("{msg}"))),
                None => crate::render::note(format_args!("{msg}")),
            }
        }
        reports.push(report);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(reports)
}

/// One input, line by line, on this thread.
///
/// Format detection reads the head first (see [`Head`]). On a regular file that is up to
/// [`SAMPLE_LINES`] non-empty lines. On a pipe or a terminal it is only the lines already
/// there, at least one: detection never waits for the writer, so `tail -f auth.log | logmap
/// events` shows the first event at once. When so short a sample is claimed by no format, the
/// next lines (up to [`SAMPLE_LINES`] in all) are still offered to detection one by one,
/// parsed as generic text meanwhile; the first line a format claims switches the parser to
/// that format from there on (a journal's `-- Logs begin at …` header before the first
/// message, say).
fn read_one(
    cfg: &PipelineConfig,
    index: u32,
    spec: &InputSpec,
    sink: &mut dyn EventSink,
    progress: Option<&ProgressBar>,
    done_bytes: u64,
) -> io::Result<SourceReport> {
    let mut report = SourceReport {
        path: spec.display_name(),
        ..SourceReport::default()
    };
    let input = match source::open(spec) {
        Ok(i) => i,
        Err(e) => {
            report.error = Some(e.to_string());
            return Ok(report);
        }
    };
    report.gzip = input.gzip;
    let streaming = !input.regular;
    let mtime = input.mtime;
    let bytes_read = std::sync::Arc::clone(&input.bytes_read);
    let mut reader = LineReader::new(input.reader);

    // The head is read whatever the format: `--year` takes the month of its first dated line.
    let head = Head::read(&mut reader, !streaming);
    let format = cfg.format.unwrap_or_else(|| head.detect());
    let clock = clock_for(cfg, mtime, &head);
    let mut st = Reading {
        cfg,
        index,
        sink,
        parser: detect::parser_for(format, clock.clone()),
        clock,
        sampled: None,
        line_no: 0,
        report,
        sink_error: None,
    };
    st.report.format = Some(format);
    st.report.note = unrecognised(cfg, format, &head);

    let mut ok = true;
    'head: for (blanks, line) in &head.lines {
        for _ in 0..*blanks {
            if !st.line(b"") {
                ok = false;
                break 'head;
            }
        }
        if !st.line(line) {
            ok = false;
            break;
        }
    }
    for _ in 0..head.blank_after {
        if !ok || !st.line(b"") {
            ok = false;
            break;
        }
    }
    // Still looking for a format on a stream whose first lines no format claimed.
    if cfg.format.is_none() && streaming && format == Format::Generic {
        st.sampled = Some(head.lines.len());
    }
    let mut read_error = head.error;
    if ok && read_error.is_none() {
        loop {
            if streaming
                && !reader.ready()
                && let Err(e) = st.sink.waiting()
            {
                st.sink_error = Some(e);
                break;
            }
            match reader.next_line() {
                Ok(Some(line)) => {
                    if !st.line(line) {
                        break;
                    }
                    if let Some(bar) = progress
                        && st.report.lines.is_multiple_of(8192)
                    {
                        bar.set_position(
                            done_bytes + bytes_read.load(std::sync::atomic::Ordering::Relaxed),
                        );
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(e);
                    // Lines read before the error are still in the buffer: drain them.
                    while let Ok(Some(line)) = reader.next_line() {
                        if !st.line(line) {
                            break;
                        }
                    }
                    break;
                }
            }
        }
    }
    if st.sink_error.is_none() && streaming {
        // What is buffered of this input is out before the next input is opened.
        if let Err(e) = st.sink.waiting() {
            st.sink_error = Some(e);
        }
    }
    if let Some(e) = st.sink_error {
        return Err(e);
    }
    let mut report = st.report;
    // Every line the reader handed out was parsed (else the sink failed, above).
    if reader.saw_nul() {
        report.warning = Some(BINARY.into());
    }
    if let Some(e) = read_error {
        report.error = Some(describe_read_error(&e, input.gzip));
    }
    Ok(report)
}

/// The state of [`read_one`] while it parses an input.
struct Reading<'a> {
    cfg: &'a PipelineConfig,
    index: u32,
    sink: &'a mut dyn EventSink,
    parser: Box<dyn crate::parse::LineParser + Send>,
    clock: Clock,
    /// `Some(non-empty lines offered to detection so far)` while the format is still open.
    sampled: Option<usize>,
    line_no: u64,
    report: SourceReport,
    sink_error: Option<io::Error>,
}

impl Reading<'_> {
    /// Parse one line; false once the sink failed.
    fn line(&mut self, line: &[u8]) -> bool {
        if let Some(n) = self.sampled
            && !line.is_empty()
        {
            let format = detect::detect(std::iter::once(line));
            if format != Format::Generic {
                self.parser = detect::parser_for(format, self.clock.clone());
                self.report.format = Some(format);
                self.report.note = None;
                self.sampled = None;
            } else {
                self.sampled = (n + 1 < SAMPLE_LINES).then_some(n + 1);
            }
        }
        self.line_no += 1;
        let report = &mut self.report;
        report.lines += 1;
        report.bytes += line.len() as u64 + 1;
        let ctx = LineCtx {
            source: self.index,
            line_no: self.line_no,
        };
        let (sink, sink_error) = (&mut *self.sink, &mut self.sink_error);
        let outcome = self.parser.parse_line(line, ctx, &mut |ev| {
            if sink_error.is_none()
                && let Err(e) = sink.event(ev)
            {
                *sink_error = Some(e);
            }
        });
        if outcome.unparsed {
            report.unparsed += 1;
            if report.unparsed_samples.len() < self.cfg.unparsed_samples {
                let text = String::from_utf8_lossy(&line[..line.len().min(300)]);
                report
                    .unparsed_samples
                    .push(format!("{}: {text}", self.line_no));
            }
        }
        self.sink_error.is_none()
    }
}

/// The note for an input whose format was detected as `generic` because no format claimed
/// its first lines: what that means, and the first line, escaped.
fn unrecognised(cfg: &PipelineConfig, format: Format, head: &Head) -> Option<String> {
    if cfg.format.is_some() || format != Format::Generic {
        return None;
    }
    let first = head
        .lines()
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))?;
    let text = String::from_utf8_lossy(&first[..first.len().min(200)]);
    Some(format!(
        "format not recognised; reading every address as 'seen' (use --input-format to \
         choose one). First line: {}",
        crate::render::text::safe(&text, 200)
    ))
}

/// The clock of an input: syslog years from `--year` (with the month of the first dated line
/// of `head`) or from the file's modification time; the configured zone.
fn clock_for(cfg: &PipelineConfig, mtime: Option<SystemTime>, head: &Head) -> Clock {
    let year = match cfg.year {
        Some(year) => YearRule::StartingIn {
            year,
            first_month: head
                .lines()
                .find_map(|l| {
                    let start = l.iter().take_while(|&&c| c == 0).count();
                    syslog_month(&l[start..])
                })
                .unwrap_or(1),
        },
        None => YearRule::not_after(mtime.and_then(to_ts).unwrap_or_else(now)),
    };
    Clock::new(year, cfg.zone.clone())
}

fn describe_read_error(e: &io::Error, gzip: bool) -> String {
    if gzip && e.kind() == io::ErrorKind::UnexpectedEof {
        "truncated gzip data (the lines before the cut were read)".to_string()
    } else if gzip && e.kind() == io::ErrorKind::InvalidInput {
        format!("corrupt gzip data: {e} (the lines before it were read)")
    } else {
        format!("read error: {e} (the lines before it were read)")
    }
}
