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
