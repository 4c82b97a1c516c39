//! `logmap events`: every classified line, as NDJSON (for `jq`) or TSV (for `cut`/`awk`).

use std::io::{self, Write};

use serde::Serialize;

use crate::parse::timestamp::format_rfc3339;
use crate::parse::{Event, Kind};

/// How `events` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormat {
    Ndjson,
    Tsv,
}

#[derive(Serialize)]
struct Row<'a> {
    source: &'a str,
    line: u64,
    ts: Option<String>,
    service: &'a str,
    kind: Kind,
    ip: String,
    port: Option<u16>,
    user: Option<&'a str>,
    method: Option<&'a str>,
    repeat: u32,
    failures: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_agent: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dst_port: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proto: Option<&'a str>,
}

/// The TSV columns, in order.
pub const TSV_HEADER: &str = "source\tline\tts\tservice\tkind\tip\tport\tuser\tmethod";

/// Writes events one per line. `sources` maps `Event::source` to a display name.
pub struct EventWriter<'s, W: Write> {
    out: W,
    format: EventFormat,
    sources: &'s [String],
    header_done: bool,
}

impl<'s, W: Write> EventWriter<'s, W> {
    pub fn new(out: W, format: EventFormat, sources: &'s [String]) -> Self {
        EventWriter {
            out,
            format,
            sources,
            header_done: false,
        }
    }

    pub fn write(&mut self, ev: &Event) -> io::Result<()> {
        let source = self
            .sources
            .get(ev.source as usize)
            .map(String::as_str)
            .unwrap_or("");
        match self.format {
            EventFormat::Ndjson => {
                let row = Row {
                    source,
                    line: ev.line_no,
                    ts: ev.ts.map(format_rfc3339),
                    service: &ev.service,
                    kind: ev.kind,
                    ip: ev.ip.to_string(),
                    port: ev.port,
                    user: ev.user.as_deref(),
                    method: ev.method.as_deref(),
                    repeat: ev.repeat,
                    failures: ev.failures,
                    status: ev.extra.status,
                    path: ev.extra.path.as_deref(),
                    user_agent: ev.extra.user_agent.as_deref(),
                    bytes: ev.extra.bytes,
                    dst_port: ev.extra.dst_port,
                    proto: ev.extra.proto.as_deref(),
                };
                serde_json::to_writer(&mut self.out, &row)?;
                self.out.write_all(b"\n")
            }
            EventFormat::Tsv => {
                if !self.header_done {
                    self.header_done = true;
                    writeln!(self.out, "{TSV_HEADER}")?;
                }
                let ts = ev.ts.map(format_rfc3339).unwrap_or_default();
                let port = ev.port.map(|p| p.to_string()).unwrap_or_default();
                writeln!(
                    self.out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    tsv(source),
                    ev.line_no,
                    ts,
                    tsv(&ev.service),
                    ev.kind,
                    ev.ip,
                    port,
                    tsv(ev.user.as_deref().unwrap_or("")),
                    tsv(ev.method.as_deref().unwrap_or("")),
                )
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A TSV field: tabs, newlines and backslashes escaped so a row stays one row.
pub fn tsv(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['\t', '\n', '\r', '\\']) {
        return s.into();
    }
    let mut o = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\\' => o.push_str("\\\\"),
            c => o.push(c),
        }
    }
    o.into()
}
