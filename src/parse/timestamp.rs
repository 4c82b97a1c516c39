//! Timestamps as logs write them, converted to seconds since the Unix epoch (UTC).
//!
//! Formats: classic syslog (`Nov 30 11:35:01`, no year: see
//! [`YearRule`](super::clock::YearRule)), RFC 3339 / ISO 8601
//! (`2026-11-30T11:35:01.123456+00:00`, also `+0000` and a space instead of `T`, as
//! `journalctl -o short-iso` writes), `journalctl -o short-full` (`Mon 2026-11-30 11:35:01
//! CET`), `-o short-unix` (`1796038501.123456`), and the web servers'
//! `30/Nov/2026:11:35:01 +0000`. These parsers work on bytes and compute civil times; times
//! written without a zone become instants through the input's [`Clock`] (its zone).

use super::Timestamp;
use super::clock::{Clock, Zone, local_midnight};

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
    match rfc3339_bytes(ts) {
        Some(b) => b.iter().map(|&c| char::from(c)).collect(),
        None => format_any_year(ts),
    }
}

/// [`format_rfc3339`] for any year (`-0001`, `10000`, …), with `format!`.
fn format_any_year(ts: Timestamp) -> String {
    let (y, m, d) = civil_from_days(ts.div_euclid(86400));
    let secs = ts.rem_euclid(86400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// [`format_rfc3339`] without an allocation, for the years 0–9999 (the exports write one per
/// address and time); `None` for the others.
pub fn rfc3339_bytes(ts: Timestamp) -> Option<[u8; 20]> {
    let (y, m, d) = civil_from_days(ts.div_euclid(86400));
    let y = u32::try_from(y).ok().filter(|y| *y <= 9999)?;
    let secs = ts.rem_euclid(86400) as u32;
    let mut b = *b"0000-00-00T00:00:00Z";
    let two = |b: &mut [u8; 20], at: usize, v: u32| {
        b[at] = b'0' + (v / 10) as u8;
        b[at + 1] = b'0' + (v % 10) as u8;
    };
    two(&mut b, 0, y / 100);
    two(&mut b, 2, y % 100);
    two(&mut b, 5, m);
    two(&mut b, 8, d);
    two(&mut b, 11, secs / 3600);
    two(&mut b, 14, secs / 60 % 60);
    two(&mut b, 17, secs % 60);
    Some(b)
}

/// The year of `ts` and its month and day, UTC.
pub fn ymd(ts: Timestamp) -> (i64, u32, u32) {
    civil_from_days(ts.div_euclid(86400))
}

#[cfg(test)]
const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

fn month_from_abbr(b: &[u8]) -> Option<u32> {
    let b: [u8; 3] = b.get(..3)?.try_into().ok()?;
    // `| 0x20` lower-cases ASCII letters and turns no other byte into one.
    let m = match [b[0] | 0x20, b[1] | 0x20, b[2] | 0x20] {
        [b'j', b'a', b'n'] => 1,
        [b'f', b'e', b'b'] => 2,
        [b'm', b'a', b'r'] => 3,
        [b'a', b'p', b'r'] => 4,
        [b'm', b'a', b'y'] => 5,
        [b'j', b'u', b'n'] => 6,
        [b'j', b'u', b'l'] => 7,
        [b'a', b'u', b'g'] => 8,
        [b's', b'e', b'p'] => 9,
        [b'o', b'c', b't'] => 10,
        [b'n', b'o', b'v'] => 11,
        [b'd', b'e', b'c'] => 12,
        _ => return None,
    };
    Some(m)
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

/// A classic syslog timestamp at the start of `b`: `Nov 30 11:35:01` or `Nov  3 11:35:01`,
/// local time in `clock`'s zone, the year from its rule. Returns the time and the number of
/// bytes it took.
pub fn parse_syslog(b: &[u8], clock: &mut Clock) -> Option<(Timestamp, usize)> {
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
    Some((clock.syslog(mo, d, h, mi, s)?, end))
}

/// The month of a classic syslog timestamp at the start of `b`.
pub fn syslog_month(b: &[u8]) -> Option<u32> {
    let mo = month_from_abbr(b)?;
    (b.get(3) == Some(&b' ')).then_some(mo)
}

/// An ISO 8601 time at the start of a line, before its zone is applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Iso {
    /// The instant if the text had a zone; else the civil time read as if UTC.
    pub t: Timestamp,
    /// Bytes taken.
    pub len: usize,
    /// Did the text carry a zone (`Z`, `±HH:MM`, `±HHMM`)?
    pub zoned: bool,
    /// The civil fields (for reading a zone-less time in a local zone).
    pub civil: (i64, u32, u32, u32, u32, u32),
}

/// An RFC 3339 / ISO 8601 timestamp at the start of `b`:
/// `2026-11-30T11:35:01`, optional fraction, optional `Z`, `±HH:MM` or `±HHMM`.
/// A space may stand for the `T`.
pub fn parse_iso(b: &[u8]) -> Option<Iso> {
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
    let mut zoned = true;
    match b.get(end) {
        Some(b'Z' | b'z') => end += 1,
        Some(&sign @ (b'+' | b'-')) => {
            let (off, len) = offset(&b[end..], sign)?;
            t -= off;
            end += len;
        }
        _ => zoned = false,
    }
    Some(Iso {
        t,
        len: end,
        zoned,
        civil: (y, mo, d, h, mi, s),
    })
}

/// `±HH:MM` or `±HHMM` (after the sign byte `sign` at `b[0]`): the offset in seconds east of
/// UTC and the bytes taken.
fn offset(b: &[u8], sign: u8) -> Option<(Timestamp, usize)> {
    let oh = digits(b, 1, 2)?;
    let (om, len) = if b.get(3) == Some(&b':') {
        (digits(b, 4, 2)?, 6)
    } else {
        (digits(b, 3, 2)?, 5)
    };
    if oh > 23 || om > 59 {
        return None;
    }
    let off = (oh * 3600 + om * 60) as Timestamp;
    Some((if sign == b'+' { off } else { -off }, len))
}

/// An RFC 3339 / ISO 8601 timestamp at the start of `b` (see [`parse_iso`]); a time without a
/// zone is taken as UTC. For log lines, where such a time is local, use [`parse_iso_local`].
pub fn parse_rfc3339(b: &[u8]) -> Option<(Timestamp, usize)> {
    parse_iso(b).map(|i| (i.t, i.len))
}

/// An ISO 8601 timestamp at the start of a log line; a time without a zone is local time in
/// `clock`'s zone.
pub fn parse_iso_local(b: &[u8], clock: &mut Clock) -> Option<(Timestamp, usize)> {
    let i = parse_iso(b)?;
    if i.zoned {
        return Some((i.t, i.len));
    }
    let (y, mo, d, h, mi, s) = i.civil;
    Some((clock.local(y, mo, d, h, mi, s)?, i.len))
}

const WEEKDAYS: [&[u8; 3]; 7] = [b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];

/// `journalctl -o short-full` / `-o with-unit`: `Thu 2026-12-03 08:00:01[.frac] CET`. The zone
/// is an abbreviation (local time in `clock`'s zone), or `UTC`/`GMT`, or a numeric offset.
pub fn parse_short_full(b: &[u8], clock: &mut Clock) -> Option<(Timestamp, usize)> {
    let wd: [u8; 3] = b.get(..3)?.try_into().ok()?;
    if !WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(&wd)) || b.get(3) != Some(&b' ') {
        return None;
    }
    let rest = &b[4..];
    let i = parse_iso(rest)?;
    if i.zoned || rest.get(i.len) != Some(&b' ') {
        return None;
    }
    let z = &rest[i.len + 1..];
    let zlen = z.iter().take_while(|&&c| c != b' ').count();
    if zlen == 0 {
        return None;
    }
    let zone = &z[..zlen];
    let t = match zone {
        b"UTC" | b"GMT" | b"Z" => i.t,
        [sign @ (b'+' | b'-'), ..] => {
            let (off, len) = offset(zone, *sign)?;
            if len != zlen {
                return None;
            }
            i.t - off
        }
        _ => {
            let (y, mo, d, h, mi, s) = i.civil;
            clock.local(y, mo, d, h, mi, s)?
        }
    };
    Some((t, 4 + i.len + 1 + zlen))
}

/// `journalctl -o short-unix`: `1796038501.123456` (seconds since the epoch, UTC, with
/// microseconds), followed by a space.
pub fn parse_unix(b: &[u8]) -> Option<(Timestamp, usize)> {
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if !(1..=12).contains(&n) || b.get(n) != Some(&b'.') {
        return None;
    }
    let frac = b[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if frac != 6 || b.get(n + 1 + frac) != Some(&b' ') {
        return None;
    }
    let secs = std::str::from_utf8(&b[..n]).ok()?.parse().ok()?;
    Some((secs, n + 1 + frac))
}

/// `journalctl -o short-monotonic` / `short-delta`: `[ 12345.678901]` or
/// `[12345.678902 <    0.000001 >]` — time since boot, which says nothing about the wall
/// clock. Returns the bytes taken.
pub fn parse_monotonic(b: &[u8]) -> Option<usize> {
    let rest = b.strip_prefix(b"[")?;
    let spaces = rest.iter().take_while(|&&c| c == b' ').count();
    let r = &rest[spaces..];
    let n = r.iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 || r.get(n) != Some(&b'.') {
        return None;
    }
    let frac = r[n + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if frac == 0 {
        return None;
    }
    let close = memchr::memchr(b']', &r[n + 1 + frac..])?;
    let between = &r[n + 1 + frac..n + 1 + frac + close];
    // Only spaces, or a `<delta>` between the time and the bracket.
    let ok = between
        .iter()
        .all(|&c| c == b' ' || c == b'<' || c == b'>' || c == b'.' || c.is_ascii_digit());
    ok.then_some(1 + spaces + n + 1 + frac + close + 1)
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

/// A `--since`/`--until` value, in the forms users type:
///
/// - RFC 3339 with a zone: `2026-11-30T11:00:00Z`, `2026-11-30T12:00:00+01:00`;
/// - a local date or date and time, in `zone`: `2026-11-30`, `2026-11-30 08:00`,
///   `2026-11-30T08:00:15`;
/// - `now`, `today`, `yesterday` (local midnight);
/// - a duration before `now`: `90s`, `30m`, `24h`, `7d`, `2w`, `1h30m`, `2 days`,
///   `3 days ago`, `1mo` (calendar units count in `zone`).
pub fn parse_time_arg(s: &str, now: Timestamp, zone: &Zone) -> Result<Timestamp, String> {
    let s = s.trim();
    let b = s.as_bytes();
    let today = || {
        let (y, mo, d, ..) = zone.civil(now);
        days_from_civil(y, mo, d)
    };
    match s.to_ascii_lowercase().as_str() {
        "now" => return Ok(now),
        "today" => return local_midnight(zone, today()).ok_or_else(|| out_of_range(s)),
        "yesterday" => return local_midnight(zone, today() - 1).ok_or_else(|| out_of_range(s)),
        _ => {}
    }
    if let Some(i) = parse_iso(b)
        && i.len == b.len()
    {
        if i.zoned {
            return Ok(i.t);
        }
        let (y, mo, d, h, mi, sec) = i.civil;
        return Clock::new(super::clock::YearRule::fixed(y), zone.clone())
            .local(y, mo, d, h, mi, sec)
            .ok_or_else(|| out_of_range(s));
    }
    if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
        let (Some(y), Some(mo), Some(d)) = (digits(b, 0, 4), digits(b, 5, 2), digits(b, 8, 2))
        else {
            return Err(not_a_time(s));
        };
        // `2026-11-30` or `2026-11-30 08:00` / `2026-11-30T08:00`.
        let (h, mi) = match &b[10..] {
            [] => (0, 0),
            [b' ' | b'T', rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
                match (digits(rest, 0, 2), digits(rest, 3, 2)) {
                    (Some(h), Some(mi)) => (h, mi),
                    _ => return Err(not_a_time(s)),
                }
            }
            _ => return Err(not_a_time(s)),
        };
        let y = y as i64;
        return Clock::new(super::clock::YearRule::fixed(y), zone.clone())
            .local(y, mo, d, h, mi, 0)
            .ok_or_else(|| format!("'{s}' is not a valid date"));
    }
    // A duration before now.
    let text = s.strip_suffix(" ago").unwrap_or(s);
    let span: jiff::Span = text.parse().map_err(|_| not_a_time(s))?;
    let span = span.abs();
    let now_z = jiff::Timestamp::from_second(now)
        .map_err(|_| out_of_range(s))?
        .to_zoned_datetime(zone.tz().clone());
    let then = now_z.checked_sub(span).map_err(|_| out_of_range(s))?;
    Ok(then.timestamp().as_second())
}

fn not_a_time(s: &str) -> String {
    format!(
        "'{s}' is not a time: use a date (2026-11-30), a local time (2026-11-30 08:00), RFC 3339 \
         (2026-11-30T08:00:00Z), now, today, yesterday, or a duration before now (30m, 1h30m, \
         24h, 7d, '2 days')"
    )
}

fn out_of_range(s: &str) -> String {
    format!("'{s}' is out of range")
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Timestamp = 1_796_038_501; // 2026-11-30T11:35:01Z

    #[test]
    fn month_abbreviations_in_any_case_and_nothing_else() {
        for (i, m) in MONTHS.iter().enumerate() {
            let upper = m.to_ascii_uppercase();
            let lower = m.to_ascii_lowercase();
            for form in [&m[..], &upper[..], &lower[..]] {
                assert_eq!(month_from_abbr(form), Some(i as u32 + 1), "{form:?}");
            }
        }
        // Every other three bytes from a small alphabet of near misses.
        let alphabet = b"aAjJnN@`[{ \x00\xc1";
        for &a in alphabet {
            for &b in alphabet {
                for &c in alphabet {
                    let t = [a, b, c];
                    let want = MONTHS
                        .iter()
                        .position(|m| m.eq_ignore_ascii_case(&t))
                        .map(|i| i as u32 + 1);
                    assert_eq!(month_from_abbr(&t), want, "{t:?}");
                }
            }
        }
        assert_eq!(month_from_abbr(b"Ja"), None);
    }

    #[test]
    fn rfc3339_without_allocation_is_the_formatted_time() {
        let slow = format_any_year;
        let mut ts: Timestamp = -62_167_219_200; // 0000-01-01T00:00:00Z
        while ts < 253_402_300_800 {
            // up to 9999-12-31
            let b = rfc3339_bytes(ts).expect("a year of four digits");
            assert_eq!(std::str::from_utf8(&b).unwrap(), slow(ts), "{ts}");
            assert_eq!(format_rfc3339(ts), slow(ts));
            ts += 7_777_777 + ts.rem_euclid(86_399);
        }
        for ts in [-62_167_219_201, 253_402_300_800, i64::MIN / 2, i64::MAX / 2] {
            assert_eq!(rfc3339_bytes(ts), None, "{ts}");
            assert_eq!(format_rfc3339(ts), slow(ts));
        }
        assert_eq!(format_rfc3339(T0), "2026-11-30T11:35:01Z");
    }

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
        use crate::parse::clock::YearRule;
        let mut c = Clock::new(YearRule::not_after(T0), Zone::utc());
        assert_eq!(
            parse_syslog(b"Nov 30 11:35:01 host sshd[1]: x", &mut c),
            Some((T0, 15))
        );
        // December in a file last written in November: last year.
        let (t, _) = parse_syslog(b"Dec 10 06:55:46 LabSZ", &mut c).unwrap();
        assert_eq!(format_rfc3339(t), "2025-12-10T06:55:46Z");
        // Single-digit day, space padded.
        let (t, n) = parse_syslog(b"Nov  3 01:02:03 h", &mut c).unwrap();
        assert_eq!(
            (format_rfc3339(t).as_str(), n),
            ("2026-11-03T01:02:03Z", 15)
        );
        // A fixed year wins.
        let mut f = Clock::utc(2015);
        let (t, _) = parse_syslog(b"Dec 10 06:55:46", &mut f).unwrap();
        assert_eq!(format_rfc3339(t), "2015-12-10T06:55:46Z");
        // Feb 29 only exists in leap years: fall back to the previous (leap) year.
        let (t, _) = parse_syslog(b"Feb 29 00:00:00", &mut c).unwrap();
        assert_eq!(format_rfc3339(t), "2024-02-29T00:00:00Z");
        for bad in [
            &b"Foo 30 11:35:01"[..],
            b"Nov 31 11:35:01",
            b"Nov 30 1:35:01",
            b"Nov",
            b"",
        ] {
            assert_eq!(
                parse_syslog(bad, &mut c),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn parses_journal_prefixes() {
        let berlin = Zone::resolve(Some("Europe/Berlin")).unwrap();
        let mut c = Clock::new(crate::parse::clock::YearRule::fixed(2026), berlin);
        let (t, n) =
            parse_short_full(b"Mon 2026-11-30 12:35:01 CET vps sshd[1]: x", &mut c).unwrap();
        assert_eq!((t, n), (T0, 27));
        let (t, _) = parse_short_full(b"Mon 2026-11-30 11:35:01 UTC vps", &mut c).unwrap();
        assert_eq!(t, T0);
        let (t, _) = parse_short_full(b"Mon 2026-11-30 17:05:01 +0530 vps", &mut c).unwrap();
        assert_eq!(t, T0);
        assert_eq!(
            parse_short_full(b"Mon 2026-11-30T11:35:01Z vps", &mut c),
            None
        );
        assert_eq!(
            parse_short_full(b"Xyz 2026-11-30 11:35:01 CET vps", &mut c),
            None
        );
        assert_eq!(
            parse_unix(b"1796038501.123456 vps sshd[1]: x"),
            Some((T0, 17))
        );
        assert_eq!(parse_unix(b"1796038501 vps"), None);
        assert_eq!(parse_unix(b"1796038501.12 vps"), None);
        assert_eq!(parse_monotonic(b"[12345.678901] vps sshd"), Some(14));
        assert_eq!(parse_monotonic(b"[    5.000001] vps"), Some(14));
        assert_eq!(
            parse_monotonic(b"[12345.678902 <    0.000001 >] vps"),
            Some(30)
        );
        assert_eq!(
            parse_monotonic(b"[12345.678901                ] vps"),
            Some(30)
        );
        assert_eq!(parse_monotonic(b"[UFW BLOCK] IN="), None);
        // Zone-less ISO times are local; zoned ones are not.
        let (t, _) = parse_iso_local(b"2026-11-30 12:35:01 x", &mut c).unwrap();
        assert_eq!(t, T0);
        let (t, _) = parse_iso_local(b"2026-11-30T11:35:01+00:00 x", &mut c).unwrap();
        assert_eq!(t, T0);
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
        let utc = Zone::utc();
        assert_eq!(parse_time_arg("24h", T0, &utc), Ok(T0 - 86400));
        assert_eq!(parse_time_arg("7d", T0, &utc), Ok(T0 - 7 * 86400));
        assert_eq!(parse_time_arg("30m", T0, &utc), Ok(T0 - 1800));
        assert_eq!(parse_time_arg("1h30m", T0, &utc), Ok(T0 - 5400));
        assert_eq!(parse_time_arg("2 days", T0, &utc), Ok(T0 - 2 * 86400));
        assert_eq!(parse_time_arg("3 days ago", T0, &utc), Ok(T0 - 3 * 86400));
        assert_eq!(parse_time_arg("2w", T0, &utc), Ok(T0 - 14 * 86400));
        assert_eq!(parse_time_arg("now", T0, &utc), Ok(T0));
        assert_eq!(parse_time_arg("2026-11-30T11:35:01Z", 0, &utc), Ok(T0));
        assert_eq!(
            parse_time_arg("2026-11-30", 0, &utc).map(format_rfc3339),
            Ok("2026-11-30T00:00:00Z".into())
        );
        // Local forms are read in the zone.
        let kolkata = Zone::resolve(Some("Asia/Kolkata")).unwrap();
        assert_eq!(
            parse_time_arg("2026-11-30 08:00", 0, &kolkata).map(format_rfc3339),
            Ok("2026-11-30T02:30:00Z".into())
        );
        assert_eq!(
            parse_time_arg("2026-11-30", 0, &kolkata).map(format_rfc3339),
            Ok("2026-11-29T18:30:00Z".into())
        );
        assert_eq!(
            parse_time_arg("today", T0, &kolkata).map(format_rfc3339),
            Ok("2026-11-29T18:30:00Z".into())
        );
        assert_eq!(
            parse_time_arg("yesterday", T0, &kolkata).map(format_rfc3339),
            Ok("2026-11-28T18:30:00Z".into())
        );
        // A month back in New York crosses the end of daylight saving time.
        let ny = Zone::resolve(Some("America/New_York")).unwrap();
        assert_eq!(
            parse_time_arg("1mo", T0, &ny).map(format_rfc3339),
            Ok("2026-10-30T10:35:01Z".into())
        );
        for bad in [
            "soon",
            "5y5",
            "2026-13-01",
            "2026-11-30 25:00",
            "99999999999999999999d",
        ] {
            let e = parse_time_arg(bad, T0, &utc).unwrap_err();
            assert!(e.contains(bad), "{bad}: {e}");
        }
    }
}
