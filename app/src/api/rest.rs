//! The drop-in JSON REST API (the seed's contract), authenticated with `Authorization: Token <key>`,
//! and fal's webhook endpoint.

use crate::errors::AppError;
use crate::model::{InfographView, RawCreate};
use crate::server::db::{infograph_by_id, UserRow};
use crate::server::jobs::{apply_outcome, outcome_from_webhook, Outcome};
use crate::server::state::AppState;
use crate::server::webhook::SignedHeaders;
use crate::server::{auth, ratelimit, service};
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health/", get(health))
        .route("/api/auth/register/", post(register))
        .route("/api/auth/token/", post(token))
        .route("/api/account/", get(account))
        .route("/api/infographs/", get(list))
        .route("/api/infographs/create/", post(create))
        .route("/api/infographs/status/{id}/", get(status))
        .route("/api/infographs/webhook/{id}/", post(webhook))
        .route("/api/events/", get(super::live::events))
        .fallback(|| async { AppError::NotFound })
}

/// The caller of a REST endpoint, from `Authorization: Token <key>`.
pub struct ApiUser(pub UserRow);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(auth::token_from_authorization)
            .ok_or(AppError::Unauthorized)?;
        state.tokens.user(&state.db, token).await?.map(ApiUser).ok_or(AppError::Unauthorized)
    }
}

/// The caller's address for rate limiting (see [`crate::server::ratelimit::client_ip`]).
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0);
        Ok(ClientIp(ratelimit::client_ip(&parts.headers, peer, state.config.trusted_proxy_header.as_deref())))
    }
}

/// Parses a JSON object body; anything else is a 400 naming `body`, not axum's plain-text rejection.
fn json_object(body: &[u8]) -> Result<Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::invalid_field("body", "must be a JSON object")),
        Err(e) => Err(AppError::invalid_field("body", format!("is not valid JSON: {e}"))),
    }
}

/// A string field; `null` or missing = absent. With `numbers`, a JSON number is accepted too
/// (the seed API took both `"2"` and `2` for counts).
fn text_field(map: &Map<String, Value>, name: &str, numbers: bool) -> Result<Option<String>, (String, String)> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) if numbers => Ok(Some(n.to_string())),
        Some(_) if numbers => Err((name.to_string(), "must be a number".to_string())),
        Some(_) => Err((name.to_string(), "must be a string".to_string())),
    }
}

fn raw_create(map: &Map<String, Value>) -> Result<RawCreate, AppError> {
    let mut errors = crate::model::FieldErrors::new();
    let mut get = |name: &str, numbers: bool| {
        text_field(map, name, numbers).map_err(|(k, v)| errors.insert(k, v)).ok().flatten()
    };
    let raw = RawCreate {
        prompt: get("prompt", false),
        blog_url: get("blog_url", false),
        aspect_ratio: get("aspect_ratio", false),
        resolution: get("resolution", false),
        number_of_infographs: get("number_of_infographs", true),
    };
    if errors.is_empty() {
        Ok(raw)
    } else {
        Err(AppError::invalid(errors))
    }
}

fn credentials(body: &[u8]) -> Result<(String, String), AppError> {
    let map = json_object(body)?;
    let mut errors = crate::model::FieldErrors::new();
    let mut get = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => {
            errors.insert(name.to_string(), "is required".to_string());
            String::new()
        }
    };
    let (email, password) = (get("email"), get("password"));
    if errors.is_empty() {
        Ok((email, password))
    } else {
        Err(AppError::invalid(errors))
    }
}

fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn status_json(v: &InfographView) -> Value {
    json!({
        "id": v.id,
        "status": v.status,
        "image_url": v.image_url,
        "width": v.width,
        "height": v.height,
        "prompt": v.prompt,
        "blog_url": v.blog_url,
        "aspect_ratio": v.aspect_ratio,
        "resolution": v.resolution,
        "error": v.error,
        "refunded": v.refunded,
        "created_at": rfc3339(v.created_at),
        "updated_at": rfc3339(v.updated_at),
        "version": v.version,
        "progress_version": v.progress_version,
        "phase": v.phase,
        "queue_position": v.queue_position,
        "progress": v.progress,
        "eta_seconds": v.eta_ms.map(|ms| (ms + 999) / 1000),
    })
}

/// Liveness for load balancers (and the benchmarks' ceiling): no database, no auth.
async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn register(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Response, AppError> {
    service::limit_auth(&state, &ip).await?;
    let (email, password) = credentials(&body)?;
    let user = service::register(&state, &email, &password).await?;
    let token = auth::create_api_token(&state.db, &user.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"token": token, "email": user.email, "credit_balance": user.credit_balance})),
    )
        .into_response())
}

async fn token(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Json<Value>, AppError> {
    service::limit_auth(&state, &ip).await?;
    let (email, password) = credentials(&body)?;
    let user = auth::authenticate(&state.db, &email, &password).await?;
    let token = auth::create_api_token(&state.db, &user.id).await?;
    Ok(Json(json!({"token": token})))
}

async fn account(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Value>, AppError> {
    let view = service::account(&state, &user).await?;
    Ok(Json(json!({"email": view.email, "credit_balance": view.credit_balance})))
}

async fn create(State(state): State<AppState>, ApiUser(user): ApiUser, body: Bytes) -> Result<Response, AppError> {
    let raw = raw_create(&json_object(&body)?)?;
    let created = service::create(&state, &user, &raw).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    Ok(Json(status_json(&service::status(&state, &user, &id).await?)))
}

async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<Value>, AppError> {
    let items: Vec<Value> = service::list(&state, &user).await?.iter().map(status_json).collect();
    Ok(Json(json!({"count": items.len(), "infographs": items})))
}

/// Errors of the webhook endpoint: fal reads only the status; the body helps whoever debugs it.
#[derive(Debug, thiserror::Error)]
enum WebhookError {
    #[error("invalid signature: {0}")]
    Signature(#[from] crate::server::webhook::VerifyError),
    #[error("invalid body: {0}")]
    Body(String),
    #[error("unknown infograph")]
    UnknownJob,
    #[error("the job has not been submitted yet; retry later")]
    NotReady,
    #[error("internal error")]
    Internal,
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::Signature(_) => (StatusCode::UNAUTHORIZED, "invalid_signature"),
            Self::Body(_) => (StatusCode::BAD_REQUEST, "invalid_input"),
            Self::UnknownJob => (StatusCode::NOT_FOUND, "not_found"),
            Self::NotReady => (StatusCode::CONFLICT, "not_ready"),
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        (status, Json(json!({"error": code, "message": self.to_string()}))).into_response()
    }
}

impl From<sqlx::Error> for WebhookError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error in webhook");
        Self::Internal
    }
}

/// The result from fal's queue, when it holds an image.
async fn fetch_result(state: &AppState, response_url: Option<&str>) -> Option<Outcome> {
    let output = state.fal.result(response_url?).await.ok()?;
    Some(Outcome::from_output(&output)).filter(|o| matches!(o, Outcome::Completed { .. }))
}

/// Verifies the signature over the raw body before parsing anything, checks the body is about
/// this job, then applies the outcome once. Duplicates answer 200 and change nothing.
async fn webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, WebhookError> {
    let signed = SignedHeaders::from_headers(&headers)?;
    state.jwks.verify(&signed, &body).await?;
    let json: Value = serde_json::from_slice(&body).map_err(|e| WebhookError::Body(e.to_string()))?;
    let request_id = json
        .get("request_id")
        .and_then(Value::as_str)
        .ok_or_else(|| WebhookError::Body("request_id is missing".into()))?;
    if request_id != signed.request_id {
        return Err(WebhookError::Body("request_id differs from the signed header".into()));
    }
    let mut job = infograph_by_id(&state.db, &id).await?.ok_or(WebhookError::UnknownJob)?;
    if job.fal_request_id.is_none() && crate::server::jobs::adopt_request(&state.db, &id, request_id).await? {
        tracing::info!(infograph = %id, request_id, "adopted an unrecorded fal submission from its webhook");
        state.events.job_changed(&id).await;
        job = infograph_by_id(&state.db, &id).await?.ok_or(WebhookError::UnknownJob)?;
    }
    match job.fal_request_id.as_deref() {
        None => return Err(WebhookError::NotReady),
        Some(expected) if expected != request_id => {
            return Err(WebhookError::Body("request_id does not belong to this infograph".into()))
        }
        Some(_) => {}
    }
    let changed = if job.status().is_final() {
        false
    } else {
        let mut outcome = outcome_from_webhook(&json);
        // fal generated the image but could not put it in the webhook: fetch it from the queue.
        if json.get("payload_error").is_some_and(|e| !e.is_null()) {
            if let Some(fetched) = fetch_result(&state, job.fal_response_url.as_deref()).await {
                outcome = fetched;
            }
        }
        apply_outcome(&state, &id, &outcome).await?
    };
    if changed {
        tracing::info!(infograph = %id, "webhook applied");
    }
    Ok(Json(json!({"ok": true, "changed": changed})))
}
