//! A picture's words as layers (`model::layers`): made by fal's `layerize-text` (a new version,
//! kind "layers", through the same queue, webhook and reconciler as every fal job), edited in
//! the browser (a new version, kind "text_edit", free and at once), and rendered by us (`render`:
//! SVG, PDF, and the PNG that is the version's stored image, so downloads, share links, embeds
//! and renditions show exactly what the editor showed).

pub mod layerize;
pub mod render;
mod stored;

pub use stored::{compose_for_copy, export, from_layerize_output, StoredLayers};

use crate::errors::AppError;
use crate::model::layers::{LayersView, TextBox, TextEditRequest};
use crate::model::CreateResponse;
use crate::server::accounts::users::UserRow;
use crate::server::jobs::create;
use crate::server::jobs::repo::{self as jobs_repo, InfographRow};
use crate::server::platform::state::AppState;

/// The owner's picture `id` with its layers; `409` for a version without them.
async fn layered(state: &AppState, owner: &UserRow, id: &str) -> Result<(InfographRow, StoredLayers), AppError> {
    let row = jobs_repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    match StoredLayers::of(&row) {
        Some(layers) => Ok((row, layers)),
        None if row.kind == crate::model::infograph::VersionKind::Layers.as_str() => {
            Err(AppError::Conflict("its text is still being made editable; try again when it is ready".into()))
        }
        None => Err(AppError::Conflict("this version's text is not editable: make it editable first".into())),
    }
}

/// The layers of the owner's layered (or text-edited) picture `id`.
pub async fn view(state: &AppState, owner: &UserRow, id: &str) -> Result<LayersView, AppError> {
    let (_, layers) = layered(state, owner, id).await?;
    Ok(layers.view())
}

/// "Make the text editable": a new version of the owner's completed picture `id`, made by fal's
/// `layerize-text`, charged `LAYERS_CREDITS`, refunded if it fails.
pub async fn start(state: &AppState, owner: &UserRow, id: &str, idempotency_key: Option<&str>) -> Result<CreateResponse, AppError> {
    let source = create::refinable(state, owner, id).await?;
    // An SVG's words are already shapes a vector editor changes; fal's layerize-text reads rasters.
    if state.models.of_job(source.model.as_deref()).vector {
        return Err(AppError::Conflict("this picture is an SVG: download it and change its words in a vector editor".into()));
    }
    Ok(create::layers(state, owner, &source, state.config.layers_credits, idempotency_key).await?.response)
}

/// The instruction an owner's text edit shows (its proofread holds it to its own words).
pub const OWNER_EDIT: &str = "Edited the text";
/// The instruction of a proofread's fix made by editing the boxes (held to the original's words).
pub const PROOFREAD_EDIT: &str = "Fixed the words the proofread found";

/// Saves the editor's boxes as a new version of `id` (kind "text_edit"): validated (every
/// problem named by its box and field), rendered by us, stored, completed at once, free.
/// `instruction`: [`OWNER_EDIT`] or [`PROOFREAD_EDIT`].
pub async fn save_text_edit(state: &AppState, owner: &UserRow, id: &str, boxes: Vec<TextBox>, instruction: &str) -> Result<CreateResponse, AppError> {
    let (source, layers) = layered(state, owner, id).await?;
    let boxes = TextEditRequest { boxes }.validate(layers.width, layers.height).map_err(AppError::invalid)?;
    let edited = StoredLayers { boxes, ..layers };
    stored::save_version(state, owner, &source, &edited, instruction).await
}
