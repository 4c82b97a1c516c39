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

use std::io::{self, Write};

use crate::aggregate::Report;

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
