//! Timestamps as logs write them, converted to seconds since the Unix epoch (UTC).
//!
//! Formats: classic syslog (`Nov 30 11:35:01`, no year: see [`YearRule`]), RFC 3339 /
//! ISO 8601 (`2026-11-30T11:35:01.123456+00:00`, also `+0000` and a space instead of `T`, as
//! `journalctl -o short-iso` writes), and the web servers' `30/Nov/2026:11:35:01 +0000`.
//! Times without a zone (classic syslog) are taken as UTC.

use super::Timestamp;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date `(year, month, day)` of a day number from [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Seconds since the epoch of a UTC civil time; `None` if a field is out of range.
pub fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86400 + (h * 3600 + mi * 60 + s.min(59)) as i64)
}

/// `2026-11-30T11:35:01Z`.
pub fn format_rfc3339(ts: Timestamp) -> String {
    let days = ts.div_euclid(86400);
    let secs = ts.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// The year of `ts` and its month and day, UTC.
pub fn ymd(ts: Timestamp) -> (i64, u32, u32) {
    civil_from_days(ts.div_euclid(86400))
}

/// How to give a year to syslog timestamps, which carry none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearRule {
    /// `--year`: every line is in this year.
    Fixed(i64),
    /// The newest line of the file cannot be later than this moment (the file's modification
    /// time, or now for stdin): a date that would fall after it belongs to the previous year.
    /// This handles a log that spans New Year (`Dec 31` lines in a file modified in January).
    /// Build it with [`YearRule::not_after`].
    NotAfter {
        limit: Timestamp,
        /// The year of `limit`, computed once.
        year: i64,
    },
}

impl YearRule {
    /// The rule for a file last written at `limit`.
    pub fn not_after(limit: Timestamp) -> YearRule {
        YearRule::NotAfter {
            limit,
            year: ymd(limit).0,
        }
    }

    fn resolve(self, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        match self {
            YearRule::Fixed(y) => from_civil(y, mo, d, h, mi, s),
            YearRule::NotAfter { limit, year: y } => {
                // The common case first: this year, not after the limit.
                if let Some(t) = from_civil(y, mo, d, h, mi, s)
                    && t <= limit + 86400
                {
                    return Some(t);
                }
                // The latest year in which the date exists and is not after the limit (a day
                // of slack for clock skew and time zones between writer and reader). Feb 29
                // may need to go back several years.
                (y - 8..=y)
                    .rev()
                    .filter_map(|y| from_civil(y, mo, d, h, mi, s))
                    .find(|&t| t <= limit + 86400)
            }
        }
    }
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn month_from_abbr(b: &[u8]) -> Option<u32> {
    let b: [u8; 3] = b.get(..3)?.try_into().ok()?;
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(&b))
        .map(|i| i as u32 + 1)
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<u32> {
    let s = b.get(at..at + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Parse `HH:MM:SS` at `at`.
fn hms(b: &[u8], at: usize) -> Option<(u32, u32, u32)> {
    if b.get(at + 2) != Some(&b':') || b.get(at + 5) != Some(&b':') {
        return None;
    }
    Some((
        digits(b, at, 2)?,
        digits(b, at + 3, 2)?,
        digits(b, at + 6, 2)?,
    ))
}

/// A classic syslog timestamp at the start of `b`: `Nov 30 11:35:01` or `Nov  3 11:35:01`.
/// Returns the time and the number of bytes it took.
pub fn parse_syslog(b: &[u8], rule: YearRule) -> Option<(Timestamp, usize)> {
    let mo = month_from_abbr(b)?;
    if b.get(3) != Some(&b' ') {
        return None;
    }
    let (d, at) = match (b.get(4), b.get(5)) {
        (Some(b' '), Some(c)) if c.is_ascii_digit() => ((c - b'0') as u32, 6),
        _ => (digits(b, 4, 2)?, 6),
    };
    if b.get(at) != Some(&b' ') {
        return None;
    }
    let (h, mi, s) = hms(b, at + 1)?;
    let mut end = at + 9;
    // Some syslog daemons add fractions: `Nov 30 11:35:01.123`.
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    Some((rule.resolve(mo, d, h, mi, s)?, end))
}

/// An RFC 3339 / ISO 8601 timestamp at the start of `b`:
/// `2026-11-30T11:35:01`, optional fraction, optional `Z`, `±HH:MM` or `±HHMM`.
/// A space may stand for the `T`. Without a zone the time is taken as UTC.
pub fn parse_rfc3339(b: &[u8]) -> Option<(Timestamp, usize)> {
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') || !matches!(b.get(10), Some(b'T' | b' '))
    {
        return None;
    }
    let y = digits(b, 0, 4)? as i64;
    let mo = digits(b, 5, 2)?;
    let d = digits(b, 8, 2)?;
    let (h, mi, s) = hms(b, 11)?;
    let mut t = from_civil(y, mo, d, h, mi, s)?;
    let mut end = 19;
    if matches!(b.get(end), Some(b'.' | b',')) {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    match b.get(end) {
        Some(b'Z' | b'z') => end += 1,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, end + 1, 2)?;
            let (om, len) = if b.get(end + 3) == Some(&b':') {
                (digits(b, end + 4, 2)?, 6)
            } else {
                (digits(b, end + 3, 2)?, 5)
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let off = (oh * 3600 + om * 60) as i64;
            t += if sign == b'+' { -off } else { off };
            end += len;
        }
        _ => {}
    }
    Some((t, end))
}

/// The web servers' time: `30/Nov/2026:11:35:01 +0000` (without the brackets).
pub fn parse_clf(b: &[u8]) -> Option<Timestamp> {
    let d = digits(b, 0, 2)?;
    if b.get(2) != Some(&b'/') || b.get(6) != Some(&b'/') || b.get(11) != Some(&b':') {
        return None;
    }
    let mo = month_from_abbr(b.get(3..6)?)?;
    let y = digits(b, 7, 4)? as i64;
    let (h, mi, s) = hms(b, 12)?;
    let mut t = from_civil(y, mo, d, h, mi, s)?;
    if b.get(20) == Some(&b' ') {
        let sign = *b.get(21)?;
        let oh = digits(b, 22, 2)?;
        let om = digits(b, 24, 2)?;
        let off = (oh * 3600 + om * 60) as i64;
        match sign {
            b'+' => t -= off,
            b'-' => t += off,
            _ => return None,
        }
    }
    Some(t)
}

/// A `--since`/`--until` value: RFC 3339 (`2026-11-30T11:00:00Z`), a date (`2026-11-30`,
/// midnight UTC) or a duration before `now` (`90s`, `30m`, `24h`, `7d`, `2w`).
pub fn parse_time_arg(s: &str, now: Timestamp) -> Result<Timestamp, String> {
    let s = s.trim();
    if let Some((t, n)) = parse_rfc3339(s.as_bytes())
        && n == s.len()
    {
        return Ok(t);
    }
    let b = s.as_bytes();
    if b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && let (Some(y), Some(m), Some(d)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2))
        && let Some(t) = from_civil(y as i64, m, d, 0, 0, 0)
    {
        return Ok(t);
    }
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a time: use RFC 3339 (2026-11-30T11:00:00Z), a date (2026-11-30) or a duration (30m, 24h, 7d)"))?;
    let mult = match unit {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86400,
        "w" => 7 * 86400,
        _ => {
            return Err(format!(
                "'{s}': unknown unit '{unit}' (use s, m, h, d or w)"
            ));
        }
    };
    n.checked_mul(mult)
        .and_then(|d| now.checked_sub(d))
        .ok_or_else(|| format!("'{s}' is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = 1_796_038_501; // 2026-11-30T11:35:01Z

    #[test]
    fn civil_round_trip() {
        for days in [-719468, -1, 0, 1, 10957, 20787, 20788, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
    }

    #[test]
    fn formats_rfc3339() {
        assert_eq!(format_rfc3339(T0), "2026-11-30T11:35:01Z");
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn parses_rfc3339_variants() {
        let cases: &[(&str, Timestamp, usize)] = &[
            ("2026-11-30T11:35:01Z", T0, 20),
            ("2026-11-30T11:35:01.123456+00:00 host", T0, 32),
            ("2026-11-30T12:35:01+01:00", T0, 25),
            ("2026-11-30T06:35:01-0500 host", T0, 24),
            ("2026-11-30 11:35:01", T0, 19),
            ("2026-11-30T11:35:01,5Z", T0, 22),
        ];
        for &(s, t, n) in cases {
            assert_eq!(parse_rfc3339(s.as_bytes()), Some((t, n)), "{s}");
        }
        for bad in [
            "2026-13-30T11:35:01Z",
            "2026-02-30T11:35:01Z",
            "2026-11-30T25:35:01Z",
            "2026-11-30X11:35:01Z",
            "2026-11-3",
            "",
            "Nov 30 11:35:01",
        ] {
            assert_eq!(parse_rfc3339(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn parses_syslog_with_year_rules() {
        let rule = YearRule::not_after(T0);
        assert_eq!(
            parse_syslog(b"Nov 30 11:35:01 host sshd[1]: x", rule),
            Some((T0, 15))
        );
        // December in a file last written in November: last year.
        let (t, _) = parse_syslog(b"Dec 10 06:55:46 LabSZ", rule).unwrap();
        assert_eq!(format_rfc3339(t), "2025-12-10T06:55:46Z");
        // Single-digit day, space padded.
        let (t, n) = parse_syslog(b"Nov  3 01:02:03 h", rule).unwrap();
        assert_eq!(
            (format_rfc3339(t).as_str(), n),
            ("2026-11-03T01:02:03Z", 15)
        );
        // A fixed year wins.
        let (t, _) = parse_syslog(b"Dec 10 06:55:46", YearRule::Fixed(2015)).unwrap();
        assert_eq!(format_rfc3339(t), "2015-12-10T06:55:46Z");
        // Feb 29 only exists in leap years: fall back to the previous (leap) year.
        let (t, _) = parse_syslog(b"Feb 29 00:00:00", YearRule::not_after(T0)).unwrap();
        assert_eq!(format_rfc3339(t), "2024-02-29T00:00:00Z");
        for bad in [
            &b"Foo 30 11:35:01"[..],
            b"Nov 31 11:35:01",
            b"Nov 30 1:35:01",
            b"Nov",
            b"",
        ] {
            assert_eq!(
                parse_syslog(bad, rule),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn parses_clf() {
        assert_eq!(parse_clf(b"30/Nov/2026:11:35:01 +0000"), Some(T0));
        assert_eq!(parse_clf(b"30/Nov/2026:12:35:01 +0100"), Some(T0));
        assert_eq!(parse_clf(b"30/Nov/2026:11:35:01"), Some(T0));
        assert_eq!(parse_clf(b"30/Nov/2026:11:35:01 x0000"), None);
        assert_eq!(parse_clf(b"30/Xyz/2026:11:35:01 +0000"), None);
    }

    #[test]
    fn parses_time_args() {
        assert_eq!(parse_time_arg("24h", T0), Ok(T0 - 86400));
        assert_eq!(parse_time_arg("7d", T0), Ok(T0 - 7 * 86400));
        assert_eq!(parse_time_arg("30m", T0), Ok(T0 - 1800));
        assert_eq!(parse_time_arg("2026-11-30T11:35:01Z", 0), Ok(T0));
        assert_eq!(
            parse_time_arg("2026-11-30", 0).map(format_rfc3339),
            Ok("2026-11-30T00:00:00Z".into())
        );
        assert!(parse_time_arg("yesterday", T0).is_err());
        assert!(parse_time_arg("5y", T0).is_err());
        assert!(parse_time_arg("99999999999999999999d", T0).is_err());
    }
}
