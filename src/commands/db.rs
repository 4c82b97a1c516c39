//! `logmap db info | update | path`.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::enrich::db::{self, UpdateOptions};
use crate::enrich::search_dirs;

pub fn info(history: Option<&Path>) -> Result<Exit> {
    let mut out = io::stdout().lock();
    write!(out, "{}", db::info(&search_dirs()))?;
    let path = history
        .map(Path::to_path_buf)
        .or_else(crate::store::default_path);
    if let Some(path) = path {
        writeln!(out)?;
        writeln!(out, "History")?;
        match crate::store::Store::open_for_reading(&path) {
            Ok(store) => write!(out, "{}", store.describe()?)?,
            Err(e) if !path.exists() => {
                let _ = e;
                writeln!(
                    out,
                    "  {}: none yet (logmap ingest creates it)",
                    path.display()
                )?
            }
            Err(e) => writeln!(out, "  {e:#}")?,
        }
    }
    out.flush()?;
    Ok(Exit::Success)
}

pub fn path() -> Result<Exit> {
    print!("{}", db::paths());
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
            eprintln!("logmap: {line}");
        }
    })?;
    for f in files {
        println!("{} ({} bytes) from {}", f.path.display(), f.bytes, f.url);
        println!("  {}", f.info.summary());
    }
    Ok(Exit::Success)
}
