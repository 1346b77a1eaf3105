//! The models a picture can be drawn with, and "Make this the final".

use crate::errors::AppError;
use crate::model::models::ModelList;
use crate::model::CreateResponse;
use leptos::prelude::*;

/// Every model, with the default, the draft and the final (as `GET /api/models/`).
#[server(prefix = "/sfn", endpoint = "list_models", output = super::codec::Json)]
pub async fn list_models() -> Result<ModelList, AppError> {
    let (state, _user) = super::context::require_user().await?;
    Ok(state.models.list().clone())
}

/// "Make this the final": the picture drawn again by the final model, charged at its price (as
/// `POST /api/infographs/{id}/finalize/`).
#[server(prefix = "/sfn", endpoint = "finalize_infograph", output = super::codec::Json)]
pub async fn finalize_infograph(id: String, idempotency_key: Option<String>) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    Ok(crate::server::jobs::create::finalize(&state, &user, &id, key.as_deref()).await?.response)
}
