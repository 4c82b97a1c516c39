//! Any text: every distinct address on a line is one event (kind `seen`, or `other` when the
//! line belongs to a known format that has no rule for it).

use std::borrow::Cow;
use std::net::IpAddr;

use super::clock::Clock;
use super::timestamp::{parse_iso_local, parse_syslog};
use super::{Event, Kind, LineCtx, LineOutcome, LineParser, Timestamp, extract};

/// Emit one `kind` event per distinct address found in `line`.
pub fn emit_addresses<'a>(
    line: &[u8],
    kind: Kind,
    service: Cow<'a, str>,
    ts: Option<Timestamp>,
    ctx: LineCtx,
    emit: &mut dyn FnMut(&Event<'a>),
) -> usize {
    // A line rarely names more than a few addresses: a small inline list beats a set.
    let mut seen: [Option<IpAddr>; 8] = [None; 8];
    let mut n = 0usize;
    extract::scan(line, |found| {
        if seen.iter().flatten().any(|&ip| ip == found.ip) {
            return;
        }
        seen[n % seen.len()] = Some(found.ip);
        n += 1;
        let mut ev = Event::new(kind, found.ip, service.clone());
        ev.source = ctx.source;
        ev.line_no = ctx.line_no;
        ev.ts = ts;
        ev.port = found.port;
        emit(&ev);
    });
    n
}

/// A timestamp at the start of a line of unknown format, if it has one we know
/// (optionally inside `[...]`).
pub fn leading_timestamp(line: &[u8], clock: &mut Clock) -> Option<Timestamp> {
    let line = line.strip_prefix(b"[").unwrap_or(line);
    parse_iso_local(line, clock)
        .or_else(|| parse_syslog(line, clock))
        .map(|(t, _)| t)
}

/// The parser for text of no known format.
pub struct GenericParser {
    pub clock: Clock,
}

impl LineParser for GenericParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let ts = leading_timestamp(line, &mut self.clock);
        emit_addresses(line, Kind::Seen, Cow::Borrowed("generic"), ts, ctx, emit);
        LineOutcome::default()
    }
}
