//! Server functions behind the viewer page: its data, and refining the infograph it shows.

use crate::errors::AppError;
use crate::model::share::ShareView;
use crate::model::{CreateResponse, InfographView, RefineRequest, ViewerData};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "viewer_page_data", output = super::codec::Json)]
pub async fn viewer_page_data(id: String) -> Result<ViewerData, AppError> {
    let (state, user) = super::context::require_user().await?;
    let mut data = crate::server::jobs::manage::viewer(&state, &user, &id).await?;
    if data.item.status == crate::model::JobStatus::Completed {
        data.proofread = Some(crate::server::proofread::view(&state, &user, &id).await?);
        // Still being stored (a conflict) is shown as "not editable yet", not as an error.
        data.layers = crate::server::layers::view(&state, &user, &id).await.ok().filter(|l| l.width > 0);
    }
    Ok(data)
}

#[server(prefix = "/sfn", endpoint = "refine_infograph", output = super::codec::Json)]
pub async fn refine_infograph(
    id: String,
    #[server(flatten)]
    request: RefineRequest,
    /// One per form display, as on the create form: a double submit charges once.
    idempotency_key: Option<String>,
) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    Ok(crate::server::jobs::create::refine(&state, &user, &id, &request, key.as_deref()).await?.response)
}

/// Publishes the owner's infograph (or, with `indexable`, changes whether search engines may
/// index its page): its live link.
#[server(prefix = "/sfn", endpoint = "share_infograph", output = super::codec::Json)]
pub async fn share_infograph(id: String, indexable: Option<bool>) -> Result<ShareView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::sharing::share(&state, &user, &id, indexable).await
}

/// Turns the owner's link off: its page and picture are gone from now on.
#[server(prefix = "/sfn", endpoint = "stop_sharing", output = super::codec::Json)]
pub async fn stop_sharing(id: String) -> Result<(), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::sharing::revoke(&state, &user, &id).await
}

/// Renames the infographic (every version of it).
#[server(prefix = "/sfn", endpoint = "rename_infograph", output = super::codec::Json)]
pub async fn rename_infograph(id: String, title: String) -> Result<InfographView, AppError> {
    let (state, user) = super::context::require_user().await?;
    let title = crate::model::title::parse(Some(&title)).map_err(|e| AppError::invalid_field("title", e.0))?;
    crate::server::jobs::manage::set_title(&state, &user, &id, &title).await
}

/// Sets the owner's alt text; an empty one goes back to the text written from the brief.
#[server(prefix = "/sfn", endpoint = "set_alt_text", output = super::codec::Json)]
pub async fn set_alt_text(id: String, alt_text: String) -> Result<InfographView, AppError> {
    let (state, user) = super::context::require_user().await?;
    let text = match alt_text.trim() {
        "" => None,
        given => Some(crate::model::share::parse_alt_text(Some(given)).map_err(|e| AppError::invalid_field("alt_text", e.0))?),
    };
    crate::server::jobs::manage::set_alt_text(&state, &user, &id, text.as_deref()).await
}

/// The picture's proofread: what was read back and every problem.
#[server(prefix = "/sfn", endpoint = "get_proofread", output = super::codec::Json)]
pub async fn get_proofread(id: String) -> Result<crate::model::proofread::ProofreadView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::proofread::view(&state, &user, &id).await
}

/// "Fix these words": a new version with the proofread's corrections (the family's first fix is
/// free).
#[server(prefix = "/sfn", endpoint = "fix_words", output = super::codec::Json)]
pub async fn fix_words(id: String, idempotency_key: Option<String>) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    Ok(crate::server::proofread::fix::fix(&state, &user, &id, key.as_deref()).await?.response)
}

/// The picture's words as layers, for the text editor.
#[server(prefix = "/sfn", endpoint = "get_layers", output = super::codec::Json)]
pub async fn get_layers(id: String) -> Result<crate::model::layers::LayersView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::layers::view(&state, &user, &id).await
}

/// Saves the editor's boxes as a new version ("text edit"): free and at once.
#[server(prefix = "/sfn", endpoint = "save_text_edit", input = leptos::server_fn::codec::Json, output = super::codec::Json)]
pub async fn save_text_edit(id: String, boxes: Vec<crate::model::layers::TextBox>) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::layers::save_text_edit(&state, &user, &id, boxes, crate::server::layers::OWNER_EDIT).await
}

/// "Make the text editable": a layered version of the picture (fal's `layerize-text`).
#[server(prefix = "/sfn", endpoint = "make_layers", output = super::codec::Json)]
pub async fn make_layers(id: String, idempotency_key: Option<String>) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    crate::server::layers::start(&state, &user, &id, key.as_deref()).await
}
