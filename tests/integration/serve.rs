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
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = err.read_to_string(&mut sink);
        });
        Server {
            child,
            addr,
            banner,
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
