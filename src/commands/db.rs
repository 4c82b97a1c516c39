//! `logmap db info | update | path`.

use std::io::{self, IsTerminal};

use anyhow::{Context, Result};

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::enrich::db::{self, UpdateOptions};
use crate::enrich::search_dirs;

pub fn info() -> Result<Exit> {
    print!("{}", db::info(&search_dirs()));
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
