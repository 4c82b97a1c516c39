//! `logmap map`: the self-contained HTML map, and a one-screen summary in the terminal
//! (on stderr when the page itself goes to standard output with `-o -`).

use std::io::{self, BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::aggregate::Keep;
use crate::cli::Exit;
use crate::cli::config::{Config, InputConfig, Output};
use crate::render::html::{MapPage, Row};
use crate::render::note;
use crate::render::summary::write_text;
use crate::render::table::num;
use crate::render::text::escape;

/// Addresses listed in the terminal summary after the page is written.
const SUMMARY_TOP: usize = 5;

pub fn run(cfg: &Config, input: &InputConfig, output: &Output, open: bool) -> Result<Exit> {
    let (report, doc, page_rows, failed) = if super::analyse::streams(input) {
        // Each report shard turns its records into rows as it builds them: the records of a
        // million addresses are never all held.
        let wanted = super::analyse::Wanted {
            keep: Keep::Top(SUMMARY_TOP),
            hours: true,
        };
        let threads = crate::pipeline::threads();
        let (report, rows, failed) = super::analyse::analyse_each(cfg, input, wanted, |span| {
            let (first, last) = (span.map(|s| s.0), span.map(|s| s.1));
            (0..threads).map(|_| MapPage::rows(first, last)).collect()
        })?;
        let mut report = report;
        let ips = std::mem::take(&mut report.ips);
        let doc = serde_json::to_value(&report).context("building the map data")?;
        report.ips = ips;
        (report, doc, Rows::Built(rows), failed)
    } else {
        // A selection, order or limit needs every record first.
        let wanted = super::analyse::Wanted {
            keep: Keep::All,
            hours: true,
        };
        let (mut report, failed) = super::analyse(cfg, input, wanted)?;
        let ips = std::mem::take(&mut report.ips);
        let doc = serde_json::to_value(&report).context("building the map data")?;
        report.ips = ips;
        (report, doc, Rows::Records, failed)
    };
    let (page, report) = match page_rows {
        Rows::Built(rows) => (MapPage::with_rows(&doc, rows), report),
        Rows::Records => {
            let mut report = report;
            let mut ips = std::mem::take(&mut report.ips);
            let first = ips.iter().filter_map(|r| r.first_seen).min();
            let last = ips.iter().filter_map(|r| r.last_seen).max();
            let mut page = MapPage::new(&doc, first, last);
            let mut kept = Vec::new();
            while let Some(r) = ips.pop() {
                page.push(&Row::from_record(&r));
                if ips.len() < SUMMARY_TOP || r.successes > 0 {
                    kept.push(r);
                }
                if ips.len() % 16_384 == 0 {
                    ips.shrink_to_fit();
                }
            }
            kept.reverse();
            report.ips = kept;
            (page, report)
        }
    };
    let (total, located) = (page.len(), page.located());

    let (size, target) = match output {
        Output::File(path) => (
            write_file(path, |w| page.write(w))?,
            path.display().to_string(),
        ),
        Output::Stdout => {
            let mut counted = Counted {
                inner: BufWriter::new(io::stdout().lock()),
                bytes: 0,
            };
            page.write(&mut counted)?;
            counted.flush()?;
            (counted.bytes, "standard output".to_string())
        }
    };

    if !cfg.quiet {
        // With the page on stdout, the summary goes to stderr.
        let mut out: Box<dyn Write> = match output {
            Output::File(_) => Box::new(io::stdout().lock()),
            Output::Stdout => Box::new(io::stderr().lock()),
        };
        write_text(
            &report,
            SUMMARY_TOP,
            &input.pipeline.zone,
            cfg.style,
            &mut out,
        )?;
        writeln!(
            out,
            "Map of {} addresses ({} placed) written to {} ({:.1} MB).",
            num(total as u64),
            num(located as u64),
            escape(&target),
            size as f64 / 1e6
        )?;
        out.flush()?;
    }
    if open {
        match output {
            Output::File(path) => open_in_browser(path),
            Output::Stdout => note(format_args!(
                "logmap: --open: the map went to standard output, there is no file to open"
            )),
        }
    }
    Ok(if failed { Exit::Error } else { Exit::Success })
}

/// Counts the bytes written through it (the page's size on stdout).
/// Where the page's rows come from.
enum Rows {
    /// Built by the report's shards.
    Built(Vec<crate::render::html::PageRows>),
    /// To be made from the report's records.
    Records,
}

struct Counted<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Write the page beside `output` and rename it into place, so a reader never sees half a
/// page. Returns its size.
fn write_file(
    output: &Path,
    write_page: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<u64> {
    let dir = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".logmap-")
        .suffix(".html.tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    {
        let mut w = BufWriter::new(tmp.as_file_mut());
        write_page(&mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("cannot write {}", output.display()))?;
    }
    let size = tmp.as_file().metadata().map(|m| m.len()).unwrap_or(0);
    // A temporary file is private (0600); the page is an ordinary document.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(output)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", output.display()))?;
    Ok(size)
}

/// Open the page in the default browser when there is a display to show it on.
fn open_in_browser(path: &Path) {
    let has_display = cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some()
        || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !has_display {
        note(format_args!(
            "logmap: --open: no display here; copy {} to a machine with a browser",
            path.display()
        ));
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        note(format_args!("logmap: --open: cannot run {opener}: {e}"));
    }
}
