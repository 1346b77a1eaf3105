//! What every request leaves behind: its id, its log lines and its metrics.
//!
//! The id is the caller's `x-request-id` when it is a sane one (a proxy in front made it, or a
//! client wants to find its request again), else one made here. It goes back on every response,
//! errors, 404s, static files and event streams included, and the request runs inside a tracing
//! span that carries it, so every line logged while handling it has it (`LOG_FORMAT=json`:
//! `spans[].request_id`). One access line per request (target `access`, silenced with
//! `RUST_LOG=info,access=warn`) records the status and duration. The HTTP metrics are labelled by
//! route template, never by the raw path, which a client could make unbounded.

use crate::server::platform::metrics;
use axum::body::Body;
use axum::extract::MatchedPath;
use axum::http::{HeaderName, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
/// The route label of requests no route matched (static files, pages that do not exist).
pub const UNMATCHED: &str = "unmatched";
const MAX_ID_LEN: usize = 128;

/// An incoming id we keep: 1 to 128 characters of `[A-Za-z0-9._:-]`. Anything else (spaces,
/// control characters, quotes) could forge or break a log line, and is replaced.
fn sane(id: &[u8]) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The caller's id when sane, else a new one.
fn request_id(request: &Request<Body>) -> HeaderValue {
    match request.headers().get(&REQUEST_ID) {
        Some(given) if sane(given.as_bytes()) => given.clone(),
        _ => HeaderValue::from_str(&uuid::Uuid::new_v4().simple().to_string()).unwrap_or_else(|_| HeaderValue::from_static("unknown")),
    }
}

/// The middleware: outermost, so it sees every answer as the client gets it.
pub async fn observe(mut request: Request<Body>, next: Next) -> Response {
    let id = request_id(&request);
    // Handlers (and whatever they call) see the id the response will carry.
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let matched = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
    let route = matched.as_deref().unwrap_or(UNMATCHED).to_string();
    let method = request.method().clone();
    let path = matched.is_none().then(|| request.uri().path().to_string());
    // A span's level only decides when it is recorded: at ERROR it is whenever anything is
    // logged (`RUST_LOG=warn` included), so no line of the request misses its id.
    let span = tracing::error_span!("request", request_id = %id.to_str().unwrap_or_default(), %method, %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = response.status();
    metrics::http_request(&route, &method, status, elapsed);
    span.in_scope(|| {
        let duration_ms = elapsed.as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::warn!(target: "access", status = status.as_u16(), duration_ms, path = path.as_deref(), "request answered");
        } else {
            tracing::info!(target: "access", status = status.as_u16(), duration_ms, path = path.as_deref(), "request answered");
        }
    });
    response.headers_mut().insert(REQUEST_ID, id);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_for(given: Option<&[u8]>) -> String {
        let mut request = Request::new(Body::empty());
        if let Some(given) = given {
            request.headers_mut().insert(REQUEST_ID, HeaderValue::from_bytes(given).expect("a header value"));
        }
        request_id(&request).to_str().expect("ascii").to_string()
    }

    #[test]
    fn sane_ids_are_kept() {
        for id in ["abc-123", "a", "1-67891233-abcdef012345678912345678", "x.y_z:1", &"a".repeat(128)] {
            assert_eq!(id_for(Some(id.as_bytes())), id);
        }
    }

    #[test]
    fn other_ids_are_replaced_by_a_new_one() {
        let long = "a".repeat(129);
        for id in [long.as_bytes(), b"two words", b"tab\there", b"quote\"", b"semi;colon", b"key=value", b"caf\xc3\xa9", b""] {
            let made = id_for(Some(id));
            assert_ne!(made.as_bytes(), id);
            assert!(made.len() == 32 && made.bytes().all(|b| b.is_ascii_hexdigit()), "{made}");
        }
        let (one, two) = (id_for(None), id_for(None));
        assert_ne!(one, two);
    }
}
