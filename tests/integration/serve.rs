//! `logmap serve`: a real server on 127.0.0.1 (port 0) following real files. Appends reach
//! the API and the stream within a second; rotation and copytruncate are followed; a restart
//! repeats nothing; the token and the hardening hold.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

const DEMO: &str = include_str!("../../demo/auth.log");

/// A running `logmap serve`.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// What it printed to stderr at start-up.
    banner: Vec<String>,
    /// What it printed to stderr after that, so far.
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Server {
    fn start(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = logmap();
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--poll", "1s", "--db"])
            .arg(db)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start logmap serve");
        let mut err = BufReader::new(child.stderr.take().expect("stderr"));
        let mut banner = Vec::new();
        let mut line = String::new();
        let addr = loop {
            line.clear();
            if err.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("logmap serve ended before listening: {banner:?}");
            }
            banner.push(line.trim_end().to_string());
            if let Some(rest) = line.split("serving http://").nth(1) {
                let a = rest.split('/').next().unwrap();
                break a.parse().expect("address");
            }
        };
        // The next line (login link or stop hint) is printed right after.
        line.clear();
        if err.read_line(&mut line).unwrap_or(0) > 0 {
            banner.push(line.trim_end().to_string());
        }
        // Keep draining stderr so the server never blocks on it.
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        {
            let log = std::sync::Arc::clone(&log);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    log.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        Server {
            child,
            addr,
            banner,
            log,
        }
    }

    /// What it has printed to stderr since start-up.
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// The CPU time it has used (user and system).
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap();
        // The fields after the command (which may hold spaces) in parentheses.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
        Duration::from_millis(ticks * 1000 / hz)
    }

    /// Wait until `/healthz` satisfies `ok`; its last answer.
    fn wait_health(
        &self,
        what: &str,
        ok: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let h = self.json("/healthz");
            if ok(&h) {
                return h;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{what}: {h}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM, and the exit status.
    fn stop(mut self) -> std::process::ExitStatus {
        unsafe {
            libc::kill(self.child.id() as i32, libc::SIGTERM);
        }
        let status = self.child.wait().unwrap();
        std::mem::forget(self);
        status
    }

    fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, String, String) {
        http(self.addr, "GET", path, headers)
    }

    fn json(&self, path: &str) -> serde_json::Value {
        let (status, _, body) = self.get(path, &[]);
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}"))
    }

    /// Wait until the follower has stored `lines` lines in all.
    fn wait_lines(&self, lines: u64) {
        let start = Instant::now();
        loop {
            let h = self.json("/healthz");
            if h["lines_stored"].as_u64() >= Some(lines) {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "stuck at {h}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request: (status, headers, body).
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    raw_response(s)
}

fn raw_response(mut s: TcpStream) -> (u16, String, String) {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_string(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A server-sent event stream (its chunked body decoded as it comes).
struct Stream {
    conn: BufReader<TcpStream>,
    /// Decoded text not yet split into lines.
    text: String,
}

impl Stream {
    fn open(addr: SocketAddr, last_id: Option<&str>) -> Stream {
        let mut s = TcpStream::connect(addr).unwrap();
        let mut req =
            format!("GET /api/stream HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n");
        if let Some(id) = last_id {
            req.push_str(&format!("Last-Event-ID: {id}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut conn = BufReader::new(s);
        let mut line = String::new();
        // The response head.
        loop {
            line.clear();
            conn.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        Stream {
            conn,
            text: String::new(),
        }
    }

    /// The next line of the decoded body, before `deadline`.
    fn line(&mut self, deadline: Instant) -> Option<String> {
        loop {
            if let Some(i) = self.text.find('\n') {
                let line: String = self.text.drain(..=i).collect();
                return Some(line.trim_end_matches(['\r', '\n']).to_string());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.conn
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            // One chunk: its size line, its bytes, CRLF.
            let mut size = String::new();
            match self.conn.read_line(&mut size) {
                Ok(0) | Err(_) => return None,
                Ok(_) => {}
            }
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                return None;
            }
            let mut chunk = vec![0; n + 2];
            self.conn.read_exact(&mut chunk).ok()?;
            self.text.push_str(&String::from_utf8_lossy(&chunk[..n]));
        }
    }

    /// The next event (name, id, data) within `timeout`, skipping keep-alives.
    fn next(&mut self, timeout: Duration) -> Option<(String, String, serde_json::Value)> {
        let deadline = Instant::now() + timeout;
        let (mut event, mut id, mut data) = (String::new(), String::new(), String::new());
        loop {
            let l = self.line(deadline)?;
            if let Some(v) = l.strip_prefix("event:") {
                event = v.trim().to_string();
            } else if let Some(v) = l.strip_prefix("id:") {
                id = v.trim().to_string();
            } else if let Some(v) = l.strip_prefix("data:") {
                data.push_str(v.trim_start());
            } else if l.is_empty() && !event.is_empty() {
                let v = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
                return Some((event, id, v));
            }
        }
    }

    /// Wait for a `batch` message naming `ip`; how long it took.
    fn wait_for(&mut self, ip: &str) -> Duration {
        let start = Instant::now();
        while let Some((event, _, data)) = self.next(Duration::from_secs(10)) {
            if event == "batch"
                && data["ips"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|r| r["ip"] == ip))
            {
                return start.elapsed();
            }
        }
        panic!("no batch naming {ip} within 10 s");
    }
}

fn append(path: &Path, line: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    writeln!(f, "{line}").unwrap();
}

fn attack(ip: &str, pid: u32) -> String {
    format!("Nov 26 07:00:00 vps-fra1 sshd[{pid}]: Invalid user admin from {ip} port 40000")
}

fn failures(server: &Server, ip: &str) -> u64 {
    let doc = server.json("/api/ips?limit=100000");
    doc["ips"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ip"] == ip)
        .and_then(|r| r["failures"].as_u64())
        .unwrap_or(0)
}

#[test]
fn appends_rotation_truncation_and_restarts_are_seen_once_and_fast() {
    let d = Dir::new();
    let db = d.path("h.db");
    let log = d.path("auth.log");
    let head: Vec<&str> = DEMO.lines().take(200).collect();
    std::fs::write(&log, head.join("\n") + "\n").unwrap();
    let follow = log.display().to_string();
    let server = Server::start(&db, &["--follow", &follow], &[]);
    server.wait_lines(200);
    let mut stream = Stream::open(server.addr, None);

    // An append: on the stream and in the API within a second.
    append(&log, &attack("185.220.101.77", 50001));
    let took = stream.wait_for("185.220.101.77");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(failures(&server, "185.220.101.77"), 1);

    // logrotate: the old file gets one more line before the writer reopens; a new file.
    let log1 = d.path("auth.log.1");
    std::fs::rename(&log, &log1).unwrap();
    append(&log1, &attack("185.220.101.78", 50002));
    append(&log, &attack("185.220.101.79", 50003));
    stream.wait_for("185.220.101.79");
    server.wait_lines(203);
    assert_eq!(failures(&server, "185.220.101.78"), 1);
    assert_eq!(failures(&server, "185.220.101.79"), 1);

    // copytruncate (after shifting .1 to .2): the copy carries the old lines, the cut file
    // starts again.
    std::fs::rename(&log1, d.path("auth.log.2")).unwrap();
    append(&log, &attack("185.220.101.80", 50004));
    stream.wait_for("185.220.101.80");
    std::fs::copy(&log, &log1).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&log)
        .unwrap();
    append(&log, &attack("185.220.101.81", 50005));
    stream.wait_for("185.220.101.81");
    server.wait_lines(205);
    for ip in ["185.220.101.79", "185.220.101.80", "185.220.101.81"] {
        assert_eq!(failures(&server, ip), 1, "{ip}");
    }

    // A file that appears later.
    let later = d.path("late.log");
    assert!(server.stop().success());
    let dbs = db.display().to_string();
    let before = stdout(&run(&["export", "--format", "json", "--db", &dbs], None));
    // A restart reads nothing twice, and picks up the new file when it appears.
    let server = Server::start(
        &db,
        &[
            "--follow",
            &follow,
            "--follow",
            &later.display().to_string(),
        ],
        &[],
    );
    std::thread::sleep(Duration::from_millis(1500));
    let after = stdout(&run(&["export", "--format", "json", "--db", &dbs], None));
    let strip = |s: &str| {
        let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
        v.as_object_mut().unwrap().remove("history");
        v.as_object_mut().unwrap().remove("sources");
        v
    };
    assert_eq!(
        strip(&before),
        strip(&after),
        "a restart changed the history"
    );
    let mut stream = Stream::open(server.addr, None);
    append(&later, &attack("185.220.101.82", 50006));
    let took = stream.wait_for("185.220.101.82");
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert!(server.stop().success());

    // Everything once: the history equals a run over the files as they lie.
    let files = [
        d.path("auth.log.2"),
        log1.clone(),
        log.clone(),
        later.clone(),
    ];
    let refs: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    let want = json(&run_paths(&["export", "--format", "json"], &refs));
    let got = json(&run(&["export", "--format", "json", "--db", &dbs], None));
    let key = |doc: &serde_json::Value| {
        let mut v: Vec<String> = doc["ips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r["ip"], r["events"], r["failures"], r["users"]
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&got), key(&want));
}

#[test]
fn a_stream_resumes_from_its_last_event() {
    let d = Dir::new();
    let db = d.path("h.db");
    let log = d.path("auth.log");
    std::fs::write(&log, "").unwrap();
    let server = Server::start(&db, &["--follow", &log.display().to_string()], &[]);
    let mut stream = Stream::open(server.addr, None);
    append(&log, &attack("185.220.101.90", 1));
    stream.wait_for("185.220.101.90");
    let (_, id, _) = {
        append(&log, &attack("185.220.101.91", 2));
        let mut last = None;
        while let Some(e) = stream.next(Duration::from_secs(5)) {
            if e.0 == "batch" {
                last = Some(e);
                break;
            }
        }
        last.expect("a second batch")
    };
    drop(stream);
    // Missed while away: two batches.
    append(&log, &attack("185.220.101.92", 3));
    server.wait_lines(3);
    append(&log, &attack("185.220.101.93", 4));
    server.wait_lines(4);
    let mut back = Stream::open(server.addr, Some(&id));
    back.wait_for("185.220.101.92");
    back.wait_for("185.220.101.93");
    // An id from another run cannot be resumed: reset.
    let mut other = Stream::open(server.addr, Some("deadbeef-7"));
    let (event, _, _) = other.next(Duration::from_secs(5)).expect("an event");
    assert_eq!(event, "reset");
}

#[test]
fn the_server_is_safe_by_default() {
    let d = Dir::new();
    let db = d.path("h.db");
    // Off loopback without a token: refused.
    let o = run(
        &[
            "serve",
            "--db",
            &db.display().to_string(),
            "--listen",
            "0.0.0.0:0",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("token") && err.lines().count() == 1, "{err}");

    // With a token, every request needs it.
    let token = "0123456789abcdef0123456789abcdef";
    let log = d.write(
        "auth.log",
        DEMO.lines().take(50).collect::<Vec<_>>().join("\n") + "\n",
    );
    let server = Server::start(
        &db,
        &["--follow", &log.display().to_string()],
        &[("LOGMAP_TOKEN", token)],
    );
    let code = server
        .banner
        .iter()
        .find_map(|l| l.split("?token=").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("a login link")
        .to_string();
    assert_ne!(
        code, token,
        "the link carries a one-time code, not the token"
    );
    for path in ["/", "/api/summary", "/api/ips", "/api/stream", "/healthz"] {
        let (status, head, _) = server.get(path, &[]);
        assert_eq!(status, 401, "{path}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-security-policy"),
            "{head}"
        );
        let (status, _, _) =
            server.get(path, &[("Authorization", "Bearer wrong-token-wrong-token")]);
        assert_eq!(status, 401, "{path}");
    }
    let bearer = format!("Bearer {token}");
    let (status, _, body) = server.get("/api/summary", &[("Authorization", &bearer)]);
    assert_eq!(status, 200, "{body}");
    // The one-time link sets a cookie, once.
    let (status, head, _) = server.get(&format!("/?token={code}"), &[]);
    assert_eq!(status, 303, "{head}");
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .expect("a cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(head.to_ascii_lowercase().contains("httponly"));
    let (status, _, _) = server.get("/api/summary", &[("Cookie", &cookie)]);
    assert_eq!(status, 200);
    let (status, _, _) = server.get(&format!("/?token={code}"), &[]);
    assert_eq!(status, 401, "the link works once");

    // Hardening, with a valid token: no file outside the routes, no bodies, no huge queries,
    // no malformed requests; the CSP lets the page talk only to this server.
    let auth = [("Authorization", bearer.as_str())];
    for path in [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/../../etc/passwd",
        "/static/..%2f..%2fCargo.toml",
    ] {
        let (status, _, body) = server.get(path, &auth);
        assert!(status == 404 || status == 400, "{path}: {status}");
        assert!(!body.contains("root:"), "{path}");
    }
    let (status, head, _) = server.get("/api/summary", &auth);
    assert_eq!(status, 200);
    let h = head.to_ascii_lowercase();
    assert!(
        h.contains("content-security-policy: default-src 'none'"),
        "{head}"
    );
    assert!(h.contains("connect-src 'self'") && h.contains("x-content-type-options: nosniff"));
    let long = format!("/api/ips?user={}", "a".repeat(100_000));
    let (status, _, _) = server.get(&long, &auth);
    assert!((400..500).contains(&status), "a 100 kB query: {status}");
    let (status, _, _) = server.get("/api/ips?limit=ten", &auth);
    assert_eq!(status, 400);
    let (status, _, _) = server.get("/api/ips?nonsense=1", &auth);
    assert_eq!(status, 400);
    // A body is refused (the API is read-only).
    let mut s = TcpStream::connect(server.addr).unwrap();
    let body = vec![b'x'; 10 << 20];
    let req = format!(
        "POST /api/summary HTTP/1.1\r\nHost: x\r\nAuthorization: {bearer}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let _ = s.write_all(&body);
    let (status, _, _) = raw_response(s);
    assert!(status == 405 || status == 413, "a 10 MB POST: {status}");
    // Garbage instead of a request.
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(b"\x16\x03\x01\x02\x00 NOT HTTP\r\n\r\n")
        .unwrap();
    let (status, _, _) = raw_response(s);
    assert!(status == 400 || status == 0, "garbage: {status}");
    // Oversized headers.
    let big = "x".repeat(200_000);
    let (status, _, _) = server.get("/healthz", &[("X-Big", &big)]);
    assert!(
        status == 431 || status == 400 || status == 0,
        "big headers: {status}"
    );
    // Still alive.
    let (status, _, _) = server.get("/healthz", &auth);
    assert_eq!(status, 200);
    assert!(server.stop().success());
}

/// The follower's passes so far (each records an ingest run in the history).
fn passes(db: &Path) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap();
    c.busy_timeout(Duration::from_secs(10)).unwrap();
    c.query_row("SELECT count(*) FROM ingests", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_path_that_cannot_be_read_is_said_once_shown_by_healthz_and_retried_calmly() {
    let d = Dir::new();
    let db = d.path("h.db");
    // A directory where a log should be, next to a good log (and the history: its writes
    // must not wake the follower either).
    let bad = d.path("logs");
    std::fs::create_dir(&bad).unwrap();
    let good = d.write("auth.log", attack("185.220.101.60", 1) + "\n");
    let server = Server::start(
        &db,
        &[
            "--follow",
            &bad.display().to_string(),
            "--follow",
            &good.display().to_string(),
        ],
        &[],
    );
    let h = server.wait_health("the problem shown", |h| h["status"] == "degraded");
    let problem = h["last_error"].as_str().unwrap_or_default().to_string();
    assert!(
        problem.contains(&bad.display().to_string()) && problem.contains("is a directory"),
        "{h}"
    );
    server.wait_lines(1);

    // Three seconds with nothing to read: a pass a second (the poll), no busy loop; the
    // problem said once.
    let (cpu, n) = (server.cpu(), passes(&db));
    std::thread::sleep(Duration::from_secs(3));
    let (cpu, n) = (server.cpu() - cpu, passes(&db) - n);
    assert!(n <= 6, "{n} passes in 3 s");
    assert!(cpu < Duration::from_millis(300), "{cpu:?} of CPU in 3 s");
    let said = |log: &str| log.matches("is a directory").count();
    assert_eq!(said(&server.log()), 1, "{}", server.log());
    // The good log is still followed.
    append(&good, &attack("185.220.101.61", 2));
    server.wait_lines(2);
    assert_eq!(server.json("/healthz")["status"], "degraded");

    // Fixed: healthz says so, and the log once.
    std::fs::remove_dir(&bad).unwrap();
    std::fs::write(&bad, attack("185.220.101.62", 3) + "\n").unwrap();
    let h = server.wait_health("the problem gone", |h| h["status"] == "ok");
    assert_eq!(h["last_error"], serde_json::Value::Null, "{h}");
    server.wait_lines(3);
    let log = server.log();
    assert_eq!(log.matches("no longer a problem").count(), 1, "{log}");

    // Back again: said again.
    std::fs::remove_file(&bad).unwrap();
    std::fs::create_dir(&bad).unwrap();
    server.wait_health("the problem back", |h| h["status"] == "degraded");
    let start = Instant::now();
    while said(&server.log()) < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(said(&server.log()), 2, "{}", server.log());
    assert!(server.stop().success());
}

#[test]
fn the_log_is_coloured_only_when_asked_off_a_terminal() {
    let d = Dir::new();
    let bad = d.path("logs");
    std::fs::create_dir(&bad).unwrap();
    let follow = bad.display().to_string();
    // stderr is a pipe here: `auto` (the default) means no colour; `always` means colour;
    // `never`, or NO_COLOR, means none.
    for (i, (args, env, coloured)) in [
        (&[][..], &[][..], false),
        (&["--color", "auto"][..], &[][..], false),
        (&["--color", "never"][..], &[][..], false),
        (&[][..], &[("NO_COLOR", "1")][..], false),
        (&["--color", "always"][..], &[][..], true),
    ]
    .into_iter()
    .enumerate()
    {
        let db = d.path(&format!("h{i}.db"));
        let mut all = vec!["--follow", follow.as_str()];
        all.extend_from_slice(args);
        let server = Server::start(&db, &all, env);
        let start = Instant::now();
        while !server.log().contains("is a directory") {
            assert!(start.elapsed() < Duration::from_secs(20), "no warning");
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = server.log();
        assert_eq!(log.contains('\x1b'), coloured, "{args:?} {env:?}: {log:?}");
        assert!(log.contains("WARN"), "{log}");
        assert!(server.stop().success());
    }
}

#[test]
fn a_yes_or_no_parameter_is_true_false_or_a_400() {
    let d = Dir::new();
    let db = d.path("h.db");
    let log = d.write("auth.log", DEMO);
    let server = Server::start(&db, &["--follow", &log.display().to_string()], &[]);
    server.wait_lines(DEMO.lines().count() as u64);
    let total = |q: &str| {
        server.json(&format!("/api/ips?limit=0{q}"))["total"]
            .as_u64()
            .unwrap()
    };
    let all = total("");
    let successful = total("&successful=true");
    assert!(0 < successful && successful < all, "{successful} of {all}");
    for yes in ["&successful", "&successful=", "&successful=1"] {
        assert_eq!(total(yes), successful, "{yes}");
    }
    for no in ["&successful=false", "&successful=0"] {
        assert_eq!(total(no), all, "{no}");
    }
    for bad in [
        "successful=yes",
        "successful=maybe",
        "successful=TRUE",
        "include_private=no",
    ] {
        let (status, _, body) = server.get(&format!("/api/ips?{bad}"), &[]);
        assert_eq!(status, 400, "{bad}: {body}");
        let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
        let why = doc["error"].as_str().unwrap();
        let (k, v) = bad.split_once('=').unwrap();
        assert!(
            why.starts_with(k) && why.contains(v) && why.contains("false"),
            "{why}"
        );
    }
    assert!(server.stop().success());
}

/// A request with the `Host` header `host` (none: an HTTP/1.0 request without one).
fn with_host(addr: SocketAddr, path: &str, host: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = match host {
        Some(h) => format!("GET {path} HTTP/1.1\r\nHost: {h}\r\nConnection: close\r\n\r\n"),
        None => format!("GET {path} HTTP/1.0\r\n\r\n"),
    };
    s.write_all(req.as_bytes()).unwrap();
    let (status, _, body) = raw_response(s);
    (status, body)
}

#[test]
fn without_a_token_only_loopback_host_names_are_answered() {
    let d = Dir::new();
    let db = d.path("h.db");
    let server = Server::start(&db, &[], &[]);
    let port = server.addr.port();
    let addr = server.addr.to_string();
    for path in ["/", "/api/summary", "/api/ips", "/healthz", "/map.html"] {
        for host in [
            "evil.example".to_string(),
            format!("evil.example:{port}"),
            format!("localhost.evil.example:{port}"),
            format!("127.0.0.1.nip.io:{port}"),
            "10.0.0.1".to_string(),
        ] {
            let (status, body) = with_host(server.addr, path, Some(&host));
            assert_eq!(status, 403, "{path} Host: {host}: {body}");
            assert!(body.contains("localhost"), "{body}");
        }
        for host in [
            addr.clone(),
            "127.0.0.1".to_string(),
            format!("localhost:{port}"),
            format!("LocalHost:{port}"),
            "localhost".to_string(),
            format!("127.1.2.3:{port}"),
            format!("[::1]:{port}"),
            "[::1]".to_string(),
        ] {
            let (status, body) = with_host(server.addr, path, Some(&host));
            assert_eq!(status, 200, "{path} Host: {host}: {body}");
        }
        let (status, _) = with_host(server.addr, path, None);
        assert_eq!(status, 200, "{path} without Host");
    }
    // The name in an absolute URI counts too.
    let (status, _) = with_host(server.addr, "http://evil.example/api/summary", Some(&addr));
    assert_eq!(status, 403);
    // The stream too.
    let (status, _) = with_host(server.addr, "/api/stream", Some("evil.example"));
    assert_eq!(status, 403);
    assert!(server.stop().success());

    // With a token the token protects: any name with it, none without it.
    let token = "0123456789abcdef0123456789abcdef";
    let server = Server::start(&db, &[], &[("LOGMAP_TOKEN", token)]);
    let bearer = format!("Bearer {token}");
    let mut s = TcpStream::connect(server.addr).unwrap();
    s.write_all(
        format!(
            "GET /api/summary HTTP/1.1\r\nHost: evil.example\r\nAuthorization: {bearer}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(raw_response(s).0, 200);
    let (status, _) = with_host(server.addr, "/api/summary", Some("evil.example"));
    assert_eq!(status, 401);
    assert!(server.stop().success());
}
