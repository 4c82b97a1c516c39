//! Geolocation through the command line: `lookup`, `--geoip`, discovery, `db info|path|update`,
//! and the map file. MMDB files are written by the test (`logmap::enrich::mmdb_write`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use logmap::enrich::mmdb_write::{Value, Writer};

use crate::hay;
use crate::util::*;

/// A City database in MaxMind's nested schema (as GeoLite2 and DB-IP City Lite write it),
/// answering for 8.8.8.0/24 (the probe `db update` checks) and 81.2.69.0/24.
fn city_db() -> Vec<u8> {
    let mut w = Writer::new("GeoLite2-City", 6);
    w.build_epoch(1_790_000_000);
    for (net, city, cc, lat, lon) in [
        ("8.8.8.0/24", "Mountain View", "US", 37.386, -122.0838),
        ("81.2.69.0/24", "Norwich", "GB", 52.6278, 1.2983),
    ] {
        let rec = Value::map([
            (
                "city",
                Value::map([("names", Value::map([("en", Value::str(city))]))]),
            ),
            ("country", Value::map([("iso_code", Value::str(cc))])),
            (
                "location",
                Value::map([
                    ("latitude", Value::F64(lat)),
                    ("longitude", Value::F64(lon)),
                ]),
            ),
        ]);
        w.insert(net.parse().expect("net"), rec).expect("insert");
    }
    w.to_bytes()
}

#[test]
fn lookup_answers_from_the_embedded_data() {
    let o = run(
        &[
            "lookup",
            "--format",
            "ndjson",
            "8.8.8.8",
            "10.1.2.3",
            "2606:4700:4700::1111",
        ],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    assert_eq!(rows.len(), 3);
    for k in [
        "ip",
        "country",
        "country_name",
        "city",
        "lat",
        "lon",
        "accuracy",
        "asn",
        "as_org",
        "source",
    ] {
        assert!(rows[0].get(k).is_some(), "lookup lacks {k}");
    }
    assert_eq!(rows[0]["country"], "US");
    assert_eq!(rows[0]["asn"], 15169);
    // the embedded City Lite table places it at a city, with no MMDB file anywhere
    assert_eq!(rows[0]["accuracy"], "city", "{}", rows[0]);
    assert!(rows[0]["city"].is_string(), "{}", rows[0]);
    assert!(
        rows[0]["source"]
            .as_str()
            .is_some_and(|s| s.contains("embedded:dbip-city-lite"))
    );
    assert_eq!(rows[2]["accuracy"], "city", "{}", rows[2]);
    // A private address says so instead of a location.
    assert_eq!(rows[1]["scope"], "private");
    assert_eq!(rows[1]["country"], serde_json::Value::Null);
    assert_eq!(rows[2]["asn"], 13335);
}

#[test]
fn lookup_reads_stdin_and_names_bad_addresses() {
    let o = run(
        &["lookup", "--format", "ndjson"],
        Some(b"1.1.1.1\nnot-an-address\n# comment\n\n9.9.9.9\n"),
    );
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o).lines().count(), 2);
    let err = stderr(&o);
    assert!(
        err.contains("'not-an-address' is not an IP address"),
        "{err}"
    );
    let table = stdout(&run(&["lookup", "8.8.8.8"], None));
    assert!(
        table.contains("United States") && table.contains("DB-IP"),
        "{table}"
    );
}

#[test]
fn a_city_mmdb_gives_city_precision_and_the_embedded_data_fills_the_rest() {
    let d = Dir::new();
    // A misleading name: the schema is read from the records, not the file name.
    let db = d.write("GeoLite2-ASN.mmdb", city_db());
    let log = d.write(
        "auth.log",
        "Dec 10 07:13:43 h sshd[1]: Failed password for root from 81.2.69.142 port 22 ssh2\n",
    );
    let o = run_paths(
        &[
            "export",
            "--format",
            "json",
            "--year",
            "2026",
            "--geoip",
            &db.display().to_string(),
        ],
        &[&log],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = json(&o);
    let r = ip_record(&doc, "81.2.69.142");
    assert_eq!(r["city"], "Norwich");
    assert_eq!(r["accuracy"], "city");
    assert_eq!(r["lat"], 52.6278);
    assert_eq!(r["country"], "GB");
    assert!(
        r["asn"].is_u64(),
        "the embedded ASN table fills what the MMDB lacks: {r}"
    );
    let dbs = doc["geo"]["databases"].to_string();
    // Recognised as a City database by its records despite its name.
    assert!(
        dbs.contains("GeoLite2-ASN.mmdb (city") && dbs.contains("DB-IP"),
        "{dbs}"
    );
}

#[test]
fn a_missing_or_broken_geoip_file_is_a_one_line_error() {
    let d = Dir::new();
    let junk = d.write("junk.mmdb", b"this is not a database");
    for (path, needle) in [
        (d.path("missing.mmdb").display().to_string(), "missing.mmdb"),
        (junk.display().to_string(), "junk.mmdb"),
    ] {
        let o = run(
            &["summary", "--geoip", &path, "-"],
            Some(hay::AUTH.as_bytes()),
        );
        assert_eq!(o.status.code(), Some(2), "{path}");
        let err = stderr(&o);
        assert!(err.starts_with("logmap: ") && err.contains(needle), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

#[test]
fn db_info_and_path_name_the_data_and_its_licence() {
    let d = Dir::new();
    let info = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["db", "info"])
        .output()
        .expect("db info");
    assert!(info.status.success());
    let text = stdout(&info);
    assert!(
        text.contains("DB-IP") && text.contains("https://db-ip.com"),
        "{text}"
    );
    assert!(text.contains("CC BY 4.0"), "{text}");
    // the embedded City Lite table, with its data date
    assert!(
        text.contains("DB-IP IP-to-City Lite") && text.contains("data of 2026-06-05"),
        "{text}"
    );
    let path = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["db", "path"])
        .output()
        .expect("db path");
    assert!(
        stdout(&path).contains(&d.path("logmap").display().to_string()),
        "{}",
        stdout(&path)
    );
}

/// Serve one gzip body at every path, on 127.0.0.1, for `n` connections.
fn serve(body: Vec<u8>, n: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { continue };
            let mut r = BufReader::new(s.try_clone().expect("clone"));
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    format!("http://{addr}")
}

#[test]
fn db_update_installs_a_database_that_later_runs_find() {
    let d = Dir::new();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&city_db()).expect("gzip");
    let url = format!(
        "{}/dbip-city-lite.mmdb.gz",
        serve(gz.finish().expect("gzip"), 4)
    );
    let o = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["db", "update", "--url", &url])
        .output()
        .expect("db update");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(d.path("logmap/dbip-city-lite.mmdb").is_file());
    // Discovered from $XDG_DATA_HOME/logmap without --geoip.
    let o = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["lookup", "--format", "ndjson", "81.2.69.142"])
        .output()
        .expect("lookup");
    let row: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(row["city"], "Norwich", "{row}");
}

#[test]
fn map_writes_one_self_contained_page() {
    let d = Dir::new();
    let log = d.write("auth.log", hay::AUTH);
    let out = d.path("out dir map.html");
    let o = run_paths(
        &["map", "--year", "2026", "-o", &out.display().to_string()],
        &[&log],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("written to"), "{}", stdout(&o));
    // The terminal summary names the worst address; the page carries the addresses as binary
    // columns (what they hold is the browser tests' and html.rs's business) and the totals.
    assert!(stdout(&o).contains("5.36.59.76"), "{}", stdout(&o));
    let html = std::fs::read_to_string(&out).expect("map file");
    assert!(html.contains("IP Geolocation by DB-IP"));
    let out_text = stdout(&o);
    let n: String = out_text
        .split("Map of ")
        .nth(1)
        .expect("the 'Map of N addresses' line")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!n.is_empty(), "{out_text}");
    assert!(
        html.contains(&format!("\"unique_ips\":{n}")),
        "the page's totals should say {n} addresses"
    );
    assert!(
        !html.contains("<script src=") && !html.contains("<link rel=\"stylesheet\" href=\"http")
    );
    // Nothing left over from the atomic write.
    let leftovers: Vec<_> = std::fs::read_dir(d.tmp.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}
