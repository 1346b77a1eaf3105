//! A job's final transitions with what follows them: the repository write decides (exactly one
//! caller wins), then its owner's pages are told, its email is queued and the image copier is
//! woken. Every path to a final state goes through here, so none can forget a follow-up.

use super::outcome::Outcome;
use super::repo::{self, Image};
use crate::server::delivery::email;
use crate::server::platform::metrics;
use crate::server::platform::state::AppState;

/// Applies an outcome once. Returns whether this call changed the job (duplicates return false).
/// Every outcome (webhook, reconciler, worker) is vetted here first, so an image URL we would
/// not store fails the job (with its refund) whichever path brought it.
pub async fn apply_outcome(state: &AppState, id: &str, outcome: &Outcome) -> Result<bool, sqlx::Error> {
    let own_files = state.storage.emulator_file_prefixes();
    let vetted = outcome.clone().vetted(&own_files, &state.config.fetch_allow);
    if let (Outcome::Completed { .. }, Outcome::Failed { message }) = (outcome, &vetted) {
        tracing::warn!(infograph = %id, reason = %message, "refused the image URL of a completed job");
    }
    let outcome = vetted;
    let changed = match &outcome {
        Outcome::Completed { image_url, width, height, layers } => {
            repo::complete(&state.db, id, &Image { url: image_url, width: *width, height: *height, layers: layers.as_deref() }).await?
        }
        Outcome::Failed { message } => repo::fail_with_refund(&state.db, id, message).await?,
    };
    if changed {
        metrics::job_transition(if matches!(outcome, Outcome::Completed { .. }) { "completed" } else { "failed" });
        after_final(state, id).await;
    }
    Ok(changed)
}

/// Cancels a job fal never saw, with a refund; `false` if a worker got to it first.
pub async fn cancel_unsubmitted(state: &AppState, id: &str) -> Result<bool, sqlx::Error> {
    let cancelled = repo::cancel_unsubmitted(&state.db, id).await?;
    if cancelled {
        metrics::job_transition("cancelled");
        after_final(state, id).await;
    }
    Ok(cancelled)
}

/// Follow-ups of a job becoming final, none of which may fail or delay the caller (a webhook
/// answer): push the change to its owner's pages, queue its email (durable; the email sender's
/// backstop covers a crash right here) and wake the image copier, the email sender and the
/// proofreader (which finds completed pictures by their rows, so a crash here loses nothing).
async fn after_final(state: &AppState, id: &str) {
    state.events.job_changed(id).await;
    match email::queue_job_email(&state.db, id).await {
        Ok(true) => state.mailer.wake(),
        Ok(false) => {}
        Err(err) => tracing::error!(infograph = %id, error = %err, "could not queue the job's email; the backstop will"),
    }
    state.storage.wake();
    state.proofreader.wake();
}
