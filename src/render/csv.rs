//! `export --format csv`: the address records as flat rows with a header.
//!
//! Quoting follows RFC 4180. Cells that come from a log and start with `=`, `+`, `-`, `@`,
//! a tab or a carriage return get a leading `'`, so a spreadsheet does not run an attacker's
//! user name as a formula.

use std::io::{self, Write};

use super::Export;
use crate::aggregate::Report;
use crate::parse::Kind;
use crate::parse::timestamp::format_rfc3339;

pub struct Csv;

/// Fixed columns; one `kind_*` column per event kind follows them, then `users`.
const HEADER: [&str; 16] = [
    "ip",
    "events",
    "failures",
    "successes",
    "first_seen",
    "last_seen",
    "country",
    "country_name",
    "city",
    "region",
    "lat",
    "lon",
    "accuracy",
    "asn",
    "as_org",
    "top_user",
];

/// Append one cell, quoted when needed.
pub fn cell(out: &mut String, value: &str, untrusted: bool) {
    let guard = untrusted
        && value
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let needs_quotes = guard || value.contains([',', '"', '\n', '\r']);
    if needs_quotes {
        out.push('"');
        if guard {
            out.push('\'');
        }
        for c in value.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Export for Csv {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut line = String::new();
        let header: Vec<String> = HEADER
            .iter()
            .map(|s| s.to_string())
            .chain(Kind::ALL.iter().map(|k| format!("kind_{}", k.as_str())))
            .chain(std::iter::once("users".to_string()))
            .collect();
        writeln!(out, "{}", header.join(","))?;
        for r in &report.ips {
            line.clear();
            let ts = |t: Option<i64>| t.map(format_rfc3339).unwrap_or_default();
            let users = r
                .users
                .iter()
                .map(|(u, n, _)| format!("{u}:{n}"))
                .collect::<Vec<_>>()
                .join(" ");
            let accuracy = r
                .accuracy
                .and_then(|a| serde_json::to_value(a).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let fixed: [(String, bool); 16] = [
                (r.ip.to_string(), false),
                (r.events.to_string(), false),
                (r.failures.to_string(), false),
                (r.successes.to_string(), false),
                (ts(r.first_seen), false),
                (ts(r.last_seen), false),
                (opt(&r.country), false),
                (opt(&r.country_name), false),
                (opt(&r.city), true),
                (opt(&r.region), true),
                (opt(&r.lat), false),
                (opt(&r.lon), false),
                (accuracy, false),
                (opt(&r.asn), false),
                (opt(&r.as_org), true),
                (
                    r.users.first().map(|u| u.0.to_string()).unwrap_or_default(),
                    true,
                ),
            ];
            for (i, (v, untrusted)) in fixed.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                cell(&mut line, v, *untrusted);
            }
            for k in Kind::ALL {
                line.push(',');
                line.push_str(&r.kinds[k.index()].to_string());
            }
            line.push(',');
            cell(&mut line, &users, true);
            line.push('\n');
            out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn quotes_and_guards_cells() {
        let cases = [
            ("root", false, "root"),
            ("a,b", false, "\"a,b\""),
            ("say \"hi\"", false, "\"say \"\"hi\"\"\""),
            ("=cmd|' /C calc'!A0", true, "\"'=cmd|' /C calc'!A0\""),
            ("-1", false, "-1"),
            ("@x", true, "\"'@x\""),
            ("line\nbreak", true, "\"line\nbreak\""),
            ("", true, ""),
        ];
        for (input, untrusted, want) in cases {
            let mut s = String::new();
            cell(&mut s, input, untrusted);
            assert_eq!(s, want, "{input:?}");
        }
    }
}
