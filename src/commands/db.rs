//! `logmap db info | update | path`.
//!
//! What these print comes partly from files (a database's name and description, a file name),
//! so every line goes through the one escaping function; output is written to a locked stdout
//! and a write error (a closed pipe) is returned, never a panic.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::enrich::db::{self, UpdateOptions};
use crate::enrich::search_dirs;
use crate::render::note;
use crate::render::text::escape;

/// Write `text` line by line, each line escaped.
fn write_lines(out: &mut dyn Write, text: &str) -> io::Result<()> {
    for line in text.lines() {
        writeln!(out, "{}", escape(line))?;
    }
    Ok(())
}

pub fn info(history: Option<&Path>) -> Result<Exit> {
    let mut out = BufWriter::new(io::stdout().lock());
    write_lines(&mut out, &db::info(&search_dirs()).to_string())?;
    let path = history
        .map(Path::to_path_buf)
        .or_else(crate::store::default_path);
    if let Some(path) = path {
        let store = match crate::store::Store::open_for_reading(&path) {
            Ok(store) => Some(store),
            Err(_) if !path.exists() => None,
            Err(e) => {
                // Not a history, a damaged one or a newer logmap's: an error (exit 2) like
                // any other, said on stderr after what was found about the geolocation data.
                out.flush()?;
                return Err(e);
            }
        };
        writeln!(out)?;
        writeln!(out, "History")?;
        match store {
            Some(store) => write_lines(&mut out, &store.describe()?)?,
            None => write_lines(
                &mut out,
                &format!("  {}: none yet (logmap ingest creates it)", path.display()),
            )?,
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

pub fn path() -> Result<Exit> {
    let mut out = BufWriter::new(io::stdout().lock());
    write_lines(&mut out, &db::paths().to_string())?;
    out.flush()?;
    Ok(Exit::Success)
}

pub fn update(cfg: &Config, url: Option<&str>) -> Result<Exit> {
    let dir = db::data_dir().context("no data directory: set XDG_DATA_HOME or HOME")?;
    let mut opts = UpdateOptions::new(dir);
    opts.url = url.map(str::to_string);
    opts.progress = !cfg.quiet && io::stderr().is_terminal();
    let quiet = cfg.quiet;
    let files = db::update(&opts, &mut |line| {
        if !quiet {
            note(format_args!("logmap: {}", escape(line)));
        }
    })?;
    let mut out = io::stdout().lock();
    for f in files {
        let text = format!(
            "{} ({} bytes) from {}\n  {}",
            f.path.display(),
            f.bytes,
            f.url,
            f.info.summary()
        );
        write_lines(&mut out, &text)?;
    }
    out.flush()?;
    Ok(Exit::Success)
}
