//! Who may look. On loopback (the default) anyone on this machine; on any other address only a
//! holder of the token: `Authorization: Bearer TOKEN` (scripts), or the `logmap_token` cookie
//! that the one-time link printed at start-up sets (browsers). The token never appears in a
//! URL after that first visit, and the link works once.
//!
//! Without a token, a request must also name a loopback host (`Host: localhost`, `127.x.y.z`
//! or `[::1]`, any port, any case; no `Host` at all, as HTTP/1.0 may, is fine): otherwise a web
//! page the admin visits could point its own name at 127.0.0.1 (DNS rebinding) and read the
//! API as the admin's browser, which needs no token there. Other names get a 403. With a token
//! the token is what protects, and any name is answered.

use std::net::IpAddr;
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

/// Whether `host` (a `Host` header or a URI's authority: a name or address, maybe a port)
/// names this machine's loopback: `localhost`, `127.x.y.z`, `[::1]`, in any case, with any
/// port.
pub fn is_loopback_host(host: &str) -> bool {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        if v6.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        (
            v6,
            after.strip_prefix(':').or(after.is_empty().then_some("")),
        )
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, Some("")),
        }
    };
    let Some(port) = port else {
        return false;
    };
    if !port.bytes().all(|b| b.is_ascii_digit()) || port.len() > 5 {
        return false;
    }
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// Without a token: whether every name the request gives for this server (its `Host`
/// headers, the authority of an absolute URI or of HTTP/2) is a loopback one. None at all is
/// fine: only a browser can be made to send a request it did not mean to, and it always names
/// the host.
fn names_loopback(req: &Request) -> bool {
    req.headers()
        .get_all(header::HOST)
        .iter()
        .all(|v| v.to_str().is_ok_and(is_loopback_host))
        && req
            .uri()
            .authority()
            .is_none_or(|a| is_loopback_host(a.as_str()))
}

/// The middleware: lets a request through, logs a browser in, or answers 401 (or, without a
/// token, 403 for a host name that is not a loopback one).
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(auth) = state.auth.as_deref() else {
        if names_loopback(&req) {
            return next.run(req).await;
        }
        return (
            StatusCode::FORBIDDEN,
            "logmap: this server answers only to localhost, 127.0.0.1 or [::1] (the Host \
             header named another host); without a token it is for this machine only\n",
        )
            .into_response();
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

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn loopback_host_names() {
        for ok in [
            "localhost",
            "LocalHost:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.8.9.10:1",
            "[::1]",
            "[::1]:8080",
            "[0:0:0:0:0:0:0:1]:80",
            "[::ffff:127.0.0.1]:80",
        ] {
            assert!(is_loopback_host(ok), "{ok}");
        }
        for bad in [
            "",
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "evil.localhost",
            "127.0.0.1.evil.example",
            "10.0.0.1:8080",
            "0.0.0.0:8080",
            "[::2]:80",
            "[::1",
            "[::1]x",
            "::1",
            "localhost:80x",
            "localhost:123456",
            "user@localhost",
        ] {
            assert!(!is_loopback_host(bad), "{bad}");
        }
    }
}
