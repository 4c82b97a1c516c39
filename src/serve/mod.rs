//! `logmap serve`: the live dashboard. An HTTP server (axum on tokio) over the history, and a
//! follower that ingests what the logs append through the history's exactly-once path (so a
//! restart neither loses nor repeats a line) and pushes each stored batch to the pages over
//! server-sent events.
//!
//! - [`app`] builds the router apart from the socket, so handlers can be tested with
//!   `oneshot`; [`run`] binds, starts the follower and serves until SIGINT/SIGTERM, then lets
//!   the follower commit what it read.
//! - `api.rs`: the JSON endpoints (the export schema), `hub.rs`: the stream, `follow.rs`: the
//!   follower, `auth.rs`: the token.
//! - Safe by default: 127.0.0.1 unless told otherwise; any other address needs a token;
//!   without a token only requests naming a loopback host (`Host: localhost`, `127.x.y.z`,
//!   `[::1]`) are answered, against DNS rebinding (`auth.rs`); read-only API; a strict Content-Security-Policy on every response; bounded stream
//!   clients, request sizes, query limits and times.

mod api;
pub mod auth;
pub mod follow;
pub mod hub;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::routing::get;

use crate::enrich::Geo;
use crate::store::ingest::IngestOptions;
use hub::Hub;

/// What `logmap serve` was asked to do.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub db: PathBuf,
    pub listen: SocketAddr,
    /// Files to follow (with their rotated siblings `FILE.*`).
    pub follow: Vec<PathBuf>,
    pub journal: bool,
    /// Required on a non-loopback address.
    pub token: Option<String>,
    /// How new lines are read (format, zone, year, retention, host).
    pub ingest: IngestOptions,
    /// How often the follower looks even without a file-system notification.
    pub poll: Duration,
    /// Most stream clients at once.
    pub max_clients: usize,
}

/// Shared by the handlers.
#[derive(Clone)]
pub struct AppState {
    pub db: Arc<PathBuf>,
    pub hub: Arc<Hub>,
    pub auth: Option<Arc<auth::Auth>>,
    pub clients: Arc<AtomicUsize>,
    pub max_clients: usize,
    /// What the follower last did (for `/healthz`).
    pub health: Arc<std::sync::Mutex<follow::Health>>,
}

/// The Content-Security-Policy of every response. Pages may run only their own inline script
/// and style (their hashes, computed at build time) and connect only to this server.
fn csp() -> HeaderValue {
    HeaderValue::from_str(&crate::render::html::live_csp())
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

/// The router, apart from the socket.
pub fn app(state: AppState) -> Router {
    let csp = csp();
    Router::new()
        .route("/", get(api::dashboard))
        .route("/map.html", get(api::page))
        .route("/healthz", get(api::healthz))
        .route("/api/summary", get(api::summary))
        .route("/api/ips", get(api::ips))
        .route("/api/timeline", get(api::timeline))
        .route("/api/stream", get(api::stream))
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), auth::check))
        .layer(middleware::from_fn(limit_headers))
        // Read-only: no request has a body worth reading.
        .layer(DefaultBodyLimit::max(1024))
        .layer(middleware::from_fn(move |req, next: middleware::Next| {
            let csp = csp.clone();
            async move {
                let mut resp = next.run(req).await;
                let h = resp.headers_mut();
                h.insert(header::CONTENT_SECURITY_POLICY, csp);
                h.insert(
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                );
                h.insert(
                    header::REFERRER_POLICY,
                    HeaderValue::from_static("no-referrer"),
                );
                h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
                resp
            }
        }))
        .with_state(state)
}

/// Most bytes of request headers (a browser sends a few hundred).
const MAX_HEADERS: usize = 16 * 1024;

/// Refuse requests with oversized headers (431) before anything else reads them.
async fn limit_headers(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let size: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum::<usize>()
        + req.uri().to_string().len();
    if size > MAX_HEADERS {
        return (
            axum::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "logmap: request headers too large\n",
        )
            .into_response();
    }
    next.run(req).await
}

/// Serve until SIGINT or SIGTERM. `ready` is told the bound address (port 0 picks one).
pub fn run(cfg: ServeConfig, geo: Geo, ready: &mut dyn FnMut(SocketAddr, &AppState)) -> Result<()> {
    if !cfg.listen.ip().is_loopback() && cfg.token.is_none() {
        bail!(
            "--listen {}: not a loopback address, so a token is required (--token-file PATH or \
             LOGMAP_TOKEN); anyone who can reach it could read the history",
            cfg.listen
        );
    }
    // Create (or check) the history before answering anything about it.
    drop(crate::store::Store::open_for_writing(
        &cfg.db,
        Duration::from_secs(3),
    )?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the server")?;
    let run_id = auth::random_hex(4);
    let state = AppState {
        db: Arc::new(cfg.db.clone()),
        hub: Arc::new(Hub::new(run_id)),
        auth: cfg.token.as_deref().map(|t| Arc::new(auth::Auth::new(t))),
        clients: Arc::new(AtomicUsize::new(0)),
        max_clients: cfg.max_clients,
        health: Arc::new(std::sync::Mutex::new(follow::Health::default())),
    };
    let stop = Arc::new(AtomicBool::new(false));
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .with_context(|| format!("cannot listen on {}", cfg.listen))?;
        let addr = listener.local_addr()?;
        ready(addr, &state);
        // The follower is a thread of its own: ingesting is blocking work.
        let follower = {
            let (cfg, state, stop) = (cfg.clone(), state.clone(), Arc::clone(&stop));
            std::thread::spawn(move || follow::run(&cfg, &geo, &state, &stop))
        };
        let shutdown = {
            let stop = Arc::clone(&stop);
            let hub = Arc::clone(&state.hub);
            async move {
                wait_for_signal().await;
                tracing::info!("stopping: finishing the batch being read");
                stop.store(true, Ordering::SeqCst);
                hub.close();
            }
        };
        axum::serve(listener, app(state.clone()))
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving")?;
        stop.store(true, Ordering::SeqCst);
        match follower.join() {
            Ok(r) => r,
            Err(_) => bail!("the follower thread failed"),
        }
    })
}

async fn wait_for_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
