//! The aggregated result, shaped like the export schema (design §5), plus what the map needs
//! (users, windows, timeline).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::{Aggregator, HOUR, IpStats};
use crate::enrich::{ATTRIBUTION, Accuracy, Locate, Location, countries};
use crate::parse::timestamp::format_rfc3339;
use crate::parse::{Kind, Timestamp};
use crate::pipeline::SourceReport;

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
    pub windows: Vec<Window>,
    pub timeline: Timeline,
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
    /// Events left out by `--since`/`--until`.
    pub filtered_out: u64,
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

fn ser_ts<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(t) => s.serialize_str(&format_rfc3339(*t)),
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

fn ser_users<S: Serializer>(users: &[(Arc<str>, u64, u64)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(users.len()))?;
    for (name, attempts, _) in users {
        m.serialize_entry(name, attempts)?;
    }
    m.end()
}

const WINDOWS: [(&str, Timestamp); 3] = [("1h", 3600), ("24h", 86400), ("7d", 7 * 86400)];

pub(super) fn build(
    agg: Aggregator,
    geo: &dyn Locate,
    databases: Vec<String>,
    sources: Vec<SourceReport>,
) -> Report {
    let Aggregator {
        ips: index,
        stats,
        user_names,
        private,
        events,
        filtered_out,
        hours,
        minutes,
        newest,
        ..
    } = agg;
    drop(index);
    // Build the records from the end of the table, giving memory back as it empties, so the
    // table and the records are not both held in full. Names shared by many addresses
    // (countries, networks) are stored once.
    let mut stats = stats;
    let mut strings = Interner::default();
    let mut ips: Vec<IpRecord> = Vec::with_capacity(stats.len());
    while let Some((ip, st)) = stats.pop() {
        ips.push(record(ip, st, &user_names, geo.locate(ip), &mut strings));
        if stats.len() % 4096 == 0 {
            stats.shrink_to_fit();
        }
    }
    ips.sort_by(|a, b| {
        (b.failures, b.events, b.successes)
            .cmp(&(a.failures, a.events, a.successes))
            .then(a.ip.cmp(&b.ip))
    });

    let first_seen = ips.iter().filter_map(|r| r.first_seen).min();
    let last_seen = newest;

    // Per country and per AS.
    let mut countries: HashMap<Option<Arc<str>>, CountryRecord> = HashMap::new();
    let mut asns: HashMap<Option<u32>, AsnRecord> = HashMap::new();
    let mut users: HashMap<&Arc<str>, UserRecord> = HashMap::new();
    for r in &ips {
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
        for (name, n, ok) in &r.users {
            let u = users.entry(name).or_insert_with(|| UserRecord {
                user: name.to_string(),
                attempts: 0,
                successes: 0,
                ips: 0,
            });
            u.attempts += n;
            u.successes += ok;
            u.ips += 1;
        }
    }
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
    let mut users: Vec<UserRecord> = users.into_values().collect();
    users.sort_by(|a, b| {
        (b.attempts, b.ips)
            .cmp(&(a.attempts, a.ips))
            .then(a.user.cmp(&b.user))
    });

    let windows = WINDOWS
        .iter()
        .map(|&(label, seconds)| window(label, seconds, last_seen, &ips, &minutes))
        .collect();

    let unparsed = sources.iter().map(|s| s.unparsed).sum();
    let summary = Summary {
        lines: sources.iter().map(|s| s.lines).sum(),
        events,
        unique_ips: ips.len() as u64,
        countries: countries.iter().filter(|c| c.country.is_some()).count() as u64,
        failures: ips.iter().map(|r| r.failures).sum(),
        successes: ips.iter().map(|r| r.successes).sum(),
        first_seen,
        last_seen,
        private_ips: private.len() as u64,
        unparsed,
        filtered_out,
    };
    let timeline = Timeline {
        bucket_seconds: HOUR,
        series: hours
            .iter()
            .map(|(&h, c)| [h, c[0] as i64, c[1] as i64, c[2] as i64])
            .collect(),
    };
    Report {
        generator: concat!("logmap ", env!("CARGO_PKG_VERSION")).to_string(),
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
        windows,
        timeline,
    }
}

/// One copy of each distinct string.
#[derive(Default)]
struct Interner(HashMap<String, Arc<str>>);

impl Interner {
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
        hours: st.hours.iter().map(|&(h, n)| [h, n as i64]).collect(),
    }
}

fn window(
    label: &'static str,
    seconds: Timestamp,
    newest: Option<Timestamp>,
    ips: &[IpRecord],
    minutes: &std::collections::BTreeMap<Timestamp, [u64; 2]>,
) -> Window {
    let Some(newest) = newest else {
        return Window {
            label,
            seconds,
            ips: 0,
            countries: 0,
            events: 0,
            failures: 0,
        };
    };
    let from = newest - seconds;
    let recent: Vec<&IpRecord> = ips
        .iter()
        .filter(|r| r.last_seen.is_some_and(|t| t > from))
        .collect();
    let mut countries: Vec<&str> = recent.iter().filter_map(|r| r.country.as_deref()).collect();
    countries.sort_unstable();
    countries.dedup();
    // Events are counted by the minute: the window starts at the minute `from` falls in.
    let (events, failures) = minutes
        .range(from.div_euclid(60) * 60 + 60..)
        .fold((0, 0), |(e, f), (_, c)| (e + c[0], f + c[1]));
    Window {
        label,
        seconds,
        ips: recent.len() as u64,
        countries: countries.len() as u64,
        events,
        failures,
    }
}
