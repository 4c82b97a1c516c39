//! `logmap events`: the event stream, unaggregated (private addresses included).

use std::io::{self, BufWriter};

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::InputConfig;
use crate::pipeline;
use crate::render::events::{EventFormat, EventWriter};

pub fn run(input: &InputConfig, format: EventFormat) -> Result<Exit> {
    let names: Vec<String> = input
        .pipeline
        .inputs
        .iter()
        .map(|s| s.display_name())
        .collect();
    let mut w = EventWriter::new(BufWriter::new(io::stdout().lock()), format, &names);
    let filter = input.filter;
    let sources = pipeline::run(&input.pipeline, &mut |ev| {
        if filter.in_time(ev.ts) {
            w.write(ev)?;
        }
        Ok(())
    })?;
    w.flush()?;
    let failed = sources.iter().any(|s| s.error.is_some());
    Ok(if failed { Exit::Error } else { Exit::Success })
}
