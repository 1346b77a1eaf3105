//! A picture's words as layers: make them editable (fal's layerize-text), read them, and save
//! an edit as a new version.

use super::body::{json_object, request};
use super::infographs::{created_response, idempotency_key};
use crate::api::extract::ApiUser;
use crate::api::types::{ErrorBody, ERR};
use crate::errors::AppError;
use crate::model::layers::{LayersView, TextEditRequest};
use crate::model::CreateResponse;
use crate::server::jobs::create::Created;
use crate::server::layers;
use crate::server::platform::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/infographs/{id}/layers/", post(make).get(show))
        .route("/api/infographs/{id}/text-edit/", post(text_edit))
}

fn created(response: CreateResponse) -> Response {
    created_response(Created { response, status_code: 201, replayed: false })
}

/// "Make the text editable": a new version (`kind` `layers`) made by fal's layerize-text from
/// the completed picture: its background without the text, and each text as a box. Charged
/// `LAYERS_CREDITS` (default 1), refunded if it fails. `Idempotency-Key` is honoured.
#[utoipa::path(post, path = "/api/infographs/{id}/layers/", tag = "text editing", security(("token" = [])),
    params(
        ("id" = String, Path, description = "The completed infograph"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters"),
    ),
    responses(
        (status = 201, body = CreateResponse),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, description = "Not enough credits; nothing was charged", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not completed", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn make(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let key = idempotency_key(&headers)?;
    Ok(created(layers::start(&state, &user, &id, key.as_deref()).await?))
}

/// A layered or text-edited version's layers, in the picture's pixels.
#[utoipa::path(get, path = "/api/infographs/{id}/layers/", tag = "text editing", security(("token" = [])),
    params(("id" = String, Path, description = "A version of kind `layers` or `text_edit`")),
    responses(
        (status = 200, body = LayersView),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "The version's text is not editable (yet)", body = ErrorBody, content_type = ERR),
    ))]
pub async fn show(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<Json<LayersView>, AppError> {
    Ok(Json(layers::view(&state, &user, &id).await?))
}

/// Saves edited boxes as a new version (`kind` `text_edit`), completed at once and free: boxes
/// within the picture, text 0–500 characters, fonts from the offered set, colours `#rrggbb`;
/// every problem is named (`boxes[3].color`).
#[utoipa::path(post, path = "/api/infographs/{id}/text-edit/", tag = "text editing", security(("token" = [])),
    params(("id" = String, Path, description = "A version of kind `layers` or `text_edit`")),
    request_body(content = TextEditRequest, content_type = "application/json"),
    responses(
        (status = 201, body = CreateResponse),
        (status = 400, description = "Invalid boxes (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "The version's text is not editable (yet)", body = ErrorBody, content_type = ERR),
    ))]
pub async fn text_edit(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, body: Bytes) -> Result<Response, AppError> {
    let request: TextEditRequest = request(&json_object(&body)?)?;
    Ok(created(layers::save_text_edit(&state, &user, &id, request.boxes, layers::OWNER_EDIT).await?))
}
