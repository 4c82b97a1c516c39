//! Store: the history. One SQLite file (WAL) that `logmap ingest` adds to and every view can
//! read instead of log files.
//!
//! # Exactly once
//!
//! Every input has a row in `sources` saying how far it has been stored: the byte offset of
//! the text after the last whole line stored, the line count, and the parser's state at that
//! point (sshd's per-connection state, so an attempt logged across two runs counts once). One
//! transaction per batch moves that position *and* adds the batch's events and counters, so
//! "read up to here" and "rows stored" can never disagree: a crash at any point (`kill -9`,
//! power loss) rolls back the unfinished batch, and the next run reads it again from the
//! committed position. Two runs on one store take turns (a lock file beside the database), so
//! they never read the same lines.
//!
//! Inputs are recognised by their content, not their name (see [`sources`]): a rotated file is
//! found again as `auth.log.1` or inside `auth.log.2.gz`, and its unread tail is read once.
//!
//! # Layout
//!
//! [`Store`] opens, checks, creates and migrates the file (`schema.sql`, version
//! [`SCHEMA_VERSION`]); [`sources`] decides where each input resumes; [`write`] commits a batch;
//! [`read`] turns the stored counters back into the aggregator every view renders from.

pub mod events;
pub mod ingest;
pub mod live;
pub mod read;
pub mod sources;
pub mod write;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

/// The schema this logmap writes.
pub const SCHEMA_VERSION: i64 = 2;

/// SQLite's `application_id` of a logmap store ("LMAP"), so another program's database is not
/// taken for one.
const APPLICATION_ID: i64 = 0x4C4D_4150;

/// The schema of version 1.
const SCHEMA_V1: &str = include_str!("schema.sql");

/// Forward migrations: `MIGRATIONS[i]` takes a store from version `i + 1` to `i + 2`. A new
/// store is made from version 1 and every migration.
const MIGRATIONS: &[&str] = &[include_str!("migrate_v2.sql")];

/// Where the history lives by default: `LOGMAP_DB`, else `$XDG_DATA_HOME/logmap/logmap.db`
/// (`~/.local/share/logmap/logmap.db`).
pub fn default_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LOGMAP_DB").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    crate::enrich::db::data_dir().map(|d| d.join("logmap.db"))
}

/// An open store.
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// The writer's turn: while it lives, no other logmap writes to the store (see
/// [`Store::lock`]).
#[derive(Debug)]
pub struct WriteLock {
    _file: File,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Open `path` to add to it, creating it (and its directory) if needed, and take the
    /// writer's turn for as long as the returned lock lives (waiting for another writer; after
    /// `notice` it says so once on stderr).
    pub fn open_for_writing(path: &Path, notice: Duration) -> Result<(Store, WriteLock)> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create the directory {}", dir.display()))?;
        }
        // A file that is not a logmap history is refused before its lock file is made: the
        // lock belongs beside a history, not beside someone's log.
        if std::fs::metadata(path).is_ok_and(|m| m.len() > 0) {
            check_header(path)?;
        }
        let lock = Store::lock_path(path, notice)?;
        let existed = std::fs::metadata(path).is_ok_and(|m| m.len() > 0);
        if !existed {
            create(path)?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open {}", path.display()))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.prepare()?;
        Ok((store, lock))
    }

    /// Take the writer's turn again (a long-lived writer takes it for each pass, so that a
    /// `logmap ingest` from cron can take its turn in between).
    pub fn lock(&self, notice: Duration) -> Result<WriteLock> {
        Store::lock_path(&self.path, notice)
    }

    /// Open `path` to read it. It must exist and be a logmap store of a version this logmap
    /// knows (an older one is read as it is; `ingest` migrates it).
    pub fn open_for_reading(path: &Path) -> Result<Store> {
        if !path.exists() {
            bail!(
                "{}: no history there yet (run `logmap ingest FILES --db {}` first)",
                path.display(),
                path.display()
            );
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("cannot open {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.version()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of this store, after checking that it is one of logmap's and not
    /// newer than this logmap.
    pub(crate) fn version(&self) -> Result<i64> {
        let name = self.path.display();
        let app: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| anyhow!("{name}: not a logmap history ({e})"))?;
        if app != APPLICATION_ID {
            bail!("{name}: not a logmap history (an SQLite database of another program)");
        }
        let v: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| anyhow!("{name}: damaged logmap history ({e})"))?;
        let v: i64 = v
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("{name}: damaged logmap history (no schema version)"))?;
        if v > SCHEMA_VERSION {
            bail!(
                "{name}: written by a newer logmap (schema version {v}; this one knows up to \
                 {SCHEMA_VERSION}): upgrade logmap"
            );
        }
        Ok(v)
    }

    /// Check the file, set the connection up, and migrate an older schema.
    fn prepare(&mut self) -> Result<()> {
        let name = self.path.display().to_string();
        self.conn.busy_timeout(Duration::from_secs(30))?;
        // Reading the header tells a corrupt or foreign file before anything is written.
        let mut v = self.version()?;
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| anyhow!("{name}: {e}"))?;
        // WAL with NORMAL: a power loss may lose the last batches, never corrupt the file;
        // their positions are lost with them, so the next run reads them again.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        // A bigger page cache (64 MiB at most, used only as pages are touched) keeps the
        // address tables in memory across batches instead of re-reading them.
        self.conn.pragma_update(None, "cache_size", -65536)?;
        // Every statement of a batch stays prepared (the default keeps 16, fewer than a
        // batch uses, and re-preparing cost more than a tenth of an ingest).
        self.conn.set_prepared_statement_cache_capacity(64);
        while v < SCHEMA_VERSION {
            let sql = MIGRATIONS[(v - 1) as usize];
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
                [(v + 1).to_string()],
            )?;
            tx.commit()
                .map_err(|e| anyhow!("{name}: cannot migrate to version {}: {e}", v + 1))?;
            v += 1;
        }
        Ok(())
    }
}

/// Refuse a file whose header is not an SQLite database's with logmap's `application_id`,
/// with the words [`Store::version`] uses, reading only its first 100 bytes (no SQLite, no
/// lock). A file that passes is checked in full after the lock is taken.
fn check_header(path: &Path) -> Result<()> {
    use std::io::Read;
    let name = path.display();
    let mut header = Vec::with_capacity(100);
    File::open(path)
        .and_then(|f| f.take(100).read_to_end(&mut header))
        .with_context(|| format!("cannot read {name}"))?;
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        bail!("{name}: not a logmap history (file is not a database)");
    }
    // The application id: a big-endian 32-bit integer at offset 68 of the header.
    let app = i64::from(u32::from_be_bytes([
        header[68], header[69], header[70], header[71],
    ]));
    if app != APPLICATION_ID {
        bail!("{name}: not a logmap history (an SQLite database of another program)");
    }
    Ok(())
}

/// Create a new store at `path`: built whole in a temporary file beside it and renamed into
/// place, so a failure (a full disk) leaves no half-made store behind.
fn create(path: &Path) -> Result<()> {
    let name = path.display();
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::Builder::new()
        .prefix(".logmap-db-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    {
        let mut conn = Connection::open(tmp.path())
            .map_err(|e| anyhow!("{name}: cannot create the history: {e}"))?;
        let tx = conn.transaction()?;
        std::iter::once(SCHEMA_V1)
            .chain(MIGRATIONS.iter().copied())
            .try_for_each(|sql| tx.execute_batch(sql))
            .and_then(|()| {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('created_by', ?2)",
                    (SCHEMA_VERSION.to_string(), crate::GENERATOR),
                )
            })
            .and_then(|_| tx.pragma_update(None, "application_id", APPLICATION_ID))
            .and_then(|()| tx.commit())
            .map_err(|e| anyhow!("{name}: cannot create the history: {e}"))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| anyhow!("{name}: cannot create the history: {e}"))?;
        conn.close()
            .map_err(|(_, e)| anyhow!("{name}: cannot create the history: {e}"))?;
    }
    tmp.persist(path)
        .map_err(|e| anyhow!("{name}: cannot create the history: {}", e.error))?;
    Ok(())
}

impl Store {
    /// Take the writer's lock (`PATH.lock`), waiting for another writer. Says once that it waits.
    fn lock_path(path: &Path, notice: Duration) -> Result<WriteLock> {
        let mut lock_path = path.as_os_str().to_owned();
        lock_path.push(".lock");
        let lock_path = PathBuf::from(lock_path);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("cannot write {}", lock_path.display()))?;
        let start = Instant::now();
        let mut said = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WriteLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !said && start.elapsed() >= notice {
                        crate::render::note(format_args!(
                            "logmap: {}: another logmap is writing to this history; waiting for it",
                            crate::render::text::escape(&path.display().to_string())
                        ));
                        said = true;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
                }
            }
        }
    }
}
