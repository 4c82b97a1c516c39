//! What the live server asks the history between two batches: the current records of a few
//! addresses, and the totals — quick queries that do not rebuild the whole report.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use anyhow::Result;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Store;
use super::read::{COUNTERS, StoredLocations, location_at, stats_at};
use crate::aggregate::{Aggregator, Filter, IpRecord, Keep, Restored, UserCount, Window};
use crate::parse::Timestamp;

/// The headline numbers, as `summary` counts them (public addresses).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub unique_ips: u64,
    pub countries: u64,
    pub events: u64,
    pub failures: u64,
    pub successes: u64,
    pub private_ips: u64,
    #[serde(serialize_with = "crate::aggregate::ser_ts")]
    pub first_seen: Option<Timestamp>,
    #[serde(serialize_with = "crate::aggregate::ser_ts")]
    pub last_seen: Option<Timestamp>,
    pub windows: Vec<Window>,
}

/// The windows of the report: the last hour, day and week of the data.
const WINDOWS: [(&str, Timestamp); 3] = [("1h", 3600), ("24h", 86400), ("7d", 7 * 86400)];

impl Store {
    /// The export records of `ips` as they stand in the history (unknown ones left out). Each
    /// address is looked up by its key, so this costs what the addresses cost, not the store.
    pub fn records(&self, ips: &[IpAddr]) -> Result<Vec<IpRecord>> {
        let mut rows = Restored::default();
        let mut locations = HashMap::default();
        let mut user_ids: HashMap<String, u32> = HashMap::new();
        let mut addr = self.conn.prepare_cached(&format!(
            "SELECT a.id, {COUNTERS}, a.country, a.country_name, a.city, a.region, a.lat, a.lon,
             a.accuracy, a.asn, a.as_org, g.description
             FROM addresses a LEFT JOIN geo_data g ON g.id = a.located_with WHERE a.ip = ?1"
        ))?;
        let mut users = self.conn.prepare_cached(
            "SELECT n.name, u.attempts, u.successes FROM users u JOIN names n ON n.id = u.name_id
             WHERE u.address_id = ?1",
        )?;
        for ip in ips {
            let found = addr
                .query_row([ip.to_string()], |r| {
                    Ok((r.get::<_, i64>(0)?, stats_at(r, 1)?, location_at(r, 18)?))
                })
                .optional()?;
            let Some((id, mut st, loc)) = found else {
                continue;
            };
            let mut q = users.query([id])?;
            while let Some(r) = q.next()? {
                let name: String = r.get(0)?;
                let next = rows.user_names.len() as u32;
                let uid = *user_ids.entry(name.clone()).or_insert_with(|| {
                    rows.user_names.push(Arc::from(name.as_str()));
                    next
                });
                st.users.push(UserCount {
                    id: uid,
                    attempts: r.get::<_, i64>(1)? as u32,
                    successes: r.get::<_, i64>(2)? as u32,
                });
            }
            locations.insert(*ip, loc);
            rows.stats.push((*ip, st));
        }
        let agg = Aggregator::restore(
            Filter {
                include_private: true,
                ..Filter::default()
            },
            rows,
        );
        Ok(agg
            .finish(
                &StoredLocations::new(locations),
                Vec::new(),
                Vec::new(),
                Keep::All,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .ips)
    }

    /// The headline numbers and the windows, from the stored counters.
    pub fn headline(&self) -> Result<Totals> {
        let mut t = self.conn.query_row(
            "SELECT COUNT(*), COUNT(DISTINCT country), COALESCE(SUM(events), 0),
             COALESCE(SUM(failures), 0), COALESCE(SUM(successes), 0), MIN(first_seen),
             MAX(last_seen) FROM addresses WHERE private = 0",
            [],
            |r| {
                Ok(Totals {
                    unique_ips: r.get::<_, i64>(0)? as u64,
                    countries: r.get::<_, i64>(1)? as u64,
                    events: r.get::<_, i64>(2)? as u64,
                    failures: r.get::<_, i64>(3)? as u64,
                    successes: r.get::<_, i64>(4)? as u64,
                    first_seen: r.get(5)?,
                    last_seen: r.get(6)?,
                    ..Totals::default()
                })
            },
        )?;
        t.private_ips = self.conn.query_row(
            "SELECT COUNT(*) FROM addresses WHERE private = 1",
            [],
            |r| r.get::<_, i64>(0),
        )? as u64;
        for (label, seconds) in WINDOWS {
            let from = t.last_seen.map(|l| l - seconds);
            let (ips, countries) = match from {
                Some(f) => self.conn.query_row(
                    "SELECT COUNT(*), COUNT(DISTINCT country) FROM addresses
                     WHERE private = 0 AND last_seen > ?1",
                    [f],
                    |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
                )?,
                None => (0, 0),
            };
            // As the report counts them: by the minute, from the minute after `from`'s.
            let (events, failures) = match from {
                Some(f) => self.conn.query_row(
                    "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(failures), 0) FROM minutes
                     WHERE private = 0 AND minute >= ?1",
                    [f.div_euclid(60) * 60 + 60],
                    |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
                )?,
                None => (0, 0),
            };
            t.windows.push(Window {
                label,
                seconds,
                ips,
                countries,
                events,
                failures,
            });
        }
        Ok(t)
    }

    /// Events, failed and successful logins per bucket of `bucket` seconds (3600 or 86400),
    /// and the addresses first seen in each bucket: `[start, events, failures, successes,
    /// new addresses]`.
    pub fn timeline(&self, bucket: Timestamp, include_private: bool) -> Result<Vec<[i64; 5]>> {
        let private = i64::from(include_private);
        let mut series: HashMap<i64, [i64; 5]> = HashMap::new();
        {
            let mut st = self.conn.prepare(
                "SELECT hour, SUM(events), SUM(failures), SUM(successes) FROM timeline
                 WHERE private <= ?1 GROUP BY hour",
            )?;
            let mut q = st.query([private])?;
            while let Some(r) = q.next()? {
                let hour: i64 = r.get(0)?;
                let b = hour.div_euclid(bucket) * bucket;
                let e = series.entry(b).or_insert([b, 0, 0, 0, 0]);
                e[1] += r.get::<_, i64>(1)?;
                e[2] += r.get::<_, i64>(2)?;
                e[3] += r.get::<_, i64>(3)?;
            }
        }
        {
            let mut st = self.conn.prepare(
                "SELECT first_seen FROM addresses WHERE private <= ?1 AND first_seen IS NOT NULL",
            )?;
            let mut q = st.query(params![private])?;
            while let Some(r) = q.next()? {
                let t: i64 = r.get(0)?;
                let b = t.div_euclid(bucket) * bucket;
                series.entry(b).or_insert([b, 0, 0, 0, 0])[4] += 1;
            }
        }
        let mut v: Vec<[i64; 5]> = series.into_values().collect();
        v.sort_unstable();
        Ok(v)
    }
}
