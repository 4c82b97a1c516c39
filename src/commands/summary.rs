//! `logmap summary`.

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::{Config, InputConfig};
use crate::render::summary::{truncated, write_text};

pub fn run(cfg: &Config, input: &InputConfig, json: bool, top: usize) -> Result<Exit> {
    let (report, failed) = super::analyse(cfg, input)?;
    let mut out = BufWriter::new(io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &truncated(report, top))?;
        out.write_all(b"\n")?;
    } else {
        write_text(&report, top, cfg.style, &mut out)?;
    }
    out.flush()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}
