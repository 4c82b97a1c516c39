//! The export formats: schema, stability, escaping.

use crate::hay;
use crate::util::*;

#[test]
fn json_export_follows_the_schema() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p],
    ));
    assert!(
        doc["generator"]
            .as_str()
            .is_some_and(|g| g.starts_with("logmap "))
    );
    assert_eq!(doc["sources"][0]["lines"], 22);
    assert_eq!(doc["sources"][0]["format"], "sshd");
    assert!(
        doc["geo"]["attribution"]
            .as_str()
            .is_some_and(|a| a.contains("DB-IP"))
    );
    for k in [
        "lines",
        "events",
        "unique_ips",
        "countries",
        "failures",
        "successes",
        "first_seen",
        "last_seen",
        "private_ips",
        "unparsed",
    ] {
        assert!(doc["summary"].get(k).is_some(), "summary lacks {k}");
    }
    for r in doc["ips"].as_array().expect("ips") {
        for k in [
            "ip",
            "events",
            "failures",
            "successes",
            "kinds",
            "users",
            "first_seen",
            "last_seen",
            "country",
            "country_name",
            "city",
            "lat",
            "lon",
            "asn",
            "as_org",
        ] {
            assert!(r.get(k).is_some(), "ip record lacks {k}: {r}");
        }
    }
    assert!(doc["countries"].is_array() && doc["asns"].is_array());
}

#[test]
fn ndjson_csv_geojson_agree_with_json() {
    let d = Dir::new();
    let p = d.write("auth.log", hay::AUTH);
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p],
    ));
    let n = doc["ips"].as_array().map(Vec::len).unwrap_or(0);
    assert_eq!(n, 4);

    let nd = stdout(&run_paths(
        &["export", "--format", "ndjson", "--year", "2026"],
        &[&p],
    ));
    let recs: Vec<serde_json::Value> = nd
        .lines()
        .map(|l| serde_json::from_str(l).expect("ndjson"))
        .collect();
    assert_eq!(recs.len(), n);
    assert_eq!(recs[0], doc["ips"][0]);

    let csv = stdout(&run_paths(
        &["export", "--format", "csv", "--year", "2026"],
        &[&p],
    ));
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().expect("header").split(',').collect();
    assert_eq!(&header[..4], ["ip", "events", "failures", "successes"]);
    assert!(header.contains(&"kind_auth_failure") && header.contains(&"users"));
    let first: Vec<&str> = rows.next().expect("row").split(',').collect();
    assert_eq!(first[0], "5.36.59.76");
    assert_eq!(first[2], "6");
    assert_eq!(csv.lines().count(), n + 1);

    let out = d.path("out.geojson");
    let o = run_paths(
        &[
            "export",
            "--format",
            "geojson",
            "--year",
            "2026",
            "-o",
            &out.display().to_string(),
        ],
        &[&p],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let gj: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("geojson file")).expect("geojson");
    assert_eq!(gj["type"], "FeatureCollection");
    let feats = gj["features"].as_array().expect("features");
    let unlocated = gj["properties"]["unlocated"].as_u64().expect("unlocated");
    assert_eq!(feats.len() as u64 + unlocated, n as u64);
    for f in feats {
        let c = &f["geometry"]["coordinates"];
        assert_eq!(c[0], f["properties"]["lon"], "longitude first");
        assert_eq!(c[1], f["properties"]["lat"]);
    }
}

#[test]
fn csv_cells_from_logs_cannot_become_formulas() {
    let d = Dir::new();
    let p = d.write(
        "auth.log",
        "Dec 10 07:13:43 h sshd[1]: Failed password for invalid user =HYPERLINK(\"http://x\",\"a,b\") from 81.2.69.142 port 22 ssh2\n",
    );
    let csv = stdout(&run_paths(
        &["export", "--format", "csv", "--year", "2026"],
        &[&p],
    ));
    let row = csv.lines().nth(1).expect("row");
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")"),
        "{row}"
    );
}

/// The same log gives the same page, byte for byte, whatever the threads and the process's
/// hash seeds: a map can be diffed, cached and checked in. (The country names of the page
/// came from a hash map, in a different order on every run.)
#[test]
fn the_same_log_makes_the_same_map_page() {
    let dir = Dir::new();
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/auth.log");
    let pages: Vec<Vec<u8>> = (0..4)
        .map(|i| {
            let page = dir.path(&format!("map-{i}.html"));
            let out = logmap()
                .env("LOGMAP_THREADS", ["1", "2"][i % 2])
                .args(["-q", "map", "--year", "2026", demo, "-o"])
                .arg(&page)
                .output()
                .expect("run logmap");
            assert!(out.status.success(), "{}", stderr(&out));
            std::fs::read(&page).expect("page written")
        })
        .collect();
    assert!(
        String::from_utf8_lossy(&pages[0]).contains("\"cn\":{\""),
        "the page names countries"
    );
    for (i, p) in pages.iter().enumerate().skip(1) {
        assert!(p == &pages[0], "page {i} differs from page 0");
    }
}
