//! The durable pipeline. Its state is the `infographs` table, so a restart loses nothing:
//! - the **worker** claims `queued` rows (a lease, so one process submits each), reads the blog,
//!   builds the brief, submits to fal and records the request as `processing`;
//! - **webhooks** (see `api::rest`) end jobs through [`apply_outcome`];
//! - the **reconciler** polls fal for `processing` jobs no webhook has ended, and fails (and
//!   refunds) jobs past the hard timeout.

use super::brief;
use super::extract;
use super::credits;
use super::db::{now_ms, Db, InfographRow, INFOGRAPH_COLUMNS};
use super::fal::{self, FalClient, ModelInput};
use super::scrape;
use super::state::AppState;
use crate::model::{AspectRatio, Resolution};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, Semaphore};

/// How long a claimed job is reserved for its worker: longer than the slowest possible preparation
/// (blog fetch, then every fal attempt timing out, with backoff), so a live worker never loses it.
fn lease_ms(config: &super::config::Config) -> i64 {
    if let Some(lease) = config.job_lease {
        return lease.as_millis() as i64;
    }
    let attempts = config.fal.max_attempts.max(1) as u32;
    let backoff = config.fal.retry_base * 2u32.saturating_pow(attempts) * 5 / 4;
    let slowest = config.fetch_timeout + super::HTTP_TIMEOUT * attempts + backoff;
    (slowest + Duration::from_secs(60)).as_millis() as i64
}
const IDLE_POLL: Duration = Duration::from_secs(2);

/// How a job ended, as reported by a webhook or by polling fal.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Completed { image_url: String, width: Option<i64>, height: Option<i64> },
    Failed { message: String },
}

impl Outcome {
    /// A model output (`{"images": [...]}`): its first image, or why there is none.
    pub fn from_output(output: &serde_json::Value) -> Self {
        match fal::first_image(output) {
            Ok(image) => Self::Completed { image_url: image.url, width: image.width, height: image.height },
            Err(message) => Self::Failed { message },
        }
    }
}

/// Turns a fal webhook body into an outcome.
pub fn outcome_from_webhook(body: &serde_json::Value) -> Outcome {
    let status = body.get("status").and_then(|s| s.as_str()).unwrap_or("");
    let payload = body.get("payload").filter(|p| !p.is_null());
    if status == "OK" {
        if let Some(err) = body.get("payload_error").and_then(|e| e.as_str()) {
            return Outcome::Failed { message: format!("fal could not deliver the result: {err}") };
        }
        return payload.map_or_else(|| Outcome::Failed { message: "fal returned no result".into() }, Outcome::from_output);
    }
    let fallback = body.get("error").and_then(|e| e.as_str()).unwrap_or("the generation failed");
    Outcome::Failed { message: fal::error_message(payload, fallback) }
}

/// A webhook for a job whose submission was never recorded (its worker died between fal's answer
/// and our write, or fal answered faster than we wrote): the signed webhook, addressed to this
/// job's URL, is proof of which fal request belongs to it. Returns whether the job adopted it.
pub async fn adopt_request(db: &Db, id: &str, request_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let adopted = sqlx::query(
        "UPDATE infographs SET status = 'processing', fal_request_id = $1, submitted_at = $2, \
         updated_at = $2, lease_until = NULL, version = version + 1 \
         WHERE id = $3 AND status = 'queued' AND fal_request_id IS NULL AND submit_started_at IS NOT NULL",
    )
    .bind(request_id)
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(adopted == 1)
}

/// Applies an outcome once. Returns whether this call changed the job (duplicates return false).
pub async fn apply_outcome(state: &AppState, id: &str, outcome: &Outcome) -> Result<bool, sqlx::Error> {
    let changed = match outcome {
        Outcome::Completed { image_url, width, height } => {
            credits::complete(&state.db, id, image_url, *width, *height).await?
        }
        Outcome::Failed { message } => credits::fail_and_refund(&state.db, id, message).await?,
    };
    if changed {
        after_final(state, id).await;
    }
    Ok(changed)
}

/// Cancels a job fal never saw, with a refund; `false` if a worker got to it first.
pub async fn cancel_unsubmitted(state: &AppState, id: &str) -> Result<bool, sqlx::Error> {
    let cancelled = credits::cancel_unsubmitted(&state.db, id).await?;
    if cancelled {
        after_final(state, id).await;
    }
    Ok(cancelled)
}

/// Records (`requested`) or takes back (fal refused it) the owner's cancel request. `false` when
/// there was nothing to change: already asked, not asked, or no longer running.
pub async fn mark_cancel_requested(db: &Db, id: &str, requested: bool) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let (set, guard) = if requested {
        ("cancel_requested_at = $1", "cancel_requested_at IS NULL")
    } else {
        ("cancel_requested_at = NULL", "cancel_requested_at IS NOT NULL")
    };
    let marked = sqlx::query(&format!(
        "UPDATE infographs SET {set}, updated_at = $1, version = version + 1 \
         WHERE id = $2 AND status = 'processing' AND {guard}"
    ))
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(marked == 1)
}

/// Follow-ups of a job becoming final, none of which may fail or delay the caller (a webhook
/// answer): push the change to its owner's pages, queue its email (durable; the notifier's
/// backstop covers a crash right here) and wake the image copier and the email sender.
async fn after_final(state: &AppState, id: &str) {
    state.events.job_changed(id).await;
    match super::notify::enqueue(&state.db, id).await {
        Ok(true) => state.mailer.wake(),
        Ok(false) => {}
        Err(err) => tracing::error!(infograph = %id, error = %err, "could not queue the job's email; the backstop will"),
    }
    state.storage.wake();
}

/// Wakes the worker at once (after a create) instead of at its next idle poll.
#[derive(Clone, Default)]
pub struct WorkerHandle {
    wake: Arc<Notify>,
}

impl WorkerHandle {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

async fn claim_next(db: &Db, lease_ms: i64) -> Result<Option<InfographRow>, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    sqlx::query_as::<_, InfographRow>(&format!(
        "UPDATE infographs SET lease_until = $1, attempts = attempts + 1, updated_at = $2, progress_version = progress_version + 1 \
         WHERE id = (SELECT id FROM infographs WHERE status = 'queued' AND submit_started_at IS NULL \
                     AND (lease_until IS NULL OR lease_until < $2) ORDER BY created_at LIMIT 1{}) \
           AND status = 'queued' AND submit_started_at IS NULL AND (lease_until IS NULL OR lease_until < $2) \
         RETURNING {INFOGRAPH_COLUMNS}",
        db.skip_locked()
    ))
    .bind(now + lease_ms)
    .bind(now)
    .fetch_optional(&db.pool)
    .await
}

pub fn spawn_worker(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let permits = Arc::new(Semaphore::new(state.config.worker_concurrency));
        let lease = lease_ms(&state.config);
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else { return };
            match claim_next(&state.db, lease).await {
                Ok(Some(job)) => {
                    let state = state.clone();
                    tokio::spawn(async move {
                        if job.blog_url.is_some() {
                            state.events.job_changed(&job.id).await;
                        }
                        run_job(&state, job).await;
                        drop(permit);
                    });
                }
                Ok(None) => {
                    drop(permit);
                    let _ = tokio::time::timeout(IDLE_POLL, state.worker.wake.notified()).await;
                }
                Err(err) => {
                    drop(permit);
                    tracing::error!(error = %err, "worker could not claim a job");
                    tokio::time::sleep(IDLE_POLL).await;
                }
            }
        }
    })
}

enum JobError {
    /// The job cannot succeed: fail it and refund.
    Failed(String),
    /// Another worker holds the job now (our lease expired); leave it alone.
    LeaseLost,
    /// fal may have accepted the job without our hearing back (e.g. a timeout after sending):
    /// failing it now could refund a job that then completes. Its webhook is adopted when it
    /// comes; if it never does, the hard timeout refunds it.
    Unconfirmed(String),
}

impl From<String> for JobError {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// Reads the blog (if any), builds the brief, submits to fal. Any failure ends the job as failed
/// with a refund; nothing here can leave a job charged and stuck.
async fn run_job(state: &AppState, job: InfographRow) {
    let id = job.id.clone();
    match submit_job(state, &job).await {
        Ok(()) => {}
        Err(JobError::LeaseLost) => tracing::warn!(infograph = %id, "lease lost; another worker owns the job"),
        Err(JobError::Unconfirmed(reason)) => {
            tracing::warn!(infograph = %id, %reason, "fal may have the job; waiting for its webhook or the timeout")
        }
        Err(JobError::Failed(message)) => {
            tracing::warn!(infograph = %id, reason = %message, "job failed before fal accepted it");
            if let Err(err) = apply_outcome(state, &id, &Outcome::Failed { message }).await {
                // The lease expires and the job is retried; the refund is still exactly-once.
                tracing::error!(infograph = %id, error = %err, "could not record a failed job");
            }
        }
    }
}

fn internal(context: &'static str) -> impl Fn(sqlx::Error) -> JobError {
    move |e| {
        tracing::error!(error = %e, context, "database error in the worker");
        JobError::Failed(format!("internal error while {context}"))
    }
}

async fn submit_job(state: &AppState, job: &InfographRow) -> Result<(), JobError> {
    let aspect: AspectRatio = job.aspect_ratio.parse()?;
    let resolution: Resolution = job.resolution.parse()?;
    let lease = job.lease_until.ok_or(JobError::LeaseLost)?;
    let article = match &job.blog_url {
        Some(raw) => {
            let url = url::Url::parse(raw).map_err(|_| "could not read the blog: invalid URL".to_string())?;
            let policy = state.config.fetch_policy();
            let page = scrape::fetch_html(&url, policy)
                .await
                .map_err(|e| format!("could not read the blog: {e}"))?;
            Some(extract::extract_off_thread(page.html, Some(page.final_url.to_string())).await)
        }
        None => None,
    };
    let prompt = brief::build(&job.user_prompt, article.as_ref(), aspect, resolution, state.config.prompt_max_chars);
    // Storing the brief doubles as the lease check right before the (billed) submission, and
    // records the intent: from here on the job is never submitted again (see migration 0003).
    let write = state.db.write_guard().await;
    let still_ours = sqlx::query(
        "UPDATE infographs SET built_prompt = $1, updated_at = $2, submit_started_at = $2, progress_version = progress_version + 1 \
         WHERE id = $3 AND status = 'queued' AND lease_until = $4 AND submit_started_at IS NULL",
    )
    .bind(&prompt)
    .bind(now_ms())
    .bind(&job.id)
    .bind(lease)
    .execute(&state.db.pool)
    .await
    .map_err(internal("preparing the job"))?
    .rows_affected();
    drop(write);
    if still_ours != 1 {
        return Err(JobError::LeaseLost);
    }
    let input = ModelInput {
        prompt,
        num_images: 1,
        aspect_ratio: aspect.as_fal().to_string(),
        resolution: resolution.as_str().to_string(),
        output_format: "png".into(),
    };
    let webhook = format!("{}/api/infographs/webhook/{}/", state.public_base_url, job.id);
    let submitted = state.fal.submit(&input, &webhook).await.map_err(|e| match e {
        fal::FalError::Unconfirmed(reason) => JobError::Unconfirmed(reason),
        other => JobError::Failed(format!("fal did not accept the job: {other}")),
    })?;
    match record_submission(&state.db, &job.id, lease, &submitted).await {
        Ok(true) => {
            state.events.job_changed(&job.id).await;
            Ok(())
        }
        // Its webhook already arrived and was adopted (a fast fal), or the job timed out meanwhile.
        Ok(false) => {
            tracing::info!(infograph = %job.id, request_id = %submitted.request_id, "job moved on before its submission was recorded");
            Err(JobError::LeaseLost)
        }
        // fal runs the job; refunding now would pay the user back for an image they will get.
        // The intent is recorded, so the job's webhook is adopted (or the timeout refunds it).
        Err(e) => {
            tracing::error!(infograph = %job.id, request_id = %submitted.request_id, error = %e, "could not record a submission");
            Err(JobError::Unconfirmed(format!("the submission could not be recorded: {e}")))
        }
    }
}

async fn record_submission(db: &Db, id: &str, lease: i64, s: &fal::Submitted) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let _write = db.write_guard().await;
    let updated = sqlx::query(
        "UPDATE infographs SET status = 'processing', fal_request_id = $1, fal_status_url = $2, \
         fal_response_url = $3, fal_cancel_url = $4, submitted_at = $5, updated_at = $5, \
         lease_until = NULL, version = version + 1 \
         WHERE id = $6 AND status = 'queued' AND lease_until = $7 AND fal_request_id IS NULL",
    )
    .bind(&s.request_id)
    .bind(&s.status_url)
    .bind(&s.response_url)
    .bind(&s.cancel_url)
    .bind(now)
    .bind(id)
    .bind(lease)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(updated == 1)
}

pub fn spawn_reconciler(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let tick = (state.config.reconcile_after / 2).clamp(Duration::from_millis(500), Duration::from_secs(15));
        loop {
            tokio::time::sleep(tick).await;
            if let Err(err) = reconcile_once(&state).await {
                tracing::error!(error = %err, "reconciler pass failed");
            }
            if let Err(err) = super::ratelimit::purge(&state.db).await {
                tracing::warn!(error = %err, "could not purge rate-limit windows");
            }
            if let Err(err) = credits::purge_idempotency_keys(&state.db).await {
                tracing::warn!(error = %err, "could not purge idempotency keys");
            }
        }
    })
}

/// One pass: time out what is too old, then poll fal for silent `processing` jobs.
pub async fn reconcile_once(state: &AppState) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let timeout_ms = state.config.job_timeout.as_millis() as i64;
    let expired: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM infographs WHERE status IN ('queued', 'processing') \
         AND COALESCE(submitted_at, created_at) < $1 LIMIT 100",
    )
    .bind(now - timeout_ms)
    .fetch_all(&state.db.pool)
    .await?;
    for id in expired {
        let message = format!("timed out after {} s without a result", state.config.job_timeout.as_secs());
        if let Err(err) = apply_outcome(state, &id, &Outcome::Failed { message }).await {
            tracing::error!(infograph = %id, error = %err, "could not time out a job");
        }
    }

    let after_ms = state.config.reconcile_after.as_millis() as i64;
    // Claim the rows to poll by pushing their next poll time forward, so concurrent
    // reconcilers (other instances) do not poll the same job at once.
    let write = state.db.write_guard().await;
    let due: Vec<InfographRow> = sqlx::query_as(&format!(
        "UPDATE infographs SET next_poll_at = $1 WHERE id IN (SELECT id FROM infographs \
         WHERE status = 'processing' AND submitted_at < $2 AND (next_poll_at IS NULL OR next_poll_at < $3) \
         ORDER BY submitted_at LIMIT 50{}) AND status = 'processing' RETURNING {INFOGRAPH_COLUMNS}",
        state.db.skip_locked()
    ))
    .bind(now + after_ms.max(1000))
    .bind(now - after_ms)
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    drop(write);
    for job in due {
        if let Some(outcome) = poll_fal(&state.fal, &job).await {
            tracing::info!(infograph = %job.id, ?outcome, "reconciler ended a job without a webhook");
            if let Err(err) = apply_outcome(state, &job.id, &outcome).await {
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
        Err(fal::FalError::Status { status, message }) if (400..500).contains(&status) => {
            Some(Outcome::Failed { message })
        }
        Err(err) => {
            tracing::warn!(infograph = %job.id, error = %err, "result fetch failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhook_bodies_map_to_outcomes() {
        let ok = json!({"request_id":"r","status":"OK","payload":{"images":[{"url":"https://i/x.png","width":3,"height":2}]}});
        assert_eq!(
            outcome_from_webhook(&ok),
            Outcome::Completed { image_url: "https://i/x.png".into(), width: Some(3), height: Some(2) }
        );
        let err = json!({"request_id":"r","status":"ERROR","error":"Invalid status code: 422","payload":{"detail":[{"msg":"nope"}]}});
        assert_eq!(outcome_from_webhook(&err), Outcome::Failed { message: "nope".into() });
        let payload_error = json!({"request_id":"r","status":"OK","payload":null,"payload_error":"too big"});
        assert!(matches!(outcome_from_webhook(&payload_error), Outcome::Failed { message } if message.contains("too big")));
        let empty = json!({"request_id":"r","status":"OK","payload":{"images":[]}});
        assert!(matches!(outcome_from_webhook(&empty), Outcome::Failed { .. }));
    }
}
