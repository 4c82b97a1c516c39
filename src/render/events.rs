//! `logmap events`: every classified line, as NDJSON (for `jq`) or TSV (for `cut`/`awk`).
//!
//! TSV has one column per NDJSON field ([`TSV_COLUMNS`]); an unknown value is an empty cell.
//! Text cells go through [`escape`]: a tab, newline or backslash in a log is written `\t`,
//! `\n`, `\\`, and control, bidi and invisible characters as `\u{…}`, so a row stays one row
//! and nothing in it acts on the terminal.

use std::io::{self, Write};

use serde::Serialize;

use super::text::escape;
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

/// The TSV columns, in order: every field of the NDJSON form (`events --help` lists them).
pub const TSV_COLUMNS: [&str; 17] = [
    "source",
    "line",
    "ts",
    "service",
    "kind",
    "ip",
    "port",
    "user",
    "method",
    "repeat",
    "failures",
    "status",
    "path",
    "user_agent",
    "bytes",
    "dst_port",
    "proto",
];

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
                    self.out.write_all(TSV_COLUMNS.join("\t").as_bytes())?;
                    self.out.write_all(b"\n")?;
                }
                let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
                let text = |s: Option<&str>| escape(s.unwrap_or("")).into_owned();
                let x = &ev.extra;
                let fields: [String; 17] = [
                    text(Some(source)),
                    ev.line_no.to_string(),
                    ev.ts.map(format_rfc3339).unwrap_or_default(),
                    text(Some(&ev.service)),
                    ev.kind.to_string(),
                    ev.ip.to_string(),
                    num(ev.port.map(u64::from)),
                    text(ev.user.as_deref()),
                    text(ev.method.as_deref()),
                    ev.repeat.to_string(),
                    ev.failures.to_string(),
                    num(x.status.map(u64::from)),
                    text(x.path.as_deref()),
                    text(x.user_agent.as_deref()),
                    num(x.bytes),
                    num(x.dst_port.map(u64::from)),
                    text(x.proto.as_deref()),
                ];
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        self.out.write_all(b"\t")?;
                    }
                    self.out.write_all(f.as_bytes())?;
                }
                self.out.write_all(b"\n")
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
