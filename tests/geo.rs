//! Geolocation: embedded tables, country table, MMDB schemas, the Geo chain, discovery, cache.
//! Every MMDB used here is written by the test itself (`logmap::enrich::mmdb_write`).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use logmap::enrich::mmdb_write::{Value, Writer};
use logmap::enrich::{
    Accuracy, DatabaseKind, Embedded, Geo, GeoConfig, GeoError, Locate, countries, country, db,
};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn within(lat: f64, lon: f64, (s, w, n, e): (f64, f64, f64, f64)) -> bool {
    (s..=n).contains(&lat) && (w..=e).contains(&lon)
}

// ---------- embedded ----------

#[test]
fn embedded_answers_well_known_public_addresses() {
    let e = Embedded;
    // Google Public DNS and Cloudflare's resolver: stable, widely documented facts
    assert_eq!(e.asn(ip("8.8.8.8")).map(|a| a.0), Some(15169));
    assert_eq!(e.asn(ip("2001:4860:4860::8888")).map(|a| a.0), Some(15169));
    assert_eq!(e.asn(ip("1.1.1.1")).map(|a| a.0), Some(13335));
    assert!(e.asn(ip("8.8.8.8")).unwrap().1.contains("Google"));
    assert_eq!(e.country_code(ip("8.8.8.8")), Some("US"));
    assert!(e.country_code(ip("2001:4860:4860::8888")).is_some());
}

#[test]
fn embedded_has_nothing_for_private_and_reserved_addresses() {
    let e = Embedded;
    for a in [
        "10.1.2.3",
        "127.0.0.1",
        "192.168.1.1",
        "172.16.5.4",
        "0.0.0.0",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
    ] {
        let loc = e.locate(ip(a));
        assert!(loc.is_empty(), "{a}: {loc:?}");
        assert_eq!(loc.source, None);
    }
}

#[test]
fn embedded_answer_is_placed_at_its_city_and_says_so() {
    let loc = Embedded.locate(ip("8.8.8.8"));
    assert_eq!(loc.country.as_deref(), Some("US"));
    assert_eq!(loc.country_name.as_deref(), Some("United States"));
    assert_eq!(loc.continent.as_deref(), Some("NA"));
    assert_eq!(loc.accuracy, Some(Accuracy::City));
    assert!(loc.city.is_some() && loc.region.is_some(), "{loc:?}");
    let (lat, lon) = (loc.lat.unwrap(), loc.lon.unwrap());
    // in the contiguous US, not on the country's point, and on the 1/20 degree grid
    assert!(within(lat, lon, (24.0, -125.0, 50.0, -66.0)), "{loc:?}");
    let us = country("US").unwrap();
    assert_ne!((loc.lat, loc.lon), (us.lat, us.lon));
    for x in [lat, lon] {
        assert!(((x * 20.0).round() - x * 20.0).abs() < 1e-9, "{x}");
    }
    assert_eq!(
        loc.source.as_deref(),
        Some("embedded:dbip-country-lite+embedded:dbip-city-lite+embedded:asn")
    );
    // the same place as the city table's own answer
    let p = Embedded.city(ip("8.8.8.8")).unwrap();
    assert_eq!((p.country, p.city), ("US", loc.city.as_deref()));
    assert_eq!((Some(p.lat), Some(p.lon)), (loc.lat, loc.lon));
}

#[test]
fn embedded_ipv6_answers_are_city_precise_too() {
    let l = Embedded.locate(ip("2001:4860:4860::8888"));
    assert_eq!(l.accuracy, Some(Accuracy::City), "{l:?}");
    assert!(l.city.is_some());
    // different cities in different countries, from the IPv6 half of the table
    let a = Embedded.city(ip("2a01:4f8::1")).unwrap();
    let b = Embedded.city(ip("2400:cb00::1")).unwrap();
    assert!(a.city.is_some() && b.city.is_some());
    assert_ne!((a.lat, a.lon), (b.lat, b.lon));
}

#[test]
fn ipv4_mapped_ipv6_is_looked_up_as_ipv4() {
    let e = Embedded;
    assert_eq!(e.locate(ip("::ffff:8.8.8.8")), e.locate(ip("8.8.8.8")));
}

#[test]
fn embedded_lookup_agrees_at_range_edges() {
    // walk a few thousand addresses spread over the IPv4 space and check the answer changes
    // only where the ASN or country changes, i.e. looking up twice is consistent and total
    let e = Embedded;
    let mut x: u32 = 12345;
    let mut answered = 0;
    for _ in 0..5000 {
        x = x.wrapping_mul(2_654_435_761).wrapping_add(97);
        let a = IpAddr::V4(x.into());
        let l1 = e.locate(a);
        assert_eq!(l1, e.locate(a));
        if l1.country.is_some() {
            answered += 1;
            assert!(
                country(l1.country.as_deref().unwrap()).is_some(),
                "{a}: unknown code"
            );
        }
    }
    // most of the IPv4 space is allocated to a country
    assert!(answered > 3500, "{answered}");
}

// ---------- country table ----------

#[test]
fn representative_points_fall_inside_their_countries() {
    // rough bounding boxes (south, west, north, east) of the main territory
    let cases = [
        ("FR", (41.0, -5.5, 51.5, 10.0)), // metropolitan France, not French Guiana
        ("US", (24.0, -125.0, 50.0, -66.0)), // contiguous US
        ("RU", (41.0, 27.0, 78.0, 180.0)),
        ("NO", (57.0, 4.0, 72.0, 32.0)), // mainland, not Svalbard
        ("GF", (2.0, -55.0, 6.0, -51.0)),
        ("NL", (50.7, 3.3, 53.6, 7.3)),
        ("DK", (54.5, 8.0, 58.0, 15.5)),
        ("CL", (-56.0, -76.0, -17.0, -66.0)),
        ("IT", (36.0, 6.5, 47.2, 18.6)),
        ("LS", (-30.7, 27.0, -28.5, 29.5)),
        ("VA", (41.89, 12.44, 41.91, 12.46)),
        ("SJ", (74.0, 10.0, 81.0, 35.0)),
    ];
    for (code, bbox) in cases {
        let c = country(code).unwrap();
        let (lat, lon) = (c.lat.unwrap(), c.lon.unwrap());
        assert!(
            within(lat, lon, bbox),
            "{code} point {lat},{lon} outside {bbox:?}"
        );
    }
}

#[test]
fn country_table_is_complete_and_consistent() {
    let all: Vec<_> = countries::all().collect();
    assert!(all.len() >= 245);
    for c in &all {
        assert_eq!(c.alpha2.len(), 2, "{c:?}");
        assert_eq!(c.alpha3.len(), 3, "{c:?}");
        assert!(
            c.numeric.len() == 3 && c.numeric.bytes().all(|b| b.is_ascii_digit()),
            "{c:?}"
        );
        assert!(
            ["AF", "AN", "AS", "EU", "NA", "OC", "SA"].contains(&c.continent.as_str()),
            "{c:?}"
        );
        assert!(!c.name.is_empty());
        if let (Some(lat), Some(lon)) = (c.lat, c.lon) {
            assert!(
                (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon),
                "{c:?}"
            );
            assert!(
                !c.point_source.is_empty(),
                "{c:?} has a point but no source"
            );
        }
        assert_eq!(
            countries::alpha2_to_numeric(&c.alpha2),
            Some(c.numeric.as_str())
        );
        assert_eq!(
            countries::numeric_to_alpha2(&c.numeric),
            Some(c.alpha2.as_str())
        );
    }
    assert_eq!(countries::alpha2_to_numeric("fr"), Some("250"));
    assert_eq!(countries::numeric_to_alpha2("4"), Some("AF"));
    assert_eq!(country("ZZ"), None);
    assert_eq!(country("FRA"), None);
    assert_eq!(country(""), None);
}

#[test]
fn every_country_the_embedded_data_can_answer_has_a_name_and_a_point() {
    // sample the address space densely enough to meet most codes, and check each one seen
    let e = Embedded;
    let mut seen = std::collections::BTreeSet::new();
    for hi in 0u32..=65535 {
        for lo in [0x0101u32, 0x8080] {
            if let Some(c) = e.country_code(IpAddr::V4(((hi << 16) | lo).into())) {
                seen.insert(c);
            }
        }
    }
    assert!(seen.len() > 150, "{}", seen.len());
    for c in seen {
        let info = country(c).unwrap_or_else(|| panic!("{c} not in the country table"));
        assert!(info.lat.is_some() && info.lon.is_some(), "{c} has no point");
    }
}

// ---------- MMDB fixtures ----------

fn names(en: &str) -> Value {
    Value::map([
        ("de", Value::str("(de)")),
        ("en", Value::str(en)),
        ("ja", Value::str("(ja)")),
    ])
}

/// A GeoIP2-City-like database (MaxMind's nested schema).
fn maxmind_city() -> Vec<u8> {
    let mut w = Writer::new("GeoIP2-City", 6);
    let london = Value::map([
        (
            "city",
            Value::map([
                ("geoname_id", Value::U32(2643743)),
                ("names", names("London")),
            ]),
        ),
        (
            "continent",
            Value::map([("code", Value::str("EU")), ("names", names("Europe"))]),
        ),
        (
            "country",
            Value::map([
                ("iso_code", Value::str("GB")),
                ("names", names("United Kingdom")),
            ]),
        ),
        (
            "location",
            Value::map([
                ("accuracy_radius", Value::U16(100)),
                ("latitude", Value::F64(51.5142)),
                ("longitude", Value::F64(-0.0931)),
                ("time_zone", Value::str("Europe/London")),
            ]),
        ),
        (
            "registered_country",
            Value::map([("iso_code", Value::str("GB"))]),
        ),
        (
            "subdivisions",
            Value::Array(vec![
                Value::map([("iso_code", Value::str("ENG")), ("names", names("England"))]),
                Value::map([("iso_code", Value::str("X")), ("names", names("Other"))]),
            ]),
        ),
    ]);
    w.insert("81.2.69.0/24".parse().unwrap(), london.clone())
        .unwrap();
    // country-level only, without coordinates
    let se = Value::map([
        (
            "country",
            Value::map([("iso_code", Value::str("SE")), ("names", names("Sweden"))]),
        ),
        ("continent", Value::map([("code", Value::str("EU"))])),
    ]);
    w.insert("89.160.20.0/24".parse().unwrap(), se).unwrap();
    // only a registered country (anonymous/anycast style)
    w.insert(
        "67.43.156.0/24".parse().unwrap(),
        Value::map([(
            "registered_country",
            Value::map([("iso_code", Value::str("BT"))]),
        )]),
    )
    .unwrap();
    // IPv6 city
    let tokyo = Value::map([
        ("city", Value::map([("names", names("Tokyo"))])),
        ("country", Value::map([("iso_code", Value::str("JP"))])),
        (
            "location",
            Value::map([
                ("latitude", Value::F64(35.6895)),
                ("longitude", Value::F64(139.6917)),
            ]),
        ),
    ]);
    w.insert("2001:218::/32".parse().unwrap(), tokyo).unwrap();
    // a more specific override inside a wider network
    w.insert(
        "81.2.0.0/16".parse().unwrap(),
        Value::map([("country", Value::map([("iso_code", Value::str("GB"))]))]),
    )
    .unwrap();
    w.insert("81.2.69.0/24".parse().unwrap(), london).unwrap();
    w.to_bytes()
}

/// A GeoLite2-ASN-like database, IPv4 only.
fn maxmind_asn_v4() -> Vec<u8> {
    let mut w = Writer::new("GeoLite2-ASN", 4);
    w.insert(
        "81.2.69.0/24".parse().unwrap(),
        Value::map([
            ("autonomous_system_number", Value::U32(20712)),
            (
                "autonomous_system_organization",
                Value::str("Andrews & Arnold Ltd"),
            ),
        ]),
    )
    .unwrap();
    // number only: the organisation comes from the embedded set
    w.insert(
        "8.8.8.0/24".parse().unwrap(),
        Value::map([("autonomous_system_number", Value::U32(15169))]),
    )
    .unwrap();
    w.to_bytes()
}

/// The flat schema of the ip-location-db builds (dbip-city-mmdb).
fn flat_city() -> Vec<u8> {
    let mut w = Writer::new("ip-location-db dbip-city", 6);
    let paris = Value::map([
        ("city", Value::str("Paris")),
        ("country_code", Value::str("FR")),
        ("latitude", Value::F64(48.8534)),
        ("longitude", Value::F64(2.3488)),
        ("postcode", Value::str("75001")),
        ("state1", Value::str("Île-de-France")),
        ("timezone", Value::str("Europe/Paris")),
    ]);
    w.insert("2.2.2.0/24".parse().unwrap(), paris).unwrap();
    w.insert(
        "2a01:cb00::/32".parse().unwrap(),
        Value::map([
            ("country_code", Value::str("fr")),
            ("latitude", Value::F64(45.75)),
            ("longitude", Value::F64(4.85)),
            ("city", Value::str("Lyon")),
        ]),
    )
    .unwrap();
    // an empty city (the flat builds write "" for unknown) is unknown, not a city
    w.insert(
        "4.4.4.0/24".parse().unwrap(),
        Value::map([
            ("city", Value::str("")),
            ("country_code", Value::str("UM")),
            ("latitude", Value::F64(19.28)),
            ("longitude", Value::F64(166.64)),
            ("state1", Value::str("")),
        ]),
    )
    .unwrap();
    // junk in the record: bad code, out-of-range latitude
    w.insert(
        "3.3.3.0/24".parse().unwrap(),
        Value::map([
            ("country_code", Value::str("France")),
            ("latitude", Value::F64(123.0)),
            ("longitude", Value::F64(2.0)),
        ]),
    )
    .unwrap();
    w.to_bytes()
}

/// IPinfo Lite's schema.
fn ipinfo_lite() -> Vec<u8> {
    let mut w = Writer::new("ipinfo lite.mmdb", 6);
    let rec = Value::map([
        ("as_domain", Value::str("cloudflare.com")),
        ("as_name", Value::str("Cloudflare, Inc.")),
        ("asn", Value::str("AS13335")),
        ("continent", Value::str("North America")),
        ("continent_code", Value::str("NA")),
        ("country", Value::str("United States")),
        ("country_code", Value::str("US")),
    ]);
    w.insert("1.1.1.0/24".parse().unwrap(), rec).unwrap();
    w.to_bytes()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn geo(paths: Vec<PathBuf>) -> Geo {
    Geo::new(&GeoConfig {
        mmdb_paths: paths,
        discover: false,
        discover_dirs: vec![],
        no_cache: false,
    })
    .unwrap()
}

// ---------- MMDB schemas through the chain ----------

#[test]
fn nested_schema_full_hit_with_asn_from_a_second_database() {
    let d = tempfile::tempdir().unwrap();
    // names that lie about the content: detection must use the records
    let city = write(d.path(), "asn-database.mmdb", &maxmind_city());
    let asn = write(d.path(), "GeoLite2-City.mmdb", &maxmind_asn_v4());
    let g = geo(vec![asn, city]);
    let kinds: Vec<_> = g.describe().iter().map(|i| i.kind).collect();
    assert_eq!(
        &kinds[..2],
        &[DatabaseKind::City, DatabaseKind::Asn],
        "city first whatever the order given"
    );

    let l = g.locate(ip("81.2.69.160"));
    assert_eq!(l.country.as_deref(), Some("GB"));
    assert_eq!(l.country_name.as_deref(), Some("United Kingdom"));
    assert_eq!(l.continent.as_deref(), Some("EU"));
    assert_eq!(l.city.as_deref(), Some("London"));
    assert_eq!(l.region.as_deref(), Some("England"));
    assert_eq!((l.lat, l.lon), (Some(51.5142), Some(-0.0931)));
    assert_eq!(l.accuracy, Some(Accuracy::City));
    assert_eq!(l.asn, Some(20712));
    assert_eq!(l.as_org.as_deref(), Some("Andrews & Arnold Ltd"));
    assert_eq!(
        l.source.as_deref(),
        Some("mmdb:asn-database.mmdb+mmdb:GeoLite2-City.mmdb")
    );
}

#[test]
fn nested_schema_subdivision_and_wider_network() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "c.mmdb", &maxmind_city())]);
    // inside 81.2.0.0/16 but outside the /24: country only, no coordinates in the record
    let l = g.locate(ip("81.2.1.1"));
    assert_eq!(l.country.as_deref(), Some("GB"));
    assert_eq!(l.city, None);
    assert_eq!(l.accuracy, Some(Accuracy::Country));
    let gb = country("GB").unwrap();
    assert_eq!((l.lat, l.lon), (gb.lat, gb.lon));
    assert_eq!(l.region, None);
}

#[test]
fn nested_schema_hit_without_city_and_registered_country_only() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "c.mmdb", &maxmind_city())]);
    // the MMDB knows only the country: the embedded city table places it in a Swedish city
    let se = g.locate(ip("89.160.20.112"));
    assert_eq!(se.country.as_deref(), Some("SE"));
    assert!(se.city.is_some(), "{se:?}");
    assert_eq!(se.accuracy, Some(Accuracy::City));
    assert!(within(
        se.lat.unwrap(),
        se.lon.unwrap(),
        (55.0, 10.5, 69.5, 24.5)
    ));
    assert_eq!(Embedded.city(ip("89.160.20.112")).unwrap().country, "SE");
    assert!(
        se.source
            .as_deref()
            .unwrap()
            .starts_with("mmdb:c.mmdb+embedded:dbip-city-lite")
    );

    let bt = g.locate(ip("67.43.156.1"));
    assert_eq!(bt.country.as_deref(), Some("BT"));

    let jp = g.locate(ip("2001:218:1::1"));
    assert_eq!(jp.city.as_deref(), Some("Tokyo"));
    assert_eq!(jp.accuracy, Some(Accuracy::City));
}

#[test]
fn miss_in_the_mmdb_falls_back_to_embedded() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![
        write(d.path(), "c.mmdb", &maxmind_city()),
        write(d.path(), "a.mmdb", &maxmind_asn_v4()),
    ]);
    let l = g.locate(ip("9.9.9.9"));
    assert_eq!(l, Embedded.locate(ip("9.9.9.9")));
    // MMDB ASN number without a name: the embedded set names it; country from embedded
    let g8 = g.locate(ip("8.8.8.8"));
    assert_eq!(g8.asn, Some(15169));
    assert!(g8.as_org.as_deref().unwrap().contains("Google"));
    assert_eq!(g8.country.as_deref(), Some("US"));
    assert_eq!(
        g8.source.as_deref(),
        Some("mmdb:a.mmdb+embedded:dbip-country-lite+embedded:dbip-city-lite")
    );
}

#[test]
fn ipv6_asked_of_an_ipv4_only_database_falls_through() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "a.mmdb", &maxmind_asn_v4())]);
    let l = g.locate(ip("2001:4860:4860::8888"));
    assert_eq!(l.asn, Some(15169));
    assert!(l.source.as_deref().unwrap().contains("embedded:asn"));
}

#[test]
fn flat_schema_of_ip_location_db() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "x.mmdb", &flat_city())]);
    let l = g.locate(ip("2.2.2.2"));
    assert_eq!(l.country.as_deref(), Some("FR"));
    assert_eq!(l.country_name.as_deref(), Some("France"));
    assert_eq!(l.city.as_deref(), Some("Paris"));
    assert_eq!(l.region.as_deref(), Some("Île-de-France"));
    assert_eq!((l.lat, l.lon), (Some(48.8534), Some(2.3488)));
    assert_eq!(l.accuracy, Some(Accuracy::City));
    let ly = g.locate(ip("2a01:cb00::1"));
    assert_eq!(
        ly.country.as_deref(),
        Some("FR"),
        "lower-case code normalised"
    );
    assert_eq!(ly.city.as_deref(), Some("Lyon"));
    let um = g.locate(ip("4.4.4.4"));
    assert_eq!((um.city, um.region), (None, None));
    assert_eq!(um.accuracy, Some(Accuracy::Country));
    assert_eq!((um.lat, um.lon), (Some(19.28), Some(166.64)));
    // invalid values in a record are dropped, never passed on
    let bad = g.locate(ip("3.3.3.3"));
    assert_ne!(bad.lat, Some(123.0));
    assert_ne!(bad.country.as_deref(), Some("France"));
}

#[test]
fn ipinfo_lite_schema() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "lite.mmdb", &ipinfo_lite())]);
    assert_eq!(g.describe()[0].kind, DatabaseKind::Country);
    assert!(g.describe()[0].has_asn);
    let l = g.locate(ip("1.1.1.1"));
    assert_eq!(l.country.as_deref(), Some("US"));
    assert_eq!(l.asn, Some(13335));
    assert_eq!(l.as_org.as_deref(), Some("Cloudflare, Inc."));
    assert_eq!(l.accuracy, Some(Accuracy::Country));
    assert_eq!(l.source.as_deref(), Some("mmdb:lite.mmdb"));
}

#[test]
fn given_files_that_are_missing_or_not_mmdb_are_errors_naming_them() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("nope.mmdb");
    let e = Geo::new(&GeoConfig::new(vec![missing.clone()], false)).unwrap_err();
    assert!(matches!(e, GeoError::Missing(_)));
    assert!(e.to_string().contains("nope.mmdb"), "{e}");
    let junk = write(d.path(), "junk.mmdb", b"this is not a database\n");
    let e = Geo::new(&GeoConfig::new(vec![junk], false)).unwrap_err();
    assert!(matches!(e, GeoError::NotMmdb(..)));
    assert!(e.to_string().contains("junk.mmdb"), "{e}");
    // truncated real database
    let city = maxmind_city();
    let cut = write(d.path(), "cut.mmdb", &city[..city.len() / 2]);
    assert!(Geo::new(&GeoConfig::new(vec![cut], false)).is_err());
}

#[test]
fn discovery_picks_databases_by_content_and_reports_skipped_files() {
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    write(&a, "GeoLite2-ASN.mmdb", &maxmind_city()); // misleading name
    write(&b, "whatever.mmdb", &maxmind_asn_v4());
    write(&b, "broken.mmdb", b"\x00\x01garbage");
    write(&b, "notes.txt", b"ignored");
    let cfg = GeoConfig {
        mmdb_paths: vec![],
        discover: true,
        discover_dirs: vec![a.clone(), b.clone(), d.path().join("absent")],
        no_cache: false,
    };
    let g = Geo::new(&cfg).unwrap();
    let used: Vec<_> = g
        .describe()
        .into_iter()
        .filter(|i| i.path.is_some())
        .map(|i| (i.name, i.kind))
        .collect();
    assert_eq!(
        used,
        vec![
            ("GeoLite2-ASN.mmdb".to_string(), DatabaseKind::City),
            ("whatever.mmdb".to_string(), DatabaseKind::Asn)
        ]
    );
    assert!(
        g.notes().iter().any(|n| n.contains("broken.mmdb")),
        "{:?}",
        g.notes()
    );
    assert!(
        g.notes()
            .iter()
            .any(|n| n.starts_with("using GeoLite2-ASN.mmdb")),
        "{:?}",
        g.notes()
    );
    assert_eq!(g.locate(ip("81.2.69.1")).asn, Some(20712));

    let info = db::info(&[a, b]);
    assert_eq!(info.found.len(), 2);
    assert_eq!(info.skipped.len(), 1);
    let text = info.to_string();
    assert!(
        text.contains("DB-IP") && text.contains("https://db-ip.com"),
        "{text}"
    );
    assert!(text.contains("GeoLite2-ASN.mmdb (city"), "{text}");
    assert!(text.contains("CC BY 4.0"));
    let json = serde_json::to_value(&info).unwrap();
    assert_eq!(json["found"][0]["kind"], "city");
    assert!(
        json["embedded"]["country"]["data_date"]
            .as_str()
            .unwrap()
            .len()
            == 10
    );
}

#[test]
fn cache_returns_the_same_answers() {
    let d = tempfile::tempdir().unwrap();
    let g = geo(vec![write(d.path(), "c.mmdb", &maxmind_city())]);
    let addrs = [
        "81.2.69.160",
        "8.8.8.8",
        "10.0.0.1",
        "2001:218::5",
        "81.2.69.160",
    ];
    let first: Vec<_> = addrs.iter().map(|a| g.locate(ip(a))).collect();
    assert_eq!(g.cache_len(), 4);
    let second: Vec<_> = addrs.iter().map(|a| g.locate(ip(a))).collect();
    assert_eq!(first, second);
    let uncached: Vec<_> = addrs.iter().map(|a| g.locate_uncached(ip(a))).collect();
    assert_eq!(first, uncached);
}

#[test]
fn describe_names_every_database_and_the_attribution() {
    let g = Geo::new(&GeoConfig::embedded_only()).unwrap();
    let d = g.describe();
    assert_eq!(d.len(), 3);
    assert!(d[0].name.contains("DB-IP"));
    assert!(d[1].name.contains("City Lite") && d[1].kind == DatabaseKind::City);
    assert!(d.iter().all(|i| i.licence.as_deref() == Some("CC BY 4.0")));
    assert!(d.iter().all(|i| i.build_date.is_some()));
    assert!(g.attribution().contains("DB-IP"));
    let j = serde_json::to_string(&g.locate(ip("10.0.0.1"))).unwrap();
    assert_eq!(
        j,
        r#"{"country":null,"country_name":null,"continent":null,"city":null,"region":null,"lat":null,"lon":null,"accuracy":null,"asn":null,"as_org":null,"source":null}"#
    );
}

#[test]
fn paths_live_under_the_data_dir() {
    let p = db::paths();
    if let Some(d) = &p.data_dir {
        assert!(d.ends_with("logmap"));
        assert_eq!(
            p.city_file.as_deref(),
            Some(d.join("dbip-city-lite.mmdb").as_path())
        );
    }
    assert!(
        p.search_dirs
            .iter()
            .any(|d| d == Path::new("/var/lib/GeoIP"))
    );
    assert!(p.to_string().contains("/usr/share/GeoIP"));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic_as_an_mmdb(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = logmap::enrich::MmdbDatabase::from_bytes(bytes, PathBuf::from("fuzz.mmdb"));
        }

        #[test]
        fn corrupted_mmdb_never_panics(pos in 0usize..4000, byte in any::<u8>(), a in any::<u32>(), b in any::<u128>()) {
            let mut db = super::maxmind_city();
            let n = db.len();
            db[pos % n] = byte;
            if let Ok(m) = logmap::enrich::MmdbDatabase::from_bytes(db, PathBuf::from("x.mmdb")) {
                for x in [IpAddr::V4(a.into()), IpAddr::V6(b.into()), ip("81.2.69.160"), ip("2001:218::1")] {
                    let _ = m.locate(x);
                }
            }
        }

        #[test]
        fn any_address_has_a_consistent_embedded_answer(a in any::<u32>(), b in any::<u128>()) {
            for x in [IpAddr::V4(a.into()), IpAddr::V6(b.into())] {
                let l = Embedded.locate(x);
                prop_assert_eq!(l.lat.is_some(), l.country.is_some());
                prop_assert_eq!(l.as_org.is_some() && l.asn.is_none(), false);
            }
        }
    }
}
