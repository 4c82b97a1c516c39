//! Checks the embedded tables against the source CSVs of the npm packages they were built from.
//!
//!     (cd scripts/geo && npm ci)
//!     cargo run --release --example geo_check_csv [-- scripts/geo/node_modules/@ip-location-db] [SEED]
//!
//! Draws 20,000 random public IPv4 addresses (uniform over the public space) and 5,000 IPv6
//! addresses (random addresses inside random rows of the country and ASN CSVs, plus some uniform
//! ones in 2000::/3), looks each up in the CSVs with an independent reader (the `*-num.csv`
//! files, a plain binary search over the rows), and compares country and ASN + organisation
//! with the embedded answer. Exits 1 on any difference.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use logmap::enrich::Embedded;

struct Row {
    start: u128,
    end: u128,
    value: String,
    org: String,
}

/// Minimal CSV field splitter with "" quoting (the org names contain commas and quotes).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn load(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run npm ci in scripts/geo)", path.display()));
    let mut rows: Vec<Row> = text
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f = fields(l);
            Row {
                start: f[0].parse().expect("start"),
                end: f[1].parse().expect("end"),
                value: f[2].clone(),
                org: f.get(3).cloned().unwrap_or_default(),
            }
        })
        .collect();
    rows.sort_by_key(|r| r.start);
    rows
}

/// Rows containing `x` (more than one only where rows overlap).
fn containing(rows: &[Row], x: u128) -> Vec<&Row> {
    let i = rows.partition_point(|r| r.start <= x);
    rows[..i]
        .iter()
        .rev()
        .take(8)
        .filter(|r| r.end >= x)
        .collect()
}

fn is_public_v4(a: u32) -> bool {
    let reserved: [(u32, u32); 15] = [
        (0x0000_0000, 8),
        (0x0a00_0000, 8),
        (0x6440_0000, 10),
        (0x7f00_0000, 8),
        (0xa9fe_0000, 16),
        (0xac10_0000, 12),
        (0xc000_0000, 24),
        (0xc000_0200, 24),
        (0xc058_6300, 24),
        (0xc0a8_0000, 16),
        (0xc612_0000, 15),
        (0xc633_6400, 24),
        (0xcb00_7100, 24),
        (0xe000_0000, 4),
        (0xf000_0000, 4),
    ];
    !reserved
        .iter()
        .any(|&(net, len)| a >> (32 - len) == net >> (32 - len))
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn u128(&mut self) -> u128 {
        (u128::from(self.next()) << 64) | u128::from(self.next())
    }
    fn in_row(&mut self, r: &Row) -> u128 {
        let span = r.end - r.start;
        if span == u128::MAX {
            self.u128()
        } else {
            r.start + self.u128() % (span + 1)
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .first()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("scripts/geo/node_modules/@ip-location-db"));
    let seed: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_260_601);
    let c4 = load(&dir.join("dbip-country/dbip-country-ipv4-num.csv"));
    let c6 = load(&dir.join("dbip-country/dbip-country-ipv6-num.csv"));
    let a4 = load(&dir.join("asn/asn-ipv4-num.csv"));
    let a6 = load(&dir.join("asn/asn-ipv6-num.csv"));
    println!(
        "CSV rows: country {} v4 / {} v6, asn {} v4 / {} v6; seed {seed}",
        c4.len(),
        c6.len(),
        a4.len(),
        a6.len()
    );

    let mut rng = Rng(seed);
    let mut v4 = Vec::new();
    while v4.len() < 20_000 {
        let a = rng.next() as u32;
        if is_public_v4(a) {
            v4.push(u128::from(a));
        }
    }
    let mut v6 = Vec::new();
    for i in 0..5_000 {
        let x = match i % 5 {
            0 | 1 => {
                let r = &c6[(rng.next() % c6.len() as u64) as usize];
                rng.in_row(r)
            }
            2 | 3 => {
                let r = &a6[(rng.next() % a6.len() as u64) as usize];
                rng.in_row(r)
            }
            _ => (0x2u128 << 125) | (rng.u128() >> 3), // uniform in 2000::/3
        };
        v6.push(x);
    }

    let e = Embedded;
    let mut bad = 0usize;
    for (family, addrs, crows, arows) in [("IPv4", &v4, &c4, &a4), ("IPv6", &v6, &c6, &a6)] {
        let (mut country_ok, mut asn_ok, mut with_country, mut with_asn) =
            (0usize, 0usize, 0usize, 0usize);
        for &x in addrs.iter() {
            let ip: IpAddr = if family == "IPv4" {
                IpAddr::V4((x as u32).into())
            } else {
                IpAddr::V6(x.into())
            };
            let want_c: Vec<&str> = containing(crows, x)
                .iter()
                .map(|r| r.value.as_str())
                .collect();
            let got_c = e.country_code(ip);
            let c_ok = match got_c {
                None => want_c.is_empty(),
                Some(c) => want_c.contains(&c),
            };
            let want_a: Vec<(u32, &str)> = containing(arows, x)
                .iter()
                .map(|r| (r.value.parse().unwrap_or(0), r.org.as_str()))
                .collect();
            let got_a = e.asn(ip);
            let a_ok = match got_a {
                None => want_a.is_empty(),
                Some(a) => want_a.contains(&a),
            };
            with_country += usize::from(!want_c.is_empty());
            with_asn += usize::from(!want_a.is_empty());
            country_ok += usize::from(c_ok);
            asn_ok += usize::from(a_ok);
            if !(c_ok && a_ok) {
                bad += 1;
                if bad <= 10 {
                    println!(
                        "MISMATCH {ip}: country csv {want_c:?} embedded {got_c:?}; asn csv {want_a:?} embedded {got_a:?}"
                    );
                }
            }
        }
        println!(
            "{family}: {} addresses; country equal {country_ok}/{} ({with_country} in a CSV row); ASN+org equal {asn_ok}/{} ({with_asn} in a CSV row)",
            addrs.len(),
            addrs.len(),
            addrs.len()
        );
    }
    if bad == 0 {
        println!("OK: the embedded answers equal the CSVs");
        ExitCode::SUCCESS
    } else {
        println!("FAILED: {bad} addresses differ");
        ExitCode::FAILURE
    }
}
