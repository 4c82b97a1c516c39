//! Hostile text in every output: terminal escape sequences (CSI, OSC, C1), Unicode bidi
//! overrides and invisible characters, spreadsheet formula prefixes, and the separators of
//! each format (tab, newline, comma, quote, `:`, `;`, space). What a person reads must show
//! them escaped; what a program reads must give them back exactly.

use std::collections::BTreeMap;

use logmap::enrich::mmdb_write::{Value, Writer};
use logmap::render::text::needs_escape;

use crate::util::*;

/// User names an attacker can make sshd log (sshd writes the name it was sent as it is).
const NAMES: [&str; 8] = [
    "\x1b[2J\x1b]0;pwned\x07",
    "\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "gnp\u{202e}exe.sh",
    "ad\u{2066}min\u{2069}\u{200f}\u{061c}\u{200b}\u{feff}",
    "=HYPERLINK(\"http://x\",\"a,b\")",
    "a\tb\\t,c;d:e\"f 'g",
    "+cmd@x -1",
    "x\u{9b}31m\u{2028}y",
];

/// An auth.log with one failed login per hostile name, each from its own address, and a line
/// no rule reads (for `-v`).
fn hostile_auth_log() -> String {
    let mut log = String::new();
    for (i, name) in NAMES.iter().enumerate() {
        log.push_str(&format!(
            "Dec 10 09:10:{i:02} h sshd[{}]: Failed password for invalid user {name} from 81.2.69.{} port 22 ssh2\n",
            100 + i,
            10 + i
        ));
    }
    log.push_str("Dec 10 09:11:00 h sshd[99]: strange \x1b[31mred\u{202e}txt from 81.2.69.99\n");
    log
}

/// Raw characters that must never reach a person's terminal.
fn assert_no_raw_controls(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        let bad: Vec<char> = line
            .chars()
            .filter(|&c| c != '\\' && needs_escape(c))
            .collect();
        assert!(
            bad.is_empty(),
            "{what}, line {}: raw {bad:?} in {line:?}",
            n + 1
        );
    }
}

/// Reverse of the TSV escaping (`\\`, `\t`, `\n`, `\r`, `\u{…}`).
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                assert_eq!(it.next(), Some('{'), "{s}");
                let hex: String = it.by_ref().take_while(|&c| c != '}').collect();
                let cp = u32::from_str_radix(&hex, 16).expect("hex");
                out.push(char::from_u32(cp).expect("char"));
            }
            other => panic!("unknown escape \\{other:?} in {s}"),
        }
    }
    out
}

#[test]
fn summary_and_verbose_samples_show_hostile_text_escaped() {
    let d = Dir::new();
    let p = d.write("auth.log", hostile_auth_log());
    for color in ["never", "always"] {
        let o = run_paths(
            &["-v", "summary", "--year", "2026", "--color", color],
            &[&p],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        let plain = if color == "always" {
            // Our own colour codes are the only escapes allowed.
            out.replace("\x1b[0m", "")
                .replace("\x1b[1m", "")
                .replace("\x1b[2m", "")
                .replace("\x1b[31m", "")
                .replace("\x1b[36m", "")
                .replace("\x1b[1;32m", "")
        } else {
            out.clone()
        };
        assert_no_raw_controls("summary", &plain);
        assert!(out.contains("gnp\\u{202e}exe.sh"), "{out}");
        assert!(out.contains("\\u{1b}[2J"), "{out}");
        let err = stderr(&o);
        assert_no_raw_controls("-v samples", &err);
        assert!(
            err.contains("strange \\u{1b}[31mred\\u{202e}txt"),
            "the unparsed sample is shown escaped: {err}"
        );
    }
}

#[test]
fn tsv_escapes_and_reads_back_as_the_ndjson() {
    let d = Dir::new();
    let mut log = hostile_auth_log();
    log.push_str(
        "81.2.69.200 - - [17/May/2015:10:05:03 +0000] \"GET /a\\tb/\u{202e}x.php?q=\x1b[1m HTTP/1.1\" 404 162 \"-\" \"=cmd\\\"\u{2067}UA\"\n",
    );
    let p = d.write("auth.log", &log);
    let web = d.write("access.log", log.lines().last().unwrap().to_string() + "\n");
    for path in [&p, &web] {
        let nd = stdout(&run_paths(&["events", "--year", "2026"], &[path]));
        let tsv_out = run_paths(&["events", "--format", "tsv", "--year", "2026"], &[path]);
        assert!(tsv_out.status.success());
        let tsv = stdout(&tsv_out);
        assert_no_raw_controls("tsv", &tsv.replace('\t', " "));
        let mut rows = tsv.lines();
        let header: Vec<&str> = rows.next().expect("header").split('\t').collect();
        assert_eq!(
            header,
            [
                "source",
                "line",
                "ts",
                "service",
                "kind",
                "ip",
                "port",
                "user",
                "method",
                "repeat",
                "failures",
                "status",
                "path",
                "user_agent",
                "bytes",
                "dst_port",
                "proto"
            ]
        );
        let events: Vec<serde_json::Value> = nd
            .lines()
            .map(|l| serde_json::from_str(l).expect("ndjson"))
            .collect();
        let rows: Vec<&str> = rows.collect();
        assert_eq!(rows.len(), events.len());
        for (row, ev) in rows.iter().zip(&events) {
            let cells: Vec<&str> = row.split('\t').collect();
            assert_eq!(cells.len(), header.len(), "{row}");
            for (name, cell) in header.iter().zip(&cells) {
                let want = match &ev[*name] {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                assert_eq!(unescape(cell), want, "{name} of {row}");
            }
        }
        if path == &web {
            assert!(events[0]["path"].as_str().unwrap().contains('\u{202e}'));
            assert!(rows[0].contains("\\u{202e}x.php"), "{}", rows[0]);
        } else {
            let users: Vec<&str> = events.iter().filter_map(|e| e["user"].as_str()).collect();
            for name in NAMES {
                assert!(users.contains(&name), "{name:?} not in {users:?}");
            }
        }
    }
}

#[test]
fn csv_users_read_back_exactly_and_no_cell_is_a_formula() {
    let d = Dir::new();
    let mut log = hostile_auth_log();
    // Several names from one address, with every separator the old encoding confused.
    for (i, name) in ["root", "a:b c", "x;y,z", "new\\nline", "q\"uote"]
        .iter()
        .enumerate()
    {
        log.push_str(&format!(
            "Dec 10 09:12:{i:02} h sshd[{}]: Failed password for invalid user {name} from 81.2.69.50 port 22 ssh2\n",
            200 + i
        ));
    }
    let p = d.write("auth.log", &log);
    let doc = json(&run_paths(
        &["export", "--format", "json", "--year", "2026"],
        &[&p],
    ));
    let o = run_paths(&["export", "--format", "csv", "--year", "2026"], &[&p]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut rd = csv::Reader::from_reader(o.stdout.as_slice());
    let header = rd.headers().expect("header").clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (ip, users, top_user) = (col("ip"), col("users"), col("top_user"));
    let mut seen = 0;
    for row in rd.records() {
        let row = row.expect("a well-formed CSV row");
        assert_eq!(row.len(), header.len());
        let rec = ip_record(&doc, &row[ip]);
        // The users cell is the JSON export's users object, exactly.
        let parsed: BTreeMap<String, u64> =
            serde_json::from_str(&row[users]).expect("users cell is a JSON object");
        let want: BTreeMap<String, u64> = serde_json::from_value(rec["users"].clone()).unwrap();
        assert_eq!(parsed, want, "{}", &row[ip]);
        // No cell from the log starts a formula (numbers, such as a negative longitude, are
        // numbers).
        for cell in row.iter().filter(|c| c.parse::<f64>().is_err()) {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula cell {cell:?}"
            );
        }
        if let Some(name) = rec["users"].as_object().and_then(|u| u.keys().next())
            && name.starts_with(['=', '+', '-', '@'])
        {
            assert_eq!(&row[top_user], format!("'{name}"));
        }
        seen += 1;
    }
    assert_eq!(seen, doc["ips"].as_array().unwrap().len());
    let multi = ip_record(&doc, "81.2.69.50");
    assert_eq!(multi["users"].as_object().unwrap().len(), 5);
}

/// An MMDB whose strings (database type, city, organisation) are hostile.
fn hostile_mmdb() -> Vec<u8> {
    let mut w = Writer::new("Evil\x1b]0;title\x07-City\u{202e}", 6);
    w.build_epoch(1_790_000_000);
    let rec = Value::map([
        (
            "city",
            Value::map([(
                "names",
                Value::map([("en", Value::str("Nor\x1b[5mwich\u{2067}"))]),
            )]),
        ),
        ("country", Value::map([("iso_code", Value::str("GB"))])),
        (
            "location",
            Value::map([
                ("latitude", Value::F64(52.6)),
                ("longitude", Value::F64(1.3)),
            ]),
        ),
        ("autonomous_system_number", Value::U32(64500)),
        (
            "autonomous_system_organization",
            Value::str("Org\u{202e}\tInc\x1b[0m"),
        ),
    ]);
    w.insert("81.2.69.0/24".parse().expect("net"), rec)
        .expect("insert");
    w.to_bytes()
}

#[test]
fn lookup_and_db_info_escape_what_databases_say() {
    let d = Dir::new();
    let dir = d.path("logmap");
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("evil\x1b[2J\u{202e}.mmdb");
    std::fs::write(&db, hostile_mmdb()).unwrap();
    let o = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["lookup", "--geoip"])
        .arg(&db)
        .arg("81.2.69.142")
        .output()
        .expect("lookup");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert_no_raw_controls("lookup", &out);
    assert!(out.contains("Nor\\u{1b}[5mwich\\u{2067}"), "{out}");
    let info = logmap()
        .env("XDG_DATA_HOME", d.tmp.path())
        .args(["db", "info"])
        .output()
        .expect("db info");
    assert!(info.status.success(), "{}", stderr(&info));
    let text = stdout(&info);
    assert_no_raw_controls("db info", &text);
    assert!(text.contains("evil\\u{1b}[2J\\u{202e}.mmdb"), "{text}");
}
