//! The HTML map in a real headless Chromium.
//!
//! Each test renders a page — a fixture document through `write_map`, or a log through the
//! real `logmap map` binary (`real_map_of_the_demo_log`, `hostile_log_through_the_binary_…`,
//! expectations computed from `logmap export`) — opens it from `file://` in Debian's
//! `chromium` driven by `web/test/e2e.mjs` (playwright-core, pinned in `web/package.json`),
//! and checks what the browser reports: requests, console errors, CSP violations, markers and
//! clusters drawn, colours painted, popup text, and that hostile input stays text.
//!
//! Without Chromium or Node the tests fail when `CI` is set and are skipped otherwise.
//! `#[ignore]`d: `screenshots` (writes `docs/map-*.png` from real logs through the binary)
//! and `bench_map_100k` (see `bench/map.sh`).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use logmap::render::html::write_map;
use serde_json::{Value, json};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the browser tooling is here; without it, fail under CI and skip elsewhere.
fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing = if !Path::new(&chromium).exists() {
        Some(format!(
            "no Chromium at {chromium} (apt-get install chromium)"
        ))
    } else if Command::new("node").arg("--version").output().is_err() {
        Some("no `node` on PATH".to_string())
    } else if !root().join("web/node_modules/playwright-core").is_dir() {
        Some("web/node_modules/playwright-core is missing (npm ci in web/)".to_string())
    } else {
        None
    };
    match missing {
        None => true,
        Some(why) if std::env::var_os("CI").is_some() => {
            panic!("browser tests cannot run under CI: {why}")
        }
        Some(why) => {
            eprintln!("skipping browser test: {why}");
            false
        }
    }
}

/// Writes the page for `doc` into `dir` and returns its path.
fn render(doc: &Value, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let mut file = std::io::BufWriter::new(fs::File::create(&path).expect("create page"));
    write_map(doc, &mut file).expect("write page");
    drop(file);
    path
}

/// One browser at a time: the tests of this file run in parallel threads, and several
/// Chromium instances on a small machine make each of them slow enough to time out.
static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs the e2e driver on `page` with `steps` and returns its report.
fn drive(page: &Path, steps: &Value) -> Value {
    let dir = page.parent().expect("page in a directory");
    let steps_file = dir.join("steps.json");
    fs::write(&steps_file, steps.to_string()).expect("write steps");
    run_driver("web/test/e2e.mjs", &[page, &steps_file])
}

/// Runs a Node driver of `web/test/` (one browser at a time) with `args` and returns the JSON
/// report it prints.
fn run_driver(script: &str, args: &[&Path]) -> Value {
    let _one_at_a_time = BROWSER.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new("node")
        .arg(root().join(script))
        .args(args)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{script} failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script}: output is not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// The checks every page must pass: offline, quiet, nothing executed.
fn assert_clean(report: &Value) {
    let requests: Vec<&str> = report["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!requests.is_empty(), "the page itself is a request");
    for r in &requests {
        assert!(
            r.starts_with("file://") || r.starts_with("data:"),
            "request left the page: {r}"
        );
    }
    assert_eq!(report["consoleErrors"], json!([]), "console errors");
    assert_eq!(report["cspViolations"], json!([]), "CSP violations");
    assert_eq!(report["pageErrors"], json!([]), "page errors");
    assert_eq!(report["dialogs"], json!([]), "dialogs opened");
    assert_eq!(report["pwned"], json!(false), "a payload ran");
    assert_eq!(
        report["handlerAttributes"],
        json!([]),
        "event-handler attributes in the DOM"
    );
    assert_eq!(
        report["foreignElements"],
        json!(0),
        "elements from the data in the DOM"
    );
}

fn count(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

// ------------------------------------------------------------------------------- fixtures

const T0: i64 = 1_795_910_400; // 2026-11-29T00:00:00Z

fn rfc3339(t: i64) -> String {
    // Days to civil date (the inverse of days_from_civil), for fixture timestamps only.
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// One address of a fixture.
struct Addr {
    ip: String,
    country: Option<(&'static str, &'static str, &'static str)>, // alpha-2, numeric, name
    city: Option<&'static str>,
    at: Option<(f64, f64)>,
    accuracy: Option<&'static str>,
    asn: Option<(u64, String)>,
    kinds: BTreeMap<&'static str, u64>,
    users: Vec<(String, u64)>,
    hours: Vec<(i64, u64)>, // unix hour start, events
}

impl Addr {
    fn events(&self) -> u64 {
        self.kinds.values().sum()
    }
    fn failures(&self) -> u64 {
        ["auth_failure", "invalid_user"]
            .iter()
            .map(|k| self.kinds.get(k).copied().unwrap_or(0))
            .sum()
    }
    fn successes(&self) -> u64 {
        self.kinds.get("auth_success").copied().unwrap_or(0)
    }
}

/// Builds the export document (design.md §5 plus windows, timeline, users, hours) the way the
/// aggregator would, from the addresses.
fn document(addrs: &[Addr], sources: Value) -> Value {
    let mut countries: BTreeMap<&str, (Value, u64, u64, u64)> = BTreeMap::new();
    let mut asns: BTreeMap<u64, (String, u64, u64, u64)> = BTreeMap::new();
    let mut users: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut timeline: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    let mut ips = Vec::new();
    for a in addrs {
        let (f, l) = (
            a.hours.iter().map(|h| h.0).min(),
            a.hours.iter().map(|h| h.0 + 1799).max(),
        );
        if let (Some(f), Some(l)) = (f, l) {
            first = first.min(f);
            last = last.max(l);
        }
        for &(h, n) in &a.hours {
            let share = a.failures() * n / a.events().max(1);
            let e = timeline.entry(h).or_default();
            e.0 += n;
            e.1 += share;
        }
        if let Some((cc, num, name)) = a.country {
            let e = countries
                .entry(cc)
                .or_insert((json!({"numeric": num, "name": name}), 0, 0, 0));
            e.1 += 1;
            e.2 += a.events();
            e.3 += a.failures();
        }
        if let Some((asn, org)) = &a.asn {
            let e = asns.entry(*asn).or_insert((org.clone(), 0, 0, 0));
            e.1 += 1;
            e.2 += a.events();
            e.3 += a.failures();
        }
        for (u, n) in &a.users {
            let e = users.entry(u).or_default();
            e.0 += n;
            e.1 += 1;
        }
        ips.push(json!({
            "ip": a.ip, "events": a.events(), "failures": a.failures(), "successes": a.successes(),
            "kinds": a.kinds, "users": a.users.iter().take(20).cloned().collect::<BTreeMap<_, _>>(),
            "first_seen": f.map(rfc3339), "last_seen": l.map(rfc3339),
            "country": a.country.map(|c| c.0), "country_name": a.country.map(|c| c.2),
            "city": a.city, "lat": a.at.map(|p| p.0), "lon": a.at.map(|p| p.1),
            "accuracy": a.accuracy, "asn": a.asn.as_ref().map(|x| x.0),
            "as_org": a.asn.as_ref().map(|x| x.1.clone()),
            "hours": a.hours.iter().map(|h| json!([h.0, h.1])).collect::<Vec<_>>(),
        }));
    }
    let windows: Vec<Value> = [("1h", 3600), ("24h", 86_400), ("7d", 604_800)]
        .iter()
        .map(|&(label, secs)| {
            let active: Vec<&Addr> = addrs.iter().filter(|a| a.hours.iter().any(|h| h.0 + 3600 > last - secs)).collect();
            let cc: std::collections::BTreeSet<_> = active.iter().filter_map(|a| a.country.map(|c| c.0)).collect();
            let events: u64 = addrs.iter().flat_map(|a| &a.hours).filter(|h| h.0 + 3600 > last - secs).map(|h| h.1).sum();
            json!({"label": label, "seconds": secs, "ips": active.len(), "countries": cc.len(), "events": events})
        })
        .collect();
    let mut user_rows: Vec<Value> = users
        .iter()
        .map(|(u, (n, ips))| json!({"user": u, "attempts": n, "ips": ips}))
        .collect();
    user_rows.sort_by_key(|r| std::cmp::Reverse(r["attempts"].as_u64()));
    json!({
        "generator": "logmap 0.1.0 (test fixture)",
        "sources": sources,
        "geo": {"databases": ["fixture"], "attribution": "IP Geolocation by DB-IP (https://db-ip.com)"},
        "summary": {
            "lines": addrs.iter().map(Addr::events).sum::<u64>(), "events": addrs.iter().map(Addr::events).sum::<u64>(),
            "unique_ips": addrs.len(), "countries": countries.len(),
            "failures": addrs.iter().map(Addr::failures).sum::<u64>(),
            "successes": addrs.iter().map(Addr::successes).sum::<u64>(),
            "first_seen": (first != i64::MAX).then(|| rfc3339(first)), "last_seen": (last != i64::MIN).then(|| rfc3339(last)),
            "private_ips": 0, "unparsed": 0,
        },
        "ips": ips,
        "countries": countries.iter().map(|(cc, (x, ips, ev, fl))| json!({
            "country": cc, "numeric": x["numeric"], "country_name": x["name"], "ips": ips, "events": ev, "failures": fl,
        })).collect::<Vec<_>>(),
        "asns": asns.iter().map(|(asn, (org, ips, ev, fl))| json!({
            "asn": asn, "as_org": org, "ips": ips, "events": ev, "failures": fl,
        })).collect::<Vec<_>>(),
        "users": user_rows,
        "windows": windows,
        "timeline": {
            "bucket_seconds": 3600, "start": (first != i64::MAX).then(|| rfc3339(first - first.rem_euclid(3600))),
            "series": timeline.iter().map(|(t, (e, f))| json!([t, e, f])).collect::<Vec<_>>(),
        },
    })
}

fn kinds(pairs: &[(&'static str, u64)]) -> BTreeMap<&'static str, u64> {
    pairs.iter().copied().collect()
}

fn users(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(u, n)| (u.to_string(), *n)).collect()
}

const NL: (&str, &str, &str) = ("NL", "528", "Netherlands");
const CN: (&str, &str, &str) = ("CN", "156", "China");
const US: (&str, &str, &str) = ("US", "840", "United States");
const RU: (&str, &str, &str) = ("RU", "643", "Russia");
const FJ: (&str, &str, &str) = ("FJ", "242", "Fiji");
const DE: (&str, &str, &str) = ("DE", "276", "Germany");

/// Six addresses over two days: failures, one success, one scanner, one without location.
fn small() -> Vec<Addr> {
    let h = |d: i64, hour: i64| T0 + d * 86_400 + hour * 3600;
    vec![
        Addr {
            ip: "203.0.113.10".into(),
            country: Some(NL),
            city: Some("Amsterdam"),
            at: Some((52.374, 4.8897)),
            accuracy: Some("city"),
            asn: Some((64501, "Example Hosting B.V.".into())),
            kinds: kinds(&[
                ("auth_failure", 30),
                ("invalid_user", 10),
                ("preauth_disconnect", 5),
            ]),
            users: users(&[("root", 25), ("admin", 10), ("oracle", 5)]),
            hours: vec![(h(0, 1), 20), (h(0, 2), 25)],
        },
        Addr {
            ip: "198.51.100.20".into(),
            country: Some(CN),
            city: None,
            at: Some((35.0, 105.0)),
            accuracy: Some("country"),
            asn: Some((64502, "Example Telecom".into())),
            kinds: kinds(&[("auth_failure", 280), ("invalid_user", 20)]),
            users: users(&[("root", 290), ("test", 10)]),
            hours: vec![(h(0, 5), 100), (h(1, 5), 200)],
        },
        Addr {
            ip: "192.0.2.30".into(),
            country: Some(US),
            city: Some("Ashburn"),
            at: Some((39.0437, -77.4875)),
            accuracy: Some("city"),
            asn: Some((64503, "Example Cloud".into())),
            kinds: kinds(&[("auth_failure", 3), ("auth_success", 1)]),
            users: users(&[("deploy", 4)]),
            hours: vec![(h(1, 22), 4)],
        },
        Addr {
            ip: "2001:db8::5".into(),
            country: Some(DE),
            city: Some("Frankfurt am Main"),
            at: Some((50.1109, 8.6821)),
            accuracy: Some("city"),
            asn: Some((64504, "Example Transit GmbH".into())),
            kinds: kinds(&[("scan", 6)]),
            users: vec![],
            hours: vec![(h(1, 12), 6)],
        },
        Addr {
            ip: "198.51.100.99".into(),
            country: Some(RU),
            city: Some("Anadyr"),
            at: Some((64.7337, 177.5089)),
            accuracy: Some("city"),
            asn: None,
            kinds: kinds(&[("auth_failure", 12)]),
            users: users(&[("pi", 12)]),
            hours: vec![(h(0, 9), 12)],
        },
        Addr {
            ip: "192.0.2.77".into(),
            country: Some(FJ),
            city: Some("Suva"),
            at: Some((-18.1416, 178.4419)),
            accuracy: Some("city"),
            asn: None,
            kinds: kinds(&[("invalid_user", 2)]),
            users: users(&[("ubnt", 2)]),
            hours: vec![(h(1, 23), 2)],
        },
        Addr {
            ip: "203.0.113.200".into(),
            country: None,
            city: None,
            at: None,
            accuracy: None,
            asn: None,
            kinds: kinds(&[("auth_failure", 7)]),
            users: users(&[("root", 7)]),
            hours: vec![(h(1, 3), 7)],
        },
    ]
}

/// Payloads that would run if the page put data into HTML, each setting `window.__pwned`.
const HOSTILE: &[&str] = &[
    "<img src=x onerror=\"window.__pwned=1\">",
    "</script><script>window.__pwned=2</script>",
    "\"><svg onload=\"window.__pwned=3\">",
    "<!--<script>window.__pwned=4</script>-->",
    "javascript:window.__pwned=5",
    "'; window.__pwned=6; //\u{2028}x\u{2029}y",
];

fn hostile() -> Vec<Addr> {
    let mut list = small();
    let bad = &mut list[0];
    bad.users = HOSTILE
        .iter()
        .enumerate()
        .map(|(i, p)| (p.to_string(), 10 - i as u64))
        .collect();
    bad.city = Some("<b onmouseover=\"window.__pwned=7\">Amsterdam</b>");
    bad.asn = Some((
        64501,
        "</script><img src=x onerror=window.__pwned=8>".into(),
    ));
    list
}

/// A small deterministic generator (xorshift64*), for reproducible synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Cities that attacks come from, with a weight; coordinates are the cities' own.
const PLACES: &[(&str, &str, &str, &str, f64, f64, u64)] = &[
    ("CN", "156", "China", "Beijing", 39.9042, 116.4074, 14),
    ("CN", "156", "China", "Shanghai", 31.2304, 121.4737, 10),
    ("CN", "156", "China", "Shenzhen", 22.5431, 114.0579, 8),
    (
        "US",
        "840",
        "United States",
        "Ashburn",
        39.0437,
        -77.4875,
        9,
    ),
    (
        "US",
        "840",
        "United States",
        "San Jose",
        37.3382,
        -121.8863,
        5,
    ),
    ("US", "840", "United States", "Dallas", 32.7767, -96.797, 4),
    ("RU", "643", "Russia", "Moscow", 55.7558, 37.6173, 7),
    ("RU", "643", "Russia", "Novosibirsk", 55.0084, 82.9357, 2),
    ("RU", "643", "Russia", "Anadyr", 64.7337, 177.5089, 1),
    ("BR", "076", "Brazil", "São Paulo", -23.5505, -46.6333, 6),
    ("IN", "356", "India", "Mumbai", 19.076, 72.8777, 6),
    ("VN", "704", "Vietnam", "Hanoi", 21.0278, 105.8342, 5),
    ("KR", "410", "South Korea", "Seoul", 37.5665, 126.978, 5),
    (
        "DE",
        "276",
        "Germany",
        "Frankfurt am Main",
        50.1109,
        8.6821,
        4,
    ),
    ("NL", "528", "Netherlands", "Amsterdam", 52.3676, 4.9041, 4),
    ("SG", "702", "Singapore", "Singapore", 1.3521, 103.8198, 4),
    ("HK", "344", "Hong Kong", "Hong Kong", 22.3193, 114.1694, 3),
    ("ID", "360", "Indonesia", "Jakarta", -6.2088, 106.8456, 3),
    ("FR", "250", "France", "Paris", 48.8566, 2.3522, 2),
    ("GB", "826", "United Kingdom", "London", 51.5074, -0.1278, 2),
    ("IR", "364", "Iran", "Tehran", 35.6892, 51.389, 2),
    ("TR", "792", "Türkiye", "Istanbul", 41.0082, 28.9784, 2),
    ("UA", "804", "Ukraine", "Kyiv", 50.4501, 30.5234, 1),
    (
        "AR",
        "032",
        "Argentina",
        "Buenos Aires",
        -34.6037,
        -58.3816,
        1,
    ),
    ("MX", "484", "Mexico", "Mexico City", 19.4326, -99.1332, 1),
    (
        "ZA",
        "710",
        "South Africa",
        "Johannesburg",
        -26.2041,
        28.0473,
        1,
    ),
    ("NG", "566", "Nigeria", "Lagos", 6.5244, 3.3792, 1),
    ("EG", "818", "Egypt", "Cairo", 30.0444, 31.2357, 1),
    ("JP", "392", "Japan", "Tokyo", 35.6762, 139.6503, 2),
    ("AU", "036", "Australia", "Sydney", -33.8688, 151.2093, 1),
    ("CA", "124", "Canada", "Toronto", 43.6532, -79.3832, 1),
    ("TH", "764", "Thailand", "Bangkok", 13.7563, 100.5018, 1),
    ("PK", "586", "Pakistan", "Karachi", 24.8607, 67.0011, 1),
    ("CO", "170", "Colombia", "Bogotá", 4.711, -74.0721, 1),
    ("FJ", "242", "Fiji", "Suva", -18.1416, 178.4419, 1),
];

const NAMES: &[&str] = &[
    "root",
    "admin",
    "user",
    "test",
    "ubuntu",
    "oracle",
    "postgres",
    "git",
    "pi",
    "ftpuser",
    "guest",
    "support",
    "deploy",
    "debian",
    "centos",
    "ec2-user",
    "mysql",
    "hadoop",
    "www",
    "jenkins",
    "docker",
    "steam",
    "minecraft",
    "ansible",
    "nagios",
    "tomcat",
    "elastic",
    "dev",
    "sa",
    "administrator",
];

/// `n` synthetic addresses over `days` days, shaped like a busy SSH server's log.
fn synthetic(n: usize, days: i64, seed: u64) -> Vec<Addr> {
    let mut rng = Rng(seed | 1);
    let total: u64 = PLACES.iter().map(|p| p.6).sum();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let ip = format!(
            "{}.{}.{}.{}",
            1 + rng.below(222),
            rng.below(256),
            rng.below(256),
            1 + rng.below(254)
        );
        if !seen.insert(ip.clone()) {
            continue;
        }
        let mut pick = rng.below(total);
        let place = PLACES.iter().find(|p| {
            if pick < p.6 {
                true
            } else {
                pick -= p.6;
                false
            }
        });
        let place = place.unwrap_or(&PLACES[0]);
        let roll = rng.unit();
        let (at, accuracy, city) = if roll < 0.01 {
            (None, None, None)
        } else if roll < 0.12 {
            (
                Some((place.4.round(), place.5.round())),
                Some("country"),
                None,
            )
        } else {
            let jitter = |r: &mut Rng| (r.unit() - 0.5) * 3.0;
            let lon = (place.5 + jitter(&mut rng)).clamp(-179.99, 179.99);
            (
                Some((place.4 + jitter(&mut rng), lon)),
                Some("city"),
                Some(place.3),
            )
        };
        let events = (rng.unit().powi(3) * 7.5).exp() as u64 + 1;
        let success = u64::from(rng.below(400) == 0);
        // A scanner-only address; `- success` keeps the rare scanner with a login from
        // underflowing `failures` (a panic in debug, 2^64 failures in the release bench).
        let scan = if rng.below(6) == 0 {
            events - success
        } else {
            events / 10
        };
        let failures = events - scan - success;
        let mut k = kinds(&[
            ("auth_failure", failures * 2 / 3),
            ("invalid_user", failures - failures * 2 / 3),
        ]);
        k.insert("scan", scan);
        if success > 0 {
            k.insert("auth_success", success);
        }
        k.retain(|_, v| *v > 0);
        let tried = (1 + (rng.unit().powi(2) * 12.0) as usize).min(failures.max(1) as usize);
        let mut us = Vec::new();
        for j in 0..tried {
            let name = if rng.below(3) == 0 {
                format!(
                    "{}{}",
                    NAMES[rng.below(NAMES.len() as u64) as usize],
                    rng.below(3000)
                )
            } else {
                NAMES[(rng.unit().powi(2) * NAMES.len() as f64) as usize].to_string()
            };
            if !us.iter().any(|(u, _)| *u == name) {
                us.push((name, (failures / tried as u64).max(1) + u64::from(j == 0)));
            }
        }
        let start = T0 + rng.below((days * 24) as u64) as i64 * 3600;
        let spread = 1 + rng.below(3) as i64;
        let hours: Vec<(i64, u64)> = (0..spread)
            .map(|j| {
                (
                    (start + j * 3600 * (1 + rng.below(20) as i64)).min(T0 + days * 86_400 - 3600),
                    events / spread as u64 + u64::from(j == 0) * (events % spread as u64),
                )
            })
            .collect();
        let asn = 64_512 + rng.below(400);
        out.push(Addr {
            ip,
            country: Some((place.0, place.1, place.2)),
            city,
            at,
            accuracy,
            asn: Some((asn, format!("Example Network {}", asn - 64_511))),
            kinds: k,
            users: us,
            hours,
        });
    }
    out
}

fn sources() -> Value {
    json!([{"path": "/var/log/auth.log", "lines": 1659, "bytes": 175_302, "format": "sshd"}])
}

// ------------------------------------------------------------------------------- tests

#[test]
fn page_loads_offline_draws_markers_and_popups() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let addrs = small();
    let located = addrs.iter().filter(|a| a.at.is_some()).count() as u64;
    let page = render(&document(&addrs, sources()), dir.path(), "small.html");
    let report = drive(
        &page,
        &json!([
            {"do": "observe"},
            {"do": "clickMarker", "ip": "203.0.113.10"},
            {"do": "clickMarker", "ip": "192.0.2.30"},
            {"do": "clickRow", "list": "top-countries", "index": 0},
            {"do": "clearFilter"},
            {"do": "range", "from": 0, "to": 23},
            {"do": "range", "from": 0, "to": 47},
            {"do": "layer", "name": "Heat map"},
            {"do": "layer", "name": "Countries (choropleth)"},
            {"do": "layer", "name": "Offline map, light"},
        ]),
    );
    assert_clean(&report);
    let steps = report["steps"].as_array().expect("steps");

    let first = &steps[0];
    assert_eq!(
        count(&first["markers"]),
        located,
        "one marker per located address"
    );
    assert_eq!(count(&first["halos"]), 1, "the one success is haloed");
    assert_eq!(count(&first["clusters"]), 0, "few points: no clustering");
    assert_eq!(first["totals"]["ips"], "7");
    assert_eq!(first["totals"]["successes"], "1");
    let panel = first["panelText"].as_str().expect("panel text");
    for needle in [
        "IP Geolocation by DB-IP",
        "/var/log/auth.log",
        "China",
        "AS64502",
        "root",
        "198.51.100.20",
        "no known location",
    ] {
        assert!(panel.contains(needle), "panel lacks {needle:?}:\n{panel}");
    }

    let popup = steps[1]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no popup: {}", steps[1]));
    for needle in [
        "203.0.113.10",
        "Amsterdam, Netherlands",
        "AS64501 Example Hosting B.V.",
        "root",
        "×25",
        "admin",
        "auth failure",
        "first 2026-11-29 01:00 UTC",
        "failed logins",
    ] {
        assert!(popup.contains(needle), "popup lacks {needle:?}:\n{popup}");
    }
    let links: Vec<&str> = steps[1]["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        links,
        [
            "https://www.shodan.io/host/203.0.113.10",
            "https://www.abuseipdb.com/check/203.0.113.10",
            "https://ipinfo.io/203.0.113.10",
            "https://www.whois.com/whois/203.0.113.10",
        ]
    );
    let success = steps[2]["text"].as_str().expect("popup");
    assert!(
        success.contains("192.0.2.30")
            && success.contains("login succeeded")
            && success.contains("deploy"),
        "{success}"
    );

    // The top country by attempts is China: one address drawn, the filter is shown.
    assert!(
        steps[3]["row"]
            .as_str()
            .is_some_and(|r| r.contains("China")),
        "{}",
        steps[3]["row"]
    );
    assert_eq!(count(&steps[3]["markers"]), 1);
    assert!(
        steps[3]["filter"]
            .as_str()
            .is_some_and(|f| f.contains("China"))
    );
    assert_eq!(count(&steps[4]["markers"]), located);
    assert_eq!(steps[4]["filter"], Value::Null);

    // First day only: Amsterdam, China (both days), Anadyr; not Ashburn, Frankfurt, Suva.
    assert_eq!(count(&steps[5]["markers"]), 3, "{}", steps[5]["rangeLabel"]);
    assert_eq!(count(&steps[6]["markers"]), located);

    assert_eq!(steps[7]["heat"], true);
    assert_eq!(steps[8]["choropleth"], true);
    assert!(
        steps[9]["theme"]
            .as_str()
            .is_some_and(|t| t.contains("theme-light"))
    );
}

#[test]
fn hostile_log_renders_as_text_and_runs_nothing() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let page = render(
        &document(
            &hostile(),
            json!([{"path": "</script><script>window.__pwned=9</script>", "lines": 1}]),
        ),
        dir.path(),
        "hostile.html",
    );
    let html = fs::read_to_string(&page).expect("read page");
    assert!(
        !html.contains("window.__pwned=2</script>"),
        "payload written raw into the page"
    );

    let report = drive(
        &page,
        &json!([
            {"do": "clickMarker", "ip": "203.0.113.10"},
            {"do": "clickRow", "list": "top-users", "index": 1},
            {"do": "observe"},
        ]),
    );
    assert_clean(&report);
    let popup = report["steps"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no popup: {}", report["steps"][0]));
    for payload in HOSTILE.iter().take(5) {
        assert!(
            popup.contains(payload),
            "popup does not show {payload:?} as text:\n{popup}"
        );
    }
    assert!(
        popup.contains("<b onmouseover=\"window.__pwned=7\">Amsterdam</b>"),
        "{popup}"
    );
    assert!(
        popup.contains("</script><img src=x onerror=window.__pwned=8>"),
        "{popup}"
    );
    let popup_html = report["steps"][0]["html"].as_str().expect("html");
    assert!(
        popup_html.contains("&lt;img src=x"),
        "escaped in the DOM: {popup_html}"
    );
    let panel = report["steps"][2]["panelText"].as_str().expect("panel");
    assert!(
        panel.contains("</script><script>window.__pwned=9</script>"),
        "source path as text:\n{panel}"
    );
    assert!(
        report["steps"][1]["filter"]
            .as_str()
            .is_some_and(|f| f.contains("User name: "))
    );
}

#[test]
fn many_addresses_are_clustered_and_all_accounted_for() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let addrs = synthetic(3000, 7, 42);
    let located = addrs.iter().filter(|a| a.at.is_some()).count() as u64;
    let successes = addrs
        .iter()
        .filter(|a| a.successes() > 0 && a.at.is_some())
        .count();
    let page = render(&document(&addrs, sources()), dir.path(), "many.html");
    let report = drive(
        &page,
        &json!([{"do": "observe"}, {"do": "layer", "name": "Clusters"}, {"do": "layer", "name": "Markers"}]),
    );
    assert_clean(&report);
    let obs = &report["steps"][0];
    assert!(
        count(&obs["clusters"]) > 0,
        "clusters by default above a few hundred points"
    );
    // Every located address is in exactly one cluster or drawn alone.
    let in_clusters: u64 = obs["clusterCounts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            c.as_str()
                .and_then(|s| s.parse::<u64>().ok())
                .expect("numeric label below 10k")
        })
        .sum();
    assert_eq!(in_clusters + count(&obs["markers"]), located, "{obs}");
    if successes > 0 {
        assert!(
            count(&obs["successClusters"]) > 0,
            "a cluster holding a success is marked"
        );
    }
    // Each cluster is coloured by the share of its addresses with failed logins (grey none,
    // red all, tenths between), with a green ring when one of them logged in.
    let by_ip: std::collections::HashMap<&str, &Addr> =
        addrs.iter().map(|a| (a.ip.as_str(), a)).collect();
    let clusters = obs["clusterInfo"].as_array().expect("cluster info");
    assert_eq!(clusters.len() as u64, count(&obs["clusters"]));
    let mut steps_seen = std::collections::BTreeSet::new();
    for c in clusters {
        let ips = strings(&c["ips"]);
        assert_eq!(ips.len().to_string(), text(&c["label"], "label"), "{c}");
        let failing = ips.iter().filter(|ip| by_ip[*ip].failures() > 0).count();
        let success = ips.iter().any(|ip| by_ip[*ip].successes() > 0);
        let step = cluster_step(failing, ips.len());
        steps_seen.insert(step);
        let class = text(&c["className"], "class");
        assert!(
            class.split_whitespace().any(|k| k == format!("f{step}")),
            "{failing} of {} failed: want f{step}, got {class}",
            ips.len()
        );
        assert_eq!(class.contains("has-success"), success, "{c}");
        let [r, g, b] = share_colour(step);
        let bg = css_rgba(text(&c["background"], "background"));
        assert_eq!((bg[0], bg[1], bg[2]), (r, g, b), "{c}");
        let border = css_rgba(text(&c["border"], "border"));
        if success {
            assert!(border[1] > 180 && border[0] < 100, "green ring: {c}");
        } else {
            assert_eq!((border[0], border[1], border[2]), (r, g, b), "{c}");
        }
        assert!(
            text(&c["title"], "title").contains(&format!("{failing} with failed logins")),
            "{c}"
        );
    }
    assert!(
        steps_seen.len() >= 2,
        "the fixture gives clusters of different shares: {steps_seen:?}"
    );
    assert!(
        text(&obs["legend"], "legend").contains("share of addresses with failed logins"),
        "{}",
        obs["legend"]
    );
    // Clusters off, markers on: every located address drawn as a marker.
    assert_eq!(count(&report["steps"][1]["clusters"]), 0);
    assert_eq!(count(&report["steps"][2]["markers"]), located);
}

/// The colour step of a cluster whose `failing` of `total` addresses had failed logins: 0
/// only for none, 10 only for all, tenths between (as `shareStep` in map.js).
fn cluster_step(failing: usize, total: usize) -> usize {
    if failing == 0 {
        0
    } else if failing == total {
        10
    } else {
        ((10.0 * failing as f64 / total as f64).round() as usize).clamp(1, 9)
    }
}

/// The colour of a step: from grey (139, 148, 158) to red (229, 72, 77).
fn share_colour(step: usize) -> [u64; 3] {
    let t = step as f64 / 10.0;
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u64;
    [mix(139.0, 229.0), mix(148.0, 72.0), mix(158.0, 77.0)]
}

/// `rgb(1, 2, 3)` or `rgba(1, 2, 3, 0.3)` as numbers (alpha × 1000).
fn css_rgba(css: &str) -> [u64; 4] {
    let inner = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let v: Vec<f64> = inner
        .split(',')
        .map(|x| x.trim().parse().unwrap_or_else(|_| panic!("colour {css}")))
        .collect();
    [
        v[0] as u64,
        v[1] as u64,
        v[2] as u64,
        (v.get(3).copied().unwrap_or(1.0) * 1000.0).round() as u64,
    ]
}

// ------------------------------------------------------------------- the real binary

/// Runs the `logmap` binary this test suite was built with; fails the test when it fails.
fn logmap<I, S>(args: I) -> std::process::Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_logmap"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run logmap");
    assert!(
        out.status.success(),
        "logmap failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A map of some addresses (`--country CN`): the windows show how many of them were active,
/// not the events of every address (which is all the report has per window).
#[test]
fn a_selected_map_shows_no_whole_log_window_counts() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log = root().join("demo/auth.log");
    let page = map_page_with(&log, dir.path(), "cn.html", &["--country", "CN"]);
    let whole = map_page(&log, dir.path(), "all.html");
    for (page, selected) in [(page, true), (whole, false)] {
        let report = drive(&page, &json!([{"do": "observe"}]));
        assert_clean(&report);
        let panel = text(&report["steps"][0]["panelText"], "panel");
        // "last 7d" then addresses, countries, events, failed logins
        let week: Vec<&str> = panel
            .lines()
            .find(|l| l.contains("last 7d"))
            .unwrap_or_else(|| panic!("no 7d window in:\n{panel}"))
            .split_whitespace()
            .collect();
        if selected {
            assert_eq!(week, ["last", "7d", "2", "1", "–", "–"], "{panel}");
        } else {
            assert_eq!(week, ["last", "7d", "17", "11", "940", "302"], "{panel}");
        }
    }
}

/// `logmap map LOG -o DIR/NAME`, and the page's path.
fn map_page(log: &Path, dir: &Path, name: &str) -> PathBuf {
    map_page_with(log, dir, name, &[])
}

/// `logmap map LOG ARGS… -o DIR/NAME`, and the page's path.
fn map_page_with(log: &Path, dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let page = dir.join(name);
    let mut all: Vec<&std::ffi::OsStr> = vec!["-q".as_ref(), "map".as_ref(), log.as_os_str()];
    all.extend(args.iter().map(std::ffi::OsStr::new));
    all.extend(["-o".as_ref(), page.as_os_str()]);
    logmap(all);
    page
}

/// `logmap export LOG --format json`, parsed.
fn export_json(log: &Path) -> Value {
    let out = logmap([
        "export".as_ref(),
        log.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    serde_json::from_slice(&out.stdout).expect("export is JSON")
}

/// A count as the page prints it (en-US grouping).
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn text<'a>(v: &'a Value, what: &str) -> &'a str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not text: {v}"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// A pixel `[r, g, b, a]` reported by the driver's `pixel` step.
fn rgba(step: &Value) -> [u64; 4] {
    let v: Vec<u64> = step["rgba"]
        .as_array()
        .unwrap_or_else(|| panic!("no pixel: {step}"))
        .iter()
        .map(count)
        .collect();
    [v[0], v[1], v[2], v[3]]
}

/// The pixels of a `pixel` step with `"around"`: the centre, then the four around it; each
/// must come from the markers' canvas (not a halo or the basemap showing through).
fn marker_pixels(step: &Value) -> Vec<[u64; 4]> {
    let ring = step["ring"]
        .as_array()
        .unwrap_or_else(|| panic!("no pixels around the centre: {step}"));
    assert_eq!(ring.len(), 4, "{step}");
    std::iter::once(step)
        .chain(ring)
        .map(|p| {
            assert_eq!(
                p["pane"], "leaflet-pane leaflet-overlay-pane",
                "not painted by a marker: {step}"
            );
            rgba(p)
        })
        .collect()
}

#[test]
fn real_map_of_the_demo_log() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log = root().join("demo/auth.log");
    let export = export_json(&log);
    let ips = export["ips"].as_array().expect("ips");
    let at = |r: &Value| (r["lat"].as_f64(), r["lon"].as_f64());
    let placed: Vec<&Value> = ips.iter().filter(|r| r["lat"].is_number()).collect();
    assert!(
        placed.len() >= 5,
        "the demo log places a handful of addresses"
    );
    let alone = |r: &Value| placed.iter().filter(|o| at(o) == at(r)).count() == 1;
    // The address with the most failures, its most tried user name, and the successes.
    let top = placed
        .iter()
        .max_by_key(|r| (count(&r["failures"]), r["ip"].as_str().map(str::to_owned)))
        .expect("an address");
    let top_ip = text(&top["ip"], "ip");
    let top_user = top["users"]
        .as_object()
        .expect("users")
        .iter()
        .max_by_key(|(name, n)| (count(n), std::cmp::Reverse(name.to_string())))
        .map(|(name, _)| name.clone())
        .expect("the top address tried a user name");
    let successes: Vec<&str> = placed
        .iter()
        .filter(|r| count(&r["successes"]) > 0)
        .map(|r| text(&r["ip"], "ip"))
        .collect();
    assert!(!successes.is_empty(), "the demo log has a successful login");
    let failed_alone = placed
        .iter()
        .find(|r| count(&r["failures"]) > 0 && count(&r["successes"]) == 0 && alone(r))
        .map(|r| text(&r["ip"], "ip"))
        .expect("a failing address with a point of its own");

    let page = map_page(&log, dir.path(), "demo.html");
    // Addresses sit at their cities: the top two of the demo log are both in Nanjing, a few
    // kilometres apart, so the click is made zoomed in on the top one (then zoomed back out).
    let (top_lat, top_lon) = (top["lat"].as_f64().unwrap(), top["lon"].as_f64().unwrap());
    let mut steps = vec![
        json!({"do": "observe"}),
        json!({"do": "clickMarker", "ip": top_ip, "lat": top_lat, "lon": top_lon, "zoom": 11}),
        json!({"do": "popupPick", "ip": top_ip}),
        json!({"do": "pixel", "ip": failed_alone, "around": 2}),
    ];
    // Each read waits until the map stands still: clicking a marker opens a popup that pans
    // the map, and a point computed mid-pan misses the marker (see `settle` in e2e.mjs).
    steps.extend(successes.iter().flat_map(|ip| {
        [
            json!({"do": "pixel", "ip": ip, "around": 2}),
            json!({"do": "clickMarker", "ip": ip}),
            json!({"do": "popupPick", "ip": ip}),
        ]
    }));
    // Across the antimeridian: land on both sides (Chukotka, and Alaska shifted by 360°,
    // where the view may pan), sea in the North Pacific.
    steps.extend([
        json!({"do": "zoom", "lat": 60.0, "lon": 190.0, "zoom": 3.5}),
        json!({"do": "pixel", "lat": 66.0, "lon": 175.0}),
        json!({"do": "pixel", "lat": 64.84, "lon": 360.0 - 147.72}),
        json!({"do": "pixel", "lat": 45.0, "lon": 200.0}),
        // Zoomed in past the heat map's intensity zoom, its checkbox still works both ways.
        json!({"do": "zoom", "lat": 35.0, "lon": 105.0, "zoom": 6}),
        json!({"do": "layer", "name": "Heat map"}),
        json!({"do": "layer", "name": "Heat map"}),
    ]);
    let report = drive(&page, &json!(steps));
    assert_clean(&report);
    let steps = report["steps"].as_array().expect("steps");

    let obs = &steps[0];
    assert_eq!(
        count(&obs["markers"]),
        placed.len() as u64,
        "one marker per placed address"
    );
    assert_eq!(
        count(&obs["halos"]),
        successes.len() as u64,
        "every success has a halo"
    );
    assert_eq!(
        count(&obs["clusters"]),
        0,
        "a few addresses: markers, not clusters"
    );
    let summary = &export["summary"];
    assert_eq!(obs["totals"]["ips"], grouped(count(&summary["unique_ips"])));
    assert_eq!(
        obs["totals"]["countries"],
        grouped(count(&summary["countries"]))
    );
    assert_eq!(obs["totals"]["events"], grouped(count(&summary["events"])));
    assert_eq!(
        obs["totals"]["failures"],
        grouped(count(&summary["failures"]))
    );
    assert_eq!(
        obs["totals"]["successes"],
        grouped(count(&summary["successes"]))
    );
    let panel = text(&obs["panelText"], "panel");
    assert!(panel.contains("IP Geolocation by DB-IP"), "{panel}");
    assert!(panel.contains("auth.log"), "{panel}");

    // Clicking where the top address is drawn opens its popup, or the popup of the address
    // drawn on top of it, which lists it; either way one click more reaches it.
    let first = &steps[1];
    assert!(
        first["ip"] == top_ip || strings(&first["samePlace"]).contains(&top_ip),
        "the click reached neither {top_ip} nor a popup listing it: {first}"
    );
    let popup = &steps[2];
    assert_eq!(popup["ip"], top_ip, "{popup}");
    let popup_text = text(&popup["text"], "popup");
    for needle in [
        top_ip,
        text(&top["country_name"], "country"),
        text(&top["as_org"], "AS org"),
        &format!("AS{}", count(&top["asn"])),
        &grouped(count(&top["failures"])),
    ] {
        assert!(
            popup_text.contains(needle),
            "popup lacks {needle:?}:\n{popup_text}"
        );
    }
    assert!(
        strings(&popup["users"]).contains(&top_user.as_str()),
        "{popup}"
    );
    assert!(
        strings(&popup["links"]).iter().any(|l| l.ends_with(top_ip)),
        "{popup}"
    );

    // Red for failures, green for the successful logins: the centre of the marker and the
    // pixels 2 px around it (inside the smallest marker's fill).
    for [r, g, _, _] in marker_pixels(&steps[3]) {
        assert!(
            r > 200 && g < 110,
            "failed address {failed_alone} not red: {}",
            steps[3]
        );
    }
    for (k, ip) in successes.iter().enumerate() {
        for [r, g, b, a] in marker_pixels(&steps[4 + 3 * k]) {
            assert!(
                g > 180 && r < 100 && b < 160 && a == 255,
                "successful login {ip} not drawn green: {}",
                steps[4 + 3 * k]
            );
        }
        let popup = &steps[6 + 3 * k];
        assert_eq!(popup["ip"], *ip, "{popup}");
        assert!(
            text(&popup["text"], "popup").contains("login succeeded"),
            "{popup}"
        );
    }

    let n = steps.len();
    let (chukotka, alaska, sea) = (&steps[n - 6], &steps[n - 5], &steps[n - 4]);
    assert_eq!(rgba(chukotka)[3], 255, "Chukotka is land: {chukotka}");
    assert_eq!(
        chukotka["rgba"], alaska["rgba"],
        "Alaska east of 180° is drawn as land: {alaska}"
    );
    assert_eq!(sea["error"], "nothing painted there", "{sea}");
    assert_eq!(
        steps[n - 2]["heat"],
        true,
        "heat map on at zoom 6: {}",
        steps[n - 2]["zoom"]
    );
    assert_eq!(steps[n - 1]["heat"], false, "heat map off again");
}

/// User names that would run if the page put them into HTML or script; each sets
/// `window.__pwned` (a trap in the driver records any write).
const HOSTILE_USERS: &[&str] = &[
    "<img src=x onerror=window.__pwned=1>",
    "</script><script>window.__pwned=2</script>",
    "\"><svg onload=window.__pwned=3>",
    "<!--",
    "\u{2028}",
    "x\u{2029}y",
    "javascript:window.__pwned=5",
];

#[test]
fn firewall_map_counts_blocked_packets_not_logins() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("ufw.log");
    let mut lines = String::new();
    for (i, (src, verdict, port)) in [
        ("109.205.213.90", "BLOCK", 22),
        ("109.205.213.90", "BLOCK", 23),
        ("31.220.1.38", "BLOCK", 80),
        ("185.81.68.119", "BLOCK", 3389),
        ("80.66.83.121", "ALLOW", 443),
    ]
    .iter()
    .enumerate()
    {
        lines.push_str(&format!(
            "Aug 20 00:0{i}:05 fw kernel: [3217909.8] [UFW {verdict}] IN=eth0 OUT= MAC=52:54:00:7c:d8:0f SRC={src} DST=194.58.102.129 LEN=40 TTL=240 ID=1 PROTO=TCP SPT=51638 DPT={port} WINDOW=1024 RES=0x00 SYN URGP=0 \n"
        ));
    }
    fs::write(&log, lines).expect("write log");
    let export = export_json(&log);
    assert_eq!(export["summary"]["kinds"]["blocked"], 4, "{export}");
    let page = map_page(&log, dir.path(), "ufw.html");
    let report = drive(&page, &json!([{"do": "observe"}]));
    assert_clean(&report);
    let obs = &report["steps"][0];
    assert_eq!(obs["totals"]["blocked"], "4");
    assert_eq!(obs["totals"]["events"], "5");
    let panel = text(&obs["panelText"], "panel");
    assert!(panel.contains("blocked"), "{panel}");
    for ssh in ["failed logins", "successful logins", "Top user names"] {
        assert!(
            !panel.to_lowercase().contains(&ssh.to_lowercase()),
            "{ssh} shown for a firewall log:\n{panel}"
        );
    }
}

#[test]
fn hostile_log_through_the_binary_stays_text() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    // Public addresses (documentation ranges are left off the map), real sshd lines; the
    // file name is hostile too, as it is shown in the panel.
    let addrs = ["81.2.69.142", "5.36.59.76"];
    let mut log = String::new();
    let mut n = 0;
    for ip in addrs {
        for user in HOSTILE_USERS {
            n += 1;
            log.push_str(&format!(
                "Nov 30 11:{:02}:01 host sshd[{}]: Failed password for invalid user {user} from {ip} port {} ssh2\n",
                10 + n,
                1000 + n,
                40_000 + n
            ));
        }
    }
    let name = "<svg onload=window.__pwned=9>.log";
    let path = dir.path().join(name);
    fs::write(&path, log).expect("write log");

    let export = export_json(&path);
    let placed = export["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .filter(|r| r["lat"].is_number())
        .count();
    assert_eq!(placed, addrs.len(), "both addresses are placed: {export}");

    let page = map_page(&path, dir.path(), "hostile.html");
    let html = fs::read_to_string(&page).expect("read page");
    for raw in [
        "</script><script>window.__pwned=2",
        "<img src=x onerror",
        "<!--",
        "<svg onload",
    ] {
        assert!(!html.contains(raw), "{raw:?} written raw into the page");
    }
    let report = drive(
        &page,
        &json!([
            {"do": "observe"},
            {"do": "clickMarker", "ip": addrs[0]},
            {"do": "clickMarker", "ip": addrs[1]},
            {"do": "clickRow", "list": "top-users", "index": 0},
        ]),
    );
    assert_clean(&report);
    let template = fs::read_to_string(root().join("web/src/template.html")).expect("template");
    assert_eq!(
        count(&report["scripts"]),
        template.matches("<script").count() as u64,
        "script elements besides the page's own"
    );
    let steps = report["steps"].as_array().expect("steps");
    let obs = &steps[0];
    assert_eq!(count(&obs["markers"]), addrs.len() as u64);
    let mut want: Vec<&str> = HOSTILE_USERS.to_vec();
    want.sort_unstable();
    let mut top_users = strings(&obs["topUsers"]);
    top_users.sort_unstable();
    assert_eq!(top_users, want, "top user names, as text");
    assert!(
        strings(&obs["sources"]).iter().any(|s| s.contains(name)),
        "the file name as text: {}",
        obs["sources"]
    );
    for (k, ip) in addrs.iter().enumerate() {
        let popup = &steps[1 + k];
        assert_eq!(popup["ip"], *ip, "{popup}");
        let mut users = strings(&popup["users"]);
        users.sort_unstable();
        assert_eq!(users, want, "user names in the popup of {ip}, as text");
        let popup_html = text(&popup["html"], "popup HTML");
        assert!(popup_html.contains("&lt;img src=x onerror"), "{popup_html}");
        assert!(
            popup_html.contains("&lt;/script&gt;&lt;script&gt;"),
            "{popup_html}"
        );
    }
    assert!(
        text(&steps[3]["filter"], "filter").starts_with("User name: "),
        "{}",
        steps[3]
    );
    assert_eq!(
        count(&steps[3]["markers"]),
        addrs.len() as u64,
        "{}",
        steps[3]
    );
}

/// Writes the screenshots in `docs/` from real logs, rendered by the real binary (run by hand:
/// `cargo test --test browser -- --ignored --exact screenshots`).
///
/// `demo/auth.log` is always used; the larger samples are read from `$LOGMAP_SAMPLES`
/// (default `/work/shared/samples`) when they are there — `openssh/OpenSSH_2k.log`,
/// `web/apache_logs`, `ufw/ufw.log` — and each shot falls back to what is present.
/// An SSH log whose attackers are all in one country (Germany), in at least eight different
/// cities according to the embedded data; the addresses are picked from German ISPs' ranges
/// with the embedded tables themselves, so the log follows the data's updates.
fn one_country_log(dir: &Path) -> (PathBuf, usize) {
    use logmap::enrich::Embedded;
    let e = Embedded;
    let mut cities = std::collections::BTreeSet::new();
    let mut lines = String::new();
    let blocks: [(u8, std::ops::RangeInclusive<u8>); 4] = [
        (80, 128..=159),
        (87, 128..=191),
        (91, 0..=63),
        (79, 192..=255),
    ];
    'pick: for (a, bs) in blocks {
        for b in bs.step_by(3) {
            let ip = std::net::IpAddr::from([a, b, 7, 9]);
            let Some(p) = e.city(ip) else { continue };
            if p.country != "DE" || e.country_code(ip) != Some("DE") {
                continue;
            }
            if p.city.is_some_and(|c| cities.insert(c.to_string())) {
                for n in 0..3 {
                    lines.push_str(&format!(
                        "Nov 23 06:3{n}:41 vps sshd[4{n}00]: Failed password for root from {ip} port 3616{n} ssh2\n"
                    ));
                }
            }
            if cities.len() == 12 {
                break 'pick;
            }
        }
    }
    assert!(cities.len() >= 8, "German cities found: {cities:?}");
    let log = dir.join("one-country-auth.log");
    fs::write(&log, lines).expect("write log");
    (log, cities.len())
}

#[test]
fn one_country_log_opens_on_that_country_with_city_markers() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, n) = one_country_log(dir.path());
    let export = export_json(&log);
    let ips = export["ips"].as_array().expect("ips");
    assert_eq!(ips.len(), n);
    // zero configuration: every address at its city
    assert!(
        ips.iter()
            .all(|r| r["accuracy"] == "city" && r["country"] == "DE")
    );
    let page = map_page(&log, dir.path(), "one-country.html");
    let first_ip = ips[0]["ip"].as_str().expect("ip");
    let report = drive(
        &page,
        &json!([{"do": "observe"}, {"do": "clickMarker", "ip": first_ip}]),
    );
    assert_clean(&report);
    let first = &report["steps"][0];
    assert_eq!(count(&first["markers"]), n as u64);
    let b: Vec<f64> = first["bounds"]
        .as_array()
        .expect("bounds")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect();
    let (south, west, north, east) = (b[0], b[1], b[2], b[3]);
    let inside =
        |lat: f64, lon: f64| (south..=north).contains(&lat) && (west..=east).contains(&lon);
    for r in ips {
        let (lat, lon) = (r["lat"].as_f64().unwrap(), r["lon"].as_f64().unwrap());
        assert!(inside(lat, lon), "{lat},{lon} outside the first view {b:?}");
    }
    // the whole of Germany (5.9–15.0° E, 47.3–55.1° N), and not much more than Europe
    for (lat, lon) in [(47.4, 6.0), (47.4, 14.9), (55.0, 6.0), (55.0, 14.9)] {
        assert!(
            inside(lat, lon),
            "{lat},{lon} (Germany) outside the first view {b:?}"
        );
    }
    assert!(
        east - west < 45.0 && north - south < 30.0,
        "not zoomed in: {b:?}"
    );
    let popup = report["steps"][1]["text"].as_str().expect("popup");
    assert!(popup.contains("Germany"), "{popup}");
    assert!(
        popup.contains("Position: city"),
        "the popup says the precision: {popup}"
    );
}

#[test]
#[ignore = "writes docs/*.png; run by hand"]
fn screenshots() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let samples = std::env::var_os("LOGMAP_SAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/samples"));
    // name → (page, placed addresses, export)
    let mut pages: BTreeMap<&str, (PathBuf, usize, Value)> = BTreeMap::new();
    let logs = [
        ("demo", root().join("demo/auth.log")),
        ("openssh", samples.join("openssh/OpenSSH_2k.log")),
        ("apache", samples.join("web/apache_logs")),
        ("ufw", samples.join("ufw/ufw.log")),
    ];
    for (name, log) in logs {
        if !log.is_file() {
            eprintln!("screenshots: {} is not here; skipped", log.display());
            continue;
        }
        let export = export_json(&log);
        let placed = export["ips"]
            .as_array()
            .expect("ips")
            .iter()
            .filter(|r| r["lat"].is_number())
            .count();
        let page = map_page(&log, dir.path(), &format!("{name}.html"));
        eprintln!("screenshots: {name}: {placed} placed addresses");
        pages.insert(name, (page, placed, export));
    }
    let pick = |prefer: &[&'static str]| -> &'static str {
        prefer
            .iter()
            .copied()
            .find(|n| pages.contains_key(n))
            .unwrap_or("demo")
    };
    // The page starts with clusters above 300 placed addresses, markers below.
    let switch_to = |name: &str, layer: &'static str| -> Vec<&'static str> {
        let default = if pages[name].1 > 300 {
            "Clusters"
        } else {
            "Markers"
        };
        if default == layer {
            vec![]
        } else {
            vec![default, layer]
        }
    };
    let overlay = |name: &str, layer: &'static str| -> Vec<&'static str> {
        let default = if pages[name].1 > 300 {
            "Clusters"
        } else {
            "Markers"
        };
        vec![default, layer]
    };
    // The popup: the successful login with the most events in the demo log.
    let demo = &pages["demo"].2;
    let success = demo["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .filter(|r| count(&r["successes"]) > 0 && r["lat"].is_number())
        .max_by_key(|r| count(&r["events"]))
        .and_then(|r| r["ip"].as_str())
        .expect("the demo log has a successful login");

    let mut shots = Vec::new();
    let mut shot = |file: &str,
                    page: &str,
                    scheme: &str,
                    layers: Vec<&str>,
                    view: Value,
                    popup: Option<&str>| {
        shots.push(json!({
            "file": file, "page": pages[page].0, "scheme": scheme, "layers": layers,
            "view": view, "popup": popup,
            "note": format!("{page}: {} placed addresses", pages[page].1),
        }));
    };
    let clusters = pick(&["apache", "ufw", "openssh"]);
    shot(
        "map-dark-clusters.png",
        clusters,
        "dark",
        switch_to(clusters, "Clusters"),
        Value::Null,
        None,
    );
    let markers = pick(&["openssh"]);
    shot(
        "map-light-markers.png",
        markers,
        "light",
        switch_to(markers, "Markers"),
        Value::Null,
        None,
    );
    let heat = pick(&["apache", "ufw", "openssh"]);
    shot(
        "map-dark-heat.png",
        heat,
        "dark",
        overlay(heat, "Heat map"),
        json!("min"),
        None,
    );
    let choropleth = pick(&["ufw", "apache", "openssh"]);
    shot(
        "map-dark-choropleth.png",
        choropleth,
        "dark",
        overlay(choropleth, "Countries (choropleth)"),
        json!("min"),
        None,
    );
    shot(
        "map-light-popup.png",
        "demo",
        "light",
        vec![],
        json!([50.0, 12.0, 4.0]),
        Some(success),
    );
    let far = pick(&["apache", "ufw", "openssh"]);
    shot(
        "map-light-antimeridian.png",
        far,
        "light",
        [switch_to(far, "Markers"), vec!["Countries (choropleth)"]].concat(),
        // Centred east of the line as far as the view may pan: Chukotka, Alaska, Hawaii.
        json!([50.0, 175.0, 3.5]),
        None,
    );

    // Zero configuration, a real web log: US addresses spread over US cities.
    let us = pick(&["apache", "openssh"]);
    shot(
        "map-light-us-cities.png",
        us,
        "light",
        switch_to(us, "Markers"),
        json!([39.0, -96.0, 4.0]),
        None,
    );
    // A log whose attackers are all in Germany opens on Germany.
    let (one, _) = one_country_log(dir.path());
    let one_page = map_page(&one, dir.path(), "one-country.html");
    shots.push(json!({
        "file": "map-dark-one-country.png", "page": one_page, "scheme": "dark",
        "layers": [], "view": Value::Null, "popup": Value::Null,
        "note": "one-country log: first view",
    }));

    let plan = dir.path().join("plan.json");
    fs::write(
        &plan,
        json!({"out": root().join("docs"), "shots": shots}).to_string(),
    )
    .expect("write plan");
    let status = Command::new("node")
        .arg(root().join("web/test/screenshots.mjs"))
        .arg(&plan)
        .status()
        .expect("run node");
    assert!(status.success());

    // The live dashboard: a real `logmap serve` following a copy of the OpenSSH sample (or the
    // demo log), one new address appended while the page is open.
    let (source, append) = if samples.join("openssh/OpenSSH_2k.log").is_file() {
        (
            samples.join("openssh/OpenSSH_2k.log"),
            "Dec 10 11:05:30 LabSZ sshd[25600]: Failed password for invalid user oracle from 185.220.101.4 port 40001 ssh2\n",
        )
    } else {
        (
            root().join("demo/auth.log"),
            "Nov 26 06:50:00 vps-fra1 sshd[45400]: Failed password for invalid user oracle from 185.220.101.4 port 40001 ssh2\n",
        )
    };
    let live_dir = tempfile::tempdir().expect("temp dir");
    let log = live_dir.path().join("auth.log");
    fs::copy(&source, &log).expect("copy the log");
    let report = drive_live(
        &json!({
            "logmap": env!("CARGO_BIN_EXE_logmap"),
            "db": live_dir.path().join("history.db"),
            "log": log,
            "append": append,
            "newIp": "185.220.101.4",
            "screenshots": {
                "map": root().join("docs/dashboard-map.png"),
                "stats": root().join("docs/dashboard-stats.png"),
            },
        }),
        live_dir.path(),
    );
    assert_eq!(report["pageErrors"], json!([]));
    assert_eq!(
        report["steps"]["appended"]["drawn"],
        json!({"found": true, "ring": true}),
        "{}",
        report["steps"]["appended"]
    );
    eprintln!(
        "screenshots: docs/dashboard-map.png, docs/dashboard-stats.png ({})",
        source.display()
    );
}

/// The 100,000-address bench: file size and time to first render (see `bench/map.sh`).
#[test]
#[ignore = "benchmark; run with bench/map.sh"]
fn bench_map_100k() {
    if !browser_available() {
        return;
    }
    let n: usize = std::env::var("LOGMAP_BENCH_IPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let out_dir = std::env::var("LOGMAP_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("bench/out"));
    fs::create_dir_all(&out_dir).expect("bench/out");
    let doc = document(&synthetic(n, 30, 1), sources());
    let export = serde_json::to_vec(&doc).expect("json").len();
    let started = Instant::now();
    let page = render(&doc, &out_dir, &format!("map-{n}.html"));
    let write_ms = started.elapsed().as_millis();
    let size = fs::metadata(&page).expect("page").len();
    let report = drive(
        &page,
        &json!([
            {"do": "observe"},
            {"do": "zoom", "lat": 35.0, "lon": 110.0, "zoom": 5, "settle": 1000},
            {"do": "zoom", "lat": 20.0, "lon": 0.0, "zoom": 2.5, "settle": 1000},
            {"do": "layer", "name": "Clusters", "settle": 0},
            {"do": "layer", "name": "Markers", "settle": 0},
            {"do": "layer", "name": "Heat map", "settle": 0},
            {"do": "range", "from": 0, "to": 10},
        ]),
    );
    assert_clean(&report);
    let steps = &report["steps"];
    println!(
        "addresses {n}: export JSON {:.1} MB, page {:.1} MB, write_map {write_ms} ms, \
         load to first render in Chromium {} ms, clusters at world view {}; \
         markers layer on ({} markers) {} ms, heat map on {} ms, time filter to 11 of {} slots {} ms",
        export as f64 / 1e6,
        size as f64 / 1e6,
        report["readyMs"],
        steps[0]["clusters"],
        steps[4]["markers"],
        steps[4]["ms"],
        steps[5]["ms"],
        count(&report["slots"]),
        steps[6]["ms"],
    );
    assert!(size <= 25_000_000, "page of {size} bytes is over 25 MB");
}

/// Writes the fixture pages into `$LOGMAP_PAGES_DIR` (default `bench/out`) to open by hand.
#[test]
#[ignore = "writes pages for manual inspection"]
fn fixture_pages() {
    let dir = std::env::var("LOGMAP_PAGES_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("bench/out"));
    fs::create_dir_all(&dir).expect("pages dir");
    render(&document(&small(), sources()), &dir, "small.html");
    render(&document(&hostile(), sources()), &dir, "hostile.html");
    render(
        &document(&synthetic(2500, 7, 7), sources()),
        &dir,
        "demo.html",
    );
    eprintln!("pages written to {}", dir.display());
}

// ------------------------------------------------------------------- the live dashboard

/// Runs `web/test/live.mjs` on `plan` (it starts and stops `logmap serve` itself) and returns
/// its report.
fn drive_live(plan: &Value, dir: &Path) -> Value {
    let file = dir.join("live-plan.json");
    fs::write(&file, plan.to_string()).expect("write plan");
    run_driver("web/test/live.mjs", &[&file])
}

/// sshd lines: failures from `ip` for each user, then (optionally) a successful login.
fn ssh_lines(ip: &str, users: &[&str], success: Option<&str>, minute: &mut u32) -> String {
    let mut out = String::new();
    for user in users {
        *minute += 1;
        out.push_str(&format!(
            "Nov 30 1{}:{:02}:01 host sshd[{}]: Failed password for invalid user {user} from {ip} port {} ssh2\n",
            *minute / 60,
            *minute % 60,
            1000 + *minute,
            40_000 + *minute
        ));
    }
    if let Some(user) = success {
        *minute += 1;
        out.push_str(&format!(
            "Nov 30 1{}:{:02}:01 host sshd[{}]: Accepted password for {user} from {ip} port {} ssh2\n",
            *minute / 60,
            *minute % 60,
            1000 + *minute,
            40_000 + *minute
        ));
    }
    out
}

#[test]
fn live_dashboard_shows_the_map_the_statistics_and_new_addresses() {
    if !browser_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("auth.log");
    let mut minute = 0;
    let mut text = ssh_lines("81.2.69.142", HOSTILE_USERS, None, &mut minute);
    text.push_str(&ssh_lines(
        "5.36.59.76",
        &["root", "admin"],
        Some("deploy"),
        &mut minute,
    ));
    text.push_str(&ssh_lines("1.1.1.1", &["pi"], None, &mut minute));
    fs::write(&log, &text).expect("write log");
    let export = export_json(&log);
    let placed = export["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .filter(|r| r["lat"].is_number())
        .count() as u64;
    assert_eq!(placed, 3, "{export}");
    // The address appended while the page is open, with a hostile user name of its own.
    let new_ip = "8.8.8.8";
    let append = ssh_lines(
        new_ip,
        &["\"><svg onload=window.__pwned=4>"],
        None,
        &mut minute,
    );

    let report = drive_live(
        &json!({
            "logmap": env!("CARGO_BIN_EXE_logmap"),
            "db": dir.path().join("history.db"),
            "log": log,
            "append": append,
            "newIp": new_ip,
            "popupIp": "81.2.69.142",
        }),
        dir.path(),
    );

    // Only the server was asked for anything; nothing ran that the page did not mean to run.
    let origin = format!("http://{}/", text_of(&report["addr"]));
    for r in strings(&report["requests"]) {
        assert!(r.starts_with(&origin), "request left the server: {r}");
    }
    // While the server is stopped, Chromium logs the refused connections; nothing else.
    for e in strings(&report["consoleErrors"]) {
        assert!(e.contains("net::ERR_"), "console error: {e}");
    }
    assert_eq!(report["pageErrors"], json!([]), "page errors");
    assert_eq!(report["cspViolations"], json!([]), "CSP violations");
    assert_eq!(report["dialogs"], json!([]), "dialogs opened");
    assert_eq!(report["pwned"], json!(false), "a payload ran");
    assert_eq!(report["handlerAttributes"], json!([]), "on* attributes");
    assert_eq!(report["foreignElements"], json!(0), "markup from the data");

    let steps = &report["steps"];
    // The map: one marker per placed address, the totals of the history.
    let first = &steps["first"];
    assert_eq!(count(&first["markers"]), placed, "{first}");
    assert_eq!(count(&first["halos"]), 1, "the successful login is haloed");
    assert_eq!(first["totals"]["ips"], "3");
    assert_eq!(first["totals"]["successes"], "1");
    assert!(
        text_of(&first["status"]).starts_with("Live. Last heard from the server"),
        "{}",
        first["status"]
    );
    // The popup shows the hostile user names as text.
    let popup = &steps["popup"];
    let mut users = strings(&popup["users"]);
    users.sort_unstable();
    let mut want = HOSTILE_USERS.to_vec();
    want.sort_unstable();
    assert_eq!(users, want, "{popup}");

    // The statistics page: successful logins first and loud, then the tables; user names as
    // text; a user-name row filters.
    let stats = &steps["stats"];
    assert_eq!(stats["visible"], true);
    assert!(
        text_of(&stats["firstCard"]).starts_with("Successful logins"),
        "{stats}"
    );
    assert_eq!(stats["successLoud"], true);
    let success = stats["success"].as_array().expect("rows");
    assert_eq!(success.len(), 1, "{stats}");
    assert_eq!(success[0][0], "5.36.59.76");
    let table_users: Vec<&str> = stats["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|r| text_of(&r[0]))
        .collect();
    for u in HOSTILE_USERS {
        assert!(
            table_users.contains(u),
            "{u:?} not listed as text: {table_users:?}"
        );
    }
    let stats_html = text_of(&stats["html"]);
    assert!(stats_html.contains("&lt;img src=x onerror"), "escaped");
    assert!(!stats_html.contains("<img src"), "raw markup");
    let ips: Vec<&str> = stats["ips"]
        .as_array()
        .expect("ips")
        .iter()
        .map(|r| text_of(&r[0]))
        .collect();
    assert_eq!(ips.len(), 3, "{ips:?}");
    assert!(count(&stats["outcomeBars"]) > 0 && count(&stats["newBars"]) > 0);
    assert!(
        text_of(&steps["statsFiltered"]["filter"]).starts_with("User name: "),
        "{}",
        steps["statsFiltered"]
    );
    assert_eq!(
        steps["statsFiltered"]["ips"].as_array().map(Vec::len),
        Some(1),
        "the filter drives the tables"
    );

    // The appended address appears without a reload, highlighted, and in the arrivals.
    let appended = &steps["appended"];
    assert_eq!(
        appended["drawn"],
        json!({"found": true, "ring": true}),
        "{appended}"
    );
    assert_eq!(appended["navigations"], 1, "no reload");
    assert_eq!(count(&appended["after"]), count(&appended["before"]) + 1);
    assert_eq!(count(&appended["markers"]), placed + 1);
    assert!(
        text_of(&appended["arrivals"]).contains(new_ip),
        "{appended}"
    );
    assert_eq!(appended["totals"]["ips"], "4");

    // The server stops: the page says so; it comes back: the page reconnects by itself.
    assert_eq!(steps["lost"]["seen"], true, "{}", steps["lost"]);
    assert_eq!(steps["back"]["seen"], true, "{}", steps["back"]);
    assert_eq!(count(&steps["back"]["total"]), 4, "nothing lost or doubled");
}

fn text_of(v: &Value) -> &str {
    text(v, "text")
}
