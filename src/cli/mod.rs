//! The command line: raw arguments ([`args`]) become a validated [`config::Config`], which
//! [`crate::commands`] runs. `main.rs` only calls [`main`].

pub mod args;
pub mod config;

use std::io;
use std::process::ExitCode;

use clap::Parser;

/// How the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Success = 0,
    /// Nothing found where that is meaningful (`grep`).
    NotFound = 1,
    /// An error: a bad option, or an input that could not be read.
    Error = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Is this error a closed pipe on our output (`logmap … | head`)? That is not an error.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Parse the process arguments and run.
pub fn main() -> ExitCode {
    ignore_file_size_signal();
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; usage errors exit 2.
            let code = if e.use_stderr() {
                Exit::Error
            } else {
                Exit::Success
            };
            let _ = e.print();
            return code.into();
        }
    };
    let config = match config::Config::from_cli(cli) {
        Ok(c) => c,
        Err(e) => {
            crate::render::note(format_args!("logmap: {e}"));
            return Exit::Error.into();
        }
    };
    match crate::commands::run(config) {
        Ok(exit) => exit.into(),
        Err(e) if is_broken_pipe(&e) => Exit::Success.into(),
        Err(e) => {
            crate::render::note(format_args!("logmap: {e:#}"));
            Exit::Error.into()
        }
    }
}

/// Past `ulimit -f` the kernel sends SIGXFSZ, whose default action kills the process without
/// a word. Ignored, the write fails with EFBIG instead, and the error is reported like a full
/// disk (the history's transaction is rolled back).
fn ignore_file_size_signal() {
    #[cfg(unix)]
    // SAFETY: setting a signal's disposition to SIG_IGN at start-up, before any thread exists;
    // no handler code runs.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
