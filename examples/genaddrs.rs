//! Writes an sshd `auth.log` in which a given number of *distinct* public addresses each
//! appear a few times: the input of the map benchmark at a million addresses (`bench/map.sh`).
//!
//! ```text
//! cargo run --release --example genaddrs -- --addresses 1000000 --out bench/data/addrs-1m.log
//! ```
//!
//! Options: `--addresses N` (default 1,000,000), `--days N` (time span, default 30), `--seed N`,
//! `--out PATH` (default: stdout).
//!
//! `genlog` draws its clients from a heavy-tailed pool, so a million distinct addresses would
//! take a log of many gigabytes; here every address is written once, in one short burst (1 to 6
//! lines), in time order over the span. About 5 % are IPv6 (real hosting prefixes), the rest
//! random routed IPv4 addresses, so the embedded geolocation spreads them over the world as
//! the address space is. Most bursts are failed passwords or invalid users, one in six only
//! connects and leaves (a scan), one in 400 logs in. Deterministic for a seed; only the
//! standard library is used.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::ExitCode;

/// A small seedable generator (wyrand).
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xA076_1D64_78BD_642F);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xE703_7ED1_A0B4_28DB);
        ((t >> 64) ^ t) as u64
    }
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
}

/// Reserved, private and documentation IPv4 ranges (the tool leaves private ones off the map).
fn special_v4(a: u32) -> bool {
    let o = a.to_be_bytes();
    matches!(o[0], 0 | 10 | 127)
        || o[0] >= 224
        || (o[0] == 100 && (o[1] & 0xC0) == 64)
        || (o[0] == 169 && o[1] == 254)
        || (o[0] == 172 && (o[1] & 0xF0) == 16)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 192 && o[1] == 0)
        || (o[0] == 198 && (o[1] & 0xFE) == 18)
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
}

/// Routed IPv6 allocations of hosting and access providers (first two groups).
const V6: &[[u16; 2]] = &[
    [0x2001, 0x41d0],
    [0x2a01, 0x04f8],
    [0x2604, 0xa880],
    [0x2a03, 0xb0c0],
    [0x2400, 0x6180],
    [0x2600, 0x1f18],
    [0x240e, 0x0388],
    [0x2409, 0x8a00],
    [0x2a02, 0xc207],
];

const USERS: &[&str] = &[
    "root",
    "admin",
    "user",
    "test",
    "ubuntu",
    "oracle",
    "postgres",
    "git",
    "pi",
    "ftpuser",
    "guest",
    "support",
    "deploy",
    "debian",
    "ec2-user",
    "mysql",
    "hadoop",
    "jenkins",
    "docker",
    "steam",
    "minecraft",
    "ansible",
    "tomcat",
    "dev",
    "sa",
];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mon DD HH:MM:SS` of seconds since 2026-01-01 (not a leap year; the span stays in it).
fn stamp(t: u64) -> String {
    const DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut day = t / 86_400;
    let mut month = 0;
    while month < 11 && day >= DAYS[month] {
        day -= DAYS[month];
        month += 1;
    }
    let s = t % 86_400;
    format!(
        "{} {:>2} {:02}:{:02}:{:02}",
        MONTHS[month],
        day + 1,
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

struct Opts {
    addresses: u64,
    days: u64,
    seed: u64,
    out: Option<String>,
}

fn opts() -> Result<Opts, String> {
    let mut o = Opts {
        addresses: 1_000_000,
        days: 30,
        seed: 1,
        out: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{a}: not a number: {v}"))
        };
        match a.as_str() {
            "--addresses" => o.addresses = number(value()?)?,
            "--days" => o.days = number(value()?)?.clamp(1, 300),
            "--seed" => o.seed = number(value()?)?,
            "--out" => o.out = Some(value()?),
            _ => return Err(format!("unknown option {a}")),
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let o = match opts() {
        Ok(o) => o,
        Err(e) => {
            eprintln!(
                "genaddrs: {e}\nusage: genaddrs [--addresses N] [--days N] [--seed N] [--out PATH]"
            );
            return ExitCode::from(2);
        }
    };
    let out: Box<dyn Write> = match &o.out {
        Some(p) => match File::create(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("genaddrs: cannot write {p}: {e}");
                return ExitCode::FAILURE;
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    match write_log(&o, &mut BufWriter::with_capacity(1 << 20, out)) {
        Ok(lines) => {
            eprintln!("genaddrs: {} addresses, {lines} lines", o.addresses);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("genaddrs: {e}");
            ExitCode::FAILURE
        }
    }
}

fn write_log(o: &Opts, w: &mut impl Write) -> io::Result<u64> {
    let mut rng = Rng(o.seed ^ 0x9E37_79B9_7F4A_7C15);
    // Distinct by construction: IPv4 addresses are the images of 0..N under a bijection of
    // u32 (an odd multiplier and an xor), skipping special ranges; IPv6 ones carry their
    // index in the interface id.
    let start = 273 * 86_400; // 1 October (in the past for a log without years)
    let span = o.days * 86_400;
    let mut pid = 1000u64;
    let mut lines = 0u64;
    let mut v4_next: u32 = 0;
    for i in 0..o.addresses {
        let ip = if rng.below(20) == 0 {
            let p = V6[rng.below(V6.len() as u64) as usize];
            Ipv6Addr::new(
                p[0],
                p[1],
                rng.below(0x10000) as u16,
                rng.below(0x100) as u16,
                0,
                (i >> 32) as u16,
                (i >> 16) as u16,
                i as u16,
            )
            .to_string()
        } else {
            let a = loop {
                let a = v4_next.wrapping_mul(0x9E37_79B1) ^ 0x5bd1_e995;
                v4_next = v4_next.wrapping_add(1);
                if !special_v4(a) {
                    break a;
                }
            };
            Ipv4Addr::from(a).to_string()
        };
        let mut t = start + span * i / o.addresses.max(1);
        pid += 1 + rng.below(7);
        let port = 1024 + rng.below(64_000);
        let roll = rng.below(2400);
        let mut line = |w: &mut dyn Write, t: u64, msg: &str| -> io::Result<()> {
            lines += 1;
            writeln!(w, "{} vps sshd[{pid}]: {msg}", stamp(t))
        };
        if roll < 6 {
            // A successful login, after a failure or two.
            let user = USERS[rng.below(4) as usize];
            line(
                w,
                t,
                &format!("Failed password for {user} from {ip} port {port} ssh2"),
            )?;
            t += 2;
            line(
                w,
                t,
                &format!("Accepted password for {user} from {ip} port {port} ssh2"),
            )?;
        } else if roll < 400 {
            // A scan: connects and leaves.
            line(
                w,
                t,
                &format!("Connection closed by {ip} port {port} [preauth]"),
            )?;
        } else {
            for _ in 0..1 + rng.below(5) {
                let user = USERS[(rng.below(USERS.len() as u64) * rng.below(1000) / 1000) as usize];
                if user == "root" || rng.below(3) == 0 {
                    line(
                        w,
                        t,
                        &format!("Failed password for {user} from {ip} port {port} ssh2"),
                    )?;
                } else {
                    line(w, t, &format!("Invalid user {user} from {ip} port {port}"))?;
                }
                t += 1 + rng.below(20);
            }
        }
    }
    w.flush()?;
    Ok(lines)
}
