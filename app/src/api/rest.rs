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
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use super::openapi::{
    AccountJson, AccountPatch, CreateRequest, Credentials, ErrorBody, Health, InfographJson, InfographList, Registered, TokenJson,
    WebhookAck,
};
use crate::model::CreateResponse;
use serde_json::{json, Map, Value};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/health/", get(health))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/docs/", get(super::docs::docs_page))
        .route("/api/auth/register/", post(register))
        .route("/api/auth/token/", post(token))
        .route("/api/account/", get(account).patch(update_account))
        .route("/api/infographs/", get(list))
        .route("/api/infographs/create/", post(create))
        .route("/api/infographs/status/{id}/", get(status))
        .route("/api/infographs/webhook/{id}/", post(webhook))
        .route("/api/infographs/{id}/", delete(remove))
        .route("/api/infographs/{id}/cancel/", post(cancel))
        .route("/api/infographs/{id}/regenerate/", post(regenerate))
        .route("/api/infographs/{id}/download/", get(download))
        .route("/media/{id}/{file}", get(crate::api::media::serve))
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

/// The caller of an endpoint the browser also uses (downloads): an API token, or else the session
/// cookie.
pub struct Caller(pub UserRow);

/// Who sent a request: its `Authorization: Token` when it has an `Authorization` header (a
/// client that sends credentials is judged on them), else its session cookie. `None`: neither
/// authenticates. The one place the REST routes, media and the event stream resolve a caller.
pub async fn request_user(state: &AppState, headers: &HeaderMap) -> Result<Option<UserRow>, AppError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(auth::token_from_authorization) else {
            return Ok(None);
        };
        return state.tokens.user(&state.db, token).await;
    }
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| auth::cookie_value(h, auth::SESSION_COOKIE));
    match session {
        Some(token) => auth::user_for_session(&state.db, token).await,
        None => Ok(None),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        request_user(state, &parts.headers).await?.map(Caller).ok_or(AppError::Unauthorized)
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

fn status_json(v: &InfographView, base: &str) -> Json<InfographJson> {
    Json(InfographJson::from_view(v, base))
}

const ERR: &str = "application/json";


/// Liveness for load balancers (and the benchmarks' ceiling): no database, no auth.
#[utoipa::path(get, path = "/api/health/", tag = "meta", responses((status = 200, body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok".into() })
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn openapi_json() -> Response {
    match super::openapi::document().to_json() {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise the OpenAPI document");
            AppError::Internal.into_response()
        }
    }
}

/// Creates an account (with the sign-up credits) and its first API key.
#[utoipa::path(post, path = "/api/auth/register/", tag = "account",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 201, body = Registered),
        (status = 400, description = "A field is missing or invalid", body = ErrorBody, content_type = ERR),
        (status = 409, description = "The email is taken", body = ErrorBody, content_type = ERR),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody, content_type = ERR),
    ))]
pub async fn register(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Response, AppError> {
    service::limit_auth(&state, &ip).await?;
    let (email, password) = credentials(&body)?;
    let user = service::register(&state, &email, &password).await?;
    let token = auth::create_api_token(&state.db, &user.id).await?;
    let body = Registered { token, email: user.email, credit_balance: user.credit_balance };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// A new API key for an existing account.
#[utoipa::path(post, path = "/api/auth/token/", tag = "account",
    request_body(content = Credentials, content_type = "application/json"),
    responses(
        (status = 200, body = TokenJson),
        (status = 400, body = ErrorBody, content_type = ERR),
        (status = 401, description = "Wrong email or password", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn token(State(state): State<AppState>, ClientIp(ip): ClientIp, body: Bytes) -> Result<Json<TokenJson>, AppError> {
    service::limit_auth(&state, &ip).await?;
    let (email, password) = credentials(&body)?;
    let user = auth::authenticate(&state.db, &email, &password).await?;
    let token = auth::create_api_token(&state.db, &user.id).await?;
    Ok(Json(TokenJson { token }))
}

/// The caller's email and credit balance.
#[utoipa::path(get, path = "/api/account/", tag = "account", security(("token" = [])),
    responses((status = 200, body = AccountJson), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn account(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<AccountJson>, AppError> {
    let view = service::account(&state, &user).await?;
    let notify_email = crate::server::notify::opted_in(&state.db, &user.id).await?;
    Ok(Json(AccountJson { email: view.email, credit_balance: view.credit_balance, notify_email }))
}

/// `PATCH /api/account/` with `{"notify_email": bool}`: the only settable field; any other key,
/// or a value that is not a JSON boolean, is a 400 naming it.
fn account_patch(body: &[u8]) -> Result<bool, AppError> {
    let map = json_object(body)?;
    let mut errors = crate::model::FieldErrors::new();
    for key in map.keys().filter(|k| k.as_str() != "notify_email") {
        errors.insert(key.clone(), "is not a setting that can be changed".into());
    }
    let value = match map.get("notify_email") {
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            errors.insert("notify_email".into(), "must be true or false".into());
            None
        }
        None => {
            errors.insert("notify_email".into(), "is required".into());
            None
        }
    };
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(AppError::invalid(errors)),
    }
}

#[utoipa::path(patch, path = "/api/account/", tag = "account", security(("token" = [])),
    request_body(content = AccountPatch, content_type = "application/json"),
    responses(
        (status = 200, body = AccountJson),
        (status = 400, description = "Unknown key or not a boolean (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
    ))]
pub async fn update_account(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    body: Bytes,
) -> Result<Json<AccountJson>, AppError> {
    let enabled = account_patch(&body)?;
    crate::server::notify::set_opt_in(&state.db, &user.id, enabled).await?;
    account(State(state), ApiUser(user)).await
}

/// Checks and deducts credits, then queues one job per image and answers at once (`queued`).
/// With an `Idempotency-Key`, a repeat of the same request within 24 h gets the first answer
/// (header `Idempotent-Replayed: true`) and is not charged again.
#[utoipa::path(post, path = "/api/infographs/create/", tag = "infographs", security(("token" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters, unique per intended create")),
    request_body(content = CreateRequest, content_type = "application/json"),
    responses(
        (status = 201, body = CreateResponse),
        (status = 400, description = "Invalid fields (named in `fields`), or a reused Idempotency-Key", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, description = "Not enough credits; nothing was charged", body = ErrorBody, content_type = ERR),
        (status = 409, body = ErrorBody, content_type = ERR),
        (status = 429, description = "Over the per-user create limit", body = ErrorBody, content_type = ERR),
    ))]
pub async fn create(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let raw = raw_create(&json_object(&body)?)?;
    Ok(created_response(service::create(&state, &user, &raw, key.as_deref()).await?))
}

/// One of the caller's infographs. Someone else's is a 404, like a missing one.
#[utoipa::path(get, path = "/api/infographs/status/{id}/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses((status = 200, body = InfographJson), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<InfographJson>, AppError> {
    Ok(status_json(&service::status(&state, &user, &id).await?, &state.public_base_url))
}

/// The caller's latest 100 infographs, newest first (deleted ones are left out).
#[utoipa::path(get, path = "/api/infographs/", tag = "infographs", security(("token" = [])),
    responses((status = 200, body = InfographList), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<InfographList>, AppError> {
    let base = &state.public_base_url;
    let infographs: Vec<InfographJson> = service::list(&state, &user).await?.iter().map(|v| InfographJson::from_view(v, base)).collect();
    Ok(Json(InfographList { count: infographs.len(), infographs }))
}

/// `Idempotency-Key`, when sent; a header that is not text is a 400 naming it.
fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_string)
                .map_err(|_| AppError::invalid_field("Idempotency-Key", "must be visible ASCII text"))
        })
        .transpose()
}

fn created_response(created: service::Created) -> Response {
    match created {
        service::Created::New(body) => (StatusCode::CREATED, Json(body)).into_response(),
        service::Created::Replay { status_code, body } => {
            let status = StatusCode::from_u16(status_code).unwrap_or(StatusCode::CREATED);
            let mut response = (status, body).into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/json"));
            response.headers_mut().insert("idempotent-replayed", header::HeaderValue::from_static("true"));
            response
        }
    }
}

/// Cancels a job. Not yet at fal: it ends `failed`, `cancelled`, refunded, at once. At fal: fal is
/// asked to cancel; a job still in fal's queue then ends refunded, one already generating ends
/// as fal reports. Answers the job as it is after the request.
#[utoipa::path(post, path = "/api/infographs/{id}/cancel/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses(
        (status = 200, body = InfographJson),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Already finished, or being handed to fal this instant", body = ErrorBody, content_type = ERR),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Json<InfographJson>, AppError> {
    Ok(status_json(&service::cancel(&state, &user.id, &id).await?, &state.public_base_url))
}

/// One more image with the same settings (a new infograph, charged like a create).
#[utoipa::path(post, path = "/api/infographs/{id}/regenerate/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses(
        (status = 201, body = CreateResponse),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn regenerate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    Ok(created_response(service::regenerate(&state, &user, &id).await?))
}

/// Hides an infograph from the gallery and the API; the credit ledger keeps it.
#[utoipa::path(delete, path = "/api/infographs/{id}/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> Result<StatusCode, AppError> {
    service::delete(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The image as a file (`Content-Disposition: attachment`, a name made from the prompt). Also
/// works with the browser's session cookie.
#[utoipa::path(get, path = "/api/infographs/{id}/download/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses(
        (status = 200, description = "The image", content_type = "image/*", body = Vec<u8>),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "No image yet", body = ErrorBody, content_type = ERR),
        (status = 502, description = "The image host could not be reached", body = ErrorBody, content_type = ERR),
    ))]
pub async fn download(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let file = service::download(&state, &user, &id).await?;
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let mut response = file.body.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, file.content_type),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
        (header::CACHE_CONTROL, "private, max-age=86400"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// Errors of the webhook endpoint: fal reads only the status; the body helps whoever debugs it.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
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
        (status = 401, description = "Missing or invalid signature", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not submitted yet; fal retries", body = ErrorBody, content_type = ERR),
    ))]
pub async fn webhook(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookAck>, WebhookError> {
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
    Ok(Json(WebhookAck { ok: true, changed }))
}
