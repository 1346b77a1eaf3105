//! Server functions behind the create form, the gallery and the polling cards.

use crate::errors::AppError;
use crate::model::{CreateRequest, CreateResponse, InfographView};
use leptos::prelude::*;

/// The create form's fields are the request's own (`#[server(flatten)]`): the form posts what
/// [`CreateRequest`] reads, by the names it declares.
#[server(prefix = "/sfn", endpoint = "create_infographs", output = super::codec::Json)]
pub async fn create_infographs(
    #[server(flatten)]
    request: CreateRequest,
    /// One per form display: a double submit (or a retry after a lost answer) charges once.
    idempotency_key: Option<String>,
) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    let key = idempotency_key.filter(|k| !k.trim().is_empty());
    Ok(crate::server::jobs::create::create(&state, &user, &request, key.as_deref()).await?.response)
}

#[server(prefix = "/sfn", endpoint = "cancel_infograph", output = super::codec::Json)]
pub async fn cancel_infograph(id: String) -> Result<InfographView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::jobs::manage::cancel(&state, &user.id, &id).await
}

#[server(prefix = "/sfn", endpoint = "regenerate_infograph", output = super::codec::Json)]
pub async fn regenerate_infograph(id: String) -> Result<CreateResponse, AppError> {
    let (state, user) = super::context::require_user().await?;
    Ok(crate::server::jobs::create::regenerate(&state, &user, &id, None).await?.response)
}

#[server(prefix = "/sfn", endpoint = "delete_infograph", output = super::codec::Json)]
pub async fn delete_infograph(id: String) -> Result<(), AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::jobs::manage::delete(&state, &user, &id).await
}

#[server(prefix = "/sfn", endpoint = "list_infographs", output = super::codec::Json)]
pub async fn list_infographs() -> Result<Vec<InfographView>, AppError> {
    let (state, user) = super::context::require_user().await?;
    // One card per family: its newest version.
    crate::server::jobs::manage::gallery(&state, &user).await
}

#[server(prefix = "/sfn", endpoint = "infograph_status", output = super::codec::Json)]
pub async fn infograph_status(id: String) -> Result<InfographView, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::jobs::manage::status(&state, &user, &id).await
}

/// The brief that was sent to the model (`None` until the job has been prepared).
#[server(prefix = "/sfn", endpoint = "infograph_brief", output = super::codec::Json)]
pub async fn infograph_brief(id: String) -> Result<Option<String>, AppError> {
    let (state, user) = super::context::require_user().await?;
    crate::server::jobs::manage::brief(&state, &user, &id).await
}
