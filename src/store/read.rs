//! Reading the history back: the stored counters as the aggregator every view renders from
//! (so `summary --db` prints what `summary FILES` prints for the same lines), the stored
//! locations, and the stored events.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Result;
use foldhash::fast::RandomState;
use rusqlite::{OptionalExtension, params};

use super::Store;
use super::events::BlockReader;
use super::sources::format_from_str;
use super::write::load_top;
use crate::aggregate::topk::DEFAULT_CAPACITY;
use crate::aggregate::{
    Aggregator, Filter, History, IpStats, LogTotals, PortCount, Restored, Select, UserCount,
};
use crate::enrich::{Accuracy, Locate, Location};
use crate::parse::{Event, Kind, Timestamp};
use crate::pipeline::SourceReport;

/// Locations as the store recorded them when each address was first stored.
#[derive(Default)]
pub struct StoredLocations(HashMap<IpAddr, Location, RandomState>);

impl Locate for StoredLocations {
    fn locate(&self, ip: IpAddr) -> Location {
        self.0.get(&ip).cloned().unwrap_or_default()
    }
}

/// The counters columns of `addresses` (`events, failures, successes, first_seen, last_seen,
/// k_auth_failure … k_seen`, as [`COUNTERS`] lists them) from column `at` of a row.
pub(super) fn stats_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<IpStats> {
    let mut kinds = [0u32; Kind::COUNT];
    for (i, k) in kinds.iter_mut().enumerate() {
        *k = r.get::<_, i64>(at + 5 + i)? as u32;
    }
    let first: Option<i64> = r.get(at + 3)?;
    let last: Option<i64> = r.get(at + 4)?;
    Ok(IpStats {
        events: r.get::<_, i64>(at)? as u64,
        failures: r.get::<_, i64>(at + 1)? as u64,
        successes: r.get::<_, i64>(at + 2)? as u64,
        kinds,
        first_seen: first.unwrap_or(Timestamp::MAX),
        last_seen: last.unwrap_or(Timestamp::MIN),
        ..IpStats::default()
    })
}

/// The counter columns, in the order [`stats_at`] reads them.
pub(super) const COUNTERS: &str = "events, failures, successes, first_seen, last_seen, \
     k_auth_failure, k_invalid_user, k_policy_reject, k_too_many_failures, k_auth_success, \
     k_preauth_disconnect, k_scan, k_other, k_request, k_blocked, k_allowed, k_seen";

/// The location columns (`country, country_name, city, region, lat, lon, accuracy, asn,
/// as_org`, then the description of the data that located it) from column `at` of a row.
pub(super) fn location_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Location> {
    let accuracy: Option<String> = r.get(at + 6)?;
    Ok(Location {
        country: r.get(at)?,
        country_name: r.get(at + 1)?,
        continent: None,
        city: r.get(at + 2)?,
        region: r.get(at + 3)?,
        lat: r.get(at + 4)?,
        lon: r.get(at + 5)?,
        accuracy: match accuracy.as_deref() {
            Some("city") => Some(Accuracy::City),
            Some("country") => Some(Accuracy::Country),
            _ => None,
        },
        asn: r.get::<_, Option<i64>>(at + 7)?.map(|a| a as u32),
        as_org: r.get(at + 8)?,
        source: r.get(at + 9)?,
    })
}

impl StoredLocations {
    pub(super) fn new(map: HashMap<IpAddr, Location, RandomState>) -> Self {
        StoredLocations(map)
    }
}

/// A view's input, read from the store.
pub struct Loaded {
    pub aggregator: Aggregator,
    pub sources: Vec<SourceReport>,
    pub locations: StoredLocations,
    /// The geolocation data that located the stored addresses.
    pub databases: Vec<String>,
    pub history: History,
}

impl Store {
    /// Every input the store has read, as the pipeline reports inputs (lines and bytes stored).
    pub fn sources(&self) -> Result<Vec<(i64, SourceReport)>> {
        let mut st = self.conn.prepare(
            "SELECT id, path, format, gzip, \"offset\", line, unparsed FROM sources ORDER BY id",
        )?;
        let rows = st.query_map([], |r| {
            let format: Option<String> = r.get(2)?;
            Ok((
                r.get::<_, i64>(0)?,
                SourceReport {
                    path: r.get(1)?,
                    format: format.as_deref().and_then(format_from_str),
                    gzip: r.get::<_, i64>(3)? != 0,
                    bytes: r.get::<_, i64>(4)? as u64,
                    lines: r.get::<_, i64>(5)? as u64,
                    unparsed: r.get::<_, i64>(6)? as u64,
                    ..SourceReport::default()
                },
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every stored address, in the order it was first stored.
    pub fn addresses(&self, sink: &mut dyn FnMut(IpAddr) -> std::io::Result<()>) -> Result<()> {
        let mut st = self.conn.prepare("SELECT ip FROM addresses ORDER BY id")?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            if let Ok(ip) = r.get::<_, String>(0)?.parse() {
                sink(ip)?;
            }
        }
        Ok(())
    }

    /// What the history says about its runs; the new addresses counted with the private ones
    /// or not.
    pub fn history(&self, include_private: bool) -> Result<History> {
        let (ingests, last_ingest, new_addresses, previous_ingest) = self.conn.query_row(
            "SELECT COUNT(*), MAX(finished),
             (SELECT COUNT(*) FROM addresses WHERE (?1 OR private = 0) AND first_ingest =
              (SELECT id FROM ingests WHERE finished IS NOT NULL ORDER BY id DESC LIMIT 1)),
             (SELECT finished FROM ingests WHERE finished IS NOT NULL ORDER BY id DESC
              LIMIT 1 OFFSET 1)
             FROM ingests WHERE finished IS NOT NULL",
            [include_private],
            |r| {
                Ok((
                    r.get::<_, i64>(0)? as u64,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64,
                    r.get::<_, Option<i64>>(3)?,
                ))
            },
        )?;
        let (oldest_event, events) = self.conn.query_row(
            "SELECT MIN(min_ts), COALESCE(SUM(count), 0) FROM events",
            [],
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, i64>(1)? as u64)),
        )?;
        Ok(History {
            ingests,
            last_ingest,
            previous_ingest,
            new_addresses,
            oldest_event,
            events,
        })
    }

    /// The stored counters as an aggregator for `filter`, with the inputs, locations and
    /// history. With a time filter the counters are rebuilt from the stored events (exact to
    /// the second; events older than the retention are gone, which `history.oldest_event`
    /// tells).
    ///
    /// `select` (`--country`, `--asn`) lets the store skip the addresses it leaves out; the
    /// caller still applies it (with its other conditions) to the report.
    pub fn load(&self, filter: Filter, hours: bool, select: &Select) -> Result<Loaded> {
        let sources = self.sources()?;
        let history = self.history(filter.include_private)?;
        if filter.since.is_none() && filter.until.is_none() {
            let (rows, locations, databases) =
                self.counters(filter.include_private, hours, select)?;
            return Ok(Loaded {
                aggregator: Aggregator::restore(filter, rows),
                sources: sources.into_iter().map(|(_, s)| s).collect(),
                locations,
                databases,
                history,
            });
        }
        let (locations, databases) = self.locations()?;
        let aggregator = {
            let mut agg = Aggregator::new(filter);
            if hours {
                agg = agg.with_hours();
            }
            let index: HashMap<i64, u32> = sources
                .iter()
                .enumerate()
                .map(|(i, (id, _))| (*id, i as u32))
                .collect();
            let (mut seen, stored) = (0u64, self.history(true)?.events);
            self.replay(&index, filter.since, filter.until, &mut |ev| {
                seen += 1;
                agg.add(ev)
            })?;
            // The events outside the range, as a run over the files counts them.
            agg.add_filtered_out(stored - seen);
            agg
        };
        Ok(Loaded {
            aggregator,
            sources: sources.into_iter().map(|(_, s)| s).collect(),
            locations,
            databases,
            history,
        })
    }

    /// A warning when the time range `since`..`until` reaches back before the oldest raw
    /// event kept while the counters hold older events (pruned by `ingest --keep-events`):
    /// those are not counted by a time-filtered view. `None` when the range is whole.
    pub fn retention_warning(
        &self,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        include_private: bool,
    ) -> Result<Option<String>> {
        use crate::parse::timestamp::format_rfc3339;
        if since.is_none() && until.is_none() {
            return Ok(None);
        }
        // The span of the events ever counted, and the oldest still kept.
        let (first, last): (Option<i64>, Option<i64>) = self.conn.query_row(
            "SELECT MIN(first_seen), MAX(last_seen) FROM addresses WHERE (?1 OR private = 0)",
            [include_private],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(None);
        };
        let oldest: Option<i64> =
            self.conn
                .query_row("SELECT MIN(min_ts) FROM events", [], |r| r.get(0))?;
        if oldest.is_some_and(|o| first >= o) {
            return Ok(None); // nothing counted is older than the raw events
        }
        // The pruned span is first..oldest (all of first..=last when none is kept): does the
        // range reach into it?
        let end = oldest.unwrap_or(last.saturating_add(1));
        let reaches = since.is_none_or(|s| s < end) && until.is_none_or(|u| u > first);
        if !reaches {
            return Ok(None);
        }
        let keep: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'keep_events'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let keep = keep.map_or_else(
            || "--keep-events".to_string(),
            |k| format!("--keep-events {k}"),
        );
        let (flag, reach) = if since.is_some() {
            ("--since", "--since reaches further back")
        } else {
            (
                "--until",
                "--until without --since reaches back to the start",
            )
        };
        Ok(Some(match oldest {
            Some(o) => format!(
                "the history keeps raw events from {} on ({keep}); {reach}, so older events \
                 are not counted",
                format_rfc3339(o)
            ),
            None => format!(
                "the history keeps no raw events now ({keep}; its counts start at {}); \
                 {flag} counts raw events only, so no events are counted",
                format_rfc3339(first)
            ),
        }))
    }

    pub(super) fn locations(&self) -> Result<(StoredLocations, Vec<String>)> {
        let mut st = self.conn.prepare(
            "SELECT a.ip, a.country, a.country_name, a.city, a.region, a.lat, a.lon, a.accuracy,
             a.asn, a.as_org, g.description
             FROM addresses a LEFT JOIN geo_data g ON g.id = a.located_with WHERE a.private = 0",
        )?;
        let mut map = HashMap::default();
        let mut with: Vec<String> = Vec::new();
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let Ok(ip) = r.get::<_, String>(0)?.parse::<IpAddr>() else {
                continue;
            };
            let loc = location_at(r, 1)?;
            if let Some(s) = &loc.source
                && !with.contains(s)
            {
                with.push(s.clone());
            }
            map.insert(ip, loc);
        }
        Ok((StoredLocations(map), with))
    }

    /// The stored per-address counters (no time filter).
    fn counters(
        &self,
        include_private: bool,
        hours: bool,
        select: &Select,
    ) -> Result<(Restored, StoredLocations, Vec<String>)> {
        let mut rows = Restored::default();
        let mut locations = HashMap::default();
        let mut with: Vec<String> = Vec::new();
        // Address id → position in `rows.stats`.
        let mut slot: HashMap<i64, u32, RandomState> = HashMap::default();
        let wanted_all = select.countries.is_empty() && select.asns.is_empty();
        {
            let mut wanted = String::new();
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            if !select.countries.is_empty() {
                wanted.push_str(&format!(
                    " AND a.country IN ({})",
                    vec!["?"; select.countries.len()].join(", ")
                ));
                args.extend(select.countries.iter().map(|c| c.clone().into()));
            }
            if !select.asns.is_empty() {
                wanted.push_str(&format!(
                    " AND a.asn IN ({})",
                    vec!["?"; select.asns.len()].join(", ")
                ));
                args.extend(select.asns.iter().map(|a| i64::from(*a).into()));
            }
            let mut st = self.conn.prepare(&format!(
                "SELECT a.id, a.ip, a.private, {COUNTERS}, a.country, a.country_name, a.city,
                 a.region, a.lat, a.lon, a.accuracy, a.asn, a.as_org, g.description
                 FROM addresses a LEFT JOIN geo_data g ON g.id = a.located_with
                 WHERE a.private = 1 OR (1 = 1{wanted}) ORDER BY a.id"
            ))?;
            let mut q = st.query(rusqlite::params_from_iter(args))?;
            while let Some(r) = q.next()? {
                let id: i64 = r.get(0)?;
                let Ok(ip) = r.get::<_, String>(1)?.parse::<IpAddr>() else {
                    continue;
                };
                let private = r.get::<_, i64>(2)? != 0;
                if private && !include_private {
                    rows.private.push(ip);
                    continue;
                }
                let stats = stats_at(r, 3)?;
                if !private {
                    let loc = location_at(r, 20)?;
                    if let Some(s) = &loc.source
                        && !with.contains(s)
                    {
                        with.push(s.clone());
                    }
                    locations.insert(ip, loc);
                }
                slot.insert(id, rows.stats.len() as u32);
                rows.stats.push((ip, stats));
            }
        }
        {
            let mut user_index: HashMap<i64, u32, RandomState> = HashMap::default();
            let mut st = self.conn.prepare(
                "SELECT u.address_id, u.name_id, n.name, u.attempts, u.successes
                 FROM users u JOIN names n ON n.id = u.name_id",
            )?;
            let mut q = st.query([])?;
            while let Some(r) = q.next()? {
                let Some(&i) = slot.get(&r.get::<_, i64>(0)?) else {
                    continue;
                };
                let name_id: i64 = r.get(1)?;
                let id = match user_index.get(&name_id) {
                    Some(&id) => id,
                    None => {
                        let id = rows.user_names.len() as u32;
                        rows.user_names.push(Arc::from(r.get::<_, String>(2)?));
                        user_index.insert(name_id, id);
                        id
                    }
                };
                rows.stats[i as usize].1.users.push(UserCount {
                    id,
                    attempts: r.get::<_, i64>(3)? as u32,
                    successes: r.get::<_, i64>(4)? as u32,
                });
            }
        }
        if hours {
            self.fill_hours(&slot, &mut rows.stats)?;
        }
        let private = if include_private { 1 } else { 0 };
        if !wanted_all {
            rows.newest = self.conn.query_row(
                "SELECT MAX(last_seen) FROM addresses WHERE private <= ?1",
                [private],
                |r| r.get(0),
            )?;
        }
        rows.hours = self.sums(
            "SELECT hour, SUM(events), SUM(failures), SUM(successes) FROM timeline
             WHERE private <= ?1 GROUP BY hour",
            private,
        )?;
        let minutes: BTreeMap<Timestamp, [u64; 3]> = self.sums(
            "SELECT minute, SUM(events), SUM(failures), 0 FROM minutes
             WHERE private <= ?1 GROUP BY minute",
            private,
        )?;
        rows.minutes = minutes
            .into_iter()
            .map(|(m, c)| (m, [c[0], c[1]]))
            .collect();
        // Version 1 stores have no such tables (`ingest` migrates them).
        if self.version()? >= 2 {
            rows.totals = self.totals(0)?;
            if include_private {
                rows.totals.merge(self.totals(1)?);
            }
        }
        Ok((rows, StoredLocations(locations), with))
    }

    /// Destination ports, status codes, paths and user agents of public (`private` 0) or
    /// private addresses.
    fn totals(&self, private: i64) -> Result<LogTotals> {
        let mut t = LogTotals::default();
        let mut st = self.conn.prepare(
            "SELECT n.name, p.port, p.events, p.blocked, p.allowed FROM ports p
             JOIN names n ON n.id = p.proto_id WHERE p.private = ?1",
        )?;
        let mut q = st.query([private])?;
        while let Some(r) = q.next()? {
            let proto: String = r.get(0)?;
            let port: i64 = r.get(1)?;
            let c = PortCount {
                events: r.get::<_, i64>(2)? as u64,
                blocked: r.get::<_, i64>(3)? as u64,
                allowed: r.get::<_, i64>(4)? as u64,
            };
            t.ports
                .entry(proto.into_boxed_str())
                .or_default()
                .insert(u16::try_from(port).ok(), c);
        }
        let mut st = self
            .conn
            .prepare("SELECT status, events FROM statuses WHERE private = ?1")?;
        let mut q = st.query([private])?;
        while let Some(r) = q.next()? {
            t.statuses
                .insert(r.get::<_, i64>(0)? as u16, r.get::<_, i64>(1)? as u64);
        }
        t.paths = load_top(&self.conn, "path", private, DEFAULT_CAPACITY)?;
        t.user_agents = load_top(&self.conn, "user_agent", private, DEFAULT_CAPACITY)?;
        Ok(t)
    }

    /// Each address's events per hour (the map's time filter), from the events kept.
    fn fill_hours(
        &self,
        slot: &HashMap<i64, u32, RandomState>,
        stats: &mut [(IpAddr, IpStats)],
    ) -> Result<()> {
        let mut st = self
            .conn
            .prepare("SELECT count, data FROM events ORDER BY id")?;
        let mut q = st.query([])?;
        while let Some(row) = q.next()? {
            let count: i64 = row.get(0)?;
            let data: Vec<u8> = row.get(1)?;
            let mut block = BlockReader::new(&data, (count.max(1) as u64) * 128)?;
            while let Some(r) = block.next_record()? {
                let (Some(&i), Some(t)) = (slot.get(&r.address), r.ts) else {
                    continue;
                };
                stats[i as usize].1.count_hour(t, u64::from(r.repeat));
            }
        }
        Ok(())
    }

    fn sums(&self, sql: &str, private: i64) -> Result<BTreeMap<Timestamp, [u64; 3]>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st.query_map([private], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                [
                    r.get::<_, i64>(1)? as u64,
                    r.get::<_, i64>(2)? as u64,
                    r.get::<_, i64>(3)? as u64,
                ],
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Hand every stored event with a time in `[since, until)` (all, when both are `None`) to
    /// `sink`, in the order they were stored. `sources` maps a source id to the index the
    /// event's `source` gets.
    pub fn replay(
        &self,
        sources: &HashMap<i64, u32>,
        since: Option<Timestamp>,
        until: Option<Timestamp>,
        sink: &mut dyn FnMut(&Event),
    ) -> Result<()> {
        let names = self.id_names("SELECT id, name FROM names")?;
        let hosts = self.id_names("SELECT id, name FROM hosts")?;
        let ips: HashMap<i64, IpAddr> = {
            let mut st = self.conn.prepare("SELECT id, ip FROM addresses")?;
            let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            let mut m = HashMap::new();
            for row in rows {
                let (id, ip) = row?;
                if let Ok(ip) = ip.parse() {
                    m.insert(id, ip);
                }
            }
            m
        };
        let filtered = since.is_some() || until.is_some();
        // Blocks that may hold events of the range (times are not always in order).
        let mut st = self.conn.prepare(
            "SELECT source_id, count, data FROM events
             WHERE (?1 IS NULL OR max_ts >= ?1) AND (?2 IS NULL OR min_ts < ?2)
             ORDER BY id",
        )?;
        let mut q = st.query(params![since, until])?;
        let text = |id: Option<i64>| -> Option<Cow<'static, str>> {
            id.and_then(|i| names.get(&i))
                .map(|s| Cow::Owned(s.to_string()))
        };
        while let Some(row) = q.next()? {
            let source = sources.get(&row.get::<_, i64>(0)?).copied().unwrap_or(0);
            let count: i64 = row.get(1)?;
            let data: Vec<u8> = row.get(2)?;
            // A record takes at most ~100 bytes: a bound for a damaged block.
            let mut block = BlockReader::new(&data, (count.max(1) as u64) * 128)?;
            while let Some(r) = block.next_record()? {
                if filtered
                    && !r.ts.is_some_and(|t| {
                        since.is_none_or(|s| t >= s) && until.is_none_or(|u| t < u)
                    })
                {
                    continue;
                }
                let Some(&ip) = ips.get(&r.address) else {
                    continue;
                };
                let kind = Kind::ALL
                    .get(usize::from(r.kind))
                    .copied()
                    .unwrap_or(Kind::Other);
                let service = text(Some(r.service)).unwrap_or(Cow::Borrowed(""));
                let mut ev = Event::new(kind, ip, service);
                ev.ts = r.ts;
                ev.source = source;
                ev.line_no = r.line;
                ev.user = text(r.user);
                ev.method = text(r.method);
                ev.port = r.port;
                ev.repeat = r.repeat;
                ev.failures = r.failures;
                ev.extra.status = r.status;
                ev.extra.path = text(r.path);
                ev.extra.user_agent = text(r.agent);
                ev.extra.bytes = r.bytes;
                ev.extra.dst_port = r.dst_port;
                ev.extra.proto = text(r.proto);
                ev.extra.host = r
                    .host
                    .and_then(|h| hosts.get(&h))
                    .map(|s| Cow::Owned(s.to_string()));
                sink(&ev);
            }
        }
        Ok(())
    }

    fn id_names(&self, sql: &str) -> Result<HashMap<i64, Arc<str>>> {
        let mut st = self.conn.prepare(sql)?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, Arc::from(r.get::<_, String>(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Store {
    /// What `logmap db info` says about the history: where it is, how big, what it read and
    /// how far, and what it holds.
    pub fn describe(&self) -> Result<String> {
        use crate::parse::timestamp::format_rfc3339;
        use crate::render::table::num;
        use crate::render::text::safe;
        use std::fmt::Write;
        let mut o = String::new();
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let mut wal = self.path().as_os_str().to_owned();
        wal.push("-wal");
        let bytes = size(self.path()) + size(std::path::Path::new(&wal));
        let version: String = self.conn.query_row(
            "SELECT value FROM meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )?;
        let _ = writeln!(
            o,
            "  {}: {:.1} MB, schema version {version}",
            self.path().display(),
            bytes as f64 / 1e6
        );
        let (addresses, private, first, last): (i64, i64, Option<i64>, Option<i64>) =
            self.conn.query_row(
                "SELECT COUNT(*), COALESCE(SUM(private), 0), MIN(first_seen), MAX(last_seen)
                 FROM addresses",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        // New addresses counted as `summary --db` counts them: public ones.
        let h = self.history(false)?;
        let t = |v: Option<i64>| v.map_or_else(|| "-".to_string(), format_rfc3339);
        let _ = writeln!(
            o,
            "  {} addresses ({} private), events from {} to {}",
            num(addresses as u64),
            num(private as u64),
            t(first),
            t(last)
        );
        let _ = writeln!(
            o,
            "  {} raw events kept (oldest {}); {} ingest runs, the last at {} ({} new public \
             addresses)",
            num(h.events),
            t(h.oldest_event),
            num(h.ingests),
            t(h.last_ingest),
            num(h.new_addresses)
        );
        let mut st = self.conn.prepare(
            // The run that last stored lines of the source (runs that store nothing are not
            // kept, and do not move `last_ingest`); a killed run has no `finished`.
            "SELECT s.path, s.kind, s.\"offset\", s.line, s.cursor, s.format,
             COALESCE(i.finished, i.started)
             FROM sources s LEFT JOIN ingests i ON i.id = s.last_ingest ORDER BY s.id",
        )?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let path: String = r.get(0)?;
            let kind: String = r.get(1)?;
            let offset: i64 = r.get(2)?;
            let line: i64 = r.get(3)?;
            let cursor: Option<String> = r.get(4)?;
            let format: Option<String> = r.get(5)?;
            let when: Option<i64> = r.get(6)?;
            let at = if kind == "journal" {
                format!("cursor {}", cursor.as_deref().unwrap_or("-"))
            } else {
                format!("byte {}", num(offset as u64))
            };
            let _ = writeln!(
                o,
                "  source {} ({}): line {}, {at}, new lines last read {}",
                safe(&path, 200),
                format.as_deref().unwrap_or("?"),
                num(line as u64),
                t(when)
            );
        }
        Ok(o)
    }
}
