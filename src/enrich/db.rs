//! What `logmap db info | update | path` needs: where files live, what is embedded and found,
//! and the download of DB-IP's free monthly Lite MMDB files.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::embedded::{EmbeddedMeta, embedded_meta};
use super::geo::{DatabaseInfo, DatabaseKind, discover_databases, embedded_infos, search_dirs};
use super::mmdb::MmdbDatabase;
use super::{ATTRIBUTION, Embedded};

/// DB-IP's free City Lite MMDB, one per month (`{YYYY}`, `{MM}` are filled in).
pub const CITY_URL_TEMPLATE: &str =
    "https://download.db-ip.com/free/dbip-city-lite-{YYYY}-{MM}.mmdb.gz";
/// DB-IP's free ASN Lite MMDB, one per month.
pub const ASN_URL_TEMPLATE: &str =
    "https://download.db-ip.com/free/dbip-asn-lite-{YYYY}-{MM}.mmdb.gz";
/// File name `db update` writes the City Lite database to, in [`data_dir`].
pub const CITY_FILE: &str = "dbip-city-lite.mmdb";
/// File name `db update --asn` writes the ASN Lite database to, in [`data_dir`].
pub const ASN_FILE: &str = "dbip-asn-lite.mmdb";

/// logmap's data directory: `$XDG_DATA_HOME/logmap`, else `$HOME/.local/share/logmap`.
pub fn data_dir() -> Option<PathBuf> {
    let xdg = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let base = xdg.filter(|p| p.is_absolute()).or_else(|| {
        std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|h| PathBuf::from(h).join(".local/share"))
    })?;
    Some(base.join("logmap"))
}

/// Where geolocation files live, for `logmap db path`.
#[derive(Clone, Debug, Serialize)]
pub struct DbPaths {
    /// logmap's own data directory (where `db update` writes).
    pub data_dir: Option<PathBuf>,
    /// The City Lite file `db update` maintains.
    pub city_file: Option<PathBuf>,
    /// The ASN Lite file `db update --asn` maintains.
    pub asn_file: Option<PathBuf>,
    /// Directories searched for `*.mmdb` files.
    pub search_dirs: Vec<PathBuf>,
}

/// The paths `db path` prints.
pub fn paths() -> DbPaths {
    let d = data_dir();
    DbPaths {
        city_file: d.as_ref().map(|d| d.join(CITY_FILE)),
        asn_file: d.as_ref().map(|d| d.join(ASN_FILE)),
        data_dir: d,
        search_dirs: search_dirs(),
    }
}

impl fmt::Display for DbPaths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |p: &Option<PathBuf>| {
            p.as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "(unknown: neither XDG_DATA_HOME nor HOME is set)".into())
        };
        writeln!(f, "data dir:   {}", show(&self.data_dir))?;
        writeln!(f, "city file:  {}", show(&self.city_file))?;
        writeln!(f, "asn file:   {}", show(&self.asn_file))?;
        for d in &self.search_dirs {
            writeln!(f, "searched:   {}", d.display())?;
        }
        Ok(())
    }
}

/// Everything `db info` reports.
#[derive(Clone, Debug, Serialize)]
pub struct DbInfo {
    /// Licence attribution (DB-IP, CC BY 4.0).
    pub attribution: &'static str,
    /// Provenance of the embedded tables.
    pub embedded: Option<EmbeddedMeta>,
    /// The embedded tables as databases.
    pub embedded_databases: Vec<DatabaseInfo>,
    /// Number of ranges in the embedded tables, after merging.
    pub embedded_ranges: EmbeddedRanges,
    /// Directories searched for MMDB files.
    pub search_dirs: Vec<PathBuf>,
    /// MMDB files found there.
    pub found: Vec<DatabaseInfo>,
    /// Files found that do not open.
    pub skipped: Vec<String>,
}

/// Range counts of the embedded tables.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct EmbeddedRanges {
    /// IPv4 → country ranges.
    pub country_v4: usize,
    /// IPv6 → country ranges.
    pub country_v6: usize,
    /// IPv4 → ASN ranges.
    pub asn_v4: usize,
    /// IPv6 → ASN ranges.
    pub asn_v6: usize,
    /// IPv4 → city ranges.
    pub city_v4: usize,
    /// IPv6 → city ranges.
    pub city_v6: usize,
    /// Places (country, region, city, point) in the city table.
    pub city_places: usize,
}

/// Gather `db info` for the given search directories ([`search_dirs`] normally).
pub fn info(dirs: &[PathBuf]) -> DbInfo {
    let counts = Embedded.range_counts();
    let ((c4, c6), (a4, a6)) = (counts.country, counts.asn);
    let (found, skipped) = discover_databases(dirs);
    DbInfo {
        attribution: ATTRIBUTION,
        embedded: embedded_meta(),
        embedded_databases: embedded_infos(),
        embedded_ranges: EmbeddedRanges {
            country_v4: c4,
            country_v6: c6,
            asn_v4: a4,
            city_v4: counts.city.0,
            city_v6: counts.city.1,
            city_places: counts.places,
            asn_v6: a6,
        },
        search_dirs: dirs.to_vec(),
        found: found.iter().map(|d| d.info().clone()).collect(),
        skipped,
    }
}

impl fmt::Display for DbInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Embedded (compiled in, no file or network needed):")?;
        if let Some(m) = &self.embedded {
            for t in [&m.country, &m.city, &m.asn] {
                writeln!(
                    f,
                    "  {} — npm {} {}, data of {}, {}",
                    t.name,
                    t.package,
                    t.version,
                    t.data_date.as_deref().unwrap_or("unknown date"),
                    t.licence
                )?;
                writeln!(f, "    {}", t.attribution)?;
            }
        }
        let r = &self.embedded_ranges;
        writeln!(
            f,
            "  ranges: country {} IPv4 / {} IPv6, city {} IPv4 / {} IPv6 ({} places, coordinates rounded to 0.05°), ASN {} IPv4 / {} IPv6",
            r.country_v4, r.country_v6, r.city_v4, r.city_v6, r.city_places, r.asn_v4, r.asn_v6
        )?;
        writeln!(
            f,
            "  country names and points: i18n-iso-countries, countries-list (MIT); Natural Earth outlines via world-atlas"
        )?;
        writeln!(
            f,
            "MMDB files (searched: {}):",
            self.search_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )?;
        if self.found.is_empty() {
            writeln!(
                f,
                "  none found; `logmap db update` downloads DB-IP City Lite, or pass --geoip FILE"
            )?;
        }
        for d in &self.found {
            writeln!(f, "  {}", d.summary())?;
        }
        for s in &self.skipped {
            writeln!(f, "  {s}")?;
        }
        writeln!(f, "{}", self.attribution)
    }
}

// ---------- db update ----------

/// What to download and where.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// URL of the City database: a template with `{YYYY}` and `{MM}` (then the previous month is
    /// tried when this month's file is not published yet), or a fixed URL. Default: [`CITY_URL_TEMPLATE`].
    pub url: Option<String>,
    /// Also fetch the ASN Lite database.
    pub asn: bool,
    /// URL (template) of the ASN database. Default: [`ASN_URL_TEMPLATE`].
    pub asn_url: Option<String>,
    /// Directory to write to (created if missing); normally [`data_dir`].
    pub dir: PathBuf,
    /// Show a progress bar on stderr (set it only when stderr is a terminal).
    pub progress: bool,
    /// The month to start from, `(year, month)`; `None` = the current UTC month.
    pub month: Option<(i32, u32)>,
    /// Connect/response timeout.
    pub timeout: Duration,
}

impl UpdateOptions {
    /// Defaults: DB-IP's URL, City only, into `dir`, no progress bar, this month.
    pub fn new(dir: PathBuf) -> UpdateOptions {
        UpdateOptions {
            url: None,
            asn: false,
            asn_url: None,
            dir,
            progress: false,
            month: None,
            timeout: Duration::from_secs(60),
        }
    }
}

/// One file `db update` installed.
#[derive(Clone, Debug, Serialize)]
pub struct UpdatedFile {
    /// The URL it came from.
    pub url: String,
    /// Where it now lives.
    pub path: PathBuf,
    /// Its size after decompression.
    pub bytes: u64,
    /// What it is (kind, build date).
    pub info: DatabaseInfo,
}

/// Why `db update` failed. The previous file, if any, is untouched.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The server answered with an HTTP error status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// The transfer failed (connection, truncated body, bad gzip, …).
    #[error("{url}: download failed: {msg}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        msg: String,
    },
    /// The downloaded file is not a usable MMDB.
    #[error("{url}: the downloaded file is not a usable MMDB: {msg}")]
    Invalid {
        /// The URL.
        url: String,
        /// What went wrong.
        msg: String,
    },
    /// Writing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

/// Largest decompressed file accepted (a guard against a decompression bomb from a bad mirror).
const MAX_FILE: u64 = 4 << 30;

/// Download the City Lite database (and the ASN Lite one with `asn`), verify each opens and
/// answers, and move it into place atomically. `log` receives one line per step.
pub fn update(
    opts: &UpdateOptions,
    log: &mut dyn FnMut(&str),
) -> Result<Vec<UpdatedFile>, UpdateError> {
    let mut out = Vec::new();
    let city = opts
        .url
        .clone()
        .unwrap_or_else(|| CITY_URL_TEMPLATE.to_string());
    out.push(update_one(opts, &city, CITY_FILE, DatabaseKind::City, log)?);
    if opts.asn {
        let asn = opts
            .asn_url
            .clone()
            .unwrap_or_else(|| ASN_URL_TEMPLATE.to_string());
        out.push(update_one(opts, &asn, ASN_FILE, DatabaseKind::Asn, log)?);
    }
    Ok(out)
}

/// `(year, month)` of now, UTC.
fn this_month() -> (i32, u32) {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let d = super::mmdb::epoch_to_date(secs);
    let y = d.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m = d.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    (y, m)
}

/// The URLs to try, in order: this month's and the previous month's for a template, else the URL.
pub fn candidate_urls(template: &str, (y, m): (i32, u32)) -> Vec<String> {
    let fill = |y: i32, m: u32| {
        template
            .replace("{YYYY}", &format!("{y:04}"))
            .replace("{MM}", &format!("{m:02}"))
    };
    if template.contains("{YYYY}") || template.contains("{MM}") {
        let (py, pm) = if m <= 1 { (y - 1, 12) } else { (y, m - 1) };
        vec![fill(y, m), fill(py, pm)]
    } else {
        vec![template.to_string()]
    }
}

fn update_one(
    opts: &UpdateOptions,
    template: &str,
    file: &str,
    want: DatabaseKind,
    log: &mut dyn FnMut(&str),
) -> Result<UpdatedFile, UpdateError> {
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UpdateError::Io { path, source }
    };
    fs::create_dir_all(&opts.dir).map_err(io_err(&opts.dir))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.timeout))
        .timeout_recv_response(Some(opts.timeout))
        .user_agent(concat!("logmap/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let urls = candidate_urls(template, opts.month.unwrap_or_else(this_month));
    let dest = opts.dir.join(file);
    let tmp = opts
        .dir
        .join(format!(".{file}.download-{}", std::process::id()));
    let mut last_err = None;
    // a file left by an earlier run that was killed
    let _ = fs::remove_file(&tmp);
    for (i, url) in urls.iter().enumerate() {
        log(&format!("downloading {url}"));
        match download(&agent, url, &tmp, opts.progress) {
            Ok(bytes) => {
                let result = verify(&tmp, url, want).and_then(|info| {
                    File::open(&tmp)
                        .and_then(|f| f.sync_all())
                        .map_err(io_err(&tmp))?;
                    fs::rename(&tmp, &dest).map_err(io_err(&dest))?;
                    if let Ok(d) = File::open(&opts.dir) {
                        let _ = d.sync_all();
                    }
                    Ok(info)
                });
                return match result {
                    Ok(mut info) => {
                        info.path = Some(dest.clone());
                        log(&format!("installed {}", info.summary()));
                        Ok(UpdatedFile {
                            url: url.clone(),
                            path: dest,
                            bytes,
                            info,
                        })
                    }
                    Err(e) => {
                        let _ = fs::remove_file(&tmp);
                        Err(e)
                    }
                };
            }
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                let not_published = matches!(e, UpdateError::Status { status: 404, .. });
                if not_published && i + 1 < urls.len() {
                    log(&format!(
                        "{url} is not published (404); trying the previous month"
                    ));
                    last_err = Some(e);
                    continue;
                }
                return Err(e);
            }
        }
    }
    Err(last_err.unwrap_or_else(|| UpdateError::Download {
        url: template.to_string(),
        msg: "no URL to try".into(),
    }))
}

/// Counts bytes read through it and feeds the progress bar.
struct Counting<R> {
    inner: R,
    n: u64,
    bar: Option<indicatif::ProgressBar>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        if let Some(b) = &self.bar {
            b.set_position(self.n);
        }
        Ok(k)
    }
}

/// GET `url` into `tmp`, gunzipping when the body is gzip. Returns the file size.
fn download(
    agent: &ureq::Agent,
    url: &str,
    tmp: &Path,
    progress: bool,
) -> Result<u64, UpdateError> {
    let derr = |msg: String| UpdateError::Download {
        url: url.to_string(),
        msg,
    };
    let resp = match agent.get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::StatusCode(status)) => {
            return Err(UpdateError::Status {
                url: url.to_string(),
                status,
            });
        }
        Err(e) => return Err(derr(e.to_string())),
    };
    let len = resp.body().content_length();
    let bar = progress.then(|| {
        let b =
            indicatif::ProgressBar::with_draw_target(len, indicatif::ProgressDrawTarget::stderr());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
        ) {
            b.set_style(style);
        }
        b
    });
    let body = Counting {
        inner: resp.into_body().into_reader(),
        n: 0,
        bar: bar.clone(),
    };
    let mut body = BufReader::with_capacity(1 << 16, body);
    let gz = body
        .fill_buf()
        .map_err(|e| derr(e.to_string()))?
        .starts_with(&[0x1f, 0x8b]);
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(tmp)
        .map_err(|source| UpdateError::Io {
            path: tmp.to_path_buf(),
            source,
        })?;
    let copied = if gz {
        let mut r = flate2::bufread::MultiGzDecoder::new(&mut body).take(MAX_FILE + 1);
        io::copy(&mut r, &mut out)
    } else {
        io::copy(&mut (&mut body).take(MAX_FILE + 1), &mut out)
    };
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let n = copied.map_err(|e| derr(e.to_string()))?;
    if n > MAX_FILE {
        return Err(derr("file larger than 4 GiB".into()));
    }
    let got = body.get_ref().n;
    if let Some(l) = len
        && got != l
    {
        return Err(derr(format!("truncated: {got} of {l} bytes")));
    }
    out.flush().map_err(|e| derr(e.to_string()))?;
    Ok(n)
}

/// Addresses a complete world database answers.
const PROBES: [&str; 5] = [
    "8.8.8.8",
    "1.1.1.1",
    "9.9.9.9",
    "2001:4860:4860::8888",
    "81.2.69.142",
];

fn verify(path: &Path, url: &str, want: DatabaseKind) -> Result<DatabaseInfo, UpdateError> {
    let inv = |msg: String| UpdateError::Invalid {
        url: url.to_string(),
        msg,
    };
    let db = MmdbDatabase::open(path).map_err(|e| inv(e.to_string()))?;
    let answers = PROBES
        .iter()
        .filter_map(|p| p.parse::<IpAddr>().ok())
        .filter_map(|ip| db.record(ip))
        .any(|r| match want {
            DatabaseKind::Asn => r.asn.is_some(),
            _ => r.country_code.is_some(),
        });
    if !answers {
        return Err(inv(format!(
            "it does not answer any of {}",
            PROBES.join(", ")
        )));
    }
    let ok_kind = match want {
        DatabaseKind::City => matches!(db.info().kind, DatabaseKind::City | DatabaseKind::Country),
        DatabaseKind::Asn => db.info().has_asn,
        _ => true,
    };
    if !ok_kind {
        return Err(inv(format!(
            "it holds {:?} data, not {:?}",
            db.info().kind,
            want
        )));
    }
    Ok(db.info().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_fallback_urls() {
        assert_eq!(
            candidate_urls(CITY_URL_TEMPLATE, (2026, 1)),
            vec![
                "https://download.db-ip.com/free/dbip-city-lite-2026-01.mmdb.gz".to_string(),
                "https://download.db-ip.com/free/dbip-city-lite-2025-12.mmdb.gz".to_string()
            ]
        );
        assert_eq!(
            candidate_urls("http://m/x.mmdb", (2026, 5)),
            vec!["http://m/x.mmdb".to_string()]
        );
        assert_eq!(
            candidate_urls("http://m/{YYYY}{MM}", (2026, 11))[1],
            "http://m/202610"
        );
    }

    #[test]
    fn this_month_is_sane() {
        let (y, m) = this_month();
        assert!(y >= 2024 && (1..=12).contains(&m));
    }
}
