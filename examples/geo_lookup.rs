//! Reads addresses (one per line) on stdin and prints what the geolocation chain says, one JSON
//! object per line: `ip` plus the [`logmap::enrich::Location`] fields. Lines that are not an
//! address print `{"ip": "...", "error": "..."}`. Used by `scripts/geo/compare_mmdb.py`.
//!
//!     printf '8.8.8.8\n2001:4860::1\n' | cargo run --example geo_lookup -- [--discover] [FILE.mmdb ...]

use std::io::{BufRead, BufWriter, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use logmap::enrich::{Geo, GeoConfig, Locate};

fn main() -> ExitCode {
    let mut discover = false;
    let mut paths = Vec::new();
    for a in std::env::args_os().skip(1) {
        if a == "--discover" {
            discover = true;
        } else {
            paths.push(PathBuf::from(a));
        }
    }
    let geo = match Geo::new(&GeoConfig::new(paths, discover)) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("geo_lookup: {e}");
            return ExitCode::from(2);
        }
    };
    for d in geo.describe() {
        eprintln!("using {}", d.summary());
    }
    for n in geo.notes() {
        eprintln!("{n}");
    }
    let stdin = std::io::stdin();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let s = line.trim();
        if s.is_empty() {
            continue;
        }
        let v = match s.parse::<IpAddr>() {
            Ok(ip) => {
                let mut v = serde_json::to_value(geo.locate(ip)).unwrap_or_default();
                v["ip"] = serde_json::Value::String(ip.to_string());
                v
            }
            Err(e) => serde_json::json!({"ip": s, "error": e.to_string()}),
        };
        if writeln!(out, "{v}").is_err() {
            break;
        }
    }
    ExitCode::SUCCESS
}
