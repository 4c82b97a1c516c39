//! Throughput of the address scanner.
//!
//! ```text
//! cargo run --release --example extract_bench            # generated auth.log-like text
//! cargo run --release --example extract_bench -- FILE…   # your own logs
//! ```
//!
//! Prints MB/s for `extract::scan` and, as a floor, for a bare `memchr2` pass over the same
//! bytes (the scanner cannot be faster than finding its candidate bytes).
use std::time::{Duration, Instant};

use logmap::parse::extract;

/// A deterministic mix of sshd, PAM, UFW, web and honeypot lines, about `size` bytes.
fn generate(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 1024);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut n = 0u64;
    while out.len() < size {
        let r = next();
        let ip = format!(
            "{}.{}.{}.{}",
            r as u8 % 223 + 1,
            (r >> 8) as u8,
            (r >> 16) as u8,
            (r >> 24) as u8
        );
        let port = 1024 + (r >> 32) % 60000;
        let pid = 1000 + (r >> 48) % 30000;
        let sec = n % 60;
        n += 1;
        let line = match (r >> 40) % 10 {
            0..=2 => format!(
                "Dec 10 06:55:{sec:02} LabSZ sshd[{pid}]: Failed password for invalid user \
                 admin from {ip} port {port} ssh2\n"
            ),
            3 => format!(
                "Dec 10 06:55:{sec:02} LabSZ sshd[{pid}]: pam_unix(sshd:auth): authentication \
                 failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user=root\n"
            ),
            4 => format!(
                "Dec 10 06:55:{sec:02} LabSZ sshd[{pid}]: Received disconnect from {ip} port \
                 {port}:11: Bye Bye [preauth]\n"
            ),
            5 => format!(
                "Dec 10 06:55:{sec:02} LabSZ sshd[{pid}]: pam_unix(sshd:session): session \
                 closed for user root\n"
            ),
            6 => format!(
                "Aug 20 00:01:{sec:02} localhost kernel: [3217909.838554] [UFW BLOCK] IN=eth0 \
                 OUT= MAC=52:54:00:7c:d8:0f:fe:54:00:7c:d8:0f:08:00 SRC={ip} \
                 DST=194.58.102.129 LEN=40 TOS=0x00 PREC=0x00 TTL=240 ID=1830 PROTO=TCP \
                 SPT={port} DPT=22 WINDOW=1024 RES=0x00 SYN URGP=0\n"
            ),
            7 => format!(
                "{ip} - - [17/May/2015:10:05:{sec:02} +0000] \"GET /images/kibana-search.png \
                 HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/\" \
                 \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, \
                 like Gecko) Chrome/120.0.0.0 Safari/537.36\"\n"
            ),
            8 => format!(
                "Dec 10 06:55:{sec:02} LabSZ sshd[{pid}]: Accepted publickey for deploy from \
                 2001:db8:{:x}::{:x} port {port} ssh2: ED25519 SHA256:AAAAC3NzaC1lZDI1NTE5\n",
                r & 0xffff,
                (r >> 16) & 0xffff
            ),
            _ => format!(
                "{{\"eventid\": \"cowrie.session.connect\", \"timestamp\": \
                 \"2017-11-04T13:09:{sec:02}.519075Z\", \"message\": \"New connection: \
                 {ip}:{port} (10.3.66.85:2222)\", \"src_ip\": \"{ip}\", \"dst_port\": 2222}}\n"
            ),
        };
        out.extend_from_slice(line.as_bytes());
    }
    out
}

/// Best of a few runs of `f` over `data`, in MB/s (1 MB = 10^6 bytes).
fn throughput(data: &[u8], mut f: impl FnMut(&[u8]) -> usize) -> (f64, usize) {
    let mut best = Duration::MAX;
    let mut count = 0;
    for _ in 0..5 {
        let t = Instant::now();
        count = std::hint::black_box(f(std::hint::black_box(data)));
        best = best.min(t.elapsed());
    }
    (data.len() as f64 / best.as_secs_f64() / 1e6, count)
}

fn report(name: &str, data: &[u8]) {
    let (scan, found) = throughput(data, |d| {
        let mut n = 0;
        extract::scan(d, |_| n += 1);
        n
    });
    let (floor, anchors) = throughput(data, |d| memchr::memchr2_iter(b'.', b':', d).count());
    println!(
        "{name}: {:.1} MB, {found} addresses, {anchors} '.'/':' bytes\n  \
         extract::scan  {scan:8.0} MB/s\n  memchr2 only   {floor:8.0} MB/s",
        data.len() as f64 / 1e6
    );
}

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        report("generated auth/ufw/web/cowrie mix", &generate(64 << 20));
    }
    for path in files {
        match std::fs::read(&path) {
            Ok(data) => report(&path, &data),
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
