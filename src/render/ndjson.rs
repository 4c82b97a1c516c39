//! `export --format ndjson`: one address record per line.

use std::io::{self, Write};

use super::Export;
use crate::aggregate::Report;

pub struct Ndjson;

impl Export for Ndjson {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for r in &report.ips {
            serde_json::to_writer(&mut *out, r)?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
