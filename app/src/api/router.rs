//! The whole HTTP surface in one table: the REST API, the event stream, stored images, server
//! functions (registered by `leptos_routes_with_context`), the Leptos pages and the static files,
//! with the security headers, the cross-site check, the admin gate and the server functions'
//! error statuses in front.

use super::extract::session_user;
use super::rest::{accounts, billing, design, infographs, layers, meta, models, proofread, shares, webhook};
use super::{assets, docs, guards, live, media, observe, openapi, share_page};
use crate::errors::AppError;
use crate::server::platform::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};

/// The OpenAPI document and its page, rendered once, and the methods each route takes.
fn published(stylesheet: &str) -> (meta::Published, ApiMethods) {
    let document = openapi::document();
    let json = document.to_json().unwrap_or_else(|e| {
        tracing::error!(error = %e, "cannot serialise the OpenAPI document");
        "{}".into()
    });
    let value = serde_json::to_value(&document).unwrap_or_default();
    let html = docs::render(&value, stylesheet);
    (meta::Published { json: json.into(), html: html.into() }, ApiMethods::of(&value))
}

/// The methods each documented route takes, read from the OpenAPI document: axum's merged
/// routers answer a wrong method with an empty `Allow`, and the document already says it.
#[derive(Clone)]
struct ApiMethods(Arc<Vec<(Vec<String>, String)>>);

impl ApiMethods {
    fn of(doc: &serde_json::Value) -> Self {
        let routes = doc
            .get("paths")
            .and_then(serde_json::Value::as_object)
            .into_iter()
            .flatten()
            .map(|(path, item)| {
                let methods: Vec<String> = item.as_object().into_iter().flatten().map(|(m, _)| m.to_uppercase()).collect();
                (path.split('/').map(str::to_string).collect(), methods.join(", "))
            })
            .collect();
        Self(Arc::new(routes))
    }

    /// `GET, POST` for `/api/infographs/abc/` when the document has `/api/infographs/{id}/`; of
    /// the routes that match, the most literal (`/create/` before `/{id}/`), as axum routes.
    fn allowed(&self, path: &str) -> Option<&str> {
        let segments: Vec<&str> = path.split('/').collect();
        let literal = |route: &[String]| route.iter().filter(|r| !r.starts_with('{')).count();
        self.0
            .iter()
            .filter(|(route, _)| route.len() == segments.len() && route.iter().zip(&segments).all(|(r, s)| r.starts_with('{') || r == s))
            .max_by_key(|(route, _)| literal(route))
            .map(|(_, methods)| methods.as_str())
    }
}

/// Server functions answer every error with a 500 whose body is the error; the error's own
/// status (a 404, a 409, a 429 with `Retry-After`) is what anybody calling the endpoint should
/// see, and the app's own client reads the body the same way whatever the status.
async fn server_fn_statuses(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let server_fn = request.uri().path().starts_with("/sfn/");
    let response = next.run(request).await;
    if !server_fn || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 256 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        let rendered = error.into_response();
        parts.status = rendered.status();
        for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
            if let Some(value) = rendered.headers().get(&name) {
                parts.headers.insert(name, value.clone());
            }
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// `/admin` answers 404 to everyone but admins (the page then shows "Page not found"), so the
/// dashboard's existence is not advertised. The data behind it is checked per server function.
async fn admin_gate(State(state): State<AppState>, request: Request<Body>, next: axum::middleware::Next) -> axum::response::Response {
    if request.uri().path().trim_end_matches('/') != "/admin" {
        return next.run(request).await;
    }
    let admin = matches!(session_user(&state, request.headers()).await, Ok(Some(u)) if u.admin());
    let mut response = next.run(request).await;
    if !admin {
        *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    response
}

/// The API's own 404: JSON, like every other API answer.
async fn api_not_found() -> AppError {
    AppError::NotFound
}

/// A route of the API asked with a method it does not take: axum answers 405 with an empty
/// body; every `/api/` error is JSON with a sentence, here naming the methods it takes (and the
/// route meant, for the one mistake people make: posting to the list to create).
async fn api_method_not_allowed(State(methods): State<ApiMethods>, request: Request<Body>, next: axum::middleware::Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED || !path.starts_with("/api/") {
        return response;
    }
    let allowed = methods.allowed(&path).unwrap_or_default().to_string();
    let mut message = match allowed.as_str() {
        "" => format!("{path} does not take {method}."),
        takes => format!("{path} does not take {method}; it takes {takes}."),
    };
    if method == axum::http::Method::POST && path == "/api/infographs/" {
        message.push_str(" To create infographs, POST to /api/infographs/create/.");
    }
    let body = serde_json::json!({"error": "method_not_allowed", "message": message});
    let mut answer = (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response();
    if let Ok(value) = header::HeaderValue::from_str(&allowed) {
        answer.headers_mut().insert(header::ALLOW, value);
    }
    answer
}

/// The app's page routes, found by rendering the app once per process. While Leptos renders it
/// for that, a process-wide flag stops every resource created anywhere from ever loading, so a
/// page rendered at that moment by another server in the same process (the tests start many)
/// would never finish: rendering it once, before any server of this process serves, avoids that.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(crate::App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = page_routes();
    let context_state = state.clone();
    let (published, methods) = published(&format!("/pkg/{}.css", state.leptos_options.output_name));
    Router::new()
        .merge(meta::router(published))
        .merge(accounts::router())
        .merge(infographs::router())
        .merge(models::router())
        .merge(proofread::router())
        .merge(layers::router())
        .merge(shares::router())
        .merge(billing::router())
        .merge(design::router())
        .merge(webhook::router())
        .route("/api/events/", get(live::events))
        .route("/media/{id}/{file}", get(media::serve))
        .route("/s/{token}", get(share_page::page))
        .route("/s/{token}/{file}", get(share_page::picture))
        .merge(assets::pkg_routes(&state.config.site_root))
        .merge(assets::example_routes(&state.config.site_root))
        .route("/api", any(api_not_found))
        .route("/api/", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .leptos_routes_with_context(&state, routes, move || provide_context(context_state.clone()), {
            let options = state.leptos_options.clone();
            move || crate::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(crate::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), admin_gate))
        .layer(axum::middleware::from_fn(server_fn_statuses))
        .layer(axum::middleware::from_fn_with_state(methods, api_method_not_allowed))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guards::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guards::security_headers))
        // Pages and JSON are compressed as they go; event streams, images and the precompressed
        // bundle are left alone (tower-http's default predicate and `Content-Encoding`).
        .layer(tower_http::compression::CompressionLayer::new())
        // Outermost: every answer, as the client gets it, carries its request id and is measured.
        .layer(axum::middleware::from_fn(observe::observe))
        .with_state(state)
}
