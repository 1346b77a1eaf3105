//! Health and the API's own documentation.

use crate::api::types::Health;
use crate::server::platform::state::AppState;
use axum::http::header;
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
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs/", get(docs_page))
        .layer(Extension(published))
}

/// Liveness for load balancers (and the benchmarks' ceiling): no database, no auth.
#[utoipa::path(get, path = "/api/health/", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
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
