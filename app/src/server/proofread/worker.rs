//! The proofreader's loop: submit the read-back of each newly completed picture, poll fal for
//! read-backs no webhook has ended, and give up on those past `PROOFREAD_TIMEOUT_SECS`. Safe on
//! every instance at once: submissions and polls are claimed, endings are guarded.

use super::readback::{self, ReadBack};
use super::repo::{self, ProofreadRow};
use crate::server::fal::client::FalError;
use crate::server::jobs::repo as jobs_repo;
use crate::server::platform::db::now_ms;
use crate::server::platform::state::AppState;
use std::time::Duration;

/// How long a claimed submission is ours before another instance may take it over.
const LEASE_MS: i64 = 60_000;
/// Submissions tried before a picture is left "not proofread".
const MAX_ATTEMPTS: i64 = 3;

pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let tick = (state.config.reconcile_after / 2).clamp(Duration::from_millis(500), Duration::from_secs(15));
        loop {
            loop {
                let Some(_work) = state.stopping.begin_work() else { return };
                match submit_next(&state).await {
                    Ok(true) => continue,
                    Ok(false) => break,
                    Err(err) => {
                        tracing::error!(error = %err, "proofreader could not claim work");
                        break;
                    }
                }
            }
            let Some(work) = state.stopping.begin_work() else { return };
            if let Err(err) = reconcile_once(&state).await {
                tracing::error!(error = %err, "proofread reconciler pass failed");
            }
            drop(work);
            state.proofreader.wait(tick).await;
        }
    })
}

/// Claims one completed picture without a read-back and submits it. `false` when there was none.
pub async fn submit_next(state: &AppState) -> Result<bool, sqlx::Error> {
    let Some(id) = repo::claim_unsubmitted(&state.db, LEASE_MS).await? else { return Ok(false) };
    submit(state, &id).await?;
    Ok(true)
}

/// The picture's URL at fal (fal reads its own files; ours may be private or on localhost).
fn picture_url(picture: &jobs_repo::InfographRow) -> Option<&str> {
    picture.source_image_url.as_deref().or(picture.image_url.as_deref()).filter(|u| u.starts_with("http"))
}

async fn submit(state: &AppState, id: &str) -> Result<(), sqlx::Error> {
    let picture = jobs_repo::by_id(&state.db, id).await?;
    // A layered version's words are its boxes: read exactly, no model needed.
    if let Some(layers) = picture.as_ref().and_then(crate::server::layers::StoredLayers::of) {
        super::apply(state, id, ReadBack::Text(layers.text())).await?;
        return Ok(());
    }
    let Some(url) = picture.as_ref().and_then(picture_url) else {
        super::give_up(state, id, "the picture has no address the reader can fetch").await?;
        return Ok(());
    };
    let webhook = format!("{}/api/infographs/webhook/{id}/proofread/", state.public_base_url);
    let input = readback::input(&state.config.proofread_model, url);
    match state.fal.submit_to(readback::ENDPOINT, &input, Some(&webhook)).await {
        Ok(s) => {
            if !repo::record_submission(&state.db, id, &s.request_id, &s.status_url, &s.response_url).await? {
                tracing::warn!(infograph = %id, "a read-back was submitted for a proofread that had ended");
            }
        }
        Err(err) => submit_failed(state, id, &err).await?,
    }
    Ok(())
}

/// A refused or failed submission is retried when its lease lapses, a few times, then given up.
async fn submit_failed(state: &AppState, id: &str, err: &FalError) -> Result<(), sqlx::Error> {
    let attempts = repo::by_infograph(&state.db, id).await?.map_or(MAX_ATTEMPTS, |r| r.attempts + 1);
    tracing::warn!(infograph = %id, error = %err, attempts, "read-back submission failed");
    if !err.is_retryable() || attempts >= MAX_ATTEMPTS {
        super::give_up(state, id, &format!("the reader could not be asked: {err}")).await?;
    }
    Ok(())
}

/// One pass: give up on what is past the deadline, then poll fal for silent read-backs.
pub async fn reconcile_once(state: &AppState) -> Result<(), sqlx::Error> {
    let timeout = state.config.proofread_timeout;
    for id in repo::pending_since_before(&state.db, now_ms() - timeout.as_millis() as i64, 100).await? {
        let reason = format!("no read-back after {} s", timeout.as_secs());
        if super::apply(state, &id, ReadBack::Failed(reason)).await? {
            tracing::info!(infograph = %id, "proofread timed out");
        }
    }
    let due = repo::claim_due_polls(&state.db, state.config.reconcile_after.as_millis() as i64, 50).await?;
    for row in due {
        if let Some(outcome) = poll(state, &row).await {
            super::apply(state, &row.infograph_id, outcome).await?;
        }
    }
    Ok(())
}

/// Asks fal where a read-back is; `None` while it runs or fal cannot be reached.
async fn poll(state: &AppState, row: &ProofreadRow) -> Option<ReadBack> {
    let status = state.fal.status(row.fal_status_url.as_deref()?).await.ok()?;
    if !status.is_completed() {
        return None;
    }
    if let Some(error) = status.error {
        return Some(ReadBack::Failed(error));
    }
    match state.fal.result(row.fal_response_url.as_deref()?).await {
        Ok(output) => Some(readback::from_output(&output)),
        Err(FalError::Status { status, message }) if (400..500).contains(&status) => Some(ReadBack::Failed(message)),
        Err(_) => None,
    }
}
