//! The raw command line (clap). Resolved into a [`Config`](super::config::Config) before
//! anything runs; nothing outside `cli` sees these types.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const ABOUT: &str = "Who is knocking, and from where: turn any log with IP addresses into a map, \
statistics and exports.";

const LONG_ABOUT: &str = "\
Who is knocking, and from where.

logmap reads logs that hold IP addresses — an SSH auth.log or secure file (and its rotated .1 and \
.2.gz siblings), journalctl output, web server access logs, firewall (UFW) logs, Cowrie honeypot \
JSON, or any text at all — works out what each line means (a failed password, an invalid user, \
an accepted login, a scan, a web request, a blocked packet), counts it per address, user, country \
and network, and shows the result: tables in the terminal, JSON/CSV/GeoJSON exports, and a \
self-contained HTML map.

Everything works offline. IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0.";

const EXAMPLES: &str = "\
Examples:
  logmap summary /var/log/auth.log                 who failed to log in, from where
  logmap summary /var/log/auth.log* --since 24h    the rotated set as one timeline, last day
  journalctl -u ssh -o json | logmap summary       straight from the journal
  logmap export access.log --format csv -o ips.csv one row per address
  logmap events auth.log | jq 'select(.kind==\"auth_success\")'
  logmap grep --public -u firewall.log             distinct public addresses, one per line

Exit status: 0 success, 1 nothing found (grep), 2 an error (a missing or unreadable input, a bad \
option). A closed pipe is not an error.";

#[derive(Parser, Debug)]
#[command(name = "logmap", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colours: auto (when writing to a terminal and NO_COLOR is not set), always,
    /// never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto, global = true)]
    pub color: ColorArg,

    /// Print nothing but the results and errors (no progress bar, no notes).
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// Say more: show a few of the lines no rule understood (per input).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Write a self-contained HTML map of the addresses (and print a short summary).
    Map {
        #[command(flatten)]
        input: InputArgs,
        /// Where to write the HTML file ('-': standard output; the summary then goes to
        /// stderr).
        #[arg(short, long, default_value = "logmap.html")]
        output: PathBuf,
        /// Open the map in the default browser afterwards.
        #[arg(long)]
        open: bool,
    },
    /// Totals, the last hour/day/week of the data, and top addresses, users, countries and
    /// networks.
    #[command(
        after_help = "Examples:\n  logmap summary /var/log/auth.log\n  logmap summary auth.log auth.log.1 auth.log.2.gz --top 20\n  logmap summary --map auth.log                  a world map of the addresses first\n  logmap summary --json auth.log | jq .summary"
    )]
    Summary {
        #[command(flatten)]
        input: InputArgs,
        /// Write JSON (the export schema, lists cut to --top; every address with a successful
        /// login is kept too) instead of tables.
        #[arg(long)]
        json: bool,
        /// How many rows in each top list (at least 1; every successful login is listed,
        /// up to 50 or N).
        #[arg(long, default_value_t = 10, value_name = "N",
              value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
        top: usize,
        /// Draw a world map of the addresses above the tables, as wide as the terminal (80
        /// columns, or $COLUMNS, when not writing to one): land in braille dots (or half blocks
        /// with --map=blocks, for fonts without braille), • one address, ● ten or more, and the
        /// 5 with most failed logins numbered and listed.
        #[arg(long, value_enum, num_args = 0..=1, require_equals = true,
              default_missing_value = "braille", value_name = "STYLE")]
        map: Option<MapArg>,
    },
    /// One record per address (events, failures, successes, users, first/last seen, location,
    /// network) as JSON, NDJSON, CSV or GeoJSON.
    #[command(
        after_help = "Examples:\n  logmap export auth.log --format json -o report.json\n  logmap export auth.log --format ndjson | jq -r 'select(.failures > 100) | .ip'\n  logmap export auth.log --format geojson -o attackers.geojson"
    )]
    Export {
        #[command(flatten)]
        input: InputArgs,
        /// The output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ExportFormatArg::Json)]
        format: ExportFormatArg,
        /// Write to this file instead of standard output ('-': standard output).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Every classified line, one event per line (NDJSON for jq, or TSV). Private addresses
    /// included.
    #[command(
        after_help = "Fields: source, line, ts, service, kind, ip, port, user, method, repeat, failures,\nstatus, path, user_agent, bytes (web), dst_port, proto (firewalls). NDJSON leaves out the\nlast six when unknown; TSV has a column for each, in this order, empty when unknown, with\ntabs, newlines, backslashes and control or invisible characters escaped (\\t, \\n, \\\\, \\u{1b}).\n\nWhen the input is a pipe or a terminal, each event is written as soon as its line is read\n(tail -f auth.log | logmap events | jq).\n\nExamples:\n  logmap events auth.log | jq -c 'select(.kind == \"auth_success\")'\n  logmap events --format tsv auth.log | cut -f6 | sort | uniq -c | sort -rn | head"
    )]
    Events {
        #[command(flatten)]
        input: InputArgs,
        /// The output format.
        #[arg(long, short = 'f', value_enum, default_value_t = EventFormatArg::Ndjson)]
        format: EventFormatArg,
    },
    /// Print the addresses found in any text, one per line, in canonical form (like grepip).
    #[command(
        after_help = "Exit status: 0 if an address was found, 1 if none, 2 on error.\n\nExamples:\n  logmap grep /var/log/nginx/access.log -u --public\n  dmesg | logmap grep -6 -c"
    )]
    Grep {
        /// Files to read ('-' or nothing: standard input).
        #[arg(value_name = "FILES")]
        files: Vec<OsString>,
        /// Print the addresses of the history instead of reading files (PATH: see ingest --db).
        #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
        db: Option<String>,
        /// Only IPv4 addresses.
        #[arg(short = '4', long = "ipv4", conflicts_with = "ipv6")]
        ipv4: bool,
        /// Only IPv6 addresses.
        #[arg(short = '6', long = "ipv6")]
        ipv6: bool,
        /// Only public (globally routed) addresses: no private, loopback, link-local,
        /// documentation or reserved ranges.
        #[arg(long)]
        public: bool,
        /// Print each address once, in order of first appearance.
        #[arg(short, long)]
        unique: bool,
        /// Print only the number of addresses found.
        #[arg(short, long)]
        count: bool,
    },
    /// Store what is new in the logs since the last run in the history (SQLite), exactly once:
    /// appends, re-runs, rotation (.1, .2.gz), truncation and crashes never count a line twice
    /// or lose one. Every view reads the history with --db.
    #[command(
        after_help = "Every hour from cron:\n  0 * * * *  logmap ingest -q /var/log/auth.log* && logmap map --db -q -o /var/www/html/attacks.html\n\nExamples:\n  logmap ingest /var/log/auth.log /var/log/auth.log.1 /var/log/auth.log.2.gz\n  logmap ingest --journal                          the system journal, after the stored cursor\n  logmap summary --db                              what the history holds\n  logmap export --db --country CN --sort failures --limit 100"
    )]
    Ingest(IngestArgs),
    /// The live dashboard: follow the logs into the history and serve the map, statistics and
    /// a JSON API over HTTP, each new attack pushed to the page as it is logged.
    #[command(
        after_help = "Endpoints: / (the live dashboard: map and statistics), /map.html (the map with the history embedded, as `logmap map --db` writes it), /api/summary, /api/ips, /api/timeline?bucket=hour|day, /api/stream (server-sent events), /healthz. Query parameters as the command line's: since, until, country, asn, user, kind, min_failures, successful, sort, limit.\n\nExamples:\n  logmap serve --follow /var/log/auth.log             http://127.0.0.1:8080/\n  logmap serve --journal --listen 127.0.0.1:9000\n  LOGMAP_TOKEN=$(cat /etc/logmap/token) logmap serve --follow /var/log/auth.log --listen 0.0.0.0:8080"
    )]
    Serve(ServeArgs),
    /// What the geolocation data says about addresses (arguments, or one per line on stdin).
    Lookup {
        /// Addresses to look up.
        addrs: Vec<String>,
        /// The output format.
        #[arg(long, short = 'f', value_enum, default_value_t = LookupFormatArg::Table)]
        format: LookupFormatArg,
        /// An MMDB file (GeoLite2/GeoIP2, DB-IP, IPinfo); repeat for a City and an ASN database.
        #[arg(long = "geoip", value_name = "PATH")]
        geoip: Vec<PathBuf>,
    },
    /// The geolocation data: what is embedded, which MMDB files are used, updates.
    Db {
        #[command(subcommand)]
        action: DbAction,
    },
}

#[derive(Subcommand, Debug)]
pub enum DbAction {
    /// What is embedded (data dates, licences), which MMDB files are found, and what the
    /// history holds.
    Info {
        /// The history to describe (default: LOGMAP_DB, else ~/.local/share/logmap/logmap.db).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
    },
    /// Download the free DB-IP City Lite database into the user's data directory.
    Update {
        /// Download from this URL (a mirror) instead of DB-IP's.
        #[arg(long)]
        url: Option<String>,
    },
    /// Print where logmap looks for and keeps its database files.
    Path,
}

/// Options shared by the commands that read logs.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Log files ('-' or nothing: standard input). Gzip is read transparently; several files
    /// are one data set (name a rotated set in any order).
    #[arg(value_name = "FILES")]
    pub files: Vec<OsString>,

    /// The format of the input; auto detects it per file from its first lines.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto, value_name = "FORMAT")]
    pub input_format: InputFormatArg,

    /// Only events at or after this time: a local date or time (2026-11-30, '2026-11-30
    /// 08:00'), RFC 3339 (2026-11-30T08:00:00Z), now, today, yesterday, or a duration before
    /// now (30m, 1h30m, 24h, 7d, '2 days').
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,

    /// Only events before this time (same forms as --since).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,

    /// The year in which the syslog timestamps of each file start (they carry none); a later
    /// line in an earlier month is in the next year. Default: inferred from each file's
    /// modification time.
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i64>,

    /// The time zone of times written without one (classic syslog, journalctl -o short) and
    /// of local --since/--until times: an IANA name (Europe/Berlin) or UTC. Default: TZ, else
    /// the system's zone. Times in JSON are always UTC.
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// Count private, loopback, link-local and documentation addresses like the others
    /// (by default they are counted apart and left off tables, exports and the map).
    #[arg(long)]
    pub include_private: bool,

    /// An MMDB file for city precision (GeoLite2/GeoIP2 City, DB-IP City Lite, IPinfo Lite);
    /// repeat for a City and an ASN database.
    #[arg(long = "geoip", value_name = "PATH")]
    pub geoip: Vec<PathBuf>,

    /// Read the history that `logmap ingest` keeps instead of log files (PATH defaults to
    /// LOGMAP_DB, else ~/.local/share/logmap/logmap.db).
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = "")]
    pub db: Option<String>,

    /// Only addresses in these countries (ISO codes, comma-separated: CN,RU).
    #[arg(
        long,
        value_name = "CC",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub country: Vec<String>,

    /// Only addresses of these networks (AS numbers: 4134 or AS4134).
    #[arg(
        long,
        value_name = "ASN",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub asn: Vec<String>,

    /// Only addresses that tried one of these user names.
    #[arg(
        long,
        value_name = "USER",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub user: Vec<String>,

    /// Only addresses with events of these kinds (auth_failure, invalid_user, policy_reject,
    /// too_many_failures, auth_success, preauth_disconnect, scan, other, request, blocked,
    /// allowed, seen); for `events`, only events of these kinds.
    #[arg(
        long,
        value_name = "KIND",
        value_delimiter = ',',
        help_heading = "Selection"
    )]
    pub kind: Vec<String>,

    /// Only addresses with at least N failed logins.
    #[arg(long, value_name = "N", help_heading = "Selection")]
    pub min_failures: Option<u64>,

    /// Only addresses with a successful login.
    #[arg(long, help_heading = "Selection")]
    pub successful: bool,

    /// The order of addresses: failures (default), events, last-seen, first-seen.
    #[arg(long, value_name = "ORDER", help_heading = "Selection")]
    pub sort: Option<String>,

    /// At most N addresses (N events for `events`).
    #[arg(long, value_name = "N", help_heading = "Selection")]
    pub limit: Option<usize>,
}

/// Options of `logmap serve`.
#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// The history to serve and to store into (default: LOGMAP_DB, else
    /// ~/.local/share/logmap/logmap.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Follow this log (tail -F: through rotation, truncation, and a file that appears later),
    /// storing what it gets; repeatable. Its rotated siblings (FILE.1, FILE.2.gz) are read too.
    #[arg(long, value_name = "FILE")]
    pub follow: Vec<PathBuf>,

    /// Follow the system journal.
    #[arg(long)]
    pub journal: bool,

    /// Where to listen. Anything but a loopback address needs a token.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// A file holding the access token (else LOGMAP_TOKEN): required on a non-loopback
    /// address, checked on every request.
    #[arg(long, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// How often to look for new lines when the file system sends no notification.
    #[arg(long, value_name = "DURATION", default_value = "1s", hide = true)]
    pub poll: String,

    /// How long raw events are kept (see ingest --help).
    #[arg(long, value_name = "AGE", default_value = "90d")]
    pub keep_events: String,

    /// The format of the followed files; auto detects it.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto, value_name = "FORMAT")]
    pub input_format: InputFormatArg,

    /// The time zone of times written without one (default: TZ, else the system's zone).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// An MMDB file to locate new addresses with; repeatable.
    #[arg(long = "geoip", value_name = "PATH")]
    pub geoip: Vec<PathBuf>,
}

/// Options of `logmap ingest`.
#[derive(Args, Debug, Clone)]
pub struct IngestArgs {
    /// Log files to read what is new in (name a rotated set in any order: auth.log*).
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Also read the system journal (journalctl -o json), after the stored cursor.
    #[arg(long)]
    pub journal: bool,

    /// Read a journal file (journalctl --file PATH), e.g. one copied off another machine;
    /// repeatable.
    #[arg(long, value_name = "PATH")]
    pub journal_file: Vec<PathBuf>,

    /// The history (default: LOGMAP_DB, else ~/.local/share/logmap/logmap.db; created if
    /// missing).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// How long raw events are kept (their counts stay for ever): a duration (90d, 12w) or
    /// 'forever'.
    #[arg(long, value_name = "AGE", default_value = "90d")]
    pub keep_events: String,

    /// Locate every stored address again with the current geolocation data (after
    /// `logmap db update`).
    #[arg(long)]
    pub relocate: bool,

    /// The format of new files; auto detects it per file from its first lines.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto, value_name = "FORMAT")]
    pub input_format: InputFormatArg,

    /// The year in which the syslog timestamps of each file start (see summary --help).
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i64>,

    /// The time zone of times written without one (default: TZ, else the system's zone).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,

    /// An MMDB file to locate new addresses with (see summary --help); repeatable.
    #[arg(long = "geoip", value_name = "PATH")]
    pub geoip: Vec<PathBuf>,

    /// Lines per transaction.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, hide = true)]
    pub batch_lines: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormatArg {
    Auto,
    Sshd,
    Web,
    Ufw,
    Journal,
    Cowrie,
    Generic,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormatArg {
    Json,
    Ndjson,
    Csv,
    Geojson,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormatArg {
    Ndjson,
    Tsv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapArg {
    Braille,
    Blocks,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookupFormatArg {
    Table,
    Ndjson,
}
