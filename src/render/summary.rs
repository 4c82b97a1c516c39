//! `logmap summary`: the human view — totals, the last hour/day/week, top lists, and any
//! successful login loud at the top. `--json` writes the report with its lists cut to `--top`.

use std::io::{self, Write};

use super::table::{Align, Style, Table, num};
use super::text::safe;
use crate::aggregate::{History, Report};
use crate::parse::Kind;
use crate::parse::clock::Zone;

/// Write the human summary. The tables fit the log: SSH columns (failed and successful
/// logins, users tried) only where there are SSH events; blocked/allowed and the top
/// destination ports for a firewall log; status classes, top paths and user agents for a web
/// log.
///
/// Times are printed in `zone` (`--tz`, else `TZ`, else the system's: the zone the log's own
/// times are written in), and say so.
pub fn write_text(
    report: &Report,
    top: usize,
    zone: &Zone,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &report.summary;
    let (ssh, firewall, web) = (s.has_ssh(), s.has_firewall(), s.has_web());
    let short_time = |t| short_time(t, zone);
    let last_seen = format!("last seen ({})", zone.name());
    let span = match (s.first_seen, s.last_seen) {
        (Some(a), Some(b)) => format!("{} → {} {}", short_time(a), short_time(b), zone.name()),
        _ => "no timestamps".to_string(),
    };
    let sources = report.sources.len();
    writeln!(
        out,
        "{} {} {}, {} lines, {}",
        style.bold("logmap"),
        num(sources as u64),
        if sources == 1 { "source" } else { "sources" },
        num(s.lines),
        span
    )?;
    writeln!(out)?;

    let mut cols = Columns::default();
    cols.add("addresses", Align::Right, num(s.unique_ips));
    cols.add("countries", Align::Right, num(s.countries));
    cols.add("events", Align::Right, num(s.events));
    if ssh {
        cols.add_painted("failed logins", num(s.failures), s.failures > 0, Paint::Red);
        cols.add_painted(
            "successful logins",
            num(s.successes),
            s.successes > 0,
            Paint::Green,
        );
    }
    if firewall {
        cols.add("blocked", Align::Right, num(s.kind(Kind::Blocked)));
        cols.add("allowed", Align::Right, num(s.kind(Kind::Allowed)));
    }
    if web {
        cols.add("requests", Align::Right, num(s.kind(Kind::Request)));
    }
    cols.add("private (left out)", Align::Right, num(s.private_ips));
    cols.add("unparsed lines", Align::Right, num(s.unparsed));
    cols.write("TOTALS", style, out)?;
    if let Some(h) = &report.history {
        write_history(h, zone, style, out)?;
    }
    if s.filtered_out > 0 {
        writeln!(
            out,
            "  {} log lines outside --since/--until left out",
            num(s.filtered_out)
        )?;
    }
    writeln!(out)?;

    // Under an address selection (`--country` …) the windows' event counts are still those of
    // every address (see `aggregate::select`): only what is the selection's is shown.
    let selected = report.selection.is_some();
    if s.last_seen.is_some() {
        let mut columns = vec![
            ("window", Align::Left),
            ("addresses", Align::Right),
            ("countries", Align::Right),
        ];
        if !selected {
            columns.push(("events", Align::Right));
            if ssh {
                columns.push(("failed logins", Align::Right));
            }
        }
        let title = if selected {
            "LAST HOUR / DAY / WEEK OF THE DATA (the selected addresses active in it)"
        } else {
            "LAST HOUR / DAY / WEEK OF THE DATA"
        };
        let mut w = Table::new(title, &columns);
        for win in &report.windows {
            let mut row = vec![win.label.to_string(), num(win.ips), num(win.countries)];
            if !selected {
                row.push(num(win.events));
                if ssh {
                    row.push(num(win.failures));
                }
            }
            w.row(row);
        }
        out.write_all(w.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    // Every address that got in is listed, whatever `--top` says (up to a screenful: a
    // honeypot "lets in" most of its visitors), each with the names it got in as.
    let winners: Vec<_> = report.ips.iter().filter(|r| r.successes > 0).collect();
    if !winners.is_empty() {
        let shown = winners.len().min(top.max(MIN_WINNERS_SHOWN));
        let title = if shown < winners.len() {
            format!(
                "SUCCESSFUL LOGINS ({shown} of {}; --top {} for all)",
                num(winners.len() as u64),
                winners.len()
            )
        } else {
            "SUCCESSFUL LOGINS".to_string()
        };
        let mut t = Table::new(
            title,
            &[
                ("address", Align::Left),
                ("logins", Align::Right),
                ("logged in as", Align::Left),
                ("failed logins", Align::Right),
                ("users tried", Align::Left),
                (last_seen.as_str(), Align::Left),
                ("country", Align::Left),
                ("network", Align::Left),
            ],
        );
        for r in winners.iter().take(shown) {
            t.row(vec![
                r.ip.to_string(),
                num(r.successes),
                logged_in_as(&r.users),
                num(r.failures),
                users_cell(&r.users, 3),
                r.last_seen.map(short_time).unwrap_or_default(),
                safe(r.country.as_deref().unwrap_or("-"), 4),
                as_cell(r.asn, r.as_org.as_deref()),
            ]);
        }
        out.write_all(
            t.render(style, &|col, text| {
                if col == 0 {
                    style.green(text)
                } else {
                    text.to_string()
                }
            })
            .as_bytes(),
        )?;
        writeln!(out)?;
    }

    if firewall && !report.ports.is_empty() {
        write_ports(report, top, style, out)?;
    }
    if web {
        write_web(report, top, style, out)?;
    }

    if !report.ips.is_empty() {
        let mut columns = vec![("address", Align::Left)];
        if ssh {
            columns.push(("failed logins", Align::Right));
        }
        columns.push(("events", Align::Right));
        if firewall {
            columns.push(("blocked", Align::Right));
        }
        if ssh {
            columns.push(("users tried", Align::Left));
        }
        columns.extend([
            ("country", Align::Left),
            ("network", Align::Left),
            (last_seen.as_str(), Align::Left),
        ]);
        let mut t = Table::new(
            format!(
                "TOP ADDRESSES ({} of {})",
                top.min(report.ips.len()),
                num(report.summary.unique_ips)
            ),
            &columns,
        );
        for r in report.ips.iter().take(top) {
            let mut row = vec![r.ip.to_string()];
            if ssh {
                row.push(num(r.failures));
            }
            row.push(num(r.events));
            if firewall {
                row.push(num(u64::from(r.kinds[Kind::Blocked.index()])));
            }
            if ssh {
                row.push(users_cell(&r.users, 3));
            }
            row.extend([
                safe(r.country.as_deref().unwrap_or("-"), 4),
                as_cell(r.asn, r.as_org.as_deref()),
                r.last_seen.map(short_time).unwrap_or_default(),
            ]);
            t.row(row);
        }
        out.write_all(
            t.render(style, &|col, text| {
                if ssh && col == 1 {
                    style.red(text)
                } else {
                    text.to_string()
                }
            })
            .as_bytes(),
        )?;
        writeln!(out)?;
    }

    if !report.users.is_empty() {
        let mut t = Table::new(
            "TOP USER NAMES",
            &[
                ("user", Align::Left),
                ("login attempts", Align::Right),
                ("addresses", Align::Right),
            ],
        );
        for u in report.users.iter().take(top) {
            t.row(vec![safe(&u.user, 32), num(u.attempts), num(u.ips)]);
        }
        out.write_all(
            t.render(style, &|col, text| {
                if col == 0 {
                    style.cyan(text)
                } else {
                    text.to_string()
                }
            })
            .as_bytes(),
        )?;
        writeln!(out)?;
    }

    let mut columns = vec![
        ("country", Align::Left),
        ("addresses", Align::Right),
        ("events", Align::Right),
    ];
    if ssh {
        columns.push(("failed logins", Align::Right));
    }
    if report.countries.iter().any(|c| c.country.is_some()) {
        let mut t = Table::new("TOP COUNTRIES", &columns);
        for c in report.countries.iter().take(top) {
            let name = match (&c.country, &c.country_name) {
                (Some(code), Some(name)) => format!("{} {}", safe(code, 2), safe(name, 30)),
                (Some(code), None) => safe(code, 2),
                _ => "(unknown)".to_string(),
            };
            let mut row = vec![name, num(c.ips), num(c.events)];
            if ssh {
                row.push(num(c.failures));
            }
            t.row(row);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    if report.asns.iter().any(|a| a.asn.is_some()) {
        columns[0] = ("AS", Align::Left);
        let mut t = Table::new("TOP NETWORKS", &columns);
        for a in report.asns.iter().take(top) {
            let mut row = vec![
                as_cell(a.asn, a.as_org.as_deref()),
                num(a.ips),
                num(a.events),
            ];
            if ssh {
                row.push(num(a.failures));
            }
            t.row(row);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    if report.ips.is_empty() {
        writeln!(out, "No public addresses found.")?;
    }
    Ok(())
}

/// A colour for a cell.
#[derive(Clone, Copy)]
enum Paint {
    Plain,
    Red,
    Green,
}

/// A one-row table whose columns depend on the log.
#[derive(Default)]
struct Columns {
    columns: Vec<(&'static str, Align)>,
    cells: Vec<String>,
    paint: Vec<Paint>,
}

impl Columns {
    fn add(&mut self, name: &'static str, align: Align, cell: String) {
        self.columns.push((name, align));
        self.cells.push(cell);
        self.paint.push(Paint::Plain);
    }

    fn add_painted(&mut self, name: &'static str, cell: String, loud: bool, paint: Paint) {
        self.add(name, Align::Right, cell);
        if loud {
            *self.paint.last_mut().expect("just added") = paint;
        }
    }

    fn write(self, title: &str, style: Style, out: &mut dyn Write) -> io::Result<()> {
        let mut t = Table::new(title, &self.columns);
        t.row(self.cells);
        let paint = self.paint;
        out.write_all(
            t.render(style, &|col, text| match paint.get(col) {
                Some(Paint::Red) => style.red(text),
                Some(Paint::Green) => style.green(text),
                _ => text.to_string(),
            })
            .as_bytes(),
        )
    }
}

/// `22/TCP`, `ICMP`, `22`.
fn port_cell(port: Option<u16>, proto: Option<&str>) -> String {
    match (port, proto) {
        (Some(p), Some(proto)) => format!("{p}/{}", safe(proto, 16)),
        (Some(p), None) => p.to_string(),
        (None, Some(proto)) => safe(proto, 16),
        (None, None) => "-".to_string(),
    }
}

/// The firewall's top destination ports.
fn write_ports(report: &Report, top: usize, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = Table::new(
        every_address("TOP DESTINATION PORTS", report),
        &[
            ("port", Align::Left),
            ("events", Align::Right),
            ("blocked", Align::Right),
            ("allowed", Align::Right),
        ],
    );
    for p in report.ports.iter().take(top) {
        t.row(vec![
            port_cell(p.port, p.proto.as_deref()),
            num(p.events),
            num(p.blocked),
            num(p.allowed),
        ]);
    }
    out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
    writeln!(out)
}

/// A count that may be an upper bound: `~1,234`.
fn approx(events: u64, error: u64) -> String {
    if error > 0 {
        format!("~{}", num(events))
    } else {
        num(events)
    }
}

/// Status classes, top paths and top user agents of a web log.
fn write_web(report: &Report, top: usize, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let requests: u64 = report.statuses.iter().map(|s| s.events).sum();
    if requests > 0 {
        let mut t = Table::new(
            every_address("HTTP STATUS", report),
            &[
                ("class", Align::Left),
                ("requests", Align::Right),
                ("share", Align::Right),
                ("most frequent codes", Align::Left),
            ],
        );
        for class in ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] {
            let mut codes: Vec<_> = report
                .statuses
                .iter()
                .filter(|s| s.class == class)
                .collect();
            let n: u64 = codes.iter().map(|s| s.events).sum();
            if n == 0 {
                continue;
            }
            codes.sort_by(|a, b| b.events.cmp(&a.events).then(a.status.cmp(&b.status)));
            let list: Vec<String> = codes
                .iter()
                .take(4)
                .map(|s| match s.status {
                    Some(code) => format!("{code} ({})", num(s.events)),
                    None => format!("none ({})", num(s.events)),
                })
                .collect();
            t.row(vec![
                class.to_string(),
                num(n),
                format!("{:.1}%", 100.0 * n as f64 / requests as f64),
                list.join(", "),
            ]);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }
    let mut estimated = false;
    if !report.paths.is_empty() {
        let mut t = Table::new(
            every_address("TOP PATHS", report),
            &[("path", Align::Left), ("requests", Align::Right)],
        );
        for p in report.paths.iter().take(top) {
            estimated |= p.error > 0;
            t.row(vec![safe(&p.path, 70), approx(p.events, p.error)]);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }
    if !report.user_agents.is_empty() {
        let mut t = Table::new(
            every_address("TOP USER AGENTS", report),
            &[("user agent", Align::Left), ("requests", Align::Right)],
        );
        for u in report.user_agents.iter().take(top) {
            estimated |= u.error > 0;
            t.row(vec![safe(&u.user_agent, 70), approx(u.events, u.error)]);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }
    if estimated {
        writeln!(
            out,
            "  ~ an upper bound: too many distinct paths or agents to count each exactly\n"
        )?;
    }
    Ok(())
}

/// What is new since the previous ingest ("12 new addresses since 2026-12-03 10:00"), for a
/// report read from the history.
fn write_history(h: &History, zone: &Zone, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let Some(last) = h.last_ingest else {
        return writeln!(out, "  history: no ingest has finished yet");
    };
    let new = format!(
        "{} new {}",
        num(h.new_addresses),
        if h.new_addresses == 1 {
            "address"
        } else {
            "addresses"
        }
    );
    let new = if h.new_addresses > 0 {
        style.bold(&new)
    } else {
        new
    };
    let tz = zone.name();
    match h.previous_ingest {
        Some(prev) => writeln!(
            out,
            "  {new} since {} {tz} (the last of {} ingests, at {})",
            short_time(prev, zone),
            num(h.ingests),
            short_time(last, zone),
        ),
        None => writeln!(
            out,
            "  {new} from the first ingest, at {} {tz}",
            short_time(last, zone)
        ),
    }
}

/// `2026-11-30 11:35` in `zone` (the tables say which in their headers).
fn short_time(t: i64, zone: &Zone) -> String {
    let (y, mo, d, h, mi, _) = zone.civil(t);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}")
}

/// A title of a list counted over every event, which says so under an address selection.
fn every_address(title: &str, report: &Report) -> String {
    if report.selection.is_some() {
        format!("{title} (every address, not only the selected ones)")
    } else {
        title.to_string()
    }
}

/// The successful logins listed even when `--top` asks for fewer.
const MIN_WINNERS_SHOWN: usize = 50;

/// The names an address logged in as, with how many logins each: `git(1) deploy(2)`.
fn logged_in_as(users: &[(std::sync::Arc<str>, u64, u64)]) -> String {
    let logins: Vec<_> = users
        .iter()
        .filter(|(_, _, ok)| *ok > 0)
        .map(|(u, _, ok)| (std::sync::Arc::clone(u), *ok, *ok))
        .collect();
    if logins.is_empty() {
        // a login whose name the log did not give
        return "-".to_string();
    }
    users_cell(&logins, 3)
}

fn users_cell(users: &[(std::sync::Arc<str>, u64, u64)], n: usize) -> String {
    let mut parts: Vec<String> = users
        .iter()
        .take(n)
        .map(|(u, c, _)| format!("{}({c})", safe(u, 16)))
        .collect();
    if users.len() > n {
        parts.push(format!("+{}", users.len() - n));
    }
    parts.join(" ")
}

fn as_cell(asn: Option<u32>, org: Option<&str>) -> String {
    match (asn, org) {
        (Some(a), Some(o)) => format!("AS{a} {}", safe(o, 28)),
        (Some(a), None) => format!("AS{a}"),
        _ => "-".to_string(),
    }
}

/// The report with its lists cut to `top` entries (and the addresses with a successful login
/// kept), for `summary --json`.
pub fn truncated(mut r: Report, top: usize) -> Report {
    crate::aggregate::retain_top(&mut r.ips, top);
    r.countries.truncate(top);
    r.asns.truncate(top);
    r.users.truncate(top);
    r.ports.truncate(top);
    r.paths.truncate(top);
    r.user_agents.truncate(top);
    r.timeline.series.clear();
    r
}
