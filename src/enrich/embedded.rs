//! The embedded tables: IP → country (DB-IP IP-to-Country Lite), IP → city (DB-IP IP-to-City
//! Lite) and IP → ASN + organisation (ip-location-db ASN), compiled in from `data/geo/`.
//!
//! The layout is written by `scripts/geo/build.mjs` (see its header): zlib-compressed columns of
//! delta-encoded range starts that partition the whole address space, and one value per range.
//! The country and ASN tables are inflated once, at first use, into sorted vectors; a look-up is a
//! binary search. The city table is bigger (7.7 M ranges over 249,075 places): its places
//! (country, region, city, coordinates rounded to 1/20°) and its ranges are kept in blocks of a
//! few thousand, each compressed on its own and inflated the first time an address needs it, so
//! a command pays for the part of the table its addresses touch.

use std::net::IpAddr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Accuracy, Locate, Location, countries};

const COUNTRY_BIN: &[u8] = include_bytes!("../../data/geo/country.bin.z");
const ASN_BIN: &[u8] = include_bytes!("../../data/geo/asn.bin.z");
const CITY_BIN: &[u8] = include_bytes!("../../data/geo/city.bin");
const META_JSON: &str = include_str!("../../data/geo/meta.json");

/// Source name of the embedded country table in [`Location::source`].
pub const SOURCE_COUNTRY: &str = "embedded:dbip-country-lite";
/// Source name of the embedded ASN table in [`Location::source`].
pub const SOURCE_ASN: &str = "embedded:asn";
/// Source name of the embedded city table in [`Location::source`].
pub const SOURCE_CITY: &str = "embedded:dbip-city-lite";

/// IPv4 ranges: `entries[i] = (start, value)`, and the range from `start` up to the next start
/// has `value` (0 = no data). Start and value sit side by side, so the value costs no second
/// cache miss. An index on the top bits of the addresses (all but the low `shift`) narrows the
/// binary search to the few starts inside one /16 (`shift` 16) or /20 (`shift` 12). A whole
/// table starts at 0 and indexes every /16; a block of the city table indexes the /20s from its
/// first start's to its last start's.
struct Ranges4 {
    entries: Vec<(u32, u32)>,
    shift: u32,
    /// The first prefix indexed (`first start >> shift`).
    base: u32,
    /// `index[k]` = number of starts before prefix `base + k`, up to one past the last start's.
    index: Vec<u32>,
}

impl Ranges4 {
    /// `entries` must be sorted by start and not empty.
    fn new(entries: Vec<(u32, u32)>, shift: u32) -> Self {
        let base = entries.first().map_or(0, |e| e.0 >> shift);
        let last = entries.last().map_or(0, |e| e.0 >> shift);
        let mut index = Vec::with_capacity((last - base + 2) as usize);
        let mut i = 0usize;
        for h in u64::from(base)..=u64::from(last) + 1 {
            while i < entries.len() && u64::from(entries[i].0 >> shift) < h {
                i += 1;
            }
            index.push(i as u32);
        }
        Ranges4 {
            entries,
            shift,
            base,
            index,
        }
    }

    /// The value of `ip`; 0 for an address before the first start.
    #[inline]
    fn get(&self, ip: u32) -> u32 {
        let k = (ip >> self.shift).wrapping_sub(self.base) as usize;
        let n = self.entries.len();
        let (lo, hi) = match (self.index.get(k), self.index.get(k + 1)) {
            (Some(&lo), Some(&hi)) => (lo as usize, hi as usize),
            // before the first prefix indexed
            _ if ip >> self.shift < self.base => (0, 0),
            // after the last
            _ => (n, n),
        };
        // the answer is the last start <= ip: search the starts inside this prefix, else the one before it
        let i = lo + self.entries[lo..hi].partition_point(|e| e.0 <= ip);
        if i == 0 { 0 } else { self.entries[i - 1].1 }
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    /// A plain binary search, the reference for the indexed look-up.
    #[cfg(test)]
    fn get_plain(&self, ip: u32) -> u32 {
        let i = self.entries.partition_point(|e| e.0 <= ip);
        if i == 0 { 0 } else { self.entries[i - 1].1 }
    }
}

/// IPv6 ranges, stored by the top 64 bits of each start (half the memory of `u128`):
/// published tables start almost every range on a /64 boundary. The few that do not are kept
/// whole in `inexact`, by index.
struct Ranges6 {
    top: Vec<u64>,
    values: Vec<u32>,
    /// `(index, full start)` of the starts with low bits set, sorted by index.
    inexact: Vec<(u32, u128)>,
    /// Every [`SAMPLE`]th entry of `top`, searched first (see [`sampled_partition_point`]).
    sample: Vec<u64>,
}

/// Entries per sample of a sampled search.
const SAMPLE: usize = 64;

/// Every [`SAMPLE`]th element of `all`.
fn sample_of<T: Copy>(all: &[T]) -> Vec<T> {
    all.iter().step_by(SAMPLE).copied().collect()
}

/// `all.partition_point(|&s| s <= x)` for sorted `all`, searching `sample` (= [`sample_of`]
/// `all`) first and then one stretch of [`SAMPLE`] entries: a few cache lines instead of a
/// binary search over the whole array.
#[inline]
fn sampled_partition_point<T: Copy + Ord>(all: &[T], sample: &[T], x: T) -> usize {
    let k = sample.partition_point(|&s| s <= x);
    // all[(k-1)·S] <= x < all[k·S]: the answer is in ((k-1)·S, k·S]
    let lo = k.saturating_sub(1) * SAMPLE;
    let hi = (k * SAMPLE).min(all.len());
    lo + all[lo..hi].partition_point(|&s| s <= x)
}

impl Ranges6 {
    #[cfg(test)]
    fn new((starts, values): (Vec<u128>, Vec<u32>)) -> Self {
        let inexact = starts
            .iter()
            .enumerate()
            .filter(|&(_, &s)| s as u64 != 0)
            .map(|(i, &s)| (i as u32, s))
            .collect();
        let top = starts.iter().map(|&s| (s >> 64) as u64).collect();
        Ranges6::from_parts(top, values, inexact)
    }

    fn from_parts(top: Vec<u64>, values: Vec<u32>, inexact: Vec<(u32, u128)>) -> Self {
        Ranges6 {
            sample: sample_of(&top),
            top,
            values,
            inexact,
        }
    }

    fn start(&self, i: usize) -> u128 {
        match self.inexact.binary_search_by_key(&(i as u32), |&(j, _)| j) {
            Ok(k) => self.inexact[k].1,
            Err(_) => u128::from(self.top[i]) << 64,
        }
    }

    #[inline]
    fn get(&self, ip: u128) -> u32 {
        let hi = (ip >> 64) as u64;
        // Every start whose top half is <= ip's top half, then back over those in ip's own /64
        // that start after it (only possible for the inexact ones).
        let mut i = sampled_partition_point(&self.top, &self.sample, hi);
        while i > 0 && self.top[i - 1] == hi && self.start(i - 1) > ip {
            i -= 1;
        }
        if i == 0 { 0 } else { self.values[i - 1] }
    }

    fn len(&self) -> usize {
        self.top.len()
    }
}

struct CountryTables {
    codes: Vec<String>,
    v4: Ranges4,
    v6: Ranges6,
}

struct AsnTables {
    asns: Vec<u32>,
    org_offsets: Vec<u32>,
    orgs: String,
    v4: Ranges4,
    v6: Ranges6,
}

impl AsnTables {
    fn org(&self, i: usize) -> Option<&str> {
        let a = *self.org_offsets.get(i)? as usize;
        let b = *self.org_offsets.get(i + 1)? as usize;
        self.orgs.get(a..b)
    }
}

/// An error in the embedded data (a broken build, never user input).
#[derive(Debug, thiserror::Error)]
#[error("embedded geolocation table {table} is corrupt: {what}")]
pub struct CorruptTable {
    table: &'static str,
    what: String,
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    table: &'static str,
}

impl<'a> Cursor<'a> {
    fn err(&self, what: &str) -> CorruptTable {
        CorruptTable {
            table: self.table,
            what: format!("{what} at byte {}", self.pos),
        }
    }

    fn byte(&mut self) -> Result<u8, CorruptTable> {
        let b = *self
            .buf
            .get(self.pos)
            .ok_or_else(|| self.err("unexpected end"))?;
        self.pos += 1;
        Ok(b)
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], CorruptTable> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.err("length overflow"))?;
        let s = self
            .buf
            .get(self.pos..end)
            .ok_or_else(|| self.err("unexpected end"))?;
        self.pos = end;
        Ok(s)
    }

    #[inline]
    fn varint(&mut self) -> Result<u128, CorruptTable> {
        let start = self.pos;
        read_varint(self.buf, &mut self.pos).ok_or_else(|| {
            let end = self.pos >= self.buf.len();
            self.pos = start;
            self.err(if end {
                "unexpected end"
            } else {
                "varint overflow"
            })
        })
    }

    fn small(&mut self, max: u128) -> Result<usize, CorruptTable> {
        let v = self.varint()?;
        if v > max {
            return Err(self.err("value out of range"));
        }
        Ok(v as usize)
    }

    /// One section: count, starts (delta, trailing-zero form), values (each <= `max_value`).
    /// Each start is handed to `push` as it is decoded (with the section's length first, to
    /// reserve), so no `u128` copy of the section is ever held.
    fn section(
        &mut self,
        bits: u32,
        max_value: usize,
        mut push: impl FnMut(usize, u128),
    ) -> Result<Vec<u32>, CorruptTable> {
        let n = self.small(1 << 26)?;
        if n == 0 {
            return Err(self.err("empty section"));
        }
        // the first start is stored too, as a zero difference to 0
        if self.byte()? != 0 || self.varint()? != 0 {
            return Err(self.err("starts not increasing from 0"));
        }
        self.entries(n, 0, bits, max_value, &mut push)
    }

    /// `n` entries whose first start is `first` (not stored): `n - 1` start differences, then
    /// `n` values.
    fn entries(
        &mut self,
        n: usize,
        first: u128,
        bits: u32,
        max_value: usize,
        mut push: impl FnMut(usize, u128),
    ) -> Result<Vec<u32>, CorruptTable> {
        // each entry takes at least two bytes, which bounds what a corrupt count can reserve
        let reserve = n.min(self.buf.len().saturating_sub(self.pos) / 2 + 1);
        let limit: u128 = if bits == 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        let start = self.pos;
        entries_at(self.buf, &mut self.pos, first, n, limit, max_value, |s| {
            push(reserve, s)
        })
        .ok_or_else(|| {
            self.pos = start;
            self.err("corrupt section")
        })
    }
}

fn inflate(bytes: &[u8], table: &'static str) -> Result<Vec<u8>, CorruptTable> {
    let err = |what: &str| CorruptTable {
        table,
        what: what.to_string(),
    };
    // A zlib stream: a two-byte header (deflate, no preset dictionary), the deflate data, then
    // an Adler-32 of the output. The data is inflated straight into the output vector, and the
    // checksum is not computed (4 % of unpacking): the tables are part of the binary, and
    // `Embedded::load_all`'s test decodes every one of them.
    let body = match bytes {
        [cmf, flg, rest @ ..]
            if cmf & 0x0f == 8 && flg & 0x20 == 0 && u16::from_be_bytes([*cmf, *flg]) % 31 == 0 =>
        {
            rest
        }
        _ => return Err(err("not a zlib stream")),
    };
    // the tables inflate to 2.2-3.3 times their size: usually one allocation
    let mut out = Vec::with_capacity(bytes.len() * 4);
    let mut d = flate2::Decompress::new(false);
    loop {
        let at = d.total_in() as usize;
        let status = d
            .decompress_vec(&body[at..], &mut out, flate2::FlushDecompress::Finish)
            .map_err(|e| err(&e.to_string()))?;
        if status == flate2::Status::StreamEnd {
            return Ok(out);
        }
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        } else if d.total_in() as usize == at {
            return Err(err("the compressed data ends early"));
        }
    }
}

fn v4_ranges(c: &mut Cursor, n: usize) -> Result<Ranges4, CorruptTable> {
    let mut starts: Vec<u32> = Vec::new();
    let values = c.section(32, n, |reserve, s| {
        if starts.is_empty() {
            starts.reserve_exact(reserve);
        }
        // section() checked every start fits in 32 bits
        starts.push(s as u32);
    })?;
    Ok(Ranges4::new(starts.into_iter().zip(values).collect(), 16))
}

fn v6_ranges(c: &mut Cursor, n: usize) -> Result<Ranges6, CorruptTable> {
    let mut top: Vec<u64> = Vec::new();
    let mut inexact = Vec::new();
    let values = c.section(128, n, |reserve, s| {
        if top.is_empty() {
            top.reserve_exact(reserve);
        }
        if s as u64 != 0 {
            inexact.push((top.len() as u32, s));
        }
        top.push((s >> 64) as u64);
    })?;
    Ok(Ranges6::from_parts(top, values, inexact))
}

fn decode_country(z: &[u8]) -> Result<CountryTables, CorruptTable> {
    let raw = inflate(z, "country")?;
    let mut c = Cursor {
        buf: &raw,
        pos: 0,
        table: "country",
    };
    if c.bytes(4)? != b"LMC1" {
        return Err(c.err("bad magic"));
    }
    let n = c.small(1000)?;
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let b = c.bytes(2)?;
        let s = std::str::from_utf8(b).map_err(|_| c.err("bad code"))?;
        codes.push(s.to_string());
    }
    let v4 = v4_ranges(&mut c, n)?;
    let v6 = v6_ranges(&mut c, n)?;
    Ok(CountryTables { codes, v4, v6 })
}

fn decode_asn(z: &[u8]) -> Result<AsnTables, CorruptTable> {
    let raw = inflate(z, "asn")?;
    let mut c = Cursor {
        buf: &raw,
        pos: 0,
        table: "asn",
    };
    if c.bytes(4)? != b"LMA1" {
        return Err(c.err("bad magic"));
    }
    let n = c.small(10_000_000)?;
    let mut asns = Vec::with_capacity(n);
    let mut prev: u128 = 0;
    for _ in 0..n {
        prev += c.varint()?;
        asns.push(u32::try_from(prev).map_err(|_| c.err("ASN out of range"))?);
    }
    let mut orgs = String::new();
    let mut org_offsets = Vec::with_capacity(n + 1);
    org_offsets.push(0u32);
    for _ in 0..n {
        let len = c.small(1 << 16)?;
        let s =
            std::str::from_utf8(c.bytes(len)?).map_err(|_| c.err("organisation is not UTF-8"))?;
        orgs.push_str(s);
        org_offsets.push(u32::try_from(orgs.len()).map_err(|_| c.err("string pool too big"))?);
    }
    let v4 = v4_ranges(&mut c, n)?;
    let v6 = v6_ranges(&mut c, n)?;
    Ok(AsnTables {
        asns,
        org_offsets,
        orgs,
        v4,
        v6,
    })
}

fn country_tables() -> Result<&'static CountryTables, &'static CorruptTable> {
    static T: OnceLock<Result<CountryTables, CorruptTable>> = OnceLock::new();
    T.get_or_init(|| decode_country(COUNTRY_BIN)).as_ref()
}

fn asn_tables() -> Result<&'static AsnTables, &'static CorruptTable> {
    static T: OnceLock<Result<AsnTables, CorruptTable>> = OnceLock::new();
    T.get_or_init(|| decode_asn(ASN_BIN)).as_ref()
}

// ---------- city ----------

/// Size of a place's fixed part in a [`PlaceBlock`]'s arena: latitude and longitude (i16, 1/20
/// degree), country index (u16), city and region name lengths (u8 each), all little-endian;
/// the two names follow.
const PLACE_HEAD: usize = 8;

/// One block of places, inflated on first use: each place with its names in one arena, so a
/// place and its names are one read (the names are stored once in the file and in the table's
/// name pool; here they are copied next to each place that uses them).
struct PlaceBlock {
    arena: Vec<u8>,
    /// Where each place of the block starts in `arena`.
    place_at: Vec<u32>,
}

/// Steps per degree of the city table's coordinates.
const CITY_STEPS: f64 = 20.0;

/// Where one compressed block of ranges lies in [`CITY_BIN`].
#[derive(Clone, Copy, Debug)]
struct BlockRef {
    at: usize,
    len: usize,
    entries: usize,
}

/// Ranges in blocks that are inflated on first use. `firsts[i]` is block `i`'s first start;
/// the first block starts at 0, so every address falls in exactly one block.
struct Blocks<B> {
    bin: &'static [u8],
    firsts: Vec<u128>,
    refs: Vec<BlockRef>,
    decoded: Vec<OnceLock<Option<B>>>,
    family: &'static str,
}

impl<B> Blocks<B> {
    fn entries(&self) -> usize {
        self.refs.iter().map(|r| r.entries).sum()
    }

    fn block_of(&self, ip: u128) -> usize {
        // firsts[0] == 0 <= ip
        self.firsts.partition_point(|&f| f <= ip) - 1
    }

    /// Block `i`, inflated on first use; `None` if it is corrupt (a broken build).
    #[inline]
    fn block(&self, i: usize, max_value: usize, decode: BlockDecoder<B>) -> Option<&B> {
        self.decoded[i]
            .get_or_init(|| {
                let r = self.refs[i];
                let raw = inflate(self.bin.get(r.at..r.at + r.len)?, self.family).ok()?;
                decode(&raw, self.firsts[i], r.entries, max_value)
            })
            .as_ref()
    }

    /// Inflate every block now, reporting the first corrupt one.
    fn check(&self, max_value: usize, decode: BlockDecoder<B>) -> Result<(), CorruptTable> {
        for i in 0..self.refs.len() {
            if self.block(i, max_value, decode).is_none() {
                return Err(CorruptTable {
                    table: self.family,
                    what: format!("block {i} does not decode"),
                });
            }
        }
        Ok(())
    }
}

/// A varint of up to 128 bits at `*pos` (a fast path for the usual short ones).
#[inline]
fn read_varint(buf: &[u8], pos: &mut usize) -> Option<u128> {
    let mut v: u64 = 0;
    let mut shift = 0u32;
    while shift < 63 {
        let b = *buf.get(*pos)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(u128::from(v));
        }
        shift += 7;
    }
    let mut v = u128::from(v);
    loop {
        let b = *buf.get(*pos)?;
        *pos += 1;
        if shift >= 128 || (shift > 121 && (b & 0x7f) >> (128 - shift) != 0) {
            return None;
        }
        v |= u128::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(v);
        }
        shift += 7;
    }
}

/// The entries of one block: `n - 1` start differences after `first` (trailing-zero form),
/// then `n` values ≤ `max_value`; every start ≤ `limit`. Each start goes to `push`. `None` if
/// the bytes do not hold exactly that.
fn block_entries(
    raw: &[u8],
    first: u128,
    n: usize,
    limit: u128,
    max_value: usize,
    push: impl FnMut(u128),
) -> Option<Vec<u32>> {
    let mut pos = 0usize;
    let values = entries_at(raw, &mut pos, first, n, limit, max_value, push)?;
    (pos == raw.len()).then_some(values)
}

/// [`block_entries`] at `*pos` of a longer buffer, moving `*pos` past them.
#[inline]
fn entries_at(
    raw: &[u8],
    pos: &mut usize,
    first: u128,
    n: usize,
    limit: u128,
    max_value: usize,
    mut push: impl FnMut(u128),
) -> Option<Vec<u32>> {
    let mut prev = first;
    if first > limit {
        return None;
    }
    push(first);
    for _ in 1..n {
        let tz = u32::from(*raw.get(*pos)?);
        *pos += 1;
        let m = read_varint(raw, pos)?;
        if m == 0 || tz >= 128 {
            return None;
        }
        let d = m.checked_shl(tz).filter(|x| x >> tz == m)?;
        prev = prev.checked_add(d).filter(|&s| s <= limit)?;
        push(prev);
    }
    // each value takes at least a byte, which bounds what a corrupt count can reserve
    let mut values = Vec::with_capacity(n.min(raw.len().saturating_sub(*pos)));
    for _ in 0..n {
        let v = read_varint(raw, pos)?;
        if v > max_value as u128 {
            return None;
        }
        values.push(v as u32);
    }
    Some(values)
}

fn v4_block(raw: &[u8], first: u128, n: usize, max_value: usize) -> Option<Ranges4> {
    let mut starts = Vec::with_capacity(n);
    // the limit keeps every start within 32 bits
    let values = block_entries(raw, first, n, u128::from(u32::MAX), max_value, |s| {
        starts.push(s as u32)
    })?;
    Some(Ranges4::new(starts.into_iter().zip(values).collect(), 12))
}

fn v6_block(raw: &[u8], first: u128, n: usize, max_value: usize) -> Option<Ranges6> {
    let mut top = Vec::with_capacity(n);
    let mut inexact = Vec::new();
    let values = block_entries(raw, first, n, u128::MAX, max_value, |s| {
        if s as u64 != 0 {
            inexact.push((top.len() as u32, s));
        }
        top.push((s >> 64) as u64);
    })?;
    Some(Ranges6::from_parts(top, values, inexact))
}

/// Decodes one block of ranges: (bytes, first start, entries, largest value).
type BlockDecoder<B> = fn(&[u8], u128, usize, usize) -> Option<B>;

struct CityTables {
    codes: Vec<String>,
    /// Number of places, and places per [`PlaceBlock`].
    places: usize,
    place_block: usize,
    /// The place blocks (`firsts` holds each block's first place number).
    place_blocks: Blocks<PlaceBlock>,
    v4: Blocks<Ranges4>,
    v6: Blocks<Ranges6>,
}

impl CityTables {
    /// The place number (1-based; 0 = no data) of an address.
    #[inline]
    fn value(&self, ip: IpAddr) -> u32 {
        match ip {
            IpAddr::V4(a) => {
                let ip = u32::from(a);
                let b = self.v4.block_of(u128::from(ip));
                self.v4
                    .block(b, self.places, v4_block)
                    .map_or(0, |r| r.get(ip))
            }
            IpAddr::V6(a) => {
                let ip = u128::from(a);
                let b = self.v6.block_of(ip);
                self.v6
                    .block(b, self.places, v6_block)
                    .map_or(0, |r| r.get(ip))
            }
        }
    }

    /// Place block `k`, inflated on first use; `None` if it is corrupt (a broken build).
    fn place_block(&self, k: usize) -> Option<&PlaceBlock> {
        let b = &self.place_blocks;
        b.decoded
            .get(k)?
            .get_or_init(|| {
                let r = b.refs[k];
                let raw = inflate(b.bin.get(r.at..r.at + r.len)?, b.family).ok()?;
                self.decode_places(&raw, r.entries)
            })
            .as_ref()
    }

    /// `n` places: the block's names, then five columns of zigzag differences (country,
    /// region, city, latitude, longitude), into an arena.
    fn decode_places(&self, raw: &[u8], n: usize) -> Option<PlaceBlock> {
        let mut pos = 0usize;
        let n_names = usize::try_from(read_varint(raw, &mut pos)?).ok()?;
        // name i + 1 (0 = no name); names longer than 255 bytes are cut at a character boundary
        let mut names: Vec<&str> = Vec::with_capacity(n_names.min(raw.len()) + 1);
        names.push("");
        for _ in 0..n_names {
            let len = usize::try_from(read_varint(raw, &mut pos)?).ok()?;
            let s = std::str::from_utf8(raw.get(pos..pos.checked_add(len)?)?).ok()?;
            pos += len;
            let mut cut = s.len().min(255);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            names.push(&s[..cut]);
        }
        let mut cols = [[0i32; 5]].repeat(n);
        for c in 0..5 {
            let mut prev: i64 = 0;
            for row in cols.iter_mut() {
                let z = u32::try_from(read_varint(raw, &mut pos)?).ok()?;
                prev += i64::from(z >> 1) ^ -i64::from(z & 1);
                row[c] = i32::try_from(prev).ok()?;
            }
        }
        if pos != raw.len() {
            return None;
        }
        let mut arena = Vec::with_capacity(n * (PLACE_HEAD + 24));
        let mut place_at = Vec::with_capacity(n);
        let n_names = n_names as i32;
        for &[cc, region, city, lat, lon] in &cols {
            let ok = (0..self.codes.len() as i32).contains(&cc)
                && (0..=n_names).contains(&region)
                && (0..=n_names).contains(&city)
                && (-1800..=1800).contains(&lat)
                && (-3600..=3600).contains(&lon);
            if !ok {
                return None;
            }
            let (city, region) = (names[city as usize], names[region as usize]);
            place_at.push(u32::try_from(arena.len()).ok()?);
            arena.extend_from_slice(&(lat as i16).to_le_bytes());
            arena.extend_from_slice(&(lon as i16).to_le_bytes());
            arena.extend_from_slice(&(cc as u16).to_le_bytes());
            arena.push(city.len() as u8);
            arena.push(region.len() as u8);
            arena.extend_from_slice(city.as_bytes());
            arena.extend_from_slice(region.as_bytes());
        }
        Some(PlaceBlock { arena, place_at })
    }

    /// Place `v` (1-based), borrowed from the tables, which are static.
    #[inline]
    fn place(&'static self, v: usize) -> Option<CityPlace> {
        let p = v.checked_sub(1)?;
        let b = self.place_block(p / self.place_block)?;
        let at = *b.place_at.get(p % self.place_block)? as usize;
        let h = b.arena.get(at..at + PLACE_HEAD)?;
        let i16_at = |k: usize| i16::from_le_bytes([h[k], h[k + 1]]);
        let country = u16::from_le_bytes([h[4], h[5]]);
        let (city_len, region_len) = (usize::from(h[6]), usize::from(h[7]));
        let names = b
            .arena
            .get(at + PLACE_HEAD..at + PLACE_HEAD + city_len + region_len)?;
        let (city, region) = names.split_at(city_len);
        let name = |b: &'static [u8]| {
            if b.is_empty() {
                None
            } else {
                std::str::from_utf8(b).ok()
            }
        };
        Some(CityPlace {
            country: self.codes.get(usize::from(country))?.as_str(),
            city: name(city),
            region: name(region),
            lat: f64::from(i16_at(0)) / CITY_STEPS,
            lon: f64::from(i16_at(2)) / CITY_STEPS,
        })
    }
}

fn decode_blocks<B>(
    bin: &'static [u8],
    c: &mut Cursor,
    family: &'static str,
    base: &mut usize,
) -> Result<Blocks<B>, CorruptTable> {
    let n = c.small(1 << 20)?;
    if n == 0 {
        return Err(c.err("no blocks"));
    }
    let mut firsts = Vec::with_capacity(n);
    let mut refs = Vec::with_capacity(n);
    let mut prev: u128 = 0;
    for i in 0..n {
        let d = c.varint()?;
        if (i == 0) != (d == 0) {
            return Err(c.err("block starts not increasing from 0"));
        }
        prev = prev
            .checked_add(d)
            .ok_or_else(|| c.err("block start overflow"))?;
        let entries = c.small(1 << 20)?;
        let len = c.small(1 << 26)?;
        if entries == 0 {
            return Err(c.err("empty block"));
        }
        firsts.push(prev);
        refs.push(BlockRef {
            at: 0,
            len,
            entries,
        });
    }
    // offsets relative to the end of the indices, fixed up by decode_city
    for r in &mut refs {
        r.at = *base;
        *base = base
            .checked_add(r.len)
            .filter(|&b| b <= bin.len())
            .ok_or_else(|| c.err("blocks run past the end"))?;
    }
    Ok(Blocks {
        bin,
        firsts,
        refs,
        decoded: (0..n).map(|_| OnceLock::new()).collect(),
        family,
    })
}

/// The city table's header (codes, names, places) and block index; the blocks stay compressed.
fn decode_city(bin: &'static [u8]) -> Result<CityTables, CorruptTable> {
    let mut c = Cursor {
        buf: bin,
        pos: 0,
        table: "city",
    };
    if c.bytes(4)? != b"LMG3" {
        return Err(c.err("bad magic"));
    }
    let hlen = c.small(1 << 20)?;
    let raw = inflate(c.bytes(hlen)?, "city")?;
    let mut h = Cursor {
        buf: &raw,
        pos: 0,
        table: "city",
    };
    let n_codes = h.small(1000)?;
    let mut codes = Vec::with_capacity(n_codes);
    for _ in 0..n_codes {
        let b = h.bytes(2)?;
        codes.push(
            std::str::from_utf8(b)
                .map_err(|_| h.err("bad code"))?
                .to_string(),
        );
    }
    let places = h.small(1 << 24)?;
    let place_block = h.small(1 << 16)?;
    if place_block == 0 || h.pos != raw.len() {
        return Err(h.err("bad place blocks"));
    }
    // the place blocks' lengths; their place counts follow from the block size
    let n_blocks = c.small(1 << 20)?;
    if n_blocks != places.div_ceil(place_block) {
        return Err(c.err("place blocks do not hold the places"));
    }
    let mut base = 0usize;
    let mut refs = Vec::with_capacity(n_blocks);
    for k in 0..n_blocks {
        let len = c.small(1 << 26)?;
        refs.push(BlockRef {
            at: base,
            len,
            entries: place_block.min(places - k * place_block),
        });
        base = base
            .checked_add(len)
            .filter(|&b| b <= bin.len())
            .ok_or_else(|| c.err("blocks run past the end"))?;
    }
    let mut place_blocks = Blocks {
        bin,
        firsts: (0..n_blocks).map(|k| (k * place_block) as u128).collect(),
        refs,
        decoded: (0..n_blocks).map(|_| OnceLock::new()).collect(),
        family: "city (places)",
    };
    let mut v4 = decode_blocks(bin, &mut c, "city (IPv4)", &mut base)?;
    let mut v6 = decode_blocks(bin, &mut c, "city (IPv6)", &mut base)?;
    // the compressed blocks follow the indices
    let start = c.pos;
    if start.checked_add(base) != Some(bin.len()) {
        return Err(c.err("blocks do not fill the table"));
    }
    for r in place_blocks
        .refs
        .iter_mut()
        .chain(v4.refs.iter_mut())
        .chain(v6.refs.iter_mut())
    {
        r.at += start;
    }
    Ok(CityTables {
        codes,
        places,
        place_block,
        place_blocks,
        v4,
        v6,
    })
}

fn city_tables() -> Result<&'static CityTables, &'static CorruptTable> {
    static T: OnceLock<Result<CityTables, CorruptTable>> = OnceLock::new();
    T.get_or_init(|| decode_city(CITY_BIN)).as_ref()
}

/// What the embedded city table says about an address: borrowed from the table.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CityPlace {
    /// ISO alpha-2 country code of the place.
    pub country: &'static str,
    /// First-level subdivision (state, region), when the data names one.
    pub region: Option<&'static str>,
    /// City name, when the data names one.
    pub city: Option<&'static str>,
    /// Latitude, rounded to 1/20 degree.
    pub lat: f64,
    /// Longitude, rounded to 1/20 degree.
    pub lon: f64,
}

/// The embedded backend. Cheap to create; the tables are inflated once per process, at
/// [`Embedded::load`] or the first look-up.
#[derive(Clone, Copy, Debug, Default)]
pub struct Embedded;

impl Embedded {
    /// Inflate the tables now (instead of at the first look-up), on one thread each, reporting a
    /// corrupt build. The city table's ranges stay in compressed blocks until an address needs
    /// one (see [`Embedded::load_all`]).
    pub fn load() -> Result<Embedded, String> {
        std::thread::scope(|s| {
            let asn = s.spawn(|| asn_tables().map(drop).map_err(|e| e.to_string()));
            let city = s.spawn(|| city_tables().map(drop).map_err(|e| e.to_string()));
            country_tables().map_err(|e| e.to_string())?;
            let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(), String>>| {
                h.join()
                    .unwrap_or_else(|_| Err("embedded table decoder failed".into()))
            };
            joined(asn)?;
            joined(city)
        })?;
        Ok(Embedded)
    }

    /// [`Embedded::load`], and inflate every block of the city table too: what a run that looks up
    /// addresses all over the address space ends up doing (for benchmarks and checks).
    pub fn load_all() -> Result<Embedded, String> {
        let e = Embedded::load()?;
        let t = city_tables().map_err(|e| e.to_string())?;
        t.v4.check(t.places, v4_block).map_err(|e| e.to_string())?;
        t.v6.check(t.places, v6_block).map_err(|e| e.to_string())?;
        for k in 0..t.place_blocks.refs.len() {
            t.place_block(k)
                .ok_or_else(|| format!("city place block {k} is corrupt"))?;
        }
        Ok(e)
    }

    /// The place of `ip` according to DB-IP IP-to-City Lite (coordinates rounded to 1/20°).
    pub fn city(&self, ip: IpAddr) -> Option<CityPlace> {
        let t = city_tables().ok()?;
        t.place(t.value(super::canonical(ip)) as usize)
    }

    /// The ISO alpha-2 country code of `ip` according to DB-IP IP-to-Country Lite.
    pub fn country_code(&self, ip: IpAddr) -> Option<&'static str> {
        let t = country_tables().ok()?;
        let v = match super::canonical(ip) {
            IpAddr::V4(a) => t.v4.get(u32::from(a)),
            IpAddr::V6(a) => t.v6.get(u128::from(a)),
        } as usize;
        if v == 0 {
            None
        } else {
            t.codes.get(v - 1).map(String::as_str)
        }
    }

    /// The ASN and organisation of `ip` according to the ip-location-db ASN set.
    pub fn asn(&self, ip: IpAddr) -> Option<(u32, &'static str)> {
        let t = asn_tables().ok()?;
        let v = match super::canonical(ip) {
            IpAddr::V4(a) => t.v4.get(u32::from(a)),
            IpAddr::V6(a) => t.v6.get(u128::from(a)),
        } as usize;
        if v == 0 {
            return None;
        }
        Some((*t.asns.get(v - 1)?, t.org(v - 1).unwrap_or("")))
    }

    /// The organisation name the embedded ASN set gives for an AS number (used to fill in an MMDB
    /// answer that has a number but no name).
    pub fn as_org(&self, asn: u32) -> Option<&'static str> {
        let t = asn_tables().ok()?;
        let i = t.asns.binary_search(&asn).ok()?;
        t.org(i)
    }

    /// Number of ranges (IPv4, IPv6) in the country, ASN and city tables.
    pub fn range_counts(&self) -> RangeCounts {
        RangeCounts {
            country: country_tables()
                .map(|t| (t.v4.len(), t.v6.len()))
                .unwrap_or_default(),
            asn: asn_tables()
                .map(|t| (t.v4.len(), t.v6.len()))
                .unwrap_or_default(),
            city: city_tables()
                .map(|t| (t.v4.entries(), t.v6.entries()))
                .unwrap_or_default(),
            places: city_tables().map(|t| t.places).unwrap_or_default(),
        }
    }
}

/// Sizes of the embedded tables: (IPv4, IPv6) ranges per table, and the city table's places.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RangeCounts {
    pub country: (usize, usize),
    pub asn: (usize, usize),
    pub city: (usize, usize),
    pub places: usize,
}

impl Locate for Embedded {
    fn locate(&self, ip: IpAddr) -> Location {
        let mut loc = Location::default();
        let (mut country, mut city, mut asn) = (false, false, false);
        if let Some(code) = self.country_code(ip) {
            fill_country(&mut loc, code);
            country = true;
            city = fill_city(&mut loc, self.city(ip));
        }
        if let Some((number, org)) = self.asn(ip) {
            loc.asn = Some(number);
            loc.as_org = (!org.is_empty()).then(|| org.to_string());
            asn = true;
        }
        loc.source = match (country, city, asn) {
            (true, true, true) => Some(SOURCES_ALL),
            (true, true, false) => Some(SOURCES_COUNTRY_CITY),
            (true, false, true) => Some(SOURCES_COUNTRY_ASN),
            (true, false, false) => Some(SOURCE_COUNTRY),
            (false, _, true) => Some(SOURCE_ASN),
            (false, _, false) => None,
        }
        .map(str::to_string);
        loc
    }
}

const SOURCES_ALL: &str = "embedded:dbip-country-lite+embedded:dbip-city-lite+embedded:asn";
const SOURCES_COUNTRY_CITY: &str = "embedded:dbip-country-lite+embedded:dbip-city-lite";
const SOURCES_COUNTRY_ASN: &str = "embedded:dbip-country-lite+embedded:asn";

/// Place a country-level answer at its city: when `loc` has no city-precise position and no
/// city name yet, and the city table's place lies in the same country, take the place's city,
/// region and coordinates ([`Accuracy::City`]). True if it did.
pub(crate) fn fill_city(loc: &mut Location, place: Option<CityPlace>) -> bool {
    let Some(p) = place.filter(|p| p.city.is_some()) else {
        return false;
    };
    if loc.accuracy == Some(Accuracy::City)
        || loc.city.is_some()
        || loc.country.as_deref() != Some(p.country)
    {
        return false;
    }
    loc.city = p.city.map(str::to_string);
    if loc.region.is_none() {
        loc.region = p.region.map(str::to_string);
    }
    loc.lat = Some(p.lat);
    loc.lon = Some(p.lon);
    loc.accuracy = Some(Accuracy::City);
    true
}

/// Set country, name, continent and — when there are no coordinates yet — the country's
/// representative point with [`Accuracy::Country`].
pub(crate) fn fill_country(loc: &mut Location, code: &str) {
    loc.country = Some(code.to_string());
    if let Some(info) = countries::country(code) {
        loc.country_name = Some(info.name.clone());
        loc.continent = Some(info.continent.clone());
        if loc.lat.is_none()
            && let (Some(lat), Some(lon)) = (info.lat, info.lon)
        {
            loc.lat = Some(lat);
            loc.lon = Some(lon);
            loc.accuracy = Some(Accuracy::Country);
        }
    }
}

/// What is embedded: versions, dates, licences and counts, from `data/geo/meta.json`.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EmbeddedMeta {
    /// The IP → country table.
    pub country: TableMeta,
    /// The IP → ASN table.
    pub asn: TableMeta,
    /// The IP → city table.
    pub city: TableMeta,
    /// Where the country table's names and points come from.
    pub countries: serde_json::Value,
}

/// One embedded table's provenance.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TableMeta {
    /// npm package the table was built from.
    pub package: String,
    /// Its version.
    pub version: String,
    /// The data's date (from the package version), `YYYY-MM-DD`.
    pub data_date: Option<String>,
    /// Human name of the data set.
    pub name: String,
    /// Licence, e.g. `CC BY 4.0`.
    pub licence: String,
    /// Attribution text the licence requires.
    pub attribution: String,
    /// Number of ranges after merging, per family.
    pub ranges: serde_json::Value,
}

/// Provenance of the embedded tables (parsed from the committed `data/geo/meta.json`).
pub fn embedded_meta() -> Option<EmbeddedMeta> {
    serde_json::from_str(META_JSON).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combined_source_names_match_the_parts() {
        assert_eq!(
            SOURCES_ALL,
            format!("{SOURCE_COUNTRY}+{SOURCE_CITY}+{SOURCE_ASN}")
        );
        assert_eq!(
            SOURCES_COUNTRY_CITY,
            format!("{SOURCE_COUNTRY}+{SOURCE_CITY}")
        );
        assert_eq!(
            SOURCES_COUNTRY_ASN,
            format!("{SOURCE_COUNTRY}+{SOURCE_ASN}")
        );
    }

    #[test]
    fn varints_of_every_length_read_back() {
        // Values of every length, a long (over 9 bytes) one, one cut by the end of the data,
        // and one too long for 128 bits.
        let mut data = Vec::new();
        let values: Vec<u128> = (0..128)
            .map(|b| (1u128 << b) - 1)
            .chain([300, 1 << 63, u128::MAX])
            .collect();
        for &v in &values {
            let mut v = v;
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    data.push(b);
                    break;
                }
                data.push(b | 0x80);
            }
        }
        let mut c = Cursor {
            buf: &data,
            pos: 0,
            table: "test",
        };
        for &v in &values {
            assert_eq!(c.varint().unwrap(), v);
        }
        assert!(c.varint().is_err(), "at the end");
        let cut = [0x80u8, 0x80, 0x80];
        let mut c = Cursor {
            buf: &cut,
            pos: 0,
            table: "test",
        };
        assert!(c.varint().is_err());
        let huge = [0xffu8; 20];
        let mut c = Cursor {
            buf: &huge,
            pos: 0,
            table: "test",
        };
        assert!(c.varint().is_err());
    }

    #[test]
    fn tables_decode() {
        let c = decode_country(COUNTRY_BIN).unwrap();
        assert!(c.codes.len() > 200);
        assert!(c.v4.entries.windows(2).all(|w| w[0].0 < w[1].0));
        assert!((1..c.v6.len()).all(|i| c.v6.start(i - 1) < c.v6.start(i)));
        let a = decode_asn(ASN_BIN).unwrap();
        assert_eq!(a.asns.len() + 1, a.org_offsets.len());
        assert!(a.asns.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn compact_ipv6_ranges_answer_like_a_plain_search() {
        // Starts on /64 boundaries and inside a /64 (the inexact ones), as in the real tables.
        let starts: Vec<u128> = vec![
            0,
            1 << 64,
            (5 << 64) + 0x30,
            (5 << 64) + 0x31,
            6 << 64,
            (0x2001_0db8 << 96) + 9,
        ];
        let values = vec![0, 1, 2, 3, 4, 5];
        let r = Ranges6::new((starts.clone(), values.clone()));
        assert_eq!(r.inexact.len(), 3);
        let plain = |ip: u128| values[starts.partition_point(|&s| s <= ip) - 1];
        let probes = starts
            .iter()
            .flat_map(|&s| [s.saturating_sub(1), s, s + 1])
            .chain([u128::MAX, 5 << 64, (5 << 64) + 0x2f]);
        for ip in probes {
            assert_eq!(r.get(ip), plain(ip), "{ip:x}");
        }
    }

    #[test]
    fn corrupt_tables_are_errors_not_panics() {
        assert!(decode_country(b"not zlib").is_err());
        assert!(decode_asn(&COUNTRY_BIN[..COUNTRY_BIN.len() / 2]).is_err());
        // a valid zlib stream holding garbage
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut e, b"LMC1\x05AB\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
            .unwrap();
        assert!(decode_country(&e.finish().unwrap()).is_err());
    }

    #[test]
    fn inflate_reads_zlib_streams_and_rejects_cut_ones() {
        // 200 KB that compress to far less than a quarter: the output vector must grow
        let text: Vec<u8> = (0..200_000u32).map(|i| b"ab\n"[(i % 3) as usize]).collect();
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut e, &text).unwrap();
        let z = e.finish().unwrap();
        assert!(z.len() * 4 < text.len());
        assert_eq!(inflate(&z, "test").unwrap(), text);
        for cut in [0, 1, 2, z.len() / 2, z.len() - 6] {
            assert!(inflate(&z[..cut], "test").is_err(), "cut at {cut}");
        }
        assert!(inflate(b"\x78\x9c\xff\xff\xff", "test").is_err());
        assert!(inflate(&COUNTRY_BIN[1..], "test").is_err());
    }

    #[test]
    fn city_table_decodes_whole_and_its_blocks_join_up() {
        let t: &'static CityTables = Box::leak(Box::new(decode_city(CITY_BIN).unwrap()));
        assert!(t.places > 100_000, "{}", t.places);
        let n = t.places;
        t.v4.check(n, v4_block).unwrap();
        t.v6.check(n, v6_block).unwrap();
        // each block starts where the index says, and its last start comes before the next block
        for i in 0..t.v4.refs.len() {
            let b = t.v4.block(i, n, v4_block).unwrap();
            assert_eq!(u128::from(b.entries[0].0), t.v4.firsts[i]);
            assert!(b.entries.windows(2).all(|w| w[0].0 < w[1].0));
            if let Some(&next) = t.v4.firsts.get(i + 1) {
                assert!(u128::from(b.entries.last().unwrap().0) < next);
            }
        }
        for i in 0..t.v6.refs.len() {
            let b = t.v6.block(i, n, v6_block).unwrap();
            assert_eq!(b.start(0), t.v6.firsts[i]);
            assert!((1..b.len()).all(|j| b.start(j - 1) < b.start(j)));
        }
        // every place reads back: a known country, coordinates inside the world on the
        // 1/20 degree grid; nearly all name a city (not Bouvet Island)
        let mut named = 0;
        for v in 1..=t.places {
            let p = t.place(v).unwrap();
            assert!(t.codes.iter().any(|c| c == p.country));
            assert!(p.lat.abs() <= 90.0 && p.lon.abs() <= 180.0, "{p:?}");
            assert!(((p.lat * 20.0).round() - p.lat * 20.0).abs() < 1e-9);
            named += usize::from(p.city.is_some_and(|c| !c.is_empty()));
        }
        assert!(named * 1000 > t.places * 999, "{named}");
        assert!(t.place(0).is_none() && t.place(t.places + 1).is_none());
    }

    #[test]
    fn city_block_index_matches_plain_search() {
        let t = city_tables().unwrap();
        let n = t.places;
        let mut x: u32 = 0x1234_5678;
        for _ in 0..20_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let b = t.v4.block_of(u128::from(x));
            let r = t.v4.block(b, n, v4_block).unwrap();
            assert_eq!(r.get(x), r.get_plain(x), "{x}");
        }
    }

    #[test]
    fn corrupt_city_tables_are_errors_not_panics() {
        assert!(decode_city(b"LMG1").is_err());
        assert!(decode_city(b"XXXX\x00").is_err());
        let cut: &'static [u8] = CITY_BIN[..CITY_BIN.len() - 1].to_vec().leak();
        assert!(decode_city(cut).is_err());
        // a block that does not hold what its index says decodes to nothing, not a panic
        let places = 10;
        assert!(v4_block(&[5, 1], 0, 3, places).is_none());
        assert!(v4_block(&[0, 0, 0], 0, 2, places).is_none());
        assert!(v4_block(&[40, 1, 0, 0], 0xffff_ff00, 2, places).is_none());
        assert!(v6_block(&[200, 1, 0, 0], 0, 2, places).is_none());
        assert!(v4_block(&[0, 1, 0, 11], 0, 2, places).is_none());
        assert!(v4_block(&[0, 1, 0, 1, 9], 0, 2, places).is_none());
        assert!(v4_block(&[0, 1, 0, 1], 0, 2, places).is_some());
        // a place block that does not hold its places
        let t = city_tables().unwrap();
        assert!(t.decode_places(&[1, 2, 3], 1).is_none());
        assert!(t.decode_places(&[0, 0, 0, 0, 0, 0], 1).is_some());
        assert!(t.decode_places(&[1, 1, b'A', 0, 2, 2, 0, 0], 1).is_some());
        assert!(t.decode_places(&[1, 1, b'A', 0, 2, 4, 0, 0], 1).is_none()); // no name 2
        assert!(t.decode_places(&[1, 1, 0xff, 0, 2, 2, 0, 0], 1).is_none()); // not UTF-8
        assert!(t.decode_places(&[0, 0, 0, 0, 0, 0, 0], 1).is_none());
        assert!(t.decode_places(&[0, 0, 0, 0, 0xff, 0x7f, 0], 1).is_none());
    }

    #[test]
    fn indexed_search_matches_plain_search() {
        let c = country_tables().unwrap();
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..20_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            assert_eq!(c.v4.get(x), c.v4.get_plain(x), "{x}");
        }
        for ip in [0u32, 1, 65535, 65536, u32::MAX, u32::MAX - 1] {
            assert_eq!(c.v4.get(ip), c.v4.get_plain(ip));
        }
    }
}
