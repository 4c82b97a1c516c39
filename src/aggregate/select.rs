//! Choosing addresses: `--country`, `--asn`, `--user`, `--kind`, `--min-failures`,
//! `--successful`, then `--sort` and `--limit` — for files and the history alike.
//!
//! A selection keeps the address records that match every given condition, and counts the
//! totals (addresses, events per kind, failed and successful logins, countries, first and last
//! seen), the country, network and user lists, and the addresses and countries of the
//! hour/day/week windows again from them. What is not counted per address stays that of every
//! event: the windows' event and failure counts, the timeline, and the ports, status codes,
//! paths and user agents (the report says so in its `selection`; the terminal does not show
//! the windows' counts under a selection and titles the other lists "every address"). The
//! windows still end at the newest event of the data, selected or not, so a run over the files
//! and one over the history, which reads only the selected addresses, agree.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::{AsnRecord, CountryRecord, IpRecord, Report, UserRecord};
use crate::enrich::countries;
use crate::parse::Kind;

/// Which addresses to keep. Every non-empty condition must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Select {
    /// ISO 3166-1 alpha-2 codes, upper case.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub asns: Vec<u32>,
    /// Addresses that tried one of these user names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<String>,
    /// Addresses with at least one event of one of these kinds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<Kind>,
    #[serde(skip_serializing_if = "is_zero")]
    pub min_failures: u64,
    /// Only addresses with a successful login.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub successful: bool,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// The order of the address records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Most failed logins first (then events): the default.
    #[default]
    Failures,
    Events,
    /// Most recently seen first.
    LastSeen,
    /// Earliest first seen first.
    FirstSeen,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        Some(match s {
            "failures" => Sort::Failures,
            "events" => Sort::Events,
            "last-seen" | "last_seen" => Sort::LastSeen,
            "first-seen" | "first_seen" => Sort::FirstSeen,
            _ => return None,
        })
    }
}

impl Select {
    pub fn is_empty(&self) -> bool {
        *self == Select::default()
    }

    /// Does the address of `r` qualify?
    pub fn matches(&self, r: &IpRecord) -> bool {
        (self.countries.is_empty()
            || r.country
                .as_deref()
                .is_some_and(|c| self.countries.iter().any(|x| x.eq_ignore_ascii_case(c))))
            && (self.asns.is_empty() || r.asn.is_some_and(|a| self.asns.contains(&a)))
            && (self.users.is_empty()
                || r.users
                    .iter()
                    .any(|(u, _, _)| self.users.iter().any(|x| **x == **u)))
            && (self.kinds.is_empty() || self.kinds.iter().any(|k| r.kinds[k.index()] > 0))
            && r.failures >= self.min_failures
            && (!self.successful || r.successes > 0)
    }
}

impl Report {
    /// Keep the records `sel` selects and count the totals and lists again from them (see the
    /// module docs). The report must hold every record (`Keep::All`).
    pub fn select(&mut self, sel: &Select) {
        if sel.is_empty() {
            return;
        }
        self.ips.retain(|r| sel.matches(r));
        let s = &mut self.summary;
        let newest = s.last_seen;
        s.unique_ips = self.ips.len() as u64;
        s.kinds = [0; Kind::COUNT];
        for r in &self.ips {
            for (t, &k) in s.kinds.iter_mut().zip(&r.kinds) {
                *t += u64::from(k);
            }
        }
        s.events = self.ips.iter().map(|r| r.events).sum();
        s.failures = self.ips.iter().map(|r| r.failures).sum();
        s.successes = self.ips.iter().map(|r| r.successes).sum();
        s.first_seen = self.ips.iter().filter_map(|r| r.first_seen).min();
        s.last_seen = self.ips.iter().filter_map(|r| r.last_seen).max();
        let mut countries: HashMap<Option<Arc<str>>, CountryRecord> = HashMap::new();
        let mut asns: HashMap<Option<u32>, AsnRecord> = HashMap::new();
        let mut users: HashMap<Arc<str>, UserRecord> = HashMap::new();
        for r in &self.ips {
            let c = countries
                .entry(r.country.clone())
                .or_insert_with(|| CountryRecord {
                    country: r.country.clone(),
                    numeric: r.country.as_deref().and_then(countries::alpha2_to_numeric),
                    country_name: r.country_name.clone(),
                    ips: 0,
                    events: 0,
                    failures: 0,
                    successes: 0,
                });
            c.ips += 1;
            c.events += r.events;
            c.failures += r.failures;
            c.successes += r.successes;
            let a = asns.entry(r.asn).or_insert_with(|| AsnRecord {
                asn: r.asn,
                as_org: r.as_org.clone(),
                ips: 0,
                events: 0,
                failures: 0,
                successes: 0,
            });
            a.ips += 1;
            a.events += r.events;
            a.failures += r.failures;
            a.successes += r.successes;
            for (name, attempts, successes) in &r.users {
                let u = users.entry(Arc::clone(name)).or_insert_with(|| UserRecord {
                    user: name.to_string(),
                    attempts: 0,
                    successes: 0,
                    ips: 0,
                });
                u.attempts += attempts;
                u.successes += successes;
                u.ips += 1;
            }
        }
        s.countries = countries.keys().filter(|c| c.is_some()).count() as u64;
        self.countries = countries.into_values().collect();
        self.countries.sort_by(|a, b| {
            (b.failures, b.events, b.ips)
                .cmp(&(a.failures, a.events, a.ips))
                .then(a.country.cmp(&b.country))
        });
        self.asns = asns.into_values().collect();
        self.asns.sort_by(|a, b| {
            (b.failures, b.events, b.ips)
                .cmp(&(a.failures, a.events, a.ips))
                .then(a.asn.cmp(&b.asn))
        });
        self.users = users.into_values().collect();
        self.users.sort_by(|a, b| {
            (b.attempts, b.ips)
                .cmp(&(a.attempts, a.ips))
                .then(a.user.cmp(&b.user))
        });
        for w in &mut self.windows {
            let from = newest.map(|t| t - w.seconds);
            let inside: Vec<&IpRecord> = self
                .ips
                .iter()
                .filter(|r| matches!((r.last_seen, from), (Some(l), Some(f)) if l > f))
                .collect();
            w.ips = inside.len() as u64;
            let mut cs: Vec<&str> = inside.iter().filter_map(|r| r.country.as_deref()).collect();
            cs.sort_unstable();
            cs.dedup();
            w.countries = cs.len() as u64;
        }
        self.selection = Some(sel.clone());
    }

    /// Select, order, and cut: what every view does with `--country` … `--sort`, `--limit`.
    /// `top` cuts the records (after the selection, keeping every address with a successful
    /// login) and the lists as `summary --top` does.
    pub fn shape(&mut self, select: &Select, sort: Sort, top: Option<usize>, limit: Option<usize>) {
        self.select(select);
        self.sort_ips(sort);
        if let Some(n) = top {
            super::retain_top(&mut self.ips, n);
            self.countries.truncate(n);
            self.asns.truncate(n);
            self.users.truncate(n);
        }
        if let Some(n) = limit {
            self.ips.truncate(n);
        }
    }

    /// Order the address records.
    pub fn sort_ips(&mut self, sort: Sort) {
        match sort {
            Sort::Failures => {}
            Sort::Events => self.ips.sort_by(|a, b| {
                (b.events, b.failures)
                    .cmp(&(a.events, a.failures))
                    .then(a.ip.cmp(&b.ip))
            }),
            Sort::LastSeen => self
                .ips
                .sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.ip.cmp(&b.ip))),
            Sort::FirstSeen => self.ips.sort_by(|a, b| {
                // Unknown times last.
                let key = |r: &IpRecord| r.first_seen.map_or((1, 0), |t| (0, t));
                key(a).cmp(&key(b)).then(a.ip.cmp(&b.ip))
            }),
        }
    }
}
