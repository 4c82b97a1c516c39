//! Load test of `logmap serve` (run by `bench/serve-load.sh`): CLIENTS stream clients on
//! 127.0.0.1 while a writer appends RATE attack lines a second to a followed log for SECS
//! seconds. Reports the latency from append to stream message (p50/p99 over every client and
//! line), the server's peak memory, and checks the history: every line stored once.
//!
//! `serve_load LOGMAP_BINARY WORKDIR [CLIENTS] [RATE] [SECS]`

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: serve_load LOGMAP WORKDIR [CLIENTS] [RATE] [SECS]");
        std::process::exit(2);
    }
    let logmap = &args[1];
    let dir = std::path::PathBuf::from(&args[2]);
    let clients: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(200);
    let rate: u64 = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let secs: u64 = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(30);
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("auth.log");
    let db = dir.join("load.db");
    let _ = std::fs::remove_file(&db);
    std::fs::write(&log, "").unwrap();

    let mut server = Command::new(logmap)
        .args(["serve", "--listen", "127.0.0.1:0", "--db"])
        .arg(&db)
        .arg("--follow")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start logmap serve");
    let mut err = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    let addr: SocketAddr = loop {
        line.clear();
        if err.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("logmap serve did not start");
        }
        if let Some(rest) = line.split("serving http://").nth(1) {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
    });
    let pid = server.id();

    // Clients: each records when it first saw each address.
    let seen: Arc<Mutex<Vec<HashMap<u32, Instant>>>> =
        Arc::new(Mutex::new(vec![HashMap::new(); clients]));
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for c in 0..clients {
        let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
        readers.push(std::thread::spawn(move || client(addr, c, &seen, &stop)));
    }
    std::thread::sleep(Duration::from_millis(500));

    // Memory, sampled.
    let peak = Arc::new(Mutex::new(0u64));
    {
        let (peak, stop) = (Arc::clone(&peak), Arc::clone(&stop));
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
                    && let Some(kb) = s
                        .lines()
                        .find_map(|l| l.strip_prefix("VmRSS:"))
                        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
                {
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(kb);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
    }

    // The writer: RATE lines a second, each from a new public address.
    let total = rate * secs;
    let mut sent: HashMap<u32, Instant> = HashMap::with_capacity(total as usize);
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let start = Instant::now();
    for i in 0..total {
        let due = start + Duration::from_nanos(i * 1_000_000_000 / rate);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let ip = Ipv4Addr::from(0x2000_0000u32 + i as u32);
        writeln!(
            f,
            "Dec  3 10:00:00 load sshd[{}]: Invalid user u{i} from {ip} port 22",
            100_000 + i
        )
        .unwrap();
        sent.insert(i as u32, Instant::now());
    }
    let wrote = start.elapsed();
    // Let the last messages arrive.
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let status = unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    let _ = status;
    let _ = server.wait();
    for r in readers {
        let _ = r.join();
    }

    // Latencies over every (client, line) that arrived.
    let seen = seen.lock().unwrap();
    let mut lat: Vec<f64> = Vec::new();
    let mut missing = 0u64;
    for per in seen.iter() {
        for (i, t0) in &sent {
            match per.get(i) {
                Some(t1) => lat.push(t1.saturating_duration_since(*t0).as_secs_f64()),
                None => missing += 1,
            }
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };

    // The history: every line once.
    let out = Command::new(logmap)
        .args(["export", "--format", "ndjson", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    let mut stored = 0u64;
    let mut wrong = 0u64;
    for l in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        stored += 1;
        if v["events"] != 1 || v["failures"] != 1 {
            wrong += 1;
        }
    }
    println!(
        "serve load: {clients} clients, {total} lines at {rate}/s written in {:.1} s",
        wrote.as_secs_f64()
    );
    println!(
        "latency append → stream message: p50 {:.3} s, p99 {:.3} s, max {:.3} s ({} deliveries, {} missing)",
        pct(0.5),
        pct(0.99),
        lat.last().copied().unwrap_or(f64::NAN),
        lat.len(),
        missing
    );
    println!(
        "server peak RSS {:.1} MiB",
        *peak.lock().unwrap() as f64 / 1024.0
    );
    println!(
        "history: {stored} addresses stored for {total} lines; {wrong} with counts other than 1 event and 1 failed login"
    );
    let ok = stored == total && wrong == 0 && missing == 0 && pct(0.99) < 1.0;
    println!(
        "goal (every line once, every delivery, p99 < 1 s): {}",
        if ok { "PASS" } else { "FAIL" }
    );
    std::process::exit(if ok { 0 } else { 1 });
}

/// One stream client: records the first time it sees each address in a `batch`.
fn client(addr: SocketAddr, c: usize, seen: &Mutex<Vec<HashMap<u32, Instant>>>, stop: &AtomicBool) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return;
    };
    // The server answers only requests that name a loopback host (it has no token).
    let req =
        format!("GET /api/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n");
    let _ = s.write_all(req.as_bytes());
    let _ = s.set_read_timeout(Some(Duration::from_millis(500)));
    let mut r = BufReader::new(s);
    let mut buf = String::new();
    // Skip the head.
    loop {
        buf.clear();
        match r.read_line(&mut buf) {
            Ok(0) => return,
            Ok(_) if buf == "\r\n" => break,
            Ok(_) => {}
            Err(_) if stop.load(Ordering::Relaxed) => return,
            Err(_) => {}
        }
    }
    loop {
        buf.clear();
        match r.read_line(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(_) if stop.load(Ordering::Relaxed) => return,
            Err(_) => continue,
        }
        // Chunk sizes are hex lines; the SSE lines are inside the chunks.
        let l = buf.trim_end();
        if let Some(data) = l.strip_prefix("data: ") {
            // The records' `"ip":"…"` fields (scanned, not parsed: 200 clients share 2 cores
            // with the server).
            let now = Instant::now();
            let mut seen = seen.lock().unwrap();
            for part in data.split("\"ip\":\"").skip(1) {
                if let Some(ip) = part
                    .split('"')
                    .next()
                    .and_then(|s| s.parse::<Ipv4Addr>().ok())
                {
                    let i = u32::from(ip).wrapping_sub(0x2000_0000);
                    seen[c].entry(i).or_insert(now);
                }
            }
        }
    }
}
