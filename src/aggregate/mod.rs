//! Aggregate: the one stateful stage. Counts per address, user and time while events stream
//! past, then — once, per distinct address — asks the geolocation and builds the [`Report`]
//! every output renders.
//!
//! Memory grows with the number of distinct addresses (and address × user pairs), never with
//! the number of lines.

mod report;

pub use report::*;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;

use foldhash::fast::RandomState;

use crate::enrich::Locate;
use crate::parse::scope::scope;
use crate::parse::{Event, Kind, Timestamp};
use crate::pipeline::SourceReport;

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

/// Counters of one address.
#[derive(Clone, Debug, Default)]
pub struct IpStats {
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
    pub kinds: [u64; Kind::COUNT],
    /// Login attempts (failed + successful) per user name.
    pub users: HashMap<Box<str>, u64, RandomState>,
    pub first_seen: Option<Timestamp>,
    pub last_seen: Option<Timestamp>,
    /// Events per hour (hour start, count), sorted; kept only for the map's time filter.
    pub hours: Vec<(Timestamp, u64)>,
}

/// How far back the windows of the report reach (the longest one).
const LONGEST_WINDOW: Timestamp = 7 * 86400;
const HOUR: Timestamp = 3600;

/// Streams events into counters.
pub struct Aggregator {
    filter: Filter,
    ips: HashMap<IpAddr, IpStats, RandomState>,
    private: HashSet<IpAddr, RandomState>,
    events: u64,
    filtered_out: u64,
    /// Per hour: events, failures, successes (the map's timeline).
    hours: BTreeMap<Timestamp, [u64; 3]>,
    /// Per minute, for the last week of the data only: events, failures (the windows).
    minutes: BTreeMap<Timestamp, [u64; 2]>,
    newest: Option<Timestamp>,
    track_hours: bool,
}

impl Aggregator {
    pub fn new(filter: Filter) -> Self {
        Aggregator {
            track_hours: false,
            filter,
            ips: HashMap::default(),
            private: HashSet::default(),
            events: 0,
            filtered_out: 0,
            hours: BTreeMap::new(),
            minutes: BTreeMap::new(),
            newest: None,
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
        if !self.filter.include_private && !scope(ev.ip).is_global() {
            self.private.insert(ev.ip);
            return;
        }
        let n = u64::from(ev.repeat);
        let failures = u64::from(ev.failures);
        let successes = u64::from(ev.successes());
        self.events += n;
        let st = self.ips.entry(ev.ip).or_default();
        st.events += n;
        st.failures += failures;
        st.successes += successes;
        st.kinds[ev.kind.index()] += n;
        if let Some(user) = ev.user.as_deref() {
            let attempts = failures + successes;
            if attempts > 0 {
                match st.users.get_mut(user) {
                    Some(c) => *c += attempts,
                    None => {
                        st.users.insert(user.into(), attempts);
                    }
                }
            }
        }
        if let Some(t) = ev.ts {
            st.first_seen = Some(st.first_seen.map_or(t, |f| f.min(t)));
            st.last_seen = Some(st.last_seen.map_or(t, |l| l.max(t)));
            let hour = t.div_euclid(HOUR) * HOUR;
            if self.track_hours {
                // Logs are mostly in time order: the last entry is usually the one.
                match st.hours.last_mut() {
                    Some((h, c)) if *h == hour => *c += n,
                    Some((h, _)) if *h < hour => st.hours.push((hour, n)),
                    None => st.hours.push((hour, n)),
                    _ => match st.hours.binary_search_by_key(&hour, |&(h, _)| h) {
                        Ok(i) => st.hours[i].1 += n,
                        Err(i) => st.hours.insert(i, (hour, n)),
                    },
                }
            }
            let h = self.hours.entry(hour).or_default();
            h[0] += n;
            h[1] += failures;
            h[2] += successes;
            let newest = self.newest.map_or(t, |x| x.max(t));
            self.newest = Some(newest);
            if t > newest - LONGEST_WINDOW - 60 {
                let m = self.minutes.entry(t.div_euclid(60) * 60).or_default();
                m[0] += n;
                m[1] += failures;
                // Keep only the minutes that can still fall in a window.
                if self.minutes.len() > 2 * (LONGEST_WINDOW / 60) as usize {
                    self.minutes = self.minutes.split_off(&(newest - LONGEST_WINDOW - 60));
                }
            }
        }
    }

    /// Number of distinct addresses counted so far.
    pub fn unique_ips(&self) -> usize {
        self.ips.len()
    }

    /// Geolocate every address once and build the report. `databases` names the geolocation
    /// data used, for the report's `geo` section.
    pub fn finish(
        self,
        geo: &dyn Locate,
        databases: Vec<String>,
        sources: Vec<SourceReport>,
    ) -> Report {
        report::build(self, geo, databases, sources)
    }
}
