//! The validated configuration: what the commands run on. Built once from the raw arguments.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::{
    Cli, ColorArg, Command, DbAction, EventFormatArg, ExportFormatArg, IngestArgs, InputArgs,
    InputFormatArg, LookupFormatArg, MapArg, ServeArgs,
};
use crate::aggregate::{Filter, Select, Sort};
use crate::parse::clock::Zone;
use crate::parse::timestamp::parse_time_arg;
use crate::parse::{Format, Kind};
use crate::pipeline::{PipelineConfig, now};
use crate::render::ExportFormat;
use crate::render::events::EventFormat;
use crate::render::table::Style;
use crate::render::termmap::MapKind;
use crate::serve::ServeConfig;
use crate::source::{self, InputSpec};
use crate::store::ingest::IngestOptions;
use std::net::SocketAddr;

/// Inputs bigger than this get a progress bar (on a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// Everything a log-reading command needs.
#[derive(Clone, Debug)]
pub struct InputConfig {
    pub pipeline: PipelineConfig,
    pub filter: Filter,
    pub geoip: Vec<PathBuf>,
    /// Read the history at this path instead of the inputs.
    pub db: Option<PathBuf>,
    /// Which addresses, in which order, how many.
    pub select: Select,
    pub sort: Sort,
    pub limit: Option<usize>,
}

/// Where a command writes its result: `-o FILE`, or standard output (`-o -`, or no `-o` for
/// `export`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    Stdout,
    File(PathBuf),
}

impl Output {
    /// `-` is standard output; anything else a path (`./-` names a file called `-`).
    pub fn from_arg(path: PathBuf) -> Output {
        if path.as_os_str() == "-" {
            Output::Stdout
        } else {
            Output::File(path)
        }
    }
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
        output: Output,
    },
    Events {
        input: InputConfig,
        format: EventFormat,
    },
    Grep {
        inputs: Vec<InputSpec>,
        db: Option<PathBuf>,
        family: Option<Family>,
        public: bool,
        unique: bool,
        count: bool,
    },
    Map {
        input: InputConfig,
        output: Output,
        open: bool,
    },
    Lookup {
        addrs: Vec<String>,
        ndjson: bool,
        geoip: Vec<PathBuf>,
    },
    DbInfo {
        db: Option<PathBuf>,
    },
    Ingest {
        db: PathBuf,
        options: IngestOptions,
        geoip: Vec<PathBuf>,
    },
    Serve {
        config: ServeConfig,
        geoip: Vec<PathBuf>,
    },
    DbUpdate {
        url: Option<String>,
    },
    DbPath,
}

#[derive(Debug)]
pub struct Config {
    pub action: Action,
    pub style: Style,
    /// Whether the log on stderr (`serve`'s warnings) is coloured: decided for stderr, which
    /// is often a file or the journal when stdout is not (and the other way round).
    pub log_color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// A problem with the command line, shown as `logmap: <message>`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Whether to colour what goes to a stream that `is_terminal` says is one or not: `auto`
/// colours a terminal unless NO_COLOR is set.
fn color_enabled(arg: ColorArg, is_terminal: bool) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && is_terminal,
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

/// The history's path: `--db PATH`, or (for a bare `--db`, or none) the default place.
fn db_path(arg: Option<&str>) -> Result<PathBuf, ConfigError> {
    match arg {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => crate::store::default_path().ok_or_else(|| {
            ConfigError("no place for the history: set LOGMAP_DB or HOME, or give --db PATH".into())
        }),
    }
}

fn input_config(a: InputArgs, quiet: bool, verbose: bool) -> Result<InputConfig, ConfigError> {
    let db = match &a.db {
        Some(p) => {
            if !a.files.is_empty() {
                return Err(ConfigError(
                    "--db reads the history instead of files: give files or --db, not both".into(),
                ));
            }
            Some(db_path(Some(p))?)
        }
        None => None,
    };
    let specs = if db.is_some() {
        Vec::new()
    } else {
        inputs(&a.files)?
    };
    let zone = Zone::resolve(a.tz.as_deref()).map_err(|e| ConfigError(format!("--tz: {e}")))?;
    let now = now();
    let time = |flag: &str, v: &Option<String>| {
        v.as_deref()
            .map(|s| parse_time_arg(s, now, &zone).map_err(|e| ConfigError(format!("{flag}: {e}"))))
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
    let format = input_format(a.input_format);
    let progress = !quiet
        && std::io::stderr().is_terminal()
        && source::total_size(&specs) > PROGRESS_MIN_BYTES;
    Ok(InputConfig {
        pipeline: PipelineConfig {
            inputs: specs,
            format,
            year: a.year,
            zone,
            progress,
            unparsed_samples: if verbose { 5 } else { 0 },
        },
        filter: Filter {
            include_private: a.include_private,
            since,
            until,
        },
        select: selection(&a)?,
        geoip: a.geoip,
        db,
        sort: match a.sort.as_deref() {
            None => Sort::default(),
            Some(s) => Sort::parse(s).ok_or_else(|| {
                ConfigError(format!(
                    "--sort {s}: use failures, events, last-seen or first-seen"
                ))
            })?,
        },
        limit: a.limit,
    })
}

/// `--country` … as a selection, checked.
fn selection(a: &InputArgs) -> Result<Select, ConfigError> {
    let mut countries = Vec::new();
    for c in &a.country {
        let c = c.trim().to_ascii_uppercase();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ConfigError(format!(
                "--country {c}: use two-letter ISO codes (CN, US, DE)"
            )));
        }
        countries.push(c);
    }
    let mut asns = Vec::new();
    for n in &a.asn {
        let t = n.trim();
        let digits = t
            .strip_prefix("AS")
            .or_else(|| t.strip_prefix("as"))
            .unwrap_or(t);
        asns.push(
            digits.parse().map_err(|_| {
                ConfigError(format!("--asn {t}: use an AS number (4134 or AS4134)"))
            })?,
        );
    }
    let mut kinds = Vec::new();
    for k in &a.kind {
        kinds.push(Kind::from_name(k.trim()).ok_or_else(|| {
            ConfigError(format!(
                "--kind {k}: not a kind (auth_failure, invalid_user, policy_reject, \
                 too_many_failures, auth_success, preauth_disconnect, scan, other, request, \
                 blocked, allowed, seen)"
            ))
        })?);
    }
    Ok(Select {
        countries,
        asns,
        users: a.user.clone(),
        kinds,
        min_failures: a.min_failures.unwrap_or(0),
        successful: a.successful,
    })
}

fn ingest_config(a: IngestArgs) -> Result<Action, ConfigError> {
    // `--relocate` alone is a step of its own (after `db update`): it reads no logs.
    if a.files.is_empty() && !a.journal && a.journal_file.is_empty() && !a.relocate {
        return Err(ConfigError(
            "ingest: name log files (e.g. /var/log/auth.log*), --journal or --journal-file".into(),
        ));
    }
    // Standard input has no identity to resume from on the next run (`-` is stdin for the
    // views, see `InputSpec::from_arg`); refuse it before the history is touched.
    if a.files.iter().any(|f| f.as_os_str() == "-") {
        return Err(ConfigError(
            "ingest: cannot read standard input ('-'): it reads files it can find again on the \
             next run; name the log files, or use --journal"
                .into(),
        ));
    }
    let zone = Zone::resolve(a.tz.as_deref()).map_err(|e| ConfigError(format!("--tz: {e}")))?;
    let keep_events = keep_events(&a.keep_events)?;
    if let Some(y) = a.year
        && !(1970..=9999).contains(&y)
    {
        return Err(ConfigError(format!(
            "--year {y}: must be between 1970 and 9999"
        )));
    }
    Ok(Action::Ingest {
        db: db_path(a.db.as_ref().and_then(|p| p.to_str()))?,
        options: IngestOptions {
            files: a.files,
            journal: a.journal,
            journal_files: a.journal_file,
            format: input_format(a.input_format),
            zone,
            year: a.year,
            keep_events,
            relocate: a.relocate,
            batch_lines: a.batch_lines,
            host: crate::store::ingest::this_host(),
        },
        geoip: a.geoip,
    })
}

/// `--keep-events`: seconds, or `None` for ever.
fn keep_events(arg: &str) -> Result<Option<i64>, ConfigError> {
    match arg.trim() {
        "forever" | "0" => Ok(None),
        s => {
            let now = now();
            let then = parse_time_arg(s, now, &Zone::utc())
                .ok()
                .filter(|&t| t < now)
                .ok_or_else(|| {
                    ConfigError(format!(
                        "--keep-events '{s}': use a duration (90d, 12w, 1y) or 'forever'"
                    ))
                })?;
            Ok(Some(now - then))
        }
    }
}

fn serve_config(a: ServeArgs) -> Result<Action, ConfigError> {
    let listen: SocketAddr = a.listen.parse().map_err(|_| {
        ConfigError(format!(
            "--listen {}: use ADDRESS:PORT (127.0.0.1:8080, [::1]:8080, 0.0.0.0:8080)",
            a.listen
        ))
    })?;
    let token = match &a.token_file {
        Some(p) => Some(
            std::fs::read_to_string(p)
                .map_err(|e| ConfigError(format!("--token-file {}: {e}", p.display())))?
                .trim()
                .to_string(),
        ),
        None => std::env::var("LOGMAP_TOKEN").ok(),
    }
    .filter(|t| !t.is_empty());
    if let Some(t) = &token
        && t.len() < 16
    {
        return Err(ConfigError(
            "the token is too short: use at least 16 characters (e.g. openssl rand -hex 16)".into(),
        ));
    }
    if !listen.ip().is_loopback() && token.is_none() {
        return Err(ConfigError(format!(
            "--listen {listen}: not a loopback address, so a token is required (--token-file \
             PATH or LOGMAP_TOKEN); anyone who can reach it could read the history"
        )));
    }
    let now = now();
    let poll = parse_time_arg(&a.poll, now, &Zone::utc())
        .ok()
        .map(|t| now - t)
        .filter(|&s| s > 0)
        .ok_or_else(|| ConfigError(format!("--poll {}: use a duration (1s, 5s)", a.poll)))?;
    let zone = Zone::resolve(a.tz.as_deref()).map_err(|e| ConfigError(format!("--tz: {e}")))?;
    Ok(Action::Serve {
        config: ServeConfig {
            db: db_path(a.db.as_ref().and_then(|p| p.to_str()))?,
            listen,
            follow: a.follow,
            journal: a.journal,
            token,
            ingest: IngestOptions {
                files: Vec::new(),
                journal: false,
                journal_files: Vec::new(),
                format: input_format(a.input_format),
                zone,
                year: None,
                keep_events: keep_events(&a.keep_events)?,
                relocate: false,
                batch_lines: 250_000,
                host: crate::store::ingest::this_host(),
            },
            poll: std::time::Duration::from_secs(poll as u64),
            max_clients: 256,
        },
        geoip: a.geoip,
    })
}

fn input_format(arg: InputFormatArg) -> Option<Format> {
    match arg {
        InputFormatArg::Auto => None,
        InputFormatArg::Sshd => Some(Format::Sshd),
        InputFormatArg::Web => Some(Format::Web),
        InputFormatArg::Ufw => Some(Format::Ufw),
        InputFormatArg::Journal => Some(Format::Journal),
        InputFormatArg::Cowrie => Some(Format::Cowrie),
        InputFormatArg::Generic => Some(Format::Generic),
    }
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
                output: output.map_or(Output::Stdout, Output::from_arg),
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
                db,
                ipv4,
                ipv6,
                public,
                unique,
                count,
            } => Action::Grep {
                inputs: if db.is_some() {
                    Vec::new()
                } else {
                    inputs(&files)?
                },
                db: db.as_deref().map(|p| db_path(Some(p))).transpose()?,
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
                output: Output::from_arg(output),
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
            Command::Ingest(a) => ingest_config(a)?,
            Command::Serve(a) => serve_config(a)?,
            Command::Db { action } => match action {
                DbAction::Info { db } => Action::DbInfo { db },
                DbAction::Update { url } => Action::DbUpdate { url },
                DbAction::Path => Action::DbPath,
            },
        };
        Ok(Config {
            action,
            style: Style {
                color: color_enabled(cli.color, std::io::stdout().is_terminal()),
            },
            log_color: color_enabled(cli.color, std::io::stderr().is_terminal()),
            quiet,
            verbose,
        })
    }
}
