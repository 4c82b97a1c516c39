//! The endpoints. Data comes in the export schema (`logmap export --format json`); every
//! query runs on a read-only connection of its own, on the blocking pool.
//!
//! | endpoint | answer |
//! |---|---|
//! | `GET /` | the live dashboard: the map page reading the API and the stream |
//! | `GET /map.html` | the map page with the history's addresses embedded (as `logmap map --db`) |
//! | `GET /api/summary` | `summary --json`: totals, windows, top lists (`top`, default 10) |
//! | `GET /api/ips` | `{"total", "ips"}`: address records, selected and sorted (`limit`, default 1,000) |
//! | `GET /api/timeline?bucket=hour\|day` | `{"bucket_seconds", "series": [[start, events, failures, successes, new addresses]]}` |
//! | `GET /api/stream` | server-sent events: `batch` per stored batch, `reset` when a page must refetch |
//! | `GET /healthz` | `{"status": "ok"` or `"degraded", "last_error": "PATH: what", …}` |
//!
//! Query parameters (as the command line's): `since`, `until` (`2026-12-03 08:00`, `24h` …),
//! `country`, `asn`, `user`, `kind` (comma-separated), `min_failures`, `successful`, `sort`
//! (`failures`, `events`, `last-seen`, `first-seen`), `limit`, `top`, `include_private`.
//! The yes-or-no ones (`successful`, `include_private`) take `true`, `1` or nothing for yes,
//! `false` or `0` for no; anything else is a 400, like every other bad value.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::{BroadcastStream, WatchStream};

use super::AppState;
use crate::aggregate::{Filter, Keep, Report, Select, Sort};
use crate::parse::Kind;
use crate::parse::clock::Zone;
use crate::parse::timestamp::parse_time_arg;
use crate::store::Store;

/// Most address records one answer carries.
pub const MAX_LIMIT: usize = 100_000;
/// Longest query string accepted.
const MAX_QUERY: usize = 4096;

/// What goes wrong: a bad request says why; anything else is logged and answered with a
/// generic 500 (internal errors never reach the client).
pub enum ApiError {
    Bad(String),
    Internal(anyhow::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Bad(why) => {
                (StatusCode::BAD_REQUEST, Json(json!({ "error": why }))).into_response()
            }
            ApiError::Internal(e) => {
                tracing::warn!("request failed: {e:#}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({ "error": "internal error (see the server's log)" })),
                )
                    .into_response()
            }
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
    }
}

/// The parsed query.
struct Params {
    filter: Filter,
    select: Select,
    sort: Sort,
    limit: Option<usize>,
    top: usize,
}

fn params(q: &HashMap<String, String>) -> Result<Params, ApiError> {
    let total: usize = q.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    if total > MAX_QUERY {
        return Err(ApiError::Bad(format!(
            "query too long (at most {MAX_QUERY} bytes)"
        )));
    }
    for k in q.keys() {
        if ![
            "since",
            "until",
            "country",
            "asn",
            "user",
            "kind",
            "min_failures",
            "successful",
            "sort",
            "limit",
            "top",
            "include_private",
            "bucket",
        ]
        .contains(&k.as_str())
        {
            return Err(ApiError::Bad(format!("unknown parameter '{k}'")));
        }
    }
    let now = crate::pipeline::now();
    let zone = Zone::resolve(None).unwrap_or_default();
    let time = |k: &str| -> Result<Option<i64>, ApiError> {
        q.get(k)
            .map(|v| parse_time_arg(v, now, &zone).map_err(|e| ApiError::Bad(format!("{k}: {e}"))))
            .transpose()
    };
    let list = |k: &str| -> Vec<String> {
        q.get(k)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    // Present and empty is true (`?successful`), as on the command line.
    let flag = |k: &str| -> Result<bool, ApiError> {
        match q.get(k).map(String::as_str) {
            None | Some("false" | "0") => Ok(false),
            Some("" | "true" | "1") => Ok(true),
            Some(v) => Err(ApiError::Bad(format!(
                "{k}: '{v}' is neither true nor false (use true, 1, false or 0)"
            ))),
        }
    };
    let number = |k: &str| -> Result<Option<u64>, ApiError> {
        q.get(k)
            .map(|v| {
                v.parse()
                    .map_err(|_| ApiError::Bad(format!("{k}: not a number")))
            })
            .transpose()
    };
    let mut select = Select {
        users: list("user"),
        min_failures: number("min_failures")?.unwrap_or(0),
        successful: flag("successful")?,
        ..Select::default()
    };
    for c in list("country") {
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(ApiError::Bad(format!(
                "country: '{c}' is not a two-letter code"
            )));
        }
        select.countries.push(c.to_ascii_uppercase());
    }
    for a in list("asn") {
        let n = a.trim_start_matches("AS").trim_start_matches("as");
        select.asns.push(
            n.parse()
                .map_err(|_| ApiError::Bad(format!("asn: '{a}' is not a number")))?,
        );
    }
    for k in list("kind") {
        select.kinds.push(
            Kind::from_name(&k)
                .ok_or_else(|| ApiError::Bad(format!("kind: '{k}' is not a kind")))?,
        );
    }
    let sort = match q.get("sort") {
        None => Sort::default(),
        Some(s) => Sort::parse(s).ok_or_else(|| {
            ApiError::Bad("sort: use failures, events, last-seen or first-seen".into())
        })?,
    };
    let limit = number("limit")?.map(|n| (n as usize).min(MAX_LIMIT));
    let top = number("top")?.map_or(10, |n| (n as usize).clamp(1, 1000));
    let (since, until) = (time("since")?, time("until")?);
    Ok(Params {
        filter: Filter {
            include_private: flag("include_private")?,
            since,
            until,
        },
        select,
        sort,
        limit,
        top,
    })
}

/// Run blocking store work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("a query failed: {e}")))?
        .map_err(ApiError::Internal)
}

/// The report of the history for `p`.
fn report(state: &AppState, p: &Params, keep: Keep, hours: bool) -> anyhow::Result<Report> {
    let store = Store::open_for_reading(&state.db)?;
    let loaded = store.load(p.filter, hours, &p.select)?;
    let reorder = !p.select.is_empty() || p.sort != Sort::Failures;
    let inner = if reorder { Keep::All } else { keep };
    let mut report = loaded
        .aggregator
        .finish(&loaded.locations, loaded.databases, loaded.sources, inner)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    report.history = Some(loaded.history);
    let top = match keep {
        Keep::Top(n) if reorder => Some(n),
        _ => None,
    };
    report.shape(&p.select, p.sort, top, p.limit);
    Ok(report)
}

pub async fn summary(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = params(&q)?;
    let doc = blocking(move || {
        let r = report(&state, &p, Keep::Top(p.top), false)?;
        Ok(crate::render::summary::truncated(r, p.top))
    })
    .await?;
    Ok(Json(doc).into_response())
}

pub async fn ips(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let mut p = params(&q)?;
    let limit = p.limit.unwrap_or(1000);
    p.limit = None;
    let doc = blocking(move || {
        let r = report(&state, &p, Keep::All, false)?;
        let total = r.ips.len();
        let ips: Vec<_> = r.ips.into_iter().take(limit).collect();
        Ok(json!({ "generator": crate::GENERATOR, "total": total, "ips": ips }))
    })
    .await?;
    Ok(Json(doc).into_response())
}

pub async fn timeline(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let p = params(&q)?;
    let bucket = match q.get("bucket").map(String::as_str) {
        None | Some("hour") => 3600,
        Some("day") => 86400,
        Some(b) => return Err(ApiError::Bad(format!("bucket: '{b}' (use hour or day)"))),
    };
    let private = p.filter.include_private;
    let series = blocking(move || {
        let store = Store::open_for_reading(&state.db)?;
        store.timeline(bucket, private)
    })
    .await?;
    Ok(Json(json!({ "bucket_seconds": bucket, "series": series })).into_response())
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    let health = state.health.lock().map(|h| h.clone()).unwrap_or_default();
    Json(json!({
        "status": if health.last_error.is_some() { "degraded" } else { "ok" },
        "generator": crate::GENERATOR,
        "following": health.following,
        "last_pass": health.last_pass.map(crate::parse::timestamp::format_rfc3339),
        "lines_stored": health.lines,
        "last_error": health.last_error,
        "stream_clients": state.clients.load(Ordering::Relaxed),
    }))
    .into_response()
}

/// The live dashboard: the map page without embedded addresses; it reads them from the API
/// and follows the stream.
pub async fn dashboard() -> Result<Response, ApiError> {
    let mut html = Vec::new();
    crate::render::html::write_live_page(&mut html).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// The map page of the history (written as `logmap map --db` writes it).
pub async fn page(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    // The one-time login code is the auth layer's; it never reaches here.
    let p = params(&q.into_iter().filter(|(k, _)| k != "token").collect())?;
    let html = blocking(move || {
        let mut r = report(&state, &p, Keep::All, true)?;
        let ips = std::mem::take(&mut r.ips);
        let doc = serde_json::to_value(&r)?;
        let first = ips.iter().filter_map(|r| r.first_seen).min();
        let last = ips.iter().filter_map(|r| r.last_seen).max();
        let mut page = crate::render::html::MapPage::new(&doc, first, last);
        for r in &ips {
            page.push(&crate::render::html::Row::from_record(r));
        }
        drop(ips);
        let mut out = Vec::new();
        page.write(&mut out)?;
        Ok(out)
    })
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

pub async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!({ "error": "no such page" })),
    )
        .into_response()
}

/// Counts a stream client while it lives.
struct Client(AppState);

impl Drop for Client {
    fn drop(&mut self) {
        self.0.clients.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `GET /api/stream`: every stored batch as it is stored. A page that comes back with
/// `Last-Event-ID` gets what it missed, or a `reset` if that is too old.
pub async fn stream(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.clients.fetch_add(1, Ordering::SeqCst) >= state.max_clients {
        state.clients.fetch_sub(1, Ordering::SeqCst);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "error": "too many live pages open" })),
        )
            .into_response();
    }
    let client = Client(state.clone());
    let last = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (rx, missed) = state.hub.subscribe(last.as_deref());
    let first: Vec<SseEvent> = match missed {
        Some(msgs) => msgs.into_iter().map(to_sse).collect(),
        None => vec![SseEvent::default().event("reset").data("{}")],
    };
    // `None` when the server stops: the stream ends there.
    let closing = WatchStream::new(state.hub.closing())
        .filter(|closed| *closed)
        .map(|_| None);
    let live = BroadcastStream::new(rx).map(|m| match m {
        Ok(m) => to_sse(m),
        // This page fell behind: it must refetch.
        Err(_) => SseEvent::default().event("reset").data("{}"),
    });
    let stream = tokio_stream::iter(first)
        .chain(live)
        .map(Some)
        .merge(closing)
        .take_while(Option::is_some)
        .filter_map(move |e| {
            let _keep = &client;
            e.map(Ok::<_, Infallible>)
        });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn to_sse(m: super::hub::Message) -> SseEvent {
    SseEvent::default().id(m.id).event(m.event).data(&*m.data)
}

/// The records of `ips` and the totals: the data of a `batch` message.
pub fn batch_message(
    store: &Store,
    ips: &[IpAddr],
    new: &[IpAddr],
    lines: u64,
    summary: &Value,
) -> anyhow::Result<Value> {
    let records = store.records(ips)?;
    Ok(json!({
        "lines": lines,
        "new": new,
        "ips": records,
        "summary": summary,
    }))
}
