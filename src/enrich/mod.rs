//! Geolocation: what the data says about an address.
//!
//! One interface, [`Locate`], with backends:
//!
//! - [`Embedded`]: compiled into the binary, no file, no network. IPv4 + IPv6 → city (region,
//!   coordinates rounded to 0.05°) from DB-IP IP-to-City Lite, → country from DB-IP
//!   IP-to-Country Lite and → ASN + organisation from the ip-location-db ASN set (all CC BY 4.0).
//!   The compact tables live in `data/geo/` and are rebuilt by `scripts/geo/build.mjs`.
//! - [`MmdbDatabase`]: any MaxMind DB file (MaxMind GeoLite2/GeoIP2, DB-IP Lite, the flat
//!   ip-location-db builds, IPinfo Lite). The schema is detected from each record's fields.
//! - [`Geo`]: the chain the pipeline uses. MMDB files with city data answer first, then
//!   country and ASN databases, and the embedded tables fill whatever is still missing (a
//!   country-level answer is placed at its city when the embedded city data agrees on the
//!   country). It keeps a
//!   per-address cache and can describe which databases it uses ([`Geo::describe`]).
//!
//! Unknown stays `None` (`null` in JSON), never invented. An answer with a city says so with
//! [`Accuracy::City`]; a country-level answer is placed at the country's representative point
//! (see [`countries`]) and says so with [`Accuracy::Country`]. Private and reserved addresses are not in any table: the caller checks
//! the scope first (`parse::scope`); `locate` simply returns an empty [`Location`] for them.
//!
//! ```
//! use logmap::enrich::{Geo, GeoConfig, Locate};
//! let geo = Geo::new(&GeoConfig::embedded_only()).unwrap();
//! let loc = geo.locate("1.1.1.1".parse().unwrap());
//! assert!(loc.country.is_some() && loc.asn.is_some());
//! ```
//!
//! The `db` sub-module holds what `logmap db info|update|path` needs: [`db::info`],
//! [`db::update`], [`db::data_dir`].

use std::net::IpAddr;

use serde::Serialize;

pub mod countries;
pub mod db;
mod embedded;
mod geo;
mod mmdb;
pub mod mmdb_write;

pub use countries::{CountryInfo, country, country_by_numeric};
pub use embedded::{Embedded, EmbeddedMeta, embedded_meta};
pub use geo::{
    DatabaseInfo, DatabaseKind, Geo, GeoConfig, GeoError, discover_databases, search_dirs,
};
pub use mmdb::MmdbDatabase;

/// The attribution the CC BY 4.0 licence of the DB-IP data requires, as plain text.
pub const ATTRIBUTION: &str = "IP Geolocation by DB-IP (https://db-ip.com)";
/// The same attribution as an HTML link, for pages.
pub const ATTRIBUTION_HTML: &str = "<a href=\"https://db-ip.com\">IP Geolocation by DB-IP</a>";

/// How precise a location is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Accuracy {
    /// Only the country is known; the coordinates are the country's representative point (or the
    /// database's own country-level coordinates).
    Country,
    /// The database named a city; the coordinates are the database's.
    City,
}

impl Accuracy {
    /// `"country"` or `"city"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Accuracy::Country => "country",
            Accuracy::City => "city",
        }
    }
}

/// What the geolocation data says about one address. Every field is optional: unknown is `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Location {
    /// ISO 3166-1 alpha-2 country code, e.g. `"DE"`.
    pub country: Option<String>,
    /// English country name, e.g. `"Germany"`.
    pub country_name: Option<String>,
    /// Continent code: AF, AN, AS, EU, NA, OC, SA.
    pub continent: Option<String>,
    /// City name (English): from the embedded DB-IP City Lite table or an MMDB with city data.
    pub city: Option<String>,
    /// First-level subdivision (state, region), with the city.
    pub region: Option<String>,
    /// Latitude in degrees.
    pub lat: Option<f64>,
    /// Longitude in degrees.
    pub lon: Option<f64>,
    /// Whether `lat`/`lon` is a city or only a country-level point. `None` when there are no coordinates.
    pub accuracy: Option<Accuracy>,
    /// Autonomous system number.
    pub asn: Option<u32>,
    /// Organisation of the autonomous system.
    pub as_org: Option<String>,
    /// Which database(s) answered, joined by `+` (e.g. `mmdb:dbip-city-lite.mmdb+embedded:asn`).
    pub source: Option<String>,
}

impl Location {
    /// True when no backend knew anything about the address.
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.asn.is_none() && self.lat.is_none() && self.city.is_none()
    }
}

/// Anything that can geolocate an address. Implementations are cheap to share across threads.
pub trait Locate: Send + Sync {
    /// What this backend knows about `ip`; an empty [`Location`] when it knows nothing.
    fn locate(&self, ip: IpAddr) -> Location;

    /// The country code and network of `ip` without allocating, when this backend can give
    /// exactly what [`Locate::locate`] would for those fields from tables that live as long as
    /// the program (the embedded ones). `None`: ask `locate`.
    fn quick(&self, _ip: IpAddr) -> Option<QuickGeo> {
        None
    }
}

/// The location of each of `ips`, in order, looked up by up to `threads` threads (a city
/// look-up may first unpack a block of the embedded table: worth sharing out when there are
/// many). A thread that panics is an error, with its message.
pub fn locate_all(
    geo: &dyn Locate,
    ips: &[IpAddr],
    threads: usize,
) -> Result<Vec<Location>, String> {
    let threads = threads.min(ips.len()).max(1);
    if threads == 1 {
        return Ok(ips.iter().map(|&ip| geo.locate(ip)).collect());
    }
    let per = ips.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = ips
            .chunks(per)
            .map(|part| scope.spawn(move || part.iter().map(|&ip| geo.locate(ip)).collect()))
            .collect();
        let mut out = Vec::with_capacity(ips.len());
        for h in handles {
            let part: Vec<Location> = h
                .join()
                .map_err(|payload| crate::pipeline::panic_message(&*payload))?;
            out.extend(part);
        }
        Ok(out)
    })
}

/// Country and network of an address, borrowed from the embedded tables.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuickGeo {
    /// ISO alpha-2 code.
    pub country: Option<&'static str>,
    pub asn: Option<u32>,
    pub as_org: Option<&'static str>,
}

/// Normalise an address for look-ups: an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4
/// address it carries.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}
