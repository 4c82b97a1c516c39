//! `logmap export`.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use anyhow::{Context, Result};

use crate::aggregate::Keep;
use crate::cli::Exit;
use crate::cli::config::{Config, InputConfig, Output};
use crate::render::ExportFormat;

pub fn run(
    cfg: &Config,
    input: &InputConfig,
    format: ExportFormat,
    output: &Output,
) -> Result<Exit> {
    let wanted = super::analyse::Wanted {
        keep: Keep::All,
        hours: false,
    };
    let (report, failed) = super::analyse(cfg, input, wanted)?;
    let exporter = format.exporter();
    match output {
        Output::File(path) => {
            let file =
                File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
            let mut out = BufWriter::new(file);
            exporter
                .write(&report, &mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
            if !cfg.quiet {
                crate::render::note(format_args!(
                    "logmap: wrote {} addresses to {}",
                    report.ips.len(),
                    path.display()
                ));
            }
        }
        Output::Stdout => {
            let mut out = BufWriter::new(io::stdout().lock());
            exporter.write(&report, &mut out)?;
            out.flush()?;
        }
    }
    Ok(if failed { Exit::Error } else { Exit::Success })
}
