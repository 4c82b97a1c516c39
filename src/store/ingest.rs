//! `logmap ingest`: read what is new in each input since the last run and store it.
//!
//! Files are looked at first ([`Candidate::inspect`]), matched with what the store knows
//! ([`sources::position`]) and read oldest first (a rotated set in time order). Each file is
//! read from its stored offset by a reading thread, in batches of lines; the calling thread
//! commits each batch (see `write.rs`). A last line without its newline is left for the next
//! run (it may still be being written), except in `.gz` files, which are final. Journals are
//! read with `journalctl -o json`, after the stored cursor.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow};
use rusqlite::params;

use super::Store;
use super::sources::{self, Candidate};
use super::write::{Batch, Committed, Ids, Position, Writer};
use crate::enrich::Locate;
use crate::parse::clock::{Clock, YearRule, Zone};
use crate::parse::detect::{self, SAMPLE_LINES};
use crate::parse::journal::JournalParser;
use crate::parse::timestamp::syslog_month;
use crate::parse::{Format, LineCtx, LineParser, Timestamp};
use crate::source::{self, InputSpec, LineReader};

/// What to ingest, and how.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    pub files: Vec<PathBuf>,
    /// Read the system journal (`journalctl`).
    pub journal: bool,
    /// Journal files to read (`journalctl --file`).
    pub journal_files: Vec<PathBuf>,
    /// `--input-format`; `None` detects per new file.
    pub format: Option<Format>,
    pub zone: Zone,
    pub year: Option<i64>,
    /// Keep raw events this many seconds (`None`: for ever).
    pub keep_events: Option<i64>,
    /// Locate every stored address again with the current data.
    pub relocate: bool,
    /// Lines per transaction.
    pub batch_lines: usize,
    /// This machine's name, for inputs whose lines name none.
    pub host: String,
}

/// What happened to one input.
#[derive(Clone, Debug, Default)]
pub struct InputOutcome {
    pub name: String,
    /// The line it resumed after.
    pub from_line: u64,
    /// Lines stored now.
    pub lines: u64,
    /// A remark (rotated, truncated, nothing new…).
    pub note: Option<String>,
    pub error: Option<String>,
}

/// What an ingest run did.
#[derive(Clone, Debug, Default)]
pub struct IngestSummary {
    pub inputs: Vec<InputOutcome>,
    pub lines: u64,
    pub events: u64,
    pub new_addresses: u64,
    /// Raw events pruned past the retention.
    pub pruned: u64,
    /// Addresses located again (`--relocate`).
    pub relocated: u64,
}

/// How many batches may wait to be written while the next is read.
const QUEUE: usize = 1;

fn now() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as Timestamp)
}

/// Ingest everything `opts` names into `store`. New addresses are located with `geo`
/// (`located_with` names its data). An input that cannot be read is reported in its outcome
/// and the others are still read; a store error stops the run (what was committed stays).
pub fn ingest(
    store: &mut Store,
    opts: &IngestOptions,
    geo: &dyn Locate,
    located_with: String,
) -> Result<IngestSummary> {
    let mut ids = Ids::load(store)?;
    ingest_with(store, opts, geo, located_with, &mut ids, None)
}

/// [`ingest`] with the ids a long-lived writer keeps (see [`Ids`]), telling `on_commit` what
/// each committed batch changed.
pub fn ingest_with<'h>(
    store: &mut Store,
    opts: &IngestOptions,
    geo: &dyn Locate,
    located_with: String,
    ids: &'h mut Ids,
    on_commit: Option<&'h mut dyn FnMut(&Committed)>,
) -> Result<IngestSummary> {
    let started = now();
    store
        .conn
        .execute("INSERT INTO ingests (started) VALUES (?1)", [started])?;
    let ingest_id = store.conn.last_insert_rowid();
    let mut writer = Writer::new(store, ingest_id, geo, located_with.clone(), ids)?;
    writer.on_commit = on_commit;
    let host_id = writer.host_id(&opts.host)?;
    let mut summary = IngestSummary::default();

    // Look at every file first, then read them oldest first.
    let mut candidates = Vec::new();
    for path in &opts.files {
        match Candidate::inspect(path) {
            Ok(c) => candidates.push(c),
            Err(e) => summary.inputs.push(InputOutcome {
                name: path.display().to_string(),
                error: Some(e.to_string()),
                ..InputOutcome::default()
            }),
        }
    }
    candidates.sort_by_key(|c| c.mtime);
    let mut claimed = HashSet::new();
    for c in &candidates {
        let outcome = ingest_file(&mut writer, opts, c, host_id, &mut claimed)?;
        summary.inputs.push(outcome);
    }
    if opts.journal {
        summary
            .inputs
            .push(ingest_journal(&mut writer, opts, None, host_id)?);
    }
    for f in &opts.journal_files {
        summary
            .inputs
            .push(ingest_journal(&mut writer, opts, Some(f), host_id)?);
    }
    summary.lines = writer.lines;
    summary.events = writer.events;
    summary.new_addresses = writer.new_addresses;

    if opts.relocate {
        summary.relocated = relocate(store, geo, &located_with)?;
    }
    let tx = store.conn.transaction()?;
    // The retention in force, for the views' warning when a time filter reaches past it.
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('keep_events', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [retention_name(opts.keep_events)],
    )?;
    if let Some(keep) = opts.keep_events {
        let cutoff = now() - keep;
        let pruned: i64 = tx.query_row(
            "SELECT COALESCE(SUM(count), 0) FROM events WHERE max_ts < ?1",
            [cutoff],
            |r| r.get(0),
        )?;
        tx.execute("DELETE FROM events WHERE max_ts < ?1", [cutoff])?;
        summary.pruned = pruned as u64;
    }
    // The windows need the last week of the data, by the minute.
    tx.execute(
        "DELETE FROM minutes WHERE minute < (SELECT MAX(minute) FROM minutes) - ?1",
        [8 * 86400],
    )?;
    if summary.lines == 0 {
        // Nothing stored: no run to remember (a live server looks every second).
        tx.execute("DELETE FROM ingests WHERE id = ?1", [ingest_id])?;
    } else {
        tx.execute(
            "UPDATE ingests SET finished = ?2 WHERE id = ?1",
            params![ingest_id, now()],
        )?;
    }
    tx.commit()?;
    Ok(summary)
}

/// `--keep-events` as the user would write it: `forever`, or a duration in days (hours,
/// seconds when not whole).
fn retention_name(keep: Option<i64>) -> String {
    match keep {
        None => "forever".into(),
        Some(s) if s % 86400 == 0 => format!("{}d", s / 86400),
        Some(s) if s % 3600 == 0 => format!("{}h", s / 3600),
        Some(s) => format!("{s}s"),
    }
}

/// Read one file from where it stands into the store.
fn ingest_file(
    writer: &mut Writer<'_, '_>,
    opts: &IngestOptions,
    c: &Candidate,
    host_id: i64,
    claimed: &mut HashSet<i64>,
) -> Result<InputOutcome> {
    let name = c.path.display().to_string();
    let mut out = InputOutcome {
        name: name.clone(),
        ..InputOutcome::default()
    };
    if c.head.is_empty() {
        out.note = Some("empty".into());
        return Ok(out);
    }
    let conn = &writer.store().conn;
    let pos = sources::position(conn, c, claimed)?;
    // The head of the file decides its format (when new) and its syslog year.
    let head = match read_head(&c.path) {
        Ok(h) => h,
        Err(e) => {
            out.error = Some(e.to_string());
            return Ok(out);
        }
    };
    let format = opts
        .format
        .or(pos.format)
        .unwrap_or_else(|| detect::detect(head.iter().map(Vec::as_slice)));
    let source_id = sources::record(conn, pos.source_id, host_id, c, format)?;
    claimed.insert(source_id);
    let (offset, line, state) = if pos.restart.is_some() {
        conn.execute(
            "UPDATE sources SET \"offset\" = 0, line = 0, state = NULL WHERE id = ?1",
            [source_id],
        )?;
        (0, 0, None)
    } else {
        (pos.offset, pos.line, pos.state.clone())
    };
    out.from_line = line;
    out.note = pos.restart.map(str::to_string);
    let clock = Clock::new(year_rule(opts.year, c.mtime, &head), opts.zone.clone());
    let mut parser = detect::parser_for(format, clock);
    if let Some(s) = &state
        && let Err(e) = parser.restore_state(s)
    {
        out.note = Some(format!("{e}; reading on with a fresh state"));
    }
    let start = Start {
        source_id,
        offset,
        line,
        gzip: c.gzip,
    };
    let batch_lines = opts.batch_lines.max(1);
    let path = c.path.clone();
    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let read = std::thread::scope(|scope| -> Result<Result<u64, String>> {
        let reader = scope.spawn(move || read_file(&path, start, parser, batch_lines, tx));
        let lines = commit_all(writer, rx)?;
        let read = reader
            .join()
            .map_err(|_| anyhow!("{name}: the reading thread failed"))?;
        Ok(read.map(|_| lines))
    })?;
    match read {
        Ok(lines) => {
            out.lines = lines;
            if lines == 0 && out.note.is_none() {
                out.note = Some("nothing new".into());
            }
        }
        Err(e) => out.error = Some(e),
    }
    Ok(out)
}

/// Commit every batch the reader sends; the lines committed.
fn commit_all(writer: &mut Writer<'_, '_>, rx: Receiver<Batch>) -> Result<u64> {
    let mut lines = 0;
    for batch in rx {
        lines += batch.lines;
        writer.commit(batch)?;
    }
    Ok(lines)
}

/// Where a file's reading starts.
#[derive(Clone, Copy)]
struct Start {
    source_id: i64,
    offset: u64,
    line: u64,
    gzip: bool,
}

/// Read `path` from `start` with `parser`, sending a batch every `batch_lines` lines. A read
/// error ends the reading (what was sent stays) and is returned as text.
fn read_file(
    path: &Path,
    start: Start,
    mut parser: Box<dyn LineParser + Send>,
    batch_lines: usize,
    tx: SyncSender<Batch>,
) -> Result<(), String> {
    let spec = InputSpec::Path(path.to_path_buf());
    let input = source::open_at(&spec, start.offset).map_err(|e| e.to_string())?;
    let mut reader = LineReader::new(input.reader);
    let mut batch = Batch::new(start.source_id);
    let mut line_no = start.line;
    let mut error = None;
    // Text bytes taken, up to the end of the last whole line.
    let mut taken = 0;
    loop {
        let (line, partial, consumed) = match reader.next_line_at() {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(e) => {
                error = Some(format!("read error: {e} (the lines before it were stored)"));
                break;
            }
        };
        if partial && !start.gzip {
            // Perhaps still being written: the next run reads it whole.
            break;
        }
        taken = consumed;
        line_no += 1;
        let ctx = LineCtx { source: 0, line_no };
        let outcome = parser.parse_line(line, ctx, &mut |ev| batch.add(ev));
        batch.lines += 1;
        if outcome.unparsed {
            batch.unparsed += 1;
        }
        if batch.lines as usize >= batch_lines {
            batch.position = Position {
                offset: start.offset + taken,
                line: line_no,
                state: parser.save_state(),
                cursor: None,
            };
            if tx
                .send(std::mem::replace(&mut batch, Batch::new(start.source_id)))
                .is_err()
            {
                // The writer stopped (its error is reported there).
                return Ok(());
            }
        }
    }
    if batch.lines > 0 {
        batch.position = Position {
            offset: start.offset + taken,
            line: line_no,
            state: parser.save_state(),
            cursor: None,
        };
        let _ = tx.send(batch);
    }
    error.map_or(Ok(()), Err)
}

/// The first lines of a file (for detecting its format and its first month).
fn read_head(path: &Path) -> Result<Vec<Vec<u8>>> {
    let input = source::open(&InputSpec::Path(path.to_path_buf()))
        .with_context(|| path.display().to_string())?;
    let mut reader = LineReader::new(input.reader);
    let mut head = Vec::new();
    while head.len() < SAMPLE_LINES * 4
        && head.iter().filter(|l: &&Vec<u8>| !l.is_empty()).count() < SAMPLE_LINES
    {
        match reader.next_line() {
            Ok(Some(l)) => head.push(l.to_vec()),
            _ => break,
        }
    }
    Ok(head)
}

/// The year rule of a file: `--year` from its first dated line, or its modification time.
fn year_rule(year: Option<i64>, mtime: Option<SystemTime>, head: &[Vec<u8>]) -> YearRule {
    match year {
        Some(year) => YearRule::StartingIn {
            year,
            first_month: head
                .iter()
                .find_map(|l| {
                    let start = l.iter().take_while(|&&c| c == 0).count();
                    syslog_month(&l[start..])
                })
                .unwrap_or(1),
        },
        None => YearRule::not_after(
            mtime
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or_else(now, |d| d.as_secs() as Timestamp),
        ),
    }
}

/// Read a journal (the system's, or `file`) after its stored cursor.
fn ingest_journal(
    writer: &mut Writer<'_, '_>,
    opts: &IngestOptions,
    file: Option<&Path>,
    host_id: i64,
) -> Result<InputOutcome> {
    let name = file.map_or_else(|| "journal".to_string(), |f| f.display().to_string());
    let mut out = InputOutcome {
        name: name.clone(),
        ..InputOutcome::default()
    };
    let (source_id, cursor, state) = sources::journal(&writer.store().conn, host_id, &name)?;
    let line: i64 = writer.store().conn.query_row(
        "SELECT line FROM sources WHERE id = ?1",
        [source_id],
        |r| r.get(0),
    )?;
    out.from_line = line as u64;
    let mut cmd = Command::new("journalctl");
    cmd.args(["-o", "json", "--no-pager"]);
    if let Some(f) = file {
        cmd.arg("--file").arg(f);
    }
    if let Some(c) = &cursor {
        cmd.arg(format!("--after-cursor={c}"));
    }
    let mut child = match cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) => {
            out.error = Some(format!("cannot run journalctl: {e}"));
            return Ok(out);
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let mut parser = JournalParser::default();
    if let Some(s) = &state
        && let Err(e) = parser.restore_state(s)
    {
        out.note = Some(format!("{e}; reading on with a fresh state"));
    }
    let start_line = line as u64;
    let batch_lines = opts.batch_lines.max(1);
    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let read = std::thread::scope(|scope| -> Result<Result<u64, String>> {
        let reader = scope
            .spawn(move || read_journal(stdout, source_id, start_line, parser, batch_lines, tx));
        let lines = commit_all(writer, rx)?;
        let read = reader
            .join()
            .map_err(|_| anyhow!("{name}: the reading thread failed"))?;
        Ok(read.map(|_| lines))
    })?;
    let status = child.wait()?;
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut stderr);
    }
    match read {
        Ok(lines) => out.lines = lines,
        Err(e) => out.error = Some(e),
    }
    if !status.success() && out.error.is_none() {
        let why = stderr.lines().next().unwrap_or("failed").to_string();
        out.error = Some(format!("journalctl: {why}"));
    }
    if out.lines == 0 && out.note.is_none() && out.error.is_none() {
        out.note = Some("nothing new".into());
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
struct Cursor<'a> {
    #[serde(rename = "__CURSOR", borrow)]
    cursor: Option<std::borrow::Cow<'a, str>>,
}

fn read_journal(
    stdout: impl std::io::Read,
    source_id: i64,
    start_line: u64,
    mut parser: JournalParser,
    batch_lines: usize,
    tx: SyncSender<Batch>,
) -> Result<(), String> {
    let mut lines = BufReader::with_capacity(256 * 1024, stdout);
    let mut buf = Vec::new();
    let mut batch = Batch::new(source_id);
    let mut line_no = start_line;
    let mut cursor: Option<String> = None;
    loop {
        buf.clear();
        match lines.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("reading journalctl: {e}")),
        }
        let line = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if line.is_empty() {
            continue;
        }
        line_no += 1;
        if let Ok(Cursor { cursor: Some(c) }) = serde_json::from_slice::<Cursor>(line) {
            cursor = Some(c.into_owned());
        }
        let ctx = LineCtx { source: 0, line_no };
        let outcome = parser.parse_line(line, ctx, &mut |ev| batch.add(ev));
        batch.lines += 1;
        if outcome.unparsed {
            batch.unparsed += 1;
        }
        if batch.lines as usize >= batch_lines {
            batch.position = Position {
                offset: 0,
                line: line_no,
                state: parser.save_state(),
                cursor: cursor.clone(),
            };
            if tx
                .send(std::mem::replace(&mut batch, Batch::new(source_id)))
                .is_err()
            {
                return Ok(());
            }
        }
    }
    if batch.lines > 0 {
        batch.position = Position {
            offset: 0,
            line: line_no,
            state: parser.save_state(),
            cursor,
        };
        let _ = tx.send(batch);
    }
    Ok(())
}

/// Locate every stored public address again with `geo` (described by `located_with`, the
/// `geo_data` row each address then points at), in one transaction; how many were located.
fn relocate(store: &mut Store, geo: &dyn Locate, located_with: &str) -> Result<u64> {
    let tx = store.conn.transaction()?;
    // `located_with` is a reference to `geo_data`, not the description: a text there broke
    // the foreign key (SQLite enforces them in this build).
    tx.execute(
        "INSERT INTO geo_data (description) VALUES (?1) ON CONFLICT (description) DO NOTHING",
        [located_with],
    )?;
    let geo_id: i64 = tx.query_row(
        "SELECT id FROM geo_data WHERE description = ?1",
        [located_with],
        |r| r.get(0),
    )?;
    let ips: Vec<(i64, String)> = {
        let mut st = tx.prepare("SELECT id, ip FROM addresses WHERE private = 0")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?
    };
    let mut n = 0;
    {
        let mut up = tx.prepare(
            "UPDATE addresses SET country = ?2, country_name = ?3, city = ?4, region = ?5,
             lat = ?6, lon = ?7, accuracy = ?8, asn = ?9, as_org = ?10, located_with = ?11
             WHERE id = ?1",
        )?;
        for (id, ip) in ips {
            let Ok(addr) = ip.parse() else { continue };
            let loc = geo.locate(addr);
            n += up.execute(params![
                id,
                loc.country,
                loc.country_name,
                loc.city,
                loc.region,
                loc.lat,
                loc.lon,
                loc.accuracy.map(|a| a.as_str()),
                loc.asn,
                loc.as_org,
                geo_id,
            ])? as u64;
        }
    }
    tx.commit()?;
    Ok(n)
}

/// The machine's host name (for lines that name none).
pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::Location;
    use std::net::IpAddr;

    struct NoGeo;
    impl Locate for NoGeo {
        fn locate(&self, _: IpAddr) -> Location {
            Location::default()
        }
    }

    fn options(files: Vec<PathBuf>) -> IngestOptions {
        IngestOptions {
            files,
            journal: false,
            journal_files: Vec::new(),
            format: None,
            zone: Zone::utc(),
            year: Some(2026),
            keep_events: None,
            relocate: false,
            batch_lines: 7,
            host: "test".into(),
        }
    }

    /// The per-address counters of a store, sorted.
    fn counters(store: &Store) -> Vec<(String, i64, i64, i64)> {
        let mut st = store
            .conn
            .prepare("SELECT ip, events, failures, successes FROM addresses ORDER BY ip")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// A writer that starts knowing no id (as on a big store) looks each one up and stores
    /// what a writer that knows them all stores.
    #[test]
    fn writers_that_look_ids_up_store_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let text = include_str!("../../demo/auth.log");
        let half = text.len() / 2;
        let cut = text[..half].rfind('\n').unwrap() + 1;
        let log = dir.path().join("auth.log");
        let mut stores = Vec::new();
        for lazy in [false, true] {
            std::fs::write(&log, &text[..cut]).unwrap();
            let db = dir.path().join(format!("h{lazy}.db"));
            let (mut store, _lock) =
                Store::open_for_writing(&db, std::time::Duration::ZERO).unwrap();
            let opts = options(vec![log.clone()]);
            ingest(&mut store, &opts, &NoGeo, "none".into()).unwrap();
            std::fs::write(&log, text).unwrap();
            let mut ids = if lazy {
                Ids::default()
            } else {
                Ids::load(&store).unwrap()
            };
            ingest_with(&mut store, &opts, &NoGeo, "none".into(), &mut ids, None).unwrap();
            stores.push(counters(&store));
        }
        assert!(stores[0].len() > 10);
        assert_eq!(stores[0], stores[1]);
    }
}
