//! By-hand check of the web, ufw and cowrie parsers over whole files (not a test: the sample
//! logs are not part of the repository).
//!
//! `cargo run --release --example formats_check -- web|ufw|cowrie FILE…`
//! Prints lines, events, unparsed lines, distinct addresses and events per kind.

use std::collections::{BTreeMap, HashSet};
use std::time::Instant;

use logmap::parse::{Event, LineCtx, LineParser, cowrie, ufw, web};

/// What the syslog layer will strip: `Mon dd hh:mm:ss host kernel: [uptime] `.
fn kernel_message(line: &str) -> Option<&str> {
    let m = &line[line.find(" kernel: ")? + 9..];
    Some(
        m.strip_prefix('[')
            .and_then(|r| r.find("] ").map(|i| &r[i + 2..]))
            .unwrap_or(m),
    )
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let format = args.next().unwrap_or_default();
    for path in args {
        let data = std::fs::read(&path)?;
        let start = Instant::now();
        let (mut lines, mut events, mut unparsed, mut looks) = (0u64, 0u64, 0u64, 0u64);
        let mut ips = HashSet::new();
        let mut kinds = BTreeMap::new();
        let mut web_p = web::WebParser::new();
        let mut cowrie_p = cowrie::CowrieParser::new();
        let body = data.strip_suffix(b"\n").unwrap_or(&data);
        for (i, line) in body.split(|&b| b == b'\n').enumerate() {
            lines += 1;
            let ctx = LineCtx {
                source: 0,
                line_no: i as u64 + 1,
            };
            let mut on = |e: &Event<'_>| {
                events += 1;
                ips.insert(e.ip);
                *kinds.entry(e.kind.as_str()).or_insert(0u64) += 1;
            };
            let outcome = match format.as_str() {
                "web" => web_p.parse_line(line, ctx, &mut on),
                "cowrie" => cowrie_p.parse_line(line, ctx, &mut on),
                "ufw" => {
                    let fw = std::str::from_utf8(line)
                        .ok()
                        .and_then(kernel_message)
                        .and_then(ufw::parse_message);
                    match fw {
                        Some(f) => on(&f.into_event(ctx, None)),
                        None => unparsed += 1,
                    }
                    Default::default()
                }
                other => anyhow::bail!("unknown format {other:?}"),
            };
            unparsed += outcome.unparsed as u64;
        }
        let parse_time = start.elapsed();
        let start = Instant::now();
        for line in body.split(|&b| b == b'\n') {
            looks += match format.as_str() {
                "web" => web::looks_like(line),
                "cowrie" => cowrie::looks_like(line),
                _ => ufw::looks_like(line),
            } as u64;
        }
        let looks_time = start.elapsed();
        println!(
            "{path}: {lines} lines, {looks} look like {format}, {events} events, {unparsed} unparsed, {} distinct IPs, {kinds:?}; parse {parse_time:.1?} ({:.0} MB/s), looks_like {looks_time:.1?}",
            ips.len(),
            data.len() as f64 / parse_time.as_secs_f64() / 1e6,
        );
    }
    Ok(())
}
