//! `db update` against a tiny HTTP server on 127.0.0.1 serving databases written by the test:
//! month fallback on 404, truncated downloads, a file that is not an MMDB, a 404 for every
//! month. On any failure the previous file must stay byte-for-byte as it was.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use logmap::enrich::db::{self, UpdateError, UpdateOptions};
use logmap::enrich::mmdb_write::{Value, Writer};
use logmap::enrich::{DatabaseKind, Locate, MmdbDatabase};

#[derive(Clone)]
struct Reply {
    status: u16,
    body: Vec<u8>,
    /// Content-Length to announce (defaults to the body's length).
    announced: Option<usize>,
}

/// Serve `routes` on 127.0.0.1 for at most `max_conns` connections; returns the base URL.
fn serve(routes: HashMap<String, Reply>, max_conns: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let routes = Arc::new(routes);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max_conns) {
            let Ok(mut s) = stream else { continue };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut line = String::new();
            if r.read_line(&mut line).is_err() {
                continue;
            }
            // drain the headers
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let reply = routes.get(&path).cloned().unwrap_or(Reply {
                status: 404,
                body: b"not found".to_vec(),
                announced: None,
            });
            let reason = if reply.status == 200 {
                "OK"
            } else {
                "Not Found"
            };
            let head = format!(
                "HTTP/1.1 {} {reason}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                reply.status,
                reply.announced.unwrap_or(reply.body.len())
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&reply.body);
            let _ = s.flush();
        }
    });
    format!("http://{addr}")
}

fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// A City database in DB-IP's own (MaxMind nested) schema that answers the probe 8.8.8.8.
fn city_db(city: &str, epoch: u64) -> Vec<u8> {
    let mut w = Writer::new("DBIP-City-Lite", 6);
    w.build_epoch(epoch);
    let rec = Value::map([
        (
            "city",
            Value::map([("names", Value::map([("en", Value::str(city))]))]),
        ),
        ("continent", Value::map([("code", Value::str("NA"))])),
        ("country", Value::map([("iso_code", Value::str("US"))])),
        (
            "location",
            Value::map([
                ("latitude", Value::F64(37.386)),
                ("longitude", Value::F64(-122.0838)),
            ]),
        ),
    ]);
    w.insert("8.8.8.0/24".parse().unwrap(), rec).unwrap();
    w.to_bytes()
}

fn asn_db() -> Vec<u8> {
    let mut w = Writer::new("DBIP-ASN-Lite", 6);
    w.insert(
        "8.8.8.0/24".parse().unwrap(),
        Value::map([
            ("autonomous_system_number", Value::U32(15169)),
            ("autonomous_system_organization", Value::str("Google LLC")),
        ]),
    )
    .unwrap();
    w.to_bytes()
}

fn ok(body: Vec<u8>) -> Reply {
    Reply {
        status: 200,
        body,
        announced: None,
    }
}

fn opts(dir: &Path, url: String) -> UpdateOptions {
    let mut o = UpdateOptions::new(dir.to_path_buf());
    o.url = Some(url);
    o.month = Some((2026, 3));
    o.timeout = Duration::from_secs(10);
    o
}

fn city_of(path: &Path) -> Option<String> {
    MmdbDatabase::open(path)
        .unwrap()
        .locate("8.8.8.8".parse().unwrap())
        .city
}

#[test]
fn falls_back_to_the_previous_month_and_installs_atomically() {
    let base = serve(
        HashMap::from([(
            "/free/dbip-city-lite-2026-02.mmdb.gz".to_string(),
            ok(gzip(&city_db("Mountain View", 1_770_000_000))),
        )]),
        4,
    );
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("logmap");
    let mut log = Vec::new();
    let o = opts(
        &dir,
        format!("{base}/free/dbip-city-lite-{{YYYY}}-{{MM}}.mmdb.gz"),
    );
    let files = db::update(&o, &mut |l: &str| log.push(l.to_string())).unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0].url.ends_with("2026-02.mmdb.gz"));
    assert_eq!(files[0].path, dir.join(db::CITY_FILE));
    assert_eq!(files[0].info.kind, DatabaseKind::City);
    assert_eq!(files[0].info.build_date.as_deref(), Some("2026-02-02"));
    assert_eq!(
        city_of(&dir.join(db::CITY_FILE)).as_deref(),
        Some("Mountain View")
    );
    assert!(
        log.iter()
            .any(|l| l.contains("2026-03") && l.contains("404")),
        "{log:?}"
    );
    // no temporary file left behind
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from(db::CITY_FILE)]);
}

fn with_old_file(dir: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dir).unwrap();
    let old = city_db("Old Town", 1_700_000_000);
    std::fs::write(dir.join(db::CITY_FILE), &old).unwrap();
    old
}

fn assert_kept(dir: &Path, old: &[u8]) {
    assert_eq!(
        std::fs::read(dir.join(db::CITY_FILE)).unwrap(),
        old,
        "the old database must be kept"
    );
    let n = std::fs::read_dir(dir).unwrap().count();
    assert_eq!(n, 1, "temporary file left behind");
}

#[test]
fn a_truncated_download_keeps_the_old_file() {
    let full = gzip(&city_db("New Town", 1_770_000_000));
    let cut = full[..full.len() / 2].to_vec();
    let routes = HashMap::from([
        // the server announces the full length and then closes early
        (
            "/short.mmdb.gz".to_string(),
            Reply {
                status: 200,
                body: cut.clone(),
                announced: Some(full.len()),
            },
        ),
        // the length matches, but the gzip stream itself is cut
        ("/cutgz.mmdb.gz".to_string(), ok(cut)),
    ]);
    let base = serve(routes, 4);
    let d = tempfile::tempdir().unwrap();
    let old = with_old_file(d.path());
    for path in ["/short.mmdb.gz", "/cutgz.mmdb.gz"] {
        let e = db::update(&opts(d.path(), format!("{base}{path}")), &mut |_| {}).unwrap_err();
        assert!(matches!(e, UpdateError::Download { .. }), "{path}: {e}");
        assert_kept(d.path(), &old);
    }
    assert_eq!(
        city_of(&d.path().join(db::CITY_FILE)).as_deref(),
        Some("Old Town")
    );
}

#[test]
fn not_found_for_both_months_keeps_the_old_file() {
    let base = serve(HashMap::new(), 4);
    let d = tempfile::tempdir().unwrap();
    let old = with_old_file(d.path());
    let e = db::update(
        &opts(d.path(), format!("{base}/free/x-{{YYYY}}-{{MM}}.mmdb.gz")),
        &mut |_| {},
    )
    .unwrap_err();
    match &e {
        UpdateError::Status { status, url } => {
            assert_eq!(*status, 404);
            assert!(url.ends_with("x-2026-02.mmdb.gz"), "{url}");
        }
        other => panic!("{other}"),
    }
    assert_kept(d.path(), &old);
}

#[test]
fn a_file_that_is_not_a_usable_mmdb_keeps_the_old_file() {
    // not an MMDB at all; an MMDB that does not answer the probes; an ASN file offered as City
    let mut empty = Writer::new("Empty", 6);
    empty
        .insert(
            "192.0.2.0/24".parse().unwrap(),
            Value::map([("country_code", Value::str("ZZ"))]),
        )
        .unwrap();
    let routes = HashMap::from([
        (
            "/junk.gz".to_string(),
            ok(gzip(b"<html>mirror error page</html>")),
        ),
        ("/empty.mmdb".to_string(), ok(empty.to_bytes())),
        ("/asn.mmdb.gz".to_string(), ok(gzip(&asn_db()))),
    ]);
    let base = serve(routes, 6);
    let d = tempfile::tempdir().unwrap();
    let old = with_old_file(d.path());
    for path in ["/junk.gz", "/empty.mmdb", "/asn.mmdb.gz"] {
        let e = db::update(&opts(d.path(), format!("{base}{path}")), &mut |_| {}).unwrap_err();
        assert!(matches!(e, UpdateError::Invalid { .. }), "{path}: {e}");
        assert_kept(d.path(), &old);
    }
}

#[test]
fn replaces_an_old_file_and_fetches_the_asn_database_too() {
    let routes = HashMap::from([
        (
            "/c/2026-03.mmdb".to_string(),
            ok(city_db("New Town", 1_772_000_000)),
        ), // plain, not gzip
        ("/a/2026-03.mmdb.gz".to_string(), ok(gzip(&asn_db()))),
    ]);
    let base = serve(routes, 4);
    let d = tempfile::tempdir().unwrap();
    with_old_file(d.path());
    let mut o = opts(d.path(), format!("{base}/c/{{YYYY}}-{{MM}}.mmdb"));
    o.asn = true;
    o.asn_url = Some(format!("{base}/a/{{YYYY}}-{{MM}}.mmdb.gz"));
    let files = db::update(&o, &mut |_| {}).unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(
        city_of(&d.path().join(db::CITY_FILE)).as_deref(),
        Some("New Town")
    );
    let asn = MmdbDatabase::open(&d.path().join(db::ASN_FILE)).unwrap();
    assert_eq!(asn.info().kind, DatabaseKind::Asn);
    assert_eq!(asn.locate("8.8.8.8".parse().unwrap()).asn, Some(15169));
}

#[test]
fn a_refused_connection_is_a_download_error() {
    // bind and drop to get a port nobody listens on
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = tempfile::tempdir().unwrap();
    let e = db::update(
        &opts(d.path(), format!("http://127.0.0.1:{port}/x.mmdb.gz")),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(e, UpdateError::Download { .. }), "{e}");
    assert!(!d.path().join(db::CITY_FILE).exists());
}
