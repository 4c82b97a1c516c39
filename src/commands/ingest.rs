//! `logmap ingest`: store what is new in the logs in the history.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::render::table::num;
use crate::render::text::safe;
use crate::store::Store;
use crate::store::ingest::{IngestOptions, ingest};

/// After this long waiting for another writer, say so.
const WAIT_NOTICE: Duration = Duration::from_secs(3);

pub fn run(cfg: &Config, db: &Path, options: &IngestOptions, geoip: &[PathBuf]) -> Result<Exit> {
    let geo = super::analyse::open_geo(cfg, geoip)?;
    let located_with = geo
        .describe()
        .iter()
        .map(|d| d.summary())
        .collect::<Vec<_>>()
        .join(" + ");
    let (mut store, _lock) = Store::open_for_writing(db, WAIT_NOTICE)?;
    let summary = ingest(&mut store, options, &geo, located_with)?;
    // Quiet for cron: the details only on a terminal (or with -v); problems always.
    let talk = !cfg.quiet && (cfg.verbose || io::stderr().is_terminal());
    let mut failed = false;
    let mut err = io::stderr().lock();
    for i in &summary.inputs {
        let name = safe(&i.name, 200);
        if let Some(e) = &i.error {
            failed = true;
            writeln!(err, "logmap: {name}: {e}")?;
            continue;
        }
        if talk {
            let from = if i.from_line > 0 {
                format!(" after line {}", num(i.from_line))
            } else {
                String::new()
            };
            let note = i
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            writeln!(
                err,
                "logmap: {name}: {} new lines{from}{note}",
                num(i.lines)
            )?;
        }
    }
    if talk {
        writeln!(
            err,
            "logmap: stored {} lines, {} events, {} new addresses in {}{}{}",
            num(summary.lines),
            num(summary.events),
            num(summary.new_addresses),
            db.display(),
            if summary.pruned > 0 {
                format!("; pruned {} old events", num(summary.pruned))
            } else {
                String::new()
            },
            if options.relocate {
                format!("; located {} addresses again", num(summary.relocated))
            } else {
                String::new()
            },
        )?;
    }
    Ok(if failed { Exit::Error } else { Exit::Success })
}
