//! Read the inputs of a command into a report: pipeline → aggregate → enrich.

use anyhow::{Context, Result, anyhow};

use crate::aggregate::{Aggregator, Keep, Report, Sort};
use crate::cli::config::{Config, InputConfig};
use crate::enrich::{Geo, GeoConfig};
use crate::pipeline;

/// Open the geolocation data for a run: the `--geoip` files, the databases found in the usual
/// places, and the embedded tables. No cache: the aggregator asks once per distinct address.
pub fn open_geo(cfg: &Config, paths: &[std::path::PathBuf]) -> Result<Geo> {
    let mut gc = GeoConfig::new(paths.to_vec(), true);
    gc.no_cache = true;
    let geo = Geo::new(&gc).context("geolocation")?;
    if cfg.verbose {
        for note in geo.notes() {
            crate::render::note(format_args!("logmap: geo: {note}"));
        }
    }
    Ok(geo)
}

/// What a command needs from the analysis.
#[derive(Clone, Copy, Debug)]
pub struct Wanted {
    /// Which address records to keep.
    pub keep: Keep,
    /// Each address's active hours (the map's time filter).
    pub hours: bool,
}

/// The report, and whether any input failed (exit status 2). The address selection, order
/// and limit of `input` are applied.
pub fn analyse(cfg: &Config, input: &InputConfig, wanted: Wanted) -> Result<(Report, bool)> {
    // Selecting or ordering needs every record; a top-N report is cut afterwards.
    let reorder = !input.select.is_empty() || input.sort != Sort::Failures;
    let inner = Wanted {
        keep: if reorder { Keep::All } else { wanted.keep },
        ..wanted
    };
    let (mut report, failed) = match &input.db {
        Some(db) => (from_history(cfg, db, input, inner)?, false),
        None => analyse_inputs(cfg, input, inner)?,
    };
    let top = match wanted.keep {
        Keep::Top(n) if reorder => Some(n),
        _ => None,
    };
    report.shape(&input.select, input.sort, top, input.limit);
    Ok((report, failed))
}

fn analyse_inputs(cfg: &Config, input: &InputConfig, wanted: Wanted) -> Result<(Report, bool)> {
    std::thread::scope(|scope| {
        // Unpacking the embedded tables takes a moment: do it while the logs are read.
        let geo = scope.spawn(|| open_geo(cfg, &input.geoip));
        let mut agg = Aggregator::new(input.filter);
        if wanted.hours {
            agg = agg.with_hours();
        }
        let sources = pipeline::run_parallel(&input.pipeline, &mut agg)?;
        let geo = geo
            .join()
            .map_err(|_| anyhow!("the geolocation thread failed"))??;
        let failed = sources.iter().any(|s| s.error.is_some());
        if cfg.verbose {
            for s in &sources {
                if let Some(note) = &s.note {
                    crate::render::note(format_args!(
                        "logmap: {}: {note}",
                        crate::render::text::escape(&s.path)
                    ));
                }
                if s.unparsed > 0 {
                    crate::render::note(format_args!(
                        "logmap: {}: {} line(s) no rule understood, e.g.:",
                        crate::render::text::escape(&s.path),
                        s.unparsed
                    ));
                    for line in &s.unparsed_samples {
                        crate::render::note(format_args!(
                            "  {}",
                            crate::render::text::safe(line, 300)
                        ));
                    }
                }
            }
        }
        let databases = geo.describe().iter().map(|d| d.summary()).collect();
        Ok((agg.finish(&geo, databases, sources, wanted.keep)?, failed))
    })
}

/// The report of what the history at `db` holds (for the same lines, what a run over the log
/// files would report).
fn from_history(
    cfg: &Config,
    db: &std::path::Path,
    input: &InputConfig,
    wanted: Wanted,
) -> Result<Report> {
    let store = crate::store::Store::open_for_reading(db)?;
    // A time filter counts the raw events, which may be pruned: say so rather than count
    // silently less.
    let f = &input.filter;
    if !cfg.quiet
        && let Some(w) = store.retention_warning(f.since, f.until, f.include_private)?
    {
        crate::render::note(format_args!("logmap: {w}"));
    }
    let loaded = store.load(input.filter, wanted.hours, &input.select)?;
    let mut report = loaded.aggregator.finish(
        &loaded.locations,
        loaded.databases,
        loaded.sources,
        wanted.keep,
    )?;
    report.history = Some(loaded.history);
    Ok(report)
}
