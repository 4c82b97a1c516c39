//! Runs the stages for a list of inputs: open each source, detect its format, parse every
//! line and hand each event to a sink (the aggregator, or the `events` printer).
//!
//! An input that cannot be opened or read is reported on stderr (`logmap: NAME: reason`),
//! recorded in its [`SourceReport`], and the run goes on with the next input.

mod chunked;

pub use chunked::{Sink, read_file};

use std::io;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::parse::detect::{self, SAMPLE_LINES};
use crate::parse::timestamp::YearRule;
use crate::parse::{Event, Format, LineCtx, Timestamp};
use crate::source::{self, InputSpec, LineReader};

/// What the pipeline needs to know; built by the CLI.
#[derive(Clone, Debug, Default)]
pub struct PipelineConfig {
    pub inputs: Vec<InputSpec>,
    /// `None`: detect per input.
    pub format: Option<Format>,
    /// `--year`: the year of syslog timestamps.
    pub year: Option<i64>,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// How many unparsed lines to keep per source, for `-v`.
    pub unparsed_samples: usize,
}

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

/// Read every input and hand each event to `sink`. A sink error (a closed pipe, say) stops the
/// run and is returned; input errors are reported and recorded, never returned.
pub fn run(
    cfg: &PipelineConfig,
    sink: &mut dyn FnMut(&Event) -> io::Result<()>,
) -> io::Result<Vec<SourceReport>> {
    run_inputs(cfg, &mut |cfg, i, spec, bar, done| {
        read_one(cfg, i, spec, sink, bar, done)
    })
}

/// Like [`run`], for sinks that can be split: a big regular file is read by several threads
/// at once (see `chunked.rs`); events reach the sink in no particular order.
pub fn run_parallel<S: Sink>(cfg: &PipelineConfig, sink: &mut S) -> io::Result<Vec<SourceReport>> {
    run_inputs(cfg, &mut |cfg, i, spec, bar, done| {
        if let Some(report) = read_chunked(cfg, i, spec, sink, bar) {
            return Ok(report);
        }
        read_one(
            cfg,
            i,
            spec,
            &mut |ev| {
                sink.event(ev);
                Ok(())
            },
            bar,
            done,
        )
    })
}

/// One input, read by several threads, when it is a big regular uncompressed file (else None).
fn read_chunked<S: Sink>(
    cfg: &PipelineConfig,
    index: u32,
    spec: &InputSpec,
    sink: &mut S,
    progress: Option<&ProgressBar>,
) -> Option<SourceReport> {
    let InputSpec::Path(path) = spec else {
        return None;
    };
    let meta = std::fs::metadata(path).ok()?;
    let workers = chunked::workers_for(meta.len());
    if !meta.is_file() || workers < 2 {
        return None;
    }
    // Detect the format (and gzip, which cannot be split) from the head of the file.
    let input = source::open(spec).ok()?;
    if input.gzip {
        return None;
    }
    let mut reader = LineReader::new(input.reader);
    let mut head: Vec<Vec<u8>> = Vec::new();
    while head.len() < SAMPLE_LINES * 4
        && head.iter().filter(|l| !l.is_empty()).count() < SAMPLE_LINES
    {
        match reader.next_line() {
            Ok(Some(line)) => head.push(line.to_vec()),
            _ => break,
        }
    }
    let format = cfg
        .format
        .unwrap_or_else(|| detect::detect(head.iter().map(Vec::as_slice)));
    let year = match cfg.year {
        Some(y) => YearRule::Fixed(y),
        None => YearRule::not_after(input.mtime.and_then(to_ts).unwrap_or_else(now)),
    };
    let mut report = SourceReport {
        path: spec.display_name(),
        format: Some(format),
        ..SourceReport::default()
    };
    if let Err(e) = chunked::read_file(
        path,
        meta.len(),
        index,
        format,
        year,
        workers,
        cfg.unparsed_samples,
        progress,
        sink,
        &mut report,
    ) {
        report.error = Some(describe_read_error(&e, false));
    }
    Some(report)
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
            bar.set_message(spec.display_name());
        }
        let report = read(cfg, i as u32, spec, progress.as_ref(), done_bytes)?;
        done_bytes += source::total_size(std::slice::from_ref(spec));
        // One line per problem, naming the input; a note (binary data) before an error.
        for problem in [&report.warning, &report.error].into_iter().flatten() {
            let msg = format!("logmap: {}: {problem}", report.path);
            match &progress {
                Some(bar) => bar.suspend(|| eprintln!("{msg}")),
                None => eprintln!("{msg}"),
            }
        }
        reports.push(report);
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    Ok(reports)
}

fn read_one(
    cfg: &PipelineConfig,
    index: u32,
    spec: &InputSpec,
    sink: &mut dyn FnMut(&Event) -> io::Result<()>,
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
    let year = match cfg.year {
        Some(y) => YearRule::Fixed(y),
        None => YearRule::not_after(input.mtime.and_then(to_ts).unwrap_or_else(now)),
    };
    let bytes_read = std::sync::Arc::clone(&input.bytes_read);
    let mut reader = LineReader::new(input.reader);

    // Read ahead a few lines to detect the format, then parse those and go on streaming.
    let mut head: Vec<Vec<u8>> = Vec::new();
    let mut read_error = None;
    if cfg.format.is_none() {
        while head.iter().filter(|l| !l.is_empty()).count() < SAMPLE_LINES {
            match reader.next_line() {
                Ok(Some(line)) => head.push(line.to_vec()),
                Ok(None) => break,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            }
        }
    }
    let format = cfg
        .format
        .unwrap_or_else(|| detect::detect(head.iter().map(Vec::as_slice)));
    report.format = Some(format);
    let mut parser = detect::parser_for(format, year);

    let mut sink_error: Option<io::Error> = None;
    let mut line_no = 0u64;
    let mut handle = |line: &[u8], report: &mut SourceReport| -> bool {
        line_no += 1;
        report.lines += 1;
        report.bytes += line.len() as u64 + 1;
        if report.warning.is_none() && line.contains(&0) {
            report.warning = Some("contains binary data (NUL bytes); reading it as text".into());
        }
        let ctx = LineCtx {
            source: index,
            line_no,
        };
        let outcome = parser.parse_line(line, ctx, &mut |ev| {
            if sink_error.is_none()
                && let Err(e) = sink(ev)
            {
                sink_error = Some(e);
            }
        });
        if outcome.unparsed {
            report.unparsed += 1;
            if report.unparsed_samples.len() < cfg.unparsed_samples {
                let text = String::from_utf8_lossy(&line[..line.len().min(300)]);
                report.unparsed_samples.push(format!("{line_no}: {text}"));
            }
        }
        sink_error.is_none()
    };

    let mut ok = true;
    for line in &head {
        ok = handle(line, &mut report);
        if !ok {
            break;
        }
    }
    if ok && read_error.is_none() {
        loop {
            match reader.next_line() {
                Ok(Some(line)) => {
                    if !handle(line, &mut report) {
                        break;
                    }
                    if let Some(bar) = progress
                        && report.lines.is_multiple_of(8192)
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
                        if !handle(line, &mut report) {
                            break;
                        }
                    }
                    break;
                }
            }
        }
    }
    if let Some(e) = sink_error {
        return Err(e);
    }
    if let Some(e) = read_error {
        report.error = Some(describe_read_error(&e, input.gzip));
    }
    Ok(report)
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
