//! A picture's words as layers (`model::layers`): made by fal's `layerize-text`, edited in the
//! browser, rendered by us (SVG, PDF, PNG).

use crate::errors::AppError;
use crate::model::layers::{LayersView, TextBox};
use crate::model::CreateResponse;
use crate::server::accounts::users::UserRow;
use crate::server::platform::state::AppState;

/// The layers of the owner's layered (or text-edited) picture `id`.
pub async fn view(_state: &AppState, _owner: &UserRow, _id: &str) -> Result<LayersView, AppError> {
    Err(AppError::NotFound)
}

/// Saves the editor's boxes as a new version of `id` (kind "text_edit"): free, at once.
pub async fn save_text_edit(_state: &AppState, _owner: &UserRow, _id: &str, _boxes: Vec<TextBox>) -> Result<CreateResponse, AppError> {
    Err(AppError::NotFound)
}

/// "Make the text editable": a new version of the owner's completed picture `id` (kind
/// "layers"), made by fal's `layerize-text`, charged as configured, refunded if it fails.
pub async fn start(_state: &AppState, _owner: &UserRow, _id: &str, _idempotency_key: Option<&str>) -> Result<CreateResponse, AppError> {
    Err(AppError::NotFound)
}
