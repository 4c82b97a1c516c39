//! The MMDB backend: any MaxMind DB file, whatever its record schema.
//!
//! Schemas seen in the wild, all read by one record visitor that looks at the field names:
//! - MaxMind GeoIP2/GeoLite2 and DB-IP's own Lite downloads (nested): `country.iso_code`,
//!   `registered_country.iso_code`, `continent.code`, `city.names.en`, `subdivisions[0].names.en`,
//!   `location.latitude`/`longitude`; GeoLite2-ASN: `autonomous_system_number`,
//!   `autonomous_system_organization`.
//! - ip-location-db builds (flat): `country_code`, `state1`, `city`, `latitude`, `longitude`.
//! - IPinfo Lite: `country_code`, `country` (a name), `continent_code`, `asn` (`"AS13335"`),
//!   `as_name`; other IPinfo files also `city`, `region`, `lat`/`lng`.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use maxminddb::Reader;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::embedded::fill_country;
use super::geo::{DatabaseInfo, DatabaseKind, GeoError};
use super::{Accuracy, Locate, Location};

/// The fields logmap uses from one MMDB record, whatever the schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Record {
    pub country_code: Option<String>,
    pub registered_country: Option<String>,
    pub country_name: Option<String>,
    pub continent: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub asn: Option<u32>,
    pub as_org: Option<String>,
}

impl Record {
    fn has_location(&self) -> bool {
        self.city.is_some() || (self.lat.is_some() && self.lon.is_some())
    }
    fn has_country(&self) -> bool {
        self.country_code.is_some() || self.registered_country.is_some()
    }
}

// ---------- serde visitors ----------

/// A field that is either a plain string or a MaxMind-style object with `iso_code`/`code` and
/// `names.en`.
#[derive(Default)]
struct Named {
    code: Option<String>,
    name: Option<String>,
}

impl<'de> de::Deserialize<'de> for Named {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Named;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a map")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Named, E> {
                Ok(Named {
                    code: None,
                    name: (!v.is_empty()).then(|| v.to_string()),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Named, A::Error> {
                let mut out = Named::default();
                while let Some(k) = m.next_key::<Key>()? {
                    match k.0 {
                        K::IsoCode | K::Code => out.code = m.next_value::<Loose>()?.string(),
                        K::Names => out.name = m.next_value::<EnName>()?.0,
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            // anything else (numbers, arrays): not usable
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Named, E> {
                Ok(Named::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Named, E> {
                Ok(Named::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Named, E> {
                Ok(Named::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Named, E> {
                Ok(Named::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Named, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Named::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// `names` map: only `en` is kept.
struct EnName(Option<String>);

impl<'de> de::Deserialize<'de> for EnName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EnName;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of names")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<EnName, A::Error> {
                let mut en = None;
                while let Some(k) = m.next_key::<Key>()? {
                    if k.0 == K::En {
                        en = m.next_value::<Loose>()?.string();
                    } else {
                        m.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(EnName(en))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<EnName, E> {
                Ok(EnName((!v.is_empty()).then(|| v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// `subdivisions`: the first element's name.
struct FirstNamed(Option<String>);

impl<'de> de::Deserialize<'de> for FirstNamed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FirstNamed;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<FirstNamed, A::Error> {
                let first = s.next_element::<Named>()?.and_then(|n| n.name);
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(FirstNamed(first))
            }
        }
        d.deserialize_any(V)
    }
}

/// A scalar of any MMDB type.
enum Loose {
    Str(String),
    Num(f64),
    UInt(u64),
    Other,
}

impl Loose {
    fn string(self) -> Option<String> {
        match self {
            Loose::Str(s) if !s.is_empty() => Some(s),
            _ => None,
        }
    }
    fn float(&self) -> Option<f64> {
        let f = match self {
            Loose::Num(f) => *f,
            Loose::UInt(u) => *u as f64,
            Loose::Str(s) => s.trim().parse().ok()?,
            Loose::Other => return None,
        };
        f.is_finite().then_some(f)
    }
    fn asn(&self) -> Option<u32> {
        let n = match self {
            Loose::UInt(u) => u32::try_from(*u).ok()?,
            Loose::Str(s) => {
                let t = s.trim();
                let t = t
                    .strip_prefix("AS")
                    .or_else(|| t.strip_prefix("as"))
                    .unwrap_or(t);
                t.parse().ok()?
            }
            _ => return None,
        };
        (n != 0).then_some(n)
    }
}

impl<'de> de::Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Str(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose::UInt(v))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Loose, E> {
                Ok(u64::try_from(v).map(Loose::UInt).unwrap_or(Loose::Other))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(u64::try_from(v)
                    .map(Loose::UInt)
                    .unwrap_or(Loose::Num(v as f64)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Num(v))
            }
            fn visit_f32<E: de::Error>(self, v: f32) -> Result<Loose, E> {
                Ok(Loose::Num(f64::from(v)))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Loose, E> {
                Ok(Loose::Other)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Loose, E> {
                Ok(Loose::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Loose, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Loose, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// `location` object.
#[derive(Default)]
struct LatLon(Option<f64>, Option<f64>);

impl<'de> de::Deserialize<'de> for LatLon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LatLon;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a location map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<LatLon, A::Error> {
                let mut out = LatLon::default();
                while let Some(k) = m.next_key::<Key>()? {
                    match k.0 {
                        K::Latitude | K::Lat => out.0 = m.next_value::<Loose>()?.float(),
                        K::Longitude | K::Lon | K::Lng => out.1 = m.next_value::<Loose>()?.float(),
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<LatLon, E> {
                Ok(LatLon::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// Known field names; anything else is `Other` and skipped.
#[derive(Clone, Copy, PartialEq, Eq)]
enum K {
    Country,
    CountryCode,
    RegisteredCountry,
    Continent,
    ContinentCode,
    City,
    Subdivisions,
    State1,
    Region,
    Location,
    Latitude,
    Longitude,
    Lat,
    Lon,
    Lng,
    AutonomousSystemNumber,
    AutonomousSystemOrganization,
    Asn,
    AsName,
    IsoCode,
    Code,
    Names,
    En,
    Other,
}

struct Key(K);

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(match v {
                    "country" => K::Country,
                    "country_code" => K::CountryCode,
                    "registered_country" => K::RegisteredCountry,
                    "continent" => K::Continent,
                    "continent_code" => K::ContinentCode,
                    "city" => K::City,
                    "subdivisions" => K::Subdivisions,
                    "state1" => K::State1,
                    "region" => K::Region,
                    "location" => K::Location,
                    "latitude" => K::Latitude,
                    "longitude" => K::Longitude,
                    "lat" => K::Lat,
                    "lon" => K::Lon,
                    "lng" => K::Lng,
                    "autonomous_system_number" => K::AutonomousSystemNumber,
                    "autonomous_system_organization" => K::AutonomousSystemOrganization,
                    "asn" => K::Asn,
                    "as_name" => K::AsName,
                    "iso_code" => K::IsoCode,
                    "code" => K::Code,
                    "names" => K::Names,
                    "en" => K::En,
                    _ => K::Other,
                }))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Key, E> {
                Ok(Key(K::Other))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> de::Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an MMDB record map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Record, A::Error> {
                let mut r = Record::default();
                while let Some(k) = m.next_key::<Key>()? {
                    match k.0 {
                        K::Country => {
                            let n = m.next_value::<Named>()?;
                            if n.code.is_some() {
                                r.country_code = n.code;
                            }
                            r.country_name = n.name;
                        }
                        K::CountryCode => r.country_code = m.next_value::<Loose>()?.string(),
                        K::RegisteredCountry => {
                            r.registered_country = m.next_value::<Named>()?.code
                        }
                        K::Continent => {
                            let n = m.next_value::<Named>()?;
                            if n.code.is_some() {
                                r.continent = n.code;
                            }
                        }
                        K::ContinentCode => r.continent = m.next_value::<Loose>()?.string(),
                        K::City => r.city = m.next_value::<Named>()?.name,
                        K::Subdivisions => r.region = m.next_value::<FirstNamed>()?.0,
                        K::State1 | K::Region => {
                            let v = m.next_value::<Loose>()?.string();
                            if r.region.is_none() {
                                r.region = v;
                            }
                        }
                        K::Location => {
                            let LatLon(lat, lon) = m.next_value::<LatLon>()?;
                            r.lat = lat;
                            r.lon = lon;
                        }
                        K::Latitude | K::Lat => r.lat = m.next_value::<Loose>()?.float(),
                        K::Longitude | K::Lon | K::Lng => r.lon = m.next_value::<Loose>()?.float(),
                        K::AutonomousSystemNumber | K::Asn => {
                            r.asn = m.next_value::<Loose>()?.asn()
                        }
                        K::AutonomousSystemOrganization | K::AsName => {
                            r.as_org = m.next_value::<Loose>()?.string()
                        }
                        _ => {
                            m.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                // an ISO code is two ASCII letters; anything else is not a country code
                for c in [&mut r.country_code, &mut r.registered_country] {
                    if let Some(code) = c {
                        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
                            code.make_ascii_uppercase();
                        } else {
                            *c = None;
                        }
                    }
                }
                if !(r.lat.is_some_and(|x| (-90.0..=90.0).contains(&x))
                    && r.lon.is_some_and(|x| (-180.0..=180.0).contains(&x)))
                {
                    r.lat = None;
                    r.lon = None;
                }
                Ok(r)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Record, E> {
                Ok(Record::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Record, E> {
                Ok(Record::default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Record, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Record::default())
            }
        }
        d.deserialize_any(V)
    }
}

// ---------- the backend ----------

/// One open MMDB file. The whole file is read into memory.
pub struct MmdbDatabase {
    reader: Reader<Vec<u8>>,
    info: DatabaseInfo,
}

impl fmt::Debug for MmdbDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MmdbDatabase")
            .field("info", &self.info)
            .finish()
    }
}

impl MmdbDatabase {
    /// Open an MMDB file and find out what it holds by sampling its records.
    pub fn open(path: &Path) -> Result<MmdbDatabase, GeoError> {
        if !path.exists() {
            return Err(GeoError::Missing(path.to_path_buf()));
        }
        let reader = Reader::open_readfile(path)
            .map_err(|e| GeoError::NotMmdb(path.to_path_buf(), e.to_string()))?;
        Self::from_reader(reader, path.to_path_buf())
    }

    /// Use an MMDB already in memory (`path` is only used for its name in messages).
    pub fn from_bytes(bytes: Vec<u8>, path: PathBuf) -> Result<MmdbDatabase, GeoError> {
        let reader = Reader::from_source(bytes)
            .map_err(|e| GeoError::NotMmdb(path.clone(), e.to_string()))?;
        Self::from_reader(reader, path)
    }

    fn from_reader(reader: Reader<Vec<u8>>, path: PathBuf) -> Result<MmdbDatabase, GeoError> {
        let meta = reader.metadata();
        let (mut loc, mut country, mut asn) = (false, false, false);
        // sample records across the tree; the first few thousand networks of a City database are
        // enough to see its fields
        if let Ok(iter) = reader.networks(Default::default()) {
            let mut seen = 0;
            for item in iter.take(4096) {
                let Ok(res) = item else { break };
                if let Ok(Some(r)) = res.decode::<Record>() {
                    loc |= r.has_location();
                    country |= r.has_country();
                    asn |= r.asn.is_some();
                    seen += 1;
                }
                if seen >= 64 && (loc || asn) {
                    break;
                }
            }
        }
        let kind = if loc {
            DatabaseKind::City
        } else if country {
            DatabaseKind::Country
        } else if asn {
            DatabaseKind::Asn
        } else {
            DatabaseKind::Unknown
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let info = DatabaseInfo {
            source: format!("mmdb:{name}"),
            name,
            path: Some(path),
            kind,
            has_asn: asn,
            database_type: meta.database_type.clone(),
            build_epoch: Some(meta.build_epoch),
            build_date: Some(epoch_to_date(meta.build_epoch)),
            ip_version: Some(meta.ip_version),
            description: meta.description.get("en").cloned(),
            licence: None,
            attribution: None,
        };
        Ok(MmdbDatabase { reader, info })
    }

    /// What this file is.
    pub fn info(&self) -> &DatabaseInfo {
        &self.info
    }

    /// The record for `ip`, or `None` when the file has none — including an IPv6 address asked of
    /// an IPv4-only database, and a record that fails to decode.
    pub(crate) fn record(&self, ip: IpAddr) -> Option<Record> {
        let ip = super::canonical(ip);
        if matches!(ip, IpAddr::V6(_)) && self.info.ip_version == Some(4) {
            return None;
        }
        self.reader
            .lookup(ip)
            .ok()?
            .decode::<Record>()
            .ok()
            .flatten()
    }
}

impl Locate for MmdbDatabase {
    /// This one file's answer (no fallback): country fields, city and coordinates, ASN.
    fn locate(&self, ip: IpAddr) -> Location {
        let mut loc = Location::default();
        let Some(r) = self.record(ip) else { return loc };
        if r.lat.is_some() && r.lon.is_some() {
            loc.lat = r.lat;
            loc.lon = r.lon;
            loc.accuracy = Some(if r.city.is_some() {
                Accuracy::City
            } else {
                Accuracy::Country
            });
        }
        loc.city = r.city;
        loc.region = r.region;
        if let Some(code) = r.country_code.or(r.registered_country) {
            fill_country(&mut loc, &code);
        }
        if loc.country_name.is_none() {
            loc.country_name = r.country_name;
        }
        if loc.continent.is_none() {
            loc.continent = r.continent;
        }
        loc.asn = r.asn;
        loc.as_org = r.as_org;
        if !loc.is_empty() {
            loc.source = Some(self.info.source.clone());
        }
        loc
    }
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub(crate) fn epoch_to_date(secs: u64) -> String {
    let (y, m, d) = crate::parse::timestamp::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(epoch_to_date(0), "1970-01-01");
        assert_eq!(epoch_to_date(951_782_400), "2000-02-29");
        assert_eq!(epoch_to_date(1_767_225_599), "2025-12-31");
    }

    #[test]
    fn loose_asn_forms() {
        assert_eq!(Loose::Str("AS13335".into()).asn(), Some(13335));
        assert_eq!(Loose::UInt(64512).asn(), Some(64512));
        assert_eq!(Loose::Str("nope".into()).asn(), None);
        assert_eq!(Loose::UInt(1 << 40).asn(), None);
        assert_eq!(Loose::Str(" 52.5 ".into()).float(), Some(52.5));
        assert_eq!(Loose::Str("NaN".into()).float(), None);
    }
}
