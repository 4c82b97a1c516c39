//! `export --format csv`: the address records as flat rows with a header, written by the
//! `csv` crate (RFC 4180 quoting).
//!
//! - Cells that come from a log or a database (city, region, organisation, user names) and
//!   start with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`, so a
//!   spreadsheet does not run an attacker's user name as a formula.
//! - `users` holds every user name tried from the address with its login attempts as one JSON
//!   object, `{"root":6,"a:b c;d":1}`, most tried first: any name (`:`, spaces, `;`, commas,
//!   quotes, newlines) reads back exactly with a JSON parser. It is the `users` object of the
//!   JSON export.

use std::io::{self, Write};
use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::Export;
use crate::aggregate::Report;
use crate::parse::Kind;
use crate::parse::timestamp::format_rfc3339;

pub struct Csv;

/// Fixed columns; one `kind_*` column per event kind follows them, then `users`.
pub const HEADER: [&str; 16] = [
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

/// A cell from a log or a database, guarded against formula injection.
pub fn guarded(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// The `users` cell: a JSON object in the record's order (most tried first).
struct UsersJson<'a>(&'a [(Arc<str>, u64, u64)]);

impl Serialize for UsersJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (name, attempts, _) in self.0 {
            m.serialize_entry(name.as_ref(), attempts)?;
        }
        m.end()
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Export for Csv {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = csv::WriterBuilder::new().from_writer(out);
        let header: Vec<String> = HEADER
            .iter()
            .map(|s| s.to_string())
            .chain(Kind::ALL.iter().map(|k| format!("kind_{}", k.as_str())))
            .chain(std::iter::once("users".to_string()))
            .collect();
        w.write_record(&header)?;
        let mut row: Vec<String> = Vec::with_capacity(header.len());
        for r in &report.ips {
            row.clear();
            let ts = |t: Option<i64>| t.map(format_rfc3339).unwrap_or_default();
            let untrusted = |v: Option<&str>| guarded(v.unwrap_or("")).into_owned();
            let accuracy = r
                .accuracy
                .and_then(|a| serde_json::to_value(a).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            row.extend([
                r.ip.to_string(),
                r.events.to_string(),
                r.failures.to_string(),
                r.successes.to_string(),
                ts(r.first_seen),
                ts(r.last_seen),
                opt(&r.country),
                opt(&r.country_name),
                untrusted(r.city.as_deref()),
                untrusted(r.region.as_deref()),
                opt(&r.lat),
                opt(&r.lon),
                accuracy,
                opt(&r.asn),
                untrusted(r.as_org.as_deref()),
                untrusted(r.users.first().map(|u| u.0.as_ref())),
            ]);
            row.extend(Kind::ALL.iter().map(|k| r.kinds[k.index()].to_string()));
            row.push(serde_json::to_string(&UsersJson(&r.users))?);
            w.write_record(&row)?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_formula_prefixes() {
        for (input, want) in [
            ("root", "root"),
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(guarded(input), want, "{input:?}");
        }
    }
}
