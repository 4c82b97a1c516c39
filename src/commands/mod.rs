//! The commands: each wires the pipeline stages together for one job.

mod analyse;
mod db;
mod events;
mod export;
mod grep;
mod lookup;
mod summary;

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::{Action, Config};

pub use analyse::analyse;

/// Run the configured command.
pub fn run(cfg: Config) -> Result<Exit> {
    match &cfg.action {
        Action::Summary { input, json, top } => summary::run(&cfg, input, *json, *top),
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
        Action::Map { .. }
        | Action::Lookup { .. }
        | Action::DbInfo
        | Action::DbUpdate { .. }
        | Action::DbPath => {
            eprintln!("logmap: this command is not yet available in this version");
            Ok(Exit::Error)
        }
    }
}
