//! The clock of one input: how the times a log writes become instants.
//!
//! Two things are missing from many log timestamps:
//!
//! - **the zone.** Classic syslog (`Nov 30 11:35:01`), `journalctl -o short` and ISO times
//!   without an offset are the writing host's local time. They are read in the [`Zone`] the
//!   user chose (`--tz`, else `TZ`, else the system zone), through `jiff` and the time-zone
//!   database. The byte parsers in [`super::timestamp`] compute the civil time; [`Clock`] turns
//!   it into an instant, with the offset cached per hour of the log so the hot path does one
//!   comparison per line.
//!
//!   Daylight saving: a local time in the repeated hour (autumn) is the earlier instant unless
//!   that would put the line more than [`FOLD_SLACK`] before the previous line of the same
//!   input — then it is the second pass through the hour. A local time in the skipped hour
//!   (spring; only a clock that was wrong writes one) is read with the offset before the gap,
//!   as `jiff`'s "compatible" rule does.
//! - **the year** (classic syslog only): see [`YearRule`].

use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::Timestamp;
use super::timestamp::{from_civil, ymd};

/// The zone in which times without an offset are read.
#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    /// How the user named it (`Europe/Berlin`, `UTC`, the system's name).
    name: String,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            name: "UTC".to_string(),
        }
    }

    /// `--tz NAME` (an IANA name such as `Europe/Berlin`, `UTC`, or a POSIX TZ string), else
    /// the `TZ` variable, else the system's zone (UTC when it cannot be found).
    pub fn resolve(arg: Option<&str>) -> Result<Zone, String> {
        if let Some(name) = arg {
            return Zone::named(name);
        }
        match std::env::var("TZ") {
            Ok(v) if !v.is_empty() => {
                // POSIX lets TZ start with `:`.
                let v = v.strip_prefix(':').unwrap_or(&v);
                Zone::named(v).map_err(|e| format!("TZ: {e}"))
            }
            _ => Ok(TimeZone::try_system().map_or_else(|_| Zone::utc(), Zone::from_tz)),
        }
    }

    fn named(name: &str) -> Result<Zone, String> {
        let tz = TimeZone::get(name)
            .or_else(|_| TimeZone::posix(name))
            .map_err(|_| {
                format!(
                    "unknown time zone '{name}' (use an IANA name such as Europe/Berlin or \
                     America/New_York, or UTC)"
                )
            })?;
        Ok(Zone {
            tz,
            name: name.to_string(),
        })
    }

    fn from_tz(tz: TimeZone) -> Zone {
        let name = match tz.iana_name() {
            // Debian's default: say it the way people do.
            Some("Etc/UTC" | "Etc/UCT" | "Etc/Universal" | "Etc/Zulu" | "UCT" | "Universal") => {
                "UTC"
            }
            Some(name) => name,
            None => "local",
        }
        .to_string();
        Zone { tz, name }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    pub fn is_utc(&self) -> bool {
        self.tz == TimeZone::UTC
    }

    /// The offset from UTC at `t`, in seconds.
    pub fn offset_at(&self, t: Timestamp) -> i64 {
        jiff::Timestamp::from_second(t).map_or(0, |ts| i64::from(self.tz.to_offset(ts).seconds()))
    }

    /// The zone's abbreviation at `t` (`CET`, `EST`, `+0530`).
    pub fn abbreviation_at(&self, t: Timestamp) -> String {
        jiff::Timestamp::from_second(t).map_or_else(
            |_| self.name.clone(),
            |ts| self.tz.to_offset_info(ts).abbreviation().to_string(),
        )
    }

    /// The civil time at `t` as `(y, mo, d, h, mi, s)`.
    pub fn civil(&self, t: Timestamp) -> (i64, u32, u32, u32, u32, u32) {
        let local = t + self.offset_at(t);
        let (y, mo, d) = ymd(local);
        let s = local.rem_euclid(86400);
        (
            y,
            mo,
            d,
            (s / 3600) as u32,
            (s / 60 % 60) as u32,
            (s % 60) as u32,
        )
    }
}

impl Default for Zone {
    fn default() -> Self {
        Zone::utc()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Self) -> bool {
        self.tz == other.tz
    }
}

/// How to give a year to syslog timestamps, which carry none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearRule {
    /// `--year Y`: the log starts in year Y, in month `first_month` (its first dated line);
    /// a line of an earlier month is in the next year (the December → January roll-over).
    StartingIn { year: i64, first_month: u32 },
    /// The newest line of the file cannot be later than `limit` (the file's modification
    /// time, or now for stdin): a date that would fall after it belongs to an earlier year.
    /// This handles a log that spans New Year (`Dec 31` lines in a file modified in January),
    /// and Feb 29 (the latest leap year not after the limit).
    NotAfter { limit: Timestamp, year: i64 },
}

impl YearRule {
    /// The rule for a file last written at `limit`.
    pub fn not_after(limit: Timestamp) -> YearRule {
        YearRule::NotAfter {
            limit,
            year: ymd(limit).0,
        }
    }

    /// Every line in `year` (the roll-over starts in January).
    pub fn fixed(year: i64) -> YearRule {
        YearRule::StartingIn {
            year,
            first_month: 1,
        }
    }
}

/// How far before the previous line a time in a repeated (autumn) hour may fall before it is
/// taken as the second pass through that hour.
pub const FOLD_SLACK: Timestamp = 600;

/// Turns civil times of one input into instants. Cheap to clone; one per parser.
#[derive(Clone, Debug)]
pub struct Clock {
    pub year: YearRule,
    zone: Zone,
    utc: bool,
    /// `(naive hour, offset)`: the hour (of the civil time read as if UTC) whose every second
    /// has this one offset.
    cached: Option<(Timestamp, Timestamp)>,
    /// The previous instant this clock produced from a local time (for the repeated hour).
    last: Option<Timestamp>,
    /// The syslog hour read last, `(month, day, hour)`, and the instant of its first second,
    /// when every second of that hour is that instant plus the seconds since (same year, same
    /// single offset): the next lines of the hour need no calendar or zone arithmetic.
    hour_memo: Option<((u32, u32, u32), Timestamp)>,
}

impl Clock {
    pub fn new(year: YearRule, zone: Zone) -> Clock {
        Clock {
            year,
            utc: zone.is_utc(),
            zone,
            cached: None,
            last: None,
            hour_memo: None,
        }
    }

    /// A clock in UTC with every syslog line in `year` (tests, tools).
    pub fn utc(year: i64) -> Clock {
        Clock::new(YearRule::fixed(year), Zone::utc())
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// The previous instant read from a local time (see the module docs, daylight saving).
    pub fn last(&self) -> Option<Timestamp> {
        self.last
    }

    /// Resume with the previous instant of an earlier run.
    pub fn set_last(&mut self, last: Option<Timestamp>) {
        self.last = last;
    }

    /// A local civil time (`y-mo-d h:mi:s` in this clock's zone) as an instant; `None` if a
    /// field is out of range.
    pub fn local(&mut self, y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        let t = self.convert(y, mo, d, h, mi, s)?;
        self.last = Some(t);
        Some(t)
    }

    /// [`Clock::local`] without remembering the result as the previous line's time.
    fn convert(&mut self, y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        let naive = from_civil(y, mo, d, h, mi, s)?;
        if self.utc {
            return Some(naive);
        }
        let hour = naive.div_euclid(3600);
        if let Some((hr, off)) = self.cached
            && hr == hour
        {
            return Some(naive - off);
        }
        let t = match self.ambiguous(naive)? {
            AmbiguousOffset::Unambiguous { offset } => {
                let off = i64::from(offset.seconds());
                // Cache the hour when its first and last seconds have the same, single offset
                // (a zone may move by half an hour: Lord Howe's gap is 02:00–02:29).
                let same = |t| match self.ambiguous(t) {
                    Some(AmbiguousOffset::Unambiguous { offset: o }) => o == offset,
                    _ => false,
                };
                if same(hour * 3600) && same(hour * 3600 + 3599) {
                    self.cached = Some((hour, off));
                }
                naive - off
            }
            AmbiguousOffset::Gap { before, .. } => naive - i64::from(before.seconds()),
            AmbiguousOffset::Fold { before, after } => {
                let earlier = naive - i64::from(before.seconds());
                let later = naive - i64::from(after.seconds());
                match self.last {
                    Some(prev) if earlier < prev - FOLD_SLACK => later,
                    _ => earlier,
                }
            }
        };
        Some(t)
    }

    fn ambiguous(&self, naive: Timestamp) -> Option<AmbiguousOffset> {
        let days = naive.div_euclid(86400);
        let secs = naive.rem_euclid(86400);
        let (y, mo, d) = super::timestamp::civil_from_days(days);
        let dt = DateTime::new(
            i16::try_from(y).ok()?,
            mo as i8,
            d as i8,
            (secs / 3600) as i8,
            (secs / 60 % 60) as i8,
            (secs % 60) as i8,
            0,
        )
        .ok()?;
        Some(self.zone.tz.to_ambiguous_timestamp(dt).offset())
    }

    /// A syslog date (no year) in this clock's zone, the year given by the [`YearRule`].
    pub fn syslog(&mut self, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        if self.hour_memo.is_none_or(|(key, _)| key != (mo, d, h)) {
            self.hour_memo = self.memo_hour(mo, d, h);
        }
        let t = match self.hour_memo {
            Some((_, start)) if mi <= 59 && s <= 60 => start + i64::from(mi * 60 + s.min(59)),
            // an hour with a change of offset or year in it, or fields out of range
            _ => self.syslog_year(mo, d, h, mi, s)?,
        };
        self.last = Some(t);
        Some(t)
    }

    /// [`Clock::syslog`] without the memo, and without remembering the result.
    fn syslog_year(&mut self, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Timestamp> {
        match self.year {
            YearRule::StartingIn { year, first_month } => {
                let y = if mo < first_month { year + 1 } else { year };
                self.convert(y, mo, d, h, mi, s)
            }
            YearRule::NotAfter { limit, year: y } => {
                // The common case first: this year, not after the limit (a day of slack for
                // clock skew between writer and reader). Else the latest year in which the
                // date exists and is not after the limit: Feb 29 may need to go back several
                // years.
                (y - 8..=y)
                    .rev()
                    .filter_map(|y| self.convert(y, mo, d, h, mi, s))
                    .find(|&t| t <= limit + 86400)
            }
        }
    }

    /// The memo for the syslog hour `mo d h`: its first second's instant, if its last second
    /// is 3599 s later, both in the same year and with one offset that is not a repeated
    /// (autumn) hour's (see `cached`). The year rule picks the same year for every second of
    /// the hour then: a later year rejected at the first second is rejected at every later
    /// one, and the year accepted at the last second is accepted at every earlier one.
    fn memo_hour(&mut self, mo: u32, d: u32, h: u32) -> Option<((u32, u32, u32), Timestamp)> {
        let start = self.syslog_year(mo, d, h, 0, 0)?;
        let end = self.syslog_year(mo, d, h, 59, 59)?;
        // `cached` holds an hour only when all of it has one offset and is no repeated hour.
        let one_offset =
            self.utc || matches!(self.cached, Some((hour, off)) if (start + off) == hour * 3600);
        (end == start + 3599 && one_offset).then_some(((mo, d, h), start))
    }
}

/// Midnight (local, in `zone`) of the day `days` after 1970-01-01.
pub fn local_midnight(zone: &Zone, days: i64) -> Option<Timestamp> {
    let (y, mo, d) = super::timestamp::civil_from_days(days);
    let mut clock = Clock::new(YearRule::fixed(y), zone.clone());
    clock.local(y, mo, d, 0, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::timestamp::format_rfc3339;

    fn zone(name: &str) -> Zone {
        Zone::resolve(Some(name)).unwrap()
    }

    #[test]
    fn reads_local_times_in_their_zone() {
        let mut c = Clock::new(YearRule::fixed(2026), zone("Europe/Berlin"));
        // Winter: UTC+1; summer: UTC+2.
        let t = c.local(2026, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-01-15T11:00:00Z");
        let t = c.local(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-07-15T10:00:00Z");
        let mut k = Clock::new(YearRule::fixed(2026), zone("Asia/Kolkata"));
        let t = k.local(2026, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-07-15T06:30:00Z");
        let mut n = Clock::new(YearRule::fixed(2026), zone("America/New_York"));
        let t = n.local(2026, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-01-15T17:00:00Z");
    }

    #[test]
    fn the_cached_hour_gives_the_same_answers() {
        let z = zone("America/New_York");
        let mut cached = Clock::new(YearRule::fixed(2026), z.clone());
        for m in 0..240u32 {
            let (h, mi) = (m / 60 % 24, m % 60);
            let a = cached.local(2026, 3, 7, h, mi, 30).unwrap();
            let b = Clock::new(YearRule::fixed(2026), z.clone())
                .local(2026, 3, 7, h, mi, 30)
                .unwrap();
            assert_eq!(a, b, "{h}:{mi}");
        }
    }

    #[test]
    fn the_repeated_autumn_hour_is_read_in_order() {
        // Europe/Berlin, 2026-10-25: 03:00 CEST becomes 02:00 CET; 02:00-02:59 happen twice.
        let mut c = Clock::new(YearRule::fixed(2026), zone("Europe/Berlin"));
        let seq = [
            ((1, 59, 0), "2026-10-24T23:59:00Z"),
            ((2, 10, 0), "2026-10-25T00:10:00Z"), // first pass (CEST)
            ((2, 59, 59), "2026-10-25T00:59:59Z"),
            ((2, 0, 5), "2026-10-25T01:00:05Z"), // second pass (CET)
            ((2, 30, 0), "2026-10-25T01:30:00Z"),
            ((3, 0, 0), "2026-10-25T02:00:00Z"),
        ];
        for ((h, mi, s), want) in seq {
            let t = c.local(2026, 10, 25, h, mi, s).unwrap();
            assert_eq!(format_rfc3339(t), want, "{h}:{mi}:{s}");
        }
    }

    #[test]
    fn the_skipped_spring_hour_uses_the_offset_before_it() {
        // America/New_York, 2026-03-08: 02:00 EST becomes 03:00 EDT.
        let mut c = Clock::new(YearRule::fixed(2026), zone("America/New_York"));
        let t = c.local(2026, 3, 8, 1, 59, 59).unwrap();
        assert_eq!(format_rfc3339(t), "2026-03-08T06:59:59Z");
        let t = c.local(2026, 3, 8, 2, 30, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-03-08T07:30:00Z");
        let t = c.local(2026, 3, 8, 3, 0, 0).unwrap();
        assert_eq!(format_rfc3339(t), "2026-03-08T07:00:00Z");
    }

    #[test]
    fn year_rules() {
        let mut c = Clock::new(
            YearRule::StartingIn {
                year: 2025,
                first_month: 12,
            },
            Zone::utc(),
        );
        assert_eq!(
            format_rfc3339(c.syslog(12, 31, 23, 59, 0).unwrap()),
            "2025-12-31T23:59:00Z"
        );
        assert_eq!(
            format_rfc3339(c.syslog(1, 1, 0, 1, 0).unwrap()),
            "2026-01-01T00:01:00Z"
        );
        let limit = from_civil(2026, 1, 2, 0, 0, 0).unwrap();
        let mut c = Clock::new(YearRule::not_after(limit), zone("Asia/Kolkata"));
        assert_eq!(
            format_rfc3339(c.syslog(12, 31, 23, 0, 0).unwrap()),
            "2025-12-31T17:30:00Z"
        );
        assert_eq!(
            format_rfc3339(c.syslog(1, 1, 5, 30, 0).unwrap()),
            "2026-01-01T00:00:00Z"
        );
        // Feb 29 goes back to the last leap year.
        assert_eq!(
            format_rfc3339(c.syslog(2, 29, 0, 0, 0).unwrap()),
            "2024-02-28T18:30:00Z"
        );
    }

    #[test]
    fn zones_by_name_and_errors() {
        assert!(Zone::resolve(Some("UTC")).unwrap().is_utc());
        assert_eq!(zone("Europe/Berlin").name(), "Europe/Berlin");
        let e = Zone::resolve(Some("Mars/Olympus")).unwrap_err();
        assert!(e.contains("Mars/Olympus"), "{e}");
        let z = zone("Europe/Berlin");
        let t = from_civil(2026, 1, 15, 11, 0, 0).unwrap();
        assert_eq!(z.abbreviation_at(t), "CET");
        assert_eq!(z.civil(t), (2026, 1, 15, 12, 0, 0));
    }

    #[test]
    fn the_hour_memo_gives_what_the_full_conversion_gives() {
        // Every 7th second over the days around each zone's transitions (Lord Howe moves by
        // 30 minutes), forwards and then back over the repeated hour, with the year rules of
        // `--year` and of a file modified in the middle of an hour.
        let days = [
            (3, 28),
            (3, 29),
            (4, 4),
            (4, 5),
            (10, 3),
            (10, 4),
            (10, 25),
            (10, 31),
            (11, 1),
        ];
        let limit = from_civil(2026, 10, 25, 1, 30, 0).unwrap();
        for name in [
            "UTC",
            "Europe/Berlin",
            "America/New_York",
            "Australia/Lord_Howe",
        ] {
            for rule in [YearRule::fixed(2026), YearRule::not_after(limit)] {
                let mut memo = Clock::new(rule, zone(name));
                let mut full = Clock::new(rule, zone(name));
                let mut check = |mo, d, h, mi, s| {
                    let want = full.syslog_year(mo, d, h, mi, s);
                    if want.is_some() {
                        full.last = want;
                    }
                    let got = memo.syslog(mo, d, h, mi, s);
                    assert_eq!(got, want, "{name} {rule:?} {mo}-{d} {h}:{mi}:{s}");
                };
                for &(mo, d) in &days {
                    for k in (0..86400).step_by(7) {
                        check(mo, d, k / 3600, k / 60 % 60, k % 60);
                    }
                    for k in (3600..3 * 3600).rev().step_by(13) {
                        check(mo, d, k / 3600, k / 60 % 60, k % 60);
                    }
                    check(mo, d, 1, 59, 60);
                    check(mo, d, 1, 60, 0);
                }
            }
        }
        // Lord Howe skips 02:00–02:29 on 2026-10-04: a time in the gap reads with the offset
        // before it (+10:30), even after a line later in the same hour (+11) was read.
        let mut c = Clock::new(YearRule::fixed(2026), zone("Australia/Lord_Howe"));
        let later = c.syslog(10, 4, 2, 45, 0).unwrap();
        assert_eq!(format_rfc3339(later), "2026-10-03T15:45:00Z");
        let gap = c.syslog(10, 4, 2, 10, 0).unwrap();
        assert_eq!(format_rfc3339(gap), "2026-10-03T15:40:00Z");
    }
}
