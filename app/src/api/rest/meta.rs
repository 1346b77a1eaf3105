//! Health, readiness and the API's own documentation.

use crate::api::types::{Health, Readiness};
use crate::server::platform::readiness;
use crate::server::platform::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use std::sync::Arc;

/// The OpenAPI document and its HTML rendering, built once when the router is.
#[derive(Clone)]
pub struct Published {
    pub json: Arc<str>,
    pub html: Arc<str>,
}

pub fn router(published: Published) -> Router<AppState> {
    Router::new()
        .route("/api/health/", get(health))
        .route("/api/ready/", get(ready))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs/", get(docs_page))
        .layer(Extension(published))
}

/// Liveness for load balancers (and the benchmarks' ceiling): no database, no auth.
#[utoipa::path(get, path = "/api/health/", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// Readiness for load balancers: the database answers, its migrations are this build's, the
/// image store takes writes, and the instance is not shutting down; `503` names what is not.
#[utoipa::path(get, path = "/api/ready/", tag = "meta", responses(
    (status = 200, description = "Ready for traffic", body = Readiness),
    (status = 503, description = "Not ready: `not_ready` and `message` say what", body = Readiness)))]
pub async fn ready(State(state): State<AppState>) -> Response {
    let checks = readiness::check(&state).await;
    let failing: Vec<&readiness::Check> = checks.iter().filter(|c| c.problem.is_some()).collect();
    let message = match failing.as_slice() {
        [] => "Ready.".to_string(),
        failing => format!(
            "Not ready: {}.",
            failing.iter().map(|c| format!("{} ({})", c.name, c.problem.as_deref().unwrap_or_default())).collect::<Vec<_>>().join("; ")
        ),
    };
    let body = Readiness {
        status: if failing.is_empty() { "ready" } else { "not_ready" }.into(),
        not_ready: failing.iter().map(|c| c.name.to_string()).collect(),
        checks: checks.iter().map(|c| (c.name.to_string(), c.problem.clone().unwrap_or_else(|| "ok".into()))).collect(),
        message,
    };
    let status = if body.not_ready.is_empty() { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn openapi_json(Extension(published): Extension<Published>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], published.json.to_string()).into_response()
}

/// This reference, as a page.
#[utoipa::path(get, path = "/api/docs/", tag = "meta",
    responses((status = 200, description = "The API reference as HTML", content_type = "text/html", body = String)))]
pub async fn docs_page(Extension(published): Extension<Published>) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], published.html.to_string()).into_response()
}
