//! The self-contained HTML map.
//!
//! [`write_map`] turns the export document (design.md §5, plus `windows`, `timeline`, `users`
//! and the per-address `hours`) into one HTML file: Leaflet, its heat-map plugin, supercluster,
//! the world basemap, our script and styles are embedded at build time by `build.rs` (see
//! `web/README.md`). [`MapPage`] does the same from address records given one at a time, so
//! `logmap map` never holds the export of a million addresses as JSON.
//!
//! The page does not receive the export document as it is: at a million addresses that would
//! weigh half a gigabyte. It receives a compact *page document* in two parts:
//!
//! - a small JSON document (`logmap-data`): the small parts of the export (summary, sources,
//!   geo, windows, timeline, top lists, the long lists cut to [`TOP_LIST`] rows), the string
//!   table (every country, city, organisation, kind and user name once), and the layout of
//!   the columns;
//! - the addresses as binary columns (`logmap-columns`): one typed array per field
//!   (addresses as 32-bit numbers, with a table of 16-byte IPv6 addresses; coordinates in
//!   1/10,000 degrees; counts; times in seconds after `t0`; string-table indices; kinds and
//!   users as offset + pair arrays; per address, the time slots it was active in as a bit mask
//!   over at most [`MAX_SLOTS`] slots), gzip-compressed and base64-encoded. The page decodes
//!   them with `DecompressionStream` into typed arrays, without a JavaScript object per
//!   address.
//!
//! Everything that came from a log is attacker-controlled. The page never puts data into
//! HTML as markup (it builds DOM nodes and sets `textContent`), and the JSON written here
//! cannot end its `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are written as
//! `\uXXXX` escapes, which JSON.parse reads back as the same characters. The columns are
//! base64 text: they cannot contain markup at all.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD;
use base64::write::EncoderWriter;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde::Serialize;
use serde_json::Value;

use crate::aggregate::{IpRecord, RecordSink};
use crate::enrich::Accuracy;
use crate::parse::Kind;

mod assets {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// Rows kept in the ASN and user top lists of the page document.
pub const TOP_LIST: usize = 100;
/// User names kept per address for its popup (the export keeps up to 20).
pub const USERS_PER_IP: usize = 10;
/// The most time slots the page's time filter has (a mask of this many bits is two 32-bit
/// numbers in the page).
pub const MAX_SLOTS: u64 = 52;
/// Version of the page document (`map.js` checks it).
pub const PAGE_VERSION: u32 = 2;

/// The Content-Security-Policy for pages served by `logmap serve`: the page's own (its inline
/// script and style by hash, images from `data:` and the tile servers) and connections to the
/// server that sent it, nothing else.
pub fn live_csp() -> String {
    assets::CSP.replace("connect-src 'none'", "connect-src 'self'")
}

/// The live dashboard served by `logmap serve`: the same page as the file, with no embedded
/// addresses; it reads them from the server's API and stream (so its CSP, in the `<meta>`
/// element as in the header, allows connections to its own origin).
pub fn write_live_page(out: &mut dyn Write) -> io::Result<()> {
    let head = assets::HEAD.replace(assets::CSP, &live_csp());
    out.write_all(head.as_bytes())?;
    write_script_json(
        &serde_json::json!({"v": PAGE_VERSION, "live": true, "generator": crate::GENERATOR}),
        out,
    )?;
    out.write_all(assets::MID.as_bytes())?;
    out.write_all(assets::TAIL.as_bytes())?;
    out.flush()
}

/// Writes the HTML map for `doc` (the export document) to `out`.
///
/// Missing or mistyped fields are treated as unknown; the page shows what there is.
/// Addresses without coordinates are counted in the panel but not drawn.
pub fn write_map(doc: &Value, out: &mut dyn Write) -> io::Result<()> {
    let ips: &[Value] = doc
        .get("ips")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let mut span = span_of(doc);
    for r in ips {
        let seen = |k: &str| r.get(k).and_then(time_of);
        span = (
            min_opt(span.0, seen("first_seen")),
            max_opt(span.1, seen("last_seen")),
        );
    }
    let mut page = MapPage::new(doc, span.0, span.1);
    for r in ips {
        if let Some(row) = Row::from_value(r) {
            page.push(&row);
        }
    }
    page.write(out)
}

/// A page being built: the document without its addresses, then the addresses one at a time
/// ([`MapPage::push`]) or built apart ([`MapPage::with_rows`]), then [`MapPage::write`]. It
/// holds the compact columns only (about 70 bytes an address), never the records.
pub struct MapPage<'a> {
    doc: &'a Value,
    parts: Vec<PageRows>,
}

/// How a row ranks (failures, events, successes, then the lower address last): ascending is
/// the page's order.
type RowRank = ([u64; 3], Reverse<IpAddr>);

/// The addresses of a page, as compact columns: all of them ([`MapPage::push`]), or the part
/// of them that one report shard built ([`MapPage::rows`], then [`MapPage::with_rows`]). Each
/// part has its own string table; the page joins them when it is written.
pub struct PageRows {
    t0: i64,
    slots: Option<Slots>,
    strings: Strings,
    /// Country code → country name, as the records give them (sorted, so the same data
    /// always makes the same page).
    names: BTreeMap<String, String>,
    cols: Columns,
    /// The rows come from a report's records ([`RecordSink`]) and are ranked, by failures,
    /// events, successes and address: the page lists the addresses least active first,
    /// whichever part built them. Rows pushed one by one keep their order.
    ranked: bool,
    /// The exact failures, events and successes of the rows whose counts do not fit the
    /// columns (saturated at 2³² − 1), by row: the others rank by their columns.
    exact: Vec<(u32, [u64; 3])>,
}

/// One address, borrowed from an export record or an [`IpRecord`].
pub struct Row<'r> {
    pub ip: IpAddr,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
    pub first_seen: Option<i64>,
    pub last_seen: Option<i64>,
    pub country: Option<&'r str>,
    pub country_name: Option<&'r str>,
    pub city: Option<&'r str>,
    pub as_org: Option<&'r str>,
    pub asn: u64,
    /// 0 unknown, 1 country, 2 city.
    pub accuracy: u8,
    /// Events per kind (any order).
    pub kinds: Vec<(&'r str, u64)>,
    /// Login attempts per user name (any order).
    pub users: Vec<(&'r str, u64)>,
    /// The starts of the address's active hours (empty: use first and last seen).
    pub hours: Vec<i64>,
}

impl<'r> Row<'r> {
    /// The row of an export record; `None` without a valid `ip`.
    pub fn from_value(rec: &'r Value) -> Option<Row<'r>> {
        let ip: IpAddr = rec.get("ip")?.as_str()?.parse().ok()?;
        let num = |key: &str| rec.get(key).and_then(Value::as_u64).unwrap_or(0);
        let text = |key: &str| {
            rec.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let counts = |key: &str| -> Vec<(&'r str, u64)> {
            rec.get(key)
                .and_then(Value::as_object)
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, n)| Some((k.as_str(), n.as_u64()?)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let hours = rec
            .get("hours")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|h| match h {
                        Value::Array(pair) => pair.first().and_then(Value::as_i64),
                        other => other.as_i64(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Row {
            ip,
            lat: rec.get("lat").and_then(Value::as_f64),
            lon: rec.get("lon").and_then(Value::as_f64),
            events: num("events"),
            failures: num("failures"),
            successes: num("successes"),
            first_seen: rec.get("first_seen").and_then(time_of),
            last_seen: rec.get("last_seen").and_then(time_of),
            country: text("country"),
            country_name: text("country_name"),
            city: text("city"),
            as_org: text("as_org"),
            asn: num("asn"),
            accuracy: match rec.get("accuracy").and_then(Value::as_str) {
                Some("city") => 2,
                Some("country") => 1,
                _ => 0,
            },
            kinds: counts("kinds"),
            users: counts("users"),
            hours,
        })
    }

    /// The row of a report's record.
    pub fn from_record(r: &'r IpRecord) -> Row<'r> {
        Row {
            ip: r.ip,
            lat: r.lat,
            lon: r.lon,
            events: r.events,
            failures: r.failures,
            successes: r.successes,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            country: r.country.as_deref(),
            country_name: r.country_name.as_deref(),
            city: r.city.as_deref(),
            as_org: r.as_org.as_deref(),
            asn: r.asn.map_or(0, u64::from),
            accuracy: match r.accuracy {
                Some(Accuracy::City) => 2,
                Some(Accuracy::Country) => 1,
                None => 0,
            },
            kinds: Kind::ALL
                .iter()
                .filter(|k| r.kinds[k.index()] > 0)
                .map(|k| (k.as_str(), u64::from(r.kinds[k.index()])))
                .collect(),
            users: r.users.iter().map(|(u, n, _)| (&**u, *n)).collect(),
            hours: r.hours.iter().map(|h| h[0]).collect(),
        }
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// The data's time span as the summary gives it.
fn span_of(doc: &Value) -> (Option<i64>, Option<i64>) {
    let summary = doc.get("summary");
    let seen = |key: &str| summary.and_then(|s| s.get(key)).and_then(time_of);
    (seen("first_seen"), seen("last_seen"))
}

/// Serializes `value` as JSON that is safe inside an HTML `<script>` element.
///
/// `<`, `>` and `&` only occur inside JSON strings, where `\u003c` and the like mean the
/// same thing, so the text stays valid JSON while `</script>` and `<!--` cannot occur.
/// U+2028 and U+2029 are escaped too, for readers that treat them as line ends.
pub fn write_script_json<T: Serialize + ?Sized>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, ScriptSafe);
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// A compact JSON formatter that escapes the characters that matter inside HTML.
struct ScriptSafe;

impl serde_json::ser::Formatter for ScriptSafe {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escape = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escape.as_bytes())?;
            start = i + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// The JSON part of the page document. Field names are short on purpose: it is read by
/// `web/src/map.js` only.
#[derive(Serialize)]
struct PageDoc<'a> {
    /// Version of this layout; `map.js` checks it.
    v: u32,
    meta: Meta<'a>,
    /// Unix seconds that all per-address times are relative to.
    t0: i64,
    slots: Option<Slots>,
    /// The string table: the columns `cc`, `city`, `org`, `kv`, `uv` index it (plus one).
    s: &'a [String],
    /// Country code → name.
    cn: &'a BTreeMap<String, String>,
    /// The binary columns: their number of addresses and, in order, each column's name,
    /// element type and length (each starts at a multiple of 8 bytes).
    cols: Layout,
}

#[derive(Serialize)]
struct Layout {
    n: usize,
    layout: Vec<(&'static str, &'static str, usize)>,
}

/// The parts of the export passed to the page as they are (cut to length).
#[derive(Serialize)]
struct Meta<'a> {
    generator: Option<&'a Value>,
    sources: Vec<&'a Value>,
    geo: Option<&'a Value>,
    summary: Option<&'a Value>,
    windows: Option<&'a Value>,
    /// The address selection (`--country` …), if any: the windows' event counts are then
    /// those of every address, and the page does not show them.
    selection: Option<&'a Value>,
    timeline: Option<&'a Value>,
    countries: Vec<&'a Value>,
    asns: Vec<&'a Value>,
    users: Vec<&'a Value>,
}

/// The time slots of the page's time filter: slot `i` covers
/// `[start + i·seconds, start + (i+1)·seconds)`, aligned with the timeline's buckets.
#[derive(Serialize, Clone, Copy)]
struct Slots {
    start: i64,
    seconds: i64,
    count: u64,
}

impl Slots {
    fn of(&self, t: i64) -> u64 {
        let i = (t - self.start).div_euclid(self.seconds);
        i.clamp(0, self.count as i64 - 1) as u64
    }

    /// The mask with bits `from..=to` set.
    fn span(&self, from: i64, to: i64) -> u64 {
        let (a, b) = (self.of(from), self.of(to.max(from)));
        let ones = |n: u64| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        ones(b + 1) & !ones(a)
    }
}

/// "Unknown" in the signed columns (coordinates, times).
const UNKNOWN: i32 = i32::MIN;

/// Per-address columns; index `i` of every column describes the same address.
#[derive(Default)]
struct Columns {
    /// IPv4 address as a number, or for IPv6 the index of the address in `a6`.
    a4: Vec<u32>,
    /// 4 or 6.
    fam: Vec<u8>,
    /// IPv6 addresses, 16 bytes each.
    a6: Vec<u8>,
    /// Coordinates in 1/10,000 degrees; [`UNKNOWN`] when not placed.
    lat: Vec<i32>,
    lon: Vec<i32>,
    /// Events, failures, successes (saturated at 2³² − 1).
    ev: Vec<u32>,
    fl: Vec<u32>,
    sc: Vec<u32>,
    /// First and last seen, seconds after `t0`; [`UNKNOWN`] when not known.
    f: Vec<i32>,
    l: Vec<i32>,
    /// Country code, city, AS organisation: string-table index plus one, 0 unknown.
    cc: Vec<u32>,
    city: Vec<u32>,
    org: Vec<u32>,
    /// AS number, 0 when unknown (AS 0 is reserved and never announced).
    asn: Vec<u32>,
    /// Location accuracy: 0 unknown, 1 country, 2 city.
    acc: Vec<u8>,
    /// Kinds: address `i` has the pairs `kv[2·ko[i] .. 2·ko[i+1]]` of (string index, count),
    /// largest count first.
    ko: Vec<u32>,
    kv: Vec<u32>,
    /// Users, the same way (at most [`USERS_PER_IP`]), and how many more the record had.
    uo: Vec<u32>,
    uv: Vec<u32>,
    um: Vec<u32>,
    /// Active time slots, bits 0–31 and 32–51; 0 when the address has no time at all.
    mlo: Vec<u32>,
    mhi: Vec<u32>,
}

/// Interns strings into the page's string table.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, u32>,
}

impl Strings {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as u32;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    /// Index plus one; 0 for none.
    fn opt(&mut self, s: Option<&str>) -> u32 {
        s.filter(|s| !s.is_empty()).map_or(0, |s| self.id(s) + 1)
    }
}

fn sat(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl PageRows {
    /// Rows for a page whose addresses span `first`..`last`, with a timeline of `bucket`
    /// seconds.
    fn new(first: Option<i64>, last: Option<i64>, bucket: i64) -> PageRows {
        let slots = match (first, last) {
            (Some(f), Some(l)) => Some(slots_for(f, l.max(f), bucket)),
            _ => None,
        };
        let mut cols = Columns::default();
        cols.ko.push(0);
        cols.uo.push(0);
        PageRows {
            t0: slots.map_or(0, |s| s.start),
            slots,
            strings: Strings::default(),
            names: BTreeMap::new(),
            cols,
            ranked: false,
            exact: Vec::new(),
        }
    }

    /// Adds one address.
    pub fn push(&mut self, r: &Row<'_>) {
        let c = &mut self.cols;
        let s = &mut self.strings;
        match r.ip {
            IpAddr::V4(a) => {
                c.a4.push(u32::from(a));
                c.fam.push(4);
            }
            IpAddr::V6(a) => {
                c.a4.push((c.a6.len() / 16) as u32);
                c.a6.extend_from_slice(&a.octets());
                c.fam.push(6);
            }
        }
        let coord = |x: Option<f64>, limit: f64| {
            x.filter(|x| x.is_finite() && x.abs() <= limit)
                .map(|x| (x * 1e4).round() as i32)
        };
        let (lat, lon) = match (coord(r.lat, 90.0), coord(r.lon, 180.0)) {
            (Some(a), Some(o)) => (a, o),
            _ => (UNKNOWN, UNKNOWN),
        };
        c.lat.push(lat);
        c.lon.push(lon);
        c.ev.push(sat(r.events));
        c.fl.push(sat(r.failures));
        c.sc.push(sat(r.successes));
        let rel = |t: Option<i64>| {
            t.and_then(|t| i32::try_from(t - self.t0).ok())
                .filter(|&t| t != UNKNOWN)
                .unwrap_or(UNKNOWN)
        };
        c.f.push(rel(r.first_seen));
        c.l.push(rel(r.last_seen));
        c.cc.push(s.opt(r.country));
        if let (Some(cc), Some(name)) = (r.country, r.country_name)
            && !self.names.contains_key(cc)
        {
            self.names.insert(cc.to_string(), name.to_string());
        }
        c.city.push(s.opt(r.city));
        c.org.push(s.opt(r.as_org));
        c.asn.push(sat(r.asn));
        c.acc.push(r.accuracy);

        let mut kinds = r.kinds.clone();
        kinds.retain(|k| k.1 > 0);
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        for (k, n) in &kinds {
            c.kv.extend([s.id(k), sat(*n)]);
        }
        c.ko.push((c.kv.len() / 2) as u32);
        let mut users = r.users.clone();
        users.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let kept = users.len().min(USERS_PER_IP);
        for (u, n) in &users[..kept] {
            c.uv.extend([s.id(u), sat(*n)]);
        }
        c.uo.push((c.uv.len() / 2) as u32);
        c.um.push((users.len() - kept) as u32);

        let mask = match self.slots {
            Some(slots) => activity_mask(slots, &r.hours, r.first_seen, r.last_seen),
            None => 0,
        };
        c.mlo.push(mask as u32);
        c.mhi.push((mask >> 32) as u32);
    }

    /// Failures, events and successes of row `i`.
    fn counts(&self, i: usize) -> [u64; 3] {
        let c = &self.cols;
        let counts = [c.fl[i], c.ev[i], c.sc[i]];
        if counts.contains(&u32::MAX)
            && let Ok(k) = self.exact.binary_search_by_key(&(i as u32), |e| e.0)
        {
            return self.exact[k].1;
        }
        counts.map(u64::from)
    }

    /// The address of row `i`.
    fn ip(&self, i: usize) -> IpAddr {
        let c = &self.cols;
        if c.fam[i] == 6 {
            let at = c.a4[i] as usize * 16;
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&c.a6[at..at + 16]);
            IpAddr::from(octets)
        } else {
            IpAddr::from(c.a4[i].to_be_bytes())
        }
    }

    /// Addresses in these rows.
    pub fn len(&self) -> usize {
        self.cols.a4.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Addresses with coordinates (drawn on the map).
    pub fn located(&self) -> usize {
        self.cols.lat.iter().filter(|&&x| x != UNKNOWN).count()
    }
}

impl RecordSink for PageRows {
    fn record(&mut self, r: &IpRecord) {
        self.push(&Row::from_record(r));
        self.ranked = true;
        let counts = [r.failures, r.events, r.successes];
        if counts.iter().any(|&n| n >= u64::from(u32::MAX)) {
            self.exact.push((self.len() as u32 - 1, counts));
        }
    }
}

impl<'a> MapPage<'a> {
    /// A page for `doc` (the export document; its `ips`, if any, are not read: push them),
    /// whose addresses span `first`..`last` (widened by the summary's first and last seen).
    pub fn new(doc: &'a Value, first: Option<i64>, last: Option<i64>) -> Self {
        let span = span_of(doc);
        let (first, last) = (min_opt(span.0, first), max_opt(span.1, last));
        MapPage {
            doc,
            parts: vec![PageRows::new(first, last, bucket_of(doc))],
        }
    }

    /// Empty rows for a page of a report whose addresses span `first`..`last` (its summary's
    /// first and last seen): give one to each report shard as its [`RecordSink`], then join
    /// them with [`MapPage::with_rows`].
    pub fn rows(first: Option<i64>, last: Option<i64>) -> PageRows {
        PageRows::new(first, last, crate::aggregate::HOUR)
    }

    /// The page of `doc` (a report without its addresses) and the rows its shards built. The
    /// addresses are listed least active first (as [`MapPage::push`]ing the records of a
    /// report from its last to its first would), so the page does not depend on the number of
    /// shards.
    pub fn with_rows(doc: &'a Value, parts: Vec<PageRows>) -> Self {
        let parts = if parts.is_empty() {
            vec![PageRows::new(None, None, bucket_of(doc))]
        } else {
            parts
        };
        MapPage { doc, parts }
    }

    /// Adds one address.
    pub fn push(&mut self, r: &Row<'_>) {
        if let Some(rows) = self.parts.last_mut() {
            rows.push(r);
        }
    }

    /// Addresses on the page.
    pub fn len(&self) -> usize {
        self.parts.iter().map(PageRows::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Addresses with coordinates (drawn on the map).
    pub fn located(&self) -> usize {
        self.parts.iter().map(PageRows::located).sum()
    }

    /// The order of the rows: `(part, index)`.
    fn order(&self) -> Vec<(u32, u32)> {
        let mut order: Vec<(u32, u32)> = self
            .parts
            .iter()
            .enumerate()
            .flat_map(|(p, rows)| (0..rows.len() as u32).map(move |i| (p as u32, i)))
            .collect();
        if self.parts.iter().all(|p| p.ranked || p.is_empty()) {
            // Least active first: the reverse of the report's worst-first order (most
            // failures, events, successes first, then the lower address). The keys are
            // gathered first: sorting them in place is much faster than looking each one up
            // in the columns at every comparison.
            let mut keyed: Vec<(RowRank, (u32, u32))> = order
                .iter()
                .map(|&(p, i)| {
                    let rows = &self.parts[p as usize];
                    (
                        (rows.counts(i as usize), Reverse(rows.ip(i as usize))),
                        (p, i),
                    )
                })
                .collect();
            keyed.sort_unstable();
            order = keyed.into_iter().map(|k| k.1).collect();
        }
        order
    }

    /// Writes the page.
    pub fn write(self, out: &mut dyn Write) -> io::Result<()> {
        let doc = self.doc;
        let order = self.order();
        let parts = &self.parts;
        let (t0, slots) = (parts[0].t0, parts[0].slots);
        // One string table for the page, each string numbered where the rows (in page order)
        // first use it, as pushing them one by one would; `remap[part][local id]` is its
        // number.
        let mut strings = Strings::default();
        let mut remap: Vec<Vec<u32>> = parts
            .iter()
            .map(|p| vec![u32::MAX; p.strings.list.len()])
            .collect();
        for &(p, i) in &order {
            let (rows, map) = (&parts[p as usize], &mut remap[p as usize]);
            let c = &rows.cols;
            let i = i as usize;
            let mut intern = |id: u32| {
                if map[id as usize] == u32::MAX {
                    map[id as usize] = strings.id(&rows.strings.list[id as usize]);
                }
            };
            for opt in [c.cc[i], c.city[i], c.org[i]] {
                if opt > 0 {
                    intern(opt - 1);
                }
            }
            for pairs in [
                &c.kv[2 * c.ko[i] as usize..2 * c.ko[i + 1] as usize],
                &c.uv[2 * c.uo[i] as usize..2 * c.uo[i + 1] as usize],
            ] {
                for pair in pairs.chunks_exact(2) {
                    intern(pair[0]);
                }
            }
        }
        let mut names = BTreeMap::new();
        for rows in parts {
            for (cc, name) in &rows.names {
                names.entry(cc.clone()).or_insert_with(|| name.clone());
            }
        }

        // The columns in page order.
        let n = order.len();
        let col = |f: &dyn Fn(&Columns, usize) -> u32| -> Vec<u32> {
            order
                .iter()
                .map(|&(p, i)| f(&parts[p as usize].cols, i as usize))
                .collect()
        };
        let icol = |f: &dyn Fn(&Columns, usize) -> i32| -> Vec<i32> {
            order
                .iter()
                .map(|&(p, i)| f(&parts[p as usize].cols, i as usize))
                .collect()
        };
        let bytes = |f: &dyn Fn(&Columns, usize) -> u8| -> Vec<u8> {
            order
                .iter()
                .map(|&(p, i)| f(&parts[p as usize].cols, i as usize))
                .collect()
        };
        let string = |pick: fn(&Columns) -> &Vec<u32>| -> Vec<u32> {
            order
                .iter()
                .map(|&(p, i)| match pick(&parts[p as usize].cols)[i as usize] {
                    0 => 0,
                    id => remap[p as usize][id as usize - 1] + 1,
                })
                .collect()
        };
        // Variable-length lists: offsets, then (string id, count) pairs.
        let pairs = |offsets: fn(&Columns) -> &Vec<u32>, values: fn(&Columns) -> &Vec<u32>| {
            let mut off = Vec::with_capacity(n + 1);
            let mut vals = Vec::new();
            off.push(0u32);
            for &(p, i) in &order {
                let c = &parts[p as usize].cols;
                let (o, v) = (offsets(c), values(c));
                for pair in
                    v[2 * o[i as usize] as usize..2 * o[i as usize + 1] as usize].chunks_exact(2)
                {
                    vals.extend([remap[p as usize][pair[0] as usize], pair[1]]);
                }
                off.push((vals.len() / 2) as u32);
            }
            (off, vals)
        };
        let mut a6 = Vec::new();
        let a4: Vec<u32> = order
            .iter()
            .map(|&(p, i)| {
                let c = &parts[p as usize].cols;
                let (a, i) = (c.a4[i as usize], i as usize);
                if c.fam[i] == 6 {
                    let at = a as usize * 16;
                    a6.extend_from_slice(&c.a6[at..at + 16]);
                    (a6.len() / 16 - 1) as u32
                } else {
                    a
                }
            })
            .collect();
        let (ko, kv) = pairs(|c| &c.ko, |c| &c.kv);
        let (uo, uv) = pairs(|c| &c.uo, |c| &c.uv);

        let layout: Vec<(&'static str, &'static str, usize)> = vec![
            ("a4", "u32", n),
            ("fam", "u8", n),
            ("a6", "u8", a6.len()),
            ("lat", "i32", n),
            ("lon", "i32", n),
            ("ev", "u32", n),
            ("fl", "u32", n),
            ("sc", "u32", n),
            ("f", "i32", n),
            ("l", "i32", n),
            ("cc", "u32", n),
            ("city", "u32", n),
            ("org", "u32", n),
            ("asn", "u32", n),
            ("acc", "u8", n),
            ("ko", "u32", n + 1),
            ("kv", "u32", kv.len()),
            ("uo", "u32", n + 1),
            ("uv", "u32", uv.len()),
            ("um", "u32", n),
            ("mlo", "u32", n),
            ("mhi", "u32", n),
        ];
        let list = |key: &str, rank: &str, limit: usize| top(doc.get(key), rank, limit);
        let page = PageDoc {
            v: PAGE_VERSION,
            meta: Meta {
                generator: doc.get("generator"),
                sources: doc
                    .get("sources")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().take(TOP_LIST).collect())
                    .unwrap_or_default(),
                geo: doc.get("geo"),
                summary: doc.get("summary"),
                windows: doc.get("windows"),
                selection: doc.get("selection").filter(|s| !s.is_null()),
                timeline: doc.get("timeline").filter(|t| t.is_object()),
                // Every country: the choropleth needs them all (there are about 250).
                countries: list("countries", "events", 1000),
                asns: list("asns", "events", TOP_LIST),
                users: list("users", "attempts", TOP_LIST),
            },
            t0,
            slots,
            s: &strings.list,
            cn: &names,
            cols: Layout { n, layout },
        };
        out.write_all(assets::HEAD.as_bytes())?;
        write_script_json(&page, out)?;
        out.write_all(assets::MID.as_bytes())?;
        {
            let mut gz = GzEncoder::new(
                EncoderWriter::new(&mut *out, &STANDARD),
                Compression::new(6),
            );
            let mut at = 0usize;
            let mut put = |bytes: &[u8]| -> io::Result<()> {
                gz.write_all(bytes)?;
                at += bytes.len();
                let pad = at.next_multiple_of(8) - at;
                gz.write_all(&[0u8; 8][..pad])?;
                at += pad;
                Ok(())
            };
            let u32s = |v: &[u32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            let i32s = |v: &[i32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
            put(&u32s(&a4))?;
            drop(a4);
            put(&bytes(&|c, i| c.fam[i]))?;
            put(&a6)?;
            drop(a6);
            put(&i32s(&icol(&|c, i| c.lat[i])))?;
            put(&i32s(&icol(&|c, i| c.lon[i])))?;
            put(&u32s(&col(&|c, i| c.ev[i])))?;
            put(&u32s(&col(&|c, i| c.fl[i])))?;
            put(&u32s(&col(&|c, i| c.sc[i])))?;
            put(&i32s(&icol(&|c, i| c.f[i])))?;
            put(&i32s(&icol(&|c, i| c.l[i])))?;
            put(&u32s(&string(|c| &c.cc)))?;
            put(&u32s(&string(|c| &c.city)))?;
            put(&u32s(&string(|c| &c.org)))?;
            put(&u32s(&col(&|c, i| c.asn[i])))?;
            put(&bytes(&|c, i| c.acc[i]))?;
            put(&u32s(&ko))?;
            put(&u32s(&kv))?;
            put(&u32s(&uo))?;
            put(&u32s(&uv))?;
            put(&u32s(&col(&|c, i| c.um[i])))?;
            put(&u32s(&col(&|c, i| c.mlo[i])))?;
            put(&u32s(&col(&|c, i| c.mhi[i])))?;
            gz.finish()?.finish()?;
        }
        out.write_all(assets::TAIL.as_bytes())?;
        out.flush()
    }
}

/// The timeline's bucket in an export document (an hour when it has none).
fn bucket_of(doc: &Value) -> i64 {
    doc.get("timeline")
        .and_then(|t| t.get("bucket_seconds"))
        .and_then(Value::as_i64)
        .filter(|&b| b > 0)
        .unwrap_or(3600)
}

/// Chooses slots that cover `[first, last]` with at most [`MAX_SLOTS`] slots, each a whole
/// number of timeline buckets, starting on a bucket boundary.
fn slots_for(first: i64, last: i64, bucket: i64) -> Slots {
    let start = first.div_euclid(bucket) * bucket;
    let buckets = (last - start).div_euclid(bucket) + 1;
    let per_slot = (buckets + MAX_SLOTS as i64 - 1) / MAX_SLOTS as i64;
    let seconds = per_slot.max(1) * bucket;
    let count = ((last - start).div_euclid(seconds) + 1) as u64;
    Slots {
        start,
        seconds,
        count: count.clamp(1, MAX_SLOTS),
    }
}

/// The slots in which an address was active: from its active hours when the record has them,
/// else every slot between its first and last sighting. 0 when nothing is known.
fn activity_mask(slots: Slots, hours: &[i64], first: Option<i64>, last: Option<i64>) -> u64 {
    let mut mask = 0u64;
    for &t in hours {
        mask |= 1 << slots.of(t);
    }
    if mask != 0 {
        return mask;
    }
    match (first, last) {
        (Some(f), Some(l)) => slots.span(f, l),
        (Some(t), None) | (None, Some(t)) => 1 << slots.of(t),
        (None, None) => 0,
    }
}

/// The first `limit` rows of a list, by `rank` descending (stable for ties).
fn top<'a>(v: Option<&'a Value>, rank: &str, limit: usize) -> Vec<&'a Value> {
    let mut rows: Vec<&Value> = v
        .and_then(Value::as_array)
        .map(|a| a.iter().filter(|r| r.is_object()).collect())
        .unwrap_or_default();
    rows.sort_by_key(|r| std::cmp::Reverse(r.get(rank).and_then(Value::as_u64).unwrap_or(0)));
    rows.truncate(limit);
    rows
}

/// A time from the export: an RFC 3339 string or a number of Unix seconds.
fn time_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => parse_rfc3339(s),
        _ => None,
    }
}

/// Parses an RFC 3339 time (the exports' format) to Unix seconds; the whole string must be one.
fn parse_rfc3339(s: &str) -> Option<i64> {
    match crate::parse::timestamp::parse_rfc3339(s.as_bytes()) {
        Some((t, n)) if n == s.len() => Some(t),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Read;

    fn render(doc: &Value) -> String {
        let mut out = Vec::new();
        write_map(doc, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("the page is UTF-8")
    }

    /// The text of the element with `id`.
    fn element<'p>(page: &'p str, open: &str) -> &'p str {
        let start = page.find(open).expect("element") + open.len();
        let len = page[start..].find("</script>").expect("end of element");
        &page[start..start + len]
    }

    fn data_block(page: &str) -> &str {
        element(page, r#"<script type="application/json" id="logmap-data">"#)
    }

    /// The page's JSON document and its columns, decoded as the page decodes them: name →
    /// the column's values as numbers.
    fn decode(page: &str) -> (Value, HashMap<String, Vec<i64>>) {
        let doc: Value = serde_json::from_str(data_block(page)).expect("valid JSON");
        let text = element(page, r#"<script type="text/plain" id="logmap-columns">"#);
        let bytes = base64::Engine::decode(&STANDARD, text).expect("base64");
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut raw)
            .expect("gzip");
        let mut cols = HashMap::new();
        let mut at = 0usize;
        for c in doc["cols"]["layout"].as_array().expect("layout") {
            let (name, ty, len) = (
                c[0].as_str().unwrap(),
                c[1].as_str().unwrap(),
                c[2].as_u64().unwrap() as usize,
            );
            let size = if ty == "u8" { 1 } else { 4 };
            let chunk = &raw[at..at + size * len];
            let values: Vec<i64> = match ty {
                "u8" => chunk.iter().map(|&b| i64::from(b)).collect(),
                "u32" => chunk
                    .chunks(4)
                    .map(|b| i64::from(u32::from_le_bytes(b.try_into().unwrap())))
                    .collect(),
                _ => chunk
                    .chunks(4)
                    .map(|b| i64::from(i32::from_le_bytes(b.try_into().unwrap())))
                    .collect(),
            };
            at = (at + size * len).next_multiple_of(8);
            cols.insert(name.to_string(), values);
        }
        assert_eq!(at, raw.len(), "the columns fill the data");
        (doc, cols)
    }

    /// Rows built apart by several report shards, from records in any order, make the same
    /// page as the records pushed one by one least active first: the same string table, the
    /// same columns (IPv6 addresses, kinds and users included), ties ranked by address.
    #[test]
    fn rows_built_by_shards_make_the_page_of_the_records_in_order() {
        use std::sync::Arc;
        let t0 = 1_780_000_000i64;
        let record = |i: u32| {
            let ip: IpAddr = if i.is_multiple_of(5) {
                format!("2001:db8::{i:x}").parse().unwrap()
            } else {
                format!("81.2.{}.{}", i / 200, 1 + i % 200).parse().unwrap()
            };
            let name = |k: u32| -> Arc<str> { Arc::from(format!("user{k}").as_str()) };
            let mut kinds = [0u32; Kind::COUNT];
            kinds[(i % 4) as usize] = 1 + i % 3;
            kinds[Kind::Scan.index()] = i % 2;
            let (cc, country, city) = [
                ("NL", "Netherlands", "Amsterdam"),
                ("CN", "China", "Nanjing"),
                ("US", "United States", "Ashburn"),
            ][(i % 3) as usize];
            IpRecord {
                ip,
                // Few distinct counts: many ties, ranked by address.
                events: u64::from(i % 7),
                failures: u64::from(i % 3),
                successes: u64::from(i.is_multiple_of(11)),
                kinds,
                users: (0..i % 4)
                    .map(|k| (name(k + i % 13), u64::from(k + 1), 0))
                    .collect(),
                first_seen: Some(t0 + i64::from(i) * 600),
                last_seen: Some(t0 + i64::from(i) * 900),
                country: Some(Arc::from(cc)),
                country_name: Some(Arc::from(country)),
                city: (!i.is_multiple_of(4)).then(|| Arc::from(city)),
                region: None,
                lat: (!i.is_multiple_of(6)).then_some(52.37),
                lon: (!i.is_multiple_of(6)).then_some(4.89),
                accuracy: Some(Accuracy::City),
                asn: Some(1000 + i % 9),
                as_org: Some(Arc::from(format!("Org {}", i % 9).as_str())),
                hours: vec![[(t0 + i64::from(i) * 600).div_euclid(3600) * 3600, 1]],
            }
        };
        let mut records: Vec<IpRecord> = (0..600).map(record).collect();
        // Counts past the columns' 2³² − 1 still rank exactly (the lower address has more).
        records[20].failures = 5_000_000_001;
        records[10].failures = 5_000_000_000;
        let first = records.iter().filter_map(|r| r.first_seen).min();
        let last = records.iter().filter_map(|r| r.last_seen).max();
        let doc = json!({"timeline": {"bucket_seconds": 3600, "series": []}});

        let mut in_order: Vec<&IpRecord> = records.iter().collect();
        in_order.sort_by(|a, b| {
            (a.failures, a.events, a.successes)
                .cmp(&(b.failures, b.events, b.successes))
                .then(b.ip.cmp(&a.ip))
        });
        let mut one = MapPage::new(&doc, first, last);
        for r in &in_order {
            one.push(&Row::from_record(r));
        }
        let mut want = Vec::new();
        one.write(&mut want).unwrap();

        for shards in [1usize, 2, 3] {
            let mut parts: Vec<PageRows> =
                (0..shards).map(|_| MapPage::rows(first, last)).collect();
            // Any split and any order within a part.
            for (k, r) in records.iter().rev().enumerate() {
                parts[(k * 7) % shards].record(r);
            }
            let joined = MapPage::with_rows(&doc, parts);
            assert_eq!(joined.len(), 600);
            assert_eq!(joined.located(), 500);
            let mut got = Vec::new();
            joined.write(&mut got).unwrap();
            assert!(got == want, "{shards} shards: the page differs");
        }
        let (page, cols) = decode(&String::from_utf8(want).unwrap());
        assert_eq!(cols["fam"].iter().filter(|&&f| f == 6).count(), 120);
        assert!(page["s"].as_array().unwrap().len() > 20, "strings shared");
    }

    #[test]
    fn rfc3339_parses_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2026-11-30T11:35:01Z"), Some(1_796_038_501));
        assert_eq!(
            parse_rfc3339("2026-11-30T12:35:01.123456+01:00"),
            Some(1_796_038_501)
        );
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00-00:30"),
            Some(951_784_200)
        );
        for bad in [
            "",
            "2026-11-30",
            "2026-13-01T00:00:00Z",
            "2026-11-30T11:35",
            "2026-11-30T11:35:01Z trailing",
            "x".repeat(40).as_str(),
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hostile_strings_cannot_close_the_script_element() {
        let hostile = "</script><script>window.__pwned=1</script><!-- \u{2028}\u{2029} & >";
        let doc = json!({
            "ips": [{"ip": "192.0.2.1", "lat": 1.0, "lon": 2.0, "users": {hostile: 3},
                     "city": "</SCRIPT>", "as_org": "<!--"}],
            "sources": [{"path": "</script>"}],
        });
        let page = render(&doc);
        let data = data_block(&page);
        for needle in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
            assert!(!data.contains(needle), "{needle:?} left raw in {data}");
        }
        // The escaped text still reads back as the same strings.
        let (back, cols) = decode(&page);
        let strings: Vec<&str> = back["s"]
            .as_array()
            .expect("string table")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(strings.contains(&hostile), "{strings:?}");
        assert_eq!(strings[cols["city"][0] as usize - 1], "</SCRIPT>");
        assert_eq!(back["meta"]["sources"][0]["path"], "</script>");
        let text = element(&page, r#"<script type="text/plain" id="logmap-columns">"#);
        assert!(
            text.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
        );
    }

    #[test]
    fn columns_follow_the_records() {
        let doc = json!({
            "summary": {"first_seen": "2026-11-29T00:00:00Z", "last_seen": "2026-11-30T23:59:59Z"},
            "timeline": {"bucket_seconds": 3600},
            "ips": [
                {"ip": "203.0.113.5", "events": 7, "failures": 6, "successes": 1,
                 "kinds": {"auth_failure": 6, "auth_success": 1},
                 "users": {"root": 5, "admin": 1, "pi": 1},
                 "first_seen": "2026-11-29T00:10:00Z", "last_seen": "2026-11-29T02:00:00Z",
                 "country": "NL", "country_name": "Netherlands", "city": "Amsterdam",
                 "lat": 52.37403, "lon": 4.88969, "accuracy": "city", "asn": 64500, "as_org": "Example"},
                {"ip": "2001:db8::1", "events": 1, "lat": null, "lon": null, "country": "NL",
                 "hours": [[1_795_910_400 + 86_400 + 3600 * 5, 1]]},
                {"no_ip": true},
                {"ip": "not an address"},
            ],
        });
        let page = render(&doc);
        let (back, c) = decode(&page);
        let s: Vec<&str> = back["s"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(back["cols"]["n"], 2);
        assert_eq!(c["a4"][0], i64::from(u32::from_be_bytes([203, 0, 113, 5])));
        assert_eq!(c["fam"], [4, 6]);
        assert_eq!(c["a4"][1], 0, "the first IPv6 address");
        assert_eq!(
            c["a6"],
            "2001:db8::1"
                .parse::<std::net::Ipv6Addr>()
                .unwrap()
                .octets()
                .map(i64::from)
        );
        assert_eq!(c["lat"], [523_740, i64::from(UNKNOWN)]);
        assert_eq!(c["lon"], [48_897, i64::from(UNKNOWN)]);
        assert_eq!((c["ev"][0], c["fl"][0], c["sc"][0]), (7, 6, 1));
        assert_eq!(s[c["cc"][0] as usize - 1], "NL");
        assert_eq!(c["cc"][0], c["cc"][1], "one string-table entry per string");
        assert_eq!(back["cn"]["NL"], "Netherlands");
        assert_eq!(c["acc"], [2, 0]);
        assert_eq!(c["ko"], [0, 2, 2]);
        let users: Vec<&str> = c["uv"][..6].chunks(2).map(|p| s[p[0] as usize]).collect();
        assert_eq!(users, ["root", "admin", "pi"]);
        assert_eq!(c["uo"], [0, 3, 3]);
        // 48 hourly buckets fit in 48 slots of one hour each.
        assert_eq!(back["slots"]["seconds"], 3600);
        assert_eq!(back["slots"]["count"], 48);
        assert_eq!(c["f"][0], 600);
        assert_eq!(c["f"][1], i64::from(UNKNOWN));
        assert_eq!(c["mlo"][0], 0b111, "active from hour 0 to hour 2");
        assert_eq!(
            (c["mlo"][1], c["mhi"][1]),
            (1 << 29, 0),
            "hours list wins: day 2, 05:00"
        );
    }

    #[test]
    fn long_spans_fit_in_the_slot_limit() {
        let s = slots_for(0, 365 * 86_400, 3600);
        assert!(s.count <= MAX_SLOTS && s.count * s.seconds as u64 > 365 * 86_400);
        assert_eq!(s.seconds % 3600, 0);
        let all = s.span(0, 365 * 86_400);
        assert_eq!(all.count_ones() as u64, s.count);
        assert_eq!(s.span(10, 10), 1);
        let high = activity_mask(s, &[], Some(364 * 86_400), None);
        assert!(high >> 32 != 0, "late slots land in the high word");
    }

    #[test]
    fn empty_or_odd_documents_still_render() {
        for doc in [
            json!({}),
            json!(null),
            json!({"ips": "nope", "summary": 3, "countries": [1, "x"]}),
        ] {
            let page = render(&doc);
            assert!(page.starts_with("<!DOCTYPE html>"));
            assert!(page.trim_end().ends_with("</html>"));
            let (data, cols) = decode(&page);
            assert_eq!(data["cols"]["n"], 0);
            assert_eq!(cols["ko"], [0]);
        }
    }

    #[test]
    fn users_are_cut_to_the_popup_limit() {
        let users: serde_json::Map<String, Value> = (0..20)
            .map(|i| (format!("u{i:02}"), json!(100 - i)))
            .collect();
        let doc = json!({"ips": [{"ip": "198.51.100.7", "users": users}]});
        let (back, c) = decode(&render(&doc));
        assert_eq!(c["uv"].len(), USERS_PER_IP * 2);
        assert_eq!(c["um"][0], 20 - USERS_PER_IP as i64);
        assert_eq!(back["s"][c["uv"][0] as usize], "u00");
    }

    #[test]
    fn the_live_page_may_connect_to_its_server_only() {
        let mut out = Vec::new();
        write_live_page(&mut out).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert!(page.contains("connect-src 'self'"));
        assert!(!page.contains("connect-src 'none'"));
        assert!(data_block(&page).contains("\"live\":true"));
        assert!(live_csp().contains("connect-src 'self'"));
    }
}
