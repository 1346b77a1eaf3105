//! `POST /api/infographs/webhook/{id}/`: fal's webhook. The raw body goes to the use case
//! (`jobs::webhook`), which verifies it before anything is parsed.

use crate::api::types::{ErrorBody, WebhookAck, ERR};
use crate::server::jobs::webhook::{self as use_case, WebhookError};
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/infographs/webhook/{id}/", post(webhook))
        .route("/api/infographs/webhook/{id}/proofread/", post(proofread_webhook))
}

struct Refused(WebhookError);

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, code) = match &self.0 {
            WebhookError::Signature(_) => (StatusCode::UNAUTHORIZED, "invalid_signature"),
            WebhookError::OtherAccount => (StatusCode::UNAUTHORIZED, "wrong_account"),
            WebhookError::Body(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
            WebhookError::UnknownJob => (StatusCode::NOT_FOUND, "not_found"),
            WebhookError::NotReady => (StatusCode::CONFLICT, "not_ready"),
            WebhookError::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        (status, Json(json!({"error": code, "message": self.0.to_string()}))).into_response()
    }
}

/// fal's webhook: verifies the Ed25519 signature over the raw body before parsing anything,
/// checks the body is about this job, then applies the outcome once. Duplicates answer 200 and
/// change nothing.
#[utoipa::path(post, path = "/api/infographs/webhook/{id}/", tag = "webhooks",
    params(
        ("id" = String, Path, description = "Infograph id"),
        ("X-Fal-Webhook-Request-Id" = String, Header), ("X-Fal-Webhook-User-Id" = String, Header),
        ("X-Fal-Webhook-Timestamp" = String, Header), ("X-Fal-Webhook-Signature" = String, Header),
    ),
    request_body(content = Object, content_type = "application/json", description = "fal's webhook body: request_id, status, payload"),
    responses(
        (status = 200, body = WebhookAck),
        (status = 400, body = ErrorBody, content_type = ERR),
        (status = 401, description = "Missing or invalid signature, or signed for another fal account", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not submitted yet; fal retries", body = ErrorBody, content_type = ERR),
    ))]
pub async fn webhook(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    answer(use_case::receive(&state, &id, &headers, &body).await)
}

/// What fal reads of a delivery: 200 with whether it changed anything, or the refusal.
fn answer(received: Result<bool, WebhookError>) -> Response {
    match received {
        Ok(changed) => Json(WebhookAck { ok: true, changed }).into_response(),
        Err(err) => Refused(err).into_response(),
    }
}

/// fal's webhook for a picture's read-back (its proofread): verified exactly like the picture's,
/// then applied once.
#[utoipa::path(post, path = "/api/infographs/webhook/{id}/proofread/", tag = "webhooks",
    params(
        ("id" = String, Path, description = "Infograph id"),
        ("X-Fal-Webhook-Request-Id" = String, Header), ("X-Fal-Webhook-User-Id" = String, Header),
        ("X-Fal-Webhook-Timestamp" = String, Header), ("X-Fal-Webhook-Signature" = String, Header),
    ),
    request_body(content = Object, content_type = "application/json", description = "fal's webhook body: request_id, status, payload"),
    responses(
        (status = 200, body = WebhookAck),
        (status = 400, body = ErrorBody, content_type = ERR),
        (status = 401, description = "Missing or invalid signature, or signed for another fal account", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not submitted yet; fal retries", body = ErrorBody, content_type = ERR),
    ))]
pub async fn proofread_webhook(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    answer(crate::server::proofread::receive(&state, &id, &headers, &body).await)
}
