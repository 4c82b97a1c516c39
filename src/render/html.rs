//! The self-contained HTML map.
//!
//! [`write_map`] turns the export document (design.md §5, plus `windows`, `timeline`, `users`
//! and the per-address `hours`) into one HTML file: Leaflet and its plugins, the world basemap,
//! our script and styles are embedded at build time by `build.rs` (see `web/README.md`); the
//! data goes into a `<script type="application/json">` element.
//!
//! The page does not receive the export document as it is: at 100,000 addresses that would
//! weigh 50 MB and more. It receives a compact *page document* instead:
//!
//! - the small parts of the export (summary, sources, geo, windows, timeline, top lists)
//!   passed through, the long lists cut to [`TOP_LIST`] rows;
//! - the addresses as columns (one array per field) rather than objects, with every repeated
//!   string (country, city, organisation, kind, user name) stored once in a string table;
//! - times relative to the start of the data, in seconds;
//! - per address, the time slots in which it was active, as a bit mask over at most
//!   [`MAX_SLOTS`] slots that cover the data's time span; the page filters by time with it.
//!
//! Everything that came from a log is attacker-controlled. The page never puts data into
//! HTML as markup (it builds DOM nodes and sets `textContent`), and the JSON written here
//! cannot end its `<script>` element: `<`, `>`, `&`, U+2028 and U+2029 are written as
//! `\uXXXX` escapes, which JSON.parse reads back as the same characters.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

mod assets {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// Rows kept in the ASN and user top lists of the page document.
pub const TOP_LIST: usize = 100;
/// User names kept per address for its popup (the export keeps up to 20).
pub const USERS_PER_IP: usize = 10;
/// The most time slots the page's time filter has; a mask of this many bits is exact in a
/// JavaScript number (53-bit mantissa).
pub const MAX_SLOTS: u64 = 52;

/// The Content-Security-Policy for pages served by `logmap serve`: the page's own (its inline
/// script and style by hash, images from `data:` and the tile servers) and connections to the
/// server that sent it, nothing else.
pub fn live_csp() -> String {
    assets::CSP.replace("connect-src 'none'", "connect-src 'self'")
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
    let span = span_of(
        doc,
        ips.iter()
            .map(|r| (r.get("first_seen"), r.get("last_seen"))),
    );
    write_page(PageDoc::build(doc, span, &mut ips.iter().cloned()), out)
}

/// Writes the HTML map for `doc` (the export document without its `ips`) and its address
/// records, given one at a time: only one record is held as a JSON tree at once, so a map of
/// many addresses costs the page's columns, not a tree of the whole export. `first`/`last`
/// are the data's time span.
pub fn write_map_records(
    doc: &Value,
    first: Option<i64>,
    last: Option<i64>,
    records: &mut dyn Iterator<Item = Value>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let span = span_of(doc, std::iter::empty());
    let span = (min_opt(span.0, first), max_opt(span.1, last));
    write_page(PageDoc::build(doc, span, records), out)
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

/// The data's time span: the summary's, widened by the addresses' own first/last seen.
fn span_of<'v>(
    doc: &Value,
    records: impl Iterator<Item = (Option<&'v Value>, Option<&'v Value>)>,
) -> (Option<i64>, Option<i64>) {
    let summary = doc.get("summary");
    let seen = |key: &str| summary.and_then(|s| s.get(key)).and_then(time_of);
    let (mut first, mut last) = (seen("first_seen"), seen("last_seen"));
    for (f, l) in records {
        first = min_opt(first, f.and_then(time_of));
        last = max_opt(last, l.and_then(time_of));
    }
    (first, last)
}

fn write_page(page: PageDoc, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(assets::HEAD.as_bytes())?;
    write_script_json(&page, out)?;
    out.write_all(assets::TAIL.as_bytes())?;
    out.flush()
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

/// The document embedded in the page. Field names are short on purpose: the columns repeat
/// them once, but the page document is read by `web/src/map.js` only.
#[derive(Serialize)]
struct PageDoc<'a> {
    /// Version of this layout; `map.js` checks it.
    v: u32,
    meta: Meta<'a>,
    /// Unix seconds that all per-address times are relative to.
    t0: i64,
    slots: Option<Slots>,
    /// The string table: the columns `cc`, `cn`, `city`, `org`, `k`, `u` index it.
    s: Vec<String>,
    ips: Columns,
}

/// The parts of the export passed to the page as they are (cut to length).
#[derive(Serialize)]
struct Meta<'a> {
    generator: Option<&'a Value>,
    sources: Vec<&'a Value>,
    geo: Option<&'a Value>,
    summary: Option<&'a Value>,
    windows: Option<&'a Value>,
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

/// Per-address columns; index `i` of every column describes the same address.
#[derive(Serialize, Default)]
struct Columns {
    ip: Vec<String>,
    lat: Vec<Option<f64>>,
    lon: Vec<Option<f64>>,
    /// Events, failures, successes.
    ev: Vec<u64>,
    fl: Vec<u64>,
    sc: Vec<u64>,
    /// First and last seen, seconds after `t0`; null when unknown.
    f: Vec<Option<i64>>,
    l: Vec<Option<i64>>,
    /// Country code, country name, city, AS organisation: string-table indices, -1 unknown.
    cc: Vec<i64>,
    cn: Vec<i64>,
    city: Vec<i64>,
    org: Vec<i64>,
    /// AS number, 0 when unknown (AS 0 is reserved and never announced).
    asn: Vec<u64>,
    /// Location accuracy: 0 unknown, 1 country, 2 city.
    acc: Vec<u8>,
    /// Kinds and users as flat `[string index, count, …]` pairs, largest count first.
    k: Vec<Vec<u64>>,
    u: Vec<Vec<u64>>,
    /// Users the export listed for the address beyond those kept in `u`.
    um: Vec<u64>,
    /// Active time slots (bit `i` = slot `i`); 0 when the address has no time at all.
    m: Vec<u64>,
}

/// Interns strings into the page's string table.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.list.len() as i64;
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }

    fn opt(&mut self, v: Option<&Value>) -> i64 {
        match v.and_then(Value::as_str) {
            Some(s) if !s.is_empty() => self.id(s),
            _ => -1,
        }
    }
}

impl<'a> PageDoc<'a> {
    fn build(
        doc: &'a Value,
        (first, last): (Option<i64>, Option<i64>),
        records: &mut dyn Iterator<Item = Value>,
    ) -> Self {
        let summary = doc.get("summary");
        let timeline = doc.get("timeline").filter(|t| t.is_object());
        let bucket = timeline
            .and_then(|t| t.get("bucket_seconds"))
            .and_then(Value::as_i64)
            .filter(|&b| b > 0)
            .unwrap_or(3600);
        let slots = match (first, last) {
            (Some(f), Some(l)) => Some(slots_for(f, l.max(f), bucket)),
            _ => None,
        };
        let t0 = slots.map_or(0, |s| s.start);

        let mut strings = Strings::default();
        let mut cols = Columns::default();
        for rec in records {
            let rec = &rec;
            let Some(ip) = rec.get("ip").and_then(Value::as_str) else {
                continue;
            };
            let num = |key: &str| rec.get(key).and_then(Value::as_u64).unwrap_or(0);
            let coord = |key: &str, limit: f64| {
                rec.get(key)
                    .and_then(Value::as_f64)
                    .filter(|x| x.is_finite() && x.abs() <= limit)
                    .map(|x| (x * 1e4).round() / 1e4)
            };
            let (lat, lon) = match (coord("lat", 90.0), coord("lon", 180.0)) {
                (Some(a), Some(o)) => (Some(a), Some(o)),
                _ => (None, None),
            };
            let f = rec.get("first_seen").and_then(time_of);
            let l = rec.get("last_seen").and_then(time_of);
            cols.ip.push(ip.to_string());
            cols.lat.push(lat);
            cols.lon.push(lon);
            cols.ev.push(num("events"));
            cols.fl.push(num("failures"));
            cols.sc.push(num("successes"));
            cols.f.push(f.map(|t| t - t0));
            cols.l.push(l.map(|t| t - t0));
            cols.cc.push(strings.opt(rec.get("country")));
            cols.cn.push(strings.opt(rec.get("country_name")));
            cols.city.push(strings.opt(rec.get("city")));
            cols.org.push(strings.opt(rec.get("as_org")));
            cols.asn.push(num("asn"));
            cols.acc
                .push(match rec.get("accuracy").and_then(Value::as_str) {
                    Some("city") => 2,
                    Some("country") => 1,
                    _ => 0,
                });
            let kinds = counts(rec.get("kinds"), usize::MAX);
            cols.k.push(flatten(&kinds, &mut strings));
            let users = counts(rec.get("users"), usize::MAX);
            let kept = users.len().min(USERS_PER_IP);
            cols.u.push(flatten(&users[..kept], &mut strings));
            cols.um.push((users.len() - kept) as u64);
            cols.m.push(match slots {
                Some(s) => activity_mask(s, rec.get("hours"), f, l),
                None => 0,
            });
        }

        let list = |key: &str, rank: &str, limit: usize| top(doc.get(key), rank, limit);
        PageDoc {
            v: 1,
            meta: Meta {
                generator: doc.get("generator"),
                sources: doc
                    .get("sources")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().take(TOP_LIST).collect())
                    .unwrap_or_default(),
                geo: doc.get("geo"),
                summary,
                windows: doc.get("windows"),
                timeline,
                // Every country: the choropleth needs them all (there are about 250).
                countries: list("countries", "events", 1000),
                asns: list("asns", "events", TOP_LIST),
                users: list("users", "attempts", TOP_LIST),
            },
            t0,
            slots,
            s: strings.list,
            ips: cols,
        }
    }
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

/// The slots in which an address was active: from its `hours` list (`[[unix_hour, events],
/// …]` or plain `[unix_hour, …]`) when the export has one, else every slot between its first
/// and last sighting. 0 when nothing is known.
fn activity_mask(
    slots: Slots,
    hours: Option<&Value>,
    first: Option<i64>,
    last: Option<i64>,
) -> u64 {
    if let Some(list) = hours.and_then(Value::as_array) {
        let mut mask = 0u64;
        for h in list {
            let t = match h {
                Value::Array(pair) => pair.first().and_then(Value::as_i64),
                other => other.as_i64(),
            };
            if let Some(t) = t {
                mask |= 1 << slots.of(t);
            }
        }
        if mask != 0 {
            return mask;
        }
    }
    match (first, last) {
        (Some(f), Some(l)) => slots.span(f, l),
        (Some(t), None) | (None, Some(t)) => 1 << slots.of(t),
        (None, None) => 0,
    }
}

/// A `{name: count}` object as pairs, largest count first (ties by name, for stable output).
fn counts(v: Option<&Value>, limit: usize) -> Vec<(&str, u64)> {
    let mut pairs: Vec<(&str, u64)> = v
        .and_then(Value::as_object)
        .map(|o| {
            o.iter()
                .filter_map(|(k, n)| Some((k.as_str(), n.as_u64()?)))
                .collect()
        })
        .unwrap_or_default();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    pairs.truncate(limit);
    pairs
}

fn flatten(pairs: &[(&str, u64)], strings: &mut Strings) -> Vec<u64> {
    let mut flat = Vec::with_capacity(pairs.len() * 2);
    for &(name, n) in pairs {
        flat.push(strings.id(name) as u64);
        flat.push(n);
    }
    flat
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

    fn build_of(doc: &Value) -> PageDoc<'_> {
        let ips: Vec<Value> = doc
            .get("ips")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let span = span_of(
            doc,
            ips.iter()
                .map(|r| (r.get("first_seen"), r.get("last_seen"))),
        );
        PageDoc::build(doc, span, &mut ips.into_iter())
    }

    fn render(doc: &Value) -> String {
        let mut out = Vec::new();
        write_map(doc, &mut out).expect("writing to a Vec");
        String::from_utf8(out).expect("the page is UTF-8")
    }

    /// The text of the embedded data element.
    fn data_block(page: &str) -> &str {
        let open = r#"<script type="application/json" id="logmap-data">"#;
        let start = page.find(open).expect("data element") + open.len();
        let len = page[start..]
            .find("</script>")
            .expect("end of data element");
        &page[start..start + len]
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
        let back: Value = serde_json::from_str(data).expect("valid JSON");
        let strings: Vec<&str> = back["s"]
            .as_array()
            .expect("string table")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(strings.contains(&hostile), "{strings:?}");
        assert!(strings.contains(&"</SCRIPT>"));
        assert_eq!(back["meta"]["sources"][0]["path"], "</script>");
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
            ],
        });
        let page = build_of(&doc);
        let c = &page.ips;
        assert_eq!(c.ip, ["203.0.113.5", "2001:db8::1"]);
        assert_eq!(c.lat, [Some(52.374), None]);
        assert_eq!(c.lon, [Some(4.8897), None]);
        assert_eq!((c.ev[0], c.fl[0], c.sc[0]), (7, 6, 1));
        assert_eq!(page.s[c.cc[0] as usize], "NL");
        assert_eq!(
            c.cc[0], c.cc[1],
            "one string-table entry per distinct string"
        );
        assert_eq!(c.acc, [2, 0]);
        let users: Vec<&str> = c.u[0]
            .chunks(2)
            .map(|p| page.s[p[0] as usize].as_str())
            .collect();
        assert_eq!(users, ["root", "admin", "pi"]);
        // 48 hourly buckets fit in 48 slots of one hour each.
        let slots = page.slots.expect("slots");
        assert_eq!((slots.seconds, slots.count), (3600, 48));
        assert_eq!(c.f[0], Some(600));
        assert_eq!(c.m[0], 0b111, "active from hour 0 to hour 2");
        assert_eq!(c.m[1], 1 << 29, "hours list wins: day 2, 05:00");
    }

    #[test]
    fn long_spans_fit_in_the_slot_limit() {
        let s = slots_for(0, 365 * 86_400, 3600);
        assert!(s.count <= MAX_SLOTS && s.count * s.seconds as u64 > 365 * 86_400);
        assert_eq!(s.seconds % 3600, 0);
        let all = s.span(0, 365 * 86_400);
        assert_eq!(all.count_ones() as u64, s.count);
        assert_eq!(s.span(10, 10), 1);
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
            let data: Value = serde_json::from_str(data_block(&page)).expect("valid JSON");
            assert_eq!(data["ips"]["ip"], json!([]));
        }
    }

    #[test]
    fn users_are_cut_to_the_popup_limit() {
        let users: serde_json::Map<String, Value> = (0..20)
            .map(|i| (format!("u{i:02}"), json!(100 - i)))
            .collect();
        let doc = json!({"ips": [{"ip": "198.51.100.7", "users": users}]});
        let page = build_of(&doc);
        assert_eq!(page.ips.u[0].len(), USERS_PER_IP * 2);
        assert_eq!(page.ips.um[0], 20 - USERS_PER_IP as u64);
        assert_eq!(page.s[page.ips.u[0][0] as usize], "u00");
    }
}
