//! `journalctl -o json` (and `-o json-seq` without its separators): one JSON object per line.
//! The message goes through the same classifiers as a syslog line; the program comes from
//! `SYSLOG_IDENTIFIER` (or `_COMM`), the time from `__REALTIME_TIMESTAMP` (microseconds).

use std::borrow::Cow;

use serde::Deserialize;

use super::syslog::{ClassifierState, MessageClassifier};
use super::{Event, LineCtx, LineOutcome, LineParser, Timestamp};

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(rename = "__REALTIME_TIMESTAMP", borrow, default)]
    realtime: Option<Cow<'a, str>>,
    #[serde(rename = "SYSLOG_IDENTIFIER", borrow, default)]
    identifier: Option<Cow<'a, str>>,
    #[serde(rename = "_COMM", borrow, default)]
    comm: Option<Cow<'a, str>>,
    #[serde(rename = "_PID", borrow, default)]
    pid: Option<Cow<'a, str>>,
    #[serde(rename = "SYSLOG_PID", borrow, default)]
    syslog_pid: Option<Cow<'a, str>>,
    #[serde(rename = "_HOSTNAME", borrow, default)]
    hostname: Option<Cow<'a, str>>,
    #[serde(rename = "MESSAGE", borrow, default)]
    message: Option<Message<'a>>,
}

/// journald writes a message that is not valid UTF-8 as an array of byte values.
#[derive(Deserialize)]
#[serde(untagged)]
enum Message<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Bytes(Vec<u8>),
}

/// A field that borrows from the line: `Some(None)` when absent, `None` when it had to be
/// unescaped into an owned string.
fn borrowed<'a>(field: &Option<Cow<'a, str>>) -> Option<Option<&'a str>> {
    match field {
        None => Some(None),
        Some(Cow::Borrowed(s)) => Some(Some(s)),
        Some(Cow::Owned(_)) => None,
    }
}

/// Does this line look like a `journalctl -o json` record?
pub fn looks_like(line: &[u8]) -> bool {
    line.starts_with(b"{") && memchr::memmem::find(line, b"\"__REALTIME_TIMESTAMP\"").is_some()
}

/// The parser for `journalctl -o json` output.
#[derive(Default)]
pub struct JournalParser {
    classifier: MessageClassifier,
}

impl LineParser for JournalParser {
    fn parse_line<'a>(
        &mut self,
        line: &'a [u8],
        ctx: LineCtx,
        emit: &mut dyn FnMut(&Event<'a>),
    ) -> LineOutcome {
        // `-o json-seq` starts each record with an ASCII record separator.
        let line = line.strip_prefix(b"\x1e").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return LineOutcome::default();
        }
        let Ok(rec) = serde_json::from_slice::<Record<'a>>(line) else {
            return LineOutcome { unparsed: true };
        };
        let ts: Option<Timestamp> = rec
            .realtime
            .as_deref()
            .and_then(|us| us.parse::<i64>().ok())
            .map(|us| us.div_euclid(1_000_000));
        let pid = rec
            .syslog_pid
            .as_deref()
            .or(rec.pid.as_deref())
            .and_then(|p| p.parse().ok());
        let program = rec.identifier.or(rec.comm);
        let message = match rec.message {
            Some(Message::Text(t)) => t,
            Some(Message::Bytes(b)) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
            None => return LineOutcome::default(),
        };
        if let (Some(host), Some(program), Cow::Borrowed(m)) =
            (borrowed(&rec.hostname), borrowed(&program), &message)
        {
            return self
                .classifier
                .classify(host, program, pid, ts, m, ctx, emit);
        }
        // Escapes in the JSON made owned strings: classify them and hand out owned events.
        let host = rec.hostname.map(Cow::into_owned);
        let program = program.map(Cow::into_owned);
        let message = message.into_owned();
        self.classifier.classify(
            host.as_deref(),
            program.as_deref(),
            pid,
            ts,
            &message,
            ctx,
            &mut |ev| emit(&ev.clone().into_owned()),
        )
    }

    fn save_state(&self) -> Option<String> {
        serde_json::to_string(&self.classifier.save()).ok()
    }

    fn restore_state(&mut self, state: &str) -> Result<(), String> {
        let state: ClassifierState =
            serde_json::from_str(state).map_err(|e| format!("unreadable parser state: {e}"))?;
        self.classifier.restore(&state);
        Ok(())
    }
}
