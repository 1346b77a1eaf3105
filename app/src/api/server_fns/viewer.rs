//! Server functions behind the viewer page: its data, and refining the infograph it shows.

use crate::errors::AppError;
use crate::model::{CreateResponse, ViewerData};
use leptos::prelude::*;

#[server(prefix = "/sfn", endpoint = "viewer_page_data")]
pub async fn viewer_page_data(id: String) -> Result<ViewerData, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::jobs::manage::viewer(&state, &user, &id).await
}

#[server(prefix = "/sfn", endpoint = "refine_infograph")]
pub async fn refine_infograph(
    id: String,
    instruction: Option<String>,
    number_of_infographs: Option<String>,
    /// One per form display, as on the create form: a double submit charges once.
    idempotency_key: Option<String>,
) -> Result<CreateResponse, AppError> {
    use crate::model::RawRefine;
    let (state, user) = super::context::require_user().await?;
    let raw = RawRefine { instruction, number_of_infographs };
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    Ok(crate::server::jobs::create::refine(&state, &user, &id, &raw, key.as_deref()).await?.response)
}
