//! Render: one module per output, all fed from the same [`Report`](crate::aggregate::Report)
//! (or, for `events`, from the event stream).

pub mod csv;
pub mod events;
pub mod geojson;
pub mod html;
pub mod json;
pub mod ndjson;
pub mod summary;
pub mod table;
pub mod termmap;
pub mod text;

use std::io::{self, Write};

use crate::aggregate::Report;

/// A message for the person at the terminal: one line on stderr, ending in a newline.
///
/// Unlike `eprintln!`, which panics when stderr is a closed pipe (`logmap … 2>&1 | head`),
/// a failed write is ignored: a message never turns into a crash, and results on stdout
/// decide the exit status.
pub fn note(args: std::fmt::Arguments) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// An export of the aggregated data.
pub trait Export {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The formats of `logmap export`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Ndjson,
    Csv,
    Geojson,
}

impl ExportFormat {
    pub fn exporter(self) -> Box<dyn Export> {
        match self {
            ExportFormat::Json => Box::new(json::Json),
            ExportFormat::Ndjson => Box::new(ndjson::Ndjson),
            ExportFormat::Csv => Box::new(csv::Csv),
            ExportFormat::Geojson => Box::new(geojson::GeoJson),
        }
    }
}
