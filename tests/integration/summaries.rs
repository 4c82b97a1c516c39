//! Summaries that fit the log: a firewall log shows blocked/allowed and destination ports, a
//! web log status classes, paths and user agents, and the SSH columns appear only where there
//! are SSH events. Checked against the hand counts in `hay.rs`.

use serde_json::json;

use crate::hay;
use crate::util::*;

/// The lines of the table titled `title` (up to the blank line after it).
fn table<'a>(text: &'a str, title: &str) -> Vec<&'a str> {
    let mut lines = text.lines().skip_while(|l| !l.starts_with(title));
    assert!(lines.next().is_some(), "no table {title} in:\n{text}");
    lines.take_while(|l| !l.is_empty()).collect()
}

/// The cells of the row starting with `first` in a table.
fn row<'a>(rows: &[&'a str], first: &str) -> Vec<&'a str> {
    rows.iter()
        .map(|r| {
            r.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .find(|cells| cells.first() == Some(&first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:#?}"))
}

fn summary_text(name: &str, log: &str) -> String {
    let d = Dir::new();
    let p = d.write(name, log);
    let o = run_paths(&["summary", "--color", "never", "--year", "2026"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

fn summary_json(name: &str, log: &str) -> serde_json::Value {
    let d = Dir::new();
    let p = d.write(name, log);
    json(&run_paths(&["summary", "--json", "--year", "2026"], &[&p]))
}

#[test]
fn firewall_log_shows_blocked_allowed_and_ports() {
    let doc = summary_json("ufw.log", hay::UFW);
    let s = &doc["summary"];
    assert_eq!(s["unique_ips"], 4);
    assert_eq!(s["kinds"], json!({"blocked": 5, "allowed": 1}), "{s:#}");
    assert_eq!(s["private_ips"], 1);
    assert_eq!(
        doc["ports"],
        json!([
            {"port": 22, "proto": "TCP", "events": 3, "blocked": 3, "allowed": 0},
            {"port": null, "proto": "ICMP", "events": 1, "blocked": 1, "allowed": 0},
            {"port": 53, "proto": "UDP", "events": 1, "blocked": 1, "allowed": 0},
            {"port": 443, "proto": "TCP", "events": 1, "blocked": 0, "allowed": 1},
        ])
    );
    assert_eq!(doc["statuses"], json!([]));
    assert_eq!(doc["paths"], json!([]));

    let text = summary_text("ufw.log", hay::UFW);
    let totals = table(&text, "TOTALS");
    assert!(
        totals[0].contains("blocked") && totals[0].contains("allowed"),
        "{text}"
    );
    let cells: Vec<&str> = totals[1].split_whitespace().collect();
    // addresses, countries, events, blocked, allowed, private, unparsed
    assert_eq!(cells[0], "4");
    assert_eq!(&cells[2..5], ["6", "5", "1"], "{text}");
    let ports = table(&text, "TOP DESTINATION PORTS");
    assert_eq!(row(&ports, "22/TCP"), ["22/TCP", "3", "3", "0"]);
    assert_eq!(row(&ports, "ICMP"), ["ICMP", "1", "1", "0"]);
    assert_eq!(row(&ports, "443/TCP"), ["443/TCP", "1", "0", "1"]);
    for ssh in [
        "failed logins",
        "successful logins",
        "users tried",
        "TOP USER NAMES",
    ] {
        assert!(!text.contains(ssh), "{ssh} in a firewall summary:\n{text}");
    }
    assert!(!text.contains("HTTP STATUS"));
    assert_eq!(
        row(&table(&text, "TOP ADDRESSES"), "109.205.213.90")[2],
        "2",
        "blocked"
    );
}

#[test]
fn web_log_shows_status_classes_paths_and_agents() {
    let doc = summary_json("access.log", hay::ACCESS_MIX);
    assert_eq!(doc["summary"]["kinds"], json!({"request": 8}));
    assert_eq!(
        doc["statuses"],
        json!([
            {"status": 200, "class": "2xx", "events": 4},
            {"status": 301, "class": "3xx", "events": 1},
            {"status": 404, "class": "4xx", "events": 2},
            {"status": 500, "class": "5xx", "events": 1},
        ])
    );
    assert_eq!(
        doc["paths"],
        json!([
            {"path": "/", "events": 3, "error": 0},
            {"path": "/wp-login.php", "events": 3, "error": 0},
            {"path": "/.env", "events": 1, "error": 0},
            {"path": "/about", "events": 1, "error": 0},
        ])
    );
    assert_eq!(
        doc["user_agents"],
        json!([
            {"user_agent": "curl/8.5.0", "events": 4, "error": 0},
            {"user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "events": 3, "error": 0},
        ])
    );
    assert_eq!(doc["ports"], json!([]));

    let text = summary_text("access.log", hay::ACCESS_MIX);
    let status = table(&text, "HTTP STATUS");
    assert_eq!(row(&status, "2xx"), ["2xx", "4", "50.0%", "200 (4)"]);
    assert_eq!(row(&status, "4xx"), ["4xx", "2", "25.0%", "404 (2)"]);
    assert_eq!(row(&status, "5xx"), ["5xx", "1", "12.5%", "500 (1)"]);
    let paths = table(&text, "TOP PATHS");
    assert_eq!(row(&paths, "/wp-login.php"), ["/wp-login.php", "3"]);
    let agents = table(&text, "TOP USER AGENTS");
    assert_eq!(row(&agents, "curl/8.5.0"), ["curl/8.5.0", "4"]);
    for ssh in [
        "failed logins",
        "successful logins",
        "users tried",
        "blocked",
    ] {
        assert!(!text.contains(ssh), "{ssh} in a web summary:\n{text}");
    }
    assert!(!text.contains('~'), "all counts are exact");
}

#[test]
fn ssh_columns_only_where_there_are_ssh_events() {
    let text = summary_text("auth.log", hay::AUTH);
    assert!(
        table(&text, "TOTALS")[0].contains("failed logins"),
        "{text}"
    );
    let top = table(&text, "TOP ADDRESSES");
    assert!(top[0].contains("failed logins") && top[0].contains("users tried"));
    assert!(table(&text, "TOP COUNTRIES")[0].contains("failed logins"));
    for other in [
        "TOP DESTINATION PORTS",
        "HTTP STATUS",
        "TOP PATHS",
        "blocked",
    ] {
        assert!(!text.contains(other), "{other} in an SSH summary:\n{text}");
    }
    // Generic text: addresses and events only.
    let text = summary_text("words.txt", "hello 81.2.69.142 and 8.8.8.8\n");
    assert!(
        !text.contains("failed logins") && !text.contains("blocked"),
        "{text}"
    );
    assert!(table(&text, "TOTALS")[0].contains("events"));

    // An auth.log and a firewall log together: both.
    let d = Dir::new();
    let a = d.write("auth.log", hay::AUTH);
    let f = d.write("ufw.log", hay::UFW);
    let o = run_paths(
        &["summary", "--color", "never", "--year", "2026"],
        &[&a, &f],
    );
    let text = stdout(&o);
    let totals = table(&text, "TOTALS");
    assert!(
        totals[0].contains("failed logins") && totals[0].contains("blocked"),
        "{text}"
    );
    assert!(text.contains("TOP DESTINATION PORTS"));
}

#[test]
fn the_export_document_carries_the_new_lists() {
    let d = Dir::new();
    let p = d.write("access.log", hay::ACCESS_MIX);
    let f = d.write("ufw.log", hay::UFW);
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p, &f],
    ));
    for k in ["ports", "statuses", "paths", "user_agents"] {
        assert!(
            doc[k].as_array().is_some_and(|a| !a.is_empty()),
            "{k}: {}",
            doc[k]
        );
    }
    assert_eq!(doc["summary"]["kinds"]["request"], 8);
    assert_eq!(doc["summary"]["kinds"]["blocked"], 5);
    // --top cuts the lists of summary --json.
    let doc = json(&run_paths(
        &["summary", "--json", "--top", "1", "--year", "2026"],
        &[&p, &f],
    ));
    assert_eq!(doc["ports"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["paths"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["user_agents"].as_array().map(Vec::len), Some(1));
    assert_eq!(doc["statuses"].as_array().map(Vec::len), Some(4), "not cut");
}

/// The history (`ingest`, then `--db`) keeps ports, status codes, paths and user agents, and
/// gives the same summaries as the files, whatever the batches.
#[test]
fn the_history_keeps_ports_statuses_paths_and_agents() {
    let d = Dir::new();
    let ufw = d.write("ufw.log", hay::UFW);
    let web = d.write("access.log", hay::ACCESS_MIX);
    let db = d.path("h.db");
    let dbs = db.display().to_string();
    // Small batches, two runs: the counters are merged batch by batch.
    for file in [&ufw, &web] {
        let o = run(
            &[
                "ingest",
                "--db",
                &dbs,
                "--year",
                "2026",
                "--batch-lines",
                "3",
                &file.display().to_string(),
            ],
            None,
        );
        assert!(o.status.success(), "ingest: {}", stderr(&o));
    }
    let files = [ufw.display().to_string(), web.display().to_string()];
    for extra in [&[][..], &["--include-private"]] {
        let mut args = vec!["summary", "--json"];
        args.extend_from_slice(extra);
        let from_files = run(
            &[&args[..], &["--year", "2026"], &[&files[0], &files[1]]].concat(),
            None,
        );
        let from_db = run(&[&args[..], &["--db", &dbs]].concat(), None);
        let (mut a, mut b) = (json(&from_files), json(&from_db));
        for k in ["ports", "statuses", "paths", "user_agents"] {
            assert!(a[k].as_array().is_some_and(|l| !l.is_empty()), "{k}");
            assert_eq!(a[k], b[k], "{k} {extra:?}");
        }
        for j in [&mut a, &mut b] {
            let o = j.as_object_mut().unwrap();
            o.remove("sources");
            o.remove("history");
            o.remove("geo");
        }
        assert_eq!(a, b, "{extra:?}");
    }
    let text = |args: &[&str]| stdout(&run(args, None));
    let a = text(&[
        "summary", "--color", "never", "--year", "2026", &files[0], &files[1],
    ]);
    let b = text(&["summary", "--color", "never", "--db", &dbs]);
    let body = |s: &str| -> String {
        s.lines()
            .filter(|l| !l.starts_with("logmap ") && !is_history_note(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&a), body(&b));
    assert!(a.contains("TOP DESTINATION PORTS") && a.contains("HTTP STATUS"));
}
