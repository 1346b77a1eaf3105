//! What an owner does with their jobs after creating them: read them, cancel, delete.

use super::lifecycle;
use super::repo::{self, InfographRow};
use crate::errors::AppError;
use crate::model::{InfographView, JobStatus, ViewerData};
use crate::server::accounts::users::UserRow;
use crate::server::sharing;
use crate::server::platform::state::AppState;

pub const LIST_LIMIT: i64 = 100;

pub async fn status(state: &AppState, user: &UserRow, id: &str) -> Result<InfographView, AppError> {
    let row = repo::owned(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(state.eta.view(&state.db, &row).await)
}

pub async fn list(state: &AppState, user: &UserRow) -> Result<Vec<InfographView>, AppError> {
    let rows = repo::list_owned(&state.db, &user.id, LIST_LIMIT).await?;
    Ok(views_of(state, &rows).await)
}

/// The views of `rows`, in order, with their progress estimates.
async fn views_of(state: &AppState, rows: &[InfographRow]) -> Vec<InfographView> {
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        views.push(state.eta.view(&state.db, row).await);
    }
    views
}

/// Every version of `id`'s family, oldest first.
pub async fn versions(state: &AppState, user: &UserRow, id: &str) -> Result<Vec<InfographView>, AppError> {
    let rows = repo::family_of(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(views_of(state, &rows).await)
}

/// The viewer page's data for the owner's infograph `id` (anyone else: not found).
pub async fn viewer(state: &AppState, user: &UserRow, id: &str) -> Result<ViewerData, AppError> {
    let rows = repo::family_of(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    let row = rows.iter().find(|r| r.id == id).ok_or(AppError::NotFound)?;
    let versions = views_of(state, &rows).await;
    let item = versions.iter().find(|v| v.id == id).cloned().ok_or(AppError::NotFound)?;
    Ok(ViewerData {
        item,
        versions,
        brief: row.built_prompt.clone(),
        model: state.models.of_job(row.model.as_deref()).name.clone(),
        cost: row.charged(),
        submitted_at: row.submitted_at,
        completed_at: row.completed_at,
        share: sharing::live_view(state, row).await?,
        brand_name: row.brand.as_deref().and_then(|b| serde_json::from_str::<crate::model::design::BrandSnapshot>(b).ok()).map(|b| b.name),
        // Their own modules' to say (`server::proofread`, `server::layers`); the edge adds them.
        proofread: None,
        layers: None,
        layers_cost: state.config.layers_credits,
    })
}

/// The gallery: the newest version of each family, with its family's size.
pub async fn gallery(state: &AppState, user: &UserRow) -> Result<Vec<InfographView>, AppError> {
    let rows = repo::list_families(&state.db, &user.id, LIST_LIMIT).await?;
    let mut views = Vec::with_capacity(rows.len());
    for (row, versions) in &rows {
        let mut view = state.eta.view(&state.db, row).await;
        view.versions = *versions;
        views.push(view);
    }
    Ok(views)
}

/// The brief that was sent to the model (`None` until the job has been prepared).
pub async fn brief(state: &AppState, user: &UserRow, id: &str) -> Result<Option<String>, AppError> {
    let row = repo::owned(&state.db, &user.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(row.built_prompt)
}

/// Cancels the owner's job (see [`cancel_job`]).
pub async fn cancel(state: &AppState, owner_id: &str, id: &str) -> Result<InfographView, AppError> {
    let row = repo::by_id(&state.db, id)
        .await?
        .filter(|r| r.user_id == owner_id && r.deleted_at.is_none())
        .ok_or(AppError::NotFound)?;
    cancel_job(state, &row).await
}

/// Not yet handed to fal: failed and refunded at once. At fal: fal is asked to cancel; a job
/// still in fal's queue then ends (failed, refunded) through its webhook, one already generating
/// ends as whatever fal reports.
pub async fn cancel_job(state: &AppState, row: &InfographRow) -> Result<InfographView, AppError> {
    let id = row.id.as_str();
    if row.status().is_final() {
        return Err(AppError::Conflict(format!("this infograph has already {}", row.status())));
    }
    if row.status() == JobStatus::Queued && row.submit_started_at.is_none() && lifecycle::cancel_unsubmitted(state, id).await? {
        return reload(state, id).await;
    }
    let row = repo::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?;
    if row.status().is_final() {
        return Ok(row.view());
    }
    let Some(cancel_url) = row.fal_cancel_url.clone().filter(|_| row.status() == JobStatus::Processing) else {
        return Err(AppError::Conflict("the job is being handed to fal right now; try again in a moment".into()));
    };
    if row.cancel_requested_at.is_some() {
        return Ok(row.view());
    }
    if repo::set_cancel_requested(&state.db, id, true).await? {
        if let Err(err) = state.fal.cancel(&cancel_url).await {
            tracing::warn!(infograph = id, error = %err, "fal did not take the cancel request");
            // Not requested after all: the job stays cancellable, so the user can try again.
            repo::set_cancel_requested(&state.db, id, false).await?;
            return Err(AppError::Upstream("fal did not take the cancel request; please try again".into()));
        }
        state.events.job_changed(id).await;
    }
    reload(state, id).await
}

async fn reload(state: &AppState, id: &str) -> Result<InfographView, AppError> {
    Ok(repo::by_id(&state.db, id).await?.ok_or(AppError::NotFound)?.view())
}

/// Hides an infograph from its owner's gallery and API, and ends its share link. The ledger
/// keeps its rows; a job still running goes on, and is charged or refunded as usual.
pub async fn delete(state: &AppState, owner: &UserRow, id: &str) -> Result<(), AppError> {
    if !repo::hide(&state.db, &owner.id, id).await? {
        return Err(AppError::NotFound);
    }
    // A public page also checks the infograph itself, so a crash before this line cannot leave
    // a deleted picture published.
    sharing::repo::revoke(&state.db, id).await?;
    Ok(())
}

/// Renames the family `id` belongs to: every version shows the new name.
pub async fn set_title(state: &AppState, owner: &UserRow, id: &str, title: &str) -> Result<InfographView, AppError> {
    if !repo::set_family_title(&state.db, &owner.id, id, title).await? {
        return Err(AppError::NotFound);
    }
    for version in repo::family_of(&state.db, &owner.id, id).await?.unwrap_or_default() {
        state.events.job_changed(&version.id).await;
    }
    status(state, owner, id).await
}

/// Sets the owner's alt text of `id` (`None`: back to the one written from the brief).
pub async fn set_alt_text(state: &AppState, owner: &UserRow, id: &str, text: Option<&str>) -> Result<InfographView, AppError> {
    if !repo::set_alt_text(&state.db, &owner.id, id, text).await? {
        return Err(AppError::NotFound);
    }
    state.events.job_changed(id).await;
    status(state, owner, id).await
}
