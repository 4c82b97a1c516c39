//! Aggregate: the one stateful stage. Counts per address, user and time while events stream
//! past, then — once, per distinct address — asks the geolocation and builds the [`Report`]
//! every output renders.
//!
//! Memory grows with the number of distinct addresses (and address × user pairs), never with
//! the number of lines.

mod report;
mod saved;
mod select;
pub mod topk;

pub use report::*;
pub use saved::{Restored, Tables};
pub use select::{Select, Sort};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use foldhash::fast::RandomState;
use smallvec::SmallVec;
use thin_vec::ThinVec;

use crate::enrich::Locate;
use crate::parse::scope::scope;
use crate::parse::{Event, Kind, Timestamp};
use crate::pipeline::SourceReport;
use topk::TopK;

/// Which events count.
#[derive(Clone, Copy, Debug, Default)]
pub struct Filter {
    /// Keep private, loopback, link-local and reserved addresses (otherwise counted apart).
    pub include_private: bool,
    /// Keep only events at or after this time (events without a time are dropped).
    pub since: Option<Timestamp>,
    /// Keep only events before this time (events without a time are dropped).
    pub until: Option<Timestamp>,
}

impl Filter {
    /// Does an event at `ts` pass the time filter?
    pub fn in_time(&self, ts: Option<Timestamp>) -> bool {
        if self.since.is_none() && self.until.is_none() {
            return true;
        }
        ts.is_some_and(|t| self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u))
    }
}

/// Counters of one address. Kept small: there is one per distinct address.
#[derive(Clone, Debug)]
pub struct IpStats {
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
    pub kinds: [u32; Kind::COUNT],
    /// Per user name tried (an id into the aggregator's name table): attempts (failed +
    /// successful) and successful logins. Few per address, so a list beats a map; most
    /// addresses try one name, which is kept inline (no allocation per address).
    pub users: SmallVec<[UserCount; 1]>,
    /// Earliest and latest event time; `Timestamp::MAX`/`MIN` when no event had one (an
    /// `Option` would double their size, and there is one of these per address).
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// The hours with events, sorted; kept only for the map's time filter (a thin vector:
    /// one pointer in every address's counters, empty for the other commands).
    pub hours: ThinVec<ActiveHour>,
}

impl Default for IpStats {
    fn default() -> Self {
        IpStats {
            events: 0,
            failures: 0,
            successes: 0,
            kinds: [0; Kind::COUNT],
            users: SmallVec::new(),
            first_seen: Timestamp::MAX,
            last_seen: Timestamp::MIN,
            hours: ThinVec::new(),
        }
    }
}

/// An hour in which an address had events (for the map's time filter): the hour since the
/// Unix epoch (held in an `i32`: ±245,000 years, times beyond are clamped) and its events
/// (saturated). Eight bytes; there is a list of these per address on the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActiveHour {
    pub hour: i32,
    pub events: u32,
}

impl ActiveHour {
    /// The hour's start.
    pub fn start(self) -> Timestamp {
        i64::from(self.hour) * HOUR
    }
}

impl IpStats {
    /// Count `n` events at `t` in the address's active hours.
    pub fn count_hour(&mut self, t: Timestamp, n: u64) {
        let hour = t.div_euclid(HOUR).clamp(i32::MIN.into(), i32::MAX.into()) as i32;
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        let hours = &mut self.hours;
        // Logs are mostly in time order: the last entry is usually the one.
        match hours.last_mut() {
            Some(h) if h.hour == hour => h.events = h.events.saturating_add(n),
            Some(h) if h.hour < hour => hours.push(ActiveHour { hour, events: n }),
            None => {
                // Many addresses are seen in one hour only: room for one (a thin vector
                // starts with four).
                hours.reserve_exact(1);
                hours.push(ActiveHour { hour, events: n })
            }
            _ => match hours.binary_search_by_key(&hour, |h| h.hour) {
                Ok(i) => hours[i].events = hours[i].events.saturating_add(n),
                Err(i) => hours.insert(i, ActiveHour { hour, events: n }),
            },
        }
    }

    /// The time span of the address's events, if any had a time.
    pub fn seen(&self) -> Option<(Timestamp, Timestamp)> {
        (self.first_seen <= self.last_seen).then_some((self.first_seen, self.last_seen))
    }
}

/// Attempts with one user name from one address.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UserCount {
    pub id: u32,
    pub attempts: u32,
    pub successes: u32,
}

/// How far back the windows of the report reach (the longest one).
const LONGEST_WINDOW: Timestamp = 7 * 86400;
pub const HOUR: Timestamp = 3600;

/// Streams events into counters.
pub struct Aggregator {
    filter: Filter,
    /// Address → index into `stats`. Two parts rather than one map of stats: the hash table
    /// doubles as it grows, and doubling small entries costs less than doubling big ones.
    ips: AddrIndex,
    stats: Vec<(IpAddr, IpStats)>,
    /// Every user name seen once: addresses refer to them by index.
    user_ids: HashMap<Arc<str>, u32, RandomState>,
    user_names: Vec<Arc<str>>,
    private: HashSet<IpAddr, RandomState>,
    events: u64,
    /// Lines (events, a repeated message once) outside the time filter.
    filtered_out: u64,
    /// Per hour: events, failures, successes (the map's timeline).
    hours: BTreeMap<Timestamp, [u64; 3]>,
    /// Per minute, for the last week of the data only: events, failures (the windows).
    minutes: BTreeMap<Timestamp, [u64; 2]>,
    newest: Option<Timestamp>,
    track_hours: bool,
    /// The address of the previous event and where it went: consecutive lines are often
    /// about the same client, and this skips the hash look-up.
    last: Option<(IpAddr, Slot)>,
    /// The hour and minute buckets being filled (logs are in time order, so this saves a tree
    /// look-up per event); moved into `hours`/`minutes` when the bucket changes.
    cur_hour: Option<(Timestamp, [u64; 3])>,
    cur_minute: Option<(Timestamp, [u64; 2])>,
    /// The user id of the previous event with a user name (skips the name's hash look-up
    /// when the next event has the same name).
    last_user: Option<u32>,
    /// Tables of joined aggregators not merged yet (see [`crate::pipeline::Sink::join`]); merged by [`Aggregator::merge_parts`] or, for a
    /// top-N report, shard by shard in `report.rs`.
    parts: Vec<Part>,
    /// What the log is about, beyond addresses: see [`LogTotals`].
    totals: LogTotals,
}

/// Totals over the whole log that are not per address: events per kind, and what firewall and
/// web lines say (destination ports, status codes, paths, user agents). They count the same
/// events as the per-address counters (after `--since/--until`, private addresses only with
/// `--include-private`).
///
/// Plain, mergeable data: parts of a log read by different threads are added with
/// [`LogTotals::merge`], and the result does not depend on how the log was cut (exactly so
/// while the bounded counters of paths and user agents have not dropped anything; see
/// [`topk`]). Memory is bounded whatever the log: ports by 65,536 per protocol and
/// [`MAX_PROTOCOLS`] protocols, status codes by 65,536, paths and user agents by [`TopK`].
#[derive(Clone, Debug, Default)]
pub struct LogTotals {
    /// Events per kind, indexed by [`Kind::index`].
    pub kinds: [u64; Kind::COUNT],
    /// Per protocol (as the log names it, `""` when unknown) and destination port (`None`:
    /// the protocol has none, ICMP say).
    pub ports: HashMap<Box<str>, HashMap<Option<u16>, PortCount, RandomState>, RandomState>,
    /// Web requests per status code (0: the line had none).
    pub statuses: BTreeMap<u16, u64>,
    /// Web requests per path (as requested, query string included), bounded.
    pub paths: TopK,
    /// Web requests per user agent, bounded.
    pub user_agents: TopK,
}

/// Most distinct protocol names kept apart; more are counted as `other`.
pub const MAX_PROTOCOLS: usize = 32;

/// Events towards one destination port.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortCount {
    pub events: u64,
    pub blocked: u64,
    pub allowed: u64,
}

impl LogTotals {
    /// Count one event, which stands for `n` occurrences.
    fn add(&mut self, ev: &Event, n: u64) {
        self.kinds[ev.kind.index()] += n;
        let x = &ev.extra;
        if x.dst_port.is_some() || x.proto.is_some() {
            let proto = x.proto.as_deref().unwrap_or("");
            let proto = &proto[..floor_char_boundary(proto, 16)];
            let ports = match self.ports.get_mut(proto) {
                Some(p) => p,
                None => {
                    let key = if self.ports.len() < MAX_PROTOCOLS {
                        proto
                    } else {
                        "other"
                    };
                    self.ports.entry(key.into()).or_default()
                }
            };
            let c = ports.entry(x.dst_port).or_default();
            c.events += n;
            match ev.kind {
                Kind::Blocked => c.blocked += n,
                Kind::Allowed => c.allowed += n,
                _ => {}
            }
        }
        if ev.kind == Kind::Request {
            *self.statuses.entry(x.status.unwrap_or(0)).or_default() += n;
            if let Some(p) = x.path.as_deref() {
                self.paths.add(p, n);
            }
            if let Some(ua) = x.user_agent.as_deref() {
                self.user_agents.add(ua, n);
            }
        }
    }

    /// Add the totals of another part of the log (or of another log).
    pub fn merge(&mut self, other: LogTotals) {
        for (a, b) in self.kinds.iter_mut().zip(other.kinds) {
            *a += b;
        }
        for (proto, ports) in other.ports {
            let key = if self.ports.contains_key(&proto) || self.ports.len() < MAX_PROTOCOLS {
                proto
            } else {
                "other".into()
            };
            let mine = self.ports.entry(key).or_default();
            for (port, c) in ports {
                let m = mine.entry(port).or_default();
                m.events += c.events;
                m.blocked += c.blocked;
                m.allowed += c.allowed;
            }
        }
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        self.paths.merge(other.paths);
        self.user_agents.merge(other.user_agents);
    }
}

/// The largest index `<= max` that is a character boundary of `s`.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Address → position in the aggregator's table, IPv4 and IPv6 apart: a 4-byte key for the
/// common case makes the table a third of the size of one keyed by `IpAddr` (17 bytes, padded
/// with the index to 24), so more of it stays in cache (there is one entry per address).
#[derive(Default)]
pub(crate) struct AddrIndex {
    v4: HashMap<u32, u32, RandomState>,
    v6: HashMap<u128, u32, RandomState>,
}

impl AddrIndex {
    /// The position of `ip`, or `next` (now its position) if it is new.
    #[inline]
    pub(crate) fn get_or_insert(&mut self, ip: IpAddr, next: u32) -> u32 {
        match ip {
            IpAddr::V4(a) => *self.v4.entry(u32::from(a)).or_insert(next),
            IpAddr::V6(a) => *self.v6.entry(u128::from(a)).or_insert(next),
        }
    }
}

impl FromIterator<(IpAddr, u32)> for AddrIndex {
    fn from_iter<I: IntoIterator<Item = (IpAddr, u32)>>(iter: I) -> Self {
        let mut index = AddrIndex::default();
        for (ip, i) in iter {
            match ip {
                IpAddr::V4(a) => index.v4.insert(u32::from(a), i),
                IpAddr::V6(a) => index.v6.insert(u128::from(a), i),
            };
        }
        index
    }
}

/// Where an address's events go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Stats(u32),
    Private,
}

impl Aggregator {
    pub fn new(filter: Filter) -> Self {
        Aggregator {
            track_hours: false,
            filter,
            ips: AddrIndex::default(),
            stats: Vec::new(),
            user_ids: HashMap::default(),
            user_names: Vec::new(),
            private: HashSet::default(),
            events: 0,
            filtered_out: 0,
            hours: BTreeMap::new(),
            minutes: BTreeMap::new(),
            newest: None,
            last: None,
            cur_hour: None,
            cur_minute: None,
            last_user: None,
            parts: Vec::new(),
            totals: LogTotals::default(),
        }
    }

    /// Also keep each address's active hours (for the map's time filter). This costs memory
    /// per address and active hour, so only the map asks for it.
    pub fn with_hours(mut self) -> Self {
        self.track_hours = true;
        self
    }

    /// Count one event.
    pub fn add(&mut self, ev: &Event) {
        if !self.filter.in_time(ev.ts) {
            self.filtered_out += 1;
            return;
        }
        let slot = match self.last {
            Some((ip, slot)) if ip == ev.ip => slot,
            _ => {
                let slot = self.slot(ev.ip);
                self.last = Some((ev.ip, slot));
                slot
            }
        };
        let Slot::Stats(i) = slot else {
            return;
        };
        let n = u64::from(ev.repeat);
        let failures = u64::from(ev.failures);
        let successes = u64::from(ev.successes());
        self.events += n;
        self.totals.add(ev, n);
        let st = &mut self.stats[i as usize].1;
        st.events += n;
        st.failures += failures;
        st.successes += successes;
        st.kinds[ev.kind.index()] = st.kinds[ev.kind.index()].saturating_add(ev.repeat);
        if let Some(user) = ev.user.as_deref() {
            let attempts = failures + successes;
            if attempts > 0 {
                // The previous event's name first: an attacker's lines come in runs.
                let id = match self.last_user {
                    Some(id) if *self.user_names[id as usize] == *user => id,
                    _ => {
                        let id = match self.user_ids.get(user) {
                            Some(&id) => id,
                            None => {
                                let id = self.user_names.len() as u32;
                                let name: Arc<str> = Arc::from(user);
                                self.user_names.push(Arc::clone(&name));
                                self.user_ids.insert(name, id);
                                id
                            }
                        };
                        self.last_user = Some(id);
                        id
                    }
                };
                let (a, s) = (attempts as u32, successes as u32);
                match st.users.iter_mut().find(|u| u.id == id) {
                    Some(u) => {
                        u.attempts = u.attempts.saturating_add(a);
                        u.successes = u.successes.saturating_add(s);
                    }
                    None => st.users.push(UserCount {
                        id,
                        attempts: a,
                        successes: s,
                    }),
                }
            }
        }
        if let Some(t) = ev.ts {
            st.first_seen = st.first_seen.min(t);
            st.last_seen = st.last_seen.max(t);
            let hour = t.div_euclid(HOUR) * HOUR;
            if self.track_hours {
                st.count_hour(t, n);
            }
            match &mut self.cur_hour {
                Some((h, c)) if *h == hour => {
                    c[0] += n;
                    c[1] += failures;
                    c[2] += successes;
                }
                _ => {
                    self.flush_hour();
                    self.cur_hour = Some((hour, [n, failures, successes]));
                }
            }
            let newest = self.newest.map_or(t, |x| x.max(t));
            self.newest = Some(newest);
            if t > newest - LONGEST_WINDOW - 60 {
                let minute = t.div_euclid(60) * 60;
                match &mut self.cur_minute {
                    Some((m, c)) if *m == minute => {
                        c[0] += n;
                        c[1] += failures;
                    }
                    _ => {
                        self.flush_minute();
                        self.cur_minute = Some((minute, [n, failures]));
                    }
                }
            }
        }
    }

    /// Where the events of `ip` go: its counters (created on first sight), or the private
    /// set when private addresses are left out.
    fn slot(&mut self, ip: IpAddr) -> Slot {
        if !self.filter.include_private && !scope(ip).is_global() {
            self.private.insert(ip);
            return Slot::Private;
        }
        let next = self.stats.len() as u32;
        let i = self.ips.get_or_insert(ip, next);
        if i == next {
            self.stats.push((ip, IpStats::default()));
        }
        Slot::Stats(i)
    }

    fn flush_hour(&mut self) {
        if let Some((hour, c)) = self.cur_hour.take() {
            let h = self.hours.entry(hour).or_default();
            for (a, b) in h.iter_mut().zip(c) {
                *a += b;
            }
        }
    }

    fn flush_minute(&mut self) {
        if let Some((minute, c)) = self.cur_minute.take() {
            let m = self.minutes.entry(minute).or_default();
            m[0] += c[0];
            m[1] += c[1];
            // Keep only the minutes that can still fall in a window.
            if let Some(newest) = self.newest
                && self.minutes.len() > 2 * (LONGEST_WINDOW / 60) as usize
            {
                self.minutes = self.minutes.split_off(&(newest - LONGEST_WINDOW - 60));
            }
        }
    }

    /// Geolocate every address once and build the report. `databases` names the geolocation
    /// data used, for the report's `geo` section. An error when a thread building it failed.
    pub fn finish(
        self,
        geo: &dyn Locate,
        databases: Vec<String>,
        sources: Vec<SourceReport>,
        keep: Keep,
    ) -> Result<Report, WorkerFailed> {
        let mut agg = self;
        agg.flush_hour();
        agg.flush_minute();
        report::build::<report::NoSink>(agg, geo, databases, sources, keep, Vec::new(), keep)
            .map(|(report, _)| report)
    }

    /// [`Aggregator::finish`] with the whole lists of [`Keep::All`], handing every address's
    /// whole record to one of `sinks` as the report is built (one shard of the addresses per
    /// sink, each on its own thread) and keeping only the records `records` asks for; the
    /// sinks come back in order. `sinks` must not be empty.
    pub fn finish_each<S: RecordSink>(
        self,
        geo: &dyn Locate,
        databases: Vec<String>,
        sources: Vec<SourceReport>,
        records: Keep,
        sinks: Vec<S>,
    ) -> Result<(Report, Vec<S>), WorkerFailed> {
        assert!(!sinks.is_empty(), "finish_each needs a sink");
        let mut agg = self;
        agg.flush_hour();
        agg.flush_minute();
        report::build(agg, geo, databases, sources, Keep::All, sinks, records)
    }

    /// The earliest and latest event time of the addresses counted so far (what the report's
    /// summary will give as first and last seen), without building the report.
    pub fn span(&self) -> Option<(Timestamp, Timestamp)> {
        let tables = std::iter::once(self.stats.as_slice())
            .chain(self.parts.iter().map(|p| p.stats.as_slice()));
        tables
            .flat_map(|t| t.iter().filter_map(|(_, st)| st.seen()))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }
}

impl crate::pipeline::Sink for Aggregator {
    fn event(&mut self, ev: &Event) {
        self.add(ev);
    }

    fn fork(&self) -> Self {
        let mut a = Aggregator::new(self.filter);
        a.track_hours = self.track_hours;
        a
    }

    fn join(&mut self, later: Self) {
        // Totals now; the per-address tables are merged later, on every core, by the report.
        let part = self.merge_totals(later);
        self.parts.push(part);
    }
}

impl IpStats {
    /// Add the counters of the same address from another aggregator, whose user ids `ids`
    /// translates into this one's.
    pub fn absorb(&mut self, theirs: &IpStats, ids: &[u32]) {
        self.events += theirs.events;
        self.failures += theirs.failures;
        self.successes += theirs.successes;
        for (a, b) in self.kinds.iter_mut().zip(theirs.kinds) {
            *a = a.saturating_add(b);
        }
        for u in &theirs.users {
            let id = ids[u.id as usize];
            match self.users.iter_mut().find(|x| x.id == id) {
                Some(x) => {
                    x.attempts = x.attempts.saturating_add(u.attempts);
                    x.successes = x.successes.saturating_add(u.successes);
                }
                None => self.users.push(UserCount { id, ..*u }),
            }
        }
        self.first_seen = self.first_seen.min(theirs.first_seen);
        self.last_seen = self.last_seen.max(theirs.last_seen);
        if !theirs.hours.is_empty() {
            let mut merged: BTreeMap<i32, u32> =
                self.hours.drain(..).map(|h| (h.hour, h.events)).collect();
            for h in &theirs.hours {
                let n = merged.entry(h.hour).or_default();
                *n = n.saturating_add(h.events);
            }
            self.hours = merged
                .into_iter()
                .map(|(hour, events)| ActiveHour { hour, events })
                .collect();
        }
    }
}

/// The per-address table of another aggregator, not merged yet, with the translation of its
/// user ids into this aggregator's.
pub(crate) struct Part {
    pub(crate) stats: Vec<(IpAddr, IpStats)>,
    pub(crate) ids: Vec<u32>,
}

impl Aggregator {
    /// Take in `other`'s totals, time buckets and user names, and hand back its per-address
    /// table to merge later ([`Aggregator::merge_parts`], or address by address in the report).
    fn merge_totals(&mut self, mut other: Aggregator) -> Part {
        self.flush_hour();
        self.flush_minute();
        other.flush_hour();
        other.flush_minute();
        self.last = None;
        self.events += other.events;
        self.filtered_out += other.filtered_out;
        self.private.extend(other.private);
        self.totals.merge(std::mem::take(&mut other.totals));
        // User ids are per aggregator: translate the other's into ours.
        let ids: Vec<u32> = other
            .user_names
            .iter()
            .map(|name| match self.user_ids.get(name) {
                Some(&id) => id,
                None => {
                    let id = self.user_names.len() as u32;
                    self.user_names.push(Arc::clone(name));
                    self.user_ids.insert(Arc::clone(name), id);
                    id
                }
            })
            .collect();
        for (h, c) in other.hours {
            let mine = self.hours.entry(h).or_default();
            for (a, b) in mine.iter_mut().zip(c) {
                *a += b;
            }
        }
        for (m, c) in other.minutes {
            let mine = self.minutes.entry(m).or_default();
            mine[0] += c[0];
            mine[1] += c[1];
        }
        self.newest = match (self.newest, other.newest) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if let Some(newest) = self.newest {
            self.minutes = self.minutes.split_off(&(newest - LONGEST_WINDOW - 60));
        }
        Part {
            stats: other.stats,
            ids,
        }
    }

    /// Merge a deferred per-address table into this one.
    fn merge_part(&mut self, part: Part) {
        for (ip, theirs) in part.stats {
            let next = self.stats.len() as u32;
            let i = self.ips.get_or_insert(ip, next) as usize;
            if i == self.stats.len() {
                self.stats.push((ip, IpStats::default()));
            }
            self.stats[i].1.absorb(&theirs, &part.ids);
        }
    }

    /// Merge every deferred table (before anything needs the whole table).
    pub(crate) fn merge_parts(&mut self) {
        for part in std::mem::take(&mut self.parts) {
            self.merge_part(part);
        }
    }
}
