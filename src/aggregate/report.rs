//! The aggregated result, shaped like the export schema (design §5), plus what the map needs
//! (users, windows, timeline).

use std::collections::{BinaryHeap, HashMap};

use foldhash::fast::RandomState;
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{Aggregator, HOUR, IpStats};
use crate::enrich::{ATTRIBUTION, Accuracy, Locate, Location, countries};
use crate::parse::timestamp::format_rfc3339;
use crate::parse::{Kind, Timestamp};
use crate::pipeline::SourceReport;
use crate::pipeline::panic_message;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub generator: String,
    pub sources: Vec<SourceReport>,
    pub geo: GeoInfo,
    pub summary: Summary,
    pub ips: Vec<IpRecord>,
    pub countries: Vec<CountryRecord>,
    pub asns: Vec<AsnRecord>,
    pub users: Vec<UserRecord>,
    /// Destination ports (firewalls, honeypots), most events first.
    pub ports: Vec<PortRecord>,
    /// Web requests per status code, by code.
    pub statuses: Vec<StatusRecord>,
    /// Most requested paths (web), most first; see [`super::topk`] for what `error` means.
    pub paths: Vec<PathRecord>,
    /// Most frequent user agents (web), most first.
    pub user_agents: Vec<UserAgentRecord>,
    pub windows: Vec<Window>,
    pub timeline: Timeline,
    /// What the history says about its runs, when the report was read from one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// The address selection applied (`--country` …), if any: the totals and lists count the
    /// selected addresses; the timeline and the windows' event counts count every event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<super::Select>,
}

/// What a history (`logmap ingest`) says about its own runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct History {
    /// `ingest` runs.
    pub ingests: u64,
    /// When the last one finished.
    #[serde(serialize_with = "ser_ts")]
    pub last_ingest: Option<Timestamp>,
    /// When the run before it finished (none after the first run).
    #[serde(serialize_with = "ser_ts")]
    pub previous_ingest: Option<Timestamp>,
    /// Addresses first stored by the last run: new since `previous_ingest` (private ones only
    /// with `--include-private`).
    pub new_addresses: u64,
    /// The oldest raw event still kept (older ones were pruned; their counts remain).
    #[serde(serialize_with = "ser_ts")]
    pub oldest_event: Option<Timestamp>,
    /// Raw events kept.
    pub events: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct GeoInfo {
    pub databases: Vec<String>,
    pub attribution: &'static str,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub lines: u64,
    pub events: u64,
    pub unique_ips: u64,
    pub countries: u64,
    pub failures: u64,
    pub successes: u64,
    #[serde(serialize_with = "ser_ts")]
    pub first_seen: Option<Timestamp>,
    #[serde(serialize_with = "ser_ts")]
    pub last_seen: Option<Timestamp>,
    pub private_ips: u64,
    pub unparsed: u64,
    /// Log lines with an event left out by `--since`/`--until` (a `message repeated N times`
    /// line once: it is one line, though it counts N in `events`).
    pub filtered_out: u64,
    /// Events per kind (only kinds that occurred), e.g. `{"blocked": 9, "allowed": 1}`.
    #[serde(serialize_with = "ser_kind_totals")]
    pub kinds: [u64; Kind::COUNT],
}

impl Summary {
    /// Events of `kind`.
    pub fn kind(&self, kind: Kind) -> u64 {
        self.kinds[kind.index()]
    }

    /// Whether there are SSH events (logins, attempts, probes): the SSH columns are shown
    /// only then.
    pub fn has_ssh(&self) -> bool {
        self.failures > 0
            || self.successes > 0
            || [
                Kind::AuthFailure,
                Kind::InvalidUser,
                Kind::PolicyReject,
                Kind::TooManyFailures,
                Kind::AuthSuccess,
                Kind::PreauthDisconnect,
                Kind::Scan,
            ]
            .iter()
            .any(|&k| self.kind(k) > 0)
    }

    /// Whether there are firewall events.
    pub fn has_firewall(&self) -> bool {
        self.kind(Kind::Blocked) + self.kind(Kind::Allowed) > 0
    }

    /// Whether there are web requests.
    pub fn has_web(&self) -> bool {
        self.kind(Kind::Request) > 0
    }
}

/// Events towards one destination port and protocol.
#[derive(Clone, Debug, Serialize)]
pub struct PortRecord {
    /// `null` for protocols without ports (ICMP).
    pub port: Option<u16>,
    /// As the log names it (`TCP`, `UDP`, `ICMP`, …); `null` when it did not say.
    pub proto: Option<String>,
    pub events: u64,
    pub blocked: u64,
    pub allowed: u64,
}

/// Web requests with one status code.
#[derive(Clone, Debug, Serialize)]
pub struct StatusRecord {
    /// `null` for requests logged without a status.
    pub status: Option<u16>,
    /// `1xx` … `5xx`, or `other`.
    pub class: &'static str,
    pub events: u64,
}

/// The class of a status code: `2xx`, …, or `other`.
pub fn status_class(status: Option<u16>) -> &'static str {
    match status {
        Some(100..=199) => "1xx",
        Some(200..=299) => "2xx",
        Some(300..=399) => "3xx",
        Some(400..=499) => "4xx",
        Some(500..=599) => "5xx",
        _ => "other",
    }
}

/// Requests for one path. `events` may exceed the true count by at most `error` (0: exact).
#[derive(Clone, Debug, Serialize)]
pub struct PathRecord {
    pub path: String,
    pub events: u64,
    pub error: u64,
}

/// Requests with one user agent. `events` may exceed the true count by at most `error`.
#[derive(Clone, Debug, Serialize)]
pub struct UserAgentRecord {
    pub user_agent: String,
    pub events: u64,
    pub error: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct IpRecord {
    pub ip: IpAddr,
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
    #[serde(serialize_with = "ser_kinds")]
    pub kinds: [u32; Kind::COUNT],
    /// Per user name: login attempts (failed + successful) and successful logins, most tried
    /// first. Exported as `{"name": attempts}`.
    #[serde(serialize_with = "ser_users")]
    pub users: Vec<(Arc<str>, u64, u64)>,
    #[serde(serialize_with = "ser_ts")]
    pub first_seen: Option<Timestamp>,
    #[serde(serialize_with = "ser_ts")]
    pub last_seen: Option<Timestamp>,
    pub country: Option<Arc<str>>,
    pub country_name: Option<Arc<str>>,
    pub city: Option<Arc<str>>,
    pub region: Option<Arc<str>>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy: Option<Accuracy>,
    pub asn: Option<u32>,
    pub as_org: Option<Arc<str>>,
    /// `[hour start, events]` of each active hour; only for the map (empty, and left out of
    /// the JSON, otherwise).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<[i64; 2]>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CountryRecord {
    pub country: Option<Arc<str>>,
    /// ISO 3166-1 numeric code, zero-padded (the `id` of Natural Earth / world-atlas shapes).
    pub numeric: Option<&'static str>,
    pub country_name: Option<Arc<str>>,
    pub ips: u64,
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AsnRecord {
    pub asn: Option<u32>,
    pub as_org: Option<Arc<str>>,
    pub ips: u64,
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct UserRecord {
    pub user: String,
    /// Login attempts with this name (failed + successful).
    pub attempts: u64,
    pub successes: u64,
    /// Distinct addresses that tried it.
    pub ips: u64,
}

/// A window being counted.
struct WindowCount {
    label: &'static str,
    seconds: Timestamp,
    /// Start of the window (None without timestamps).
    from: Option<Timestamp>,
    ips: u64,
    countries: std::collections::HashSet<Arc<str>, RandomState>,
}

/// Activity in the last `seconds` of the data (before `summary.last_seen`).
#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub label: &'static str,
    pub seconds: Timestamp,
    pub ips: u64,
    pub countries: u64,
    pub events: u64,
    pub failures: u64,
}

/// Events per hour, for charts and the map's time filter. Only non-empty hours are listed.
#[derive(Clone, Debug, Serialize)]
pub struct Timeline {
    pub bucket_seconds: Timestamp,
    /// `[hour start (Unix seconds), events, failures, successes]`.
    pub series: Vec<[i64; 4]>,
}

/// A time as RFC 3339 (UTC), or `null`.
pub fn ser_ts<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(t) => match crate::parse::timestamp::rfc3339_bytes(*t) {
            // ASCII digits and separators only.
            Some(b) => s.serialize_str(std::str::from_utf8(&b).unwrap_or_default()),
            None => s.serialize_str(&format_rfc3339(*t)),
        },
        None => s.serialize_none(),
    }
}

fn ser_kinds<S: Serializer>(kinds: &[u32; Kind::COUNT], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    for k in Kind::ALL {
        let n = kinds[k.index()];
        if n > 0 {
            m.serialize_entry(k.as_str(), &n)?;
        }
    }
    m.end()
}

fn ser_kind_totals<S: Serializer>(kinds: &[u64; Kind::COUNT], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(None)?;
    for k in Kind::ALL {
        let n = kinds[k.index()];
        if n > 0 {
            m.serialize_entry(k.as_str(), &n)?;
        }
    }
    m.end()
}

fn ser_users<S: Serializer>(users: &[(Arc<str>, u64, u64)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(users.len()))?;
    for (name, attempts, _) in users {
        m.serialize_entry(name, attempts)?;
    }
    m.end()
}

const WINDOWS: [(&str, Timestamp); 3] = [("1h", 3600), ("24h", 86400), ("7d", 7 * 86400)];

/// Which address records a report keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every address (exports, the map).
    All,
    /// The `n` addresses with most failures (then events), followed by every other address
    /// with a successful login: `summary`. Totals, countries, networks, users and windows still
    /// count every address, but the records are folded in one at a time and only those kept,
    /// which saves the memory of the rest.
    Top(usize),
}

/// Receives the whole record of every address while a report is built, so that a command
/// writing one line or row per address (the map) need not hold them all: one sink per shard,
/// called on the shard's thread, in no particular order.
pub trait RecordSink: Send {
    fn record(&mut self, r: &IpRecord);
}

/// The sink of a report built without one.
pub(super) struct NoSink;

impl RecordSink for NoSink {
    fn record(&mut self, _: &IpRecord) {}
}

/// Keep the first `n` records (sorted worst first) and, after them, every record with a
/// successful login: what `summary` shows and `summary --json` writes.
pub fn retain_top(ips: &mut Vec<IpRecord>, n: usize) {
    let mut rank = 0;
    ips.retain(|r| {
        rank += 1;
        rank <= n || r.successes > 0
    });
}

/// What address records are sorted by: most failures, then events, then successes first.
type RankKey = (u64, u64, u64, IpAddr);

fn worst_first(a: &RankKey, b: &RankKey) -> std::cmp::Ordering {
    (b.0, b.1, b.2).cmp(&(a.0, a.1, a.2)).then(a.3.cmp(&b.3))
}

/// Sort records worst first, each record's key computed once (a record is a few hundred
/// bytes: moving keys is cheaper than comparing and moving records).
fn sort_worst_first(records: &mut [IpRecord]) {
    records.sort_by_cached_key(|r| Ranked(r.rank(), ()));
}

/// Lists each sorted worst first, merged into one (the same order as sorting them together:
/// the address makes every key distinct).
fn merge_worst_first(lists: Vec<Vec<IpRecord>>) -> Vec<IpRecord> {
    let mut out = Vec::with_capacity(lists.iter().map(Vec::len).sum());
    let mut heads: Vec<_> = lists
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.into_iter().peekable())
        .collect();
    loop {
        let next = heads
            .iter_mut()
            .enumerate()
            .filter_map(|(i, h)| h.peek().map(|r| (i, r.rank())))
            .min_by(|a, b| worst_first(&a.1, &b.1));
        match next.and_then(|(i, _)| heads[i].next()) {
            Some(r) => out.push(r),
            None => return out,
        }
    }
}

impl IpRecord {
    fn rank(&self) -> RankKey {
        (self.failures, self.events, self.successes, self.ip)
    }

    fn geo_key(&self) -> GeoKey {
        GeoKey {
            country: self.country.clone(),
            country_name: self.country_name.clone(),
            asn: self.asn,
            as_org: self.as_org.clone(),
        }
    }
}

/// The counters of an address that the totals need, without its record.
struct Lite {
    rank: RankKey,
    last_seen: Option<Timestamp>,
    first_seen: Option<Timestamp>,
}

/// A per-address table and the translation of its user ids into the report's.
type Table<'a> = (&'a [(IpAddr, IpStats)], &'a [u32]);

/// One shard of the address tables for [`Keep::Top`].
struct ShardCtx<'a> {
    /// The tables (the aggregator's own first) with the translation of their user ids.
    tables: &'a [Table<'a>],
    shard: usize,
    shards: usize,
    names: &'a [Arc<str>],
    geo: &'a dyn Locate,
    last_seen: Option<Timestamp>,
}

/// Most tables a shard merges address by address (more are merged up front).
const MAX_TABLES: usize = 8;

impl ShardCtx<'_> {
    /// Shards split addresses by their last byte: free to compute, and even in practice.
    fn mine(&self, ip: &IpAddr) -> bool {
        let last = match ip {
            IpAddr::V4(a) => a.octets()[3],
            IpAddr::V6(a) => a.octets()[15],
        };
        self.shards == 1 || usize::from(last) % self.shards == self.shard
    }

    /// Call `f` for each address of this shard with its entries in the tables (and their
    /// user-id translations).
    fn each_address(&self, mut f: impl FnMut(IpAddr, &[(&IpStats, &[u32])])) {
        if self.tables.len() == 1 {
            let (table, ids) = self.tables[0];
            for (ip, s) in table {
                if self.mine(ip) {
                    f(*ip, &[(s, ids)]);
                }
            }
        } else {
            // Every entry of this shard's addresses in every table, sorted by address (then
            // table): an address's entries are next to each other. Sorting costs less memory
            // than an index of the addresses (a hash table, the list of addresses and where
            // each is in each table: about twice as much at a million addresses), and IPv4
            // entries (12 bytes: address, table, position) apart from IPv6 ones less again.
            let mut v4: Vec<(u32, u32, u32)> = Vec::new();
            let mut v6: Vec<([u8; 16], u32, u32)> = Vec::new();
            for (t, (table, _)) in self.tables.iter().enumerate() {
                for (i, (ip, _)) in table.iter().enumerate() {
                    if self.mine(ip) {
                        match ip {
                            IpAddr::V4(a) => v4.push((u32::from(*a), t as u32, i as u32)),
                            IpAddr::V6(a) => v6.push((a.octets(), t as u32, i as u32)),
                        }
                    }
                }
            }
            v4.sort_unstable();
            v6.sort_unstable();
            let mut found: Vec<(&IpStats, &[u32])> = Vec::with_capacity(self.tables.len());
            let mut visit = |ip: IpAddr, at: &mut dyn Iterator<Item = (u32, u32)>| {
                found.clear();
                for (t, i) in at {
                    let (table, ids) = self.tables[t as usize];
                    found.push((&table[i as usize].1, ids));
                }
                f(ip, &found);
            };
            // IPv4 addresses before IPv6 ones, as `IpAddr` orders them.
            for group in v4.chunk_by(|a, b| a.0 == b.0) {
                let ip = IpAddr::from(group[0].0.to_be_bytes());
                visit(ip, &mut group.iter().map(|e| (e.1, e.2)));
            }
            drop(v4);
            for group in v6.chunk_by(|a, b| a.0 == b.0) {
                visit(
                    IpAddr::from(group[0].0),
                    &mut group.iter().map(|e| (e.1, e.2)),
                );
            }
        }
    }

    /// The totals of this shard's addresses, their number, and their whole records (sorted
    /// worst first), built on every core: each record goes to `sink` as it is built, and the
    /// shard keeps what `keep` asks for (all of them for an export; with [`Keep::Top`], the top
    /// `n` and every address with a successful login, as [`retain_top`] then cuts them).
    fn fold_each<S: RecordSink>(&self, keep: Keep, sink: &mut S) -> (Fold, Vec<IpRecord>, u64) {
        let mut fold = Fold::new(self.last_seen, self.names.len());
        let mut strings = Interner::default();
        let mut records = Vec::new();
        let mut top: BinaryHeap<Ranked<IpRecord>> = BinaryHeap::new();
        let mut count = 0u64;
        self.each_address(|ip, found| {
            count += 1;
            let mut merged = IpStats::default();
            for (st, map) in found {
                merged.absorb(st, map);
            }
            fold.add_users(&merged);
            let r = record(ip, merged, self.names, self.geo.locate(ip), &mut strings);
            fold.add(&r.geo_key(), &r);
            sink.record(&r);
            match keep {
                // A successful login is kept whatever its rank; the others compete for the top.
                Keep::Top(_) if r.successes > 0 => records.push(r),
                Keep::Top(n) => {
                    let rank = r.rank();
                    if top.len() < n
                        || top
                            .peek()
                            .is_some_and(|worst| worst_first(&rank, &worst.0).is_lt())
                    {
                        top.push(Ranked(rank, r));
                        if top.len() > n {
                            top.pop();
                        }
                    }
                }
                Keep::All => records.push(r),
            }
        });
        records.extend(top.into_iter().map(|Ranked(_, r)| r));
        sort_worst_first(&mut records);
        (fold, records, count)
    }

    /// The totals of this shard's addresses, their number, and the merged counters of its top
    /// `n` (their records are built once the tables are freed: the full look-ups unpack city
    /// blocks, which then do not add to the tables' memory).
    fn fold_top(&self, n: usize) -> (Fold, Vec<(IpAddr, IpStats)>, u64) {
        let mut st = ShardState {
            fold: Fold::new(self.last_seen, self.names.len()),
            strings: Interner::default(),
            top: BinaryHeap::new(),
            winners: Vec::new(),
            count: 0,
            ids: Vec::new(),
        };
        self.each_address(|ip, found| st.visit(self, n, ip, found));
        let ShardState {
            fold,
            top,
            winners,
            count,
            ..
        } = st;
        let mut kept: Vec<Ranked<IpStats>> = top.into_vec();
        for w in winners {
            if !kept.iter().any(|k| k.0.3 == w.0.3) {
                kept.push(w);
            }
        }
        let kept = kept
            .into_iter()
            .map(|Ranked((_, _, _, ip), s)| (ip, s))
            .collect();
        (fold, kept, count)
    }
}

/// What one shard accumulates.
struct ShardState {
    fold: Fold,
    strings: Interner,
    top: BinaryHeap<Ranked<IpStats>>,
    /// Addresses with a successful login that are not in `top`: always kept (the loudest
    /// thing in the report), whatever their rank.
    winners: Vec<Ranked<IpStats>>,
    count: u64,
    /// Scratch: the user ids of one address.
    ids: Vec<u32>,
}

impl ShardState {
    /// Count one address, whose counters are spread over `found` (its entries in the tables,
    /// with their user-id translations), without merging them unless it makes the top `n`.
    fn visit(&mut self, ctx: &ShardCtx, n: usize, ip: IpAddr, found: &[(&IpStats, &[u32])]) {
        self.count += 1;
        let mut lite = Lite {
            rank: (0, 0, 0, ip),
            first_seen: None,
            last_seen: None,
        };
        self.ids.clear();
        for (st, map) in found {
            lite.rank.0 += st.failures;
            lite.rank.1 += st.events;
            lite.rank.2 += st.successes;
            if let Some((f, l)) = st.seen() {
                lite.first_seen = Some(lite.first_seen.map_or(f, |x| x.min(f)));
                lite.last_seen = Some(lite.last_seen.map_or(l, |x| x.max(l)));
            }
            for u in &st.users {
                let id = map[u.id as usize];
                let t = &mut self.fold.users[id as usize];
                t.attempts += u64::from(u.attempts);
                t.successes += u64::from(u.successes);
                self.ids.push(id);
            }
        }
        // A name tried from this address counts it once, whichever tables it is in.
        if found.len() > 1 {
            self.ids.sort_unstable();
            self.ids.dedup();
        }
        for &id in &self.ids {
            self.fold.users[id as usize].ips += 1;
        }
        let key = geo_key(ctx.geo, ip, &mut self.strings);
        self.fold.add(&key, &lite);
        let enters = self.top.len() < n
            || self
                .top
                .peek()
                .is_some_and(|worst| worst_first(&lite.rank, &worst.0).is_lt());
        let winner = lite.rank.2 > 0;
        if enters || winner {
            let mut merged = IpStats::default();
            for (st, map) in found {
                merged.absorb(st, map);
            }
            if winner {
                self.winners.push(Ranked(lite.rank, merged.clone()));
            }
            if enters {
                self.top.push(Ranked(lite.rank, merged));
                if self.top.len() > n {
                    self.top.pop();
                }
            }
        }
    }
}

/// Country and network of `ip` for the totals: from the tables' own strings when the data
/// allows (no allocation), else from a full look-up.
fn geo_key(geo: &dyn Locate, ip: IpAddr, strings: &mut Interner) -> GeoKey {
    match geo.quick(ip) {
        Some(q) => GeoKey {
            country: q.country.map(|c| strings.get_static(c)),
            country_name: q
                .country
                .and_then(countries::country)
                .map(|c| strings.get_static(&c.name)),
            asn: q.asn,
            as_org: q.as_org.map(|o| strings.get_static(o)),
        },
        None => {
            let loc = geo.locate(ip);
            GeoKey {
                country: strings.get(loc.country),
                country_name: strings.get(loc.country_name),
                asn: loc.asn,
                as_org: strings.get(loc.as_org),
            }
        }
    }
}

/// What the per-country and per-network totals need of an address's location.
struct GeoKey {
    country: Option<Arc<str>>,
    country_name: Option<Arc<str>>,
    asn: Option<u32>,
    as_org: Option<Arc<str>>,
}

/// Anything that can be counted into the totals.
trait Counted {
    fn rank(&self) -> RankKey;
    fn first_seen(&self) -> Option<Timestamp>;
    fn last_seen(&self) -> Option<Timestamp>;
}

impl Counted for IpRecord {
    fn rank(&self) -> RankKey {
        IpRecord::rank(self)
    }
    fn first_seen(&self) -> Option<Timestamp> {
        self.first_seen
    }
    fn last_seen(&self) -> Option<Timestamp> {
        self.last_seen
    }
}

impl Counted for Lite {
    fn rank(&self) -> RankKey {
        self.rank
    }
    fn first_seen(&self) -> Option<Timestamp> {
        self.first_seen
    }
    fn last_seen(&self) -> Option<Timestamp> {
        self.last_seen
    }
}

/// Per-user totals, indexed by the aggregator's user id.
#[derive(Clone, Copy, Default)]
struct UserTotal {
    attempts: u64,
    successes: u64,
    ips: u64,
}

/// The totals over every address: summary numbers, countries, networks, users, windows.
struct Fold {
    first_seen: Option<Timestamp>,
    failures: u64,
    successes: u64,
    countries: HashMap<Option<Arc<str>>, CountryRecord, RandomState>,
    asns: HashMap<Option<u32>, AsnRecord, RandomState>,
    users: Vec<UserTotal>,
    windows: Vec<WindowCount>,
}

impl Fold {
    fn new(last_seen: Option<Timestamp>, user_names: usize) -> Fold {
        Fold {
            first_seen: None,
            failures: 0,
            successes: 0,
            countries: HashMap::default(),
            asns: HashMap::default(),
            users: vec![UserTotal::default(); user_names],
            windows: WINDOWS
                .iter()
                .map(|&(label, seconds)| WindowCount {
                    label,
                    seconds,
                    from: last_seen.map(|t| t - seconds),
                    ips: 0,
                    countries: Default::default(),
                })
                .collect(),
        }
    }

    /// Add the totals of another shard (other addresses).
    fn merge(&mut self, o: Fold) {
        if let Some(t) = o.first_seen {
            self.first_seen = Some(self.first_seen.map_or(t, |f| f.min(t)));
        }
        self.failures += o.failures;
        self.successes += o.successes;
        for (k, v) in o.countries {
            match self.countries.get_mut(&k) {
                Some(c) => {
                    c.ips += v.ips;
                    c.events += v.events;
                    c.failures += v.failures;
                    c.successes += v.successes;
                }
                None => {
                    self.countries.insert(k, v);
                }
            }
        }
        for (k, v) in o.asns {
            match self.asns.get_mut(&k) {
                Some(a) => {
                    a.ips += v.ips;
                    a.events += v.events;
                    a.failures += v.failures;
                    a.successes += v.successes;
                }
                None => {
                    self.asns.insert(k, v);
                }
            }
        }
        for (a, b) in self.users.iter_mut().zip(o.users) {
            a.attempts += b.attempts;
            a.successes += b.successes;
            a.ips += b.ips;
        }
        for (a, b) in self.windows.iter_mut().zip(o.windows) {
            a.ips += b.ips;
            a.countries.extend(b.countries);
        }
    }

    fn add_users(&mut self, st: &IpStats) {
        for u in &st.users {
            let t = &mut self.users[u.id as usize];
            t.attempts += u64::from(u.attempts);
            t.successes += u64::from(u.successes);
            t.ips += 1;
        }
    }

    fn add(&mut self, geo: &GeoKey, r: &impl Counted) {
        let (failures, events, successes, _) = r.rank();
        if let Some(t) = r.first_seen() {
            self.first_seen = Some(self.first_seen.map_or(t, |f| f.min(t)));
        }
        self.failures += failures;
        self.successes += successes;
        let c = self
            .countries
            .entry(geo.country.clone())
            .or_insert_with(|| CountryRecord {
                country: geo.country.clone(),
                numeric: geo
                    .country
                    .as_deref()
                    .and_then(countries::alpha2_to_numeric),
                country_name: geo.country_name.clone(),
                ips: 0,
                events: 0,
                failures: 0,
                successes: 0,
            });
        c.ips += 1;
        c.events += events;
        c.failures += failures;
        c.successes += successes;
        let a = self.asns.entry(geo.asn).or_insert_with(|| AsnRecord {
            asn: geo.asn,
            as_org: geo.as_org.clone(),
            ips: 0,
            events: 0,
            failures: 0,
            successes: 0,
        });
        a.ips += 1;
        a.events += events;
        a.failures += failures;
        a.successes += successes;
        for w in &mut self.windows {
            if let (Some(from), Some(seen)) = (w.from, r.last_seen())
                && seen > from
            {
                w.ips += 1;
                if let Some(c) = &geo.country {
                    w.countries.insert(Arc::clone(c));
                }
            }
        }
    }
}

/// An entry in the bounded heap of [`Keep::Top`] (the counters or the whole record of an
/// address): the heap's top is the one to drop first.
struct Ranked<T>(RankKey, T);

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Self) -> bool {
        worst_first(&self.0, &other.0).is_eq()
    }
}
impl<T> Eq for Ranked<T> {}
impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        worst_first(&self.0, &other.0)
    }
}

/// A thread building the report failed (panicked); the report would miss its share.
#[derive(Debug, thiserror::Error)]
#[error("a report worker failed ({0}); no report from part of the data")]
pub struct WorkerFailed(pub String);

/// The report of `agg`, its lists cut as `keep` says. With `sinks` (one per shard: as many
/// shards as sinks), every address's whole record also goes to its shard's sink, and the
/// report keeps the records `records` asks for (without, the records are kept as `keep`
/// says); the sinks are given back in shard order.
pub(super) fn build<S: RecordSink>(
    agg: Aggregator,
    geo: &dyn Locate,
    databases: Vec<String>,
    sources: Vec<SourceReport>,
    keep: Keep,
    sinks: Vec<S>,
    records: Keep,
) -> Result<(Report, Vec<S>), WorkerFailed> {
    let records = if sinks.is_empty() { keep } else { records };
    let mut agg = agg;
    if agg.parts.len() >= MAX_TABLES {
        agg.merge_parts();
    }
    let Aggregator {
        ips: index,
        stats,
        parts,
        user_names,
        private,
        events,
        filtered_out,
        hours,
        minutes,
        newest,
        totals,
        ..
    } = agg;
    drop(index);
    let last_seen = newest;
    // The aggregator's table and the deferred tables of its joined parts are split into shards
    // by address, one per core, so merging them costs no extra pass. Each shard counts its
    // addresses into the totals and builds whole records: all of them for an export, only the
    // top `n` (geolocated cheaply where the data allows) for a summary.
    let identity: Vec<u32> = (0..user_names.len() as u32).collect();
    let mut tables: Vec<Table> = vec![(&stats, &identity)];
    tables.extend(parts.iter().map(|p| (p.stats.as_slice(), p.ids.as_slice())));
    let shards = if sinks.is_empty() {
        crate::pipeline::threads()
    } else {
        sinks.len()
    };
    let job = |shard: usize, sink: Option<S>| {
        let ctx = ShardCtx {
            tables: &tables,
            shard,
            shards,
            names: &user_names,
            geo,
            last_seen,
        };
        match (sink, keep) {
            (Some(mut sink), _) => {
                let (fold, records, n) = ctx.fold_each(records, &mut sink);
                (fold, records, n, Some(sink), Vec::new())
            }
            (None, Keep::All) => {
                let (fold, records, n) = ctx.fold_each(Keep::All, &mut NoSink);
                (fold, records, n, None, Vec::new())
            }
            (None, Keep::Top(k)) => {
                let (fold, pending, n) = ctx.fold_top(k);
                (fold, Vec::new(), n, None, pending)
            }
        }
    };
    let mut sinks = sinks.into_iter();
    let first_sink = sinks.next();
    // A shard that panics is an error: a report without its addresses would be silently
    // smaller.
    /// Totals, whole records, number of addresses, the sink, and the counters of the
    /// addresses whose records are still to be built.
    type ShardResult<S> = (Fold, Vec<IpRecord>, u64, Option<S>, Vec<(IpAddr, IpStats)>);
    let mut results: Vec<ShardResult<S>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (1..shards)
            .map(|i| {
                let sink = sinks.next();
                scope.spawn(move || job(i, sink))
            })
            .collect();
        let mine = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(0, first_sink)));
        let mut out = Vec::with_capacity(shards);
        let mut failed = None;
        for r in std::iter::once(mine).chain(handles.into_iter().map(|h| h.join())) {
            match r {
                Ok(v) => out.push(v),
                Err(payload) => {
                    failed = failed.or(Some(panic_message(&*payload)));
                }
            }
        }
        match failed {
            Some(why) => Err(WorkerFailed(why)),
            None => Ok(out),
        }
    })?;
    drop(tables);
    drop(stats);
    drop(parts);
    let sinks: Vec<S> = results.iter_mut().filter_map(|r| r.3.take()).collect();
    let mut strings = Interner::default();
    let mut pending = Vec::new();
    for r in &mut results {
        pending.append(&mut r.4);
    }
    // The few records still to build (a summary's top list) are looked up on every core: a
    // city look-up may unpack a block of the table first.
    let ips: Vec<IpAddr> = pending.iter().map(|(ip, _)| *ip).collect();
    let located =
        crate::enrich::locate_all(geo, &ips, crate::pipeline::threads()).map_err(WorkerFailed)?;
    let mut pending: Vec<IpRecord> = pending
        .into_iter()
        .zip(located)
        .map(|((ip, st), loc)| record(ip, st, &user_names, loc, &mut strings))
        .collect();
    sort_worst_first(&mut pending);
    // Each shard's records are sorted already: merge them.
    let mut lists = vec![pending];
    let (mut fold, mut unique_ips) = (None::<Fold>, 0);
    for (f, records, n_ips, _, _) in results {
        match &mut fold {
            Some(fold) => fold.merge(f),
            None => fold = Some(f),
        }
        lists.push(records);
        unique_ips += n_ips;
    }
    let fold = fold.ok_or_else(|| WorkerFailed("no report shard".into()))?;
    let mut ips = merge_worst_first(lists);
    if let Keep::Top(n) = records {
        retain_top(&mut ips, n);
    }
    let Fold {
        countries,
        asns,
        users,
        windows,
        first_seen,
        failures,
        successes,
        ..
    } = fold;
    // Most tried first (then most addresses, then by name: a total order). A top-N report
    // picks its `n` before sorting them, and names only those.
    let mut users: Vec<(usize, UserTotal)> = users
        .into_iter()
        .enumerate()
        .filter(|(_, u)| u.ips > 0)
        .collect();
    let most_tried = |a: &(usize, UserTotal), b: &(usize, UserTotal)| {
        (b.1.attempts, b.1.ips)
            .cmp(&(a.1.attempts, a.1.ips))
            .then_with(|| user_names[a.0].cmp(&user_names[b.0]))
    };
    if let Keep::Top(n) = keep
        && users.len() > n
    {
        if n > 0 {
            users.select_nth_unstable_by(n - 1, most_tried);
        }
        users.truncate(n);
    }
    users.sort_unstable_by(most_tried);
    let users: Vec<UserRecord> = users
        .into_iter()
        .map(|(id, u)| UserRecord {
            user: user_names[id].to_string(),
            attempts: u.attempts,
            successes: u.successes,
            ips: u.ips,
        })
        .collect();

    let mut countries: Vec<CountryRecord> = countries.into_values().collect();
    countries.sort_by(|a, b| {
        (b.failures, b.events, b.ips)
            .cmp(&(a.failures, a.events, a.ips))
            .then(a.country.cmp(&b.country))
    });
    let mut asns: Vec<AsnRecord> = asns.into_values().collect();
    asns.sort_by(|a, b| {
        (b.failures, b.events, b.ips)
            .cmp(&(a.failures, a.events, a.ips))
            .then(a.asn.cmp(&b.asn))
    });
    let country_total = countries.iter().filter(|c| c.country.is_some()).count() as u64;
    if let Keep::Top(n) = keep {
        countries.truncate(n);
        asns.truncate(n);
    }
    let windows = windows
        .into_iter()
        .map(|w| {
            // Events are counted by the minute: the window starts at the minute `from` falls in.
            let (events, failures) = match w.from {
                Some(from) => minutes
                    .range(from.div_euclid(60) * 60 + 60..)
                    .fold((0, 0), |(e, f), (_, c)| (e + c[0], f + c[1])),
                None => (0, 0),
            };
            Window {
                label: w.label,
                seconds: w.seconds,
                ips: w.ips,
                countries: w.countries.len() as u64,
                events,
                failures,
            }
        })
        .collect();

    let (ports, statuses, paths, user_agents) = totals_lists(&totals, keep);
    let unparsed = sources.iter().map(|s| s.unparsed).sum();
    let country_count = country_total;
    let summary = Summary {
        lines: sources.iter().map(|s| s.lines).sum(),
        events,
        unique_ips,
        countries: country_count,
        failures,
        successes,
        first_seen,
        last_seen,
        private_ips: private.len() as u64,
        unparsed,
        filtered_out,
        kinds: totals.kinds,
    };
    let timeline = Timeline {
        bucket_seconds: HOUR,
        series: hours
            .iter()
            .map(|(&h, c)| [h, c[0] as i64, c[1] as i64, c[2] as i64])
            .collect(),
    };
    let report = Report {
        generator: crate::GENERATOR.to_string(),
        sources,
        geo: GeoInfo {
            databases,
            attribution: ATTRIBUTION,
        },
        summary,
        ips,
        countries,
        asns,
        users,
        ports,
        statuses,
        paths,
        user_agents,
        windows,
        timeline,
        history: None,
        selection: None,
    };
    Ok((report, sinks))
}

type TotalsLists = (
    Vec<PortRecord>,
    Vec<StatusRecord>,
    Vec<PathRecord>,
    Vec<UserAgentRecord>,
);

/// The report's lists of ports, status codes, paths and user agents.
fn totals_lists(t: &super::LogTotals, keep: Keep) -> TotalsLists {
    let limit = match keep {
        Keep::All => super::topk::DEFAULT_CAPACITY,
        Keep::Top(n) => n,
    };
    let mut ports: Vec<PortRecord> = t
        .ports
        .iter()
        .flat_map(|(proto, ports)| {
            ports.iter().map(move |(&port, c)| PortRecord {
                port,
                proto: (!proto.is_empty()).then(|| proto.to_string()),
                events: c.events,
                blocked: c.blocked,
                allowed: c.allowed,
            })
        })
        .collect();
    ports.sort_by(|a, b| {
        b.events
            .cmp(&a.events)
            .then_with(|| a.port.cmp(&b.port))
            .then_with(|| a.proto.cmp(&b.proto))
    });
    if let Keep::Top(n) = keep {
        ports.truncate(n);
    }
    let statuses = t
        .statuses
        .iter()
        .map(|(&code, &events)| {
            let status = (code != 0).then_some(code);
            StatusRecord {
                status,
                class: status_class(status),
                events,
            }
        })
        .collect();
    let paths = t
        .paths
        .top(limit)
        .into_iter()
        .map(|(p, c)| PathRecord {
            path: p.to_string(),
            events: c.count,
            error: c.error,
        })
        .collect();
    let user_agents = t
        .user_agents
        .top(limit)
        .into_iter()
        .map(|(u, c)| UserAgentRecord {
            user_agent: u.to_string(),
            events: c.count,
            error: c.error,
        })
        .collect();
    (ports, statuses, paths, user_agents)
}

/// One copy of each distinct string.
#[derive(Default)]
struct Interner(
    HashMap<String, Arc<str>, RandomState>,
    /// By address and length, for `'static` strings.
    HashMap<(usize, usize), Arc<str>, RandomState>,
);

impl Interner {
    /// The shared copy of a string that lives as long as the program (no allocation once
    /// seen).
    fn get_static(&mut self, s: &'static str) -> Arc<str> {
        if let Some(a) = self.1.get(&(s.as_ptr() as usize, s.len())) {
            return Arc::clone(a);
        }
        let a: Arc<str> = match self.0.get(s) {
            Some(a) => Arc::clone(a),
            None => {
                let a: Arc<str> = Arc::from(s);
                self.0.insert(s.to_string(), Arc::clone(&a));
                a
            }
        };
        self.1
            .insert((s.as_ptr() as usize, s.len()), Arc::clone(&a));
        a
    }

    fn get(&mut self, s: Option<String>) -> Option<Arc<str>> {
        let s = s?;
        if let Some(a) = self.0.get(&s) {
            return Some(Arc::clone(a));
        }
        let a: Arc<str> = Arc::from(s.as_str());
        self.0.insert(s, Arc::clone(&a));
        Some(a)
    }
}

fn record(
    ip: IpAddr,
    st: IpStats,
    names: &[Arc<str>],
    loc: Location,
    strings: &mut Interner,
) -> IpRecord {
    let mut users: Vec<(Arc<str>, u64, u64)> = st
        .users
        .iter()
        .map(|u| {
            let name = Arc::clone(&names[u.id as usize]);
            (name, u64::from(u.attempts), u64::from(u.successes))
        })
        .collect();
    users.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    IpRecord {
        ip,
        events: st.events,
        failures: st.failures,
        successes: st.successes,
        kinds: st.kinds,
        users,
        first_seen: st.seen().map(|s| s.0),
        last_seen: st.seen().map(|s| s.1),
        country: strings.get(loc.country),
        country_name: strings.get(loc.country_name),
        city: strings.get(loc.city),
        region: strings.get(loc.region),
        lat: loc.lat,
        lon: loc.lon,
        accuracy: loc.accuracy,
        asn: loc.asn,
        as_org: strings.get(loc.as_org),
        hours: st
            .hours
            .iter()
            .map(|h| [h.start(), i64::from(h.events)])
            .collect(),
    }
}
