//! `logmap events`: the event stream, unaggregated (private addresses included).
//!
//! From a regular file the events are written in big blocks. From a pipe or a terminal each
//! is out as soon as its line is read: the pipeline says when it is about to wait for input
//! ([`EventSink::waiting`]) and the buffer is flushed then.

use std::io::{self, BufWriter, Write};

use anyhow::Result;

use crate::aggregate::{Filter, Select, Sort};
use crate::cli::Exit;
use crate::cli::config::{Config, InputConfig};
use crate::enrich::Locate;
use crate::parse::Event;
use crate::pipeline::{self, EventSink};
use crate::render::events::{EventFormat, EventWriter};

struct Printer<'s, W: Write> {
    out: EventWriter<'s, W>,
    filter: Filter,
    wanted: Wanted,
}

impl<W: Write> EventSink for Printer<'_, W> {
    fn event(&mut self, ev: &Event) -> io::Result<()> {
        if self.filter.in_time(ev.ts) && self.wanted.event(ev)? {
            self.out.write(ev)?;
        }
        Ok(())
    }

    fn waiting(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

pub fn run(cfg: &Config, input: &InputConfig, format: EventFormat) -> Result<Exit> {
    let mut wanted = Wanted::new(cfg, input)?;
    if let Some(db) = &input.db {
        return run_db(cfg, db, input, format, &mut wanted);
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
        wanted,
    };
    let sources = match pipeline::run(&input.pipeline, &mut printer) {
        Ok(s) => s,
        Err(e) if Wanted::is_limit(&e) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    printer.out.flush()?;
    let failed = sources.iter().any(|s| s.error.is_some());
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// The events the history keeps (within its retention), as a run over the files would print
/// them.
fn run_db(
    cfg: &Config,
    db: &std::path::Path,
    input: &InputConfig,
    format: EventFormat,
    wanted: &mut Wanted,
) -> Result<Exit> {
    let store = crate::store::Store::open_for_reading(db)?;
    let f = &input.filter;
    if !cfg.quiet
        && let Some(w) = store.retention_warning(f.since, f.until, f.include_private)?
    {
        crate::render::note(format_args!("logmap: {w}"));
    }
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
            && let Err(e) = wanted
                .event(ev)
                .and_then(|ok| if ok { w.write(ev) } else { Ok(()) })
        {
            error = Some(e);
        }
    })?;
    if let Some(e) = error
        && !Wanted::is_limit(&e)
    {
        return Err(e.into());
    }
    w.flush()?;
    Ok(Exit::Success)
}

/// Which events `events` prints: `--kind`, `--user`, `--country`, `--asn` per event, and at
/// most `--limit` of them.
struct Wanted {
    select: Select,
    geo: Option<crate::enrich::Geo>,
    left: Option<usize>,
}

/// The sink error that ends reading at `--limit`.
#[derive(Debug)]
struct LimitReached;

impl std::fmt::Display for LimitReached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--limit reached")
    }
}

impl std::error::Error for LimitReached {}

impl Wanted {
    fn new(cfg: &Config, input: &InputConfig) -> Result<Wanted> {
        let s = &input.select;
        if s.min_failures > 0 || s.successful || input.sort != Sort::Failures {
            anyhow::bail!(
                "events: --min-failures, --successful and --sort choose addresses; use them with \
                 summary, export or map"
            );
        }
        let geo = if s.countries.is_empty() && s.asns.is_empty() {
            None
        } else {
            Some(super::analyse::open_geo(cfg, &input.geoip)?)
        };
        Ok(Wanted {
            select: s.clone(),
            geo,
            left: input.limit,
        })
    }

    /// Print `ev`? Err(LimitReached) once `--limit` events were printed.
    fn event(&mut self, ev: &Event) -> io::Result<bool> {
        let s = &self.select;
        if !s.kinds.is_empty() && !s.kinds.contains(&ev.kind) {
            return Ok(false);
        }
        if !s.users.is_empty()
            && !ev
                .user
                .as_deref()
                .is_some_and(|u| s.users.iter().any(|x| x == u))
        {
            return Ok(false);
        }
        if let Some(geo) = &self.geo {
            let loc = geo.locate(ev.ip);
            if !s.countries.is_empty()
                && !loc
                    .country
                    .as_deref()
                    .is_some_and(|c| s.countries.iter().any(|x| x == c))
            {
                return Ok(false);
            }
            if !s.asns.is_empty() && !loc.asn.is_some_and(|a| s.asns.contains(&a)) {
                return Ok(false);
            }
        }
        match &mut self.left {
            Some(0) => Err(io::Error::other(LimitReached)),
            Some(n) => {
                *n -= 1;
                Ok(true)
            }
            None => Ok(true),
        }
    }

    fn is_limit(e: &io::Error) -> bool {
        e.get_ref().is_some_and(|inner| inner.is::<LimitReached>())
    }
}
