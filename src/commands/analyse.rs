//! Read the inputs of a command into a report: pipeline → aggregate → enrich.

use anyhow::{Context, Result, anyhow};

use crate::aggregate::{Aggregator, History, Keep, RecordSink, Report, Sort, WorkerFailed};
use crate::cli::config::{Config, InputConfig};
use crate::enrich::Locate;
use crate::enrich::{Geo, GeoConfig};
use crate::parse::Timestamp;
use crate::pipeline;
use crate::pipeline::SourceReport;

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
    let keep = if reorder { Keep::All } else { wanted.keep };
    let (mut report, failed) = read(cfg, input, wanted.hours, |agg, geo, databases, sources| {
        agg.finish(geo, databases, sources, keep)
    })?;
    let top = match wanted.keep {
        Keep::Top(n) if reorder => Some(n),
        _ => None,
    };
    report.shape(&input.select, input.sort, top, input.limit);
    Ok((report, failed))
}

/// [`analyse`] for a command that handles each address's record as it is built instead of
/// holding them all (the map): `sinks` makes one [`RecordSink`] per report shard from the
/// time span of the addresses; the report has whole lists (as with [`Keep::All`]) but keeps
/// only the records `wanted.keep` asks for. Only for runs
/// without an address selection, order or limit (which need every record first).
pub fn analyse_each<S: RecordSink>(
    cfg: &Config,
    input: &InputConfig,
    wanted: Wanted,
    sinks: impl FnOnce(Option<(Timestamp, Timestamp)>) -> Vec<S>,
) -> Result<(Report, Vec<S>, bool)> {
    debug_assert!(streams(input), "a selection needs every record first");
    let ((report, sinks), failed) =
        read(cfg, input, wanted.hours, |agg, geo, databases, sources| {
            let sinks = sinks(agg.span());
            agg.finish_each(geo, databases, sources, wanted.keep, sinks)
        })?;
    Ok((report, sinks, failed))
}

/// Can the records of `input` be handled one at a time ([`analyse_each`])? Not when they
/// are selected, reordered or cut.
pub fn streams(input: &InputConfig) -> bool {
    input.select.is_empty() && input.sort == Sort::Failures && input.limit.is_none()
}

/// What `finish` makes of the counted addresses (read from the inputs or the history), the
/// geolocation, its description and the inputs; and whether an input failed.
type Finish<'a, R> = Box<
    dyn FnOnce(Aggregator, &dyn Locate, Vec<String>, Vec<SourceReport>) -> Result<R, WorkerFailed>
        + 'a,
>;

/// Count the inputs of `input` (the log files, or the history with `--db`) and `finish` the
/// report. A report from the history carries its [`Report::history`].
fn read<'a, R: HasHistory>(
    cfg: &Config,
    input: &InputConfig,
    hours: bool,
    finish: impl FnOnce(
        Aggregator,
        &dyn Locate,
        Vec<String>,
        Vec<SourceReport>,
    ) -> Result<R, WorkerFailed>
    + 'a,
) -> Result<(R, bool)> {
    let finish: Finish<'a, R> = Box::new(finish);
    match &input.db {
        Some(db) => Ok((from_history(cfg, db, input, hours, finish)?, false)),
        None => analyse_inputs(cfg, input, hours, finish),
    }
}

/// A result that can carry what the history says of itself.
trait HasHistory {
    fn set_history(&mut self, history: History);
}

impl HasHistory for Report {
    fn set_history(&mut self, history: History) {
        self.history = Some(history);
    }
}

impl<S> HasHistory for (Report, Vec<S>) {
    fn set_history(&mut self, history: History) {
        self.0.history = Some(history);
    }
}

fn analyse_inputs<R>(
    cfg: &Config,
    input: &InputConfig,
    hours: bool,
    finish: Finish<'_, R>,
) -> Result<(R, bool)> {
    std::thread::scope(|scope| {
        // Unpacking the embedded tables takes a moment: do it while the logs are read.
        let geo = scope.spawn(|| open_geo(cfg, &input.geoip));
        let mut agg = Aggregator::new(input.filter);
        if hours {
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
        Ok((finish(agg, &geo, databases, sources)?, failed))
    })
}

/// The report of what the history at `db` holds (for the same lines, what a run over the log
/// files would report).
fn from_history<R: HasHistory>(
    cfg: &Config,
    db: &std::path::Path,
    input: &InputConfig,
    hours: bool,
    finish: Finish<'_, R>,
) -> Result<R> {
    let store = crate::store::Store::open_for_reading(db)?;
    // A time filter counts the raw events, which may be pruned: say so rather than count
    // silently less.
    let f = &input.filter;
    if !cfg.quiet
        && let Some(w) = store.retention_warning(f.since, f.until, f.include_private)?
    {
        crate::render::note(format_args!("logmap: {w}"));
    }
    let loaded = store.load(input.filter, hours, &input.select)?;
    let mut out = finish(
        loaded.aggregator,
        &loaded.locations,
        loaded.databases,
        loaded.sources,
    )?;
    out.set_history(loaded.history);
    Ok(out)
}
