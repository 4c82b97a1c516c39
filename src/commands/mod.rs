//! The commands: each wires the pipeline stages together for one job.

mod analyse;
mod db;
mod events;
mod export;
mod grep;
mod ingest;
mod lookup;
mod map;
mod serve;
mod summary;

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::{Action, Config};

pub use analyse::analyse;

/// Run the configured command.
pub fn run(cfg: Config) -> Result<Exit> {
    match &cfg.action {
        Action::Summary {
            input,
            json,
            top,
            map,
        } => summary::run(&cfg, input, *json, *top, *map),
        Action::Export {
            input,
            format,
            output,
        } => export::run(&cfg, input, *format, output),
        Action::Events { input, format } => events::run(&cfg, input, *format),
        Action::Grep {
            inputs,
            db,
            family,
            public,
            unique,
            count,
        } => grep::run(inputs, db.as_deref(), *family, *public, *unique, *count),
        Action::Ingest { db, options, geoip } => ingest::run(&cfg, db, options, geoip),
        Action::Serve { config, geoip } => serve::run(&cfg, config, geoip),
        Action::Lookup {
            addrs,
            ndjson,
            geoip,
        } => lookup::run(&cfg, addrs, *ndjson, geoip),
        Action::DbInfo { db } => db::info(db.as_deref()),
        Action::DbPath => db::path(),
        Action::DbUpdate { url } => db::update(&cfg, url.as_deref()),
        Action::Map {
            input,
            output,
            open,
        } => map::run(&cfg, input, output, *open),
    }
}
