//! `logmap grep`: addresses only, in canonical form, one per line. From a pipe or a terminal
//! each address is written as soon as its line is read (`tail -f log | logmap grep`).

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::path::Path;

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::Family;
use crate::parse::extract;
use crate::parse::scope::scope;
use crate::source::{self, InputSpec, LineReader};

pub fn run(
    inputs: &[InputSpec],
    db: Option<&Path>,
    family: Option<Family>,
    public: bool,
    unique: bool,
    count: bool,
) -> Result<Exit> {
    if let Some(db) = db {
        return run_db(db, family, public, count);
    }
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut seen: HashSet<IpAddr, foldhash::fast::RandomState> = HashSet::default();
    let mut found = 0u64;
    let mut failed = false;
    let mut buf = String::new();
    for spec in inputs {
        let input = match source::open(spec) {
            Ok(i) => i,
            Err(e) => {
                crate::render::note(format_args!(
                    "logmap: {}: {e}",
                    crate::render::text::escape(&spec.display_name())
                ));
                failed = true;
                continue;
            }
        };
        let streaming = !input.regular;
        let mut lines = LineReader::new(input.reader);
        let mut write_err = None;
        loop {
            // From a pipe or a terminal, what was found is out before waiting for more.
            if streaming && !lines.ready() {
                out.flush()?;
            }
            let line = match lines.next_line() {
                Ok(Some(l)) => l,
                Ok(None) => break,
                Err(e) => {
                    crate::render::note(format_args!(
                        "logmap: {}: read error: {e}",
                        crate::render::text::escape(&spec.display_name())
                    ));
                    failed = true;
                    break;
                }
            };
            extract::scan(line, |f| {
                let keep = match family {
                    Some(Family::V4) => f.ip.is_ipv4(),
                    Some(Family::V6) => f.ip.is_ipv6(),
                    None => true,
                } && (!public || scope(f.ip).is_global())
                    && (!unique || seen.insert(f.ip));
                if !keep || write_err.is_some() {
                    return;
                }
                found += 1;
                if !count {
                    use std::fmt::Write as _;
                    buf.clear();
                    let _ = writeln!(buf, "{}", f.ip);
                    if let Err(e) = out.write_all(buf.as_bytes()) {
                        write_err = Some(e);
                    }
                }
            });
            if let Some(e) = write_err.take() {
                return Err(e.into());
            }
        }
    }
    if count {
        writeln!(out, "{found}")?;
    }
    out.flush()?;
    Ok(if failed {
        Exit::Error
    } else if found == 0 {
        Exit::NotFound
    } else {
        Exit::Success
    })
}

/// The addresses of the history, each once, in the order they were first stored.
fn run_db(db: &Path, family: Option<Family>, public: bool, count: bool) -> Result<Exit> {
    let store = crate::store::Store::open_for_reading(db)?;
    let mut out = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut found = 0u64;
    store.addresses(&mut |ip| {
        let keep = match family {
            Some(Family::V4) => ip.is_ipv4(),
            Some(Family::V6) => ip.is_ipv6(),
            None => true,
        } && (!public || scope(ip).is_global());
        if keep {
            found += 1;
            if !count {
                writeln!(out, "{ip}")?;
            }
        }
        Ok(())
    })?;
    if count {
        writeln!(out, "{found}")?;
    }
    out.flush()?;
    Ok(if found == 0 {
        Exit::NotFound
    } else {
        Exit::Success
    })
}
