//! The follower: `tail -F` for the history. It ingests the followed files whenever the file
//! system says their directory changed (inotify through `notify`), and at least every poll
//! interval (for file systems that say nothing), through the history's exactly-once path:
//!
//! - each followed `FILE` is ingested with its rotated siblings (`FILE.1`, `FILE.2.gz`, …), so
//!   after logrotate renames it the unread tail is read from `FILE.1` and the new `FILE` from
//!   its start; a copytruncate is a new file with new first bytes; a file that appears later
//!   is read when it appears;
//! - the journal is read after the stored cursor;
//! - every stored batch becomes a `batch` message on the stream (its addresses' records and
//!   the new totals), or a `reset` when it changed too many addresses to send;
//! - the writer's turn is taken for each pass, so a `logmap ingest` from cron can take its
//!   turn in between; on stop the pass in progress finishes and commits;
//! - only a change to a followed file or a rotated sibling starts a pass: not a read (every
//!   pass opens the files, and inotify reports that), not the history or anything else in the
//!   same directory;
//! - a problem (a followed path that is a directory, unreadable, …) is logged once when it
//!   appears or changes, reminded of every [`REMIND`], said to be over when it is, and shown by
//!   `/healthz` for as long as it lasts; the path is tried again at every poll.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use notify::{RecursiveMode, Watcher};
use serde::Serialize;

use super::{AppState, ServeConfig};
use crate::enrich::Geo;
use crate::store::Store;
use crate::store::ingest::ingest_with;
use crate::store::write::{Committed, Ids};

/// What the follower last did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Health {
    pub following: Vec<String>,
    /// When the last pass ended.
    pub last_pass: Option<i64>,
    /// Lines stored since the server started.
    pub lines: u64,
    /// The problems that last until now (`path: what`, `; ` between them), if any.
    pub last_error: Option<String>,
}

/// A batch that changed more addresses than this is announced as a `reset` (the page
/// refetches) rather than sent record by record.
pub const MAX_BATCH_RECORDS: usize = 2000;

/// After a notification, wait this long for the writer to finish its burst.
const SETTLE: Duration = Duration::from_millis(20);

/// A problem that lasts is logged again this often.
pub const REMIND: Duration = Duration::from_secs(60);

/// Whether `name` is the followed file `followed` or one of its rotated siblings (as
/// [`expand`] finds them).
fn of_family(name: &OsStr, followed: &OsStr) -> bool {
    let (n, f) = (name.as_encoded_bytes(), followed.as_encoded_bytes());
    n == f
        || (n.len() > f.len() && n.starts_with(f) && n[f.len()] == b'.' && !n.ends_with(b".lock"))
}

/// Whether a file-system event may mean new lines: a change (not a read: each pass opens the
/// files, and a notification of that would start the next pass at once, forever) to a followed
/// file or a rotated sibling (not to the history or anything else in the directory). An event
/// that names no path (the kernel's queue overflowed) counts.
fn concerns(e: &notify::Event, names: &[OsString]) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    match e.kind {
        // A file written and closed: the writer's burst is over.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
        EventKind::Access(_) => return false,
        _ => {}
    }
    e.need_rescan()
        || e.paths.is_empty()
        || e.paths.iter().any(|p| {
            p.file_name()
                .is_some_and(|n| names.iter().any(|f| of_family(n, f)))
        })
}

/// The problems of the follower that last, by what they concern (an input's path, or
/// `ingest` for the pass as a whole). A pass fails the same way until someone fixes the cause,
/// and passes come every poll interval or file-system notification: each problem is logged
/// when it appears or changes, again every [`REMIND`] while it lasts, and once when it is over.
#[derive(Default)]
struct Problems {
    /// The message, and when it was last logged.
    current: BTreeMap<String, (String, Instant)>,
}

impl Problems {
    /// The problems of a pass at `now`: `found` replaces those of the keys `covers` accepts.
    /// What to log.
    fn update(
        &mut self,
        found: BTreeMap<String, String>,
        covers: impl Fn(&str) -> bool,
        now: Instant,
    ) -> Vec<String> {
        let mut say = Vec::new();
        self.current.retain(|key, _| {
            let keep = !covers(key) || found.contains_key(key);
            if !keep {
                say.push(format!("{key}: no longer a problem"));
            }
            keep
        });
        for (key, msg) in found {
            match self.current.get_mut(&key) {
                Some((old, at)) if *old == msg => {
                    if now.saturating_duration_since(*at) >= REMIND {
                        say.push(format!("{key}: {msg} (still; tried again every poll)"));
                        *at = now;
                    }
                }
                _ => {
                    say.push(format!("{key}: {msg}"));
                    self.current.insert(key, (msg, now));
                }
            }
        }
        say
    }

    /// For `/healthz`: every current problem, or `None`.
    fn summary(&self) -> Option<String> {
        (!self.current.is_empty()).then(|| {
            self.current
                .iter()
                .map(|(k, (m, _))| format!("{k}: {m}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }
}

/// The files of a pass: each followed file that exists and its rotated siblings.
pub fn expand(follow: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in follow {
        if f.exists() {
            out.push(f.clone());
        }
        let (Some(dir), Some(name)) = (f.parent(), f.file_name().and_then(|n| n.to_str())) else {
            continue;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let prefix = format!("{name}.");
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut siblings: Vec<PathBuf> = entries
                .flatten()
                .filter(|e| {
                    e.file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with(&prefix) && !n.ends_with(".lock"))
                })
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.path())
                .collect();
            siblings.sort();
            out.extend(siblings);
        }
    }
    out.dedup();
    out
}

/// Follow until `stop`. Errors of a pass are logged and kept for `/healthz`; the follower goes
/// on (a log that is briefly unreadable does not stop the server).
pub fn run(cfg: &ServeConfig, geo: &Geo, state: &AppState, stop: &AtomicBool) -> Result<()> {
    let located_with = geo
        .describe()
        .iter()
        .map(|d| d.summary())
        .collect::<Vec<_>>()
        .join(" + ");
    let (mut store, lock) = Store::open_for_writing(&cfg.db, Duration::from_secs(3))?;
    drop(lock);
    if let Ok(mut h) = state.health.lock() {
        h.following = cfg.follow.iter().map(|p| p.display().to_string()).collect();
        if cfg.journal {
            h.following.push("journal".into());
        }
    }
    if cfg.follow.is_empty() && !cfg.journal {
        while !stop.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(100));
        }
        return Ok(());
    }
    let (tx, rx) = mpsc::channel::<()>();
    let names: Vec<OsString> = cfg
        .follow
        .iter()
        .filter_map(|f| f.file_name().map(OsStr::to_os_string))
        .collect();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if res.as_ref().is_ok_and(|e| !concerns(e, &names)) {
            return;
        }
        let _ = tx.send(());
    });
    if let Ok(w) = &mut watcher {
        let mut dirs: Vec<PathBuf> = cfg
            .follow
            .iter()
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .map(|d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d
                }
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in dirs {
            if let Err(e) = w.watch(&d, RecursiveMode::NonRecursive) {
                tracing::warn!("cannot watch {}: {e}; polling it", d.display());
            }
        }
    } else if let Err(e) = &watcher {
        tracing::warn!("no file-system notifications ({e}); polling");
    }
    let mut ids = Ids::load(&store)?;
    let mut headline = Headline::default();
    let mut problems = Problems::default();
    loop {
        pass(
            cfg,
            geo,
            &located_with,
            &mut store,
            &mut ids,
            &mut headline,
            &mut problems,
            state,
        );
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Wait for a change or the poll interval, checking for a stop now and then.
        let mut waited = Duration::ZERO;
        let step = Duration::from_millis(100).min(cfg.poll);
        while waited < cfg.poll {
            match rx.recv_timeout(step) {
                Ok(()) => {
                    std::thread::sleep(SETTLE);
                    while rx.try_recv().is_ok() {}
                    break;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    waited += step;
                    headline.catch_up(&store, state);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(step);
                    waited += step;
                }
            }
            if stop.load(Ordering::SeqCst) {
                break;
            }
        }
    }
}

/// One pass: ingest what is new, publish each stored batch.
#[allow(clippy::too_many_arguments)]
fn pass(
    cfg: &ServeConfig,
    geo: &Geo,
    located_with: &str,
    store: &mut Store,
    ids: &mut Ids,
    headline: &mut Headline,
    problems: &mut Problems,
    state: &AppState,
) {
    let mut opts = cfg.ingest.clone();
    opts.files = expand(&cfg.follow);
    opts.journal = cfg.journal;
    let mut committed: Vec<Committed> = Vec::new();
    let result = (|| -> Result<_> {
        let _turn = store.lock(Duration::from_secs(3))?;
        let mut hook = |c: &Committed| committed.push(c.clone());
        ingest_with(
            store,
            &opts,
            geo,
            located_with.to_string(),
            ids,
            Some(&mut hook),
        )
    })();
    const WHOLE: &str = "ingest";
    let lines = match result {
        Ok(summary) => {
            // Every input was looked at: their problems are all there are.
            let found = summary
                .inputs
                .iter()
                .filter_map(|i| Some((i.name.clone(), i.error.clone()?)))
                .collect();
            for m in problems.update(found, |_| true, Instant::now()) {
                tracing::warn!("{m}");
            }
            summary.lines
        }
        Err(e) => {
            // The pass stopped early: what the inputs' problems are now is not known.
            let found = BTreeMap::from([(WHOLE.to_string(), format!("{e:#}"))]);
            for m in problems.update(found, |k| k == WHOLE, Instant::now()) {
                tracing::warn!("{m}");
            }
            // What was committed before it stopped stays.
            committed.iter().map(|c| c.lines).sum()
        }
    };
    for c in &committed {
        let summary = headline.get(store);
        publish(store, state, c, &summary);
    }
    if let Ok(mut h) = state.health.lock() {
        h.last_pass = Some(crate::pipeline::now());
        h.lines += lines;
        h.last_error = problems.summary();
    }
}

/// The totals, recomputed at most every [`Headline::EVERY`] (they scan the addresses, and a
/// busy log stores many small batches a second). When a batch went out with older totals, a
/// `totals` message follows once the interval is over.
#[derive(Default)]
struct Headline {
    at: Option<Instant>,
    value: serde_json::Value,
    /// A batch was stored after `value` was computed.
    behind: bool,
}

impl Headline {
    const EVERY: Duration = Duration::from_millis(250);

    fn get(&mut self, store: &Store) -> serde_json::Value {
        if self.at.is_some_and(|t| t.elapsed() < Self::EVERY) {
            self.behind = true;
        } else {
            self.refresh(store);
        }
        self.value.clone()
    }

    fn refresh(&mut self, store: &Store) {
        match store.headline() {
            Ok(t) => {
                self.value = serde_json::to_value(t).unwrap_or_default();
                self.at = Some(Instant::now());
                self.behind = false;
            }
            Err(e) => tracing::warn!("totals: {e:#}"),
        }
    }

    /// If a batch went out with old totals and the interval is over, send the new ones.
    fn catch_up(&mut self, store: &Store, state: &AppState) {
        if self.behind && self.at.is_none_or(|t| t.elapsed() >= Self::EVERY) {
            self.refresh(store);
            state
                .hub
                .publish("totals", serde_json::json!({ "summary": self.value }));
        }
    }
}

fn publish(store: &Store, state: &AppState, c: &Committed, summary: &serde_json::Value) {
    let public: Vec<IpAddr> = c
        .addresses
        .iter()
        .copied()
        .filter(|ip| crate::parse::scope::scope(*ip).is_global())
        .collect();
    if public.len() > MAX_BATCH_RECORDS {
        state
            .hub
            .publish("reset", serde_json::json!({ "lines": c.lines }));
        return;
    }
    match super::api::batch_message(store, &public, &c.new, c.lines, summary) {
        Ok(data) => state.hub.publish("batch", data),
        Err(e) => {
            tracing::warn!("building a stream message: {e:#}");
            state
                .hub
                .publish("reset", serde_json::json!({ "lines": c.lines }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_said_when_it_appears_changes_lasts_a_minute_and_ends() {
        let mut p = Problems::default();
        let t = Instant::now();
        let found = |v: &[(&str, &str)]| -> BTreeMap<String, String> {
            v.iter()
                .map(|(k, m)| (k.to_string(), m.to_string()))
                .collect()
        };
        let all = |_: &str| true;
        let dir = [("/tmp", "is a directory")];
        assert_eq!(p.update(found(&dir), all, t), ["/tmp: is a directory"]);
        for s in [0, 1, 30, 59] {
            let now = t + Duration::from_secs(s);
            assert!(p.update(found(&dir), all, now).is_empty(), "{s} s");
        }
        assert_eq!(p.summary().as_deref(), Some("/tmp: is a directory"));
        let said = p.update(found(&dir), all, t + REMIND);
        assert_eq!(
            said,
            ["/tmp: is a directory (still; tried again every poll)"]
        );
        assert!(p.update(found(&dir), all, t + REMIND * 3 / 2).is_empty());
        // Another problem with the same path: said at once.
        let denied = [("/tmp", "permission denied")];
        let said = p.update(found(&denied), all, t + REMIND * 3 / 2);
        assert_eq!(said, ["/tmp: permission denied"]);
        // A failed pass knows nothing of the inputs: their problems stay.
        let whole = [("ingest", "database is locked")];
        let said = p.update(found(&whole), |k| k == "ingest", t + REMIND * 2);
        assert_eq!(said, ["ingest: database is locked"]);
        assert_eq!(
            p.summary().as_deref(),
            Some("/tmp: permission denied; ingest: database is locked")
        );
        // A good pass: both over, said once each.
        let said = p.update(found(&[]), all, t + REMIND * 2);
        assert_eq!(
            said,
            ["/tmp: no longer a problem", "ingest: no longer a problem"]
        );
        assert!(p.update(found(&[]), all, t + REMIND * 2).is_empty());
        assert_eq!(p.summary(), None);
        // Back: said again.
        assert_eq!(p.update(found(&dir), all, t + REMIND * 2).len(), 1);
    }

    #[test]
    fn only_changes_to_a_followed_file_or_its_siblings_wake_the_follower() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind, RenameMode,
        };
        let names = [OsString::from("auth.log"), OsString::from("tmp")];
        let event = |kind, path: &str| notify::Event::new(kind).add_path(PathBuf::from(path));
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let closed_read = EventKind::Access(AccessKind::Close(AccessMode::Read));
        let closed_write = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let created = EventKind::Create(CreateKind::File);
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        for (kind, path) in [
            (write, "/var/log/auth.log"),
            (closed_write, "/var/log/auth.log"),
            (created, "/var/log/auth.log"),
            (renamed, "/var/log/auth.log.1"),
            (write, "/var/log/auth.log.2.gz"),
            (created, "/tmp"),
        ] {
            assert!(concerns(&event(kind, path), &names), "{kind:?} {path}");
        }
        for (kind, path) in [
            // A pass reading the files.
            (open, "/var/log/auth.log"),
            (closed_read, "/var/log/auth.log"),
            (open, "/tmp"),
            // The history, or anything else, in the same directory.
            (write, "/var/log/h.db"),
            (write, "/var/log/h.db-journal"),
            (write, "/var/log/auth.log.lock"),
            (write, "/var/log/auth.logger"),
            (write, "/var/log/syslog"),
        ] {
            assert!(!concerns(&event(kind, path), &names), "{kind:?} {path}");
        }
        // No path: the kernel lost events; look.
        assert!(concerns(&notify::Event::new(write), &names));
    }
}
