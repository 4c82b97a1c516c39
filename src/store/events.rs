//! Raw events in blocks: the events of one batch of one input are one row of the `events`
//! table, a compressed run of compact records. A row per event would cost more to write than
//! everything else an ingest does, and twice the space; a block is written in one statement
//! and shrinks to a few bytes per event.
//!
//! A record (all integers as LEB128 varints, signed ones zigzagged):
//!
//! ```text
//! flags            which optional fields follow (bit i = FIELD i below)
//! line             delta from the previous record's line
//! address          address id
//! kind             position in the export's list of kinds
//! service          names id
//! repeat, failures
//! [ts]             zigzag delta from the previous record's time
//! [user] [method] [port] [status] [path] [agent] [bytes] [dst_port] [proto] [host]
//! ```
//!
//! The block is zlib-compressed (flate2, fast level). Strings are ids into `names` (user,
//! method, path, agent, protocol, service) and `hosts` (host).

use std::io::{Read, Write};

use anyhow::{Result, bail};
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;

use crate::parse::{Kind, Timestamp};

/// One stored event, its strings as ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    pub ts: Option<Timestamp>,
    pub line: u64,
    pub address: i64,
    pub kind: u8,
    pub service: i64,
    pub repeat: u32,
    pub failures: u32,
    pub user: Option<i64>,
    pub method: Option<i64>,
    pub port: Option<u16>,
    pub status: Option<u16>,
    pub path: Option<i64>,
    pub agent: Option<i64>,
    pub bytes: Option<u64>,
    pub dst_port: Option<u16>,
    pub proto: Option<i64>,
    pub host: Option<i64>,
}

const TS: u32 = 1;
const USER: u32 = 1 << 1;
const METHOD: u32 = 1 << 2;
const PORT: u32 = 1 << 3;
const STATUS: u32 = 1 << 4;
const PATH: u32 = 1 << 5;
const AGENT: u32 = 1 << 6;
const BYTES: u32 = 1 << 7;
const DST_PORT: u32 = 1 << 8;
const PROTO: u32 = 1 << 9;
const HOST: u32 = 1 << 10;

/// Builds one block.
#[derive(Default)]
pub struct BlockWriter {
    raw: Vec<u8>,
    count: u64,
    prev_line: u64,
    prev_ts: Timestamp,
    pub min_ts: Option<Timestamp>,
    pub max_ts: Option<Timestamp>,
    pub first_line: Option<u64>,
    pub last_line: u64,
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

impl BlockWriter {
    pub fn push(&mut self, r: &Record) {
        let mut flags = 0;
        let opt = |f: u32, present: bool| if present { f } else { 0 };
        flags |= opt(TS, r.ts.is_some());
        flags |= opt(USER, r.user.is_some());
        flags |= opt(METHOD, r.method.is_some());
        flags |= opt(PORT, r.port.is_some());
        flags |= opt(STATUS, r.status.is_some());
        flags |= opt(PATH, r.path.is_some());
        flags |= opt(AGENT, r.agent.is_some());
        flags |= opt(BYTES, r.bytes.is_some());
        flags |= opt(DST_PORT, r.dst_port.is_some());
        flags |= opt(PROTO, r.proto.is_some());
        flags |= opt(HOST, r.host.is_some());
        let o = &mut self.raw;
        put(o, u64::from(flags));
        put_signed(o, r.line as i64 - self.prev_line as i64);
        put(o, r.address as u64);
        o.push(r.kind);
        put(o, r.service as u64);
        put(o, u64::from(r.repeat));
        put(o, u64::from(r.failures));
        if let Some(t) = r.ts {
            put_signed(o, t - self.prev_ts);
            self.prev_ts = t;
            self.min_ts = Some(self.min_ts.map_or(t, |m| m.min(t)));
            self.max_ts = Some(self.max_ts.map_or(t, |m| m.max(t)));
        }
        for v in [r.user, r.method].into_iter().flatten() {
            put(o, v as u64);
        }
        if let Some(p) = r.port {
            put(o, u64::from(p));
        }
        if let Some(s) = r.status {
            put(o, u64::from(s));
        }
        for v in [r.path, r.agent].into_iter().flatten() {
            put(o, v as u64);
        }
        if let Some(b) = r.bytes {
            put(o, b);
        }
        if let Some(p) = r.dst_port {
            put(o, u64::from(p));
        }
        for v in [r.proto, r.host].into_iter().flatten() {
            put(o, v as u64);
        }
        self.prev_line = r.line;
        self.first_line.get_or_insert(r.line);
        self.last_line = r.line;
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Read back what was pushed (uncompressed).
    pub fn into_reader(self) -> BlockReader {
        BlockReader {
            raw: self.raw,
            at: 0,
            prev_line: 0,
            prev_ts: 0,
        }
    }

    /// The compressed block.
    pub fn finish(self) -> Result<Vec<u8>> {
        let mut z = ZlibEncoder::new(Vec::with_capacity(self.raw.len() / 4), Compression::fast());
        z.write_all(&self.raw)?;
        Ok(z.finish()?)
    }
}

/// Reads the records of a block.
pub struct BlockReader {
    raw: Vec<u8>,
    at: usize,
    prev_line: u64,
    prev_ts: Timestamp,
}

impl BlockReader {
    /// Decompress `data` (at most `limit` bytes of records: a damaged block cannot make it
    /// allocate without bound).
    pub fn new(data: &[u8], limit: u64) -> Result<BlockReader> {
        let mut raw = Vec::new();
        ZlibDecoder::new(data).take(limit).read_to_end(&mut raw)?;
        Ok(BlockReader {
            raw,
            at: 0,
            prev_line: 0,
            prev_ts: 0,
        })
    }

    fn get(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let Some(&b) = self.raw.get(self.at) else {
                bail!("damaged event block (cut short)");
            };
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        bail!("damaged event block (bad number)")
    }

    fn get_signed(&mut self) -> Result<i64> {
        let v = self.get()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    fn opt(&mut self, flags: u32, f: u32) -> Result<Option<u64>> {
        if flags & f != 0 {
            self.get().map(Some)
        } else {
            Ok(None)
        }
    }

    /// The next record, or `None` at the end of the block.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        if self.at >= self.raw.len() {
            return Ok(None);
        }
        let flags = self.get()? as u32;
        let line = (self.prev_line as i64 + self.get_signed()?) as u64;
        let address = self.get()? as i64;
        let Some(&kind) = self.raw.get(self.at) else {
            bail!("damaged event block (cut short)");
        };
        self.at += 1;
        if usize::from(kind) >= Kind::COUNT {
            bail!("damaged event block (kind {kind})");
        }
        let service = self.get()? as i64;
        let repeat = self.get()? as u32;
        let failures = self.get()? as u32;
        let ts = if flags & TS != 0 {
            let t = self.prev_ts + self.get_signed()?;
            self.prev_ts = t;
            Some(t)
        } else {
            None
        };
        let r = Record {
            ts,
            line,
            address,
            kind,
            service,
            repeat,
            failures,
            user: self.opt(flags, USER)?.map(|v| v as i64),
            method: self.opt(flags, METHOD)?.map(|v| v as i64),
            port: self.opt(flags, PORT)?.map(|v| v as u16),
            status: self.opt(flags, STATUS)?.map(|v| v as u16),
            path: self.opt(flags, PATH)?.map(|v| v as i64),
            agent: self.opt(flags, AGENT)?.map(|v| v as i64),
            bytes: self.opt(flags, BYTES)?,
            dst_port: self.opt(flags, DST_PORT)?.map(|v| v as u16),
            proto: self.opt(flags, PROTO)?.map(|v| v as i64),
            host: self.opt(flags, HOST)?.map(|v| v as i64),
        };
        self.prev_line = line;
        Ok(Some(r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        let records = vec![
            Record {
                ts: Some(1_796_038_501),
                line: 10,
                address: 1,
                kind: 0,
                service: 3,
                repeat: 1,
                failures: 1,
                user: Some(7),
                method: Some(8),
                port: Some(22),
                ..Record::default()
            },
            Record {
                ts: Some(1_796_038_400),
                line: 9,
                address: 300_000,
                kind: 8,
                service: 4,
                repeat: 5,
                failures: 0,
                status: Some(404),
                path: Some(1 << 40),
                agent: Some(2),
                bytes: Some(u64::MAX),
                host: Some(1),
                ..Record::default()
            },
            Record {
                ts: None,
                line: u32::MAX as u64 * 3,
                address: 2,
                kind: 9,
                service: 5,
                repeat: u32::MAX,
                failures: u32::MAX,
                dst_port: Some(65535),
                proto: Some(6),
                ..Record::default()
            },
        ];
        let mut w = BlockWriter::default();
        for r in &records {
            w.push(r);
        }
        assert_eq!(
            (w.min_ts, w.max_ts),
            (Some(1_796_038_400), Some(1_796_038_501))
        );
        assert_eq!((w.first_line, w.last_line), (Some(10), u32::MAX as u64 * 3));
        let data = w.finish().unwrap();
        let mut r = BlockReader::new(&data, 1 << 20).unwrap();
        let mut back = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            back.push(rec);
        }
        assert_eq!(back, records);
    }

    #[test]
    fn damaged_blocks_are_errors() {
        let mut w = BlockWriter::default();
        w.push(&Record {
            ts: Some(5),
            line: 1,
            address: 1,
            service: 1,
            repeat: 1,
            user: Some(300),
            ..Record::default()
        });
        let data = w.finish().unwrap();
        assert!(BlockReader::new(b"not zlib", 100).is_err());
        // Cut short after decompression: every prefix of the records fails cleanly.
        let mut full = Vec::new();
        ZlibDecoder::new(&data[..]).read_to_end(&mut full).unwrap();
        for cut in 1..full.len() {
            let mut r = BlockReader {
                raw: full[..cut].to_vec(),
                at: 0,
                prev_line: 0,
                prev_ts: 0,
            };
            assert!(r.next_record().is_err(), "cut at {cut}");
        }
    }
}
