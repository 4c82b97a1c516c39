//! `logmap events`: the event stream, unaggregated (private addresses included).
//!
//! From a regular file the events are written in big blocks. From a pipe or a terminal each
//! is out as soon as its line is read: the pipeline says when it is about to wait for input
//! ([`EventSink::waiting`]) and the buffer is flushed then.

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::aggregate::Filter;
use crate::cli::Exit;
use crate::cli::config::InputConfig;
use crate::parse::Event;
use crate::pipeline::{self, EventSink};
use crate::render::events::{EventFormat, EventWriter};

struct Printer<'s, W: Write> {
    out: EventWriter<'s, W>,
    filter: Filter,
}

impl<W: Write> EventSink for Printer<'_, W> {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        if self.filter.in_time(ev.ts) {
            self.out.write(ev)?;
        }
        Ok(())
    }

    fn waiting(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub fn run(input: &InputConfig, format: EventFormat) -> Result<Exit> {
    if let Some(db) = &input.db {
        return run_db(db, input, format);
    }
    let names: Vec<String> = input
        .pipeline
        .inputs
        .iter()
        .map(|s| s.display_name())
        .collect();
    let mut printer = Printer {
        out: EventWriter::new(
            BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
            format,
            &names,
        ),
        filter: input.filter,
    };
    let sources = pipeline::run(&input.pipeline, &mut printer)?;
    printer.out.flush()?;
    let failed = sources.iter().any(|s| s.error.is_some());
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// The events the history keeps (within its retention), as a run over the files would print
/// them.
fn run_db(db: &std::path::Path, input: &InputConfig, format: EventFormat) -> Result<Exit> {
    let store = crate::store::Store::open_for_reading(db)?;
    let sources = store.sources()?;
    let names: Vec<String> = sources.iter().map(|(_, s)| s.path.clone()).collect();
    let index = sources
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i as u32))
        .collect();
    let mut w = EventWriter::new(BufWriter::new(io::stdout().lock()), format, &names);
    let mut error = None;
    store.replay(&index, input.filter.since, input.filter.until, &mut |ev| {
        if error.is_none()
            && let Err(e) = w.write(ev)
        {
            error = Some(e);
        }
    })?;
    if let Some(e) = error {
        return Err(e.into());
    }
    w.flush()?;
    Ok(Exit::Success)
}
