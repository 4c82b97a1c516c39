//! `logmap summary`: the human view — totals, the last hour/day/week, top lists, and any
//! successful login loud at the top. `--json` writes the report with its lists cut to `--top`.

use std::io::{self, Write};

use super::table::{Align, Style, Table, num};
use super::text::safe;
use crate::aggregate::Report;
use crate::parse::timestamp::format_rfc3339;

/// Write the human summary.
pub fn write_text(
    report: &Report,
    top: usize,
    style: Style,
    out: &mut dyn Write,
) -> io::Result<()> {
    let s = &report.summary;
    let span = match (s.first_seen, s.last_seen) {
        (Some(a), Some(b)) => format!("{} → {}", short_time(a), short_time(b)),
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
    let mut totals = Table::new(
        "TOTALS",
        &[
            ("addresses", Align::Right),
            ("countries", Align::Right),
            ("events", Align::Right),
            ("failed logins", Align::Right),
            ("successful logins", Align::Right),
            ("private (left out)", Align::Right),
            ("unparsed lines", Align::Right),
        ],
    );
    totals.row(vec![
        num(s.unique_ips),
        num(s.countries),
        num(s.events),
        num(s.failures),
        num(s.successes),
        num(s.private_ips),
        num(s.unparsed),
    ]);
    out.write_all(
        totals
            .render(style, &|col, text| match col {
                3 if s.failures > 0 => style.red(text),
                4 if s.successes > 0 => style.green(text),
                _ => text.to_string(),
            })
            .as_bytes(),
    )?;
    if s.filtered_out > 0 {
        writeln!(
            out,
            "  {} events outside --since/--until left out",
            num(s.filtered_out)
        )?;
    }
    writeln!(out)?;

    if s.last_seen.is_some() {
        let mut w = Table::new(
            "LAST HOUR / DAY / WEEK OF THE DATA",
            &[
                ("window", Align::Left),
                ("addresses", Align::Right),
                ("countries", Align::Right),
                ("events", Align::Right),
                ("failed logins", Align::Right),
            ],
        );
        for win in &report.windows {
            w.row(vec![
                win.label.to_string(),
                num(win.ips),
                num(win.countries),
                num(win.events),
                num(win.failures),
            ]);
        }
        out.write_all(w.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    let winners: Vec<_> = report.ips.iter().filter(|r| r.successes > 0).collect();
    if !winners.is_empty() {
        let mut t = Table::new(
            "SUCCESSFUL LOGINS",
            &[
                ("address", Align::Left),
                ("logins", Align::Right),
                ("failed logins", Align::Right),
                ("users", Align::Left),
                ("last seen", Align::Left),
                ("country", Align::Left),
                ("network", Align::Left),
            ],
        );
        for r in winners.iter().take(top) {
            t.row(vec![
                r.ip.to_string(),
                num(r.successes),
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

    if !report.ips.is_empty() {
        let mut t = Table::new(
            format!(
                "TOP ADDRESSES ({} of {})",
                top.min(report.ips.len()),
                num(report.summary.unique_ips)
            ),
            &[
                ("address", Align::Left),
                ("failed", Align::Right),
                ("events", Align::Right),
                ("users tried", Align::Left),
                ("country", Align::Left),
                ("network", Align::Left),
                ("last seen", Align::Left),
            ],
        );
        for r in report.ips.iter().take(top) {
            t.row(vec![
                r.ip.to_string(),
                num(r.failures),
                num(r.events),
                users_cell(&r.users, 3),
                safe(r.country.as_deref().unwrap_or("-"), 4),
                as_cell(r.asn, r.as_org.as_deref()),
                r.last_seen.map(short_time).unwrap_or_default(),
            ]);
        }
        out.write_all(
            t.render(style, &|col, text| {
                if col == 1 {
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
                ("attempts", Align::Right),
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

    if report.countries.iter().any(|c| c.country.is_some()) {
        let mut t = Table::new(
            "TOP COUNTRIES",
            &[
                ("country", Align::Left),
                ("addresses", Align::Right),
                ("events", Align::Right),
                ("failed logins", Align::Right),
            ],
        );
        for c in report.countries.iter().take(top) {
            let name = match (&c.country, &c.country_name) {
                (Some(code), Some(name)) => format!("{} {}", safe(code, 2), safe(name, 30)),
                (Some(code), None) => safe(code, 2),
                _ => "(unknown)".to_string(),
            };
            t.row(vec![name, num(c.ips), num(c.events), num(c.failures)]);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    if report.asns.iter().any(|a| a.asn.is_some()) {
        let mut t = Table::new(
            "TOP NETWORKS",
            &[
                ("AS", Align::Left),
                ("addresses", Align::Right),
                ("events", Align::Right),
                ("failed logins", Align::Right),
            ],
        );
        for a in report.asns.iter().take(top) {
            t.row(vec![
                as_cell(a.asn, a.as_org.as_deref()),
                num(a.ips),
                num(a.events),
                num(a.failures),
            ]);
        }
        out.write_all(t.render(style, &|_, t| t.to_string()).as_bytes())?;
        writeln!(out)?;
    }

    if report.ips.is_empty() {
        writeln!(out, "No public addresses found.")?;
    }
    Ok(())
}

/// `2026-11-30 11:35` (UTC).
fn short_time(t: i64) -> String {
    let s = format_rfc3339(t);
    format!("{} {}", &s[..10], &s[11..16])
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
    r.timeline.series.clear();
    r
}
