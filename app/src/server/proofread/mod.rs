//! Proofreading pictures: every completed picture (a refinement's and a fix's too) is read back
//! by a vision model on fal (`readback`), through the same queue, signed webhook and reconciler
//! machinery as images, and what was read is compared (`compare`) with what the picture should
//! say (`expected`). A read-back that fails or never returns ends "not proofread" at
//! `PROOFREAD_TIMEOUT_SECS`, never stuck. "Fix these words" (`fix`) turns the problems into a
//! refinement. The `proofreads` table is `repo`'s; the summary every view shows is written on the
//! picture's row in the same transaction (`jobs::repo::record_proofread`).

pub mod compare;
pub mod expected;
pub mod fix;
#[cfg(test)]
mod labelled;
pub mod readback;
pub mod repo;
mod worker;

pub use worker::{reconcile_once, spawn, submit_next};

use crate::errors::AppError;
use crate::model::proofread::{Comparison, ProofreadStatus, ProofreadView};
use crate::server::accounts::users::UserRow;
use crate::server::jobs::repo::{self as jobs_repo, InfographRow, ProofreadSummary};
use crate::server::jobs::webhook::{self, Verified, WebhookError};
use crate::server::platform::state::AppState;
use http::HeaderMap;
use readback::ReadBack;

/// The owner's view of picture `id`'s proofread. Another user's picture is a 404; a picture
/// that is not completed has none yet (`pending`).
pub async fn view(state: &AppState, owner: &UserRow, id: &str) -> Result<ProofreadView, AppError> {
    let picture = jobs_repo::owned(&state.db, &owner.id, id).await?.ok_or(AppError::NotFound)?;
    let row = repo::by_infograph(&state.db, &picture.id).await?;
    let mut view = row.map_or_else(|| pending_view(&picture), |r| r.view());
    view.fix_cost = fix::cost(state, &picture).await?;
    Ok(view)
}

fn pending_view(picture: &InfographRow) -> ProofreadView {
    let status = if picture.status().is_final() && picture.status() != crate::model::JobStatus::Completed {
        ProofreadStatus::NotProofread
    } else {
        ProofreadStatus::Pending
    };
    ProofreadView { status, words_expected: 0, words_found: 0, text: String::new(), problems: Vec::new(), fix_cost: 0 }
}

/// fal's webhook for the read-back of picture `id`: verified like a picture's, then applied once.
pub async fn receive(state: &AppState, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<bool, WebhookError> {
    webhook::counted("proofread", receive_readback(state, id, headers, body).await)
}

async fn receive_readback(state: &AppState, id: &str, headers: &HeaderMap, body: &[u8]) -> Result<bool, WebhookError> {
    let Verified { json, request_id } = webhook::verify(state, id, headers, body).await?;
    let row = repo::by_infograph(&state.db, id).await?.ok_or(WebhookError::UnknownJob)?;
    match row.fal_request_id.as_deref() {
        None if row.status() == ProofreadStatus::Pending => return Err(WebhookError::NotReady),
        Some(ours) if ours != request_id => return Err(WebhookError::Body("request_id does not belong to this proofread".into())),
        _ => {}
    }
    if row.status() != ProofreadStatus::Pending {
        return Ok(false);
    }
    Ok(apply(state, id, readback::from_webhook(&json)).await?)
}

/// Ends picture `id`'s pending proofread with what the read-back gave, once: compared and
/// recorded, or given up. Returns whether this call ended it.
pub async fn apply(state: &AppState, id: &str, outcome: ReadBack) -> Result<bool, sqlx::Error> {
    let Some(picture) = jobs_repo::by_id(&state.db, id).await? else { return Ok(false) };
    let ended = match outcome {
        ReadBack::Text(text) => match compare_with(state, &picture, &text).await? {
            Some(comparison) => finish(state, id, &text, &comparison).await?,
            // Never "every word is right" for a comparison that did not finish.
            None => give_up(state, id, "the comparison failed").await?,
        },
        ReadBack::Failed(reason) => give_up(state, id, &reason).await?,
    };
    if ended {
        state.events.job_changed(id).await;
        if let Err(err) = fix::after_proofread(state, &picture).await {
            tracing::error!(infograph = %id, error = %err, "could not ask for the automatic fix");
        }
    }
    Ok(ended)
}

/// Compares on a blocking thread: the comparison is bounded, but it is CPU work on text a model
/// wrote.
async fn compare_with(state: &AppState, picture: &InfographRow, text: &str) -> Result<Option<Comparison>, sqlx::Error> {
    let original = match picture.family_id.as_deref().filter(|f| *f != picture.id) {
        Some(family) => jobs_repo::by_id(&state.db, family).await?.unwrap_or_else(|| picture.clone()),
        None => picture.clone(),
    };
    let expected = expected::expected_of(picture, &original);
    let text = text.to_string();
    Ok(tokio::task::spawn_blocking(move || compare::compare(&expected, &text)).await.ok())
}

async fn finish(state: &AppState, id: &str, text: &str, comparison: &Comparison) -> Result<bool, sqlx::Error> {
    let summary = ProofreadSummary {
        status: ProofreadStatus::Done,
        problems: comparison.problems.len() as i64,
        words_expected: i64::from(comparison.words_expected),
        words_found: i64::from(comparison.words_found),
    };
    let w = state.db.write().await;
    let mut tx = w.begin().await?;
    if !repo::finish(&mut tx, id, text, comparison).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    jobs_repo::record_proofread(&mut tx, id, &summary).await?;
    tx.commit().await?;
    tracing::info!(infograph = %id, problems = comparison.problems.len(), "proofread");
    Ok(true)
}

pub(crate) async fn give_up(state: &AppState, id: &str, reason: &str) -> Result<bool, sqlx::Error> {
    let summary = ProofreadSummary { status: ProofreadStatus::NotProofread, problems: 0, words_expected: 0, words_found: 0 };
    let w = state.db.write().await;
    let mut tx = w.begin().await?;
    if !repo::give_up(&mut tx, id, reason).await? {
        tx.rollback().await?;
        return Ok(false);
    }
    jobs_repo::record_proofread(&mut tx, id, &summary).await?;
    tx.commit().await?;
    tracing::warn!(infograph = %id, reason, "not proofread");
    Ok(true)
}
