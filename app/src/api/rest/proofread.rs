//! A picture's proofread: what was read back and every problem found, and "Fix these words".

use crate::api::extract::ApiUser;
use crate::api::types::{ErrorBody, ERR};
use crate::errors::AppError;
use crate::model::proofread::ProofreadView;
use crate::model::CreateResponse;
use crate::server::proofread;
use crate::server::platform::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/infographs/{id}/proofread/", get(show))
        .route("/api/infographs/{id}/proofread/fix/", post(fix))
}

/// The picture's proofread: `pending` until its read-back is back, then `done` with the
/// transcription and every problem (`misspelled`, `missing`, `extra`, `number_not_in_source`,
/// `wrong_language`, each with the expected and the read text), or `not_proofread` when the
/// read-back failed or timed out.
#[utoipa::path(get, path = "/api/infographs/{id}/proofread/", tag = "proofread", security(("token" = [])),
    params(("id" = String, Path, description = "The infograph")),
    responses((status = 200, body = ProofreadView), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn show(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<Json<ProofreadView>, AppError> {
    Ok(Json(proofread::view(&state, &user, &id).await?))
}

/// "Fix these words": a refinement whose instruction lists the proofread's corrections, answered
/// like a refinement. The first fix in a picture's family is free; a later one costs what a
/// refinement does. Its result is proofread too. `Idempotency-Key` is honoured.
#[utoipa::path(post, path = "/api/infographs/{id}/proofread/fix/", tag = "proofread", security(("token" = [])),
    params(
        ("id" = String, Path, description = "The proofread infograph"),
        ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters, unique per intended fix"),
    ),
    responses(
        (status = 201, body = CreateResponse),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 402, description = "Not enough credits for a paid fix; nothing was charged", body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "The proofread is not done, or found nothing to fix, or the free fix was just asked for", body = ErrorBody, content_type = ERR),
        (status = 429, body = ErrorBody, content_type = ERR),
    ))]
pub async fn fix(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, headers: HeaderMap) -> Result<Response, AppError> {
    let key = super::infographs::idempotency_key(&headers)?;
    Ok(super::infographs::created_response(proofread::fix::fix(&state, &user, &id, key.as_deref()).await?))
}
