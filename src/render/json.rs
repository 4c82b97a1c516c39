//! `export --format json`: the whole report as one document (design §5).
//!
//! The document is what `serde_json::to_writer_pretty` writes for the [`Report`], byte for
//! byte, but the address records — nearly all of it — are serialized on every core, a batch at
//! a time, and streamed out in order: the rest of the report is serialized with an empty `ips`
//! list, and the records are written where that list is.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::Formatter;

use super::Export;
use crate::aggregate::{IpRecord, Report};

pub struct Json;

impl Export for Json {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        write_pretty(report, crate::pipeline::threads(), out)
    }
}

/// Records serialized per batch (per thread: this divided by the threads).
const BATCH: usize = 8192;

/// The report as `serde_json::to_writer_pretty` writes it, plus a newline, with the records
/// serialized by `threads` threads.
pub fn write_pretty(report: &Report, threads: usize, out: &mut dyn Write) -> io::Result<()> {
    let doc = serde_json::to_vec_pretty(&without_records(report))?;
    // The top-level `"ips": []`: two spaces of indent are only ever a top-level key (strings
    // hold no raw newline).
    const EMPTY: &[u8] = b"\n  \"ips\": []";
    let at = match doc.windows(EMPTY.len()).position(|w| w == EMPTY) {
        Some(at) if !report.ips.is_empty() => at + EMPTY.len() - 1,
        _ => {
            // No records (or a layout this does not know): the plain way.
            serde_json::to_writer_pretty(&mut *out, report)?;
            return out.write_all(b"\n");
        }
    };
    // `…"ips": [`, the records, then `]` and the rest. While the threads serialize a batch,
    // this one writes the batch before it.
    out.write_all(&doc[..at])?;
    let threads = threads.max(1);
    let mut serialized: Vec<Vec<u8>> = vec![Vec::new(); threads];
    let mut to_write: Vec<Vec<u8>> = vec![Vec::new(); threads];
    let mut waiting = 0;
    for (k, batch) in report.ips.chunks(BATCH).enumerate() {
        let per = batch.len().div_ceil(threads);
        let parts: Vec<&[IpRecord]> = batch.chunks(per).collect();
        let (previous, out) = (&to_write[..waiting], &mut *out);
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .zip(serialized.iter_mut())
                .enumerate()
                .map(|(j, (&part, buf))| {
                    scope.spawn(move || records_into(part, k == 0 && j == 0, buf))
                })
                .collect();
            let written = previous.iter().try_for_each(|buf| out.write_all(buf));
            handles.into_iter().fold(written, |acc, h| {
                let r = h
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("a serializing thread failed")));
                acc.and(r)
            })
        })?;
        std::mem::swap(&mut serialized, &mut to_write);
        waiting = parts.len();
    }
    for buf in &to_write[..waiting] {
        out.write_all(buf)?;
    }
    out.write_all(b"\n  ")?;
    out.write_all(&doc[at..])?;
    out.write_all(b"\n")
}

/// Serialize `records` into `buf` (cleared first) as elements of the top-level `ips` list,
/// each after its separator.
fn records_into(records: &[IpRecord], first: bool, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.clear();
    for (i, r) in records.iter().enumerate() {
        buf.extend_from_slice(if first && i == 0 {
            b"\n    "
        } else {
            b",\n    "
        });
        let mut ser = serde_json::Serializer::with_formatter(&mut *buf, Pretty::at(2));
        r.serialize(&mut ser)?;
    }
    Ok(())
}

/// The report without its records (everything else is cloned: small beside them).
fn without_records(r: &Report) -> Report {
    // Every field named (no `..`): a field added to the report must be added here.
    Report {
        generator: r.generator.clone(),
        sources: r.sources.clone(),
        geo: r.geo.clone(),
        summary: r.summary.clone(),
        ips: Vec::new(),
        countries: r.countries.clone(),
        asns: r.asns.clone(),
        users: r.users.clone(),
        ports: r.ports.clone(),
        statuses: r.statuses.clone(),
        paths: r.paths.clone(),
        user_agents: r.user_agents.clone(),
        windows: r.windows.clone(),
        timeline: r.timeline.clone(),
        history: r.history.clone(),
        selection: r.selection.clone(),
    }
}

/// serde_json's pretty layout (two spaces per level, `": "`, `[]`/`{}` when empty), starting
/// at a given depth, so that a value can be serialized on its own and spliced into a document.
struct Pretty {
    depth: usize,
    has_value: bool,
}

impl Pretty {
    fn at(depth: usize) -> Pretty {
        Pretty {
            depth,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;
    use std::sync::Arc;

    use super::*;
    use crate::aggregate::{GeoInfo, Summary, Timeline};
    use crate::enrich::Accuracy;
    use crate::parse::Kind;

    /// Records enough for several batches, with IPv6, missing fields, counts past 2³², and
    /// names that need escaping.
    fn report(n: u32) -> Report {
        let record = |i: u32| {
            let ip: IpAddr = if i.is_multiple_of(7) {
                format!("2001:db8::{i:x}").parse().unwrap()
            } else {
                IpAddr::from((0x5102_0000u32 + i).to_be_bytes())
            };
            let mut kinds = [0u32; Kind::COUNT];
            kinds[(i % 5) as usize] = 1 + i % 4;
            IpRecord {
                ip,
                events: u64::from(i % 11) + u64::from(i == 3) * 5_000_000_000,
                failures: u64::from(i % 4),
                successes: u64::from(i.is_multiple_of(13)),
                kinds,
                users: (0..i % 3)
                    .map(|k| {
                        let name = ["root", "ad\"min\\", "\u{1b}[31m", "用户", "a\u{202e}b"]
                            [((i + k) % 5) as usize];
                        (Arc::from(name), u64::from(k + 1), 0)
                    })
                    .collect(),
                first_seen: (!i.is_multiple_of(9)).then_some(1_780_000_000 + i64::from(i)),
                last_seen: (!i.is_multiple_of(9)).then_some(1_780_000_000 + 2 * i64::from(i)),
                country: (!i.is_multiple_of(10)).then(|| Arc::from("NL")),
                country_name: (!i.is_multiple_of(10)).then(|| Arc::from("Netherlands")),
                city: i.is_multiple_of(3).then(|| Arc::from("'s-Hertogenbosch")),
                region: None,
                lat: (!i.is_multiple_of(6)).then_some(51.69 + f64::from(i) / 1e5),
                lon: (!i.is_multiple_of(6)).then_some(-5.3),
                accuracy: (!i.is_multiple_of(6)).then_some(Accuracy::City),
                asn: (!i.is_multiple_of(8)).then_some(1136),
                as_org: (!i.is_multiple_of(8)).then(|| Arc::from("KPN B.V.")),
                hours: Vec::new(),
            }
        };
        Report {
            generator: "logmap test".into(),
            sources: Vec::new(),
            geo: GeoInfo {
                databases: vec!["embedded".into()],
                attribution: crate::enrich::ATTRIBUTION,
            },
            summary: Summary::default(),
            ips: (0..n).map(record).collect(),
            countries: Vec::new(),
            asns: Vec::new(),
            users: Vec::new(),
            ports: Vec::new(),
            statuses: Vec::new(),
            paths: Vec::new(),
            user_agents: Vec::new(),
            windows: Vec::new(),
            timeline: Timeline {
                bucket_seconds: 3600,
                series: vec![[1_780_000_000, 1, 2, 3]],
            },
            history: None,
            selection: None,
        }
    }

    /// The records are serialized by several threads, a batch at a time, one batch written
    /// while the next is serialized: the document must still be serde_json's, byte for byte.
    #[test]
    fn the_document_is_what_serde_json_writes_whatever_the_threads_and_batches() {
        for n in [
            0,
            1,
            2,
            BATCH as u32 - 1,
            BATCH as u32,
            2 * BATCH as u32 + 5,
        ] {
            let r = report(n);
            let mut want = serde_json::to_vec_pretty(&r).unwrap();
            want.push(b'\n');
            for threads in [1, 2, 3] {
                let mut got = Vec::new();
                write_pretty(&r, threads, &mut got).unwrap();
                assert!(
                    got == want,
                    "{n} records, {threads} threads: the document differs"
                );
            }
        }
    }
}
