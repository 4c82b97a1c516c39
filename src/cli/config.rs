//! The validated configuration: what the commands run on. Built once from the raw arguments.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::{
    Cli, ColorArg, Command, DbAction, EventFormatArg, ExportFormatArg, InputArgs, InputFormatArg,
    LookupFormatArg, MapArg,
};
use crate::aggregate::Filter;
use crate::parse::Format;
use crate::parse::timestamp::parse_time_arg;
use crate::pipeline::{PipelineConfig, now};
use crate::render::ExportFormat;
use crate::render::events::EventFormat;
use crate::render::table::Style;
use crate::render::termmap::MapKind;
use crate::source::{self, InputSpec};

/// Inputs bigger than this get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// Everything a log-reading command needs.
#[derive(Clone, Debug)]
pub struct InputConfig {
    pub pipeline: PipelineConfig,
    pub filter: Filter,
    pub geoip: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

#[derive(Debug)]
pub enum Action {
    Summary {
        input: InputConfig,
        json: bool,
        top: usize,
        /// `--map`: draw a world map above the tables.
        map: Option<MapKind>,
    },
    Export {
        input: InputConfig,
        format: ExportFormat,
        output: Option<PathBuf>,
    },
    Events {
        input: InputConfig,
        format: EventFormat,
    },
    Grep {
        inputs: Vec<InputSpec>,
        family: Option<Family>,
        public: bool,
        unique: bool,
        count: bool,
    },
    Map {
        input: InputConfig,
        output: PathBuf,
        open: bool,
    },
    Lookup {
        addrs: Vec<String>,
        ndjson: bool,
        geoip: Vec<PathBuf>,
    },
    DbInfo,
    DbUpdate {
        url: Option<String>,
    },
    DbPath,
}

#[derive(Debug)]
pub struct Config {
    pub action: Action,
    pub style: Style,
    pub quiet: bool,
    pub verbose: bool,
}

/// A problem with the command line, shown as `logmap: <message>`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

fn color_enabled(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn inputs(files: &[std::ffi::OsString]) -> Result<Vec<InputSpec>, ConfigError> {
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(ConfigError(
                "no input: name a log file (e.g. /var/log/auth.log) or pipe one in; see --help"
                    .into(),
            ));
        }
        return Ok(vec![InputSpec::Stdin]);
    }
    Ok(files.iter().map(|f| InputSpec::from_arg(f)).collect())
}

fn input_config(a: InputArgs, quiet: bool, verbose: bool) -> Result<InputConfig, ConfigError> {
    let specs = inputs(&a.files)?;
    let now = now();
    let time = |flag: &str, v: &Option<String>| {
        v.as_deref()
            .map(|s| parse_time_arg(s, now).map_err(|e| ConfigError(format!("{flag}: {e}"))))
            .transpose()
    };
    let since = time("--since", &a.since)?;
    let until = time("--until", &a.until)?;
    if let (Some(s), Some(u)) = (since, until)
        && s >= u
    {
        return Err(ConfigError("--since must be before --until".into()));
    }
    if let Some(y) = a.year
        && !(1970..=9999).contains(&y)
    {
        return Err(ConfigError(format!(
            "--year {y}: must be between 1970 and 9999"
        )));
    }
    let format = match a.input_format {
        InputFormatArg::Auto => None,
        InputFormatArg::Sshd => Some(Format::Sshd),
        InputFormatArg::Web => Some(Format::Web),
        InputFormatArg::Ufw => Some(Format::Ufw),
        InputFormatArg::Journal => Some(Format::Journal),
        InputFormatArg::Cowrie => Some(Format::Cowrie),
        InputFormatArg::Generic => Some(Format::Generic),
    };
    let progress = !quiet
        && std::io::stderr().is_terminal()
        && source::total_size(&specs) > PROGRESS_MIN_BYTES;
    Ok(InputConfig {
        pipeline: PipelineConfig {
            inputs: specs,
            format,
            year: a.year,
            progress,
            unparsed_samples: if verbose { 5 } else { 0 },
        },
        filter: Filter {
            include_private: a.include_private,
            since,
            until,
        },
        geoip: a.geoip,
    })
}

impl Config {
    pub fn from_cli(cli: Cli) -> Result<Config, ConfigError> {
        let (quiet, verbose) = (cli.quiet, cli.verbose);
        let action = match cli.command {
            Command::Summary {
                input,
                json,
                top,
                map,
            } => {
                if json && map.is_some() {
                    return Err(ConfigError(
                        "--map draws for the terminal: it cannot go with --json".into(),
                    ));
                }
                Action::Summary {
                    input: input_config(input, quiet, verbose)?,
                    json,
                    top: top.max(1),
                    map: map.map(|m| match m {
                        MapArg::Braille => MapKind::Braille,
                        MapArg::Blocks => MapKind::Blocks,
                    }),
                }
            }
            Command::Export {
                input,
                format,
                output,
            } => Action::Export {
                input: input_config(input, quiet, verbose)?,
                format: match format {
                    ExportFormatArg::Json => ExportFormat::Json,
                    ExportFormatArg::Ndjson => ExportFormat::Ndjson,
                    ExportFormatArg::Csv => ExportFormat::Csv,
                    ExportFormatArg::Geojson => ExportFormat::Geojson,
                },
                output,
            },
            Command::Events { input, format } => Action::Events {
                input: input_config(input, quiet, verbose)?,
                format: match format {
                    EventFormatArg::Ndjson => EventFormat::Ndjson,
                    EventFormatArg::Tsv => EventFormat::Tsv,
                },
            },
            Command::Grep {
                files,
                ipv4,
                ipv6,
                public,
                unique,
                count,
            } => Action::Grep {
                inputs: inputs(&files)?,
                family: match (ipv4, ipv6) {
                    (true, _) => Some(Family::V4),
                    (_, true) => Some(Family::V6),
                    _ => None,
                },
                public,
                unique,
                count,
            },
            Command::Map {
                input,
                output,
                open,
            } => Action::Map {
                input: input_config(input, quiet, verbose)?,
                output,
                open,
            },
            Command::Lookup {
                addrs,
                format,
                geoip,
            } => Action::Lookup {
                addrs,
                ndjson: format == LookupFormatArg::Ndjson,
                geoip,
            },
            Command::Db { action } => match action {
                DbAction::Info => Action::DbInfo,
                DbAction::Update { url } => Action::DbUpdate { url },
                DbAction::Path => Action::DbPath,
            },
        };
        Ok(Config {
            action,
            style: Style {
                color: color_enabled(cli.color),
            },
            quiet,
            verbose,
        })
    }
}
