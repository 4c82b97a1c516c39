//! The embedded tables: IP → country (DB-IP IP-to-Country Lite) and IP → ASN + organisation
//! (ip-location-db ASN), compiled in from `data/geo/*.bin.z`.
//!
//! The layout is written by `scripts/geo/build.mjs` (see its header): zlib-compressed columns of
//! delta-encoded range starts that partition the whole address space, and one value per range.
//! They are inflated once, at first use, into sorted vectors; a look-up is a binary search.

use std::io::Read;
use std::net::IpAddr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::{Accuracy, Locate, Location, countries};

const COUNTRY_BIN: &[u8] = include_bytes!("../../data/geo/country.bin.z");
const ASN_BIN: &[u8] = include_bytes!("../../data/geo/asn.bin.z");
const META_JSON: &str = include_str!("../../data/geo/meta.json");

/// Source name of the embedded country table in [`Location::source`].
pub const SOURCE_COUNTRY: &str = "embedded:dbip-country-lite";
/// Source name of the embedded ASN table in [`Location::source`].
pub const SOURCE_ASN: &str = "embedded:asn";

/// Ranges partitioning one address family: `starts[i]..starts[i+1]` has `values[i]` (0 = none).
struct Ranges<T> {
    starts: Vec<T>,
    values: Vec<u32>,
}

#[cfg(test)]
impl<T: Copy + Ord> Ranges<T> {
    /// A plain binary search, the reference for the indexed look-ups.
    fn get(&self, ip: T) -> u32 {
        // starts[0] == 0, so at least one start is <= ip
        let i = self.starts.partition_point(|&s| s <= ip);
        if i == 0 { 0 } else { self.values[i - 1] }
    }
}

/// IPv4 ranges with a first-level index on the top 16 bits, so the binary search only covers the
/// few ranges inside one /16.
struct Ranges4 {
    inner: Ranges<u32>,
    /// `index[h]` = number of starts < `h << 16`, for h in 0..=65536.
    index: Vec<u32>,
}

impl Ranges4 {
    fn new(inner: Ranges<u32>) -> Self {
        let mut index = Vec::with_capacity(65537);
        let mut i = 0usize;
        for h in 0u64..=65536 {
            let bound = h << 16;
            while i < inner.starts.len() && u64::from(inner.starts[i]) < bound {
                i += 1;
            }
            index.push(i as u32);
        }
        Ranges4 { inner, index }
    }

    #[inline]
    fn get(&self, ip: u32) -> u32 {
        let h = (ip >> 16) as usize;
        let lo = self.index[h] as usize;
        let hi = self.index[h + 1] as usize;
        // the answer is the last start <= ip: search the starts inside this /16, else the one before it
        let n = self.inner.starts[lo..hi].partition_point(|&s| s <= ip);
        let i = lo + n;
        if i == 0 { 0 } else { self.inner.values[i - 1] }
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
        Ranges6 {
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
        let mut i = self.top.partition_point(|&t| t <= hi);
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
        // Nearly every value fits in 9 bytes (63 bits): no overflow to check there. Anything
        // longer, or cut by the end of the data, goes the careful way from the same position.
        let mut v: u64 = 0;
        for (i, &b) in self.buf[self.pos.min(self.buf.len())..]
            .iter()
            .take(9)
            .enumerate()
        {
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                self.pos += i + 1;
                return Ok(u128::from(v));
            }
        }
        self.varint_long()
    }

    fn varint_long(&mut self) -> Result<u128, CorruptTable> {
        let mut v: u128 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            if shift >= 128 || (shift > 121 && (b & 0x7f) >> (128 - shift) != 0) {
                return Err(self.err("varint overflow"));
            }
            v |= u128::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
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
        // each entry takes at least two bytes, which bounds what a corrupt count can reserve
        let reserve = n.min(self.buf.len().saturating_sub(self.pos) / 2);
        let mut prev: u128 = 0;
        let limit: u128 = if bits == 128 {
            u128::MAX
        } else {
            (1u128 << bits) - 1
        };
        for i in 0..n {
            let tz = u32::from(self.byte()?);
            let m = self.varint()?;
            if tz >= 128 && m != 0 {
                return Err(self.err("bad shift"));
            }
            let d = if m == 0 {
                0
            } else {
                m.checked_shl(tz)
                    .filter(|x| x >> tz == m)
                    .ok_or_else(|| self.err("delta overflow"))?
            };
            let s = prev
                .checked_add(d)
                .ok_or_else(|| self.err("start overflow"))?;
            if s > limit || (i > 0 && d == 0) || (i == 0 && s != 0) {
                return Err(self.err("starts not increasing from 0"));
            }
            push(reserve, s);
            prev = s;
        }
        let mut values = Vec::with_capacity(n.min(self.buf.len().saturating_sub(self.pos)));
        for _ in 0..n {
            values.push(self.small(max_value as u128)? as u32);
        }
        if n == 0 {
            return Err(self.err("empty section"));
        }
        Ok(values)
    }
}

fn inflate(bytes: &[u8], table: &'static str) -> Result<Vec<u8>, CorruptTable> {
    let mut out = Vec::with_capacity(bytes.len() * 3);
    flate2::read::ZlibDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| CorruptTable {
            table,
            what: e.to_string(),
        })?;
    Ok(out)
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
    Ok(Ranges4::new(Ranges { starts, values }))
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
    Ok(Ranges6 {
        top,
        values,
        inexact,
    })
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

/// The embedded backend. Cheap to create; the tables are inflated once per process, at
/// [`Embedded::load`] or the first look-up.
#[derive(Clone, Copy, Debug, Default)]
pub struct Embedded;

impl Embedded {
    /// Inflate both tables now (instead of at the first look-up), reporting a corrupt build.
    pub fn load() -> Result<Embedded, String> {
        country_tables().map_err(|e| e.to_string())?;
        asn_tables().map_err(|e| e.to_string())?;
        Ok(Embedded)
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

    /// Number of ranges in the (IPv4, IPv6) country tables and (IPv4, IPv6) ASN tables.
    pub fn range_counts(&self) -> ((usize, usize), (usize, usize)) {
        let c = country_tables()
            .map(|t| (t.v4.inner.starts.len(), t.v6.len()))
            .unwrap_or_default();
        let a = asn_tables()
            .map(|t| (t.v4.inner.starts.len(), t.v6.len()))
            .unwrap_or_default();
        (c, a)
    }
}

impl Locate for Embedded {
    fn locate(&self, ip: IpAddr) -> Location {
        let mut loc = Location::default();
        let mut sources: Vec<&str> = Vec::new();
        if let Some(code) = self.country_code(ip) {
            fill_country(&mut loc, code);
            sources.push(SOURCE_COUNTRY);
        }
        if let Some((asn, org)) = self.asn(ip) {
            loc.asn = Some(asn);
            loc.as_org = (!org.is_empty()).then(|| org.to_string());
            sources.push(SOURCE_ASN);
        }
        loc.source = match sources[..] {
            [] => None,
            [one] => Some(one.to_string()),
            _ => Some(SOURCE_BOTH.to_string()),
        };
        loc
    }
}

const SOURCE_BOTH: &str = "embedded:dbip-country-lite+embedded:asn";

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
    fn combined_source_name_matches_the_parts() {
        assert_eq!(SOURCE_BOTH, format!("{SOURCE_COUNTRY}+{SOURCE_ASN}"));
    }

    #[test]
    fn varints_read_alike_both_ways() {
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
        let mut fast = Cursor {
            buf: &data,
            pos: 0,
            table: "test",
        };
        for &v in &values {
            let before = fast.pos;
            let mut long = Cursor {
                buf: &data,
                pos: before,
                table: "test",
            };
            assert_eq!(fast.varint().unwrap(), v);
            assert_eq!(long.varint_long().unwrap(), v);
            assert_eq!(fast.pos, long.pos);
        }
        assert!(fast.varint().is_err(), "at the end");
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
        assert!(c.v4.inner.starts.windows(2).all(|w| w[0] < w[1]));
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
    fn indexed_search_matches_plain_search() {
        let c = country_tables().unwrap();
        let mut x: u32 = 0x9e37_79b9;
        for _ in 0..20_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            assert_eq!(c.v4.get(x), c.v4.inner.get(x), "{x}");
        }
        for ip in [0u32, 1, 65535, 65536, u32::MAX, u32::MAX - 1] {
            assert_eq!(c.v4.get(ip), c.v4.inner.get(ip));
        }
    }
}
