//! `export --format json`: the whole report as one document (design §5).

use std::io::{self, Write};

use super::Export;
use crate::aggregate::Report;

pub struct Json;

impl Export for Json {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
