//! End-to-end tests of the `logmap` binary: real files on disk, real processes.

mod hay;
mod util;

mod bad_input;
mod cli;
mod exports;
mod formats;
mod geo_cli;
mod hostile;
mod streaming;
mod summaries;
