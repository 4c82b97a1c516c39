//! `logmap summary`.

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::aggregate::Keep;
use crate::cli::Exit;
use crate::cli::config::{Config, InputConfig};
use crate::render::summary::{truncated, write_text};
use crate::render::termmap::{self, MapKind, MapSize};

/// Addresses numbered on the `--map`.
const MAP_RANKED: usize = 5;

pub fn run(
    cfg: &Config,
    input: &InputConfig,
    json: bool,
    top: usize,
    map: Option<MapKind>,
) -> Result<Exit> {
    let wanted = super::analyse::Wanted {
        // the map draws every address
        keep: if map.is_some() {
            Keep::All
        } else {
            Keep::Top(top)
        },
        hours: false,
    };
    let (report, failed) = super::analyse(cfg, input, wanted)?;
    let mut out = BufWriter::new(io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &truncated(report, top))?;
        out.write_all(b"\n")?;
    } else {
        if let Some(kind) = map {
            let size = MapSize::of_terminal();
            termmap::write_map(
                &report,
                kind,
                size,
                top.min(MAP_RANKED),
                cfg.style,
                &mut out,
            )?;
            writeln!(out)?;
        }
        write_text(&report, top, &input.pipeline.zone, cfg.style, &mut out)?;
    }
    out.flush()?;
    Ok(if failed { Exit::Error } else { Exit::Success })
}
