//! Where each input stands: recognising a file again, whatever its name now, and deciding
//! where reading resumes.
//!
//! A file is known by the SHA-256 of its first [`FINGERPRINT_LEN`] bytes of text (decompressed
//! for `.gz`): logrotate's `auth.log` → `auth.log.1` → `auth.log.2.gz` keeps that prefix, so
//! the file is found under each name and its stored position still applies (to the text, which
//! is the same inside gzip). A file shorter than the window is fingerprinted on what it has;
//! when it grows, its first bytes still match and the fingerprint is widened. Device and inode
//! tell a file cut short in place (`copytruncate` or `> auth.log`, then rewritten with the same
//! first bytes) from a renamed one: shorter than its stored position on the same inode, it
//! starts again at 0. A file with new first bytes is a new input and is read from the start.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::parse::Format;
use crate::source::{self, InputSpec, OpenError, read_full};

/// How many bytes of text identify a file.
pub const FINGERPRINT_LEN: usize = 4096;

/// A file named on the command line, looked at before reading.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub path: PathBuf,
    pub device: u64,
    pub inode: u64,
    /// Size on disk (compressed for `.gz`).
    pub size: u64,
    pub mtime: Option<SystemTime>,
    pub gzip: bool,
    /// The first bytes of its text (up to [`FINGERPRINT_LEN`]).
    pub head: Vec<u8>,
}

impl Candidate {
    /// Stat and read the start of `path`.
    pub fn inspect(path: &Path) -> Result<Candidate, OpenError> {
        let input = source::open(&InputSpec::Path(path.to_path_buf()))?;
        let meta = std::fs::metadata(path)?;
        let (device, inode) = dev_ino(&meta);
        let mut head = vec![0; FINGERPRINT_LEN];
        let mut reader = input.reader;
        let n = read_full(&mut reader, &mut head)?;
        head.truncate(n);
        Ok(Candidate {
            path: path.to_path_buf(),
            device,
            inode,
            size: meta.len(),
            mtime: meta.modified().ok(),
            gzip: input.gzip,
            head,
        })
    }

    /// The fingerprint of its first `len` bytes (`len` ≤ what it has).
    pub fn fingerprint(&self, len: usize) -> String {
        hex(&Sha256::digest(&self.head[..len.min(self.head.len())]))
    }
}

#[cfg(unix)]
fn dev_ino(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn dev_ino(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Where to read a candidate from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The stored source, if the file is known.
    pub source_id: Option<i64>,
    /// Text bytes already stored (whole lines).
    pub offset: u64,
    /// Lines already stored.
    pub line: u64,
    /// The parser's state at `offset`.
    pub state: Option<String>,
    pub format: Option<Format>,
    /// Why reading starts over, when it does (said to the user).
    pub restart: Option<&'static str>,
}

/// A stored source that matched.
struct Stored {
    id: i64,
    offset: u64,
    line: u64,
    state: Option<String>,
    format: Option<String>,
    device: Option<i64>,
    inode: Option<i64>,
    gzip: bool,
}

/// Where `c` resumes: the stored source whose fingerprint it carries (not one in `claimed`,
/// which other files of this run took), else a new input from the start.
pub fn position(conn: &Connection, c: &Candidate, claimed: &HashSet<i64>) -> Result<Position> {
    let mut lens: Vec<i64> = {
        let mut st = conn.prepare_cached(
            "SELECT DISTINCT fingerprint_len FROM sources WHERE kind = 'file' AND fingerprint_len <= ?1",
        )?;
        st.query_map([c.head.len() as i64], |r| r.get(0))?
            .collect::<Result<_, _>>()?
    };
    // The longest matching prefix is the most specific.
    lens.sort_unstable_by(|a, b| b.cmp(a));
    for len in lens {
        if len <= 0 {
            continue;
        }
        let fp = c.fingerprint(len as usize);
        let mut st = conn.prepare_cached(
            "SELECT id, \"offset\", line, state, format, device, inode, gzip FROM sources
             WHERE kind = 'file' AND fingerprint_len = ?1 AND fingerprint = ?2
             ORDER BY \"offset\" DESC",
        )?;
        let found: Vec<Stored> = st
            .query_map(params![len, fp], |r| {
                Ok(Stored {
                    id: r.get(0)?,
                    offset: r.get::<_, i64>(1)? as u64,
                    line: r.get::<_, i64>(2)? as u64,
                    state: r.get(3)?,
                    format: r.get(4)?,
                    device: r.get(5)?,
                    inode: r.get(6)?,
                    gzip: r.get::<_, i64>(7)? != 0,
                })
            })?
            .collect::<Result<_, _>>()?;
        let Some(s) = found.into_iter().find(|s| !claimed.contains(&s.id)) else {
            continue;
        };
        let same_file = !c.gzip
            && !s.gzip
            && s.device == Some(c.device as i64)
            && s.inode == Some(c.inode as i64);
        if same_file && c.size < s.offset {
            return Ok(Position {
                source_id: Some(s.id),
                restart: Some(
                    "cut short since the last run (truncated): read again from the start",
                ),
                ..Position::default()
            });
        }
        return Ok(Position {
            source_id: Some(s.id),
            offset: s.offset,
            line: s.line,
            state: s.state,
            format: s.format.as_deref().and_then(format_from_str),
            restart: None,
        });
    }
    Ok(Position::default())
}

/// A stored format name.
pub fn format_from_str(s: &str) -> Option<Format> {
    Some(match s {
        "sshd" => Format::Sshd,
        "web" => Format::Web,
        "ufw" => Format::Ufw,
        "journal" => Format::Journal,
        "cowrie" => Format::Cowrie,
        "generic" => Format::Generic,
        _ => return None,
    })
}

/// Record the candidate's identity for `source_id` (a new row if `None`): where it is now,
/// and its widest fingerprint. Returns the id. Its `first_ingest` and `last_ingest` are set
/// by the batches that store its lines (see `write.rs`): a run that reads nothing new is not
/// recorded in `ingests`, so it must not be named there.
pub fn record(
    conn: &Connection,
    source_id: Option<i64>,
    host_id: i64,
    c: &Candidate,
    format: Format,
) -> Result<i64> {
    let len = c.head.len();
    let fp = c.fingerprint(len);
    let path = c.path.display().to_string();
    match source_id {
        Some(id) => {
            conn.execute(
                "UPDATE sources SET path = ?2, device = ?3, inode = ?4, fingerprint = ?5,
                 fingerprint_len = ?6, gzip = ?7, format = ?8 WHERE id = ?1",
                params![
                    id,
                    path,
                    c.device as i64,
                    c.inode as i64,
                    fp,
                    len as i64,
                    c.gzip as i64,
                    format.as_str(),
                ],
            )?;
            Ok(id)
        }
        None => {
            conn.execute(
                "INSERT INTO sources (host_id, path, kind, device, inode, fingerprint,
                 fingerprint_len, format, gzip)
                 VALUES (?1, ?2, 'file', ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    host_id,
                    path,
                    c.device as i64,
                    c.inode as i64,
                    fp,
                    len as i64,
                    format.as_str(),
                    c.gzip as i64,
                ],
            )?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// A journal source (`journal` for the system's, or a journal file's path): its id and the
/// cursor after which to read, creating the row on first use (its ingest runs are set as
/// for [`record`]).
pub fn journal(
    conn: &Connection,
    host_id: i64,
    name: &str,
) -> Result<(i64, Option<String>, Option<String>)> {
    let row = conn
        .query_row(
            "SELECT id, cursor, state FROM sources WHERE kind = 'journal' AND path = ?1",
            [name],
            |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some(r) = row {
        return Ok(r);
    }
    conn.execute(
        "INSERT INTO sources (host_id, path, kind, format)
         VALUES (?1, ?2, 'journal', 'journal')",
        params![host_id, name],
    )?;
    Ok((conn.last_insert_rowid(), None, None))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn fingerprints_see_through_gzip_and_renames() {
        let dir = tempfile::tempdir().unwrap();
        let text = b"Dec  3 08:00:01 h sshd[1]: Invalid user a from 192.0.2.1 port 1\n".repeat(100);
        let plain = dir.path().join("auth.log");
        std::fs::write(&plain, &text).unwrap();
        let gz = dir.path().join("auth.log.2.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(&text).unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        let a = Candidate::inspect(&plain).unwrap();
        let b = Candidate::inspect(&gz).unwrap();
        assert!(b.gzip && !a.gzip);
        assert_eq!(a.head.len(), FINGERPRINT_LEN);
        assert_eq!(
            a.fingerprint(FINGERPRINT_LEN),
            b.fingerprint(FINGERPRINT_LEN)
        );
        assert_eq!(a.head, b.head);
    }
}
