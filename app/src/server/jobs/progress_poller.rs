//! Asks fal where each running job is (queue position, in progress), at most every
//! `PROGRESS_POLL_MS` per job and `PROGRESS_POLL_MAX` requests at once per instance, so cards can
//! show "in fal's queue (position N)" and "generating".

use super::repo;
use crate::server::platform::state::AppState;
use futures::StreamExt;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = state.config.progress_poll;
        if every.is_zero() {
            return;
        }
        loop {
            tokio::time::sleep(every).await;
            if let Err(err) = poll_once(&state).await {
                tracing::warn!(error = %err, "progress poll pass failed");
            }
        }
    })
}

/// One pass over the jobs that are due.
pub async fn poll_once(state: &AppState) -> Result<(), sqlx::Error> {
    let due = repo::claim_progress_polls(&state.db, state.config.progress_poll.as_millis() as i64, 50).await?;
    futures::stream::iter(due)
        .for_each_concurrent(state.config.progress_poll_max.max(1), |(id, url)| async move {
            let Some(url) = url else { return };
            match state.fal.status(&url).await {
                Ok(status) => {
                    let position = status.queue_position.filter(|_| status.status == "IN_QUEUE");
                    match repo::record_fal_status(&state.db, &id, &status.status, position).await {
                        Ok(true) => state.events.job_changed(&id).await,
                        Ok(false) => {}
                        Err(err) => tracing::warn!(infograph = %id, error = %err, "could not record fal's status"),
                    }
                }
                Err(err) => tracing::debug!(infograph = %id, error = %err, "progress poll failed"),
            }
        })
        .await;
    Ok(())
}
