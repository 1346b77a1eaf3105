//! Infographs: create, follow, cancel, regenerate, delete, download.

use super::body::{download_as, infograph_patch, json_object, request};
use crate::api::extract::{ApiUser, Caller};
use crate::api::types::{ErrorBody, InfographJson, InfographList, InfographPatch, ERR};
use crate::errors::AppError;
use crate::model::models::RegenerateRequest;
use crate::model::{CreateRequest, CreateResponse, InfographView, RefineRequest};
use crate::server::jobs::create::{self, Created};
use crate::server::jobs::{download, manage};
use crate::server::sharing;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use std::collections::HashMap;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/infographs/", get(list))
        .route("/api/infographs/create/", post(create))
        .route("/api/infographs/status/{id}/", get(status))
        .route("/api/infographs/{id}/", delete(remove).patch(update))
        .route("/api/infographs/{id}/cancel/", post(cancel))
        .route("/api/infographs/{id}/regenerate/", post(regenerate))
        .route("/api/infographs/{id}/finalize/", post(finalize))
        .route("/api/infographs/{id}/refine/", post(refine))
        .route("/api/infographs/{id}/versions/", get(versions))
        .route("/api/infographs/{id}/download/", get(download))
}

fn status_json(v: &InfographView, base: &str) -> Json<InfographJson> {
    Json(InfographJson::from_view(v, base))
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
    let request: CreateRequest = request(&json_object(&body)?)?;
    Ok(created_response(create::create(&state, &user, &request, key.as_deref()).await?))
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
    let view = manage::status(&state, &user, &id).await?;
    let share_url = sharing::live_url(&state, &view.id).await?;
    Ok(Json(InfographJson::from_view(&view, &state.public_base_url).shared(share_url)))
}

/// The caller's latest 100 infographs, newest first (deleted ones are left out).
#[utoipa::path(get, path = "/api/infographs/", tag = "infographs", security(("token" = [])),
    responses((status = 200, body = InfographList), (status = 401, body = ErrorBody, content_type = ERR)))]
pub async fn list(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<InfographList>, AppError> {
    let views = manage::list(&state, &user).await?;
    Ok(Json(list_json(&state, &user.id, &views).await?))
}

/// The views as JSON, each with its live share link.
async fn list_json(state: &AppState, user_id: &str, views: &[InfographView]) -> Result<InfographList, AppError> {
    let mut shared: HashMap<String, String> = sharing::live_urls(state, user_id).await?;
    let base = &state.public_base_url;
    let infographs: Vec<InfographJson> = views.iter().map(|v| InfographJson::from_view(v, base).shared(shared.remove(&v.id))).collect();
    Ok(InfographList { count: infographs.len(), infographs })
}

/// `Idempotency-Key`, when sent; a header that is not text is a 400 naming it.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, AppError> {
    headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .map(str::to_string)
                .map_err(|_| AppError::invalid_field("Idempotency-Key", "must be visible ASCII text"))
        })
        .transpose()
}

pub(super) fn created_response(created: Created) -> Response {
    let status = StatusCode::from_u16(created.status_code).unwrap_or(StatusCode::CREATED);
    let mut response = (status, Json(created.response)).into_response();
    if created.replayed {
        response.headers_mut().insert("idempotent-replayed", header::HeaderValue::from_static("true"));
    }
    response
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
    Ok(status_json(&manage::cancel(&state, &user.id, &id).await?, &state.public_base_url))
}

/// One more image with the same settings (a new infograph, charged like a create), drawn by
/// its own model or, with `{"model": id}`, by another at that model's price. The body is optional.
#[utoipa::path(post, path = "/api/infographs/{id}/regenerate/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    request_body(content = Option<RegenerateRequest>, content_type = "application/json"),
    responses(
        (status = 201, body = CreateResponse),
        (status = 400, description = "An unknown `model`, or one that cannot draw this picture's size or ratio", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn regenerate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, AppError> {
    let request: RegenerateRequest = if body.iter().all(u8::is_ascii_whitespace) { RegenerateRequest::default() } else { request(&json_object(&body)?)? };
    Ok(created_response(create::regenerate(&state, &user, &id, request.model.as_deref()).await?))
}

/// "Make this the final": the picture drawn again by the catalogue's final model
/// (`GET /api/models/` `final`) with the same settings, brief and design, at that model's price.
/// `Idempotency-Key` is honoured. Already drawn by the final model: `409`.
#[utoipa::path(post, path = "/api/infographs/{id}/finalize/", tag = "infographs", security(("token" = [])),
    params(
        ("id" = String, Path, description = "The draft to redraw"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters"),
    ),
    responses(
        (status = 201, body = CreateResponse),
        (status = 400, description = "The final model cannot draw this picture's size or ratio (`model`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Already drawn by the final model", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn finalize(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    Ok(created_response(create::finalize(&state, &user, &id, key.as_deref()).await?))
}

/// New versions of a completed infograph, made from it with an instruction (fal's edit
/// endpoint), charged like a create at its resolution. `Idempotency-Key` is honoured.
#[utoipa::path(post, path = "/api/infographs/{id}/refine/", tag = "infographs", security(("token" = [])),
    params(
        ("id" = String, Path, description = "The infograph to refine"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters, unique per intended refinement"),
    ),
    request_body(content = RefineRequest, content_type = "application/json"),
    responses(
        (status = 201, body = CreateResponse),
        (status = 400, description = "Invalid fields (named in `fields`), or a reused Idempotency-Key", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, description = "Not enough credits; nothing was charged", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not completed (nothing to refine yet), or a key still in use", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn refine(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    let request: RefineRequest = request(&json_object(&body)?)?;
    Ok(created_response(create::refine(&state, &user, &id, &request, key.as_deref()).await?))
}

/// Every version of the infograph's family (the original and its refinements), oldest first.
#[utoipa::path(get, path = "/api/infographs/{id}/versions/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Any version's id")),
    responses((status = 200, body = InfographList), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn versions(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<Json<InfographList>, AppError> {
    let views = manage::versions(&state, &user, &id).await?;
    Ok(Json(list_json(&state, &user.id, &views).await?))
}

/// Changes what can be changed of an infograph: its title (every version's) and its alt text.
#[utoipa::path(patch, path = "/api/infographs/{id}/", tag = "infographs", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    request_body(content = InfographPatch, content_type = "application/json"),
    responses(
        (status = 200, body = InfographJson),
        (status = 400, description = "Invalid or unknown fields (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
    ))]
pub async fn update(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, body: Bytes) -> Result<Json<InfographJson>, AppError> {
    let changes = infograph_patch(&json_object(&body)?)?;
    let mut view = manage::status(&state, &user, &id).await?;
    if let Some(title) = &changes.title {
        view = manage::set_title(&state, &user, &id, title).await?;
    }
    if let Some(alt_text) = &changes.alt_text {
        view = manage::set_alt_text(&state, &user, &id, alt_text.as_deref()).await?;
    }
    let share_url = sharing::live_url(&state, &view.id).await?;
    Ok(Json(InfographJson::from_view(&view, &state.public_base_url).shared(share_url)))
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
    manage::delete(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The image as a file (`Content-Disposition: attachment`, a name made from the prompt), as
/// stored or in another format and width. Also works with the browser's session cookie.
#[utoipa::path(get, path = "/api/infographs/{id}/download/", tag = "infographs", security(("token" = [])),
    params(
        ("id" = String, Path, description = "Infograph id"),
        ("format" = Option<String>, Query, description = "`png`, `jpg` (or `jpeg`) or `webp`; default: as stored. For a version whose text was made editable (`kind` `layers` or `text_edit`) also `svg` and `pdf`, the text kept as text; for a vector model's picture `svg` is its (sanitised) SVG, the default"),
        ("width" = Option<String>, Query, description = "`1200`, `600` or `full` (the default); never upscaled"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "image/*", body = Vec<u8>),
        (status = 400, description = "An unknown format or width (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "No image yet, or SVG/PDF asked of a version without editable text", body = ErrorBody, content_type = ERR),
        (status = 502, description = "The image host could not be reached", body = ErrorBody, content_type = ERR),
    ))]
pub async fn download(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    // A layered version's text exports as text: SVG, or PDF.
    if let Some(pdf) = query.get("format").and_then(|f| match f.to_ascii_lowercase().as_str() {
        "svg" => Some(false),
        "pdf" => Some(true),
        _ => None,
    }) {
        if query.get("width").is_some_and(|w| w != "full") {
            return Err(AppError::invalid_field("width", "an SVG or PDF has one size: leave width out"));
        }
        if !pdf {
            if let Some(file) = download::vector_svg(&state, &user, &id).await? {
                return Ok(file_response(file));
            }
        }
        let (bytes, name) = crate::server::layers::export(&state, &user, &id, pdf).await?;
        return Ok(attachment(bytes.into(), if pdf { "application/pdf" } else { "image/svg+xml" }, &name));
    }
    let wanted = download_as(&query)?;
    Ok(file_response(download::download(&state, &user, &id, wanted).await?))
}

fn file_response(file: download::Download) -> Response {
    let body = match file.contents {
        download::Contents::Stream(stream) => axum::body::Body::from_stream(stream),
        download::Contents::Bytes(bytes) => axum::body::Body::from(bytes),
    };
    attachment(body, file.content_type, &file.file_name)
}

/// A file to save, never to run: an SVG is served as an attachment with no sniffing, and the
/// pages' policy forbids its scripts anyway.
fn attachment(body: axum::body::Body, content_type: &str, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_DISPOSITION, disposition.as_str()),
        (header::CACHE_CONTROL, "private, max-age=86400"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        if let Ok(value) = header::HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    response
}

