//! Middleware that every request passes: the cross-site check on cookie-authenticated state
//! changes, and the security headers of every answer.

use super::extract::session_token;
use crate::errors::AppError;
use crate::server::platform::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, OnceLock};

/// The scheme, host and port of a URL, as browsers write it in `Origin`.
fn origin_of(url: &str) -> Option<String> {
    url::Url::parse(url).ok().map(|u| u.origin().ascii_serialization())
}

/// Whether a request comes from one of our own pages. Browsers send `Origin` on every POST;
/// without it, `Sec-Fetch-Site` says where the request started. A client that sends neither is
/// not a browser carrying someone's cookie, so it is let through (it has to prove who it is
/// like anyone else). Without a configured `PUBLIC_BASE_URL` the site answers on whatever host
/// it was reached at (`localhost`, `127.0.0.1`), so the request's own `Host` counts as ours.
fn from_our_pages(state: &AppState, headers: &HeaderMap) -> bool {
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    match text(header::ORIGIN) {
        Some(origin) => {
            let public = origin_of(&state.public_base_url);
            let own_host = state.config.public_base_url.is_none()
                && origin_of(origin).zip(text(header::HOST)).is_some_and(|(o, host)| {
                    o.strip_prefix("http://").or_else(|| o.strip_prefix("https://")) == Some(host)
                });
            public.as_deref() == Some(origin) || own_host
        }
        None => match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
            Some(site) => matches!(site, "same-origin" | "none"),
            None => true,
        },
    }
}

/// Refuses a state change that a browser could be tricked into making with our session cookie:
/// a server function (sign-in included: login CSRF), or any non-GET request carrying the cookie,
/// sent from another site's page. `403` with a JSON error; nothing runs.
pub async fn refuse_cross_site(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let cookie_authenticated = request.uri().path().starts_with("/sfn/") || session_token(request.headers()).is_some();
    if safe || !cookie_authenticated || from_our_pages(&state, request.headers()) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), origin = ?request.headers().get(header::ORIGIN), "refused a cross-site request");
    AppError::Forbidden("cross-site requests are refused".into()).into_response()
}

/// For HTML that sets no policy of its own (the API reference, error pages): no script at all.
const STRICT_POLICY: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the app's pages: scripts only from us or inline with this response's nonce
/// (the hydration script), wasm compiled from our own bundle, no framing. `payments`: the
/// origins of Stripe.js and Stripe's API, on the billing page only (the card form is Stripe's
/// script, its frames and its calls).
fn page_policy(nonce: &str, payments: &[String]) -> String {
    let stripe = payments.join(" ");
    // Stripe's 3-D Secure check opens its frame from hooks.stripe.com.
    let (scripts, frames, connects) = if payments.is_empty() {
        (String::new(), "'none'".to_string(), String::new())
    } else {
        (format!(" {stripe}"), format!("{stripe} https://hooks.stripe.com"), format!(" {stripe}"))
    };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'{scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: https:; connect-src 'self'{connects}; frame-src {frames}; font-src 'self'; object-src 'none'; \
         base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The origins the billing page's card form talks to, when purchases are configured.
fn payment_origins(state: &AppState) -> Vec<String> {
    let billing = &state.config.billing;
    if !billing.configured() {
        return Vec::new();
    }
    let mut origins: Vec<String> = [billing.js_url.as_str(), billing.api_base.as_str()].iter().filter_map(|u| origin_of(u)).collect();
    origins.dedup();
    origins
}

/// Where a page's render leaves the nonce Leptos put on its inline scripts, for
/// `security_headers` to write the page's policy with. The policy is written here, on the way
/// out, rather than through Leptos' response options: a page once arrived with its scripts
/// nonced and the strict fallback policy (so it never hydrated), and a header that depends only
/// on this slot and the request's path cannot be lost between the render and the response.
#[derive(Clone, Default)]
pub struct PageNonce(Arc<OnceLock<String>>);

/// Called while a page renders (`crate::shell`): hands its nonce to `security_headers`.
pub fn record_page_nonce() {
    use leptos::prelude::use_context;
    let slot = use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<PageNonce>().cloned());
    match (slot, leptos::nonce::use_nonce()) {
        (Some(slot), Some(nonce)) => {
            let _ = slot.0.set(nonce.to_string());
        }
        (slot, nonce) => tracing::warn!(slot = slot.is_some(), nonce = nonce.is_some(), "a page rendered without its nonce slot: it gets the strict policy"),
    }
}

/// The policy of an HTML answer that set none itself: the page policy with the nonce its render
/// recorded (Stripe's origins on the billing page), else the strict one.
fn policy_for(state: &AppState, path: &str, nonce: &PageNonce) -> HeaderValue {
    let Some(nonce) = nonce.0.get() else { return HeaderValue::from_static(STRICT_POLICY) };
    let payments = if path.trim_end_matches('/') == "/billing" { payment_origins(state) } else { Vec::new() };
    HeaderValue::from_str(&page_policy(nonce, &payments)).unwrap_or(HeaderValue::from_static(STRICT_POLICY))
}

/// Headers every answer gets; HTML without a policy of its own gets the page policy (when a page
/// rendered it) or the strict one.
pub async fn security_headers(State(state): State<AppState>, mut request: Request<Body>, next: Next) -> Response {
    let nonce = PageNonce::default();
    request.extensions_mut().insert(nonce.clone());
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let https = state.public_base_url.starts_with("https://");
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    ];
    for (name, value) in defaults {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if html {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy_for(&state, &path, &nonce));
        }
        // Pages name the current bundle (and carry a fresh nonce): always revalidated.
        headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-cache"));
    }
    response
}
