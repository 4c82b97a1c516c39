//! Who may look. On loopback (the default) anyone on this machine; on any other address only a
//! holder of the token: `Authorization: Bearer TOKEN` (scripts), or the `logmap_token` cookie
//! that the one-time link printed at start-up sets (browsers). The token never appears in a
//! URL after that first visit, and the link works once.

use std::sync::Mutex;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::AppState;

/// The token and the one-time login code.
pub struct Auth {
    token_hash: [u8; 32],
    /// The cookie value: the token itself would do, but a separate secret keeps the token out
    /// of the browser.
    session: String,
    login_code: Mutex<Option<String>>,
}

const COOKIE: &str = "logmap_session";

impl Auth {
    pub fn new(token: &str) -> Auth {
        Auth {
            token_hash: Sha256::digest(token.as_bytes()).into(),
            session: random_hex(32),
            login_code: Mutex::new(Some(random_hex(16))),
        }
    }

    /// The one-time login code (for the link printed at start-up).
    pub fn login_code(&self) -> Option<String> {
        self.login_code
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Compare through hashes: the comparison takes the same time wherever the inputs differ.
    fn is_token(&self, given: &str) -> bool {
        let h: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        h == self.token_hash
    }

    fn is_session(&self, given: &str) -> bool {
        Sha256::digest(given.as_bytes()) == Sha256::digest(self.session.as_bytes())
    }

    fn allowed(&self, headers: &HeaderMap) -> bool {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| self.is_token(t.trim()));
        bearer
            || headers
                .get_all(header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|kv| kv.trim().split_once('='))
                .any(|(k, v)| k == COOKIE && self.is_session(v))
    }

    /// `?token=CODE` with the one-time code: the session cookie, and the code is spent.
    fn login(&self, query: Option<&str>) -> Option<Response> {
        let code = query?.split('&').find_map(|kv| kv.strip_prefix("token="))?;
        let mut slot = self.login_code.lock().unwrap_or_else(|p| p.into_inner());
        let ok = slot
            .as_deref()
            .is_some_and(|c| Sha256::digest(c.as_bytes()) == Sha256::digest(code.as_bytes()));
        if !ok {
            return None;
        }
        *slot = None;
        let cookie = format!(
            "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
            self.session
        );
        let mut resp = Redirect::to("/").into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            resp.headers_mut().insert(header::SET_COOKIE, v);
        }
        Some(resp)
    }
}

/// A random lowercase hex string of `bytes` random bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // The OS generator cannot fail on the systems logmap runs on; if it did, refuse to invent.
    getrandom::fill(&mut buf).expect("the operating system's random generator");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// The middleware: lets a request through, logs a browser in, or answers 401.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = state.auth.as_deref() else {
        return next.run(req).await;
    };
    if auth.allowed(req.headers()) {
        return next.run(req).await;
    }
    if req.uri().path() == "/"
        && let Some(resp) = auth.login(req.uri().query())
    {
        return resp;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "logmap: a token is needed: open the login link that `logmap serve` printed, or send \
         Authorization: Bearer TOKEN\n",
    )
        .into_response()
}
