//! `logmap serve`: the live dashboard.

use std::path::PathBuf;

use anyhow::Result;

use crate::cli::Exit;
use crate::cli::config::Config;
use crate::render::note;
use crate::serve::{self, ServeConfig};

pub fn run(cfg: &Config, config: &ServeConfig, geoip: &[PathBuf]) -> Result<Exit> {
    // Logs to stderr; quiet by default (warnings), -v says more, RUST_LOG overrides.
    let level = if cfg.verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("logmap={level}")));
    // Colours only as --color says for stderr: escape codes in a file or the journal are noise.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(cfg.log_color)
        .with_writer(std::io::stderr)
        .try_init();
    let geo = super::analyse::open_geo(cfg, geoip)?;
    let quiet = cfg.quiet;
    let following = if config.follow.is_empty() && !config.journal {
        "serving the history only; give --follow FILE or --journal to add to it".to_string()
    } else {
        let mut f: Vec<String> = config
            .follow
            .iter()
            .map(|p| crate::render::text::escape(&p.display().to_string()).into_owned())
            .collect();
        if config.journal {
            f.push("the journal".into());
        }
        format!("following {}", f.join(", "))
    };
    serve::run(config.clone(), geo, &mut |addr, state| {
        // The first line says where: scripts and tests read the address from it.
        note(format_args!("logmap: serving http://{addr}/ ({following})"));
        if let Some(auth) = &state.auth
            && let Some(code) = auth.login_code()
        {
            let host = if addr.ip().is_unspecified() {
                "THIS-HOST".to_string()
            } else {
                addr.ip().to_string()
            };
            note(format_args!(
                "logmap: open http://{host}:{}/?token={code} once to log this browser in \
                 (the link works once); scripts send Authorization: Bearer TOKEN",
                addr.port()
            ));
        } else if !quiet {
            note(format_args!("logmap: stop with Ctrl-C"));
        }
    })?;
    Ok(Exit::Success)
}
