//! The commands: each wires the pipeline stages together for one job.

mod analyse;
mod db;
mod events;
mod export;
mod grep;
mod lookup;
mod map;
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
        } => export::run(&cfg, input, *format, output.as_deref()),
        Action::Events { input, format } => events::run(input, *format),
        Action::Grep {
            inputs,
            family,
            public,
            unique,
            count,
        } => grep::run(inputs, *family, *public, *unique, *count),
        Action::Lookup {
            addrs,
            ndjson,
            geoip,
        } => lookup::run(&cfg, addrs, *ndjson, geoip),
        Action::DbInfo => db::info(),
        Action::DbPath => db::path(),
        Action::DbUpdate { url } => db::update(&cfg, url.as_deref()),
        Action::Map {
            input,
            output,
            open,
        } => map::run(&cfg, input, output, *open),
    }
}
