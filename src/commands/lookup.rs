//! `logmap lookup`: what the geolocation data says about addresses.

use std::io::{self, BufRead, BufWriter, IsTerminal, Write};
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use serde::Serialize;

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::enrich::{Locate, Location};
use crate::parse::extract::parse_addr;
use crate::parse::scope::{Scope, scope};
use crate::render::table::{Align, Table};
use crate::render::text::safe;

/// One answer, as `--format ndjson` writes it.
#[derive(Serialize)]
struct Answer<'a> {
    ip: IpAddr,
    country: Option<&'a str>,
    country_name: Option<&'a str>,
    city: Option<&'a str>,
    lat: Option<f64>,
    lon: Option<f64>,
    accuracy: Option<&'static str>,
    asn: Option<u32>,
    as_org: Option<&'a str>,
    source: Option<&'a str>,
    /// `global`, or why there is no location (`private`, `loopback`, …).
    scope: Scope,
}

pub fn run(cfg: &Config, addrs: &[String], ndjson: bool, geoip: &[PathBuf]) -> Result<Exit> {
    let geo = super::analyse::open_geo(cfg, geoip)?;
    let mut words: Vec<String> = addrs.to_vec();
    if words.is_empty() {
        if io::stdin().is_terminal() {
            anyhow::bail!("no address: give addresses as arguments or one per line on stdin");
        }
        for line in io::stdin().lock().lines() {
            let line = line?;
            let w = line.trim();
            if !w.is_empty() && !w.starts_with('#') {
                words.push(w.to_string());
            }
        }
    }
    let mut bad = false;
    let mut rows: Vec<(IpAddr, Scope, Location)> = Vec::new();
    for w in &words {
        match parse_addr(w.as_bytes()) {
            Some(ip) => {
                let sc = scope(ip);
                let loc = if sc.is_global() {
                    geo.locate(ip)
                } else {
                    Location::default()
                };
                rows.push((ip, sc, loc));
            }
            None => {
                crate::render::note(format_args!(
                    "logmap: '{}' is not an IP address",
                    safe(w, 80)
                ));
                bad = true;
            }
        }
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if ndjson {
        for (ip, sc, loc) in &rows {
            let a = Answer {
                ip: *ip,
                country: loc.country.as_deref(),
                country_name: loc.country_name.as_deref(),
                city: loc.city.as_deref(),
                lat: loc.lat,
                lon: loc.lon,
                accuracy: loc.accuracy.map(|a| a.as_str()),
                asn: loc.asn,
                as_org: loc.as_org.as_deref(),
                source: loc.source.as_deref(),
                scope: *sc,
            };
            serde_json::to_writer(&mut out, &a)?;
            out.write_all(b"\n")?;
        }
    } else if !rows.is_empty() {
        let mut t = Table::new(
            "LOOKUP",
            &[
                ("address", Align::Left),
                ("country", Align::Left),
                ("city", Align::Left),
                ("lat, lon", Align::Left),
                ("network", Align::Left),
                ("answered by", Align::Left),
            ],
        );
        for (ip, sc, loc) in &rows {
            if !sc.is_global() {
                t.row(vec![
                    ip.to_string(),
                    format!("({sc} address: no location)"),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
                continue;
            }
            let country = match (&loc.country, &loc.country_name) {
                (Some(c), Some(n)) => format!("{c} {n}"),
                (Some(c), None) => c.clone(),
                _ => "-".into(),
            };
            let coords = match (loc.lat, loc.lon) {
                (Some(la), Some(lo)) => format!(
                    "{la:.4}, {lo:.4}{}",
                    loc.accuracy
                        .map(|a| format!(" ({})", a.as_str()))
                        .unwrap_or_default()
                ),
                _ => "-".into(),
            };
            let network = match (loc.asn, &loc.as_org) {
                (Some(a), Some(o)) => format!("AS{a} {}", safe(o, 40)),
                (Some(a), None) => format!("AS{a}"),
                _ => "-".into(),
            };
            t.row(vec![
                ip.to_string(),
                safe(&country, 40),
                safe(loc.city.as_deref().unwrap_or("-"), 30),
                coords,
                network,
                safe(loc.source.as_deref().unwrap_or(""), 40),
            ]);
        }
        out.write_all(t.render(cfg.style, &|_, s| s.to_string()).as_bytes())?;
        writeln!(out, "{}", crate::enrich::ATTRIBUTION)?;
    }
    out.flush()?;
    Ok(if bad { Exit::Error } else { Exit::Success })
}
