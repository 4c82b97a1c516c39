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

/// Every address that logged in is listed, whatever `--top` asks for, with the names it got
/// in as (not only the names it tried most), and 60 logins are cut to 50 with a note.
#[test]
fn every_successful_login_is_listed_with_its_account() {
    let mut log = String::new();
    // One address tries many names and gets in as the one it tried least.
    for (i, user) in ["root", "root", "admin", "admin", "oracle", "test"]
        .iter()
        .enumerate()
    {
        log.push_str(&format!(
            "Nov 30 10:00:{i:02} web sshd[{}]: Failed password for invalid user {user} from 45.148.10.240 port 4{i:04} ssh2\n",
            100 + i
        ));
    }
    log.push_str("Nov 30 10:01:00 web sshd[200]: Accepted password for git from 45.148.10.240 port 40100 ssh2\n");
    for i in 0..14 {
        log.push_str(&format!(
            "Nov 30 11:{i:02}:00 web sshd[{}]: Accepted publickey for deploy from 185.220.101.{} port 5{i:04} ssh2\n",
            300 + i,
            10 + i
        ));
    }
    let d = Dir::new();
    let p = d.write("auth.log", &log);
    let o = run_paths(
        &[
            "summary", "--color", "never", "--year", "2026", "--top", "1",
        ],
        &[&p],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let rows = table(&text, "SUCCESSFUL LOGINS");
    // header + 15 addresses, no "of" in the title: all are there
    assert_eq!(rows.len(), 1 + 15, "{text}");
    assert!(text.contains("SUCCESSFUL LOGINS\n"), "{text}");
    let r = row(&rows, "45.148.10.240");
    assert_eq!(&r[1..4], ["1", "git(1)", "6"], "{r:?}");
    for i in 0..14 {
        let r = row(&rows, &format!("185.220.101.{}", 10 + i));
        assert_eq!(&r[1..3], ["1", "deploy(1)"], "{r:?}");
    }

    // 60 addresses that got in: 50 shown, and the title says so
    let mut many = String::new();
    for i in 0..60 {
        many.push_str(&format!(
            "Nov 30 12:{i:02}:00 web sshd[{}]: Accepted publickey for deploy from 185.220.101.{} port 5{i:04} ssh2\n",
            400 + i,
            100 + i
        ));
    }
    let text = summary_text("many.log", &many);
    let rows = table(&text, "SUCCESSFUL LOGINS (50 of 60; --top 60 for all)");
    assert_eq!(rows.len(), 1 + 50, "{text}");

    let o = run_paths(&["summary", "--top", "0"], &[&p]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// Under an address selection every number shown is the selected addresses': the events per
/// kind add up to their events, the windows count them against the newest event of the whole
/// log, the terminal leaves out the windows' counts of every event and says which lists are
/// of every address, and the history (which reads only the selected addresses) agrees with
/// the files.
#[test]
fn a_selection_counts_only_the_selected_addresses_in_files_and_history() {
    const DEMO: &str = include_str!("../../demo/auth.log");
    let d = Dir::new();
    let log = d.write("auth.log", DEMO);
    let db = d.path("h.db");
    let o = run_paths(&["ingest", "-q", "--db", db.to_str().unwrap()], &[&log]);
    assert!(o.status.success(), "{}", stderr(&o));
    let whole = json(&run_paths(&["summary", "--json"], &[&log]));
    let newest = whole["summary"]["last_seen"].clone();
    for sel in [
        &["--country", "CN"][..],
        &["--asn", "4134"],
        &["--user", "root"],
        &["--min-failures", "20"],
        &["--successful"],
    ] {
        let files = json(&run_paths(&[&["summary", "--json"], sel].concat(), &[&log]));
        let history = json(&run(
            &[&["summary", "--json", "--db", db.to_str().unwrap()], sel].concat(),
            None,
        ));
        let s = &files["summary"];
        let kinds: u64 = s["kinds"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(kinds, s["events"].as_u64().unwrap(), "{sel:?}: {s:#}");
        assert!(s["unique_ips"].as_u64().unwrap() > 0, "{sel:?}");
        for key in ["summary", "windows", "ips", "countries", "asns", "users"] {
            let (mut a, mut b) = (files[key].clone(), history[key].clone());
            if key == "summary" {
                for v in [&mut a, &mut b] {
                    v.as_object_mut().unwrap().remove("lines");
                }
            }
            assert_eq!(
                a, b,
                "{sel:?}: {key} differs between the files and the history"
            );
        }
        // the 7-day window holds every selected address; its end is the log's newest event
        let week = files["windows"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(week["ips"], s["unique_ips"], "{sel:?}");
        assert!(s["last_seen"].as_str() <= newest.as_str(), "{sel:?}");

        let text = stdout(&run_paths(
            &[&["summary", "--color", "never"], sel].concat(),
            &[&log],
        ));
        let rows = table(
            &text,
            "LAST HOUR / DAY / WEEK OF THE DATA (the selected addresses active in it)",
        );
        assert_eq!(
            rows[0].split_whitespace().collect::<Vec<_>>(),
            ["window", "addresses", "countries"],
            "{text}"
        );
    }
    // China's two addresses were not active in the log's last hour (its newest event is
    // 06:43, theirs 05:06), whatever their own last event
    let cn = json(&run_paths(
        &["summary", "--json", "--country", "CN"],
        &[&log],
    ));
    assert_eq!(cn["windows"][0]["ips"], 0, "{:#}", cn["windows"]);
    assert_eq!(
        cn["summary"]["kinds"]["auth_success"],
        serde_json::Value::Null
    );

    // a web log's lists are of every address, and say so under a selection
    let web = d.write("access.log", crate::hay::ACCESS);
    let text = stdout(&run_paths(
        &[
            "summary",
            "--color",
            "never",
            "--min-failures",
            "0",
            "--kind",
            "request",
        ],
        &[&web],
    ));
    assert!(
        text.contains("HTTP STATUS (every address, not only the selected ones)"),
        "{text}"
    );
}
