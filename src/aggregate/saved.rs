//! The aggregator as the history stores it: its tables taken out after a batch
//! ([`Aggregator::tables`]) and put back together from stored rows ([`Aggregator::restore`]).
//! The SQL is in `crate::store`; this is the aggregator's side of it.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use super::{Aggregator, Filter, IpStats, LONGEST_WINDOW, LogTotals};
use crate::parse::Timestamp;

/// The counters of an aggregator, read-only, for storing.
pub struct Tables<'a> {
    /// Per address (every one a filter let in).
    pub stats: &'a [(IpAddr, IpStats)],
    /// The user names that `IpStats::users` ids refer to.
    pub user_names: &'a [Arc<str>],
    /// Per hour: events, failures, successes.
    pub hours: &'a BTreeMap<Timestamp, [u64; 3]>,
    /// Per minute of the last week of the data: events, failures.
    pub minutes: &'a BTreeMap<Timestamp, [u64; 2]>,
    /// Addresses counted apart (private, when left out).
    pub private: Vec<IpAddr>,
    /// Destination ports, status codes, paths and user agents (events per kind are the sum of
    /// the addresses' kinds, and are not stored apart).
    pub totals: &'a LogTotals,
}

/// Stored rows to rebuild an aggregator from.
#[derive(Default)]
pub struct Restored {
    /// Every address the filter lets in, with its counters; user ids index `user_names`.
    pub stats: Vec<(IpAddr, IpStats)>,
    pub user_names: Vec<Arc<str>>,
    /// Addresses the filter counts apart.
    pub private: Vec<IpAddr>,
    pub hours: BTreeMap<Timestamp, [u64; 3]>,
    pub minutes: BTreeMap<Timestamp, [u64; 2]>,
    /// Ports, status codes, paths and user agents; `kinds` is ignored (computed from `stats`).
    pub totals: LogTotals,
    /// The newest event of every address, when `stats` holds only some of them (a selection
    /// read from the history): the windows end there, as in a run over the files.
    pub newest: Option<Timestamp>,
}

impl Aggregator {
    /// Everything counted so far, for storing (pending buckets and joined parts are settled
    /// first).
    pub fn tables(&mut self) -> Tables<'_> {
        self.flush_hour();
        self.flush_minute();
        self.merge_parts();
        Tables {
            stats: &self.stats,
            user_names: &self.user_names,
            hours: &self.hours,
            minutes: &self.minutes,
            private: self.private.iter().copied().collect(),
            totals: &self.totals,
        }
    }

    /// Count `n` events that a time filter left out without seeing them (the history selects
    /// the events in the range, and counts the others).
    pub fn add_filtered_out(&mut self, n: u64) {
        self.filtered_out += n;
    }

    /// An aggregator holding stored counters, as if it had counted them itself.
    pub fn restore(filter: Filter, rows: Restored) -> Aggregator {
        let Restored {
            stats,
            user_names,
            private,
            hours,
            mut minutes,
            mut totals,
            newest,
        } = rows;
        let mut agg = Aggregator::new(filter).with_hours();
        agg.events = stats.iter().map(|(_, s)| s.events).sum();
        totals.kinds = [0; crate::parse::Kind::COUNT];
        for (_, s) in &stats {
            for (t, &k) in totals.kinds.iter_mut().zip(&s.kinds) {
                *t += u64::from(k);
            }
        }
        agg.totals = totals;
        agg.newest = stats
            .iter()
            .filter_map(|(_, s)| s.seen().map(|x| x.1))
            .chain(newest)
            .max();
        agg.ips = stats
            .iter()
            .enumerate()
            .map(|(i, (ip, _))| (*ip, i as u32))
            .collect();
        agg.stats = stats;
        for (id, name) in user_names.iter().enumerate() {
            agg.user_ids.insert(Arc::clone(name), id as u32);
        }
        agg.user_names = user_names;
        agg.private = private.into_iter().collect();
        agg.hours = hours;
        if let Some(newest) = agg.newest {
            minutes = minutes.split_off(&(newest - LONGEST_WINDOW - 60));
        }
        agg.minutes = minutes;
        agg
    }
}
