//! The chain of backends the pipeline uses, with a per-address cache.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

use super::embedded::{
    self, Embedded, SOURCE_ASN, SOURCE_CITY, SOURCE_COUNTRY, fill_city, fill_country,
};
use super::mmdb::MmdbDatabase;
use super::{Accuracy, Locate, Location, countries};

/// Why the geolocation databases could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    /// A `--geoip` file does not exist.
    #[error("GeoIP database {0} does not exist")]
    Missing(PathBuf),
    /// A `--geoip` file is not a readable MaxMind DB.
    #[error("{0} is not a MaxMind DB (.mmdb) file: {1}")]
    NotMmdb(PathBuf, String),
    /// The embedded tables are broken (a bad build).
    #[error("{0}")]
    Embedded(String),
}

/// What a database can answer, found from its records (never from its file name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseKind {
    /// City and/or coordinates (GeoLite2-City, DB-IP City Lite, …).
    City,
    /// Country only.
    Country,
    /// Autonomous system only.
    Asn,
    /// No record sampled had a field logmap uses.
    Unknown,
}

/// One database in use, for `db info`, `lookup` and the export's `"geo"` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DatabaseInfo {
    /// Display name: the file name, or the embedded data set's name.
    pub name: String,
    /// The name used in [`Location::source`], e.g. `mmdb:GeoLite2-City.mmdb`.
    pub source: String,
    /// File path (`None` for the embedded tables).
    pub path: Option<PathBuf>,
    /// What it answers.
    pub kind: DatabaseKind,
    /// Whether its records also carry an ASN.
    pub has_asn: bool,
    /// The MMDB metadata's `database_type` (e.g. `GeoLite2-City`, `DBIP-City-Lite`).
    pub database_type: String,
    /// Build time from the MMDB metadata (seconds since 1970).
    pub build_epoch: Option<u64>,
    /// Build or data date, `YYYY-MM-DD`.
    pub build_date: Option<String>,
    /// 4 or 6 (an IPv6 database also answers IPv4).
    pub ip_version: Option<u16>,
    /// The metadata's English description.
    pub description: Option<String>,
    /// Licence, when known (the embedded data).
    pub licence: Option<String>,
    /// Attribution, when known (the embedded data).
    pub attribution: Option<String>,
}

impl DatabaseInfo {
    /// One line for humans: `name (kind, built DATE) path`.
    pub fn summary(&self) -> String {
        let kind = match self.kind {
            DatabaseKind::City => "city",
            DatabaseKind::Country => "country",
            DatabaseKind::Asn => "asn",
            DatabaseKind::Unknown => "unknown content",
        };
        let mut s = format!(
            "{} ({kind}{}",
            self.name,
            if self.has_asn && self.kind != DatabaseKind::Asn {
                " + asn"
            } else {
                ""
            }
        );
        if let Some(d) = &self.build_date {
            s.push_str(&format!(", {d}"));
        }
        s.push(')');
        if let Some(p) = &self.path {
            s.push_str(&format!(" {}", p.display()));
        }
        s
    }
}

/// How to build a [`Geo`].
#[derive(Clone, Debug, Default)]
pub struct GeoConfig {
    /// `--geoip` files, in the order given. Each must exist and be an MMDB.
    pub mmdb_paths: Vec<PathBuf>,
    /// Also look for MMDB files in [`GeoConfig::discover_dirs`].
    pub discover: bool,
    /// Where to look when discovering; [`search_dirs`] by default.
    pub discover_dirs: Vec<PathBuf>,
    /// Skip the per-address cache (for benchmarks).
    pub no_cache: bool,
}

impl GeoConfig {
    /// `--geoip` files plus, when `discover` is set, the usual directories ([`search_dirs`]).
    pub fn new(mmdb_paths: Vec<PathBuf>, discover: bool) -> GeoConfig {
        GeoConfig {
            mmdb_paths,
            discover,
            discover_dirs: search_dirs(),
            no_cache: false,
        }
    }

    /// Only the embedded tables: no file is read.
    pub fn embedded_only() -> GeoConfig {
        GeoConfig::default()
    }
}

/// Where MMDB files are looked for: `/usr/share/GeoIP`, `/var/lib/GeoIP` (where `geoipupdate`
/// writes) and logmap's data directory ([`super::db::data_dir`]).
pub fn search_dirs() -> Vec<PathBuf> {
    let mut v = vec![
        PathBuf::from("/usr/share/GeoIP"),
        PathBuf::from("/var/lib/GeoIP"),
    ];
    if let Some(d) = super::db::data_dir() {
        v.push(d);
    }
    v
}

/// Every `*.mmdb` file in `dirs` (not recursive), opened: the ones that open, and the ones that
/// do not with the reason. Sorted by path.
pub fn discover_databases(dirs: &[PathBuf]) -> (Vec<MmdbDatabase>, Vec<String>) {
    let mut files = Vec::new();
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("mmdb"))
                && p.is_file()
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files.dedup();
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for f in files {
        match MmdbDatabase::open(&f) {
            Ok(db) => ok.push(db),
            Err(e) => bad.push(format!("skipped {e}")),
        }
    }
    (ok, bad)
}

const CACHE_LIMIT: usize = 1 << 20;

/// The geolocation chain: MMDB files with city data first, then country and ASN files, then the
/// embedded tables fill what is missing. Thread-safe; caches per address.
pub struct Geo {
    mmdbs: Vec<MmdbDatabase>,
    embedded: Embedded,
    cache: Option<Mutex<HashMap<IpAddr, Location, foldhash::fast::RandomState>>>,
    notes: Vec<String>,
}

impl std::fmt::Debug for Geo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Geo")
            .field("mmdbs", &self.mmdbs)
            .field("notes", &self.notes)
            .finish()
    }
}

fn rank(kind: DatabaseKind) -> u8 {
    match kind {
        DatabaseKind::City => 0,
        DatabaseKind::Country => 1,
        DatabaseKind::Asn => 2,
        DatabaseKind::Unknown => 3,
    }
}

impl Geo {
    /// Open the configured databases. A `--geoip` file that is missing or not an MMDB is an error
    /// naming the file; a discovered file that does not open is skipped with a note.
    pub fn new(config: &GeoConfig) -> Result<Geo, GeoError> {
        let embedded = Embedded::load().map_err(GeoError::Embedded)?;
        let mut mmdbs = Vec::new();
        for p in &config.mmdb_paths {
            mmdbs.push(MmdbDatabase::open(p)?);
        }
        let mut notes = Vec::new();
        if config.discover {
            let (found, bad) = discover_databases(&config.discover_dirs);
            notes.extend(bad);
            let given: Vec<PathBuf> = mmdbs.iter().filter_map(|d| d.info().path.clone()).collect();
            let have = |k: DatabaseKind, m: &[MmdbDatabase]| m.iter().any(|d| d.info().kind == k);
            let have_asn = |m: &[MmdbDatabase]| m.iter().any(|d| d.info().has_asn);
            // newest first, so the first of each kind wins
            let mut found: Vec<MmdbDatabase> = found
                .into_iter()
                .filter(|d| d.info().path.as_ref().is_none_or(|p| !given.contains(p)))
                .collect();
            found.sort_by_key(|d| std::cmp::Reverse(d.info().build_epoch));
            for db in found {
                let k = db.info().kind;
                let take = match k {
                    DatabaseKind::City => !have(DatabaseKind::City, &mmdbs),
                    DatabaseKind::Country => {
                        !have(DatabaseKind::City, &mmdbs) && !have(DatabaseKind::Country, &mmdbs)
                    }
                    DatabaseKind::Asn => !have_asn(&mmdbs),
                    DatabaseKind::Unknown => false,
                };
                if take {
                    notes.push(format!("using {}", db.info().summary()));
                    mmdbs.push(db);
                } else {
                    notes.push(format!(
                        "not using {} (a database of that kind is already in use)",
                        db.info().summary()
                    ));
                }
            }
        }
        // stable: city files first, then country, then ASN, keeping the given order within a kind
        mmdbs.sort_by_key(|d| rank(d.info().kind));
        Ok(Geo {
            mmdbs,
            embedded,
            cache: (!config.no_cache).then(|| Mutex::new(HashMap::default())),
            notes,
        })
    }

    /// The databases in use, in the order they are asked (the embedded tables last).
    pub fn describe(&self) -> Vec<DatabaseInfo> {
        let mut v: Vec<DatabaseInfo> = self.mmdbs.iter().map(|d| d.info().clone()).collect();
        v.extend(embedded_infos());
        v
    }

    /// Messages from discovery: which files were found, used, skipped and why.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The attribution line the DB-IP licence requires.
    pub fn attribution(&self) -> &'static str {
        super::ATTRIBUTION
    }

    /// Number of cached addresses.
    pub fn cache_len(&self) -> usize {
        self.cache
            .as_ref()
            .and_then(|c| c.lock().ok().map(|m| m.len()))
            .unwrap_or(0)
    }

    /// Look `ip` up in every backend without the cache.
    pub fn locate_uncached(&self, ip: IpAddr) -> Location {
        let ip = super::canonical(ip);
        let mut loc = Location::default();
        let mut sources: Vec<&str> = Vec::new();
        for db in &self.mmdbs {
            let Some(r) = db.record(ip) else { continue };
            let mut used = false;
            let code = r
                .country_code
                .clone()
                .or_else(|| r.registered_country.clone());
            let has_coords = r.lat.is_some() && r.lon.is_some();
            let same_country = loc.country.is_some() && loc.country == code;
            if loc.country.is_none() && loc.lat.is_none() && (code.is_some() || has_coords) {
                if has_coords {
                    loc.lat = r.lat;
                    loc.lon = r.lon;
                    loc.accuracy = Some(if r.city.is_some() {
                        Accuracy::City
                    } else {
                        Accuracy::Country
                    });
                }
                loc.city = r.city.clone();
                loc.region = r.region.clone();
                if let Some(c) = &code {
                    fill_country(&mut loc, c);
                    if loc.country_name.is_none() {
                        loc.country_name = r.country_name.clone();
                    }
                    if loc.continent.is_none() {
                        loc.continent = r.continent.clone();
                    }
                }
                used = true;
            } else if same_country
                && loc.accuracy != Some(Accuracy::City)
                && r.city.is_some()
                && has_coords
            {
                // a later city database refines a country-level answer
                loc.city = r.city.clone();
                loc.region = r.region.clone().or(loc.region.take());
                loc.lat = r.lat;
                loc.lon = r.lon;
                loc.accuracy = Some(Accuracy::City);
                used = true;
            }
            if loc.asn.is_none()
                && let Some(asn) = r.asn
            {
                loc.asn = Some(asn);
                loc.as_org = r
                    .as_org
                    .clone()
                    .or_else(|| self.embedded.as_org(asn).map(str::to_string));
                used = true;
            }
            if used {
                sources.push(&db.info().source);
            }
        }
        if loc.country.is_none() {
            if let Some(code) = self.embedded.country_code(ip) {
                fill_country(&mut loc, code);
                sources.push(SOURCE_COUNTRY);
            }
        } else if loc.lat.is_none() {
            // the MMDB knew the country but gave no coordinates: the country's point
            if let Some(info) = loc.country.as_deref().and_then(countries::country)
                && let (Some(lat), Some(lon)) = (info.lat, info.lon)
            {
                loc.lat = Some(lat);
                loc.lon = Some(lon);
                loc.accuracy = Some(Accuracy::Country);
            }
        }
        // The embedded city table places a country-level answer at its city (a city MMDB's own
        // answer is kept).
        if loc.accuracy != Some(Accuracy::City)
            && loc.country.is_some()
            && fill_city(&mut loc, self.embedded.city(ip))
        {
            sources.push(SOURCE_CITY);
        }
        if loc.asn.is_none()
            && let Some((asn, org)) = self.embedded.asn(ip)
        {
            loc.asn = Some(asn);
            loc.as_org = (!org.is_empty()).then(|| org.to_string());
            sources.push(SOURCE_ASN);
        }
        if !sources.is_empty() {
            loc.source = Some(sources.join("+"));
        }
        loc
    }
}

impl Locate for Geo {
    fn quick(&self, ip: IpAddr) -> Option<super::QuickGeo> {
        // Only the embedded tables answer: with an MMDB in the chain, ask `locate`.
        if !self.mmdbs.is_empty() {
            return None;
        }
        let ip = super::canonical(ip);
        let (asn, as_org) = match self.embedded.asn(ip) {
            Some((asn, org)) => (Some(asn), (!org.is_empty()).then_some(org)),
            None => (None, None),
        };
        Some(super::QuickGeo {
            country: self.embedded.country_code(ip),
            asn,
            as_org,
        })
    }

    fn locate(&self, ip: IpAddr) -> Location {
        let Some(cache) = &self.cache else {
            return self.locate_uncached(ip);
        };
        if let Ok(m) = cache.lock()
            && let Some(l) = m.get(&ip)
        {
            return l.clone();
        }
        let loc = self.locate_uncached(ip);
        if let Ok(mut m) = cache.lock() {
            if m.len() >= CACHE_LIMIT {
                m.clear();
            }
            m.insert(ip, loc.clone());
        }
        loc
    }
}

/// The embedded tables as [`DatabaseInfo`] records, in the order the chain asks them.
pub(crate) fn embedded_infos() -> Vec<DatabaseInfo> {
    let meta = embedded::embedded_meta();
    let mk = |t: Option<&embedded::TableMeta>, source: &str, kind: DatabaseKind, fallback: &str| {
        DatabaseInfo {
            name: format!(
                "{} (embedded)",
                t.map(|t| t.name.as_str()).unwrap_or(fallback)
            ),
            source: source.to_string(),
            path: None,
            kind,
            has_asn: kind == DatabaseKind::Asn,
            database_type: t.map(|t| t.package.clone()).unwrap_or_default(),
            build_epoch: None,
            build_date: t.and_then(|t| t.data_date.clone()),
            ip_version: Some(6),
            description: t.map(|t| format!("{} {}", t.package, t.version)),
            licence: t.map(|t| t.licence.clone()),
            attribution: t.map(|t| t.attribution.clone()),
        }
    };
    vec![
        mk(
            meta.as_ref().map(|m| &m.country),
            SOURCE_COUNTRY,
            DatabaseKind::Country,
            "DB-IP IP-to-Country Lite",
        ),
        mk(
            meta.as_ref().map(|m| &m.city),
            SOURCE_CITY,
            DatabaseKind::City,
            "DB-IP IP-to-City Lite",
        ),
        mk(
            meta.as_ref().map(|m| &m.asn),
            SOURCE_ASN,
            DatabaseKind::Asn,
            "ip-location-db ASN",
        ),
    ]
}
