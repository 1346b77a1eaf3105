//! The model catalogue, as API clients and the form choose from it.

use crate::model::models::ModelList;
use crate::server::platform::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/models/", get(list))
}

/// Every model a picture can be drawn with: its endpoints, whether it draws SVG, its credits per
/// image by size (a size it does not offer is absent), its aspect ratios and how many images one
/// create may ask of it; and which model a create gets by default, as a draft and as a final.
/// Public: prices are no secret.
#[utoipa::path(get, path = "/api/models/", tag = "infographs", responses((status = 200, body = ModelList)))]
pub async fn list(State(state): State<AppState>) -> Json<ModelList> {
    Json(state.models.list().clone())
}
