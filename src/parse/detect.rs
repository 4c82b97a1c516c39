//! Guess the format of an input from its first lines, and build its parser.

use std::borrow::Cow;

use super::clock::Clock;
use super::cowrie::{self, CowrieParser};
use super::generic::{GenericParser, emit_addresses};
use super::journal::{self, JournalParser};
use super::syslog::{self, SyslogParser};
use super::web::{self, WebParser};
use super::{Event, Format, Kind, LineCtx, LineOutcome, LineParser, sshd, ufw};

/// How many non-empty lines [`detect`] looks at.
pub const SAMPLE_LINES: usize = 50;

/// Guess the format of a file from a sample of its first non-empty lines: the format that
/// claims most lines wins; ties and unclaimed text are `generic`.
pub fn detect<'a>(lines: impl IntoIterator<Item = &'a [u8]>) -> Format {
    let mut votes = [0usize; 6];
    let order = [
        Format::Journal,
        Format::Cowrie,
        Format::Web,
        Format::Ufw,
        Format::Sshd,
        Format::Generic,
    ];
    for line in lines {
        if let Some(f) = vote(line) {
            votes[order.iter().position(|&o| o == f).unwrap_or(5)] += 1;
        }
    }
    let best = (0..order.len()).max_by_key(|&i| (votes[i], usize::MAX - i));
    match best {
        Some(i) if votes[i] > 0 => order[i],
        _ => Format::Generic,
    }
}

fn vote(line: &[u8]) -> Option<Format> {
    if journal::looks_like(line) {
        return Some(Format::Journal);
    }
    if cowrie::looks_like(line) {
        return Some(Format::Cowrie);
    }
    if web::looks_like(line) {
        return Some(Format::Web);
    }
    if ufw::looks_like(line) {
        return Some(Format::Ufw);
    }
    let text = String::from_utf8_lossy(line);
    let l = syslog::split(&text, &mut Clock::utc(2000));
    if l.stamped && l.program.is_some() {
        // Any syslog file (auth.log, secure, syslog, journalctl -o short): the syslog parser
        // handles sshd and the kernel's firewall lines and keeps every other program's addresses.
        return Some(Format::Sshd);
    }
    if matches!(sshd::classify(&text), sshd::Classified::Event(_)) {
        // `journalctl -o cat`: bare sshd messages.
        return Some(Format::Sshd);
    }
    None
}

/// The parser for `format`. `clock` gives times without a year or zone theirs.
pub fn parser_for(format: Format, clock: Clock) -> Box<dyn LineParser + Send> {
    match format {
        // The syslog parser dispatches on the program name: sshd lines, kernel firewall lines
        // and any other program's addresses all come out of one parser.
        Format::Sshd | Format::Ufw => Box::new(WithFallback(SyslogParser::new(clock), "syslog")),
        Format::Web => Box::new(WithFallback(WebParser::new(), "web")),
        Format::Journal => Box::new(WithFallback(JournalParser::default(), "journal")),
        Format::Cowrie => Box::new(WithFallback(CowrieParser::new(), "cowrie")),
        Format::Generic => Box::new(GenericParser { clock }),
    }
}

/// Makes sure no address is lost: a line the format could not read, and from which it emitted
/// nothing, still yields its addresses as `other` events.
struct WithFallback<P>(P, &'static str);

impl<P: LineParser> LineParser for WithFallback<P> {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        let mut emitted = false;
        let outcome = self.0.parse_line(line, ctx, &mut |ev| {
            emitted = true;
            emit(ev)
        });
        if outcome.unparsed && !emitted {
            emit_addresses(line, Kind::Other, Cow::Borrowed(self.1), None, ctx, emit);
        }
        outcome
    }

    fn save_state(&self) -> Option<String> {
        self.0.save_state()
    }

    fn restore_state(&mut self, state: &str) -> Result<(), String> {
        self.0.restore_state(state)
    }
}
