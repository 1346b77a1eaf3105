//! Share links of infographs: make one (`POST .../share/`, the same link each time while it is
//! live) and turn it off (`DELETE .../share/`). Only the owner: anyone else gets 404.

use super::body::{checked, json_object};
use crate::api::extract::ApiUser;
use crate::api::types::{ErrorBody, ShareJson, ShareRequest, ERR};
use crate::errors::AppError;
use crate::server::platform::state::AppState;
use crate::server::sharing;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/infographs/{id}/share/", post(share).delete(unshare))
}

/// Publishes a finished infograph at an unguessable link. Idempotent: while a link is live, the
/// same link is returned (with `indexable` updated when sent).
#[utoipa::path(post, path = "/api/infographs/{id}/share/", tag = "sharing", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    request_body(content = Option<ShareRequest>, content_type = "application/json"),
    responses(
        (status = 201, body = ShareJson),
        (status = 400, description = "Invalid fields (named in `fields`)", body = ErrorBody, content_type = ERR),
        (status = 401, body = ErrorBody, content_type = ERR),
        (status = 404, body = ErrorBody, content_type = ERR),
        (status = 409, description = "Not finished: nothing to show yet", body = ErrorBody, content_type = ERR),
    ))]
pub async fn share(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>, body: Bytes) -> Result<(StatusCode, Json<ShareJson>), AppError> {
    let request = if body.iter().all(u8::is_ascii_whitespace) {
        ShareRequest::default()
    } else {
        checked(&json_object(&body)?, |_| Some("is not a share setting"), Ok)?
    };
    let link = sharing::share(&state, &user, &id, request.indexable).await?;
    Ok((StatusCode::CREATED, Json(link.into())))
}

/// Turns the link off: its page and its picture answer `410 Gone` from now on. Nothing to turn
/// off is fine too.
#[utoipa::path(delete, path = "/api/infographs/{id}/share/", tag = "sharing", security(("token" = [])),
    params(("id" = String, Path, description = "Infograph id")),
    responses((status = 204, description = "Not shared (any more)"), (status = 401, body = ErrorBody, content_type = ERR), (status = 404, body = ErrorBody, content_type = ERR)))]
pub async fn unshare(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<StatusCode, AppError> {
    sharing::revoke(&state, &user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
