//! Committing a batch: its events, its counters and the new position of its input, in one
//! transaction (see the module docs of [`crate::store`], "Exactly once").

use std::collections::HashMap;
use std::net::IpAddr;

use anyhow::Result;
use foldhash::fast::RandomState;
use rusqlite::{OptionalExtension, Transaction, params};

use super::Store;
use super::events::{BlockWriter, Record};
use crate::aggregate::topk::{Count, TopK};
use crate::aggregate::{Aggregator, Filter, IpStats, LogTotals, MAX_PROTOCOLS, Tables};
use crate::enrich::{Locate, Location};
use crate::parse::Event;
use crate::parse::scope::scope;

/// Strings of a batch, stored once (`names` table).
#[derive(Default)]
pub struct Names {
    ids: HashMap<Box<str>, u32, RandomState>,
    list: Vec<Box<str>>,
}

impl Names {
    /// The batch-local id of `s`.
    pub fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.list.len() as u32;
        self.list.push(Box::from(s));
        self.ids.insert(Box::from(s), id);
        id
    }
}

/// Where an input stands after a batch.
#[derive(Clone, Debug, Default)]
pub struct Position {
    pub offset: u64,
    pub line: u64,
    pub state: Option<String>,
    pub cursor: Option<String>,
}

/// What one batch of lines of one input adds.
pub struct Batch {
    pub source_id: i64,
    /// Events of public addresses, counted as a one-shot run counts them.
    pub public: Aggregator,
    /// Events of private addresses, counted apart (views leave them out unless asked).
    pub private: Aggregator,
    /// The events, encoded as the `events` table keeps them but with batch-local ids: strings
    /// index `names`, addresses `ips` (a few bytes an event, so a batch can be big).
    pub events: BlockWriter,
    pub names: Names,
    pub ips: Vec<IpAddr>,
    ip_index: HashMap<IpAddr, u32, RandomState>,
    pub lines: u64,
    pub unparsed: u64,
    /// The input's position after the batch.
    pub position: Position,
}

impl Batch {
    pub fn new(source_id: i64) -> Batch {
        Batch {
            source_id,
            public: Aggregator::new(Filter::default()),
            private: Aggregator::new(Filter {
                include_private: true,
                ..Filter::default()
            }),
            events: BlockWriter::default(),
            names: Names::default(),
            ips: Vec::new(),
            ip_index: HashMap::default(),
            lines: 0,
            unparsed: 0,
            position: Position::default(),
        }
    }

    /// Count and keep one event.
    pub fn add(&mut self, ev: &Event) {
        if scope(ev.ip).is_global() {
            self.public.add(ev);
        } else {
            self.private.add(ev);
        }
        let next = self.ips.len() as u32;
        let address = *self.ip_index.entry(ev.ip).or_insert(next);
        if address == next {
            self.ips.push(ev.ip);
        }
        let n = &mut self.names;
        let mut id = |s: &str| i64::from(n.id(s));
        self.events.push(&Record {
            ts: ev.ts,
            line: ev.line_no,
            address: i64::from(address),
            kind: ev.kind.index() as u8,
            service: id(&ev.service),
            repeat: ev.repeat,
            failures: ev.failures,
            user: ev.user.as_deref().map(&mut id),
            method: ev.method.as_deref().map(&mut id),
            port: ev.port,
            status: ev.extra.status,
            path: ev.extra.path.as_deref().map(&mut id),
            agent: ev.extra.user_agent.as_deref().map(&mut id),
            bytes: ev.extra.bytes,
            dst_port: ev.extra.dst_port,
            proto: ev.extra.proto.as_deref().map(&mut id),
            host: ev.extra.host.as_deref().map(&mut id),
        });
    }
}

/// The ids of addresses, names and hosts a writer has seen: read once from the store, then
/// kept up to date by the writer. A long-lived writer (the live server) keeps them from one
/// pass to the next. Ids never change; a row another writer added meanwhile is found when
/// first needed.
#[derive(Default)]
pub struct Ids {
    addresses: HashMap<IpAddr, i64, RandomState>,
    names: HashMap<Box<str>, i64, RandomState>,
    hosts: HashMap<Box<str>, i64, RandomState>,
    /// Every address of the store is in `addresses` (so one that is not is new); otherwise
    /// an address not there yet is looked up in the store when first needed.
    complete: bool,
}

/// Up to this many addresses, a writer reads them all at the start; past it, it looks up only
/// those it meets (a small run on a big store then costs what it reads, not the store's size).
const PRELOAD: i64 = 20_000;

impl Ids {
    /// The ids to start from: every one, for a small store; none (found when needed) for a
    /// big one.
    pub fn load(store: &Store) -> Result<Ids> {
        let mut ids = Ids::default();
        let count: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM addresses", [], |r| r.get(0))?;
        if count > PRELOAD {
            return Ok(ids);
        }
        ids.complete = true;
        let mut st = store.conn.prepare("SELECT id, ip FROM addresses")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, ip) = row?;
            if let Ok(ip) = ip.parse() {
                ids.addresses.insert(ip, id);
            }
        }
        for (table, map) in [("names", &mut ids.names), ("hosts", &mut ids.hosts)] {
            let mut st = store
                .conn
                .prepare(&format!("SELECT id, name FROM {table}"))?;
            let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (id, name) = row?;
                map.insert(name.into_boxed_str(), id);
            }
        }
        Ok(ids)
    }
}

/// Writes batches into a store.
pub struct Writer<'s, 'h> {
    store: &'s mut Store,
    ingest: i64,
    geo: &'s dyn Locate,
    /// The `geo_data` id of the data that locates new addresses.
    located_with: i64,
    ids: &'h mut Ids,
    /// Addresses first stored by this writer.
    pub new_addresses: u64,
    pub lines: u64,
    pub events: u64,
    /// Called after each commit with what it changed (the live server pushes it).
    pub on_commit: Option<&'h mut dyn FnMut(&Committed)>,
}

/// What one committed batch changed.
#[derive(Clone, Debug, Default)]
pub struct Committed {
    /// The addresses whose counters changed (new ones included), public and private.
    pub addresses: Vec<IpAddr>,
    /// Of those, the ones stored for the first time.
    pub new: Vec<IpAddr>,
    pub lines: u64,
    pub events: u64,
}

impl<'s, 'h> Writer<'s, 'h> {
    /// A writer for the ingest run `ingest`, locating new addresses with `geo` (described by
    /// `located_with`), with the ids it knows.
    pub fn new(
        store: &'s mut Store,
        ingest: i64,
        geo: &'s dyn Locate,
        located_with: String,
        ids: &'h mut Ids,
    ) -> Result<Writer<'s, 'h>> {
        store.conn.execute(
            "INSERT INTO geo_data (description) VALUES (?1) ON CONFLICT (description) DO NOTHING",
            [&located_with],
        )?;
        let located_with: i64 = store.conn.query_row(
            "SELECT id FROM geo_data WHERE description = ?1",
            [&located_with],
            |r| r.get(0),
        )?;
        Ok(Writer {
            store,
            ingest,
            geo,
            located_with,
            ids,
            new_addresses: 0,
            lines: 0,
            events: 0,
            on_commit: None,
        })
    }

    /// The store written to.
    pub fn store(&mut self) -> &mut Store {
        self.store
    }

    /// The id of a host name, adding it.
    pub fn host_id(&mut self, name: &str) -> Result<i64> {
        if let Some(&id) = self.ids.hosts.get(name) {
            return Ok(id);
        }
        self.store.conn.execute(
            "INSERT INTO hosts (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [name],
        )?;
        let id: i64 =
            self.store
                .conn
                .query_row("SELECT id FROM hosts WHERE name = ?1", [name], |r| r.get(0))?;
        self.ids.hosts.insert(Box::from(name), id);
        Ok(id)
    }

    /// Commit `batch`: everything it adds, and its input's new position, or nothing.
    pub fn commit(&mut self, batch: Batch) -> Result<()> {
        let name = self.store.path().display().to_string();
        self.commit_batch(batch).map_err(|e| {
            anyhow::anyhow!(
                "{name}: cannot store a batch ({e}); nothing of it was kept, the next run reads \
                 it again"
            )
        })
    }

    fn commit_batch(&mut self, mut batch: Batch) -> Result<()> {
        let mut changed: Vec<IpAddr> = Vec::new();
        if self.on_commit.is_some() {
            for agg in [&mut batch.public, &mut batch.private] {
                changed.extend(agg.tables().stats.iter().map(|(ip, _)| *ip));
            }
        }
        let Writer {
            store,
            ingest,
            geo,
            located_with,
            ids: known,
            new_addresses,
            ..
        } = self;
        let Ids {
            addresses,
            names,
            hosts,
            complete,
        } = &mut **known;
        let tx = store.conn.transaction()?;
        let mut ctx = Ctx {
            tx: &tx,
            ingest: *ingest,
            geo: *geo,
            located_with: *located_with,
            addresses,
            names,
            complete: *complete,
            new_addresses: 0,
            inserted: Vec::new(),
            located: HashMap::default(),
        };
        let ids: Vec<i64> = batch
            .names
            .list
            .iter()
            .map(|n| ctx.name_id(n))
            .collect::<Result<_>>()?;
        ctx.add_tables(batch.public.tables(), false)?;
        ctx.add_tables(batch.private.tables(), true)?;
        // The batch's events again, with the store's ids.
        let addresses: Vec<i64> = batch
            .ips
            .iter()
            .map(|ip| ctx.address_id(*ip))
            .collect::<Result<_>>()?;
        let mut host_ids: HashMap<i64, i64, RandomState> = HashMap::default();
        let mut block = BlockWriter::default();
        let count = batch.events.count();
        let mut local = std::mem::take(&mut batch.events).into_reader();
        while let Some(r) = local.next_record()? {
            let name = |id: Option<i64>| id.map(|i| ids[i as usize]);
            let host = match r.host {
                Some(h) => Some(match host_ids.get(&h) {
                    Some(&id) => id,
                    None => {
                        let id = host_id_in(&tx, hosts, &batch.names.list[h as usize])?;
                        host_ids.insert(h, id);
                        id
                    }
                }),
                None => None,
            };
            block.push(&Record {
                address: addresses[r.address as usize],
                service: ids[r.service as usize],
                user: name(r.user),
                method: name(r.method),
                path: name(r.path),
                agent: name(r.agent),
                proto: name(r.proto),
                host,
                ..r
            });
        }
        if block.count() > 0 {
            let (first, last) = (block.first_line.unwrap_or(0), block.last_line);
            let (min_ts, max_ts, count) = (block.min_ts, block.max_ts, block.count());
            tx.execute(
                "INSERT INTO events (source_id, first_line, last_line, min_ts, max_ts, count, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    batch.source_id,
                    first as i64,
                    last as i64,
                    min_ts,
                    max_ts,
                    count as i64,
                    block.finish()?
                ],
            )?;
        }
        let p = &batch.position;
        tx.execute(
            "UPDATE sources SET \"offset\" = ?2, line = ?3, state = ?4, cursor = ?5,
             unparsed = unparsed + ?6, first_ingest = COALESCE(first_ingest, ?7),
             last_ingest = ?7 WHERE id = ?1",
            params![
                batch.source_id,
                p.offset as i64,
                p.line as i64,
                p.state,
                p.cursor,
                batch.unparsed as i64,
                *ingest
            ],
        )?;
        tx.execute(
            "UPDATE ingests SET lines = lines + ?2, events = events + ?3,
             new_addresses = new_addresses + ?4 WHERE id = ?1",
            params![
                *ingest,
                batch.lines as i64,
                count as i64,
                ctx.new_addresses as i64
            ],
        )?;
        let added = ctx.new_addresses;
        let new = std::mem::take(&mut ctx.inserted);
        tx.commit()?;
        *new_addresses += added;
        self.lines += batch.lines;
        self.events += count;
        if let Some(hook) = self.on_commit.as_mut() {
            hook(&Committed {
                addresses: changed,
                new,
                lines: batch.lines,
                events: count,
            });
        }
        Ok(())
    }
}

fn host_id_in(
    tx: &Transaction,
    hosts: &mut HashMap<Box<str>, i64, RandomState>,
    name: &str,
) -> Result<i64> {
    if let Some(&id) = hosts.get(name) {
        return Ok(id);
    }
    tx.execute(
        "INSERT INTO hosts (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
        [name],
    )?;
    let id: i64 = tx.query_row("SELECT id FROM hosts WHERE name = ?1", [name], |r| r.get(0))?;
    hosts.insert(Box::from(name), id);
    Ok(id)
}

/// Addresses of a batch located together (their locations are held until they are stored).
const LOCATE_GROUP: usize = 4096;

/// One transaction's view of the writer.
struct Ctx<'t, 'w> {
    tx: &'t Transaction<'t>,
    ingest: i64,
    geo: &'w dyn Locate,
    located_with: i64,
    addresses: &'w mut HashMap<IpAddr, i64, RandomState>,
    names: &'w mut HashMap<Box<str>, i64, RandomState>,
    /// `addresses` holds every stored address.
    complete: bool,
    new_addresses: u64,
    /// The addresses this transaction stored for the first time.
    inserted: Vec<IpAddr>,
    /// New addresses of the batch, located ahead on every core (see [`Ctx::add_tables`]).
    located: HashMap<IpAddr, Location, RandomState>,
}

impl Ctx<'_, '_> {
    fn name_id(&mut self, name: &str) -> Result<i64> {
        if let Some(&id) = self.names.get(name) {
            return Ok(id);
        }
        self.tx
            .prepare_cached("INSERT INTO names (name) VALUES (?1) ON CONFLICT (name) DO NOTHING")?
            .execute([name])?;
        let id: i64 = self
            .tx
            .prepare_cached("SELECT id FROM names WHERE name = ?1")?
            .query_row([name], |r| r.get(0))?;
        self.names.insert(Box::from(name), id);
        Ok(id)
    }

    /// The id of an address, stored (and located) on first sight.
    fn address_id(&mut self, ip: IpAddr) -> Result<i64> {
        match self.known(ip)? {
            Some(id) => Ok(id),
            None => self.insert_address(ip, None).map(|(id, _)| id),
        }
    }

    /// The id of a stored address, if it is one.
    fn known(&mut self, ip: IpAddr) -> Result<Option<i64>> {
        if let Some(&id) = self.addresses.get(&ip) {
            return Ok(Some(id));
        }
        if self.complete {
            return Ok(None);
        }
        let id: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM addresses WHERE ip = ?1")?
            .query_row([ip.to_string()], |r| r.get(0))
            .optional()?;
        if let Some(id) = id {
            self.addresses.insert(ip, id);
        }
        Ok(id)
    }

    /// Store a new address, located, with its first counters: its id, and `false` if another
    /// writer had stored it meanwhile (then nothing was written).
    fn insert_address(&mut self, ip: IpAddr, st: Option<&IpStats>) -> Result<(i64, bool)> {
        let private = !scope(ip).is_global();
        let loc = if private {
            Location::default()
        } else {
            match self.located.remove(&ip) {
                Some(loc) => loc,
                None => self.geo.locate(ip),
            }
        };
        let empty = IpStats::default();
        let st = st.unwrap_or(&empty);
        let k = &st.kinds;
        let (first, last) = st.seen().map_or((None, None), |(f, l)| (Some(f), Some(l)));
        let mut ins = self.tx.prepare_cached(
            "INSERT INTO addresses (ip, private, first_ingest, events, failures, successes,
             first_seen, last_seen, k_auth_failure, k_invalid_user, k_policy_reject,
             k_too_many_failures, k_auth_success, k_preauth_disconnect, k_scan, k_other,
             k_request, k_blocked, k_allowed, k_seen, country, country_name, city, region, lat,
             lon, accuracy, asn, as_org, located_with)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)
             ON CONFLICT (ip) DO NOTHING",
        )?;
        let inserted = ins.execute(params![
            ip.to_string(),
            private as i64,
            self.ingest,
            st.events as i64,
            st.failures as i64,
            st.successes as i64,
            first,
            last,
            k[0],
            k[1],
            k[2],
            k[3],
            k[4],
            k[5],
            k[6],
            k[7],
            k[8],
            k[9],
            k[10],
            k[11],
            loc.country,
            loc.country_name,
            loc.city,
            loc.region,
            loc.lat,
            loc.lon,
            loc.accuracy.map(|a| a.as_str()),
            loc.asn,
            loc.as_org,
            (!private).then_some(self.located_with),
        ])? == 1;
        let id = if inserted {
            self.new_addresses += 1;
            self.inserted.push(ip);
            self.tx.last_insert_rowid()
        } else {
            self.tx.query_row(
                "SELECT id FROM addresses WHERE ip = ?1",
                [ip.to_string()],
                |r| r.get(0),
            )?
        };
        self.addresses.insert(ip, id);
        Ok((id, inserted))
    }

    /// Add an aggregator's counters (`private`: of private addresses).
    fn add_tables(&mut self, t: Tables<'_>, private: bool) -> Result<()> {
        let user_ids: Vec<i64> = t
            .user_names
            .iter()
            .map(|n| self.name_id(n))
            .collect::<Result<_>>()?;
        // Locating the new addresses is most of what a run over a little new data does (each
        // city look-up may unpack a block of the table): on every core, a group at a time.
        for group in t.stats.chunks(LOCATE_GROUP) {
            if !private {
                self.locate_new(group)?;
            }
            self.add_stats(group, &user_ids)?;
        }
        for ip in &t.private {
            self.address_id(*ip)?;
        }
        self.add_totals(&t, private)
    }

    /// Locate the addresses of `stats` not stored yet, for [`Ctx::insert_address`].
    fn locate_new(&mut self, stats: &[(IpAddr, IpStats)]) -> Result<()> {
        let mut new = Vec::new();
        for (ip, _) in stats {
            if self.known(*ip)?.is_none() && scope(*ip).is_global() {
                new.push(*ip);
            }
        }
        let located = crate::enrich::locate_all(self.geo, &new, crate::pipeline::threads())
            .map_err(|why| anyhow::anyhow!("a geolocation thread failed: {why}"))?;
        self.located.extend(new.into_iter().zip(located));
        Ok(())
    }

    /// Add the counters of `stats` to their addresses, storing the new ones.
    fn add_stats(&mut self, stats: &[(IpAddr, IpStats)], user_ids: &[i64]) -> Result<()> {
        for (ip, st) in stats {
            // An address located just now was not stored a moment ago: no need to ask again
            // (a big store is asked per address).
            let stored = if self.located.contains_key(ip) {
                None
            } else {
                self.known(*ip)?
            };
            let id = match stored {
                Some(id) => id,
                None => match self.insert_address(*ip, Some(st))? {
                    (id, true) => {
                        self.add_details(id, st, user_ids)?;
                        continue;
                    }
                    // Stored meanwhile by another writer: add to it.
                    (id, false) => id,
                },
            };
            let (first, last) = match st.seen() {
                Some((f, l)) => (Some(f), Some(l)),
                None => (None, None),
            };
            let mut up = self.tx.prepare_cached(
                "UPDATE addresses SET events = events + ?2, failures = failures + ?3,
                 successes = successes + ?4,
                 first_seen = CASE WHEN first_seen IS NULL OR ?5 < first_seen THEN ?5 ELSE first_seen END,
                 last_seen = CASE WHEN last_seen IS NULL OR ?6 > last_seen THEN ?6 ELSE last_seen END,
                 k_auth_failure = k_auth_failure + ?7, k_invalid_user = k_invalid_user + ?8,
                 k_policy_reject = k_policy_reject + ?9,
                 k_too_many_failures = k_too_many_failures + ?10,
                 k_auth_success = k_auth_success + ?11,
                 k_preauth_disconnect = k_preauth_disconnect + ?12, k_scan = k_scan + ?13,
                 k_other = k_other + ?14, k_request = k_request + ?15,
                 k_blocked = k_blocked + ?16, k_allowed = k_allowed + ?17, k_seen = k_seen + ?18
                 WHERE id = ?1",
            )?;
            let k = &st.kinds;
            up.execute(params![
                id,
                st.events as i64,
                st.failures as i64,
                st.successes as i64,
                first,
                last,
                k[0],
                k[1],
                k[2],
                k[3],
                k[4],
                k[5],
                k[6],
                k[7],
                k[8],
                k[9],
                k[10],
                k[11],
            ])?;
            self.add_details(id, st, user_ids)?;
        }
        Ok(())
    }

    /// Add an address's users. (Its active hours are not stored: the map finds them in the
    /// events, see `read.rs`.)
    fn add_details(&mut self, id: i64, st: &IpStats, user_ids: &[i64]) -> Result<()> {
        let mut users = self.tx.prepare_cached(
            "INSERT INTO users (address_id, name_id, attempts, successes) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (address_id, name_id) DO UPDATE SET
             attempts = users.attempts + excluded.attempts,
             successes = users.successes + excluded.successes",
        )?;
        for u in &st.users {
            users.execute(params![
                id,
                user_ids[u.id as usize],
                u.attempts,
                u.successes
            ])?;
        }
        Ok(())
    }

    /// Add an aggregator's time buckets.
    fn add_totals(&mut self, t: &Tables<'_>, private: bool) -> Result<()> {
        let mut timeline = self.tx.prepare_cached(
            "INSERT INTO timeline (hour, private, events, failures, successes) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (hour, private) DO UPDATE SET events = timeline.events + excluded.events,
             failures = timeline.failures + excluded.failures,
             successes = timeline.successes + excluded.successes",
        )?;
        for (&h, c) in t.hours {
            timeline.execute(params![
                h,
                private as i64,
                c[0] as i64,
                c[1] as i64,
                c[2] as i64
            ])?;
        }
        let mut minutes = self.tx.prepare_cached(
            "INSERT INTO minutes (minute, private, events, failures) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (minute, private) DO UPDATE SET events = minutes.events + excluded.events,
             failures = minutes.failures + excluded.failures",
        )?;
        for (&m, c) in t.minutes {
            minutes.execute(params![m, private as i64, c[0] as i64, c[1] as i64])?;
        }
        self.add_log_totals(t.totals, private)
    }

    /// Add destination ports, status codes, paths and user agents (`private`: of private
    /// addresses). Ports and status codes are sums; the bounded counters of paths and user
    /// agents are merged with the stored ones (`TopK::merge`) and written back whole.
    fn add_log_totals(&mut self, t: &LogTotals, private: bool) -> Result<()> {
        let private = private as i64;
        for (proto, ports) in &t.ports {
            // As in the aggregator, at most MAX_PROTOCOLS protocols are kept apart.
            let known: bool = self.tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM ports p JOIN names n ON n.id = p.proto_id
                 WHERE p.private = ?1 AND n.name = ?2)",
                params![private, &**proto],
                |r| r.get(0),
            )?;
            let protocols: i64 = self.tx.query_row(
                "SELECT COUNT(DISTINCT proto_id) FROM ports WHERE private = ?1",
                [private],
                |r| r.get(0),
            )?;
            let proto = if known || protocols < MAX_PROTOCOLS as i64 {
                &**proto
            } else {
                "other"
            };
            let proto_id = self.name_id(proto)?;
            let mut up = self.tx.prepare_cached(
                "INSERT INTO ports (private, proto_id, port, events, blocked, allowed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (private, proto_id, port) DO UPDATE SET
                 events = ports.events + excluded.events,
                 blocked = ports.blocked + excluded.blocked,
                 allowed = ports.allowed + excluded.allowed",
            )?;
            for (port, c) in ports {
                up.execute(params![
                    private,
                    proto_id,
                    port.map_or(-1, i64::from),
                    c.events as i64,
                    c.blocked as i64,
                    c.allowed as i64
                ])?;
            }
        }
        let mut up = self.tx.prepare_cached(
            "INSERT INTO statuses (private, status, events) VALUES (?1, ?2, ?3)
             ON CONFLICT (private, status) DO UPDATE SET events = statuses.events + excluded.events",
        )?;
        for (&status, &n) in &t.statuses {
            up.execute(params![private, status, n as i64])?;
        }
        for (counter, top) in [("path", &t.paths), ("user_agent", &t.user_agents)] {
            if top.is_empty() && top.floor() == 0 {
                continue;
            }
            let mut merged = load_top(self.tx, counter, private, top.capacity())?;
            merged.merge(top.clone());
            self.tx.execute(
                "DELETE FROM top_strings WHERE counter = ?1 AND private = ?2",
                params![counter, private],
            )?;
            let entries: Vec<(&str, Count, u64)> = merged.entries().collect();
            for (item, c, seq) in entries {
                let name_id = self.name_id(item)?;
                let mut ins = self.tx.prepare_cached(
                    "INSERT INTO top_strings (counter, private, name_id, count, error, seq)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                ins.execute(params![
                    counter,
                    private,
                    name_id,
                    c.count as i64,
                    c.error as i64,
                    seq as i64
                ])?;
            }
            self.tx.execute(
                "INSERT INTO top_floors (counter, private, floor, next_seq) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (counter, private) DO UPDATE SET floor = excluded.floor,
                 next_seq = excluded.next_seq",
                params![
                    counter,
                    private,
                    merged.floor() as i64,
                    merged.next_seq() as i64
                ],
            )?;
        }
        Ok(())
    }
}

/// The stored bounded counter `counter` (`path`, `user_agent`) of public (`private` 0) or
/// private addresses; empty when there is none yet.
pub(crate) fn load_top(
    conn: &rusqlite::Connection,
    counter: &str,
    private: i64,
    capacity: usize,
) -> Result<TopK> {
    let (floor, next_seq): (i64, i64) = conn
        .query_row(
            "SELECT floor, next_seq FROM top_floors WHERE counter = ?1 AND private = ?2",
            params![counter, private],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, 0));
    let mut st = conn.prepare_cached(
        "SELECT n.name, t.count, t.error, t.seq FROM top_strings t JOIN names n ON n.id = t.name_id
         WHERE t.counter = ?1 AND t.private = ?2",
    )?;
    let rows = st.query_map(params![counter, private], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Count {
                count: r.get::<_, i64>(1)? as u64,
                error: r.get::<_, i64>(2)? as u64,
            },
            r.get::<_, i64>(3)? as u64,
        ))
    })?;
    let entries: Vec<(String, Count, u64)> = rows.collect::<Result<_, _>>()?;
    Ok(TopK::from_entries(
        capacity,
        floor as u64,
        next_seq as u64,
        entries,
    ))
}
