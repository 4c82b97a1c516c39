//! End-to-end tests of the `logmap` binary: real files on disk, real processes.

mod hay;
mod util;

mod bad_input;
mod cli;
mod exports;
mod formats;
mod geo_cli;
mod golden;
mod history;
mod hostile;
mod key_only;
mod serve;
mod streaming;
mod summaries;
mod templates;
mod time_zones;
