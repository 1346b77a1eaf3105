//! The reconciler: a job must end even when its webhook never comes (lost, or a
//! `PUBLIC_BASE_URL` fal cannot reach). It polls fal for `processing` jobs no webhook has ended,
//! and fails (and refunds) jobs past the hard timeout. Safe on every instance at once: polls are
//! claimed, and every transition it applies is guarded.

use super::lifecycle;
use super::outcome::Outcome;
use super::repo::{self, InfographRow};
use crate::server::fal::client::{FalClient, FalError};
use crate::server::platform::db::now_ms;
use crate::server::platform::state::AppState;
use std::time::Duration;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let tick = (state.config.reconcile_after / 2).clamp(Duration::from_millis(500), Duration::from_secs(15));
        loop {
            tokio::time::sleep(tick).await;
            if let Err(err) = reconcile_once(&state).await {
                tracing::error!(error = %err, "reconciler pass failed");
            }
        }
    })
}

/// One pass: time out what is too old, then poll fal for silent `processing` jobs.
pub async fn reconcile_once(state: &AppState) -> Result<(), sqlx::Error> {
    let timeout = state.config.job_timeout;
    let expired = repo::running_since_before(&state.db, now_ms() - timeout.as_millis() as i64, 100).await?;
    for id in expired {
        let message = format!("timed out after {} s without a result", timeout.as_secs());
        if let Err(err) = lifecycle::apply_outcome(state, &id, &Outcome::Failed { message }).await {
            tracing::error!(infograph = %id, error = %err, "could not time out a job");
        }
    }
    let due = repo::claim_due_polls(&state.db, state.config.reconcile_after.as_millis() as i64, 50).await?;
    for job in due {
        if let Some(outcome) = poll_fal(&state.fal, &job).await {
            tracing::info!(infograph = %job.id, ?outcome, "reconciler ended a job without a webhook");
            if let Err(err) = lifecycle::apply_outcome(state, &job.id, &outcome).await {
                tracing::error!(infograph = %job.id, error = %err, "could not apply a polled outcome");
            }
        }
    }
    Ok(())
}

/// Asks fal where a job is; `None` while it is still running or fal cannot be reached.
async fn poll_fal(client: &FalClient, job: &InfographRow) -> Option<Outcome> {
    let status_url = job.fal_status_url.as_deref()?;
    let status = match client.status(status_url).await {
        Ok(s) => s,
        Err(err) => {
            tracing::warn!(infograph = %job.id, error = %err, "status poll failed");
            return None;
        }
    };
    if !status.is_completed() {
        return None;
    }
    if let Some(error) = status.error {
        return Some(Outcome::Failed { message: error });
    }
    let response_url = job.fal_response_url.as_deref()?;
    match client.result(response_url).await {
        Ok(output) => Some(Outcome::from_output(&output)),
        Err(FalError::Status { status, message }) if (400..500).contains(&status) => Some(Outcome::Failed { message }),
        Err(err) => {
            tracing::warn!(infograph = %job.id, error = %err, "result fetch failed");
            None
        }
    }
}
