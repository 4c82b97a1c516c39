//! Read the inputs of a command into a report: pipeline → aggregate → enrich.

use anyhow::Result;

use crate::aggregate::{Aggregator, Report};
use crate::cli::config::{Config, InputConfig};
use crate::enrich::NoGeo;
use crate::pipeline;

/// The report, and whether any input failed (exit status 2).
pub fn analyse(cfg: &Config, input: &InputConfig) -> Result<(Report, bool)> {
    let geo = NoGeo;
    let mut agg = Aggregator::new(input.filter);
    let sources = pipeline::run(&input.pipeline, &mut |ev| {
        agg.add(ev);
        Ok(())
    })?;
    let failed = sources.iter().any(|s| s.error.is_some());
    if cfg.verbose {
        for s in &sources {
            if s.unparsed > 0 {
                eprintln!(
                    "logmap: {}: {} line(s) no rule understood, e.g.:",
                    s.path, s.unparsed
                );
                for line in &s.unparsed_samples {
                    eprintln!("  {}", crate::render::table::safe(line, 300));
                }
            }
        }
    }
    Ok((agg.finish(&geo, sources), failed))
}
